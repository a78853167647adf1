// End-to-end tests of the viewer against the release build over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { start, serve, cliReport, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

async function viewer(t, allowConsole = /integrity/) {
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = watchConsole(page);
  t.after(async () => {
    const name = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await page.screenshot({ path: join(ARTIFACTS, `viewer-${name}.png`), fullPage: true });
    assert.deepEqual(problems.filter((p) => !allowConsole.test(p) && !p.includes('integrity')), [], 'no console errors');
    await page.close();
  });
  return new Viewer(page, env.base);
}

const DEMO = '?bundle=bundles/demo.json';
const MX_EDGE = 'panopticam>microsoft-365>email>direct';

test('the default bundle loads and the graph has the expected nodes', async (t) => {
  const v = await viewer(t);
  await v.open();
  const cli = cliReport(join('public', 'bundles', 'top10vpn-2020.json'));
  assert.equal(await v.title(), cli.title);
  // Every firm with a claim is drawn, and every claimed provider.
  const firms = await v.nodeIds('firm');
  for (const c of cli.claims) assert.ok(firms.includes(c.subject), `firm ${c.subject}`);
  const providers = (await v.nodeIds('provider')).sort();
  assert.deepEqual(providers, [...new Set(cli.claims.map((c) => c.provider))].sort());
  // Claim-only edges, one per claim, each with its verdict.
  assert.equal(await v.edges().count(), cli.claims.length);
  assert.deepEqual([...new Set(await v.edgeAttr('relationship'))], ['claimed']);
  await v.page.getByTestId('no-evidence-note').waitFor();
});

test('the picker offers both bundles and switches between them', async (t) => {
  const v = await viewer(t);
  await v.open();
  const options = await v.page.getByTestId('picker').locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(options, ['bundles/top10vpn-2020.json', 'bundles/demo.json']);
  await v.page.getByTestId('picker').selectOption('bundles/demo.json');
  await v.page.getByTestId('banner').waitFor();
  assert.match(await v.title(), /^Demo/);
  assert.match(v.page.url(), /bundle=bundles%2Fdemo.json/);
});

test('clicking an edge shows its trace', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  await v.clickEdge(MX_EDGE);
  const panel = v.page.getByTestId('edge-panel');
  await panel.waitFor();
  assert.match(await panel.locator('h3').textContent(), /Panopticam → Microsoft 365/);
  const traces = panel.getByTestId('trace');
  assert.ok((await traces.count()) >= 1);
  const first = traces.first();
  assert.match(await first.getByTestId('trace-matcher').textContent(), /domain_suffix "mail.protection.outlook.com"/);
  assert.equal(await first.locator('mark').textContent(), 'mail.protection.outlook.com');
  assert.match(await first.getByTestId('trace-provenance').textContent(), /synthetic/);
  // The rule's references are links, and only http(s) ones.
  const hrefs = await first.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length > 0 && hrefs.every((h) => /^https?:\/\//.test(h)), hrefs.join(' '));
  // The claim behind the edge is listed with its verdict.
  assert.equal(await panel.getByTestId('panel-claim').getByTestId('verdict-badge').textContent(), 'supported');
});

test('filters change the graph, the lists and the table', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  const before = await v.edges().count();
  await v.filter('category', 'Email hosting').check();
  await v.page.waitForFunction((n) => document.querySelectorAll('[data-testid=edge]').length < n, before);
  const cats = new Set(await v.edgeAttr('category'));
  assert.deepEqual([...cats], ['email']);
  assert.match(v.page.url(), /cat=email/);
  // Claims list follows: only email claims remain.
  const verdicts = await v.page.getByTestId('claim').evaluateAll((els) => els.map((e) => e.dataset.id));
  assert.ok(verdicts.every((id) => id.includes('email')), verdicts.join(','));
  // Search narrows to one firm.
  await v.page.getByTestId('filter-reset').click();
  await v.page.getByTestId('filter-search').fill('facegrid');
  await v.page.waitForFunction(() => [...document.querySelectorAll('[data-testid=node][data-side=firm]')].every((n) => n.dataset.id === 'facegrid'));
  // The table shows the same edges, sorts, and exports them as CSV.
  const edgeCount = await v.edges().count();
  await v.page.getByTestId('tab-table').click();
  assert.equal(await v.page.getByTestId('table-row').count(), edgeCount);
  await v.page.getByTestId('sort-evidence').click();
  await v.page.getByTestId('sort-evidence').click();
  const evidence = await v.page.getByTestId('table-row').evaluateAll((rs) => rs.map((r) => Number(r.children[4].textContent)));
  assert.deepEqual(evidence, [...evidence].sort((a, b) => b - a), 'sorted by evidence, descending');
  const [download] = await Promise.all([v.page.waitForEvent('download'), v.page.getByTestId('export-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'firm,provider,category,relationship,evidence,verdict,note');
  assert.equal(lines.length, edgeCount + 1);
  assert.ok(lines.slice(1).every((l) => l.startsWith('FaceGrid,')), csv);
  // The bundle's banner goes into every row.
  assert.ok(lines.slice(1).every((l) => l.endsWith(',"Synthetic data: every firm, domain, observation and claim in this demo is fictional. Only the provider rules are real."')), csv);
});

test('the charts draw from the filtered graph', async (t) => {
  const v = await viewer(t);
  await v.open(`${DEMO}&view=charts`);
  const matrix = v.page.getByTestId('chart-matrix').locator('svg');
  await matrix.waitFor();
  const text = await matrix.textContent();
  for (const p of ['Amazon', 'Alibaba Cloud', 'Example Hosting']) assert.ok(text.includes(p), p);
  await v.page.getByTestId('chart-firms').locator('svg').waitFor();
});

test('the dark theme follows prefers-color-scheme', async (t) => {
  const v = await viewer(t);
  await v.page.emulateMedia({ colorScheme: 'dark' });
  await v.open(DEMO);
  const bg = await v.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(19, 20, 23)');
});

test('the graph is keyboard-navigable', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  const first = v.nodes().first();
  await first.focus();
  const firstId = await first.getAttribute('data-id');
  await v.page.keyboard.press('ArrowDown');
  const focused = await v.page.evaluate(() => document.activeElement?.dataset?.id);
  assert.notEqual(focused, firstId);
  await v.page.keyboard.press('ArrowRight');
  const across = await v.page.evaluate(() => document.activeElement?.dataset?.side);
  assert.equal(across, 'provider');
  await v.page.keyboard.press('Enter');
  await v.page.getByTestId('node-panel').waitFor();
  await v.page.keyboard.press('Escape');
  await v.page.getByTestId('panel-hint').waitFor();
  // + zooms, 0 resets.
  await v.page.keyboard.press('+');
  assert.notEqual(await v.page.getByTestId('graph').getAttribute('data-transform'), '0.0,0.0,1.000');
  await v.page.keyboard.press('0');
  assert.equal(await v.page.getByTestId('graph').getAttribute('data-transform'), '0.0,0.0,1.000');
  // Nodes have accessible names.
  assert.match(await first.getAttribute('aria-label'), /^(Firm|Provider) .+, \d+ connection/);
});

test('a bundle loads through the file input', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  await v.openFile(join(ROOT, 'tests', 'fixtures', 'verdicts', 'all-features.json'));
  await v.page.waitForFunction(() => document.querySelector('[data-testid=bundle-title]')?.textContent.startsWith('Fixture'));
  assert.equal(await v.page.getByTestId('bundle-source').textContent(), 'file: all-features.json');
  const cli = cliReport(join('tests', 'fixtures', 'verdicts', 'all-features.json'));
  assert.equal(Number(await v.page.getByTestId('verdict-supported').getAttribute('data-count')), cli.summary.supported);
});

test('a broken bundle shows diagnostics and keeps the previous view', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  await v.clickEdge(MX_EDGE);
  await v.page.getByTestId('edge-panel').waitFor();
  const edgesBefore = await v.edges().count();
  await v.openFile(join(ROOT, 'tests', 'fixtures', 'broken', 'unknown-kind.json'));
  const error = v.page.getByTestId('load-error');
  await error.waitFor();
  const diag = await error.getByTestId('diagnostic').first().textContent();
  assert.match(diag, /file: unknown-kind\.json:9:65/);
  assert.match(diag, /observations\[0\]\.kind/);
  assert.match(diag, /unknown observation kind "dns\.mxx"/);
  // The previous bundle, its graph and the selection are untouched.
  assert.match(await v.title(), /^Demo/);
  assert.equal(await v.edges().count(), edgesBefore);
  await v.page.getByTestId('edge-panel').waitFor();
  // Invalid JSON is reported with its position too.
  await v.openFile(join(ROOT, 'tests', 'fixtures', 'broken', 'invalid-json.json'));
  await v.page.waitForFunction(() => document.querySelector('[data-testid=diagnostic]')?.textContent.includes('invalid JSON'));
  assert.match(await v.title(), /^Demo/);
});

test('a deep link restores the view, and back/forward move through selections', async (t) => {
  const v = await viewer(t);
  await v.open(`${DEMO}&cat=email&sel=e:${encodeURIComponent(MX_EDGE)}`);
  await v.page.getByTestId('edge-panel').waitFor();
  assert.equal(await v.filter('category', 'Email hosting').isChecked(), true);
  assert.deepEqual([...new Set(await v.edgeAttr('category'))], ['email']);
  // Select a firm, then go back to the edge and forward again.
  await v.node('facegrid').click();
  await v.page.getByTestId('node-panel').waitFor();
  await v.page.goBack();
  await v.page.getByTestId('edge-panel').waitFor();
  await v.page.goForward();
  await v.page.getByTestId('node-panel').waitFor();
  assert.match(v.page.url(), /sel=n%3Afacegrid/);
});

test('a CORS failure is explained in plain words', async (t) => {
  // A second server on another port is another origin, and python's
  // http.server sends no CORS header: the browser refuses the response.
  const other = await serve(join(ROOT, 'public', 'bundles'));
  t.after(() => other.close());
  const v = await viewer(t, /CORS|Failed to (load resource|fetch)/);
  await v.open('?bundle=' + encodeURIComponent(other.base + 'demo.json'));
  const error = v.page.getByTestId('load-error');
  await error.waitFor({ timeout: 15000 });
  assert.match(await error.textContent(), /does not allow other sites to read it \(it sends no CORS header\)/);
});

test('the as-of date moves every view at once, the summary included, as the CLI does', async (t) => {
  const v = await viewer(t);
  const file = join('public', 'bundles', 'demo.json');
  const counts = async () => {
    const out = {};
    for (const k of ['supported', 'account_only', 'incidental_only', 'contradicted', 'not_found', 'no_evidence']) {
      out[k] = Number(await v.page.getByTestId(`verdict-${k}`).getAttribute('data-count'));
    }
    return out;
  };
  await v.open(DEMO + '&asof=2019-12-31');
  await v.page.getByTestId('as-of-note').waitFor();
  const then = cliReport(file, '--as-of', '2019-12-31');
  assert.deepEqual(await counts(), then.summary);
  // The claims list shows the verdicts of that date too.
  const listed = await v.page.getByTestId('claim').evaluateAll((ls) => ls.map((l) => l.dataset.verdict));
  assert.deepEqual(listed.sort(), then.claims.map((c) => c.verdict).sort());
  // Without the date: today's counts.
  await v.open(DEMO);
  const now = cliReport(file);
  assert.deepEqual(await counts(), now.summary);
  assert.notDeepEqual(now.summary, then.summary);
});

test('verdicts that stand only on synthetic data are marked', async (t) => {
  const v = await viewer(t);
  await v.open(DEMO);
  const cli = cliReport(join('public', 'bundles', 'demo.json'));
  const marked = cli.claims.filter((c) => c.mark === 'synthetic').length;
  assert.ok(marked > 0);
  assert.equal(await v.page.getByTestId('claims').getByTestId('grounds-mark').count(), marked);
  await v.page.getByTestId('grounds-note').waitFor();
});
