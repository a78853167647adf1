// Big graphs: above 2,000 edges the edges are drawn on a canvas under the
// SVG nodes (src/edge_canvas.rs). The graph is painted, a click near an
// edge selects it, panning redraws, and the long unclaimed list is built
// lazily.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, watchConsole, ROOT, ARTIFACTS } from './harness.mjs';
import { Viewer } from './viewer.page.mjs';
import { synthetic } from './synthetic.mjs';

let env;
before(async () => {
  // 2,000 nodes and 10,000 edges, served with the site.
  const dir = join(ROOT, 'dist', 'test-big');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'synthetic-2000.json'), JSON.stringify(synthetic(1000, 1000, 10, 101).bundle));
  env = await start();
});
after(async () => { await env?.close(); });

// The share of the canvas's pixels that are painted.
const painted = (page) => page.getByTestId('edge-canvas').evaluate((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n / (c.width * c.height);
});

// The 2,000-node graph, drawn, in a page that fails its test on a console
// error and leaves a screenshot named `shot` behind.
async function openBig(t, shot) {
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = watchConsole(page);
  t.after(async () => {
    await page.screenshot({ path: join(ARTIFACTS, shot) });
    assert.deepEqual(problems.filter((p) => !p.includes('integrity')), [], 'no console errors');
    await page.close();
  });
  const v = new Viewer(page, env.base);
  await v.open('?bundle=test-big/synthetic-2000.json');
  await page.waitForFunction(() => performance.getEntriesByName('whoserves:graph-drawn').length > 0, null, { timeout: 60000 });
  return { page, v };
}

test('a 10,000-edge graph draws its edges on a canvas, and a click near one selects it', async (t) => {
  const { page } = await openBig(t, 'big-graph.png');
  const canvas = page.getByTestId('edge-canvas');
  assert.equal(await canvas.getAttribute('data-edges'), '10000');
  // No SVG element per edge; every node is still an SVG element.
  assert.equal(await page.getByTestId('edge').count(), 0);
  assert.equal(await page.getByTestId('node').count(), 2000);
  const before = await painted(page);
  assert.ok(before > 0.01, `the canvas is painted (${(before * 100).toFixed(2)}% of its pixels)`);
  // Thousands of nodes fit the box (labels hidden): no minimum width
  // that would scroll a screen of empty space sideways.
  const [svgWidth, wrapWidth] = await page.getByTestId('graph').evaluate((g) => [g.getBoundingClientRect().width, g.closest('.graph-wrap').clientWidth]);
  assert.ok(svgWidth <= wrapWidth + 1, `graph ${svgWidth}px in a ${wrapWidth}px frame`);
  // The canvas covers the graph, under it.
  const [cb, gb] = [await canvas.boundingBox(), await page.getByTestId('graph').boundingBox()];
  assert.ok(Math.abs(cb.x - gb.x) < 1 && Math.abs(cb.width - gb.width) < 1 && Math.abs(cb.height - gb.height) < 1, 'canvas and graph share a box');

  // Zoomed out, labels are hidden (they would be unreadable); zoomed in
  // about Firm 0 with the wheel, they are back and edges stand apart.
  assert.match(await page.getByTestId('graph').getAttribute('class'), /\bfar\b/);
  const f0 = await page.locator('[data-testid=node][data-id="f0"] circle').boundingBox();
  await page.mouse.move(f0.x + 5, f0.y + 5);
  for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -100);
  await page.waitForFunction(() => !document.querySelector('[data-testid=graph]').classList.contains('far'));
  // A point on the edge Firm 0 → Provider 0 that no node covers.
  const centre = async (id) => {
    const b = await page.locator(`[data-testid=node][data-id="${id}"] circle`).boundingBox();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };
  const [a, b] = [await centre('f0'), await centre('p0')];
  // Inside the graph's visible box, clear of nodes, away from Firm 0's
  // other edges.
  const graphBox = await page.getByTestId('graph').boundingBox();
  const view = { x0: graphBox.x, y0: Math.max(graphBox.y, 0), x1: Math.min(graphBox.x + graphBox.width, 1400), y1: Math.min(graphBox.y + graphBox.height, 1000) };
  let point = null;
  for (const s of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.1, 0.05]) {
    const p = { x: a.x + (b.x - a.x) * s, y: a.y + (b.y - a.y) * s };
    if (p.x < view.x0 + 5 || p.x > view.x1 - 5 || p.y < view.y0 + 5 || p.y > view.y1 - 5) continue;
    if (Math.hypot(p.x - a.x, p.y - a.y) < 15) continue;
    const free = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.matches('svg.graph, svg.graph > g, svg.graph > g > g'), p);
    if (free) { point = p; break; }
  }
  assert.ok(point, 'a free point on the edge');
  await page.mouse.click(point.x, point.y);
  const panel = page.getByTestId('edge-panel');
  await panel.waitFor();
  const text = await panel.textContent();
  assert.match(text, /Firm 0\b/);
  assert.match(text, /Provider 0\b/);
  assert.match(page.url(), /sel=/);

  // Panning moves the view and the canvas follows.
  const box = await page.getByTestId('graph').boundingBox();
  const t0 = await page.getByTestId('graph').getAttribute('data-transform');
  await page.mouse.move(box.x + 300, box.y + 300);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 300 + i * 20, box.y + 300 + i * 10);
  await page.mouse.up();
  assert.notEqual(await page.getByTestId('graph').getAttribute('data-transform'), t0);
  await page.waitForTimeout(100);
  assert.ok(await painted(page) > 0.01, 'still painted after panning');

  // One unclaimed finding per edge: the first 100, then all on request.
  assert.equal(await page.getByTestId('unclaimed').count(), 100);
  await page.getByTestId('unclaimed-more').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=unclaimed]').length === 10000, null, { timeout: 30000 });
});

test("a big graph's nodes, drawn from one piece of markup, take focus, hover and selection as small-graph nodes do", async (t) => {
  const { page, v } = await openBig(t, 'big-graph-lit.png');
  const nodes = page.locator('g.nodes');
  assert.equal(await nodes.count(), 1, 'one container for the markup nodes');
  const classes = (id) => page.locator(`[data-testid=node][data-id="${id}"]`).getAttribute('class');
  const opacity = (id) => page.locator(`[data-testid=node][data-id="${id}"]`).evaluate((n) => getComputedStyle(n).opacity);
  // Firm 0's edges go to Provider 0, 101, 202, … 909 (synthetic.mjs).
  assert.equal(await page.locator('[data-testid=node][data-id="f0"]').getAttribute('aria-label'), 'Firm Firm 0, 10 connection(s)');

  // Focus lights a node and its neighbours and dims the rest.
  await page.locator('[data-testid=node][data-id="f0"]').focus();
  await page.waitForFunction(() => document.querySelector('g.nodes').classList.contains('dimming'));
  assert.match(await classes('f0'), /\blit\b/);
  assert.match(await classes('p101'), /\blit\b/);
  assert.doesNotMatch(await classes('p1'), /\blit\b/);
  assert.equal(await opacity('p1'), '0.18');
  assert.equal(await opacity('p101'), '1');
  assert.equal(await page.locator('[data-testid=node][data-id="f0"]').getAttribute('tabindex'), '0');

  // → moves to the nearest neighbour across, which becomes the tab stop;
  // Enter selects it.
  await page.keyboard.press('ArrowRight');
  const across = await page.evaluate(() => document.activeElement.dataset.id);
  assert.ok(['p0', 'p101', 'p202', 'p303', 'p404', 'p505', 'p606', 'p707', 'p808', 'p909'].includes(across), across);
  assert.equal(await page.locator('[data-testid=node][data-id="f0"]').getAttribute('tabindex'), '-1');
  assert.deepEqual(await page.locator('[data-testid=node][tabindex="0"]').evaluateAll((ns) => ns.map((n) => n.dataset.id)), [across], 'one tab stop, where focus is');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.querySelector(`[data-testid=node][data-id="${id}"]`).classList.contains('selected'), across);
  assert.match(await v.panel().textContent(), new RegExp(`Provider ${across.slice(1)}(?!\\d)`));
  assert.match(page.url(), /sel=/);
  // Esc clears the selection; leaving the node clears the highlight.
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('[data-testid=node].selected'));
  await page.evaluate(() => document.activeElement.blur());
  await page.waitForFunction(() => !document.querySelector('g.nodes').classList.contains('dimming'));

  // A click inside a node selects it (and keeps it and its neighbours
  // lit); hovering lights a node, leaving it clears.
  await page.locator('[data-testid=node][data-id="p3"] circle').dispatchEvent('click');
  await page.waitForFunction(() => document.querySelector('[data-testid=node][data-id="p3"]').classList.contains('selected'));
  assert.match(await v.panel().textContent(), /Provider 3(?!\d)/);
  assert.match(await classes('p3'), /\blit\b/);
  await page.locator('[data-testid=node][data-id="p3"]').focus();
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement.blur());
  await page.waitForFunction(() => !document.querySelector('g.nodes').classList.contains('dimming'));
  assert.doesNotMatch(await classes('p3'), /\bselected\b/);
  await page.locator('[data-testid=node][data-id="p5"] text').dispatchEvent('mouseover');
  await page.waitForFunction(() => document.querySelector('[data-testid=node][data-id="p5"]').classList.contains('lit'));
  assert.equal(await opacity('p6'), '0.18');
  await page.locator('[data-testid=node][data-id="p5"] text').dispatchEvent('mouseout');
  await page.waitForFunction(() => !document.querySelector('g.nodes').classList.contains('dimming'));
  assert.equal(await opacity('p6'), '1');
  assert.doesNotMatch(await classes('p5'), /\blit\b/);

  // Filtered while a node is selected, the graph is drawn again from new
  // markup (other node indices): the selection and its highlight follow
  // the node, not its old index.
  await page.locator('[data-testid=node][data-id="p101"] circle').dispatchEvent('click');
  await page.waitForFunction(() => document.querySelector('[data-testid=node][data-id="p101"]').classList.contains('selected'));
  const highlight = () => page.evaluate(() => ({
    selected: [...document.querySelectorAll('[data-testid=node].selected')].map((n) => n.dataset.id),
    lit: document.querySelectorAll('[data-testid=node].lit').length,
    degree: Number(document.querySelector('[data-testid=node][data-id="p101"]').getAttribute('aria-label').match(/(\d+) connection/)[1]),
    nodes: document.querySelectorAll('[data-testid=node]').length,
  }));
  const all = await highlight();
  assert.deepEqual(all.selected, ['p101']);
  assert.equal(all.lit, all.degree + 1, 'the node and its neighbours');
  await v.filter('category', 'Content delivery (CDN)').check();
  await v.filter('category', 'Email hosting').check();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=node]').length < n, all.nodes);
  const some = await highlight();
  assert.ok(some.nodes < all.nodes && (await page.getByTestId('edge-canvas').getAttribute('data-edges')) > 2000, 'still a canvas graph, with fewer nodes');
  assert.deepEqual(some.selected, ['p101']);
  assert.equal(some.lit, some.degree + 1);
  await v.filter('category', 'Content delivery (CDN)').uncheck();
  await v.filter('category', 'Email hosting').uncheck();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=node]').length === n, all.nodes);
  assert.deepEqual(await highlight(), all);

  // The bundle's 1,000 warnings are listed when their list is opened.
  const warnings = page.getByTestId('warnings');
  assert.match(await warnings.locator('summary').textContent(), /^1000 warning\(s\)$/);
  assert.equal(await page.getByTestId('warning').count(), 0, 'not built while closed');
  await warnings.locator('summary').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=warning]').length === 1000);
});
