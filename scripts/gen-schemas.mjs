#!/usr/bin/env node
// Writes schemas/snapshot.schema.json and schemas/report.schema.json from src/model/schema.ts
// (run `npm run build` first). `--check` exits 1 when the committed files are out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { jsonSchemas } from '../dist/model/schema.js';

const check = process.argv.includes('--check');
let stale = false;
for (const [name, schema] of Object.entries(jsonSchemas())) {
  const path = new URL(`../schemas/${name}.schema.json`, import.meta.url);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  let current = '';
  try { current = readFileSync(path, 'utf8'); } catch { /* new */ }
  if (current !== text) {
    stale = true;
    if (!check) writeFileSync(path, text);
  }
}
if (check && stale) {
  console.error('schemas/*.schema.json are out of date: run `npm run schemas`');
  process.exit(1);
}
