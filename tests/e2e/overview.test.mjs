// The release site loads the default bundle in wasm and shows the same
// title and verdict counts as `whoserves check --json` on the same file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, cliReport, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';

const VERDICTS = ['supported', 'incidental_only', 'contradicted', 'not_found', 'no_evidence'];
let env;

before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('the viewer and the CLI agree on the default bundle', async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'public', 'bundles', 'index.json'), 'utf8'));
  const file = join('public', 'bundles', manifest.default);
  const cli = cliReport(file);

  const page = await env.browser.newPage();
  const problems = watchConsole(page);
  await page.goto(env.base);
  await page.getByTestId('overview').waitFor({ timeout: 15000 });
  await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });

  assert.equal(await page.getByTestId('bundle-title').textContent(), cli.title);
  for (const v of VERDICTS) {
    const shown = Number(await page.getByTestId(`verdict-${v}`).getAttribute('data-count'));
    assert.equal(shown, cli.summary[v], `verdict ${v}: viewer ${shown}, CLI ${cli.summary[v]}`);
  }
  assert.deepEqual(problems, [], 'no console errors');
  await page.close();
});
