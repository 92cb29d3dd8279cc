import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * How the viewer's browser code becomes one script: bundled and minified by esbuild, its CSS inlined as
 * text. tsup runs it at build time into dist/; running from source (tests, the examples under tsx) the
 * package bundles it once in memory instead.
 */
export function viewerBuildOptions(): BuildOptions {
  return {
    entryPoints: [fileURLToPath(new URL('./client/main.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.css': 'text' },
    tsconfig: fileURLToPath(new URL('./client/tsconfig.json', import.meta.url)),
    legalComments: 'none',
    logLevel: 'silent',
  };
}

/** The bundled script, in memory. */
export async function bundleViewer(): Promise<Uint8Array> {
  const { build } = await import('esbuild');
  const result = await build({ ...viewerBuildOptions(), write: false });
  return result.outputFiles![0]!.contents;
}
