// Page object for the viewer: every selector is a data-testid.
export class Viewer {
  constructor(page, base) {
    this.page = page;
    this.base = base;
  }
  async open(query = '') {
    await this.page.goto(this.base + query);
    await this.page.getByTestId('overview').waitFor({ timeout: 15000 });
    await this.page.getByTestId('graph').or(this.page.getByTestId('table')).or(this.page.getByTestId('charts')).first().waitFor();
  }
  title() { return this.page.getByTestId('bundle-title').textContent(); }
  nodes() { return this.page.getByTestId('node'); }
  edges() { return this.page.getByTestId('edge'); }
  edge(key) { return this.page.locator(`[data-testid=edge][data-key="${key}"]`); }
  node(id) { return this.page.locator(`[data-testid=node][data-id="${id}"]`); }
  async nodeIds(side) {
    return this.page.locator(`[data-testid=node][data-side=${side}]`).evaluateAll((els) => els.map((e) => e.dataset.id));
  }
  async edgeAttr(name) {
    return this.edges().evaluateAll((els, n) => els.map((e) => e.dataset[n]), name);
  }
  panel() { return this.page.getByTestId('panel'); }
  async clickEdge(key) {
    // The hit path is wide and transparent; click the middle of the edge.
    await this.edge(key).locator('.edge-hit').dispatchEvent('click');
  }
  filter(name, value) { return this.page.locator(`[data-testid=filter-${name}][value="${value}"]`); }
  async openFile(path) {
    await this.page.getByTestId('file-input').setInputFiles(path);
  }
}
