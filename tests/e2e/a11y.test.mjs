// Accessibility: axe-core on every view, light and dark, must report
// nothing; and the keyboard paths axe cannot judge (skip link, edges by
// keyboard, focus into the evidence and back).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { start, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';

const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const DEMO = '?bundle=bundles/demo.json';
const MX_EDGE = 'panopticam>microsoft-365>email>direct';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

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

const VIEWS = [
  ['default graph', '', null],
  ['demo graph', DEMO, null],
  ['demo table', `${DEMO}&view=table`, null],
  ['demo charts', `${DEMO}&view=charts`, null],
  ['demo evidence', `${DEMO}&sel=e:${encodeURIComponent(MX_EDGE)}`, 'edge-panel'],
  ['demo firm', `${DEMO}&sel=n:panopticam`, 'node-panel'],
  ['demo force layout', `${DEMO}&layout=force`, null],
  ['demo embed', `${DEMO}&embed=1`, null],
];

for (const scheme of ['light', 'dark']) {
  for (const [name, query, waitFor] of VIEWS) {
    test(`axe finds nothing: ${name}, ${scheme}`, async (t) => {
      const v = await viewer(t, scheme);
      await v.page.goto(env.base + query);
      await v.page.getByTestId('graph').or(v.page.getByTestId('table')).or(v.page.getByTestId('charts')).first().waitFor({ timeout: 15000 });
      // The bundle is on screen: its title is drawn.
      await v.page.waitForFunction(() => document.querySelector('[data-testid=bundle-title]')?.textContent.trim().length > 0);
      if (waitFor) await v.page.getByTestId(waitFor).waitFor();
      const violations = await axe(v.page);
      if (violations.length) {
        await v.page.screenshot({ path: join(ARTIFACTS, `a11y-${name.replace(/\W+/g, '-')}-${scheme}.png`), fullPage: true });
      }
      assert.deepEqual(violations, [], violations.join('\n'));
    });
  }
}

test('axe finds nothing on a phone, with the filter drawer open', async (t) => {
  const v = await viewer(t, 'light', 390);
  await v.open(DEMO);
  await v.page.getByTestId('filters-open').click();
  const violations = await axe(v.page);
  assert.deepEqual(violations, [], violations.join('\n'));
});

test('keyboard: a skip link, edges by Tab and Enter, focus into the evidence and back', async (t) => {
  const v = await viewer(t, 'light');
  await v.open(DEMO);
  const p = v.page;
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.dataset.testid), 'skip-link', 'the skip link comes first');
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'main');
  // From the graph's start, an edge is a tab stop.
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
