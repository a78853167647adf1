// Shared harness for the end-to-end tests: serves dist/ over real HTTP on
// 127.0.0.1 and drives Debian's Chromium through playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitFor(url, timeoutMs = 15000) {
  const start = Date.now();
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() - start > timeoutMs) throw new Error(`server at ${url} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Serves a directory over HTTP on 127.0.0.1; returns { base, close }.
 *  With `csp`, every response carries the site's Content-Security-Policy
 *  header (tests/e2e/serve_csp.py), as docs/hosting.md asks of hosts. */
export async function serve(dir, { csp = false, cors = false } = {}) {
  const port = await freePort();
  const args = csp || cors
    ? [join(ROOT, 'tests', 'e2e', 'serve_csp.py'), dir, String(port), ...(cors ? ['--cors'] : [])]
    : ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(port)];
  const server = spawn('python3', args, { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}/`;
  await waitFor(base);
  return { base, close: () => server.kill() };
}

/** Starts `python3 -m http.server` on dist/ and Chromium; returns { base, browser, close }. */
export async function start() {
  // Every end-to-end test runs the site under its strict CSP.
  const server = await serve(join(ROOT, 'dist'), { csp: true });
  const base = server.base;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // Playwright's launch() gives every run a fresh, empty temporary profile
    // (its own --user-data-dir), so none is passed here.
    args: CHROMIUM_FLAGS,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** Runs the CLI on a file and returns the parsed `check --json` report. */
export function cliReport(file, ...extra) {
  const out = execFileSync('cargo', ['run', '-q', '-p', 'whoserves-cli', '--', 'check', '--json', ...extra, file], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    // A big bundle's report, every trace in it, runs to hundreds of MB.
    maxBuffer: 1 << 30,
  });
  return JSON.parse(out);
}

/** Fails the page's test on any console error or uncaught exception. */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return problems;
}
