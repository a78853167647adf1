// End-to-end tests of trust: the site under its strict CSP, a wasm that
// fails its integrity check, links that try to speak in the site's name
// (other schemes, foreign hosts, redirects), hostile text, and loads
// that race.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync, mkdtempSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { start, serve, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

let env;
let foreign;
let foreignDir;
let publicKey;
before(async () => {
  env = await start();
  foreignDir = mkdtempSync(join(tmpdir(), 'whoserves-foreign-'));
  const spoof = {
    format: 'whoserves/1',
    meta: {
      title: 'Official results \u202Egpj.exe\u202C',
      banner: 'OFFICIAL NOTICE: this site confirms every claim below.',
      authors: ['Someone Else'],
      published: '2026-12-01',
      license: 'CC-BY-4.0',
      // A Cyrillic look-alike of apple.com: shown by its punycode host.
      sources: [{ id: 's', title: 'Their source', url: 'https://\u0430\u0440\u0440\u04cf\u0435.com/\u202Eelpmaxe' }],
    },
    entities: [
      { id: 'f', role: 'subject', name: 'A' + 'x'.repeat(175), sources: ['s'] },
      // An override that is never closed: it must not reorder what follows the name.
      { id: 'g', role: 'subject', name: 'Evil\u202Eco' },
      { id: 'p', role: 'provider', name: 'Provider' },
    ],
    claims: [
      { id: 'c', subject: 'f', provider: 'p', source: 's', quote: 'They serve them.' },
      { id: 'c2', subject: 'g', provider: 'p', source: 's', quote: 'They serve them too.' },
    ],
  };
  writeFileSync(join(foreignDir, 'spoof.json'), JSON.stringify(spoof));
  // A signed bundle (tests/fixtures/signed, made with whoserves keygen/sign),
  // and the same bundle with one byte changed under the same signature.
  const signedDir = join(ROOT, 'tests', 'fixtures', 'signed');
  const signed = readFileSync(join(signedDir, 'bundle.json'));
  const sig = readFileSync(join(signedDir, 'bundle.json.minisig'));
  writeFileSync(join(foreignDir, 'signed.json'), signed);
  writeFileSync(join(foreignDir, 'signed.json.minisig'), sig);
  const tampered = Buffer.from(signed.toString('utf8').replace('"title": "', '"title": "X'));
  writeFileSync(join(foreignDir, 'tampered.json'), tampered);
  writeFileSync(join(foreignDir, 'tampered.json.minisig'), sig);
  // The signed bundle with a page served where its signature should be.
  writeFileSync(join(foreignDir, 'unreadable.json'), signed);
  writeFileSync(join(foreignDir, 'unreadable.json.minisig'), '<!doctype html><title>Not found</title><p>Page not found.</p>');
  writeFileSync(join(foreignDir, 'lib.json'), JSON.stringify({
    format: 'whoserves/1',
    meta: { title: 'a library elsewhere' },
    entities: [{ id: 'p2', role: 'provider', name: 'Library Provider' }],
  }));
  publicKey = readFileSync(join(signedDir, 'test.pub'), 'utf8').trim().split('\n').pop();
  foreign = await serve(foreignDir, { cors: true });
});
after(async () => {
  foreign?.close();
  await env?.close();
  if (foreignDir) rmSync(foreignDir, { recursive: true, force: true });
});

async function viewer(t, width = 1400) {
  const context = await env.browser.newContext({ viewport: { width, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const problems = watchConsole(page);
  t.after(async () => {
    const name = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await page.screenshot({ path: join(ARTIFACTS, `trust-${name}.png`), fullPage: true });
    assert.deepEqual(await page.evaluate(() => window.__violations ?? []), [], 'no CSP violation');
    assert.deepEqual(problems.filter((p) => !p.includes('404')), [], 'no console errors');
    await context.close();
  });
  return new Viewer(page, env.base);
}

test('the site runs under its strict CSP, header and meta tag, in every view', async (t) => {
  const res = await fetch(env.base);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  const html = await res.text();
  assert.doesNotMatch(html, /<script type="module">/, 'no inline script');
  assert.match(html, /<meta http-equiv="Content-Security-Policy"/);
  assert.match(html, /<script type="module" src="\.\/loader-[0-9a-f]+\.js" integrity="sha384-/);
  const v = await viewer(t);
  for (const q of ['', '?bundle=bundles/demo.json', '?bundle=bundles/demo.json&view=table', '?bundle=bundles/demo.json&view=charts', '?bundle=bundles/demo.json&layout=force']) {
    await v.open(q);
  }
  // The graph's size is set through the CSSOM, not a style attribute.
  await v.open('?bundle=bundles/demo.json');
  assert.match(await v.page.getByTestId('graph').evaluate((g) => g.style.minWidth), /^\d+px$/);
  // PNG export draws the SVG through a data: image (no blob: images).
  await v.page.getByTestId('export-menu').locator('summary').click();
  const [png] = await Promise.all([v.page.waitForEvent('download'), v.page.getByTestId('export-png').click()]);
  assert.equal(png.suggestedFilename(), 'whoserves-graph.png');
});

test('a wasm changed by one byte is not run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'whoserves-tampered-'));
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  const wasm = readdirSync(dir).find((f) => f.endsWith('.wasm'));
  const bytes = readFileSync(join(dir, wasm));
  bytes[bytes.length - 100] ^= 0x01;
  writeFileSync(join(dir, wasm), bytes);
  const server = await serve(dir, { csp: true });
  t.after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.base);
  await page.waitForFunction(() => document.body.textContent.includes('failed its integrity check'));
  assert.equal(await page.getByTestId('overview').count(), 0, 'the app did not start');
  assert.ok(errors.some((e) => e.includes('integrity check failed')), errors.join('\n'));
  await context.close();
});

test('a bundle link with another scheme is refused and named', async (t) => {
  const v = await viewer(t);
  for (const [bundle, scheme] of [['javascript:alert(1)', 'javascript:'], [`data:application/json,${encodeURIComponent('{"format":"whoserves/1","meta":{"title":"' + 'x'.repeat(2400) + '"}}')}`, 'data:']]) {
    await v.page.goto(`${env.base}?bundle=${encodeURIComponent(bundle)}`);
    const err = v.page.getByTestId('load-error');
    await err.waitFor();
    const text = await err.textContent();
    assert.ok(text.includes(`from a ${scheme} URL, which this site refuses`), text);
    assert.ok(text.length < 600, `the message stays short: ${text.length}`);
    // The site's own default bundle is shown under the error.
    await v.page.getByTestId('overview').waitFor();
    assert.equal(await v.page.getByTestId('foreign-notice').count(), 0);
  }
});

test('a foreign bundle says this site did not publish it, names its host, and quotes its banner', async (t) => {
  const v = await viewer(t);
  const url = `${foreign.base}redirect/spoof.json`;
  await v.open(`?bundle=${encodeURIComponent(url)}`);
  const notice = v.page.getByTestId('foreign-notice');
  await notice.waitFor();
  const host = new URL(foreign.base).host;
  assert.match(await notice.textContent(), new RegExp(`This site did not publish this bundle\\. It comes from ${host.replace('.', '\\.')}`));
  // Its banner is its own words, not a site notice.
  const banner = v.page.getByTestId('banner');
  assert.equal(await banner.evaluate((b) => b.tagName), 'BLOCKQUOTE');
  assert.match(await banner.textContent(), /^The bundle's own notice: OFFICIAL NOTICE/);
  // Authors, date and licence, as it states them (it names no publisher).
  assert.equal(await v.page.getByTestId('bundle-meta').textContent(), 'By Someone Else · published 2026-12-01 · licence CC-BY-4.0');
  // After the redirect, the final address is shown.
  assert.match(await v.page.getByTestId('bundle-source').textContent(), new RegExp(`^${foreign.base}spoof\\.json \\(redirected from ${url}\\)$`));
  // The title's right-to-left override is isolated; the long name wraps.
  assert.equal(await v.page.getByTestId('bundle-title').evaluate((h) => getComputedStyle(h).unicodeBidi), 'isolate');
  // A name whose override is never closed reorders nothing after it: in
  // the claims list and the evidence heading, the name, the arrow and the
  // provider stay in reading order, left to right.
  const order = (el) => {
    const [from, to] = el.querySelectorAll('bdi');
    const arrow = [...el.childNodes].find((n) => n.nodeType === 3 && n.textContent.includes('→'));
    const r = document.createRange();
    const i = arrow.textContent.indexOf('→');
    r.setStart(arrow, i);
    r.setEnd(arrow, i + 1);
    return { from: from.getBoundingClientRect().left, arrow: r.getBoundingClientRect().left, to: to.getBoundingClientRect().left, text: el.textContent };
  };
  const row = v.page.locator('[data-testid=claim][data-id=c2] .link-button').first();
  const inList = await row.evaluate(order);
  assert.ok(inList.from < inList.arrow && inList.arrow < inList.to, `claims list: ${JSON.stringify(inList)}`);
  await row.click();
  const heading = await v.page.getByTestId('edge-panel').locator('h3').evaluate(order);
  assert.ok(heading.from < heading.arrow && heading.arrow < heading.to, `evidence heading: ${JSON.stringify(heading)}`);
  // The verdict's reason quotes the name inside an isolate that closes it.
  const reason = await v.page.getByTestId('panel-claim').locator('.reason').first().textContent();
  assert.ok(reason.includes('\u2068Evil\u202Eco\u2069'), JSON.stringify(reason));
  const overflow = await v.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `a 176-character name widens the page by ${overflow}px`);
  // A link's real host, in punycode, beside its text.
  await v.node('f').click();
  const hostShown = await v.page.getByTestId('entity-sources').getByTestId('link-host').textContent();
  assert.equal(hostShown, '[xn--80ak6aa92e.com]');
  // The site's own bundles carry no such notice, and show their publisher.
  await v.open('?bundle=bundles/demo.json');
  assert.equal(await v.page.getByTestId('foreign-notice').count(), 0);
  assert.match(await v.page.getByTestId('bundle-meta').textContent(), /^By whoserves contributors · publisher whoserves · published 2026-11-23/);
});

test('an embed of a foreign bundle says so too, with its signature, and quotes its banner', async (t) => {
  const v = await viewer(t, 640);
  await v.page.goto(`${env.base}?embed=1&bundle=${encodeURIComponent(`${foreign.base}spoof.json`)}`);
  const notice = v.page.getByTestId('foreign-notice');
  await notice.waitFor();
  const host = new URL(foreign.base).host;
  assert.match(await notice.textContent(), new RegExp(`^This site did not publish this bundle\\. It comes from ${host.replace('.', '\\.')}`));
  assert.equal(await v.page.getByTestId('signature').getAttribute('data-state'), 'unsigned');
  const banner = v.page.getByTestId('banner');
  assert.equal(await banner.evaluate((b) => b.tagName), 'BLOCKQUOTE');
  assert.match(await banner.textContent(), /^The bundle's own notice: OFFICIAL NOTICE/);
  // The notice comes before the bundle's own title.
  const above = await v.page.evaluate(() => {
    const n = document.querySelector('[data-testid=foreign-notice]').getBoundingClientRect();
    const h = document.querySelector('[data-testid=bundle-title]').getBoundingClientRect();
    return n.bottom <= h.top + 1;
  });
  assert.ok(above, 'the notice is above the title');
  // The site's own bundle, embedded: no notice, its banner as the site's.
  await v.page.goto(`${env.base}?embed=1&bundle=bundles/demo.json`);
  await v.page.getByTestId('banner').waitFor();
  assert.equal(await v.page.getByTestId('foreign-notice').count(), 0);
  assert.equal(await v.page.getByTestId('banner').evaluate((b) => b.tagName), 'P');
});

test('when loads overlap, the last one started wins', async (t) => {
  const v = await viewer(t);
  // A slow foreign bundle (1.5 s), then at once a local file: the file,
  // started last, must stay, though the foreign bundle finishes later.
  await v.page.goto(`${env.base}?bundle=${encodeURIComponent(`${foreign.base}slow/spoof.json`)}`);
  await v.page.getByTestId('file-input').waitFor({ state: 'attached' });
  await v.page.getByTestId('file-input').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: readFileSync(join(ROOT, 'public', 'bundles', 'demo.json')) });
  await v.page.getByTestId('overview').waitFor();
  await v.page.waitForTimeout(2500);
  assert.equal(await v.page.getByTestId('bundle-source').textContent(), 'file: mine.json');
  assert.match(await v.title(), /^Demo/);
});

test('a signed bundle says who signed it, a tampered one is refused, an unsigned one says so', async (t) => {
  const v = await viewer(t);
  const key = encodeURIComponent(publicKey);
  await v.open(`?bundle=${encodeURIComponent(`${foreign.base}signed.json`)}&key=${key}`);
  const sig = v.page.getByTestId('signature');
  assert.equal(await sig.getAttribute('data-state'), 'signed');
  assert.match(await sig.textContent(), /^Signed by the key RW\S+… named in this link/);
  // One changed byte under the same signature: not shown, and said why.
  await v.page.goto(`${env.base}?bundle=${encodeURIComponent(`${foreign.base}tampered.json`)}&key=${key}`);
  const err = v.page.getByTestId('load-error');
  await err.waitFor();
  assert.match(await err.textContent(), /the bundle was changed after it was signed/);
  // No signature published: unsigned, in words.
  await v.page.goto(`${env.base}?bundle=${encodeURIComponent(`${foreign.base}spoof.json`)}&key=${key}`);
  await v.page.getByTestId('overview').waitFor();
  assert.equal(await v.page.getByTestId('signature').getAttribute('data-state'), 'unsigned');
  assert.match(await v.page.getByTestId('signature').textContent(), /^Unsigned/);
  // A page served where the signature should be: unsigned, not refused.
  await v.page.goto(`${env.base}?bundle=${encodeURIComponent(`${foreign.base}unreadable.json`)}&key=${key}`);
  await v.page.getByTestId('overview').waitFor();
  assert.equal(await v.page.getByTestId('signature').getAttribute('data-state'), 'unreadable');
  assert.match(await v.page.getByTestId('signature').textContent(), /^Unsigned: the file published as its signature is not a minisign signature/);
  // The site's own bundles, with no key listed: unsigned, and nothing fetched for it.
  await v.open('?bundle=bundles/demo.json');
  assert.equal(await v.page.getByTestId('signature').getAttribute('data-state'), 'unsigned');
});

test('a bundle signed by a key the site lists in its manifest says the key holder\'s name', async (t) => {
  // The site as a publisher hosts it: its manifest names a key, and a
  // bundle it lists comes with that key's signature.
  const dir = mkdtempSync(join(tmpdir(), 'whoserves-keyed-'));
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  const signedDir = join(ROOT, 'tests', 'fixtures', 'signed');
  cpSync(join(signedDir, 'bundle.json'), join(dir, 'bundles', 'signed.json'));
  cpSync(join(signedDir, 'bundle.json.minisig'), join(dir, 'bundles', 'signed.json.minisig'));
  const manifest = JSON.parse(readFileSync(join(dir, 'bundles', 'index.json'), 'utf8'));
  manifest.bundles.push({ file: 'signed.json', title: 'A signed bundle' });
  manifest.keys = [{ name: 'The Example Desk', key: publicKey }];
  writeFileSync(join(dir, 'bundles', 'index.json'), JSON.stringify(manifest));
  const server = await serve(dir, { csp: true });
  t.after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });
  const v = await viewer(t);
  v.base = server.base;
  await v.page.goto(`${server.base}?bundle=bundles/signed.json`);
  await v.page.getByTestId('overview').waitFor();
  const sig = v.page.getByTestId('signature');
  await sig.waitFor({ state: 'attached' });
  assert.equal(await sig.getAttribute('data-state'), 'signed');
  assert.match(await sig.textContent(), /^Signed by The Example Desk\./);
  assert.equal(await v.page.getByTestId('foreign-notice').count(), 0, 'a bundle the manifest lists is the site\'s own');
});

test('a file from disk fetches libraries from other sites only after the reader agrees', async (t) => {
  const v = await viewer(t);
  await v.open('?bundle=bundles/demo.json');
  const host = new URL(foreign.base).host;
  const requests = [];
  v.page.on('request', (r) => { if (r.url().startsWith(foreign.base)) requests.push(r.url()); });
  const file = {
    format: 'whoserves/1',
    include: [`${foreign.base}lib.json`],
    meta: { title: 'Mine, with a library elsewhere', sources: [{ id: 's', title: 'S' }] },
    entities: [{ id: 'f', role: 'subject', name: 'Firm' }],
    claims: [{ id: 'c', subject: 'f', provider: 'p2', source: 's' }],
  };
  const open = () => v.page.getByTestId('file-input').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await open();
  const ask = v.page.getByTestId('ask-includes');
  await ask.waitFor();
  assert.match(await ask.textContent(), new RegExp(`mine\\.json includes rule libraries from other sites: ${host.replace('.', '\\.')}`));
  assert.deepEqual(requests, [], 'nothing fetched before the reader agrees');
  // Declining leaves the view as it was and says why.
  await v.page.getByTestId('ask-decline').click();
  assert.match(await v.page.getByTestId('load-error').textContent(), /chose not to fetch/);
  assert.match(await v.title(), /^Demo/);
  assert.deepEqual(requests, []);
  // Agreeing fetches the library and opens the file.
  await open();
  await v.page.getByTestId('ask-fetch').click();
  await v.page.waitForFunction(() => document.querySelector('[data-testid=bundle-title]')?.textContent.startsWith('Mine'));
  assert.deepEqual(requests, [`${foreign.base}lib.json`]);
});
