import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    express: 'adapters/express.ts',
    koa: 'adapters/koa.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', express: 'adapters/express.ts', koa: 'adapters/koa.ts' } },
  clean: true,
  target: 'node20',
  sourcemap: true,
  // The CJS build needs import.meta.url too: prom-client, an optional peer, is loaded through createRequire.
  shims: true,
});
