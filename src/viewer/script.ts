import { readFile } from 'node:fs/promises';

/** Beside the bundles in dist/, where tsup's build leaves it. */
const BUILT_SCRIPT = 'viewer.js';

let script: Promise<Uint8Array> | undefined;

/** The viewer's script, read (or, running from source, bundled) once per process. */
export function viewerScript(): Promise<Uint8Array> {
  script ??= load().catch((error: unknown) => {
    script = undefined; // a failed read is tried again on the next page load
    throw error;
  });
  return script;
}

async function load(): Promise<Uint8Array> {
  if (!import.meta.url.endsWith('.ts')) return readFile(new URL(`./${BUILT_SCRIPT}`, import.meta.url));
  const { bundleViewer } = await import('./bundle.js');
  return bundleViewer();
}
