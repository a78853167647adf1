// The peer of bench/corpus.rs: wappalyzer-core (npm, pinned in
// package.json) analysing the same generated sites with the same
// technology files. Prints one JSON line: {"ms", "detections", "sites",
// "version"}. Only `analyze` is timed, the matching itself; loading the
// technologies is not.
//
//   node bench/wappalyzer-core.mjs SITES.json CATEGORIES.json TECH.json...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Wappalyzer = require('wappalyzer-core');
const { version } = require('wappalyzer-core/package.json');

const [sitesFile, categoriesFile, ...techFiles] = process.argv.slice(2);
const technologies = {};
for (const f of techFiles) Object.assign(technologies, JSON.parse(readFileSync(f, 'utf8')));
Wappalyzer.setCategories(JSON.parse(readFileSync(categoriesFile, 'utf8')));
Wappalyzer.setTechnologies(technologies);

const sites = JSON.parse(readFileSync(sitesFile, 'utf8'));
let detections = 0;
const t0 = performance.now();
for (const site of sites) {
  const items = { ...site };
  if (items.certIssuer === null) delete items.certIssuer;
  detections += Wappalyzer.analyze(items).length;
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, detections, sites: sites.length, version }));
