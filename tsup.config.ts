import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    express: 'adapters/express.ts',
    koa: 'adapters/koa.ts',
    cli: 'src/cli.ts',
    // The PostgreSQL writer's thread, loaded by path beside the bundles (see worker-row-writer.ts).
    'writer-worker': 'src/writer/worker/postgres-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', express: 'adapters/express.ts', koa: 'adapters/koa.ts' } },
  clean: true,
  target: 'node20',
  sourcemap: true,
  // The CJS build needs import.meta.url too: prom-client, an optional peer, is loaded through createRequire.
  shims: true,
});
