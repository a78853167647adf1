// The live check end to end: the reader's browser asks a DNS-over-HTTPS
// JSON endpoint on 127.0.0.1, backed by a real authoritative DNS server
// (hickory-server, crates/testserver) serving tests/fixtures/collect/zones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { start, cliReport, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

let env;
let servers;
let child;

before(async () => {
  env = await start();
  child = spawn('cargo', ['run', '-q', '-p', 'whoserves-testserver', '--', join(ROOT, 'tests', 'fixtures', 'collect', 'zones')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  servers = await new Promise((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`the test server ended (${code})`)));
  });
});
after(async () => {
  child?.kill();
  await env?.close();
});

const FIXTURE = join(ROOT, 'tests', 'fixtures', 'live', 'firms-live.json');

async function viewer(t, viewport = { width: 1400, height: 1000 }, colorScheme = 'light', query = '') {
  const context = await env.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  t.after(async () => {
    assert.deepEqual(problems.filter((p) => !/integrity|Failed to load resource|CORS|Access-Control/.test(p)), [], 'no console errors');
    await context.close();
  });
  const v = new Viewer(page, env.base);
  await v.open(query);
  await v.openFile(FIXTURE);
  await page.waitForFunction(() => document.querySelector('[data-testid=bundle-title]')?.textContent.startsWith('Live check test'));
  return { v, page, requests };
}

async function checkLive(page, resolverUrl) {
  await page.getByTestId('live-open').click();
  await page.getByTestId('live-consent').waitFor();
  await page.getByTestId('live-resolver').selectOption('custom');
  await page.getByTestId('live-custom').fill(resolverUrl);
  await page.getByTestId('live-agree').click();
  await page.waitForFunction(() => /^(Done|Cancelled)/.test(document.querySelector('[data-testid=live-status]')?.textContent ?? ''), null, { timeout: 30000 });
}

async function counts(page) {
  return page.getByTestId('verdict-counts').locator('li').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.dataset.testid.replace('verdict-', ''), Number(e.dataset.count)])));
}

test('a reader checks live: consent first, then observations, verdicts and live edges', async (t) => {
  const { v, page, requests } = await viewer(t);
  assert.deepEqual((await counts(page)).no_evidence, 5, 'before: no evidence');
  await page.getByTestId('live-open').click();
  await page.getByTestId('live-consent').waitFor();
  const disclosure = await page.getByTestId('live-disclosure').textContent();
  assert.match(disclosure, /The resolver learns the names asked for/);
  assert.ok(!requests.some((u) => u.includes('dns-query')), 'nothing is asked before the reader agrees');
  await page.getByTestId('live-resolver').selectOption('custom');
  await page.getByTestId('live-custom').fill(servers.doh);
  await page.getByTestId('live-agree').click();
  await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid=live-status]')?.textContent ?? ''), null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict-supported]')?.dataset.count === '4');
  const c = await counts(page);
  assert.equal(c.supported, 4, JSON.stringify(c));
  assert.equal(c.not_found, 1, JSON.stringify(c));
  const lines = await page.getByTestId('live-line').allTextContents();
  assert.ok(lines.some((l) => /^MX firm\.test: 1 record/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^MX nomail\.test: no MX record/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^A www\.nomail\.test: no such name \(NXDOMAIN\)/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^origin AS of 127\.0\.0\.1: AS16509/.test(l)), lines.join('\n'));
  // Then against now: the claim's date has no evidence; today's DNS supports it.
  const emailClaim = page.locator('[data-testid=claim][data-id=firm-email]');
  assert.equal(await emailClaim.getByTestId('then').getAttribute('data-verdict'), 'no_evidence');
  assert.equal(await emailClaim.getByTestId('now').getAttribute('data-verdict'), 'supported');
  assert.match(await emailClaim.getByTestId('then').textContent(), /At the claim's date \(2020-05-21\)/);
  const live = await v.edgeAttr('live');
  assert.ok(live.includes('true'), `live edges are marked: ${live}`);
  await page.screenshot({ path: join(ARTIFACTS, 'live-wide-light.png'), fullPage: true });

  // The download holds the original and the live layer; the CLI agrees.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('live-download').click()]);
  const dir = mkdtempSync(join(tmpdir(), 'whoserves-live-'));
  mkdirSync(join(dir, 'bundles'));
  symlinkSync(join(ROOT, 'public', 'rules'), join(dir, 'rules'));
  const saved = join(dir, 'bundles', 'firms-live-with-live.json');
  await download.saveAs(saved);
  const report = cliReport(saved);
  assert.equal(report.summary.supported, 4);
  assert.equal(report.summary.not_found, 1);

  // The layer switches off and on.
  await page.getByTestId('live-toggle').uncheck();
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict-no_evidence]')?.dataset.count === '5');
  await page.getByTestId('live-toggle').check();
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict-supported]')?.dataset.count === '4');

  const outside = requests.filter((u) => !u.startsWith('http://127.0.0.1:') && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(outside, [], 'nothing is requested outside 127.0.0.1');
});

test('a resolver that refuses cross-origin reads gets plain words', async (t) => {
  const { page } = await viewer(t);
  await checkLive(page, servers.nocors);
  const lines = await page.getByTestId('live-line').allTextContents();
  assert.ok(lines.length > 0);
  assert.ok(lines.every((l) => /does not allow other sites to read it \(no CORS header\)/.test(l)), lines.join('\n'));
});

test('registrars over RDAP where the registry lets the page read, and plain words where not', async (t) => {
  const { page, requests } = await viewer(t, undefined, 'light', `?rdap-bootstrap=${encodeURIComponent(servers.rdap)}`);
  await page.getByTestId('live-open').click();
  assert.match(await page.getByTestId('live-consent').textContent(), /Also look up registrars over RDAP/);
  await page.getByTestId('live-rdap').check();
  await page.getByTestId('live-resolver').selectOption('custom');
  await page.getByTestId('live-custom').fill(servers.doh);
  await page.getByTestId('live-agree').click();
  await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid=live-status]')?.textContent ?? ''), null, { timeout: 30000 });
  const lines = await page.getByTestId('live-line').allTextContents();
  assert.ok(lines.includes('registrar of firm.test: MarkMonitor Inc.'), lines.join('\n'));
  assert.ok(lines.some((l) => /^registrar of nomail\.test: 127\.0\.0\.1:\d+ does not let this page read its answers \(no CORS header\)/.test(l)), lines.join('\n'));
  assert.ok(requests.some((u) => u === servers.rdap), 'the bootstrap named by the page was read');
  assert.ok(requests.every((u) => u.startsWith('http://127.0.0.1:') || u.startsWith('blob:')), requests.join('\n'));
});

test('the origin lookup is the reader\'s choice', async (t) => {
  const { page, requests } = await viewer(t);
  await page.getByTestId('live-open').click();
  await page.getByTestId('live-asn').uncheck();
  await page.getByTestId('live-resolver').selectOption('custom');
  await page.getByTestId('live-custom').fill(servers.doh);
  await page.getByTestId('live-agree').click();
  await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid=live-status]')?.textContent ?? ''), null, { timeout: 30000 });
  const lines = await page.getByTestId('live-line').allTextContents();
  assert.ok(!lines.some((l) => l.startsWith('origin AS')), lines.join('\n'));
  assert.ok(!requests.some((u) => u.includes('cymru')), 'no origin name is asked');
  const hosting = page.locator('[data-testid=claim][data-id=firm-hosting]');
  assert.notEqual(await hosting.getAttribute('data-verdict'), 'supported', 'hosting rested on the AS number');
});

test('cancel stops a check between queries', async (t) => {
  const { page } = await viewer(t);
  await page.getByTestId('live-open').click();
  await page.getByTestId('live-resolver').selectOption('custom');
  await page.getByTestId('live-custom').fill(servers.slow);
  await page.getByTestId('live-agree').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=live-line]').length >= 1, null, { timeout: 10000 });
  await page.getByTestId('live-cancel').click();
  await page.waitForFunction(() => /^Cancelled/.test(document.querySelector('[data-testid=live-status]')?.textContent ?? ''), null, { timeout: 10000 });
  const n = await page.getByTestId('live-line').count();
  assert.ok(n < 19, `stopped before the end: ${n} of 19`);
  await page.waitForTimeout(1500);
  assert.equal(await page.getByTestId('live-line').count(), n, 'nothing more is asked after cancel');
});

test('the default page offers the check for the report\'s firms, and sends nothing unasked', async (t) => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const v = new Viewer(page, env.base);
  await v.open();
  await page.getByTestId('live-open').click();
  const consent = await page.getByTestId('live-consent').textContent();
  for (const d of ['hikvision.com', 'www.hikvision.com', 'dahuasecurity.com', 'iflytek.com', 'sensetime.com', 'netposa.com', 'cloudwalk.com']) {
    assert.ok(consent.includes(d), `${d} in ${consent}`);
  }
  assert.match(consent, /Cloudflare/);
  await page.screenshot({ path: join(ARTIFACTS, 'live-consent-default.png'), fullPage: false });
  assert.ok(requests.every((u) => u.startsWith(env.base)), requests.join('\n'));
});

test('a custom resolver must be https (or on this machine)', async (t) => {
  const { page, requests } = await viewer(t);
  await page.getByTestId('live-open').click();
  await page.getByTestId('live-resolver').selectOption('custom');
  await page.getByTestId('live-custom').fill('http://resolver.example/dns-query');
  await page.getByTestId('live-agree').click();
  assert.match(await page.getByTestId('live-custom-error').textContent(), /Only https:\/\/ resolvers are allowed/);
  assert.ok(!requests.some((u) => u.includes('dns-query')));
});

for (const [name, viewport, scheme] of [
  ['phone-dark', { width: 390, height: 844 }, 'dark'],
  ['wide-dark', { width: 1400, height: 1000 }, 'dark'],
  ['phone-light', { width: 390, height: 844 }, 'light'],
]) {
  test(`the live check reads at ${name}`, async (t) => {
    const { page } = await viewer(t, viewport, scheme);
    await checkLive(page, servers.doh);
    await page.waitForFunction(() => document.querySelector('[data-testid=verdict-supported]')?.dataset.count === '4');
    await page.screenshot({ path: join(ARTIFACTS, `live-${name}.png`), fullPage: true });
  });
}
