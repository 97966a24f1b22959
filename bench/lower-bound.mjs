#!/usr/bin/env node
// Where a large scan's time goes, phase by phase in one process, and the least a scan that keeps
// every object in one JavaScript heap can cost (issue 17, the "scan ≤ 1.5× the floor" goal):
//
//   floor        the streaming splitter and JSON.parse of every element (bench/floor.mjs stream)
//   parse only   JSON.parse of every element given as a ready string: the part of reading that no
//                other thread can take over, since the objects must end up in this heap
//   hand-over    v8.deserialize of the same objects serialized elsewhere: what a second thread that
//                parsed them would cost this one to receive them (structured clone is this format)
//   read         what the scan does to read: splitter, parse, string sharing, shape check, redaction
//   evaluate     the 62 controls over the snapshot read
//   report       toWire + the JSON report, written to /dev/null
//
// The lower bound printed is parse only + evaluate + report: a scan whose evaluation runs in the
// heap that holds the objects cannot go below it on any number of cores.
//   node bench/lower-bound.mjs [--reps 3] [--dist dist] FILE
// Prints a Markdown table on stdout and `@@bench {...}` with the medians.
import { createReadStream, openSync, closeSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); if (i === -1) return def; const v = args[i + 1]; args.splice(i, 2); return v; };
const reps = Number(opt('--reps', '3'));
const dist = resolve(opt('--dist', 'dist'));
const file = args[0];
if (!file) { process.stderr.write('usage: node bench/lower-bound.mjs [--reps N] [--dist DIR] FILE\n'); process.exit(2); }
const mod = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { JsonStreamReader } = await mod('collectors/files/stream.js');
const { collectFiles } = await mod('collectors/files/read.js');
const { catalog, CATALOG_VERSION } = await mod('catalog/index.js');
const { evaluate, SnapshotIndex } = await mod('engine/index.js');
const { defaultConfig } = await mod('model/index.js');
const { renderJson } = await mod('report/json.js');
const log = (m) => process.stderr.write(`${m}\n`);
const gc = () => { if (globalThis.gc) globalThis.gc(); };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** The elements of the streamed array, as the splitter finds them, kept as text (not parsed). */
async function elementTexts() {
  const texts = [];
  const problems = [];
  const r = new JsonStreamReader(file, { objects: [], problems, bundles: [] });
  // The reader's per-element hook is private: capture the text instead of parsing it.
  r.finishElement = function finish(chunk, end) {
    const parts = this.element;
    this.element = undefined;
    parts.push(chunk.subarray(this.elementStart, end));
    this.elementStart = -1;
    texts.push((parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8'));
  };
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) r.push(c);
  return texts;
}

async function floor() {
  const t0 = performance.now();
  const r = new JsonStreamReader(file, { objects: [], problems: [], bundles: [] });
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) r.push(c);
  return performance.now() - t0;
}

/** JSON.parse of every element, given as a ready string. */
async function parseOnly() {
  const texts = await elementTexts();
  gc();
  const t0 = performance.now();
  const values = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) values[i] = JSON.parse(texts[i]);
  return { ms: performance.now() - t0, count: values.length, values };
}

/** The parsed elements serialized in batches, as a worker would post them (only the receiving side is timed). */
function serializeAll(parsed) {
  const { values } = parsed;
  parsed.values = undefined;
  const batches = [];
  for (let i = 0; i < values.length; i += 512) batches.push(v8.serialize(values.slice(i, i + 512)));
  return batches;
}

const rows = { floor: [], parse: [], handover: [], read: [], evaluate: [], report: [] };
let objects = 0;
for (let rep = 0; rep < reps; rep++) {
  gc();
  rows.floor.push(await floor());
  gc();
  {
    // Each step in its own function, so that what it no longer needs can be collected.
    const parsed = await parseOnly();
    rows.parse.push(parsed.ms);
    objects = parsed.count;
    const batches = serializeAll(parsed);
    gc();
    const t0 = performance.now();
    let n = 0;
    for (const b of batches) n += v8.deserialize(b).length;
    rows.handover.push(performance.now() - t0);
    if (n !== objects) throw new Error('hand-over lost objects');
  }
  gc();
  let t0 = performance.now();
  const snapshot = await collectFiles([file], { toolVersion: 'bench' });
  rows.read.push(performance.now() - t0);
  t0 = performance.now();
  const run = evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: 'bench', catalogVersion: CATALOG_VERSION, now: new Date('2026-12-01T00:00:00Z'), index: new SnapshotIndex(snapshot) });
  rows.evaluate.push(performance.now() - t0);
  t0 = performance.now();
  const fd = openSync('/dev/null', 'w');
  renderJson(run, (s) => { writeSync(fd, s); });
  closeSync(fd);
  rows.report.push(performance.now() - t0);
  log(`rep ${rep + 1}/${reps}: ${Object.entries(rows).map(([k, v]) => `${k} ${(v.at(-1) / 1000).toFixed(2)} s`).join(', ')}`);
}

const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
const bound = m.parse + m.evaluate + m.report;
const scan = m.read + m.evaluate + m.report;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const x = (ms) => `${(ms / m.floor).toFixed(2)}×`;
process.stdout.write([
  `${file}: ${objects.toLocaleString('en')} elements, medians of ${reps} (one process, phases back to back)`,
  '',
  '| phase | time | × floor |',
  '| --- | --- | --- |',
  `| floor: splitter + JSON.parse | ${s(m.floor)} | 1.00× |`,
  `| JSON.parse alone (ready strings) | ${s(m.parse)} | ${x(m.parse)} |`,
  `| hand-over: v8.deserialize of the same objects | ${s(m.handover)} | ${x(m.handover)} |`,
  `| read as the scan does | ${s(m.read)} | ${x(m.read)} |`,
  `| evaluate 62 controls | ${s(m.evaluate)} | ${x(m.evaluate)} |`,
  `| JSON report (toWire + render) | ${s(m.report)} | ${x(m.report)} |`,
  `| **scan (read + evaluate + report)** | ${s(scan)} | ${x(scan)} |`,
  `| **lower bound: JSON.parse + evaluate + report** | ${s(bound)} | ${x(bound)} |`,
  '',
].join('\n'));
process.stdout.write(`@@bench ${JSON.stringify({ file, objects, reps, ...m, scan, bound })}\n`);
