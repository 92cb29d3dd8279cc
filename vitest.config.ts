import { defineConfig } from 'vitest/config';

/**
 * Pure modules, tested with no database, Redis, browser or child process: `npm run test:unit` runs them
 * in seconds. Everything else is the integration project; `npm test` runs both.
 */
const UNIT = [
  'test/public-surface.test.ts',
  'test/redact.test.ts',
  'test/capture/**/*.test.ts',
  'test/http/**/*.test.ts',
  'test/integrity/foretold-rows.test.ts',
  'test/bench/{http-report,summary,targets}.test.ts',
  'test/metrics/{guard,statement}.test.ts',
  'test/query/{csv,time}.test.ts',
  'test/viewer/filters.test.ts',
  'test/writer/{config,data-error,event-id,queue,row-text}.test.ts',
  'test/ws/message.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file owns a fresh database, so files run in parallel without seeing each other.
    pool: 'forks',
    // The WebSocket contract's host throws from a message listener on purpose, as a host's bug would, and the
    // audit leaves that throw to the host: it arrives here as an uncaught exception that proves nothing wrong.
    onUnhandledError: (error) => (error as { message?: unknown }).message !== 'deliberate host failure',
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, globalSetup: ['test/support/scratch-dir.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          globalSetup: ['test/support/scratch-dir.ts', 'test/support/global-setup.ts'],
        },
      },
    ],
  },
});
