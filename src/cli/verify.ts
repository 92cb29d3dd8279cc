import type { Sequelize } from 'sequelize';
import { verifyTrail } from '../integrity/index.js';
import type { Checkpoint } from '../integrity/checkpoint.js';
import type { VerifyReport } from '../integrity/verify.js';
import type { Output } from './output.js';
import { count, text, type CliValues } from './read-options.js';
import { readInput } from './read-file.js';
import { UsageError } from './usage-error.js';

/**
 * `audit-trail verify [--from N] [--to N] [--public-key FILE] [--checkpoints FILE.jsonl] [--json]`:
 * exit 0 when the chain is intact, 1 with the first break. Progress goes to stderr on a terminal.
 */
export async function runVerifyCommand(sequelize: Sequelize, values: CliValues, { out, note }: Output): Promise<number> {
  const fromSeq = count(values, 'from');
  const toSeq = count(values, 'to');
  const keyFile = text(values, 'public-key');
  const checkpointsFile = text(values, 'checkpoints');
  const publicKey = keyFile === undefined ? undefined : await readInput(keyFile, '--public-key');
  const checkpoints = checkpointsFile === undefined ? undefined : parseCheckpoints(await readInput(checkpointsFile, '--checkpoints'), checkpointsFile);
  const tty = process.stderr.isTTY === true && values.json !== true;
  const report = await verifyTrail(
    { sequelize },
    {
      ...(fromSeq === undefined ? {} : { fromSeq }),
      ...(toSeq === undefined ? {} : { toSeq }),
      ...(publicKey === undefined ? {} : { publicKey }),
      ...(checkpoints === undefined ? {} : { checkpoints }),
      ...(tty
        ? {
            onProgress: ({ rows, links }: { rows: number; links: number }) =>
              process.stderr.write(`\rverified ${rows.toLocaleString('en-US')} rows, ${links.toLocaleString('en-US')} links…`),
          }
        : {}),
    },
  );
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json === true) out(JSON.stringify(report));
  else for (const line of describe(report, publicKey !== undefined)) out(line);
  if (!publicKey && report.intact && values.json !== true) note('no --public-key: checkpoint signatures were not checked');
  return report.intact ? 0 : 1;
}

function describe(report: VerifyReport, keyed: boolean): string[] {
  const range = report.firstSeq === undefined ? 'no chain links' : `links ${report.firstSeq}–${report.lastSeq}`;
  const figures = `${report.rows.toLocaleString('en-US')} chained rows, ${range}, ${report.unchainedRows.toLocaleString('en-US')} unchained (older) rows; ${Math.round(report.rowsPerSecond).toLocaleString('en-US')} rows/s`;
  const checkpoints = `${report.checkpoints} checkpoint(s) matched${keyed ? `, ${report.signaturesChecked} signature(s) verified` : ''}`;
  if (report.intact) return [`intact: ${figures}`, checkpoints];
  const { kind, seq, rowId, message } = report.finding!;
  return [`TAMPERED (${kind}${seq === undefined ? '' : ` at seq ${seq}`}${rowId === undefined ? '' : `, row ${rowId}`}): ${message}`, `checked before the break: ${figures}`];
}

/** One checkpoint per line, as onCheckpoint received it; blank lines are skipped. */
function parseCheckpoints(textOfFile: string, file: string): Checkpoint[] {
  return textOfFile.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    let value: Partial<Checkpoint>;
    try {
      value = JSON.parse(line) as Partial<Checkpoint>;
    } catch {
      throw new UsageError(`${file}:${index + 1} is not JSON`);
    }
    const { seq, hash, signedAt, signature } = value;
    if (!Number.isSafeInteger(seq) || typeof hash !== 'string' || typeof signedAt !== 'string' || typeof signature !== 'string') {
      throw new UsageError(`${file}:${index + 1} is not a checkpoint: it needs seq, hash, signedAt and signature`);
    }
    return [{ seq: seq!, hash, signedAt, signature }];
  });
}
