import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { bundleViewer } from '../../src/viewer/bundle.js';
import { viewerPage } from '../../src/viewer/page.js';

const BUDGET_BYTES = 60 * 1024;

it('W01 the page and its one script weigh at most 60 KB gzipped', async () => {
  const script = await bundleViewer();
  const page = viewerPage('/audit-log').content;
  const weight = gzipSync(script).length + gzipSync(page).length;
  console.log(`viewer page weight: ${weight} bytes gzipped (script ${script.length} bytes raw)`);
  expect(weight).toBeLessThanOrEqual(BUDGET_BYTES);
  expect(weight).toBeGreaterThan(1024); // a real bundle, not an empty file
});
