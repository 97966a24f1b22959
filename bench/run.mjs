#!/usr/bin/env node
// The evaluation benchmark: `npm run bench` (all sizes) or `npm run bench -- --quick` (1k only).
//
// For each size it generates a synthetic cluster (bench/generator.mjs, cached under bench/out/scale/)
// and measures, each in a fresh process and repeated (median):
//   floor  read + JSON.parse of the input alone (streaming read + parse above the string limit)
//   scan   `eks-soc2 scan -f INPUT --no-aws --format json -o DIR` end to end, and its peak RSS
// plus CLI start-up (`eks-soc2 --version`) and `scan --demo`, and the `kubectl get pods -A -o json`
// dump of the largest size read through the streaming path, and a Terraform plan of 5,000 resources
// (bench/terraform.mjs; skip with --no-terraform). Results: a table on stdout and
// bench/out/scale/results.json. Options:
//   --quick           1,000 pods only, no pod-list dump
//   --sizes 1000,..   pod counts (default 1000,10000,150000)
//   --reps N          repetitions (default 3; 150k: --reps-large, default 1)
//   --no-list         skip the `kubectl get pods -A -o json` dumps
//   --lists a,b       which dumps of the largest size: pod-list (indented, with managedFields, ~2 GB at
//                     150k pods) and pod-list-compact (compact, no managedFields); default both
//   --dist DIR        the compiled CLI to measure (default: a private build in bench/out/scale/dist,
//                     rebuilt when src/ is newer)
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileName, writeBundle, writePodList, writePodListCompact, plan } from './generator.mjs';
import { measureTerraform } from './terraform.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/out/scale');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, def) => { const i = args.indexOf(name); return i === -1 ? def : args[i + 1]; };
const quick = flag('--quick');
const sizes = (opt('--sizes', quick ? '1000' : '1000,10000,150000')).split(',').map(Number);
const reps = Number(opt('--reps', '3'));
const repsLarge = Number(opt('--reps-large', '1'));
const withList = !quick && !flag('--no-list');
const lists = opt('--lists', 'pod-list-compact,pod-list').split(',');
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' };

function log(msg) { process.stderr.write(`${msg}\n`); }

/** Newest mtime under a directory (ms). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function ensureBuild() {
  const given = opt('--dist');
  if (given) return resolve(given);
  const dist = join(out, 'dist');
  if (!existsSync(join(dist, 'cli/main.js')) || newest(join(root, 'src')) > statSync(join(dist, 'cli/main.js')).mtimeMs) {
    log('building a private copy of the CLI in bench/out/scale/dist ...');
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
    if (!existsSync(join(dist, 'cli/main.js'))) throw new Error(`build failed (${r.status})`);
  }
  // version.ts reads ../../package.json relative to dist/cli/.
  copyFileSync(join(root, 'package.json'), join(dirname(dist), 'package.json'));
  return dist;
}

async function ensureInput(format, pods) {
  const path = join(out, 'inputs', fileName(format, pods));
  if (!existsSync(path)) {
    log(`generating ${path} ...`);
    const t0 = performance.now();
    await (format === 'pod-list' ? writePodList : format === 'pod-list-compact' ? writePodListCompact : writeBundle)(path, { pods });
    log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return path;
}

/** Run a child; resolve with wall ms, the `@@bench` record and output. */
function run(cmd, argv) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; if (stdout.length > 1e6) stdout = stdout.slice(-1e5); });
    child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-1e5); });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const m = /@@bench (\{.*\})/.exec(stdout) ?? /@@bench (\{.*\})/.exec(stderr);
      resolvePromise({ ms, code, rec: m ? JSON.parse(m[1]) : {}, stdout, stderr });
    });
  });
}

/** Occurrences of an ASCII pattern in a file, read in chunks. */
async function countInFile(path, pattern) {
  const pat = Buffer.from(pattern);
  let n = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    for (let i = buf.indexOf(pat); i !== -1; i = buf.indexOf(pat, i + pat.length)) n++;
    // The last pattern-length − 1 bytes: a match split by the chunk boundary, never a counted one.
    carry = Buffer.from(buf.subarray(Math.max(0, buf.length - pat.length + 1)));
  }
  return n;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function repeat(n, fn) {
  const rs = [];
  for (let i = 0; i < n; i++) rs.push(await fn(i));
  return rs;
}

const STRING_LIMIT = 0x1fffffe8; // V8's maximum string length (one-byte characters)

async function measureInput(dist, input, n, label) {
  const bytes = statSync(input).size;
  const streaming = bytes >= STRING_LIMIT;
  const floors = await repeat(n, () => run(process.execPath, [join(root, 'bench/floor.mjs'), streaming ? 'stream' : 'whole', input, dist]));
  for (const f of floors) if (f.code !== 0) throw new Error(`floor failed: ${f.stderr.slice(-2000)}`);
  const reportDir = join(out, 'report');
  const scans = await repeat(n, async () => {
    rmSync(reportDir, { recursive: true, force: true });
    const r = await run(process.execPath, [join(root, 'bench/rss.mjs'), join(dist, 'cli/main.js'), 'scan', '-f', input, '--no-aws', '--format', 'json', '-o', reportDir, '--fail-on', 'never']);
    if (r.code !== 0) throw new Error(`scan exited ${r.code}: ${r.stderr.slice(-2000)}`);
    return r;
  });
  // Findings: the counts of the report (run@3 lists passes as indices); a report larger than one
  // string (run@2) is counted by streaming it: each finding starts `{"rule":"`.
  const reportPath = join(reportDir, 'eks-soc2-report.json');
  const reportBytes = statSync(reportPath).size;
  let findings;
  if (reportBytes < STRING_LIMIT) {
    const rep = JSON.parse(await readFile(reportPath, 'utf8'));
    findings = 0;
    for (const c of rep.controls) for (const k of [c.counts, c.systemCounts]) for (const v of Object.values(k)) findings += v;
  } else findings = await countInFile(reportPath, '{"rule":"');
  const floorMs = median(floors.map((f) => f.rec.ms ?? f.ms));
  const floorProcMs = median(floors.map((f) => f.ms));
  const scanMs = median(scans.map((s) => s.ms));
  const rssKb = median(scans.map((s) => s.rec.maxRssKb));
  return {
    label, input: input.slice(root.length + 1), bytes, reps: n, floorMode: streaming ? 'streaming' : 'JSON.parse',
    floorMs, floorProcessMs: floorProcMs, floorRssKb: median(floors.map((f) => f.rec.maxRssKb)),
    scanMs, scanRuns: scans.map((s) => Math.round(s.ms)), ratio: scanMs / floorProcMs,
    maxRssKb: rssKb, rssRatio: (rssKb * 1024) / bytes, findings, findingsPerSec: findings / (scanMs / 1000),
    reportBytes, reportRatio: reportBytes / bytes,
    objects: floors[0].rec.objects,
  };
}

/** A row, or the reason it could not be measured (the other rows are still reported). */
async function attempt(pods, fn) {
  try {
    return { pods, ...(await fn()) };
  } catch (err) {
    log(`  failed: ${err.message.split('\n')[0]}`);
    return { pods, label: `${pods.toLocaleString('en')} pods`, error: err.message.slice(0, 2000) };
  }
}

function save(results) {
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

async function main() {
  mkdirSync(out, { recursive: true });
  const dist = ensureBuild();
  const machine = { nproc: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version, date: new Date().toISOString() };
  log(`machine: ${machine.nproc} cores, load ${machine.loadavg.join(' ')}, node ${machine.node}`);
  const rows = [];
  for (const pods of sizes) {
    plan(pods);
    const input = await ensureInput('bundle', pods);
    const n = pods >= 100_000 ? repsLarge : reps;
    log(`measuring ${pods} pods (${n} run(s)) ...`);
    rows.push(await attempt(pods, () => measureInput(dist, input, n, `${pods.toLocaleString('en')} pods, bundle`)));
    save({ machine, rows });
  }
  if (withList) {
    const pods = Math.max(...sizes);
    for (const format of lists) {
      const input = await ensureInput(format, pods);
      const what = format === 'pod-list' ? 'kubectl get pods -A -o json' : 'kubectl get pods -A -o json, compact, no managedFields';
      log(`measuring the ${what} dump of ${pods} pods ...`);
      rows.push(await attempt(pods, () => measureInput(dist, input, pods >= 100_000 ? repsLarge : reps, `${pods.toLocaleString('en')} pods, ${what}`)));
      save({ machine, rows });
    }
  }
  const version = await repeat(Math.max(reps, 10), () => run(process.execPath, [join(dist, 'cli/main.js'), '--version']));
  const demoDir = join(out, 'demo');
  const demo = await repeat(Math.max(reps, 5), () => run(process.execPath, [join(dist, 'cli/main.js'), 'scan', '--demo', '--format', 'json', '-o', demoDir, '--fail-on', 'never']));
  const startup = { versionMs: median(version.map((r) => r.ms)), demoMs: median(demo.map((r) => r.ms)), versionRuns: version.length, demoRuns: demo.length };
  let terraform;
  if (!flag('--no-terraform')) {
    log('measuring a Terraform plan of 5,000 resources ...');
    try { terraform = await measureTerraform({ dist, reps, dir: join(out, 'terraform') }); } catch (err) { terraform = { error: err.message.slice(0, 2000) }; }
  }
  const after = loadavg().map((x) => Math.round(x * 100) / 100);
  const results = { machine: { ...machine, loadavgAfter: after }, rows, startup, ...(terraform ? { terraform } : {}) };
  save(results);

  const mb = (b) => `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`;
  const s = (ms) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
  const lines = [
    `nproc ${machine.nproc} · load average ${machine.loadavg.join(' ')} (after: ${after.join(' ')}) · Node.js ${machine.node} · ${machine.date}`,
    '',
    '| input | bytes | floor (read + parse) | scan end to end | scan / floor | peak RSS | RSS / input | JSON report (% of input) | findings | findings/s | runs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => (r.error ? `| ${r.label} | failed: ${r.error.split('\n')[0].slice(0, 160)} ||||||||||` : `| ${r.label} | ${mb(r.bytes)} | ${s(r.floorProcessMs)} (${r.floorMode}) | ${s(r.scanMs)} | ${r.ratio.toFixed(2)}× | ${mb(r.maxRssKb * 1024)} | ${r.rssRatio.toFixed(2)}× | ${mb(r.reportBytes)} (${(100 * r.reportRatio).toFixed(1)} %) | ${r.findings.toLocaleString('en')} | ${Math.round(r.findingsPerSec).toLocaleString('en')} | ${r.reps} |`)),
    '',
    `CLI start-up \`eks-soc2 --version\`: ${Math.round(startup.versionMs)} ms (median of ${startup.versionRuns}); \`scan --demo --format json\`: ${Math.round(startup.demoMs)} ms (median of ${startup.demoRuns})`,
    ...(terraform ? [terraform.error ? `Terraform plan of 5,000 resources: failed: ${terraform.error.split('\n')[0]}` : `Terraform plan of ${terraform.resources.toLocaleString('en')} resources (${mb(terraform.bytes)}): \`scan -f plan.json\` ${s(terraform.scanMs)} (median of ${terraform.reps}), peak RSS ${mb(terraform.maxRssKb * 1024)}`] : []),
  ];
  const big = rows.filter((r) => !r.error && r.label.includes('bundle'));
  if (big.length >= 2) {
    const [a, b] = big.slice(-2);
    lines.push(`growth ${a.pods.toLocaleString('en')} → ${b.pods.toLocaleString('en')} pods (${(b.pods / a.pods).toFixed(0)}× the pods): scan time ${(b.scanMs / a.scanMs).toFixed(1)}×, peak RSS ${(b.maxRssKb / a.maxRssKb).toFixed(1)}×`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err) => { log(`bench: ${err.stack ?? err.message}`); process.exit(1); });
