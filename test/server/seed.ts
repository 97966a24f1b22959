// Seeding the evidence store for the dashboard tests: the demo snapshot evaluated with the catalog
// once, then one run per day per cluster with `now` advanced day by day and a few controls
// flipping status on a fixed schedule. Older runs are stored lean (fewer findings, shorter texts) and
// with a small snapshot, so that a year of runs takes seconds; the newest runs are full.
import type { ClusterIdentity, ControlResult, Finding, RunResult, Snapshot, Status } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate, summarize } from '../../src/engine/index.js';
import { catalog, CATALOG_VERSION } from '../../src/catalog/index.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { clusterKey } from '../../src/store/index.js';

export const DAY = 86_400_000;

export interface SeedCluster {
  name: string;
  accountId?: string;
  region?: string;
  /** Daily runs, ending on the seed's `end` day. */
  runs: number;
  /** Put hostile strings in resource names, messages and waiver reasons too. */
  hostile?: boolean;
  /** Day of this cluster's newest run (default: the seed's `end`). */
  end?: string;
}

export interface SeedSpec {
  clusters: SeedCluster[];
  /** Day of the newest run (runs are at 02:00 UTC). */
  end: string;
  /** Newest runs per cluster stored with every finding and text (default 3). */
  fullRuns?: number;
}

export interface SeededCluster {
  key: string;
  identity: ClusterIdentity;
  runIds: string[];
  /** Evidence time of each run, oldest first. */
  ats: string[];
}

export const HOSTILE = {
  script: '<script>window.__pwned=1;alert("x")</script>',
  img: '"><img src=x onerror="window.__pwned=1;alert(1)">',
  ansi: '\u001b[31mred\u001b[0m\u202eevil\u202c-rtl',
  long: `${'<b>long</b>'.repeat(10)}${'L'.repeat(10_240)}`,
};

let base: { run: RunResult; snapshot: Snapshot } | undefined;
let leanBase: RunResult | undefined;

/** The demo evaluated as of 2025-01-01 (once per test file). */
export function baseRun(): { run: RunResult; snapshot: Snapshot } {
  if (base) return base;
  const now = new Date('2025-01-01T02:00:00Z');
  const snapshot = demoSnapshot('test', now);
  const p = demoPolicies(now);
  const run = evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: CATALOG_VERSION, now, startedAt: now, waivers: p.waivers, attestations: p.attestations });
  base = { run, snapshot };
  return base;
}

/** Controls whose status the schedule flips (chosen from the demo's results). */
export function flipControls(): { toFail: string[]; toPass: string[] } {
  const { run } = baseRun();
  const pass = run.controls.filter((c) => c.status === 'pass').map((c) => c.id);
  const fail = run.controls.filter((c) => c.status === 'fail').map((c) => c.id);
  return { toFail: pass.slice(0, 3), toPass: fail.slice(0, 2) };
}

function recount(c: ControlResult): void {
  const counts = { pass: 0, fail: 0, warn: 0, manual: 0, waived: 0, 'not-applicable': 0, error: 0 };
  for (const f of c.findings) if (!f.system) counts[f.status]++;
  c.counts = counts;
}

function setStatus(c: ControlResult, status: Status): void {
  if (c.status === status) return;
  if (status === 'fail') {
    const f = c.findings.find((x) => x.status === 'pass' && !x.system);
    if (f) f.status = 'fail';
    else c.findings.push({ rule: 'seeded', status: 'fail', severity: c.severity, resource: { provider: 'kubernetes', kind: 'Namespace', name: `seeded-${c.id.toLowerCase()}` }, message: 'seeded failure' });
    c.failSeverity = c.severity;
    c.message = 'seeded: failing';
  } else if (status === 'pass') {
    for (const f of c.findings) if (f.status === 'fail') f.status = 'pass';
    delete c.failSeverity;
    c.message = 'seeded: passing';
  } else if (status === 'error') {
    c.findings = [];
    delete c.failSeverity;
    c.message = 'seeded: evidence could not be collected';
  }
  c.status = status;
  recount(c);
}

/** Status of the flipped controls on day `i` of `n` (0 = oldest) for the cluster at position `k`. */
export function scheduled(i: number, n: number, k: number): Record<string, Status> {
  const { toFail, toPass } = flipControls();
  const out: Record<string, Status> = {};
  const last = i === n - 1;
  const beforeLast = i === n - 2;
  out[toFail[0]!] = last ? 'fail' : beforeLast ? 'pass' : (i + k * 7) % 30 >= 10 && (i + k * 7) % 30 < 14 ? 'fail' : 'pass';
  out[toFail[1]!] = i % 90 >= 40 && i % 90 < 50 ? 'fail' : 'pass';
  out[toFail[2]!] = i % 45 === 20 && !last ? 'error' : 'pass';
  out[toPass[0]!] = i % 20 < 10 ? 'pass' : 'fail';
  out[toPass[1]!] = last ? 'pass' : 'fail';
  return out;
}

function hostileFindings(c: ControlResult, i: number): void {
  const names = [HOSTILE.script, HOSTILE.img, HOSTILE.ansi, HOSTILE.long];
  c.findings.forEach((f: Finding, j) => {
    if (j >= names.length) return;
    f.resource = { ...f.resource, name: names[(i + j) % names.length]!, namespace: HOSTILE.img };
    f.message = `${HOSTILE.script} ${f.message}`;
  });
  c.message = `${HOSTILE.ansi} ${c.message}`;
  for (const w of c.waivers) w.reason = HOSTILE.img;
}

function leanCopy(c: ControlResult): void {
  c.findings = c.findings.filter((f) => f.status !== 'pass').slice(0, 3);
  c.description = c.description.slice(0, 100);
  c.remediation = { summary: c.remediation.summary.slice(0, 100) };
  c.references = [];
  c.notes = [];
}

/** One run of one cluster on day `i`. */
export function runFor(identity: ClusterIdentity, i: number, n: number, k: number, opts: { full: boolean; hostile?: boolean; at: Date }): RunResult {
  if (!leanBase) {
    leanBase = structuredClone(baseRun().run);
    for (const c of leanBase.controls) leanCopy(c);
  }
  const run = structuredClone(opts.full ? baseRun().run : leanBase);
  run.cluster = identity;
  run.startedAt = new Date(opts.at.getTime() - 42_000).toISOString();
  run.finishedAt = opts.at.toISOString();
  const plan = scheduled(i, n, k);
  for (const c of run.controls) {
    const st = plan[c.id];
    if (st) setStatus(c, st);
    if (opts.hostile) hostileFindings(c, i);
  }
  run.summary = summarize(run.controls);
  // Evidence gaps every 15th day and in the newest run (a permission the collector lacked).
  if (i % 15 === 7 || i === n - 1) {
    run.gaps = [{
      source: 'aws', key: 'aws:guardduty:ListDetectors', target: 'guardduty:ListDetectors eu-west-1', reason: 'access-denied',
      message: opts.hostile ? `${HOSTILE.img} AccessDenied` : 'guardduty:ListDetectors: AccessDenied', permission: 'guardduty:ListDetectors',
      fix: 'grant guardduty:ListDetectors to the collector role',
    }];
  }
  return run;
}

/** A small snapshot of the cluster (the server never reads snapshots; the store needs one per run). */
function smallSnapshot(identity: ClusterIdentity, full: boolean): Snapshot {
  const s = structuredClone(baseRun().snapshot);
  s.cluster = identity;
  if (!full) {
    s.kubernetes.objects = s.kubernetes.objects.filter((o) => o.kind === 'Namespace');
    s.aws.facts = [];
  }
  return s;
}

export function identityOf(c: SeedCluster): ClusterIdentity {
  return { name: c.name, ...(c.accountId ? { accountId: c.accountId } : {}), ...(c.region ? { region: c.region } : {}) };
}

export async function seedStore(store: EvidenceStore, spec: SeedSpec): Promise<SeededCluster[]> {
  const fullRuns = spec.fullRuns ?? 3;
  const out: SeededCluster[] = [];
  for (const [k, c] of spec.clusters.entries()) {
    const end = Date.parse(`${c.end ?? spec.end}T02:00:00.000Z`);
    const identity = identityOf(c);
    const lean = smallSnapshot(identity, false);
    const full = smallSnapshot(identity, true);
    const seeded: SeededCluster = { key: clusterKey(identity), identity, runIds: [], ats: [] };
    for (let i = 0; i < c.runs; i++) {
      const at = new Date(end - (c.runs - 1 - i) * DAY);
      const isFull = i >= c.runs - fullRuns;
      const run = runFor(identity, i, c.runs, k, { full: isFull, hostile: c.hostile, at });
      const stored = await store.appendRun(run, isFull ? full : lean, { at, storedAt: at });
      seeded.runIds.push(stored.runId);
      seeded.ats.push(at.toISOString());
    }
    out.push(seeded);
  }
  return out;
}
