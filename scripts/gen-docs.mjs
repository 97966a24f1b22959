#!/usr/bin/env node
// Regenerates docs/controls.md and the control table of README.md from the catalog (after a build).
// `--check` exits 1 when either is out of date (the test suite checks the same from src/).
import { readFileSync, writeFileSync } from 'node:fs';
import { catalog, CATALOG_VERSION } from '../dist/catalog/index.js';
import { controlsMarkdown, controlsReference, withControlTable } from '../dist/cli/commands/controls.js';

const check = process.argv.includes('--check');
const files = {
  'docs/controls.md': controlsReference(catalog, CATALOG_VERSION),
  'README.md': withControlTable(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), controlsMarkdown(catalog)),
};
let stale = false;
for (const [path, text] of Object.entries(files)) {
  const url = new URL(`../${path}`, import.meta.url);
  let current = '';
  try { current = readFileSync(url, 'utf8'); } catch { /* new */ }
  if (current !== text) {
    stale = true;
    if (!check) { writeFileSync(url, text); console.log(`wrote ${path}`); }
  }
}
if (check && stale) { console.error('docs are out of date: run `npm run docs`'); process.exit(1); }
