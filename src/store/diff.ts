import type {
  ControlChange, ControlResult, DiffChange, Finding, FindingStatus, ResourceChange, RunDiff, RunDiffSide, RunResult,
} from '../model/index.js';
import { DIFF_SCHEMA, resultSeverity } from '../model/index.js';
import { clusterKey } from './records.js';
import { eachFinding } from '../model/findings.js';

/** Worst first: the status a resource has under a rule when several findings name it. */
const RANK: Record<FindingStatus, number> = { fail: 7, error: 6, warn: 5, waived: 4, manual: 3, pass: 2, 'not-applicable': 1 };
const CHANGE_ORDER: DiffChange[] = ['newly-failing', 'fixed', 'changed', 'added', 'removed'];

function resourceKey(control: string, f: Finding): string {
  const r = f.resource;
  return [control, f.rule, r.provider, r.kind, r.namespace ?? '', r.name, r.arn ?? ''].join('\u0000');
}

function findingsByResource(run: RunResult, c: ControlResult | undefined): Map<string, Finding> {
  const m = new Map<string, Finding>();
  if (!c) return m;
  for (const f of eachFinding(run, c)) {
    const k = resourceKey(c!.id, f);
    const cur = m.get(k);
    if (!cur || RANK[f.status] > RANK[cur.status]) m.set(k, f);
  }
  return m;
}

function change(from: FindingStatus | undefined, to: FindingStatus | undefined): DiffChange | undefined {
  if (from === to) return undefined;
  if (to === 'fail') return 'newly-failing';
  if (from === 'fail' && (to === 'pass' || to === undefined)) return 'fixed';
  return 'changed';
}

function side(run: RunResult, extra: Partial<RunDiffSide>): RunDiffSide {
  return {
    ...(run.runId ? { runId: run.runId } : {}),
    at: run.finishedAt,
    cluster: run.cluster,
    score: run.summary.score,
    ...(run.snapshotDigest ? { snapshotDigest: run.snapshotDigest } : {}),
    catalogVersion: run.catalogVersion,
    toolVersion: run.tool.version,
    ...extra,
  };
}

const failing = (c: ControlResult | undefined) => (c ? c.findings.filter((f) => f.status === 'fail' && !f.system).length : 0);

/**
 * What changed from run `a` (older) to run `b` (newer): controls and resources that newly fail,
 * were fixed, or changed status. Pure.
 */
export function diffRuns(a: RunResult, b: RunResult, extra: { from?: Partial<RunDiffSide>; to?: Partial<RunDiffSide> } = {}): RunDiff {
  const from = side(a, extra.from ?? {});
  const to = side(b, extra.to ?? {});
  const aById = new Map(a.controls.map((c) => [c.id, c]));
  const bById = new Map(b.controls.map((c) => [c.id, c]));
  const ids = [...b.controls.map((c) => c.id), ...a.controls.filter((c) => !bById.has(c.id)).map((c) => c.id)];

  const controls: ControlChange[] = [];
  const resources: ResourceChange[] = [];
  let unchanged = 0;
  for (const id of ids) {
    const ca = aById.get(id);
    const cb = bById.get(id);
    const meta = (cb ?? ca)!;
    let ch: DiffChange | undefined = !ca ? 'added' : !cb ? 'removed' : change(ca.status, cb.status);
    let reclassified = 0;
    if (ca && cb) {
      const fa = findingsByResource(a, ca);
      const fb = findingsByResource(b, cb);
      for (const [k, f] of fb) {
        const old = fa.get(k);
        const rc = change(old?.status, f.status);
        if (!rc || rc === 'added' || rc === 'removed') continue;
        // fail → warn: the rule was re-classified as recommended; nothing was fixed.
        const moved = old?.status === 'fail' && f.status === 'warn';
        if (moved && !f.system) reclassified++;
        resources.push({
          control: id, rule: f.rule, resource: f.resource, change: rc,
          ...(old ? { from: old.status } : {}), to: f.status, severity: f.severity,
          message: moved ? `now a warning (the rule is recommended, not required): ${f.message}` : f.message,
          ...(f.system ? { system: true } : {}),
        });
      }
      for (const [k, f] of fa) {
        if (fb.has(k) || f.status !== 'fail') continue;
        resources.push({
          control: id, rule: f.rule, resource: f.resource, change: 'fixed', from: f.status, severity: f.severity,
          message: `no longer reported (was: ${f.message})`, ...(f.system ? { system: true } : {}),
        });
      }
    }
    // A control that stopped failing because its failures became warnings (a rule re-classified as
    // recommended, or a run@1 compared with a run@2) was not fixed: it changed.
    if (ch === 'fixed' && reclassified > 0) ch = 'changed';
    if (ch) {
      controls.push({
        id, title: meta.title, section: meta.section, severity: resultSeverity(meta), change: ch,
        ...(ca ? { from: ca.status } : {}), ...(cb ? { to: cb.status } : {}),
        failingFrom: failing(ca), failingTo: failing(cb),
        ...(reclassified ? { reclassified } : {}),
      });
    } else {
      unchanged++;
    }
  }
  controls.sort((x, y) => CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change));
  resources.sort((x, y) => CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change) || Number(Boolean(x.system)) - Number(Boolean(y.system)));

  const cCount = { 'newly-failing': 0, fixed: 0, changed: 0, added: 0, removed: 0, unchanged };
  for (const c of controls) cCount[c.change]++;
  const rCount = { 'newly-failing': 0, fixed: 0, changed: 0 };
  for (const r of resources) rCount[r.change]++;
  return {
    schema: DIFF_SCHEMA,
    from,
    to,
    sameCluster: (from.clusterKey ?? clusterKey(a.cluster)) === (to.clusterKey ?? clusterKey(b.cluster)),
    summary: { controls: cCount, resources: rCount, scoreDelta: Math.round((b.summary.score - a.summary.score) * 10) / 10 },
    controls,
    resources,
  };
}
