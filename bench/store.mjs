#!/usr/bin/env node
// Evidence store benchmark (prints figures; not a timed test). Uses the built dist/ — run
// `npx tsc -p tsconfig.build.json` first.
//
//   node bench/store.mjs [--days 365] [--pods 150000] [--backends sqlite,postgres] [--pg URL] [--skip-large]
//
// 1. `--days` daily runs of the demo environment are evaluated and appended (insert time per run,
//    evaluation excluded), then: store size on disk, the period report over the whole year (in
//    process, and end to end through the CLI), verify over the year.
// 2. One run of a large synthetic snapshot (`--pods`, built by bench/large-snapshot.mjs):
//    evaluation time, insert time (wall and CPU), snapshot size raw/compressed, time to load it back
//    (`scan --run`). bench/store-insert.mjs does only this part (small enough for `node --cpu-prof`).
// PostgreSQL runs when --pg or EKS_SOC2_TEST_PG is set (a fresh database is created and dropped).
// Figures are printed and written to bench/out/store.json.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeSnapshot } from './large-snapshot.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'store', 'index.js'))) {
  process.stderr.write('bench/store.mjs needs the build: run `npx tsc -p tsconfig.build.json` first\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const DAYS = Number(flag('days', '365'));
const PODS = Number(flag('pods', '150000'));
const SKIP_LARGE = args.includes('--skip-large');
const PG = flag('pg', process.env.EKS_SOC2_TEST_PG);
const BACKENDS = flag('backends', PG ? 'sqlite,postgres' : 'sqlite').split(',');

const { openStore, canonicalJson } = await import(join(DIST, 'store', 'index.js'));
const { computePeriod } = await import(join(DIST, 'engine', 'period.js'));
const { evaluate } = await import(join(DIST, 'engine', 'index.js'));
const { catalog, CATALOG_VERSION } = await import(join(DIST, 'catalog', 'index.js'));
const { demoSnapshot, demoPolicies } = await import(join(DIST, 'collectors', 'demo', 'index.js'));
const model = await import(join(DIST, 'model', 'index.js'));
const { defaultConfig, expandRun, findingTotal } = model;
const { gunzipSync, gzipSync } = await import('node:zlib');
const { renderPeriodJson } = await import(join(DIST, 'cli', 'period-output.js'));
const { renderPeriodTerminal } = await import(join(DIST, 'report', 'period-terminal.js'));

const VERSION = 'bench';
const ms = (t0) => performance.now() - t0;
/** CPU milliseconds (user + system) of this process since `c0` (the machine may be shared: wall time alone misleads). */
const cpuMs = (c0) => { const d = process.cpuUsage(c0); return (d.user + d.system) / 1000; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
const log = (s) => process.stdout.write(`${s}\n`);

// ------------------------------------------------------------------ back ends

async function location(name) {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-bench-'));
    const path = join(dir, 'evidence.db');
    return {
      url: `sqlite:${path}`, target: { kind: 'sqlite', path },
      size: () => ['', '-wal'].reduce((n, s) => n + (existsSync(path + s) ? statSync(path + s).size : 0), 0),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const { default: pg } = await import('pg');
  const db = `eks_soc2_bench_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const u = new URL(PG);
  u.pathname = `/${db}`;
  return {
    url: u.toString(), target: { kind: 'postgres', url: u.toString() },
    size: undefined,
    cleanup: async () => {
      const a = new pg.Client({ connectionString: PG });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await a.end();
    },
  };
}

async function periodOnce(target) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const store = await openStore(target, { mode: 'read', toolVersion: VERSION });
  const inputs = [];
  for (const c of await store.clusters()) inputs.push({ key: c.key, cluster: c.cluster, ...(await store.periodData(c.key, '2025-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z')) });
  await store.close();
  const tQuery = ms(t0);
  const period = computePeriod(inputs, { from: '2025-01-01', to: '2025-12-31', generatedAt: new Date('2026-01-02T00:00:00Z'), toolVersion: VERSION });
  const tCompute = ms(t0);
  let bytes = 0;
  renderPeriodJson(period, (s) => { bytes += s.length; });
  renderPeriodTerminal(period, { color: false }, (l) => { bytes += l.length; });
  return { total: ms(t0), cpu: cpuMs(c0), query: tQuery, compute: tCompute - tQuery, rows: inputs.reduce((n, i) => n + i.rows.length, 0), renderedChars: bytes };
}

async function bench(name) {
  const loc = await location(name);
  const out = { backend: name };
  try {
    log(`\n== ${name}: ${DAYS} daily runs of the demo environment ==`);
    const store = await openStore(loc.target, { mode: 'write', toolVersion: VERSION });
    const inserts = [];
    const insertsCpu = [];
    let evalMs = 0;
    for (let d = 0; d < DAYS; d++) {
      const now = new Date(Date.UTC(2025, 0, 1, 2) + d * 86_400_000);
      const t0 = performance.now();
      const snapshot = demoSnapshot(VERSION, now);
      const { waivers, attestations } = demoPolicies(now);
      const run = evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: VERSION, catalogVersion: CATALOG_VERSION, now, startedAt: now, waivers, attestations });
      evalMs += ms(t0);
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      await store.appendRun(run, snapshot, { at: now });
      inserts.push(ms(t1));
      insertsCpu.push(cpuMs(c1));
      if ((d + 1) % 73 === 0) log(`  ${d + 1} runs stored`);
    }
    const sizeReported = await store.sizeBytes();
    await store.close();
    const size = loc.size ? loc.size() : sizeReported;
    Object.assign(out, {
      runs: DAYS, controlsPerRun: catalog.length,
      insertMsMedian: median(inserts), insertMsP95: pct(inserts, 0.95), insertCpuMsMedian: median(insertsCpu), evaluateMsMean: evalMs / DAYS,
      storeBytes: size, bytesPerRun: size / DAYS,
    });
    log(`  insert per run: median ${median(inserts).toFixed(1)} ms wall (${median(insertsCpu).toFixed(1)} ms CPU), p95 ${pct(inserts, 0.95).toFixed(1)} ms (evaluation, not counted: ${(evalMs / DAYS).toFixed(1)} ms)`);
    log(`  store size: ${mb(size)} (${(size / DAYS / 1024).toFixed(1)} KB per run)`);

    const times = [];
    const cpus = [];
    let last;
    for (let i = 0; i < 3; i++) { last = await periodOnce(loc.target); times.push(last.total); cpus.push(last.cpu); }
    Object.assign(out, { periodMsMedian: median(times), periodCpuMsMedian: median(cpus), periodQueryMs: last.query, periodComputeMs: last.compute, periodRows: last.rows });
    log(`  period report over the year (in process, 3 tries): median ${median(times).toFixed(0)} ms wall (${median(cpus).toFixed(0)} ms CPU) — query ${last.query.toFixed(0)} ms, compute ${last.compute.toFixed(0)} ms, render the rest; ${last.rows} per-control rows`);

    const t2 = performance.now();
    // The child reports its own CPU time at exit (the machine may be shared).
    const cpuHook = 'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("cpu-ms "+((u.user+u.system)/1000)+"\\n")})';
    const cli = spawnSync(process.execPath, ['--import', cpuHook, join(ROOT, 'bin', 'eks-soc2.mjs'), 'report', '--store', loc.url, '--from', '2025-01-01', '--to', '2025-12-31', '--format', 'json', '--now', '2026-01-02T00:00:00Z'],
      { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
    const cliMs = ms(t2);
    if (cli.status !== 0) throw new Error(`CLI report failed: ${cli.stderr}`);
    out.periodCliMs = cliMs;
    out.periodCliCpuMs = Number(/cpu-ms ([\d.]+)/.exec(cli.stderr)?.[1] ?? NaN);
    log(`  period report through the CLI (node start-up included): ${cliMs.toFixed(0)} ms wall (${out.periodCliCpuMs.toFixed(0)} ms CPU), ${mb(cli.stdout.length)} of JSON`);

    const t3 = performance.now();
    const c3 = process.cpuUsage();
    const vs = await openStore(loc.target, { mode: 'read', toolVersion: VERSION });
    const v = await vs.verify();
    await vs.close();
    out.verifyMs = ms(t3);
    out.verifyCpuMs = cpuMs(c3);
    if (!v.ok) throw new Error(`verify failed: ${JSON.stringify(v.problems.slice(0, 3))}`);
    log(`  verify over the year: ${out.verifyMs.toFixed(0)} ms wall (${out.verifyCpuMs.toFixed(0)} ms CPU; ${v.runsChecked} runs, ${v.snapshotsChecked} snapshots)`);

    if (!SKIP_LARGE) {
      log(`\n== ${name}: one run of a ${PODS.toLocaleString('en')}-pod snapshot ==`);
      let t = performance.now();
      const snap = largeSnapshot(model, PODS);
      const genMs = ms(t);
      t = performance.now();
      const now = new Date('2026-01-01T02:00:00Z');
      const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: VERSION, catalogVersion: CATALOG_VERSION, now, startedAt: now });
      const evalLarge = ms(t);
      const findings = run.controls.reduce((n, c) => n + findingTotal(c), 0);
      // The stored result is gzip'd canonical JSON: run@5 as stored, and what run@2 (one object per finding) would have stored.
      t = performance.now();
      const run2Text = canonicalJson(expandRun(run));
      const run2Bytes = gzipSync(run2Text).length;
      const run2RawBytes = Buffer.byteLength(run2Text);
      const run2Ms = ms(t);
      const s2 = await openStore(loc.target, { mode: 'write', toolVersion: VERSION });
      const before = loc.size ? loc.size() : await s2.sizeBytes();
      t = performance.now();
      const cl = process.cpuUsage();
      const stored = await s2.appendRun(run, snap, { at: now });
      const insertLarge = ms(t);
      const insertLargeCpu = cpuMs(cl);
      const row = (await s2.driver.all('SELECT raw_bytes, stored_bytes FROM snapshots WHERE digest = ?', [stored.snapshotDigest]))[0];
      const resultRow = (await s2.driver.all('SELECT result FROM runs WHERE run_id = ?', [stored.runId]))[0];
      const resultStoredBytes = Buffer.from(resultRow.result).length;
      // The stored text itself (run@5: finding groups by resource index, index lists with runs), what
      // run@4 (the same, each index written) and run@3 (the other findings one object each) stored.
      const resultRawBytes = gunzipSync(Buffer.from(resultRow.result)).length;
      const run4Text = canonicalJson({ ...model.toWire({ ...run, schema: 'eks-soc2/run@4' }), runId: stored.runId, snapshotDigest: stored.snapshotDigest });
      const run4RawBytes = Buffer.byteLength(run4Text);
      const run4Bytes = gzipSync(run4Text).length;
      const run3Text = canonicalJson({ ...run, schema: 'eks-soc2/run@3', runId: stored.runId, snapshotDigest: stored.snapshotDigest });
      const run3RawBytes = Buffer.byteLength(run3Text);
      const run3Bytes = gzipSync(run3Text).length;
      t = performance.now();
      const c2 = process.cpuUsage();
      const back = await s2.loadSnapshot(stored.snapshotDigest);
      const loadMs = ms(t);
      const loadCpuMs = cpuMs(c2);
      t = performance.now();
      await s2.loadResult(stored.runId);
      const loadResultMs = ms(t);
      await s2.close();
      const after = loc.size ? loc.size() : undefined;
      Object.assign(out, {
        large: {
          pods: PODS, objects: snap.kubernetes.objects.length, findings, generateMs: genMs, evaluateMs: evalLarge, insertMs: insertLarge, insertCpuMs: insertLargeCpu,
          snapshotRawBytes: Number(row.raw_bytes), snapshotStoredBytes: Number(row.stored_bytes), storeGrowthBytes: after !== undefined && before !== undefined ? after - before : undefined,
          loadSnapshotMs: loadMs, loadSnapshotCpuMs: loadCpuMs, loadResultMs,
          resultRawBytes, resultStoredBytes, run2ResultRawBytes: run2RawBytes, run2ResultStoredBytes: run2Bytes, run2CanonicalGzipMs: run2Ms,
          run3ResultRawBytes: run3RawBytes, run3ResultStoredBytes: run3Bytes, run4ResultRawBytes: run4RawBytes, run4ResultStoredBytes: run4Bytes,
        },
      });
      log(`  generated ${snap.kubernetes.objects.length.toLocaleString('en')} objects in ${genMs.toFixed(0)} ms; evaluated in ${evalLarge.toFixed(0)} ms (${findings.toLocaleString('en')} findings)`);
      log(`  insert: ${insertLarge.toFixed(0)} ms wall (${insertLargeCpu.toFixed(0)} ms CPU); snapshot ${mb(Number(row.raw_bytes))} JSON → ${mb(Number(row.stored_bytes))} gzip${after !== undefined ? `; store grew ${mb(after - before)}` : ''}`);
      log(`  stored result (run@5): ${mb(resultRawBytes)} canonical JSON → ${mb(resultStoredBytes)} gzip; the same run as run@2 would be ${mb(run2RawBytes)} → ${mb(run2Bytes)} (raw ${((100 * resultRawBytes) / run2RawBytes).toFixed(1)} %, gzip ${((100 * resultStoredBytes) / run2Bytes).toFixed(1)} %; its canonical JSON + gzip alone took ${run2Ms.toFixed(0)} ms), as run@3 ${mb(run3RawBytes)} → ${mb(run3Bytes)}, as run@4 ${mb(run4RawBytes)} → ${mb(run4Bytes)}`);
      log(`  load the snapshot back (scan --run): ${loadMs.toFixed(0)} ms wall (${loadCpuMs.toFixed(0)} ms CPU; ${back.kubernetes.objects.length.toLocaleString('en')} objects, digest checked); the result: ${loadResultMs.toFixed(0)} ms`);
      if (canonicalJson(back.cluster) !== canonicalJson(snap.cluster)) throw new Error('snapshot did not round-trip');
    }
  } finally {
    await loc.cleanup();
  }
  return out;
}

const results = [];
for (const b of BACKENDS) {
  if (b === 'postgres' && !PG) { log('\n(PostgreSQL skipped: pass --pg URL or set EKS_SOC2_TEST_PG)'); continue; }
  results.push(await bench(b));
}
const file = join(ROOT, 'bench', 'out', 'store.json');
mkdirSync(dirname(file), { recursive: true });
const os = await import('node:os');
writeFileSync(file, `${JSON.stringify({ node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), date: new Date().toISOString(), days: DAYS, results }, null, 2)}\n`);
log(`(load average while measuring: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} on ${os.cpus().length} CPUs)`);
log(`\nfigures written to ${file}`);
