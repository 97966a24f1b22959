#!/usr/bin/env node
// Dashboard under held connections (issue 18 item 18; prints figures, not a timed test). Uses the
// built dist/ — run `npx tsc -p tsconfig.build.json` first.
//
//   node bench/dashboard-load.mjs [--idle 10000] [--probes 50]
//
// Starts the dashboard on 127.0.0.1 with its default limits (DEFAULT_MAX_CONNECTIONS, the
// DASHBOARD_TIMEOUTS), measures /healthz (fresh connection each time) with nothing else going on,
// then opens --idle TCP connections that never send a byte and measures /healthz again while they
// are held; last, how long the server takes to close every held connection (the cap closes the
// oldest idle ones as new ones arrive, the headers timeout the rest). Figures go to
// bench/out/dashboard-load.json.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'server', 'index.js'))) {
  process.stderr.write('bench/dashboard-load.mjs needs the build: run `npx tsc -p tsconfig.build.json` first\n');
  process.exit(2);
}
const args = process.argv.slice(2);
const flag = (name, dflt) => { const i = args.indexOf(`--${name}`); return i === -1 ? dflt : args[i + 1]; };
const IDLE = Number(flag('idle', '10000'));
const PROBES = Number(flag('probes', '50'));

const { openStore } = await import(join(DIST, 'store', 'index.js'));
const { startDashboard, DEFAULT_MAX_CONNECTIONS, DASHBOARD_TIMEOUTS } = await import(join(DIST, 'server', 'index.js'));
const { score } = await import(join(DIST, 'engine', 'index.js'));
const { computePeriod } = await import(join(DIST, 'engine', 'period.js'));

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => { const s = sorted(xs); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const uptime = () => { try { return execSync('uptime', { encoding: 'utf8' }).trim(); } catch { return `load ${loadavg().join(' ')}`; } };

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-load-'));
const store = await openStore({ kind: 'sqlite', path: join(dir, 'e.db') }, { mode: 'write', toolVersion: 'bench' });
const logs = [];
const d = await startDashboard({ store, computePeriod, score, toolVersion: 'bench', host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });

function probe() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port: d.port, path: '/healthz', agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t0 }));
    });
    req.on('error', (e) => resolve({ ok: false, ms: performance.now() - t0, error: e.code }));
    req.on('timeout', () => { req.destroy(); resolve({ ok: false, ms: performance.now() - t0, error: 'timeout' }); });
    req.end();
  });
}
async function probes(n) {
  const rs = [];
  for (let i = 0; i < n; i++) rs.push(await probe());
  const ms = rs.map((r) => r.ms);
  return { answered: rs.filter((r) => r.ok).length, of: n, medianMs: pct(ms, 0.5), p95Ms: pct(ms, 0.95), maxMs: Math.max(...ms), over1s: ms.filter((x) => x > 1000).length };
}

const baseline = await probes(PROBES);
const sockets = [];
const closedAt = [];
const t0 = performance.now();
for (let i = 0; i < IDLE; i += 500) {
  await Promise.all(Array.from({ length: Math.min(500, IDLE - i) }, () => new Promise((resolve) => {
    const s = connect(d.port, '127.0.0.1');
    s.resume();
    s.on('error', () => undefined);
    s.once('close', () => { closedAt.push(performance.now() - t0); resolve(); });
    s.once('connect', resolve);
    sockets.push(s);
  })));
}
const openedMs = performance.now() - t0;
const heldOpen = sockets.filter((s) => !s.destroyed).length;
const loaded = await probes(PROBES);
while (closedAt.length < IDLE && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
const result = {
  machine: { nproc: cpus().length, node: process.version, uptime: uptime(), date: new Date().toISOString() },
  limits: { maxConnections: DEFAULT_MAX_CONNECTIONS, timeouts: DASHBOARD_TIMEOUTS },
  idleConnections: IDLE, openedInMs: Math.round(openedMs), stillOpenAfterOpening: heldOpen,
  healthzBaseline: baseline, healthzWhileHeld: loaded,
  closedByServer: closedAt.length, allClosedAfterMs: closedAt.length === IDLE ? Math.round(Math.max(...closedAt)) : undefined,
  capLog: logs.filter((l) => l.startsWith('connection cap')).slice(-1)[0],
};
for (const s of sockets) s.destroy();
await d.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(ROOT, 'bench/out'), { recursive: true });
writeFileSync(join(ROOT, 'bench/out/dashboard-load.json'), `${JSON.stringify(result, null, 2)}\n`);
const f = (p) => `${p.answered}/${p.of} answered, median ${p.medianMs.toFixed(1)} ms, p95 ${p.p95Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms, over 1 s: ${p.over1s}`;
process.stdout.write([
  `${result.machine.uptime} · ${result.machine.nproc} cores · Node.js ${result.machine.node}`,
  `limits: ${DEFAULT_MAX_CONNECTIONS} connections; headers ${DASHBOARD_TIMEOUTS.headers / 1000} s, request ${DASHBOARD_TIMEOUTS.request / 1000} s, keep-alive ${DASHBOARD_TIMEOUTS.keepAlive / 1000} s, idle ${DASHBOARD_TIMEOUTS.idle / 1000} s`,
  `/healthz alone:                 ${f(baseline)}`,
  `${IDLE.toLocaleString('en')} idle connections opened in ${(openedMs / 1000).toFixed(1)} s (${heldOpen.toLocaleString('en')} still open once all were opened)`,
  `/healthz while they are held:   ${f(loaded)}`,
  `closed by the server: ${closedAt.length.toLocaleString('en')} of ${IDLE.toLocaleString('en')}${result.allClosedAfterMs !== undefined ? `, the last ${(result.allClosedAfterMs / 1000).toFixed(1)} s after the first was opened` : ''}`,
].join('\n') + '\n');
