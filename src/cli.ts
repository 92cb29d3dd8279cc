#!/usr/bin/env node
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS, resolveConfig } from './config.js';
import { AuditTrailError, messageOf } from './errors.js';
import { consoleLogger, type Logger } from './logger.js';
import { connectWithRetry, openDatabase } from './store/database.js';
import { defineModels } from './store/models.js';
import type { Store } from './store/store.js';
import { runHistoryCommand } from './cli/history.js';
import { runLogsCommand } from './cli/logs.js';
import { runMigrateCommand } from './cli/migrate.js';
import type { Output } from './cli/output.js';
import { text, type CliValues } from './cli/read-options.js';
import { runPruneCommand } from './cli/prune.js';
import { runReportCommand } from './cli/report.js';
import { runVerifyCommand } from './cli/verify.js';
import { UsageError } from './cli/usage-error.js';

const USAGE = `Usage: audit-trail <command> [options]

Commands:
  migrate up                 apply every pending migration
  migrate down [--to NAME|0] revert the newest migration, or back to NAME (kept), or all with 0
  migrate status             list every migration as applied or pending
  migrate history            list applied migrations with when they were applied

  logs                       the newest audit entries, as a table (JSON lines with --json)
    --user NAME  --user-id ID  --action METHOD  --outcome error[,permission_denied]
    --resource PATH (a prefix if it ends in *)  --route TEMPLATE (the same)  --ignore-case
    --request-id ID  --ip ADDRESS  --status CODE
    --min-duration MS  --since 24h|ISO  --until 1h|ISO  --limit N (1-1000, default 50)  --cursor C
  history MODEL RECORD_ID    a record's model changes (trackChanges), newest first  [--limit N] [--cursor C]
  report failed              error and permission_denied entries    [--user NAME] [--user-id ID] [--since 24h]
                                                                    [--limit N] [--cursor C]
  report slow                per method: average, max and count     [--min-duration 1000] [--since 7d]
  report timeline            events, errors and denials per bucket  [--user-id ID] [--since 24h]
                                                                    [--bucket minute|hour|day|week|month]
  prune --older-than 365d    delete older entries in batches of 10,000  [--dry-run] [--batch-size N]
                             [--force: allow a cut-off in the future or less than 1d ago]
                             [--signing-key FILE.pem: sign the checkpoint left where the chain now starts]
  verify                     recompute the tamper-evidence chain; exit 1 at the first break
    [--from SEQ] [--to SEQ] [--public-key FILE.pem] [--checkpoints FILE.jsonl] [--json]

Options:
  --database URL   the database: postgres://… or sqlite:FILE (default: the DATABASE_URL environment
                   variable, else the embedded default .audit-trail/audit.sqlite when it exists here)
  --json           logs, history, reports and verify: one JSON object per line
  -h, --help       show this help

Times are durations back from now (30s, 15m, 24h, 365d) or ISO 8601 timestamps.
Exit codes: 0 success, 1 the operation failed (verify: tampering found), 2 a usage or connection error.`;

const READ = ['since', 'json'];
/** The options each command takes, besides --database and --help. */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  migrate: ['to'],
  logs: [...READ, 'user', 'user-id', 'action', 'outcome', 'resource', 'route', 'ignore-case', 'request-id', 'ip', 'status', 'min-duration', 'until', 'limit', 'cursor'],
  history: ['json', 'limit', 'cursor'],
  'report failed': [...READ, 'user', 'user-id', 'limit', 'cursor'],
  'report slow': [...READ, 'min-duration'],
  'report timeline': [...READ, 'user-id', 'bucket'],
  prune: ['older-than', 'dry-run', 'batch-size', 'force', 'signing-key'],
  verify: ['from', 'to', 'public-key', 'checkpoints', 'json'],
};
const FLAGS = new Set(['json', 'dry-run', 'force', 'ignore-case', 'help']);
const OPTIONS: Record<string, { type: 'string' | 'boolean'; short?: string }> = Object.fromEntries(
  ['database', ...new Set(Object.values(COMMAND_OPTIONS).flat())].map((name) => [name, { type: FLAGS.has(name) ? 'boolean' : 'string' }]),
);
OPTIONS.help = { type: 'boolean', short: 'h' };

function parse(argv: string[]): { values: CliValues; positionals: string[]; given: string[] } {
  try {
    const { values, positionals, tokens } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, tokens: true });
    const given = tokens.flatMap((token) => (token.kind === 'option' ? [token.name] : []));
    return { values: values as CliValues, positionals, given };
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

/** The exit code of a failure that is not a usage error: verify keeps 1 for "tampered", so its other failures are 2. */
let failureCode = 1;

async function main(argv: string[]): Promise<number> {
  const { values, positionals, given } = parse(argv);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, action, ...rest] = positionals;
  if (!command) throw new UsageError('no command given');
  const key = command === 'report' && action ? `report ${action}` : command;
  const allowed = COMMAND_OPTIONS[key] ?? (command === 'report' ? [] : undefined);
  if (!allowed) throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  if (command === 'migrate' && !action) throw new UsageError('migrate needs an action: up, down, status or history');
  const misplaced = given.find((name) => name !== 'database' && !allowed.includes(name));
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to ${key}`);
  if (command === 'verify') failureCode = 2;
  const database = text(values, 'database') ?? process.env.DATABASE_URL ?? embeddedDefault();
  if (!database) throw new UsageError(`no database: pass --database URL or set DATABASE_URL (no ${DEFAULTS.sqlitePath} here either)`);

  const logger: Logger = { ...consoleLogger, info: () => {} };
  const config = resolveConfig({ database, connectAttempts: 1, logger });
  const opened = openDatabase(config);
  const output: Output = { out: console.log, note: console.error };
  try {
    await connectWithRetry(opened, config);
    const { sequelize } = opened;
    if (command === 'migrate') return await runMigrateCommand(sequelize, action!, text(values, 'to'), { logger, out: console.log });
    if (!(await sequelize.getQueryInterface().tableExists('user_actions'))) {
      throw new AuditTrailError('migration_failed', `no user_actions table at ${opened.label}: run 'audit-trail migrate up' first`);
    }
    const store: Store = { sequelize, models: defineModels(sequelize) };
    if (command === 'logs') return await runLogsCommand(store, values, output);
    if (command === 'history') return await runHistoryCommand(store, [action ?? '', rest[0] ?? ''], values, output);
    if (command === 'report') return await runReportCommand(store, action, values, output);
    if (command === 'verify') return await runVerifyCommand(sequelize, values, output);
    return await runPruneCommand(store, values, output);
  } finally {
    await opened.sequelize.close();
  }
}

/** With no URL, the file an app on the embedded default writes in this directory, when it is there. */
function embeddedDefault(): string | undefined {
  if (!existsSync(path.resolve(DEFAULTS.sqlitePath))) return undefined;
  console.error(`audit-trail: no --database or DATABASE_URL given: using the embedded default sqlite:${DEFAULTS.sqlitePath}`);
  return `sqlite:${DEFAULTS.sqlitePath}`;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const usage = error instanceof UsageError || (error instanceof AuditTrailError && (error.code === 'invalid_option' || error.code === 'invalid_query'));
    console.error(`audit-trail: ${messageOf(error)}`);
    if (error instanceof UsageError) console.error("Run 'audit-trail --help' for usage.");
    process.exitCode = usage ? 2 : failureCode;
  },
);
