#!/usr/bin/env node
// Dashboard benchmark (prints figures; not a timed test). Uses the built dist/ — run
// `npx tsc -p tsconfig.build.json` first.
//
//   node bench/dashboard.mjs [--clusters 10] [--days 365] [--n 40] [--db PATH] [--keep] [--pg URL]
//        [--pg-db NAME] [--jobs N] [--batch 73] [--one-by-one] [--seed-only] [--no-report] [--no-fleet-report]
//
// With --pg URL (a PostgreSQL server, e.g. $EKS_SOC2_TEST_PG) the store is a fresh database on it,
// dropped afterwards; with --pg-db NAME it is that database, kept, and reused as it is when it holds
// runs (seed once with --seed-only, measure many times; a store that holds fewer runs than
// --clusters × --days, a seeding cut short, is topped up first: each cluster resumes after its last
// stored day). The fleet simulation:
//   node bench/dashboard.mjs --pg URL --pg-db eks_soc2_fleet --clusters 200 --days 365 --jobs 2 --seed-only
//   node bench/dashboard.mjs --pg URL --pg-db eks_soc2_fleet --clusters 200 --days 365 --n 40
//
// 1. Seeds the store with `--days` daily runs for each of `--clusters` clusters: the demo snapshot
//    evaluated with the catalog once, `now` advanced day by day, five controls flipping status, full
//    results; every run stored through the store's write path — `appendRuns` (one transaction per
//    `--batch` runs of a cluster, one snapshot) or, with --one-by-one, `appendRun` per run — in
//    `--jobs` processes (clusters split between them). Then verifies three seeded clusters' chains.
// 2. Starts the dashboard on 127.0.0.1 (an ephemeral port) the way `eks-soc2 serve` wires it.
// 3. Requests each endpoint of the overview, controls and control pages N times, cycling through
//    the clusters (so per-run caches see the whole store), and prints the first (cold) answer, the
//    median and the 95th percentile per endpoint, and each page's API calls in sequence.
// 4. Times `eks-soc2 report` over the whole window end to end (a new process: one cluster with
//    --format json and the default format, then every cluster). Figures go to bench/out/dashboard.json.
// The machine's load average is printed next to the figures: on a shared machine it matters.
import { execFileSync, execSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'server', 'index.js'))) {
  process.stderr.write('bench/dashboard.mjs needs the build: run `npx tsc -p tsconfig.build.json` first\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const CLUSTERS = Number(flag('clusters', '10'));
const DAYS = Number(flag('days', '365'));
const N = Number(flag('n', '40'));
const KEEP = args.includes('--keep');
const DB_ARG = flag('db', undefined);
const PG = flag('pg', undefined);
/** PostgreSQL: seed into (or reuse, when it holds runs) this database, and keep it. */
const PG_DB = flag('pg-db', undefined);
/** Parallel seeding processes (PostgreSQL); runs per appendRuns transaction; appendRun per run instead. */
const JOBS = Number(flag('jobs', '1'));
const BATCH = Math.max(1, Number(flag('batch', '73')));
const ONE_BY_ONE = args.includes('--one-by-one');
/** Skip the `eks-soc2 report` timings, or the fleet-wide one only (it verifies every stored run). */
const NO_REPORT = args.includes('--no-report');
const NO_FLEET_REPORT = args.includes('--no-fleet-report');
const SEED_ONLY = args.includes('--seed-only');
if (SEED_ONLY && PG && !PG_DB) {
  process.stderr.write('--seed-only on PostgreSQL needs --pg-db NAME (the database to seed and keep)\n');
  process.exit(2);
}

const { openStore } = await import(join(DIST, 'store', 'index.js'));
const { evaluate, summarize, score } = await import(join(DIST, 'engine', 'index.js'));
const { computePeriod } = await import(join(DIST, 'engine', 'period.js'));
const { catalog, CATALOG_VERSION } = await import(join(DIST, 'catalog', 'index.js'));
const { demoSnapshot, demoPolicies } = await import(join(DIST, 'collectors', 'demo', 'index.js'));
const { defaultConfig } = await import(join(DIST, 'model', 'index.js'));
const { startDashboard } = await import(join(DIST, 'server', 'index.js'));
const { periodExports } = await import(join(DIST, 'cli', 'commands', 'serve.js'));

const VERSION = 'bench';
const DAY = 86_400_000;
const log = (s) => process.stdout.write(`${s}\n`);
const uptime = () => {
  try {
    return execSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
};
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const p95 = (xs) => { const s = sorted(xs); return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]; };
const f1 = (x) => x.toFixed(1);

// ------------------------------------------------------------------ seeding

const END = Date.parse('2025-12-31T02:00:00.000Z');
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];

function setStatus(c, status) {
  if (c.status === status) return;
  if (status === 'fail') {
    const f = c.findings.find((x) => x.status === 'pass' && !x.system);
    if (f) f.status = 'fail';
    else c.findings.push({ rule: 'bench', status: 'fail', severity: c.severity, resource: { provider: 'kubernetes', kind: 'Namespace', name: `bench-${c.id.toLowerCase()}` }, message: 'bench failure' });
    c.failSeverity = c.severity;
  } else if (status === 'pass') {
    for (const f of c.findings) if (f.status === 'fail') f.status = 'pass';
    delete c.failSeverity;
  } else {
    c.findings = [];
    c.passed = [];
    delete c.failSeverity;
  }
  c.status = status;
  const counts = { pass: 0, fail: 0, warn: 0, manual: 0, waived: 0, 'not-applicable': 0, error: 0 };
  for (const f of c.findings) if (!f.system) counts[f.status]++;
  for (const g of c.passed ?? []) counts[g.status] += g.resources.length; // run@3: passes as indices
  c.counts = counts;
}

/** The base result and the ids of the controls whose status varies from run to run. */
function prepareBase() {
  const start = new Date(END - (DAYS - 1) * DAY);
  const snapshot = demoSnapshot(VERSION, start);
  const p = demoPolicies(start);
  const base = evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: VERSION, catalogVersion: CATALOG_VERSION, now: start, startedAt: start, waivers: p.waivers, attestations: p.attestations });
  const pass = base.controls.filter((c) => c.status === 'pass').map((c) => c.id);
  const fail = base.controls.filter((c) => c.status === 'fail').map((c) => c.id);
  return { snapshot, base, pass, fail };
}

/**
 * Day i of cluster k: the base result with five controls' statuses varied. Only those five controls
 * are copied (setStatus changes their findings); the rest are shared with the base, read-only.
 */
function runOf({ base, pass, fail }, k, i, identity) {
  const at = new Date(END - (DAYS - 1 - i) * DAY);
  const varied = new Map([
    [pass[0], (i + k * 7) % 30 >= 10 && (i + k * 7) % 30 < 14 ? 'fail' : 'pass'],
    [pass[1], i % 90 >= 40 && i % 90 < 50 ? 'fail' : 'pass'],
    [pass[2], i % 45 === 20 ? 'error' : 'pass'],
    [fail[0], i % 20 < 10 ? 'pass' : 'fail'],
    [fail[1], i === DAYS - 1 ? 'pass' : 'fail'],
  ]);
  const run = { ...base, cluster: identity, controls: base.controls.map((c) => {
    if (!varied.has(c.id)) return c;
    const copy = structuredClone(c);
    setStatus(copy, varied.get(c.id));
    return copy;
  }) };
  run.startedAt = new Date(at.getTime() - 40_000 - k * 1000).toISOString();
  run.finishedAt = at.toISOString();
  run.summary = summarize(run.controls);
  run.gaps = i % 15 === 7 ? [{ source: 'aws', key: 'aws:guardduty:ListDetectors', target: 'guardduty:ListDetectors', reason: 'access-denied', message: 'AccessDenied', permission: 'guardduty:ListDetectors' }] : base.gaps;
  return { run, at, storedAt: at };
}

const identityOf = (k) => ({ name: `bench-${String(k).padStart(2, '0')}`, accountId: '111122223333', region: REGIONS[k % REGIONS.length] });

/**
 * Seed clusters k ≡ job (mod jobs) through the store's write path: `appendRuns` (one transaction per
 * batch of a cluster's days, the one snapshot canonicalised once per batch), or `appendRun` per run
 * with --one-by-one (the path `scan --store` takes).
 */
async function seedPart(target, job, jobs, held = {}) {
  const t0 = performance.now();
  const prepared = prepareBase();
  const store = await openStore(target, { mode: 'write', toolVersion: VERSION });
  if (target.kind === 'sqlite') await store.driver.all('PRAGMA synchronous = OFF'); // seeding only
  let n = 0;
  for (let k = job; k < CLUSTERS; k += jobs) {
    const identity = identityOf(k);
    // Topping up: days 0 … held-1 are stored (batches commit in day order), the rest are written.
    const from = held[identity.name] ?? 0;
    if (from >= DAYS) continue;
    const snap = { ...prepared.snapshot, cluster: identity };
    for (let i = from; i < DAYS; i += BATCH) {
      const items = [];
      for (let d = i; d < Math.min(DAYS, i + BATCH); d++) items.push(runOf(prepared, k, d, identity));
      if (ONE_BY_ONE) for (const x of items) await store.appendRun(x.run, snap, { at: x.at, storedAt: x.storedAt });
      else await store.appendRuns(snap, items);
      n += items.length;
    }
    log(`  seeded ${identity.name}: ${DAYS - from} runs${from ? ` after the ${from} held` : ''} (${f1((performance.now() - t0) / 1000)} s so far${jobs > 1 ? `, job ${job + 1}/${jobs}` : ''})`);
  }
  await store.close();
  return n;
}

async function seed(target, held = {}) {
  const t0 = performance.now();
  if (JOBS <= 1) {
    await seedPart(target, 0, 1, held);
  } else {
    // Parallel writers (one connection each; every cluster has its own chain and lock).
    const self = fileURLToPath(import.meta.url);
    await Promise.all(Array.from({ length: JOBS }, (_, j) => new Promise((resolve, reject) => {
      const child = fork(self, args, { env: { ...process.env, BENCH_SEED_JOB: `${j}/${JOBS}`, BENCH_SEED_TARGET: JSON.stringify(target), BENCH_SEED_HELD: JSON.stringify(held) } });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding job ${j + 1} exited with ${code}`))));
    })));
  }
  return (performance.now() - t0) / 1000;
}

/** Runs held per cluster name, for topping up a store whose seeding was cut short. */
async function heldRuns(target) {
  // Write mode: an empty database gets the schema (it is seeded next).
  const store = await openStore(target, { mode: 'write', toolVersion: VERSION });
  try {
    const rows = await store.driver.all('SELECT c.name AS name, COUNT(r.run_id) AS n FROM clusters c LEFT JOIN runs r ON r.cluster_key = c.cluster_key GROUP BY c.name');
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  } finally {
    await store.close();
  }
}

/** Seed what a store lacks of CLUSTERS × DAYS (every run when it is empty); the seconds it took, or undefined when it lacked nothing. */
async function topUp(target, where) {
  const held = await heldRuns(target);
  const missing = Array.from({ length: CLUSTERS }, (_, k) => Math.max(0, DAYS - (held[identityOf(k).name] ?? 0))).reduce((a, b) => a + b, 0);
  const total = Object.values(held).reduce((a, b) => a + b, 0);
  if (missing === 0) {
    log(`using ${where} as it is (${total} runs)`);
    return undefined;
  }
  log(`${total ? `topping up ${where} (${total} runs held, ${missing} missing)` : `seeding ${CLUSTERS} cluster(s) × ${DAYS} daily runs into ${where}`} (${ONE_BY_ONE ? 'appendRun per run' : `appendRuns, ${BATCH} runs a transaction`}, ${JOBS} job(s)) …`);
  const seconds = await seed(target, held);
  log(`seeded ${missing} runs in ${f1(seconds)} s (${f1((seconds * 1000) / missing)} ms a run)`);
  return seconds;
}

/** Verify the chains of a sample of clusters (every run's record, result and rows), as `eks-soc2 verify` does. */
async function verifySample(target, clusterKeys) {
  const store = await openStore(target, { mode: 'read', toolVersion: VERSION });
  const t = performance.now();
  const v = await store.verify({ clusterKeys });
  await store.close();
  return { ok: v.ok, clusters: v.clusters.length, runsChecked: v.runsChecked, problems: v.problems.length, seconds: (performance.now() - t) / 1000 };
}

// ------------------------------------------------------------------ measuring

async function main() {
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  const dir = DB_ARG ? undefined : mkdtempSync(join(tmpdir(), 'eks-soc2-bench-dashboard-'));
  const path = DB_ARG ?? join(dir, 'evidence.db');
  log(`node ${process.version}, ${cpus().length} CPU(s)`);
  const before = uptime();
  log(`before: ${before}`);
  let seedSeconds;
  let target = { kind: 'sqlite', path };
  let dropPg;
  if (PG) {
    const pg = (await import('pg')).default;
    const name = PG_DB ?? `eks_soc2_bench_${Date.now().toString(36)}`;
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--pg-db ${name}: use lower-case letters, digits and _`);
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0;
    if (!exists) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG);
    url.pathname = `/${name}`;
    target = { kind: 'postgres', url: url.toString() };
    if (!PG_DB) dropPg = async () => { const c = new pg.Client({ connectionString: PG }); await c.connect(); await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await c.end(); };
    seedSeconds = await topUp(target, `PostgreSQL database ${name}`);
  } else {
    seedSeconds = await topUp(target, existsSync(path) ? `the existing store ${path}` : path);
  }
  let verified;
  if (seedSeconds !== undefined) {
    // The seeded chains verify: a sample of three clusters, every run of each.
    const keys = [0, Math.floor(CLUSTERS / 2), CLUSTERS - 1].filter((k, i, a) => a.indexOf(k) === i).map((k) => { const c = identityOf(k); return `eks:${c.accountId}:${c.region}:${c.name}`; });
    verified = await verifySample(target, keys);
    log(`verify of ${verified.clusters} seeded cluster(s): ${verified.ok ? 'ok' : `${verified.problems} PROBLEM(S)`}, ${verified.runsChecked} runs checked in ${f1(verified.seconds)} s`);
    if (!verified.ok) throw new Error('the seeded store does not verify');
  }
  if (SEED_ONLY) {
    if (target.kind === 'postgres') log(`store kept: ${target.url.replace(/:[^:@/]*@/, ':***@')}`);
    return;
  }

  const store = await openStore(target, { mode: 'read', toolVersion: VERSION });
  const storeBytes = PG ? await store.sizeBytes() : statSync(path).size;
  const running = await startDashboard({
    store, computePeriod, score, periodFormats: await periodExports(undefined), toolVersion: VERSION, host: '127.0.0.1', port: 0,
  });
  const base = running.url.replace(/\/$/, '');
  const clusters = (await (await fetch(`${base}/api/clusters`)).json()).clusters;
  log(`dashboard on ${running.url} over ${clusters.length} cluster(s), ${clusters.reduce((n, c) => n + c.runs, 0)} runs, store ${(storeBytes / 1048576).toFixed(1)} MB`);
  const latest = new Map(clusters.map((c) => [c.id, c.latest.runId]));
  const first = new Date(Date.parse(clusters[0].lastRunAt) - (DAYS - 1) * DAY).toISOString().slice(0, 10);
  const last = clusters[0].lastRunAt.slice(0, 10);

  const pages = {
    overview: [
      ['GET / (HTML shell)', () => '/'],
      ['GET /assets/js/main.js', () => '/assets/js/main.js'],
      ['GET /assets/app.css', () => '/assets/app.css'],
      ['GET /api/meta', () => '/api/meta'],
      ['GET /api/clusters', () => '/api/clusters'],
      ['GET /api/overview (90 days)', (c) => `/api/overview?cluster=${c}&days=90`],
      ['GET /api/overview (365 days)', (c) => `/api/overview?cluster=${c}&days=365`],
    ],
    controls: [
      ['GET /controls (HTML shell)', () => '/controls'],
      ['GET /api/controls (30-run strips)', (c) => `/api/controls?cluster=${c}&history=30`],
    ],
    control: [
      ['GET /controls/ID (HTML shell)', () => '/controls/CC5-HARD-03'],
      ['GET /api/controls/ID (90 days)', (c) => `/api/controls/CC5-HARD-03?cluster=${c}`],
      ['GET /api/controls/ID (a year)', (c) => `/api/controls/CC5-HARD-03?cluster=${c}&from=${first}&to=${last}`],
      ['GET /api/runs/ID/findings (25)', (c) => `/api/runs/${latest.get(c)}/findings?control=CC5-HARD-03&status=fail&limit=25`],
    ],
    other: [
      ['GET /metrics', () => '/metrics'],
      ['GET /api/runs (50)', (c) => `/api/runs?cluster=${c}&limit=50`],
      ['GET /api/period (1 cluster, 90 days)', (c) => `/api/period?cluster=${c}&verify=0`],
      ['GET /api/period (1 cluster, a year)', (c) => `/api/period?cluster=${c}&from=${first}&to=${last}&verify=0`],
      ['GET /api/period/verification (1 cluster)', (c) => `/api/period/verification?cluster=${c}`],
    ],
  };

  const results = [];
  for (const [page, endpoints] of Object.entries(pages)) {
    for (const [name, url] of endpoints) {
      const times = [];
      let cold;
      const n = page === 'other' ? Math.max(5, Math.round(N / 4)) : N;
      for (let i = 0; i < n; i++) {
        const c = clusters[i % clusters.length].id;
        const t = performance.now();
        const res = await fetch(base + url(c));
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
        await res.arrayBuffer();
        const ms = performance.now() - t;
        if (i === 0) cold = ms;
        times.push(ms);
      }
      results.push({ page, endpoint: name, n, coldMs: cold, medianMs: median(times), p95Ms: p95(times), maxMs: Math.max(...times) });
    }
  }

  // A page as the browser loads it: its API calls in sequence, cycling through the clusters.
  const pageLoads = {};
  const sequences = {
    overview: (c) => ['/api/meta', '/api/clusters', `/api/overview?cluster=${c}&days=90`],
    controls: (c) => ['/api/meta', '/api/clusters', `/api/controls?cluster=${c}&history=30`],
    control: (c) => ['/api/meta', '/api/clusters', `/api/controls/CC5-HARD-03?cluster=${c}`, `/api/runs/${latest.get(c)}/findings?control=CC5-HARD-03&status=fail&limit=25`],
    // The period page shows the period (verify=0), then asks for the chain check on its own (timed below).
    'period (90 days)': (c) => ['/api/meta', '/api/clusters', `/api/period?cluster=${c}&verify=0`],
    'period (a year)': (c) => ['/api/meta', '/api/clusters', `/api/period?cluster=${c}&from=${first}&to=${last}&verify=0`],
  };
  for (const [page, seq] of Object.entries(sequences)) {
    const times = [];
    for (let i = 0; i < N; i++) {
      const c = clusters[(i * 3) % clusters.length].id;
      const t = performance.now();
      for (const u of seq(c)) await (await fetch(base + u)).arrayBuffer();
      times.push(performance.now() - t);
    }
    pageLoads[page] = { n: N, medianMs: median(times), p95Ms: p95(times) };
  }

  await running.close();
  await store.close();

  // `eks-soc2 report` over the whole window, end to end (a fresh process: start-up, store reads,
  // the chain check of every run it covers, the period computation, the output).
  const reports = [];
  if (!NO_REPORT) {
    const out = mkdtempSync(join(tmpdir(), 'eks-soc2-bench-report-'));
    const storeUrl = target.kind === 'postgres' ? target.url : `sqlite:${path}`;
    const cases = [
      ['one cluster, json', ['--cluster', identityOf(0).name, '--format', 'json', '-o', out]],
      ['one cluster, terminal', ['--cluster', identityOf(0).name]],
      ...(NO_FLEET_REPORT ? [] : [['fleet, json', ['--format', 'json', '-o', out]], ['fleet, terminal', []]]),
    ];
    for (const [name, extra] of cases) {
      const t = performance.now();
      let status = 0;
      try {
        execFileSync(process.execPath, [join(ROOT, 'bin', 'eks-soc2.mjs'), 'report', '--store', storeUrl, '--from', first, '--to', last, '--now', `${last}T12:00:00Z`, '--no-config', ...extra],
          { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' } });
      } catch (err) {
        status = err.status ?? -1;
      }
      const seconds = (performance.now() - t) / 1000;
      reports.push({ report: name, seconds, exit: status });
      log(`eks-soc2 report ${first}..${last}, ${name}: ${f1(seconds)} s (exit ${status})`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  if (dropPg && !KEEP) await dropPg();
  const after = uptime();

  log('');
  log(`${'page'.padEnd(9)} ${'endpoint'.padEnd(36)} ${'n'.padStart(4)} ${'cold ms'.padStart(9)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
  for (const r of results) {
    log(`${r.page.padEnd(9)} ${r.endpoint.padEnd(36)} ${String(r.n).padStart(4)} ${f1(r.coldMs).padStart(9)} ${f1(r.medianMs).padStart(10)} ${f1(r.p95Ms).padStart(8)} ${f1(r.maxMs).padStart(8)}`);
  }
  log('');
  log('whole page (its API calls in sequence, as the UI makes them):');
  for (const [p, r] of Object.entries(pageLoads)) log(`  ${p.padEnd(17)} median ${f1(r.medianMs)} ms, p95 ${f1(r.p95Ms)} ms (n=${r.n})`);
  log('');
  for (const r of reports) log(`report ${r.report.padEnd(22)} ${f1(r.seconds)} s (exit ${r.exit})`);
  log(`after: ${after}`);

  const out = {
    node: process.version, cpus: cpus().length, date: new Date().toISOString(), clusters: CLUSTERS, days: DAYS, n: N, backend: target.kind,
    storeBytes, ...(seedSeconds !== undefined ? { seedSeconds } : {}), uptimeBefore: before, uptimeAfter: after, results, pageLoads, reports, ...(verified ? { verified } : {}),
  };
  writeFileSync(join(ROOT, 'bench', 'out', 'dashboard.json'), `${JSON.stringify(out, null, 2)}\n`);
  if (dir && !KEEP) rmSync(dir, { recursive: true, force: true });
  else log(`store kept at ${path}`);
}

if (process.env.BENCH_SEED_JOB) {
  const [job, jobs] = process.env.BENCH_SEED_JOB.split('/').map(Number);
  await seedPart(JSON.parse(process.env.BENCH_SEED_TARGET), job, jobs, JSON.parse(process.env.BENCH_SEED_HELD ?? '{}'));
} else {
  await main();
}
