// Big bundles (src/worker.rs::WORKER_BYTES and over) are analysed in a
// Web Worker: the page shows the worker's progress, gets the same
// verdicts as the CLI, and a Cancel button stops a load, leaving the
// bundle on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, cliReport, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { synthetic } from './synthetic.mjs';

const VERDICTS = ['supported', 'account_only', 'incidental_only', 'contradicted', 'not_found', 'no_evidence'];
const DIR = join(ROOT, 'dist', 'test-worker');
let env;

// 3,000 firms and providers, 15,000 observations (3 MB), with claims of
// several kinds: firm f's providers are (7f + 101j) mod 1,500 for j < 10,
// and provider p serves incidentally when p is a multiple of 4.
function withClaims() {
  const { bundle } = synthetic(1500, 1500, 10, 101);
  bundle.meta.title = 'Synthetic: 3,000 nodes with claims, analysed in the worker';
  const claim = (id, subject, provider, category) => ({ id, subject, provider, category, source: 'bench' });
  bundle.claims = [
    claim('held', 'f0', 'p101'),
    claim('held-too', 'f1', 'p209'),
    claim('incidental', 'f0', 'p0'),
    claim('other-provider', 'f2', 'p3'),
    claim('no-such-firm-evidence', 'f3', 'p1499'),
  ];
  return bundle;
}

// About 27 MB: the same graph with every observation seven times, on
// seven dates.
function heavy() {
  const { bundle } = synthetic(2500, 500, 8, 61);
  bundle.meta.title = 'Synthetic: a 27 MB bundle';
  bundle.observations = bundle.observations.flatMap((o) => Array.from({ length: 7 }, (_, k) => ({
    ...o, id: `${o.id}-${k}`, observed_at: `2024-0${1 + k}-10T00:00:00Z`,
  })));
  return bundle;
}

before(async () => {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'claims.json'), JSON.stringify(withClaims()));
  writeFileSync(join(DIR, 'heavy.json'), JSON.stringify(heavy()));
  env = await start();
});
after(async () => { await env?.close(); });

// Every text the progress line shows, in order.
async function recordProgress(page) {
  await page.addInitScript(() => {
    window.__steps = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid=progress-step]')?.textContent.trim();
      if (t && window.__steps.at(-1) !== t) window.__steps.push(t);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

test('a 3 MB bundle is analysed in the worker, with progress, to the verdicts the CLI gives', async (t) => {
  const file = join('dist', 'test-worker', 'claims.json');
  const cli = cliReport(file);
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = watchConsole(page);
  t.after(async () => { await page.close(); });
  await recordProgress(page);
  await page.goto(`${env.base}/?bundle=test-worker/claims.json`);
  await page.getByTestId('overview').waitFor({ timeout: 60000 });
  await page.waitForFunction(() => performance.getEntriesByName('whoserves:graph-drawn').length > 0, null, { timeout: 60000 });
  await page.screenshot({ path: join(ARTIFACTS, 'worker-claims.png') });
  // The worker did the work: its answer was read back and put together.
  assert.equal(await page.evaluate(() => performance.getEntriesByName('whoserves:worker-assembled').length), 1);
  assert.equal(await page.getByTestId('bundle-title').textContent(), cli.title);
  for (const v of VERDICTS) {
    const shown = Number(await page.getByTestId(`verdict-${v}`).getAttribute('data-count'));
    assert.equal(shown, cli.summary[v], `verdict ${v}: viewer ${shown}, CLI ${cli.summary[v]}`);
  }
  assert.ok(cli.summary.supported >= 2, JSON.stringify(cli.summary));
  assert.equal(await page.getByTestId('node').count(), 3000);
  // Its progress, as the worker reported it: what it read, the rules
  // running over the observations.
  const steps = await page.evaluate(() => window.__steps);
  assert.ok(steps.some((s) => /^Read 3\.\d MB: 15,000 observations/.test(s)), steps.join(' | '));
  assert.ok(steps.some((s) => /^Running the rules: 8,192 of 15,000 observations \(54%\)/.test(s)), steps.join(' | '));
  assert.deepEqual(problems, [], 'no console errors');
});

test('Cancel stops a big load; the bundle on screen stays', async (t) => {
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = watchConsole(page);
  t.after(async () => { await page.close(); });
  await recordProgress(page);
  await page.goto(env.base);
  await page.getByTestId('overview').waitFor({ timeout: 15000 });
  const title = await page.getByTestId('bundle-title').textContent();
  // A 27 MB file opened from disk goes to the worker too.
  await page.getByTestId('file-input').setInputFiles(join(DIR, 'heavy.json'));
  const cancel = page.getByTestId('cancel-load');
  await cancel.click({ timeout: 30000 });
  await page.getByTestId('load-cancelled').waitFor();
  assert.match(await page.getByTestId('load-cancelled').textContent(), /Loading was cancelled; the view below is unchanged/);
  assert.equal(await page.getByTestId('load-error').count(), 0, 'a cancel is a notice, not an error');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Dismiss', 'focus goes from the vanished Cancel to Dismiss');
  await page.screenshot({ path: join(ARTIFACTS, 'worker-cancelled.png') });
  assert.equal(await page.getByTestId('bundle-title').textContent(), title);
  // Nothing arrives later over the view.
  await page.waitForTimeout(3000);
  assert.equal(await page.getByTestId('bundle-title').textContent(), title);
  assert.equal(await page.evaluate(() => performance.getEntriesByName('whoserves:worker-assembled').length), 0);
  // The same file loads when let be.
  await page.getByTestId('load-cancelled').getByRole('button', { name: 'Dismiss' }).click();
  await page.getByTestId('file-input').setInputFiles(join(DIR, 'heavy.json'));
  await page.waitForFunction(() => document.querySelector('[data-testid=bundle-title]')?.textContent.includes('27 MB'), null, { timeout: 90000 });
  assert.equal(await page.evaluate(() => performance.getEntriesByName('whoserves:worker-assembled').length), 1);
  // So big an answer is read back in slices, the page running between them.
  const steps = await page.evaluate(() => window.__steps);
  assert.ok(steps.some((s) => /^Receiving the analysis: \d[\d,]* observations and findings read/.test(s)), steps.join(' | '));
  assert.deepEqual(problems, [], 'no console errors');
});
