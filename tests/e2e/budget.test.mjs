// The first-load budget: the default page's transfer (brotli) stays under
// the ceiling in budget.json, and the figure is printed beside the goal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLoad } from './first-load.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '..', '..', 'dist');

test('the first load stays within its budget', () => {
  const budget = JSON.parse(readFileSync(join(HERE, 'budget.json'), 'utf8')).first_load_brotli_kb;
  const { rows, total } = firstLoad(DIST);
  assert.ok(rows.some((r) => r.file.endsWith('.wasm')), 'the wasm is counted');
  assert.ok(rows.some((r) => r.file.startsWith('bundles/')), 'the default bundle is counted');
  const kb = total / 1024;
  for (const r of rows) console.log(`# first load: ${r.file.padEnd(48)} ${(r.brotli / 1024).toFixed(1).padStart(7)} KB brotli`);
  console.log(`# first load: ${kb.toFixed(1)} KB brotli; ceiling ${budget.ceiling} KB; goal ${budget.goal} KB: ${kb <= budget.goal ? 'met' : 'not met'}`);
  assert.ok(kb <= budget.ceiling, `first load ${kb.toFixed(1)} KB brotli is over the ceiling of ${budget.ceiling} KB (tests/e2e/budget.json)`);
});
