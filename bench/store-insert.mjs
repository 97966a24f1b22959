#!/usr/bin/env node
// The insert of one very large run, alone (prints figures; not a timed test): generate the seeded
// snapshot of bench/large-snapshot.mjs, evaluate it, append it to a fresh store, load the snapshot
// back. Small enough to run under `node --cpu-prof`. Uses the built dist/ — run
// `npx tsc -p tsconfig.build.json` first.
//
//   node [--cpu-prof] bench/store-insert.mjs [--pods 150000] [--backend sqlite|postgres] [--pg URL] [--phases]
//
// --phases also times the pieces of the snapshot path on their own (serialise + hash, compress,
// decompress, parse), outside the store.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { largeSnapshot } from './large-snapshot.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'store', 'index.js'))) {
  process.stderr.write('bench/store-insert.mjs needs the build: run `npx tsc -p tsconfig.build.json` first\n');
  process.exit(2);
}
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const PODS = Number(flag('pods', '150000'));
const BACKEND = flag('backend', 'sqlite');
const PG = flag('pg', process.env.EKS_SOC2_TEST_PG);

const store = await import(join(DIST, 'store', 'index.js'));
const canonical = await import(join(DIST, 'store', 'canonical.js'));
const model = await import(join(DIST, 'model', 'index.js'));
const { evaluate } = await import(join(DIST, 'engine', 'index.js'));
const { catalog, CATALOG_VERSION } = await import(join(DIST, 'catalog', 'index.js'));

const log = (s) => process.stdout.write(`${s}\n`);
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
/** Wall and CPU milliseconds of `fn`. */
async function timed(fn) {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = await fn();
  const d = process.cpuUsage(c);
  return { value, wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
}
const fmt = (x) => `${x.wall.toFixed(0)} ms wall, ${x.cpu.toFixed(0)} ms CPU`;

const gen = await timed(() => largeSnapshot(model, PODS));
const snap = gen.value;
log(`generated ${snap.kubernetes.objects.length.toLocaleString('en')} objects: ${fmt(gen)}`);
const now = new Date('2026-01-01T02:00:00Z');
const ev = await timed(() => evaluate(snap, catalog, { config: model.defaultConfig(), toolVersion: 'bench', catalogVersion: CATALOG_VERSION, now, startedAt: now }));
log(`evaluated: ${fmt(ev)}`);

if (args.includes('--phases')) {
  const canon = await timed(() => canonical.canonicalBytes(snap));
  log(`  canonical JSON + sha256 (the snapshot form before issue 17): ${fmt(canon)} (${mb(canon.value.bytes.length)})`);
  if (canonical.snapshotBytes) {
    const plain = await timed(() => canonical.snapshotBytes(snap));
    log(`  JSON.stringify pieces + sha256 (snapshotBytes): ${fmt(plain)} (${mb(plain.value.bytes.length)})`);
  }
  const bytes = canon.value.bytes;
  for (const level of [6, 1]) {
    const z = await timed(() => gzipSync(bytes, { level }));
    log(`  gzipSync level ${level}: ${fmt(z)} → ${mb(z.value.length)}`);
    const u = await timed(() => gunzipSync(z.value));
    log(`  gunzipSync of it: ${fmt(u)}`);
  }
  const text = await timed(() => bytes.toString('utf8'));
  const parse = await timed(() => JSON.parse(text.value));
  log(`  utf8 decode ${fmt(text)}; JSON.parse ${fmt(parse)}`);
  const sightings = await timed(() => model.vulnerabilitySightings(snap.kubernetes.objects));
  log(`  vulnerabilitySightings: ${fmt(sightings)}`);
}

let target;
let cleanup;
if (BACKEND === 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-bench-'));
  target = { kind: 'sqlite', path: join(dir, 'evidence.db') };
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
} else {
  if (!PG) throw new Error('--backend postgres needs --pg URL or EKS_SOC2_TEST_PG');
  const { default: pg } = await import('pg');
  const db = `eks_soc2_bench_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const u = new URL(PG);
  u.pathname = `/${db}`;
  target = { kind: 'postgres', url: u.toString() };
  cleanup = async () => {
    const a = new pg.Client({ connectionString: PG });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await a.end();
  };
}
try {
  const s = await store.openStore(target, { mode: 'write', toolVersion: 'bench' });
  const ins = await timed(() => s.appendRun(ev.value, snap, { at: now }));
  const row = (await s.driver.all('SELECT raw_bytes, stored_bytes FROM snapshots WHERE digest = ?', [ins.value.snapshotDigest]))[0];
  log(`insert (${BACKEND}): ${fmt(ins)}; snapshot ${mb(Number(row.raw_bytes))} → ${mb(Number(row.stored_bytes))} stored`);
  const again = await timed(() => s.appendRun(ev.value, snap, { at: now }));
  log(`insert of the same snapshot again (deduplicated: ${again.value.snapshotDeduplicated}): ${fmt(again)}`);
  const load = await timed(() => s.loadSnapshot(ins.value.snapshotDigest));
  log(`load the snapshot back: ${fmt(load)} (${load.value.kubernetes.objects.length.toLocaleString('en')} objects)`);
  await s.close();
} finally {
  await cleanup();
}
