#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolveConfig } from './config.js';
import { AuditTrailError, messageOf } from './errors.js';
import { consoleLogger, type Logger } from './logger.js';
import { connectWithRetry, openDatabase } from './store/database.js';
import { runMigrateCommand } from './cli/migrate.js';
import { UsageError } from './cli/usage-error.js';

const USAGE = `Usage: audit-trail <command> [options]

Commands:
  migrate up                 apply every pending migration
  migrate down [--to NAME|0] revert the newest migration, or back to NAME (kept), or all with 0
  migrate status             list every migration as applied or pending
  migrate history            list applied migrations with when they were applied

Options:
  --database URL   the database (default: the DATABASE_URL environment variable)
  -h, --help       show this help

Exit codes: 0 success, 1 the operation failed, 2 a usage error.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { database: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, action] = positionals;
  if (command !== 'migrate' || !action) throw new UsageError(command ? `unknown command: ${positionals.join(' ')}` : 'no command given');
  const database = values.database ?? process.env.DATABASE_URL;
  if (!database) throw new UsageError('no database: pass --database URL or set DATABASE_URL');

  const logger: Logger = { ...consoleLogger, info: () => {} };
  const config = resolveConfig({ database, connectAttempts: 1, logger });
  const opened = openDatabase(config);
  try {
    await connectWithRetry(opened, config);
    return await runMigrateCommand(opened.sequelize, action, values.to, { logger, out: console.log });
  } finally {
    await opened.sequelize.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const usage = error instanceof UsageError || (error instanceof AuditTrailError && error.code === 'invalid_option');
    console.error(`audit-trail: ${messageOf(error)}`);
    if (error instanceof UsageError) console.error("Run 'audit-trail --help' for usage.");
    process.exitCode = usage ? 2 : 1;
  },
);
