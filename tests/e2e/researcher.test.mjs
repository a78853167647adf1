// End-to-end tests of what researchers need: search over evidence, citing
// an edge, the findings export, the print stylesheet, fix-it messages for
// a local file, and links to an edge of a file on someone else's disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { start, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const DEMO = '?bundle=bundles/demo.json';
const MX_EDGE = 'panopticam>microsoft-365>email>direct';
const BANNER = 'Synthetic data: every firm, domain, observation and claim in this demo is fictional. Only the provider rules are real.';

async function viewer(t, { clipboard = false, width = 1400 } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height: 1000 } });
  if (clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.base.replace(/\/$/, '') });
  const page = await context.newPage();
  const problems = watchConsole(page);
  t.after(async () => {
    const name = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await page.screenshot({ path: join(ARTIFACTS, `researcher-${name}.png`), fullPage: true });
    assert.deepEqual(problems.filter((p) => !p.includes('integrity') && !p.includes('404')), [], 'no console errors');
    await context.close();
  });
  return new Viewer(page, env.base);
}

const edgeKeys = (v) => v.edges().evaluateAll((els) => els.map((e) => e.dataset.key));

test('search looks through observation values and rule ids, and says so', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  const scope = v.page.getByTestId('search-scope');
  assert.match(await scope.textContent(), /observation values/);
  // "outlook" is in no name or domain, only in recorded values.
  await v.page.getByTestId('filter-search').fill('outlook');
  await v.page.waitForFunction(() => document.querySelector('[data-testid=search-scope]').textContent.includes('outlook'));
  const keys = await edgeKeys(v);
  assert.ok(keys.includes(MX_EDGE), keys.join(' '));
  assert.ok(keys.every((k) => k.startsWith('panopticam>microsoft')), keys.join(' '));
  assert.match(await scope.textContent(), new RegExp(`Searched .*observation values.* for “outlook”: ${keys.length} edges? match`));
  assert.match(v.page.url(), /q=outlook/);
  // A rule id finds the edges that rule made.
  await v.page.getByTestId('filter-search').fill('mx-alibaba-mail');
  await v.page.waitForFunction(() => document.querySelector('[data-testid=search-scope]').textContent.includes('mx-alibaba-mail'));
  assert.deepEqual(await edgeKeys(v), ['facegrid>alibaba-cloud>email>direct']);
  // Nothing anywhere: nothing shown, and the line says 0.
  await v.page.getByTestId('filter-search').fill('zzz-nowhere');
  await v.page.waitForFunction(() => document.querySelector('[data-testid=search-scope]').textContent.includes(': 0 edges match'));
});

test('an edge is cited in plain text and Markdown, and the link opens the same view', async (t) => {
  const v = await viewer(t, { clipboard: true });
  await v.open(DEMO);
  await v.clickEdge(MX_EDGE);
  const panel = v.page.getByTestId('edge-panel');
  await panel.waitFor();
  // The value as recorded beside the normalised one.
  const first = panel.getByTestId('trace').first();
  assert.equal(await first.getByTestId('trace-recorded').textContent(), '10 panopticam-example.mail.protection.outlook.com.');
  assert.match(await first.getByTestId('trace-value').textContent(), /^panopticam-example\.mail\.protection\.outlook\.com$/);
  const cite = panel.getByTestId('edge-cite');
  await cite.getByTestId('copy-citation').click();
  await v.page.waitForFunction(() => document.querySelector('[data-testid=edge-cite] [data-testid=cite-status]').textContent.includes('copied'));
  const plain = await v.page.evaluate(() => navigator.clipboard.readText());
  for (const part of [
    'Panopticam → Microsoft 365',
    'dns.mx of panopticam.example recorded as "10 panopticam-example.mail.protection.outlook.com."',
    'by "dig +short MX panopticam.example"',
    'read by rule "mx-microsoft-365"',
    'https://github.com/MicrosoftDocs/',
    BANNER,
  ]) assert.ok(plain.includes(part), `${part}\n in: ${plain}`);
  assert.equal(plain, await cite.getByTestId('citation-text').textContent(), 'the shown text is what was copied');
  const link = plain.match(/View: (\S+)$/)[1];
  assert.match(link, /sel=e%3Apanopticam%3Emicrosoft-365%3Eemail%3Edirect/);
  await cite.getByTestId('copy-markdown').click();
  await v.page.waitForFunction(() => document.querySelector('[data-testid=edge-cite] [data-testid=cite-status]').textContent.includes('Markdown'));
  const md = await v.page.evaluate(() => navigator.clipboard.readText());
  assert.ok(md.includes('**Panopticam** → **Microsoft 365**'), md);
  assert.ok(md.includes('`10 panopticam-example.mail.protection.outlook.com.`'), md);
  assert.ok(md.includes(`](<${link}>)`), md);
  // The link opens the same edge.
  const other = await v.page.context().newPage();
  await other.goto(link);
  await other.getByTestId('edge-panel').waitFor();
  assert.match(await other.getByTestId('edge-panel').locator('h3').textContent(), /Panopticam → Microsoft 365/);
  await other.close();
  // A claim in the list is cited too, and its edge selected.
  await v.page.getByTestId('filter-reset').click();
  const claim = v.page.locator('[data-testid=claim][data-id=facegrid-microsoft-email]');
  await claim.getByTestId('claim-cite').click();
  await v.page.waitForFunction(() => navigator.clipboard.readText().then((t) => t.startsWith('Claim "facegrid-microsoft-email"')));
  const claimText = await v.page.evaluate(() => navigator.clipboard.readText());
  assert.match(claimText, /: contradicted \(synthetic\)\./);
  assert.match(claimText, /It rests on: dns\.mx of www\.facegrid\.example|It rests on: dns\.mx of facegrid\.example/);
});

test('the findings export has one row per observation behind each edge, with the banner', async (t) => {
  const v = await viewer(t);
  await v.open(`${DEMO}&view=table`);
  const [csvDl] = await Promise.all([v.page.waitForEvent('download'), v.page.getByTestId('export-findings-csv').click()]);
  assert.equal(csvDl.suggestedFilename(), 'whoserves-findings.csv');
  const csv = readFileSync(await csvDl.path(), 'utf8').trim().split('\r\n');
  assert.equal(csv[0], 'firm,provider,category,relationship,verdict,rule,rule_reference,observation,kind,target,key,value_recorded,value_normalised,observed_at,method,source,source_url,provenance,note');
  const [jsonDl] = await Promise.all([v.page.waitForEvent('download'), v.page.getByTestId('export-findings-json').click()]);
  const json = JSON.parse(readFileSync(await jsonDl.path(), 'utf8'));
  assert.equal(json.bundle.banner, BANNER);
  assert.equal(json.findings.length, csv.length - 1);
  assert.ok(json.findings.every((r) => r.note === BANNER && r.provenance === 'synthetic' && r.observation && r.rule && r.observed_at));
  const mx = json.findings.find((r) => r.rule === 'mx-microsoft-365');
  assert.equal(mx.value_recorded, '10 panopticam-example.mail.protection.outlook.com.');
  assert.equal(mx.value_normalised, 'panopticam-example.mail.protection.outlook.com');
  assert.equal(mx.method, 'dig +short MX panopticam.example');
  assert.ok(mx.rule_reference.startsWith('https://'));
  // Every edge with a finding is behind at least one row.
  const rows = await v.page.getByTestId('table-row').count();
  const withFindings = new Set(json.findings.map((r) => `${r.firm}>${r.provider}>${r.category}>${r.relationship}`));
  assert.ok(withFindings.size <= rows && withFindings.size > 0);
});

test('the print stylesheet drops the controls and prints the evidence whole', async (t) => {
  const v = await viewer(t, { width: 1000 });
  await v.open(DEMO);
  await v.clickEdge(MX_EDGE);
  await v.page.getByTestId('edge-panel').waitFor();
  await v.page.emulateMedia({ media: 'print' });
  for (const id of ['filters', 'filter-search', 'tab-graph', 'zoom-in', 'export-csv', 'copy-citation', 'clear-selection']) {
    const n = await v.page.getByTestId(id).count();
    for (let i = 0; i < n; i++) assert.equal(await v.page.getByTestId(id).nth(i).isVisible(), false, `${id} hidden in print`);
  }
  for (const id of ['bundle-title', 'banner', 'graph', 'edge-panel', 'print-url']) {
    assert.ok(await v.page.getByTestId(id).isVisible(), `${id} printed`);
  }
  const panel = await v.page.getByTestId('panel').evaluate((p) => {
    const s = getComputedStyle(p);
    return { position: s.position, maxHeight: s.maxHeight, overflow: s.overflowY, full: p.scrollHeight <= p.clientHeight + 1 };
  });
  assert.deepEqual(panel, { position: 'static', maxHeight: 'none', overflow: 'visible', full: true });
  const breaks = await v.page.getByTestId('trace').evaluateAll((ts) => ts.map((t) => getComputedStyle(t).breakInside));
  assert.ok(breaks.length > 0 && breaks.every((b) => b === 'avoid'), breaks.join(','));
  // Claim titles stay, as text.
  assert.ok(await v.page.getByTestId('claim').first().locator('.link-button').first().isVisible());
  assert.match(await v.page.getByTestId('print-url').textContent(), /Printed from http:\/\/127\.0\.0\.1:\d+\/\?bundle=bundles%2Fdemo\.json.*sel=e%3Apanopticam/);
  const pdf = await v.page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10_000, 'a PDF is printed');
});

test('a link to an edge of a local file says which file to open, then shows it', async (t) => {
  const v = await viewer(t);
  await v.open(`?file=mine.json&sel=e:${encodeURIComponent(MX_EDGE)}`);
  const note = v.page.getByTestId('panel-missing-file');
  await note.waitFor();
  assert.match(await note.textContent(), /mine\.json, a file the person who made the link opened from their own disk/);
  const text = readFileSync(join(ROOT, 'public', 'bundles', 'demo.json'));
  await v.page.getByTestId('file-input').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: text });
  await v.page.getByTestId('edge-panel').waitFor();
  assert.match(await v.page.getByTestId('edge-panel').locator('h3').textContent(), /Panopticam → Microsoft 365/);
  // The page's own URL now names the file, so a link made here says so too.
  assert.match(v.page.url(), /file=mine\.json/);
});

test('a local file with a wrong include path gets one message that says where it looked', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  const demo = readFileSync(join(ROOT, 'public', 'bundles', 'demo.json'), 'utf8')
    .replace('"../rules/providers.json"', '"providers.json"');
  assert.ok(demo.includes('"providers.json"'));
  await v.page.getByTestId('file-input').setInputFiles({ name: 'mybundle.json', mimeType: 'application/json', buffer: Buffer.from(demo) });
  const errors = v.page.getByTestId('load-error');
  await errors.waitFor();
  const items = await errors.getByTestId('diagnostics').locator('li').allTextContents();
  const include = items.filter((i) => i.includes('"providers.json" could not be read'));
  assert.equal(include.length, 1, items.join('\n'));
  assert.match(include[0], /site's bundles\/ folder .* to http:\/\/127\.0\.0\.1:\d+\/bundles\/providers\.json/);
  assert.ok(items.some((i) => /references to ids this bundle does not declare .* are not listed one by one/.test(i)), items.join('\n'));
  assert.ok(!items.some((i) => i.includes('unknown entity "amazon"')), 'no cascade');
  assert.ok(items.length < 8, `${items.length} messages:\n${items.join('\n')}`);
  // The previous bundle stays shown.
  assert.match(await v.title(), /Demo/);
});
