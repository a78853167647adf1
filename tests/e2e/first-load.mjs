// What a reader's browser transfers on the first visit to the default
// page, per file, brotli-compressed as a host would serve it: the HTML, the
// loader and the app's JavaScript glue, the wasm, the CSS, the bundle
// manifest, the default bundle and the libraries it includes. Shared by
// bench/site.mjs (which prints it) and budget.test.mjs (which holds it to
// budget.json).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

export const brotli = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

// The includes the viewer fetches: plain paths always; {path, kinds} only
// when the bundle has an observation of one of the kinds (include::plan).
function fetchedIncludes(bundle) {
  const kinds = new Set((bundle.observations || []).map((o) => o.kind));
  return (bundle.include || [])
    .filter((i) => typeof i === 'string' || i.kinds.some((k) => kinds.has(k)))
    .map((i) => (typeof i === 'string' ? i : i.path));
}

/** Per file `{ file, raw, brotli }` and the brotli total, for `dist`. */
export function firstLoad(dist) {
  const files = readdirSync(dist);
  const manifest = JSON.parse(readFileSync(join(dist, 'bundles', 'index.json'), 'utf8'));
  const defaultBundle = JSON.parse(readFileSync(join(dist, 'bundles', manifest.default), 'utf8'));
  const list = [
    'index.html',
    // The loader and the app's JavaScript glue (scripts/postbuild.py); not
    // the analysis worker's script, which only a big bundle fetches.
    ...files.filter((f) => f.endsWith('.js') && !f.startsWith('worker-')),
    ...files.filter((f) => f.endsWith('.wasm')),
    ...files.filter((f) => f.endsWith('.css')),
    'bundles/index.json',
    `bundles/${manifest.default}`,
    ...fetchedIncludes(defaultBundle).map((i) => join('bundles', i)),
  ];
  const rows = list.map((file) => {
    const buf = readFileSync(join(dist, file));
    return { file, raw: buf.length, brotli: brotli(buf) };
  });
  return { rows, total: rows.reduce((n, r) => n + r.brotli, 0) };
}
