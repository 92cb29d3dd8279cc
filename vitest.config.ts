import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file owns a fresh database, so files run in parallel without seeing each other.
    pool: 'forks',
    // The WebSocket contract's host throws from a message listener on purpose, as a host's bug would, and the
    // audit leaves that throw to the host: it arrives here as an uncaught exception that proves nothing wrong.
    onUnhandledError: (error) => (error as { message?: unknown }).message !== 'deliberate host failure',
  },
});
