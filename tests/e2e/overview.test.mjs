// The release site loads the default bundle in wasm and shows the same
// title and verdict counts as `whoserves check --json` on the same file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, cliReport, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';

const VERDICTS = ['supported', 'account_only', 'incidental_only', 'contradicted', 'not_found', 'no_evidence'];
let env;

before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const manifest = JSON.parse(readFileSync(join(ROOT, 'public', 'bundles', 'index.json'), 'utf8'));

async function compare(query, file, shot) {
  const cli = cliReport(join('public', 'bundles', file));
  const page = await env.browser.newPage();
  const problems = watchConsole(page);
  await page.goto(env.base + query);
  await page.getByTestId('overview').waitFor({ timeout: 15000 });
  await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });

  assert.equal(await page.getByTestId('bundle-title').textContent(), cli.title);
  for (const v of VERDICTS) {
    const shown = Number(await page.getByTestId(`verdict-${v}`).getAttribute('data-count'));
    assert.equal(shown, cli.summary[v], `verdict ${v}: viewer ${shown}, CLI ${cli.summary[v]}`);
  }
  assert.equal(await page.getByTestId('banner').count(), cli.banner ? 1 : 0, 'banner shown when the bundle has one');
  const noEvidenceNote = await page.getByTestId('no-evidence-note').count();
  assert.equal(noEvidenceNote, cli.observations === 0 && cli.claims.length > 0 ? 1 : 0,
    'a bundle of claims without observations says plainly that it holds no raw evidence');
  assert.deepEqual(problems, [], 'no console errors');
  await page.close();
}

test('the viewer and the CLI agree on the default bundle', async () => {
  await compare('', manifest.default, 'overview-default.png');
});

for (const { file } of manifest.bundles) {
  test(`the viewer and the CLI agree on ${file}`, async () => {
    await compare(`?bundle=bundles/${file}`, file, `overview-${file.replace('.json', '')}.png`);
  });
}

test('the default page fetches no rule library: the report bundle has no observation they could use', async () => {
  const page = await env.browser.newPage();
  const fetched = [];
  page.on('request', (r) => { if (r.url().includes('/rules/')) fetched.push(r.url()); });
  await page.goto(env.base);
  await page.getByTestId('overview').waitFor({ timeout: 15000 });
  const line = await page.getByTestId('libraries').textContent();
  assert.match(line, /^Rule libraries read: none; not fetched, as the bundle has no observation they could use: providers\.json, aws-2020-05-21\.json/);
  assert.deepEqual(fetched, [], 'no request under rules/');
  await page.close();
});

test('the demo reads the one library it includes', async () => {
  const page = await env.browser.newPage();
  const fetched = [];
  page.on('request', (r) => { if (r.url().includes('/rules/')) fetched.push(r.url().replace(/^.*\/rules\//, '')); });
  await page.goto(env.base + '?bundle=bundles/demo.json');
  await page.getByTestId('overview').waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId('libraries').textContent(), 'Rule libraries read: providers.json');
  assert.deepEqual(fetched, ['providers.json']);
  await page.close();
});

test('a link\'s bundle and the manifest are each fetched once, the manifest from the page\'s preload before the wasm', async () => {
  const page = await env.browser.newPage();
  const problems = watchConsole(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url().replace(env.base, '')));
  const file = manifest.bundles.find((b) => b.file !== manifest.default).file;
  await page.goto(`${env.base}/?bundle=bundles/${file}`);
  await page.getByTestId('overview').waitFor({ timeout: 15000 });
  const count = (u) => requests.filter((r) => r === u).length;
  assert.equal(count(`/bundles/${file}`), 1, requests.join(', '));
  // Asked for by the HTML, before the wasm, and the page reads that
  // response: a second request would mean the preload was missed.
  assert.equal(count('/bundles/index.json'), 1, requests.join(', '));
  const wasm = requests.findIndex((r) => r.endsWith('.wasm'));
  assert.ok(requests.indexOf('/bundles/index.json') < wasm, requests.join(', '));
  // The link's bundle is the one shown: the default bundle the manifest
  // names is never asked for.
  assert.equal(count(`/bundles/${manifest.default}`), 0, requests.join(', '));
  assert.deepEqual(problems, [], 'no console errors');
  await page.close();
});
