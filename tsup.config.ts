import { build } from 'esbuild';
import { defineConfig, type Options } from 'tsup';
import { viewerBuildOptions } from './src/viewer/bundle.js';

const common: Options = {
  entry: {
    index: 'src/index.ts',
    express: 'adapters/express.ts',
    koa: 'adapters/koa.ts',
    cli: 'src/cli.ts',
    // The PostgreSQL writer's thread, loaded by path beside the bundles (see worker-row-writer.ts).
    'writer-worker': 'src/writer/worker/postgres-worker.ts',
  },
  target: 'node20',
  sourcemap: true,
  // The CJS build needs import.meta.url too: prom-client, an optional peer, is loaded through createRequire.
  shims: true,
  // Only the viewer's source build needs it, and that never runs from dist/.
  external: ['esbuild'],
};

// The two formats build side by side, so neither cleans dist/ (a clean in one could remove the other's files):
// `npm run build` empties it first.
export default defineConfig([
  {
    ...common,
    format: 'esm',
    dts: { entry: { index: 'src/index.ts', express: 'adapters/express.ts', koa: 'adapters/koa.ts' } },
    // The viewer's browser code, one script beside the bundles (src/viewer/script.ts reads it from there).
    onSuccess: async () => {
      await build({ ...viewerBuildOptions(), outfile: 'dist/viewer.js' });
    },
  },
  {
    ...common,
    format: 'cjs',
    dts: { entry: { index: 'src/index.ts', express: 'adapters/express.ts', koa: 'adapters/koa.ts' } },
    // Every entry point shares one copy of the core under CJS too, as ESM does: one AuditTrailError class and
    // one set of module-level state, whichever entry a host requires. Rollup (treeshake) splits the CJS
    // chunks and keeps the code as written; without it tsup rewrites them with sucrase, which turns every
    // `?.` and `??` into helper calls on the request path.
    splitting: true,
    treeshake: true,
  },
]);
