// The floor of a scan: read the input and JSON.parse it, nothing else.
//   node bench/floor.mjs whole FILE    readFile + JSON.parse (inputs below the ~512 MB string limit)
//   node bench/floor.mjs stream FILE DIST   the streaming splitter alone (each List item / bundle object JSON.parse'd)
// Prints `@@bench {"ms":..,"maxRssKb":..,"objects":..}` on stdout.
import { createReadStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';

const [mode, file, dist = 'dist'] = process.argv.slice(2);
const t0 = performance.now();
let objects;
if (mode === 'whole') {
  const v = JSON.parse(readFileSync(file, 'utf8'));
  objects = v.kubernetes?.objects?.length ?? v.items?.length ?? 0;
} else {
  const { JsonStreamReader } = await import(pathToFileURL(resolve(dist, 'collectors/files/stream.js')).href);
  const problems = [];
  const r = new JsonStreamReader(file, problems);
  let src = createReadStream(file, { highWaterMark: 1 << 20 });
  if (file.endsWith('.gz')) src = src.pipe(createGunzip({ chunkSize: 1 << 20 }));
  for await (const c of src) r.push(c);
  objects = r.done?.reduce?.((n, t) => n + t.values.length, 0) ?? 0;
  if (problems.length) throw new Error(problems[0].message);
}
const ms = performance.now() - t0;
process.stdout.write(`@@bench ${JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, objects })}\n`);
