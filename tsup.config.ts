import { build } from 'esbuild';
import { defineConfig } from 'tsup';
import { viewerBuildOptions } from './src/viewer/bundle.js';

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
  // Only the viewer's source build needs it, and that never runs from dist/.
  external: ['esbuild'],
  // The viewer's browser code, one script beside the bundles (src/viewer/script.ts reads it from there).
  onSuccess: async () => {
    await build({ ...viewerBuildOptions(), outfile: 'dist/viewer.js' });
  },
});
