// The peer of whoserves' graph view in bench/site.mjs: Cytoscape.js
// drawing the same generated graph, preset positions, straight edges
// coloured by category, labelled nodes. Marks "cytoscape:painted" at the
// first animation frame after its first render, as whoserves marks
// "whoserves:graph-drawn".
(async () => {
  const file = new URLSearchParams(location.search).get('graph');
  const g = await (await fetch(file)).json();
  const colours = { hosting: '#3b6fb6', cdn: '#c25b12', email: '#2e8540', analytics: '#8a4fb8', other: '#6b6b6b' };
  const elements = [
    ...g.nodes.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.label }, position: { x: n.x, y: n.y } })),
    ...g.edges.map((e, i) => ({ group: 'edges', data: { id: `e${i}`, source: e.from, target: e.to, colour: colours[e.category] || '#6b6b6b' } })),
  ];
  const cy = cytoscape({
    container: document.getElementById('cy'),
    elements,
    layout: { name: 'preset' },
    style: [
      { selector: 'node', style: { width: 10, height: 10, 'background-color': '#333', label: 'data(label)', 'font-size': 13 } },
      { selector: 'edge', style: { width: 1.5, 'line-color': 'data(colour)', 'curve-style': 'straight', opacity: 0.7 } },
    ],
  });
  cy.one('render', () => requestAnimationFrame(() => performance.mark('cytoscape:painted')));
  window.cy = cy;
})();
