import { perMillisecond } from '../capture/memo.js';
import { canonicalLine, JSON_COLUMNS, perTable, WRITTEN_COLUMNS, type ChainedTable } from './canonical.js';
import { jsonbText } from './jsonb-text.js';
import type { StoredRow } from './source.js';
import { selectValues, type SqliteConnection } from './sqlite-source.js';

/** A column's canonical text, null for NULL; undefined when the text SQLite will give back is not certain. */
type Foretold = string | null | undefined;

/** Years of four digits in any time zone: others come back from strftime NULL or otherwise. */
const [EARLIEST, LATEST] = [Date.UTC(1000, 0, 2), Date.UTC(9998, 11, 31)];
/** Sequelize writes a Date in its time zone, to the millisecond, and strftime gives it back in UTC with three zeros more. */
const isoTime = perMillisecond((ms) => `${new Date(ms).toISOString().slice(0, -1)}000Z`);
function timeText(value: unknown): Foretold {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  return ms >= EARLIEST && ms <= LATEST ? isoTime(ms) : undefined;
}

/** The driver gives an INTEGER back as a double: exact for a safe integer only. */
const integerText = (value: unknown): Foretold => (value === null ? null : Number.isSafeInteger(value) ? String(value) : undefined);

/**
 * A column of TEXT affinity keeps a string as it is, but the driver writes it as UTF-8 (a lone surrogate
 * comes back as U+FFFD), and Sequelize's SQL ends at a NUL.
 */
const NOT_KEPT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const stringText = (value: unknown): Foretold => (value === null ? null : typeof value === 'string' && !NOT_KEPT.test(value) ? value : undefined);

/** A UUID column has NUMERIC affinity: text that reads as a number would be stored as one, which a UUID never does. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidText = (value: unknown): Foretold => (value === null ? null : typeof value === 'string' && UUID.test(value) ? value : undefined);

/**
 * Sequelize writes JSON.stringify(value), which comes back as it was written (but a top-level number,
 * which NUMERIC affinity stores as a double) and which the verifier writes as jsonb: the jsonb text of the
 * value itself, when it is JSON data (jsonbText throws for anything else).
 */
function jsonText(value: unknown): Foretold {
  if (value === null) return null;
  if (typeof value !== 'object') return undefined;
  try {
    return jsonbText(value);
  } catch {
    return undefined;
  }
}

const TEXT_OF: Partial<Record<string, (value: unknown) => Foretold>> = {
  timestamp: timeText,
  ...Object.fromEntries([...JSON_COLUMNS].map((name) => [name, jsonText])),
  response_status: integerText,
  duration_ms: integerText,
  event_id: uuidText,
  change_id: uuidText,
};
/** Each written column's foreteller, in WRITTEN_COLUMNS' order. */
const FORETELLERS = perTable((table) => WRITTEN_COLUMNS[table].map((column) => TEXT_OF[column] ?? stringText));

/** The column whose unique index makes INSERT OR IGNORE skip a row stored before: what names a row before it has an id. */
const ROW_KEY: Record<ChainedTable, string> = { user_actions: 'event_id', user_action_changes: 'change_id' };

/**
 * A batch's canonical lines made from the values the SQLite writer inserts, instead of from its rows read
 * back: the text that SQLite and its driver will give back for each value (and the verifier will hash) is
 * foretold from the value. Reading back every column and parsing the JSON again cost the chain more than
 * a fifth of the writer's rows/s. Only the ids SQLite gave and the keys of the rows actually inserted (a
 * retried batch inserts none of those stored before) are read back. A batch holding a value whose stored
 * text is not certain, or two rows of one key, is foretold by none: it is read back in full instead.
 */
export class ForetoldRows {
  private constructor(
    private readonly table: ChainedTable,
    private readonly textsByKey: ReadonlyMap<string, ReadonlyArray<string | null>>,
  ) {}

  static of(table: ChainedTable, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): ForetoldRows | undefined {
    const [columns, foretellers] = [WRITTEN_COLUMNS[table], FORETELLERS[table]];
    const textsByKey = new Map<string, ReadonlyArray<string | null>>();
    for (const row of rows) {
      const texts: Array<string | null> = [];
      // Indexed, with no tuple per column: this runs for every value of every row.
      for (let i = 0; i < columns.length; i++) {
        const text = foretellers[i]!(row[columns[i]!]);
        if (text === undefined) return undefined;
        texts.push(text);
      }
      const key = row[ROW_KEY[table]];
      if (typeof key !== 'string' || textsByKey.has(key)) return undefined;
      textsByKey.set(key, texts);
    }
    return new ForetoldRows(table, textsByKey);
  }

  /**
   * The rows with ids above `afterId`, in id order, with the lines the verifier will make of them, or
   * undefined if one is not of this batch. Run in the batch's transaction, after its INSERT.
   */
  async stored(connection: SqliteConnection, afterId: number, seq: number): Promise<StoredRow[] | undefined> {
    const keyed = await selectValues(connection, `SELECT id, ${ROW_KEY[this.table]} FROM ${this.table} WHERE id > ? ORDER BY id`, [afterId]);
    const rows: StoredRow[] = [];
    for (const [id, key] of keyed) {
      const texts = this.textsByKey.get(key as string);
      if (!texts) return undefined;
      rows.push([String(id), String(seq), canonicalLine([String(id), ...texts, String(seq)])]);
    }
    return rows;
  }
}
