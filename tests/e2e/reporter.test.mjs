// End-to-end tests of what reporters need: the embed on another origin at
// 320, 640 and 1000 px (resizing, graph in view, selection overlay, no
// sideways overflow), the Embed dialog, the exports, and the site served
// under a sub-path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, mkdtempSync, mkdirSync, cpSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { start, serve, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

let env;
let host;
let hostDir;
before(async () => {
  env = await start();
  hostDir = mkdtempSync(join(tmpdir(), 'whoserves-host-'));
  host = await serve(hostDir);
});
after(async () => {
  host?.close();
  await env?.close();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

const DEMO = '?bundle=bundles/demo.json';
const MX_EDGE = 'panopticam>microsoft-365>email>direct';

async function page(t, width, scheme = 'light', height = 900) {
  const context = await env.browser.newContext({ viewport: { width, height }, colorScheme: scheme });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.base.replace(/\/$/, '') });
  const p = await context.newPage();
  const problems = watchConsole(p);
  t.after(async () => {
    assert.deepEqual(problems.filter((x) => !x.includes('integrity') && !x.includes('favicon')), [], 'no console errors');
    await context.close();
  });
  return p;
}

test('the Embed dialog gives an iframe snippet, a resizer, a noscript image and the link', async (t) => {
  const p = await page(t, 1400);
  const v = new Viewer(p, env.base);
  await v.open(`${DEMO}&cat=email`);
  await p.getByTestId('embed-dialog').locator('summary').click();
  const code = await p.getByTestId('embed-code').inputValue();
  assert.match(code, /<iframe title="Demo: a fully worked, fictional evidence bundle" aria-label="Interactive graph: [^"]+" id="datawrapper-chart-(whoserves-[0-9a-f]{8})"/);
  const id = code.match(/id="datawrapper-chart-(whoserves-[0-9a-f]{8})"/)[1];
  assert.doesNotMatch(code, /scrolling="no"/, 'the fallback frame scrolls inside');
  assert.match(code, /loading="lazy"/);
  assert.match(code, /height="600"/);
  assert.ok(code.includes(`&amp;cat=email&amp;embed=1&amp;embed-id=${id}"`), code);
  assert.match(code, /src="http:\/\/127\.0\.0\.1:\d+\/\?bundle=bundles%2Fdemo\.json&amp;cat=email&amp;embed=1&amp;embed-id=whoserves-/);
  assert.match(code, /window\.addEventListener\("message"/);
  assert.match(code, /<noscript><img src="whoserves-graph\.png"/);
  await p.getByTestId('copy-embed').click();
  await p.waitForFunction(() => document.querySelector('[data-testid=embed-status]').textContent.includes('copied'));
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), code);
  const link = await p.getByTestId('embed-link').getAttribute('href');
  assert.match(link, /cat=email/);
  assert.doesNotMatch(link, /embed=1/);
  // A story's firms: tick two, and the graph and the snippet keep just them.
  await p.getByTestId('filter-firm').and(p.locator('[value="Panopticam Systems (fictional)"]')).check();
  await p.getByTestId('filter-firm').and(p.locator('[value="FaceGrid AI (fictional)"]')).check();
  await p.waitForFunction(() => [...document.querySelectorAll('[data-testid=node][data-side=firm]')].length === 2);
  assert.deepEqual((await v.nodeIds('firm')).sort(), ['facegrid', 'panopticam']);
  const story = await p.getByTestId('embed-code').inputValue();
  assert.match(story, /firm=facegrid%2Cpanopticam/);
  // Another view gets another id and says what it is.
  await p.getByTestId('tab-table').click();
  const table = await p.getByTestId('embed-code').inputValue();
  assert.match(table, /aria-label="Interactive table: /);
  assert.doesNotMatch(table, new RegExp(`datawrapper-chart-${id}"`));
});

test('without its resizer (a CMS that strips scripts) the frame keeps 600 px and scrolls to its credit', async (t) => {
  const p0 = await page(t, 1200);
  const v0 = new Viewer(p0, env.base);
  await v0.open(DEMO);
  await p0.getByTestId('embed-dialog').locator('summary').click();
  const code = (await p0.getByTestId('embed-code').inputValue()).replace(/<script>[\s\S]*?<\/script>/, '');
  assert.doesNotMatch(code, /<script/);
  writeFileSync(join(hostDir, 'stripped.html'), `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Article</title></head>
<body style="margin:0">${code}</body></html>`);
  const p = await page(t, 1000);
  await p.goto(host.base + 'stripped.html');
  const frame = p.frameLocator('iframe');
  await frame.getByTestId('edge').first().waitFor({ timeout: 15000 });
  await frame.getByTestId('embed-credit').filter({ hasText: /^Data: / }).waitFor();
  const box = await p.locator('iframe').boundingBox();
  assert.equal(Math.round(box.height), 600, 'the fallback height');
  // The content is taller than the frame, and the frame scrolls to it.
  const inner = await frame.locator('html').evaluate((el) => ({ sh: el.scrollHeight, ch: el.clientHeight }));
  assert.ok(inner.sh > inner.ch, `content ${inner.sh} in a ${inner.ch} px frame`);
  await frame.getByTestId('open-full').evaluate((a) => a.scrollIntoView({ block: 'end' }));
  const link = await frame.getByTestId('open-full').boundingBox();
  assert.ok(link.y >= box.y && link.y + link.height <= box.y + box.height + 1, `the full-viewer link scrolled into the frame: ${JSON.stringify(link)}`);
});

test('an embed frame shrinks when its content does', async (t) => {
  const p0 = await page(t, 1200);
  const v0 = new Viewer(p0, env.base);
  await v0.open(DEMO);
  await p0.getByTestId('embed-dialog').locator('summary').click();
  const code = await p0.getByTestId('embed-code').inputValue();
  writeFileSync(join(hostDir, 'shrink.html'), `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Article</title></head>
<body style="margin:0"><div id="col" style="width:1000px">${code}</div></body></html>`);
  const p = await page(t, 1200);
  await p.goto(host.base + 'shrink.html');
  const frame = p.frameLocator('iframe');
  await frame.getByTestId('edge').first().waitFor({ timeout: 15000 });
  const body = async () => frame.locator('body').evaluate((b) => Math.ceil(b.getBoundingClientRect().height));
  const height = () => p.evaluate(() => parseFloat(document.querySelector('iframe').style.height || '0'));
  // Waits until the frame is as tall as its content and stays so.
  const settled = async (previous) => {
    let last = -1;
    for (let i = 0; i < 100; i++) {
      await p.waitForTimeout(100);
      const [h, b] = [await height(), await body()];
      if (h && h !== previous && Math.abs(h - b) <= 2 && h === last) return h;
      last = h;
    }
    throw new Error(`the frame never settled: frame ${await height()}, content ${await body()}`);
  };
  const wide = await settled(0);
  // A narrower column: the graph is shorter, and so is the frame.
  await p.evaluate(() => { document.getElementById('col').style.width = '340px'; });
  const narrow = await settled(wide);
  assert.ok(narrow < wide - 30, `the frame shrank from ${wide} to ${narrow} px`);
  // And grows back with the column.
  await p.evaluate(() => { document.getElementById('col').style.width = '1000px'; });
  assert.equal(await settled(narrow), wide);
});

for (const width of [320, 640, 1000]) {
  for (const scheme of ['light', 'dark']) {
    test(`an embed on another origin at ${width} px (${scheme}) resizes, shows the graph and its evidence`, async (t) => {
      // The host page: the snippet the dialog gives, on another origin.
      const p0 = await page(t, 1200);
      const v0 = new Viewer(p0, env.base);
      await v0.open(DEMO);
      await p0.getByTestId('embed-dialog').locator('summary').click();
      const code = await p0.getByTestId('embed-code').inputValue();
      const name = `host-${width}-${scheme}.html`;
      writeFileSync(join(hostDir, name), `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><link rel="icon" href="data:,"><title>Article</title>
<style>body{margin:0;padding:8px;font:16px serif} p{max-width:40em}</style></head>
<body><h1>An article</h1><p>Some text before the graph.</p>${code}<p id="after">Text after the graph.</p></body></html>`);
      const p = await page(t, width, scheme);
      await p.goto(host.base + name);
      assert.notEqual(new URL(host.base).origin, new URL(env.base).origin, 'another origin');
      const iframe = p.locator('iframe');
      const frame = p.frameLocator('iframe');
      await frame.getByTestId('embed').waitFor({ timeout: 15000 });
      await frame.getByTestId('graph').waitFor();
      // The graph's container is there before the bundle is; wait for the
      // bundle itself (its edges and the credit line) before measuring.
      await frame.getByTestId('edge').first().waitFor({ timeout: 15000 });
      await frame.getByTestId('embed-credit').filter({ hasText: /^Data: / }).waitFor();
      // The frame takes its content's height (not the 600 px fallback).
      await p.waitForFunction(() => {
        const f = document.querySelector('iframe');
        return f.style.height && f.style.height !== '600px';
      }, null, { timeout: 10000 });
      const inner = await frame.locator('html').evaluate((el) => ({ h: Math.ceil(document.body.getBoundingClientRect().height), sw: el.scrollWidth, cw: el.clientWidth }));
      const box = await iframe.boundingBox();
      assert.ok(Math.abs(box.height - inner.h) <= 2, `frame ${box.height} vs content ${inner.h}`);
      // Nothing overflows sideways, in the frame or on the page.
      assert.ok(inner.sw <= inner.cw + 1, `frame scrollWidth ${inner.sw} > ${inner.cw}`);
      const pageOverflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(pageOverflow <= 1, `page overflows by ${pageOverflow}px`);
      // The graph is in view on the article's first screen (at least 150 px
      // of it, without scrolling), and the credit and link are there.
      const graphBox = await frame.getByTestId('graph').boundingBox();
      assert.ok(graphBox.y + 150 < 900, `graph starts at ${graphBox.y}px, ${graphBox.y - box.y}px into the frame`);
      assert.match(await frame.getByTestId('embed-credit').textContent(), /^Data: Demo: a fully worked, fictional evidence bundle, whoserves, 2026-11-23/);
      assert.match(await frame.getByTestId('banner').textContent(), /Synthetic data/);
      const full = await frame.getByTestId('open-full').getAttribute('href');
      assert.match(full, /bundle=bundles%2Fdemo\.json/);
      assert.doesNotMatch(full, /embed=1/);
      // No chrome: no filters, no header, no claims list.
      assert.equal(await frame.getByTestId('filters').count(), 0);
      assert.equal(await frame.getByTestId('picker').count(), 0);
      // Selecting an edge opens its evidence in an overlay that fits the frame.
      await frame.locator(`[data-testid=edge][data-key="${MX_EDGE}"] .edge-hit`).dispatchEvent('click');
      const overlay = frame.getByTestId('embed-overlay');
      await overlay.waitFor();
      await frame.getByTestId('edge-panel').waitFor();
      const ob = await overlay.boundingBox();
      const fb = await iframe.boundingBox();
      assert.ok(ob.x >= fb.x - 1 && ob.x + ob.width <= fb.x + fb.width + 1, 'overlay within the frame horizontally');
      assert.ok(ob.y >= fb.y - 1 && ob.y + ob.height <= fb.y + fb.height + 1, 'overlay within the frame vertically');
      await p.screenshot({ path: join(ARTIFACTS, `reporter-embed-${width}-${scheme}.png`), fullPage: true });
      // Clear closes it. The overlay is position: fixed inside a
      // cross-origin frame, which Playwright's scroll-into-view step can
      // misjudge as "outside of the viewport" after the full-page
      // screenshot; the overlay's box was checked above, so the click is
      // dispatched to the button directly.
      await frame.getByTestId('clear-selection').dispatchEvent('click');
      await overlay.waitFor({ state: 'detached' });
    });
  }
}

test('exports: a standalone SVG with the credit, PNG at 1× and 2×, GEXF and FollowTheMoney', async (t) => {
  const p = await page(t, 1400);
  const v = new Viewer(p, env.base);
  await v.open(DEMO);
  await p.getByTestId('export-menu').locator('summary').click();
  const grab = async (id) => {
    const [d] = await Promise.all([p.waitForEvent('download'), p.getByTestId(id).click()]);
    return { name: d.suggestedFilename(), path: await d.path() };
  };
  const svg = await grab('export-svg');
  assert.equal(svg.name, 'whoserves-graph.svg');
  const svgText = readFileSync(svg.path, 'utf8');
  // The same core code as the CLI: the unfiltered default view is byte-identical.
  const cli = execFileSync('cargo', ['run', '-q', '-p', 'whoserves-cli', '--', 'export', '--format', 'svg', join('public', 'bundles', 'demo.json')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(svgText, cli, 'viewer SVG = CLI SVG');
  const parsed = await p.evaluate((s) => {
    // The page's CSP would log the SVG's own <style> as blocked inline
    // style while parsing here; the file itself is not under it.
    const doc = new DOMParser().parseFromString(s.replace(/<style>[^<]*<\/style>/, ''), 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.querySelector('parsererror') !== null,
      title: doc.querySelector('title')?.textContent,
      desc: doc.querySelector('desc')?.textContent,
      text: root.textContent,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      external: [...doc.querySelectorAll('*')].some((e) => e.hasAttribute('href') || e.hasAttribute('xlink:href')),
    };
  }, svgText);
  assert.equal(parsed.error, false);
  assert.equal(parsed.title, 'Demo: a fully worked, fictional evidence bundle');
  assert.match(parsed.desc, /firm\(s\)/);
  assert.match(parsed.text, /Data: Demo: a fully worked, fictional evidence bundle, whoserves, 2026-11-23/);
  assert.match(parsed.text, /Synthetic data/);
  assert.equal(parsed.external, false);
  for (const [id, scale, name] of [['export-png', 1, 'whoserves-graph.png'], ['export-png2', 2, 'whoserves-graph@2x.png']]) {
    const png = await grab(id);
    assert.equal(png.name, name);
    const buf = readFileSync(png.path);
    assert.equal(buf.subarray(1, 4).toString(), 'PNG');
    assert.equal(buf.readUInt32BE(16), parsed.width * scale, `${name} width`);
    assert.equal(buf.readUInt32BE(20), parsed.height * scale, `${name} height`);
  }
  const gexf = readFileSync((await grab('export-gexf')).path, 'utf8');
  const counts = await p.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'application/xml');
    const ns = 'http://gexf.net/1.3';
    return {
      error: doc.querySelector('parsererror') !== null,
      root: doc.documentElement.localName + ' ' + doc.documentElement.namespaceURI + ' ' + doc.documentElement.getAttribute('version'),
      nodes: doc.getElementsByTagNameNS(ns, 'node').length,
      edges: doc.getElementsByTagNameNS(ns, 'edge').length,
    };
  }, gexf);
  assert.equal(counts.error, false);
  assert.equal(counts.root, 'gexf http://gexf.net/1.3 1.3');
  assert.equal(counts.nodes, await v.nodes().count());
  assert.equal(counts.edges, await v.edges().count());
  const ftm = readFileSync((await grab('export-ftm')).path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const schemas = new Set(ftm.map((e) => e.schema));
  assert.deepEqual([...schemas].sort(), ['Company', 'Sanction', 'UnknownLink']);
  for (const s of ftm.filter((e) => e.schema === 'Sanction')) {
    assert.ok(ftm.some((e) => e.schema === 'Company' && e.id === s.properties.entity[0]), 'a sanction names a company in the file');
    assert.ok(s.properties.program?.length && s.properties.listingDate?.length);
  }
  assert.equal(ftm.filter((e) => e.schema === 'UnknownLink').length, await v.edges().count());
  const ids = new Set(ftm.map((e) => e.id));
  for (const l of ftm.filter((e) => e.schema === 'UnknownLink')) {
    assert.ok(ids.has(l.properties.subject[0]) && ids.has(l.properties.object[0]));
    assert.ok(Object.values(l.properties).every((vals) => Array.isArray(vals) && vals.every((x) => typeof x === 'string')));
  }
});

test('the site works served under a sub-path', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'whoserves-sub-'));
  mkdirSync(join(root, 'sub'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(root, 'sub', 'whoserves'), { recursive: true });
  const server = await serve(root);
  t.after(() => { server.close(); rmSync(root, { recursive: true, force: true }); });
  const html = readFileSync(join(ROOT, 'dist', 'index.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)="\/(?!\/)/, 'no root-absolute asset URLs');
  assert.doesNotMatch(html, /from '\/|module_or_path: '\//, 'the loader imports relative URLs');
  const p = await page(t, 1200);
  const v = new Viewer(p, server.base + 'sub/whoserves/');
  await v.open(DEMO);
  assert.match(await v.title(), /Demo/);
  assert.ok((await v.edges().count()) > 0);
  // Selecting keeps the sub-path in the address.
  await v.clickEdge(MX_EDGE);
  await p.getByTestId('edge-panel').waitFor();
  assert.match(p.url(), /\/sub\/whoserves\/\?bundle=/);
});

test('on a 390 × 844 phone the graph is on the first screen, filters sit in a drawer and the evidence in a sheet', async (t) => {
  for (const [query, scheme] of [['', 'light'], [DEMO, 'dark']]) {
    const p = await page(t, 390, scheme, 844);
    const v = new Viewer(p, env.base);
    await v.open(query);
    const graph = await p.getByTestId('graph').boundingBox();
    assert.ok(graph.y < 844 - 120, `graph starts at ${graph.y}px (${query || 'default'})`);
    await p.screenshot({ path: join(ARTIFACTS, `reporter-phone-${scheme}.png`) });
    // Filters: hidden until the drawer opens, then over the page.
    assert.equal(await p.getByTestId('filter-search').isVisible(), false);
    await p.getByTestId('filters-open').click();
    await p.getByTestId('filter-search').waitFor({ state: 'visible' });
    const drawer = await p.getByTestId('filters').boundingBox();
    assert.ok(drawer.x <= 0.5 && drawer.width <= 390, JSON.stringify(drawer));
    await p.getByTestId('filters-close').click();
    await p.getByTestId('filter-search').waitFor({ state: 'hidden' });
  }
  // A claim tapped far down the page: the sheet opens over the graph, in view.
  const p = await page(t, 390, 'light', 844);
  const v = new Viewer(p, env.base);
  await v.open(DEMO);
  assert.equal(await p.getByTestId('panel').isVisible(), false, 'no sheet without a selection');
  const claim = p.locator('[data-testid=claim][data-id=facegrid-microsoft-email] button').first();
  await claim.scrollIntoViewIfNeeded();
  await claim.click();
  await p.getByTestId('edge-panel').waitFor();
  const sheet = await p.getByTestId('panel').boundingBox();
  assert.ok(sheet.y >= 844 * 0.35 && sheet.y + sheet.height <= 844 + 1, `sheet at ${JSON.stringify(sheet)}`);
  await p.waitForFunction(() => {
    const r = document.querySelector('[data-testid=graph]').getBoundingClientRect();
    return r.top < window.innerHeight * 0.6 && r.bottom > 0;
  });
  await p.screenshot({ path: join(ARTIFACTS, 'reporter-phone-sheet.png') });
  await p.getByTestId('clear-selection').click();
  assert.equal(await p.getByTestId('panel').isVisible(), false);
});

test('nothing overflows sideways at 320 px, in any view', async (t) => {
  const p = await page(t, 320, 'light', 700);
  const v = new Viewer(p, env.base);
  const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  for (const q of ['', DEMO, `${DEMO}&view=table`, `${DEMO}&view=charts`]) {
    await v.open(q);
    assert.ok((await overflow()) <= 0, `${q || 'default'}: ${await overflow()}px`);
  }
  await p.getByTestId('filters-open').click();
  assert.ok((await overflow()) <= 0, 'drawer open');
  await p.getByTestId('filters-close').click();
  await p.getByTestId('embed-dialog').locator('summary').click();
  assert.ok((await overflow()) <= 0, 'embed dialog open');
  await p.getByTestId('export-menu').locator('summary').click();
  assert.ok((await overflow()) <= 0, 'export menu open');
  await p.screenshot({ path: join(ARTIFACTS, 'reporter-320.png'), fullPage: true });
});

test('framed by another page, the full site keeps its one networked action for its own tab', async (t) => {
  writeFileSync(join(hostDir, 'full.html'), `<!doctype html><html><head><link rel="icon" href="data:,"><title>Framed</title></head>
<body><iframe src="${env.base}" title="whoserves" style="width:1200px;height:900px;border:0"></iframe></body></html>`);
  const p = await page(t, 1300);
  await p.goto(host.base + 'full.html');
  const frame = p.frameLocator('iframe');
  await frame.getByTestId('overview').waitFor({ timeout: 15000 });
  await frame.getByTestId('live-framed').waitFor();
  assert.equal(await frame.getByTestId('live-open').count(), 0, 'no live check button in a frame');
  assert.match(await frame.getByTestId('live-framed').locator('a').getAttribute('href'), /^http:\/\/127\.0\.0\.1:\d+\//);
});
