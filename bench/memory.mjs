#!/usr/bin/env node
// Memory per object (issue 18 item 9, docs/limits.md): the peak heap and RSS of
// `eks-soc2 scan -f INPUT --no-aws --format json -o DIR` for inputs of two sizes, and from their
// difference the memory each 100,000 Kubernetes objects need, for
//   - realistic clusters (bench/generator.mjs bundles: pods, ReplicaSets, Deployments, nodes, ...)
//   - tiny pods (a `kubectl get pods -o json` of one-container pods, as a hostile input would be)
// The object budget of limits.ts (HEAP_BYTES_PER_OBJECT) is set from these figures.
//   node bench/memory.mjs [--sizes 10000,40000] [--tiny 100000,400000]
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { environment, fileName, writeBundle } from './generator.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/out/memory');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i === -1 ? def : args[i + 1]; };
const sizes = opt('--sizes', '10000,40000').split(',').map(Number);
const tiny = opt('--tiny', '100000,400000').split(',').map(Number);
const main = join(root, 'dist/cli/main.js');
const log = (m) => process.stderr.write(`${m}\n`);

function scan(input) {
  return new Promise((resolveRun, reject) => {
    const dir = join(out, 'report');
    rmSync(dir, { recursive: true, force: true });
    const t0 = performance.now();
    // A heap far larger than needed, so that the peak is what the scan uses, not what a limit allows.
    const child = spawn(process.execPath, ['--max-old-space-size=16000', join(root, 'bench/heap-sample.mjs'), main, 'scan', '-f', input, '--no-aws', '--format', 'json', '-o', dir, '--fail-on', 'never', '--quiet'],
      { env: { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', EKS_SOC2_MAX_OBJECTS: '100000000' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /@@bench (\{.*\})/.exec(stderr);
      if (!m || code !== 0) return reject(new Error(`scan of ${input} exited ${code}: ${stderr.slice(-1500)}`));
      resolveRun({ ms: performance.now() - t0, ...JSON.parse(m[1]) });
    });
  });
}

async function tinyPods(n) {
  const path = join(out, `tiny-pods-${n}.json`);
  if (existsSync(path)) return path;
  const s = createWriteStream(path);
  const write = async (t) => { if (!s.write(t)) await once(s, 'drain'); };
  await write('{"apiVersion":"v1","kind":"List","items":[\n');
  for (let i = 0; i < n; i++) await write(`${i ? ',\n' : ''}{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p${i}","namespace":"ns${i % 100}"},"spec":{"containers":[{"name":"c","image":"x"}]}}`);
  await write('\n]}\n');
  s.end();
  await once(s, 'finish');
  return path;
}

async function measure(kind, n, input, objects) {
  log(`  ${kind} ${n.toLocaleString('en')}: ${objects.toLocaleString('en')} objects ...`);
  const r = await scan(input);
  return { kind, n, objects, ms: Math.round(r.ms), heapMiB: r.maxHeapUsed / 2 ** 20, rssMiB: (r.maxRssKb * 1024) / 2 ** 20 };
}

mkdirSync(join(out, 'inputs'), { recursive: true });
if (!existsSync(main)) throw new Error('run `npm run build` first');
log(`machine: ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}, node ${process.version}`);
const rows = [];
for (const pods of sizes) {
  const input = join(out, 'inputs', fileName('bundle', pods));
  let objects = 0;
  if (!existsSync(input)) objects = (await writeBundle(input, { pods })).objects;
  else for (const _ of environment({ pods }).objects()) objects++;
  rows.push(await measure('cluster (pods)', pods, input, objects));
}
for (const n of tiny) rows.push(await measure('tiny pods', n, await tinyPods(n), n));

const per100k = (a, b, key) => ((b[key] - a[key]) / (b.objects - a.objects)) * 100_000;
const lines = ['| input | objects | scan | peak heap | peak RSS |', '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.kind} ${r.n.toLocaleString('en')} | ${r.objects.toLocaleString('en')} | ${(r.ms / 1000).toFixed(1)} s | ${Math.round(r.heapMiB)} MiB | ${Math.round(r.rssMiB)} MiB |`), ''];
for (const kind of ['cluster (pods)', 'tiny pods']) {
  const rs = rows.filter((r) => r.kind === kind);
  if (rs.length >= 2) {
    const [a, b] = [rs[0], rs.at(-1)];
    lines.push(`${kind}: per 100,000 objects ${Math.round(per100k(a, b, 'heapMiB'))} MiB of heap, ${Math.round(per100k(a, b, 'rssMiB'))} MiB of RSS (${Math.round((per100k(a, b, 'heapMiB') * 2 ** 20) / 100_000).toLocaleString('en')} bytes of heap per object)`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
