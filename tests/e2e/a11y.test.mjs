// Accessibility: axe-core on every view, light and dark, must report
// nothing; and the keyboard paths axe cannot judge (skip link, edges by
// keyboard, focus into the evidence and back).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { start, serve, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const DEMO = '?bundle=bundles/demo.json';
const MX_EDGE = 'panopticam>microsoft-365>email>direct';

let env;
let foreign;
let foreignDir;
before(async () => {
  env = await start();
  // A bundle on another host (its notice, quoted banner and signature
  // line), and a library there that a file from disk asks before fetching.
  foreignDir = mkdtempSync(join(tmpdir(), 'whoserves-a11y-'));
  writeFileSync(join(foreignDir, 'other.json'), JSON.stringify({
    format: 'whoserves/1',
    meta: { title: 'Someone else\'s bundle', banner: 'Their own notice.', authors: ['Someone Else'], publisher: 'Another Desk', published: '2026-12-01', license: 'CC-BY-4.0', sources: [{ id: 's', title: 'Their source', url: 'https://example.org/' }] },
    entities: [{ id: 'f', role: 'subject', name: 'Firm', sources: ['s'] }, { id: 'p', role: 'provider', name: 'Provider' }],
    claims: [{ id: 'c', subject: 'f', provider: 'p', source: 's' }],
  }));
  writeFileSync(join(foreignDir, 'lib.json'), JSON.stringify({ format: 'whoserves/1', meta: { title: 'lib' }, entities: [{ id: 'p2', role: 'provider', name: 'P2' }] }));
  foreign = await serve(foreignDir, { cors: true });
});
after(async () => {
  foreign?.close();
  await env?.close();
  if (foreignDir) rmSync(foreignDir, { recursive: true, force: true });
});

async function viewer(t, scheme, width = 1400) {
  const context = await env.browser.newContext({ viewport: { width, height: 1000 }, colorScheme: scheme });
  const page = await context.newPage();
  const problems = watchConsole(page);
  t.after(async () => {
    assert.deepEqual(problems, [], 'no console errors');
    await context.close();
  });
  return new Viewer(page, env.base);
}

/** Runs axe-core (evaluated by the test driver, so the page's CSP is untouched). */
async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

// Steps that bring a view up after the page has loaded.
const openLiveConsent = async (p) => { await p.getByTestId('live-open').click(); await p.getByTestId('live-consent').waitFor(); };
const askBeforeFetching = async (p) => {
  const file = { format: 'whoserves/1', include: [`${foreign.base}lib.json`], meta: { title: 'Mine', sources: [{ id: 's', title: 'S' }] }, entities: [{ id: 'f', role: 'subject', name: 'Firm' }], claims: [{ id: 'c', subject: 'f', provider: 'p2', source: 's' }] };
  await p.getByTestId('file-input').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await p.getByTestId('ask-includes').waitFor();
};

const VIEWS = [
  ['default graph', '', null],
  ['live check consent', '', null, openLiveConsent],
  ['ask before fetching', DEMO, null, askBeforeFetching],
  ['load error', `?bundle=${encodeURIComponent('javascript:alert(1)')}`, 'load-error'],
  ['foreign bundle', () => `?bundle=${encodeURIComponent(`${foreign.base}other.json`)}`, 'foreign-notice'],
  ['foreign bundle embedded', () => `?embed=1&bundle=${encodeURIComponent(`${foreign.base}other.json`)}`, 'foreign-notice'],
  ['demo embed with evidence', `${DEMO}&embed=1&sel=e:${encodeURIComponent(MX_EDGE)}`, 'embed-overlay'],
  ['demo graph', DEMO, null],
  ['demo table', `${DEMO}&view=table`, null],
  ['demo charts', `${DEMO}&view=charts`, null],
  ['demo evidence', `${DEMO}&sel=e:${encodeURIComponent(MX_EDGE)}`, 'edge-panel'],
  ['demo firm', `${DEMO}&sel=n:panopticam`, 'node-panel'],
  ['demo force layout', `${DEMO}&layout=force`, null],
  ['demo embed', `${DEMO}&embed=1`, null],
];

for (const scheme of ['light', 'dark']) {
  for (const [name, q, waitFor, act] of VIEWS) {
    test(`axe finds nothing: ${name}, ${scheme}`, async (t) => {
      const v = await viewer(t, scheme);
      const query = typeof q === 'function' ? q() : q;
      await v.page.goto(env.base + query);
      await v.page.getByTestId('graph').or(v.page.getByTestId('table')).or(v.page.getByTestId('charts')).first().waitFor({ timeout: 15000 });
      // The bundle is on screen: its title is drawn.
      await v.page.waitForFunction(() => document.querySelector('[data-testid=bundle-title]')?.textContent.trim().length > 0);
      if (waitFor) await v.page.getByTestId(waitFor).waitFor();
      if (act) await act(v.page);
      const violations = await axe(v.page);
      if (violations.length) {
        await v.page.screenshot({ path: join(ARTIFACTS, `a11y-${name.replace(/\W+/g, '-')}-${scheme}.png`), fullPage: true });
      }
      assert.deepEqual(violations, [], violations.join('\n'));
    });
  }
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds nothing on a phone, ${scheme}, with the filter drawer open and then the evidence sheet`, async (t) => {
    const v = await viewer(t, scheme, 390);
    await v.open(DEMO);
    let violations = await axe(v.page);
    assert.deepEqual(violations, [], violations.join('\n'));
    await v.page.getByTestId('filters-open').click();
    violations = await axe(v.page);
    assert.deepEqual(violations, [], violations.join('\n'));
    await v.open(`${DEMO}&sel=e:${encodeURIComponent(MX_EDGE)}`);
    await v.page.getByTestId('edge-panel').waitFor();
    violations = await axe(v.page);
    assert.deepEqual(violations, [], violations.join('\n'));
  });
}

test('keyboard: a skip link, edges by Tab and Enter, focus into the evidence and back', async (t) => {
  const v = await viewer(t, 'light');
  await v.open(DEMO);
  const p = v.page;
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.dataset.testid), 'skip-link', 'the skip link comes first');
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'main');
  // Tab reaches the graph's edges as one stop and its nodes as another
  // (roving tabindex); the arrow keys move within each.
  const active = () => p.evaluate(() => ({ testid: document.activeElement?.dataset?.testid ?? null, key: document.activeElement?.dataset?.key ?? null, id: document.activeElement?.id ?? '' }));
  let presses = 0;
  while ((await active()).testid !== 'edge' && presses < 40) { await p.keyboard.press('Tab'); presses += 1; }
  assert.equal((await active()).testid, 'edge', `an edge within ${presses} Tabs of the graph's start`);
  const first = (await active()).id;
  await p.keyboard.press('ArrowRight');
  const second = await active();
  assert.equal(second.testid, 'edge');
  assert.notEqual(second.id, first, 'ArrowRight moves to the next edge');
  await p.keyboard.press('ArrowLeft');
  assert.equal((await active()).id, first);
  await p.keyboard.press('Tab');
  assert.equal((await active()).testid, 'node', 'one Tab from the edges to the nodes');
  await p.keyboard.press('Tab');
  assert.notEqual((await active()).testid, 'node', 'one Tab past the nodes leaves the graph');
  assert.notEqual((await active()).testid, 'edge');
  // The claims list follows the graph within a few Tabs, not after every
  // node and edge.
  let more = 0;
  while (!(await p.evaluate(() => !!document.activeElement?.closest('[data-testid=claim]'))) && more < 15) { await p.keyboard.press('Tab'); more += 1; }
  assert.ok(more < 15, `the claims list is ${more} Tabs after the graph`);
  const edges = await v.edges().count();
  assert.ok(edges > 10, `the demo has ${edges} edges, which would have been as many Tabs`);
  // An edge chosen by the arrow keys opens its evidence with Enter.
  const edge = v.edge(MX_EDGE);
  await edge.focus();
  assert.equal(await p.evaluate(() => document.activeElement.getAttribute('role')), 'button');
  await p.keyboard.press('Enter');
  await p.getByTestId('edge-panel').waitFor();
  // Focus moves into the panel, onto its heading.
  await p.waitForFunction(() => document.activeElement?.closest('[data-testid=panel]') && document.activeElement.tagName === 'H3');
  // Clear returns it to the edge.
  await p.getByTestId('clear-selection').click();
  await p.waitForFunction((k) => document.activeElement?.dataset?.key === k, MX_EDGE);
});
