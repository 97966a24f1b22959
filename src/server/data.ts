import { createHash } from 'node:crypto';
import type {
  AppliedWaiver, Attestation, AttestationIssue, AutomationLevel, ClusterIdentity, ControlResult, EvidenceGap, Finding,
  FindingCounts, OwnerRef, PeriodControl, PeriodResult, PeriodVerification, ResourceChange, RunDiff, RunResult, SectionId, Severity, Status,
  StatusCounts, WaiverIssue,
} from '../model/index.js';
import { AUTOMATION_LEVELS, FINDING_STATUSES, SECTIONS, SEVERITIES, STATUSES, defaultSeverityOf, resultSeverity } from '../model/index.js';
import type { ClusterInfo, EvidenceStore, RunInfo } from '../store/index.js';
import { StoreError, clusterLabel, diffRuns } from '../store/index.js';
import { badRequest, notFound } from './errors.js';
import { expandGroup, findingTotal, systemFindingTotal } from '../model/findings.js';
import type { ComputePeriod, PeriodInput, ScoreCounts } from './types.js';
import type { Window } from './window.js';
import { resolveWindow } from './window.js';
import { verifyPeriodEvidence } from '../report/verification.js';

/** How long the dashboard reuses a chain check of the store. */
const VERIFY_TTL_MS = 60_000;

/**
 * What the dashboard reads, shaped for its pages. Everything comes from the store's public API (and
 * two primary-key reads in queries.ts); statuses, scores and period verdicts are the stored ones or
 * the engine's (injected), never recomputed here.
 *
 * Stored runs never change (append-only, hash-chained), so what is derived from one run id is
 * cached; what depends on "the newest run" is read again on every request.
 */

export interface ClusterRef {
  /** Short stable id for URLs (a hash of the key: keys can be long and hold any character). */
  id: string;
  key: string;
  /** Name for tables: the cluster's name, else its context, else its key. */
  label: string;
  identity: ClusterIdentity;
}

export interface RunBrief {
  runId: string;
  clusterKey: string;
  seq: number;
  at: string;
  storedAt: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  score: number;
  controls: StatusCounts;
  /** `warn`: warnings (failed recommended rules); 0 for runs stored before warnings existed. */
  findings: { pass: number; fail: number; waived: number; warn: number };
  gaps: number;
  snapshotDigest: string;
  toolVersion: string;
  catalogVersion: string;
  sources: { kubernetes: string; aws: string };
}

export interface ClusterSummary extends ClusterRef {
  runs: number;
  firstRunAt?: string;
  lastRunAt?: string;
  latest?: RunBrief;
}

export interface ScoreRow {
  id: string;
  title?: string;
  counts: StatusCounts;
  /** Percent of applicable controls that pass or are waived (the engine's score). */
  score: number;
  controls: number;
}

export interface Overview {
  cluster: ClusterRef;
  latest: RunBrief;
  previous?: RunBrief;
  sections: ScoreRow[];
  criteria: ScoreRow[];
  trend: { from: string; to: string; points: { runId: string; at: string; score: number; controls: StatusCounts; failing: number; warnings: number; gaps: number }[] };
  changes?: DiffView;
  /** Failing controls, worst first. */
  failing: { id: string; title: string; section: SectionId; severity: Severity; failing: number }[];
  /** Controls with warnings (failed recommended rules), most warnings first; any status. */
  warned: { id: string; title: string; section: SectionId; status: Status; warnings: number }[];
  /** Controls of the newest run with rules not evaluated (their evidence was not read). */
  unevaluated: number;
}

export interface DiffView extends Omit<RunDiff, 'resources'> {
  resources: ResourceChange[];
  resourcesTotal: number;
  offset: number;
  limit: number;
}

/** A control of the newest run as the controls table shows it: its result without the findings. */
export interface ControlRow extends Pick<ControlResult, 'id' | 'title' | 'section' | 'sectionTitle' | 'subheading' | 'tsc' | 'owners'
  | 'automation' | 'severity' | 'defaultSeverity' | 'status' | 'message' | 'counts' | 'failSeverity'> {
  /** Rules not evaluated as a whole in the newest run. */
  unevaluated: number;
  waivers: number;
  attested: boolean;
  /** Status in each of `historyRuns` (null: the control was not evaluated in that run). */
  history: (Status | null)[];
}

export interface ControlFilters {
  section?: string | undefined;
  tsc?: string | undefined;
  owner?: string | undefined;
  status?: string | undefined;
  automation?: string | undefined;
  severity?: string | undefined;
  q?: string | undefined;
}

export interface ControlList {
  cluster: ClusterRef;
  run: { runId: string; at: string };
  historyRuns: { runId: string; at: string }[];
  total: number;
  controls: ControlRow[];
  /** `statuses` are the controls' own, plus `warn`: the filter value for "controls with warnings" (any status). */
  facets: { sections: { id: string; title: string }[]; criteria: string[]; owners: string[]; statuses: readonly (Status | 'warn')[]; automation: readonly AutomationLevel[]; severities: readonly Severity[] };
}

export interface ControlDetail {
  cluster: ClusterRef;
  run: RunBrief;
  control: Omit<ControlResult, 'findings'> & { findingCounts: FindingCounts & { system: number; total: number } };
  window: { from: string; to: string; runs: number };
  period?: PeriodControl;
}

export interface FindingFilters {
  control?: string | undefined;
  status?: string | undefined;
  severity?: string | undefined;
  namespace?: string | undefined;
  kind?: string | undefined;
  rule?: string | undefined;
  q?: string | undefined;
  /** `exclude` (default), `include` or `only` findings in system namespaces. */
  system?: string | undefined;
}

export interface FindingRow {
  control: string;
  controlTitle: string;
  rule: string;
  status: Finding['status'];
  severity: Severity;
  resource: Finding['resource'];
  message: string;
  system?: boolean;
  waiver?: AppliedWaiver;
  source?: Finding['source'];
  details?: Finding['details'];
}

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export interface RunDetail {
  cluster: ClusterRef;
  /** `filters`: what the run left out (skipped controls and rules, namespace filters), shown on the run page. */
  run: RunBrief & { hash: string; prevHash: string; collectorIdentity?: string; selection?: RunInfo['selection']; filters?: RunResult['filters'] };
  previous?: string;
  next?: string;
  summary: { score: number; controls: StatusCounts; findings: FindingCounts; controlsWithWarnings: number };
  gaps: EvidenceGap[];
  waivers: { applied: number; issues: WaiverIssue[] };
  attestations: { inForce: Attestation[]; issues: AttestationIssue[] };
  controls: { id: string; title: string; section: SectionId; status: Status; severity: Severity; failing: number; warnings: number; unevaluated: number }[];
}

export interface PeriodView extends PeriodResult {
  window: Window;
  /** Timelines are left out of the page view (`timeline=1` keeps them); exports always have them. */
  timelines: boolean;
}

export interface MetricsCluster {
  ref: ClusterRef;
  runs: number;
  latest?: RunBrief;
  controls: { id: string; section: SectionId; severity: Severity; status: Status; failing: number; warnings: number }[];
}

const DAY = 86_400_000;
/** Values of the controls table's status filter: a control status, or `warn` for the controls with warnings. */
const CONTROL_FILTER_STATUSES: readonly (Status | 'warn')[] = [...STATUSES, 'warn'];
const SECTION_ORDER = Object.keys(SECTIONS);
const TSC_PREFIX = ['CC', 'A', 'C', 'PI', 'P'];

/** Criteria in the order of the Trust Services Criteria: CC1.1 … CC9.2, then A, C, PI, P. */
export function compareCriteria(a: string, b: string): number {
  const pa = /^([A-Z]+)(\d+)?\.?(\d+)?/.exec(a);
  const pb = /^([A-Z]+)(\d+)?\.?(\d+)?/.exec(b);
  const ia = TSC_PREFIX.indexOf(pa?.[1] ?? '');
  const ib = TSC_PREFIX.indexOf(pb?.[1] ?? '');
  return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib)
    || Number(pa?.[2] ?? 0) - Number(pb?.[2] ?? 0)
    || Number(pa?.[3] ?? 0) - Number(pb?.[3] ?? 0)
    || (a < b ? -1 : a > b ? 1 : 0);
}

const sectionIndex = (s: string) => {
  const i = SECTION_ORDER.indexOf(s);
  return i === -1 ? 99 : i;
};

export function brief(r: RunInfo): RunBrief {
  const d = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
  return {
    runId: r.runId, clusterKey: r.clusterKey, seq: r.seq, at: r.at, storedAt: r.storedAt, startedAt: r.startedAt, finishedAt: r.finishedAt,
    durationSeconds: Number.isFinite(d) && d >= 0 ? Math.round(d * 1000) / 1000 : 0,
    score: r.score, controls: r.controls, findings: r.findings, gaps: r.gaps, snapshotDigest: r.snapshotDigest,
    toolVersion: r.toolVersion, catalogVersion: r.catalogVersion, sources: r.sources,
  };
}

/** The URL id of a cluster key: 16 hex digits of its SHA-256. */
export function clusterId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

export function clusterRef(c: ClusterInfo): ClusterRef {
  return { id: clusterId(c.key), key: c.key, label: clusterLabel(c.cluster, c.key), identity: c.cluster };
}

/** A small least-recently-used map (Map keeps insertion order). */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
}

function pageOf<T>(all: readonly T[], offset: number, limit: number): Page<T> {
  return { total: all.length, offset, limit, items: all.slice(offset, offset + limit) };
}

const lower = (v: string | undefined) => v?.trim().toLowerCase() ?? '';

function ownerNames(o: { primary: OwnerRef[]; supporting: OwnerRef[] }): string[] {
  return [...o.primary, ...o.supporting].flatMap((r) => (r.owner ? [r.role, r.owner] : [r.role]));
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (!value) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw badRequest(`unknown ${name} "${value.slice(0, 40)}"; expected one of ${allowed.join(', ')}`);
  return value as T;
}

function failingCount(c: ControlResult): number {
  return c.findings.filter((f) => f.status === 'fail' && !f.system).length;
}

export class DashboardData {
  private readonly results = new Lru<string, Promise<RunResult>>(12);
  private readonly diffs = new Lru<string, Promise<RunDiff>>(8);
  private readonly periods = new Lru<string, Promise<PeriodResult>>(4);
  private readonly verifications = new Lru<string, { at: number; p: Promise<PeriodVerification> }>(8);
  private readonly overviews = new Lru<string, Promise<Pick<Overview, 'sections' | 'criteria' | 'changes' | 'failing' | 'warned' | 'unevaluated'>>>(64);
  private readonly metricRows = new Map<string, { runId: string; controls: MetricsCluster['controls'] }>();

  constructor(
    readonly store: EvidenceStore,
    private readonly deps: { computePeriod: ComputePeriod; score: ScoreCounts; toolVersion: string; now: () => Date },
  ) {}

  // ---------------------------------------------------------------- building blocks

  /** The stored result of a run, parsed once (results never change once stored). */
  async result(runId: string): Promise<RunResult> {
    const hit = this.results.get(runId);
    if (hit) return hit;
    const p = this.store.loadResult(runId);
    this.results.set(runId, p);
    p.catch(() => this.results.delete(runId));
    return p;
  }

  async clusterInfos(): Promise<ClusterInfo[]> {
    return this.store.clusters();
  }

  /** The cluster named by `key` (its URL id or store key), or the one with the newest run when not given. */
  async cluster(key: string | undefined, known?: readonly ClusterInfo[]): Promise<ClusterInfo> {
    // `known`: the clusters the caller has just read (the query counts every cluster's runs).
    const all = known ?? await this.clusterInfos();
    if (!all.length) throw notFound(`${this.store.label} holds no runs yet`, 'store a run first: eks-soc2 scan --store URL');
    if (!key) return [...all].sort((a, b) => (b.lastRunAt ?? '').localeCompare(a.lastRunAt ?? ''))[0]!;
    const hit = all.find((c) => c.key === key) ?? (/^[0-9a-f]{16}$/.test(key) ? all.find((c) => clusterId(c.key) === key) : undefined);
    if (!hit) throw notFound(`no cluster "${key.slice(0, 200)}" in the store`, 'GET /api/clusters lists the stored clusters');
    return hit;
  }

  private async latestRuns(key: string, n: number): Promise<RunInfo[]> {
    const runs = await this.store.runs({ clusterKey: key, last: n });
    if (!runs.length) throw notFound(`cluster ${key.slice(0, 200)} has no stored runs`, 'store a run first: eks-soc2 scan --store URL');
    return runs;
  }

  async findRun(id: string): Promise<RunInfo> {
    let r: RunInfo | undefined;
    try {
      r = await this.store.findRun(id);
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'not-found-run') throw badRequest(err.message, err.fix);
      throw err;
    }
    if (!r) throw notFound(`no run "${id.slice(0, 80)}" in the store`, 'GET /api/runs lists the stored runs');
    return r;
  }

  private scoreRow(id: string, counts: StatusCounts, title?: string): ScoreRow {
    const controls = STATUSES.reduce((k, s) => k + counts[s], 0);
    return { id, ...(title ? { title } : {}), counts, score: this.deps.score(counts), controls };
  }

  private async diff(a: RunInfo, b: RunInfo): Promise<RunDiff> {
    const k = `${a.runId}\u0000${b.runId}`;
    const hit = this.diffs.get(k);
    if (hit) return hit;
    const p = (async () => diffRuns(await this.result(a.runId), await this.result(b.runId), {
      from: { runId: a.runId, at: a.at, clusterKey: a.clusterKey, snapshotDigest: a.snapshotDigest },
      to: { runId: b.runId, at: b.at, clusterKey: b.clusterKey, snapshotDigest: b.snapshotDigest },
    }))();
    this.diffs.set(k, p);
    p.catch(() => this.diffs.delete(k));
    return p;
  }

  private static diffView(d: RunDiff, offset: number, limit: number): DiffView {
    const { resources, ...rest } = d;
    return { ...rest, resources: resources.slice(offset, offset + limit), resourcesTotal: resources.length, offset, limit };
  }

  // ---------------------------------------------------------------- pages

  /** The newest run of every cluster, by cluster key (one statement for the whole store). */
  private async newestRuns(): Promise<Map<string, RunInfo>> {
    return new Map((await this.store.latestRuns()).map((r) => [r.clusterKey, r]));
  }

  async clusters(): Promise<ClusterSummary[]> {
    const all = await this.clusterInfos();
    const newest = await this.newestRuns();
    const out: ClusterSummary[] = [];
    for (const c of all) {
      const latest = newest.get(c.key);
      out.push({
        ...clusterRef(c), runs: c.runs,
        ...(c.firstRunAt ? { firstRunAt: c.firstRunAt } : {}), ...(c.lastRunAt ? { lastRunAt: c.lastRunAt } : {}),
        ...(latest ? { latest: brief(latest) } : {}),
      });
    }
    return out;
  }

  /** What the overview shows of a (previous, newest) pair of runs: small, so kept for many clusters. */
  private async overviewParts(latest: RunInfo, previous: RunInfo | undefined): Promise<Pick<Overview, 'sections' | 'criteria' | 'changes' | 'failing' | 'warned' | 'unevaluated'>> {
    const k = `${previous?.runId ?? ''}\u0000${latest.runId}`;
    const hit = this.overviews.get(k);
    if (hit) return hit;
    const p = (async () => {
      const result = await this.result(latest.runId);
      const titles = new Map(result.controls.map((x) => [x.section as string, x.sectionTitle]));
      const sections = Object.entries(result.summary.bySection)
        .sort((a, b) => sectionIndex(a[0]) - sectionIndex(b[0]))
        .map(([id, counts]) => this.scoreRow(id, counts, titles.get(id) ?? SECTIONS[id as SectionId] ?? id));
      const criteria = Object.entries(result.summary.byTsc)
        .sort((a, b) => compareCriteria(a[0], b[0]))
        .map(([id, counts]) => this.scoreRow(id, counts));
      const changes = previous ? DashboardData.diffView(await this.diff(previous, latest), 0, 20) : undefined;
      const failing = result.controls
        .filter((x) => x.status === 'fail')
        .map((x) => ({ id: x.id, title: x.title, section: x.section, severity: resultSeverity(x), failing: failingCount(x) }))
        .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.failing - a.failing);
      const warned = result.controls
        .filter((x) => x.counts.warn > 0)
        .map((x) => ({ id: x.id, title: x.title, section: x.section, status: x.status, warnings: x.counts.warn }))
        .sort((a, b) => b.warnings - a.warnings);
      const unevaluated = result.controls.filter((x) => x.unevaluated.length > 0).length;
      return { sections, criteria, ...(changes ? { changes } : {}), failing, warned, unevaluated };
    })();
    this.overviews.set(k, p);
    p.catch(() => this.overviews.delete(k));
    return p;
  }

  async overview(key: string | undefined, days: number): Promise<Overview> {
    const c = await this.cluster(key);
    const last2 = await this.latestRuns(c.key, 2);
    const latest = last2[last2.length - 1]!;
    const previous = last2.length > 1 ? last2[0] : undefined;
    const { sections, criteria, changes, failing, warned, unevaluated } = await this.overviewParts(latest, previous);
    const to = new Date(Date.parse(latest.at));
    const from = days > 0 ? new Date(to.getTime() - days * DAY) : undefined;
    const trendRuns = await this.store.runs({ clusterKey: c.key, ...(from ? { from: from.toISOString() } : {}) });
    return {
      cluster: clusterRef(c),
      latest: brief(latest),
      ...(previous ? { previous: brief(previous) } : {}),
      sections,
      criteria,
      trend: {
        from: (from ?? new Date(Date.parse(trendRuns[0]?.at ?? latest.at))).toISOString(),
        to: to.toISOString(),
        points: trendRuns.map((r) => ({ runId: r.runId, at: r.at, score: r.score, controls: r.controls, failing: r.findings.fail, warnings: r.findings.warn, gaps: r.gaps })),
      },
      ...(changes ? { changes } : {}),
      failing,
      warned,
      unevaluated,
    };
  }

  async controls(key: string | undefined, historyRuns: number, f: ControlFilters): Promise<ControlList> {
    const c = await this.cluster(key);
    const runs = await this.latestRuns(c.key, Math.max(1, historyRuns));
    const latest = runs[runs.length - 1]!;
    const result = await this.result(latest.runId);
    const statuses = await this.store.statusesOfRuns(runs.map((r) => r.runId));
    const pos = new Map(runs.map((r, i) => [r.runId, i]));
    const history = new Map<string, (Status | null)[]>();
    for (const s of statuses) {
      let h = history.get(s.controlId);
      if (!h) history.set(s.controlId, (h = runs.map(() => null)));
      h[pos.get(s.runId)!] = s.status;
    }
    const rows: ControlRow[] = result.controls.map((x) => ({
      id: x.id, title: x.title, section: x.section, sectionTitle: x.sectionTitle, subheading: x.subheading, tsc: x.tsc, owners: x.owners,
      automation: x.automation, severity: resultSeverity(x), defaultSeverity: defaultSeverityOf(x), status: x.status, message: x.message, counts: x.counts,
      ...(x.failSeverity ? { failSeverity: x.failSeverity } : {}),
      unevaluated: x.unevaluated.length,
      waivers: x.waivers.length,
      attested: Boolean(x.attestation) || result.attestations.inForce.some((a) => a.control === x.id),
      history: history.get(x.id) ?? runs.map(() => null),
    }));
    const facets = {
      sections: [...new Map(result.controls.map((x) => [x.section as string, x.sectionTitle])).entries()]
        .sort((a, b) => sectionIndex(a[0]) - sectionIndex(b[0])).map(([id, title]) => ({ id, title })),
      criteria: [...new Set(result.controls.flatMap((x) => x.tsc))].sort(compareCriteria),
      owners: [...new Set(result.controls.flatMap((x) => ownerNames(x.owners)))].sort((a, b) => a.localeCompare(b)),
      statuses: CONTROL_FILTER_STATUSES,
      automation: AUTOMATION_LEVELS,
      severities: SEVERITIES,
    };
    return {
      cluster: clusterRef(c),
      run: { runId: latest.runId, at: latest.at },
      historyRuns: runs.map((r) => ({ runId: r.runId, at: r.at })),
      total: rows.length,
      controls: filterControls(rows, f),
      facets,
    };
  }

  async control(key: string | undefined, id: string, q: { from?: string | undefined; to?: string | undefined }): Promise<ControlDetail> {
    const c = await this.cluster(key);
    const [latest] = await this.latestRuns(c.key, 1);
    const result = await this.result(latest!.runId);
    const ctl = result.controls.find((x) => x.id === id);
    if (!ctl) throw notFound(`control ${id.slice(0, 60)} was not evaluated in the newest run of this cluster`, 'the controls page lists the controls of the newest run');
    const w = resolveWindow(q, new Date(Date.parse(latest!.at)), 90);
    const runs = await this.store.runs({ clusterKey: c.key, from: w.fromIso, to: w.toIso });
    let period: PeriodControl | undefined;
    if (runs.length) {
      const data = await this.store.controlRows(runs.map((r) => r.runId), id);
      const input: PeriodInput = {
        key: c.key, cluster: c.cluster, meta: data.meta, rows: data.rows,
        runs: runs.map((r) => ({ runId: r.runId, at: r.at, storedAt: r.storedAt, snapshotDigest: r.snapshotDigest })),
      };
      const p = this.deps.computePeriod([input], { from: w.from, to: w.to, generatedAt: this.deps.now(), toolVersion: this.deps.toolVersion });
      period = p.clusters[0]?.controls.find((x) => x.id === id);
    }
    const { findings: _findings, passed: _passed, ...rest } = ctl;
    return {
      cluster: clusterRef(c),
      run: brief(latest!),
      control: { ...rest, findingCounts: { ...ctl.counts, system: systemFindingTotal(ctl), total: findingTotal(ctl) } },
      window: { from: w.from, to: w.to, runs: runs.length },
      ...(period ? { period } : {}),
    };
  }

  async findings(runId: string, f: FindingFilters, offset: number, limit: number): Promise<Page<FindingRow> & { runId: string }> {
    const run = await this.findRun(runId);
    const result = await this.result(run.runId);
    const status = oneOf(f.status, FINDING_STATUSES, 'status');
    const severity = oneOf(f.severity, SEVERITIES, 'severity');
    const system = oneOf(f.system, ['exclude', 'include', 'only'] as const, 'system') ?? 'exclude';
    const q = lower(f.q);
    const controls = f.control ? result.controls.filter((x) => x.id === f.control) : result.controls;
    if (f.control && !controls.length) throw notFound(`control ${f.control.slice(0, 60)} is not in run ${run.runId}`);
    const out: FindingRow[] = [];
    /** Matches past the page are counted, not made (a control of a 150,000-pod run passes a million). */
    let total = 0;
    const end = offset + limit;
    for (const ctl of controls) {
      const rows: Iterable<Finding> = ctl.findings;
      const each = (x: Finding) => {
        if (status && x.status !== status) return;
        if (severity && x.severity !== severity) return;
        if (system === 'exclude' && x.system) return;
        if (system === 'only' && !x.system) return;
        if (f.namespace && (x.resource.namespace ?? '') !== f.namespace) return;
        if (f.kind && x.resource.kind !== f.kind) return;
        if (f.rule && x.rule !== f.rule) return;
        if (q && ![x.resource.name, x.resource.namespace ?? '', x.resource.kind, x.message, x.rule, x.resource.arn ?? ''].some((t) => t.toLowerCase().includes(q))) return;
        if (total++ < offset || total > end) return;
        out.push({
          control: ctl.id, controlTitle: ctl.title, rule: x.rule, status: x.status, severity: x.severity, resource: x.resource, message: x.message,
          ...(x.system ? { system: true } : {}), ...(x.waiver ? { waiver: x.waiver } : {}), ...(x.source ? { source: x.source } : {}),
          ...(x.details ? { details: x.details } : {}),
        });
      };
      for (const x of rows) each(x);
      for (const g of ctl.passed ?? []) {
        // A whole group is skipped on its status or rule; its findings are made one at a time.
        if ((status && g.status !== status) || (f.rule && g.rule !== f.rule)) continue;
        if (system === 'exclude' && g.resources.length === 0) continue;
        if (system === 'only' && !g.system?.length) continue;
        for (const x of expandGroup(result, ctl, g, system === 'include' ? undefined : system)) each(x);
      }
    }
    return { runId: run.runId, total, offset, limit, items: out };
  }

  async runs(key: string | undefined, offset: number, limit: number, w?: { fromIso?: string; toIso?: string }): Promise<Page<RunBrief> & { cluster: ClusterRef }> {
    const c = await this.cluster(key);
    const all = await this.store.runs({ clusterKey: c.key, ...(w?.fromIso ? { from: w.fromIso } : {}), ...(w?.toIso ? { to: w.toIso } : {}) });
    all.reverse();
    return { cluster: clusterRef(c), ...pageOf(all.map(brief), offset, limit) };
  }

  async run(id: string): Promise<RunDetail> {
    const info = await this.findRun(id);
    const result = await this.result(info.runId);
    const clusters = await this.clusterInfos();
    const c = clusters.find((x) => x.key === info.clusterKey);
    const neighbours = await this.store.runs({ clusterKey: info.clusterKey });
    const i = neighbours.findIndex((r) => r.runId === info.runId);
    return {
      cluster: c ? clusterRef(c) : { id: clusterId(info.clusterKey), key: info.clusterKey, label: clusterLabel(result.cluster, info.clusterKey), identity: result.cluster },
      run: {
        ...brief(info), hash: info.hash, prevHash: info.prevHash,
        ...(info.collectorIdentity ? { collectorIdentity: info.collectorIdentity } : {}),
        ...(info.selection ? { selection: info.selection } : {}),
        ...(result.filters ? { filters: result.filters } : {}),
      },
      ...(i > 0 ? { previous: neighbours[i - 1]!.runId } : {}),
      ...(i >= 0 && i < neighbours.length - 1 ? { next: neighbours[i + 1]!.runId } : {}),
      summary: { score: result.summary.score, controls: result.summary.controls, findings: result.summary.findings, controlsWithWarnings: result.summary.controlsWithWarnings },
      gaps: result.gaps,
      waivers: result.waivers,
      attestations: result.attestations,
      controls: result.controls.map((x) => ({
        id: x.id, title: x.title, section: x.section, status: x.status, severity: resultSeverity(x), failing: failingCount(x),
        warnings: x.counts.warn, unevaluated: x.unevaluated.length,
      })),
    };
  }

  /** What changed between two runs; without ids, between the last two runs of the cluster. */
  async diffPage(q: { from?: string | undefined; to?: string | undefined; cluster?: string | undefined }, offset: number, limit: number): Promise<DiffView> {
    let a: RunInfo;
    let b: RunInfo;
    if (q.from && q.to) {
      [a, b] = [await this.findRun(q.from), await this.findRun(q.to)];
    } else if (q.from || q.to) {
      throw badRequest('name both runs (from and to), or neither to compare the last two runs of the cluster');
    } else {
      const c = await this.cluster(q.cluster);
      const two = await this.latestRuns(c.key, 2);
      if (two.length < 2) throw notFound(`cluster ${c.key.slice(0, 200)} has one stored run; a comparison needs two`);
      [a, b] = [two[0]!, two[1]!];
    }
    return DashboardData.diffView(await this.diff(a, b), offset, limit);
  }

  /** Clusters of a period request: one key, or every cluster with runs in the window. */
  async period(keys: string | undefined, q: { from?: string | undefined; to?: string | undefined }, verify = true): Promise<{ period: PeriodResult; window: Window }> {
    const all = await this.clusterInfos();
    if (!all.length) throw notFound(`${this.store.label} holds no runs yet`, 'store a run first: eks-soc2 scan --store URL');
    const chosen = keys && keys !== '*' ? [await this.cluster(keys, all)] : all;
    const newest = chosen.map((c) => c.lastRunAt ?? '').sort().pop();
    const w = resolveWindow(q, newest ? new Date(Date.parse(newest)) : this.deps.now(), 90);
    const heads = chosen.map((c) => `${c.key}\u0001${c.head.hash}`).join('\u0002');
    const cacheKey = `${heads}\u0000${w.from}\u0000${w.to}`;
    let p = this.periods.get(cacheKey);
    if (!p) {
      p = (async () => {
        // One cluster at a time (its rows dropped once its period is computed), as `report` does.
        const opts = { from: w.from, to: w.to, generatedAt: this.deps.now(), toolVersion: this.deps.toolVersion };
        const result = this.deps.computePeriod([], opts);
        for (const c of chosen) {
          const data = await this.store.periodData(c.key, w.fromIso, w.toIso);
          if (!data.runs.length && chosen.length > 1) continue;
          const input: PeriodInput = { key: c.key, cluster: c.cluster, ...data };
          result.clusters.push(...this.deps.computePeriod([input], opts).clusters);
        }
        return result;
      })();
      this.periods.set(cacheKey, p);
      p.catch(() => this.periods.delete(cacheKey));
    }
    const period = await p;
    // The chain check reads every record and per-control row of the clusters' chains (0.15 s for a
    // cluster-year, half a minute for a fleet): the page asks for it separately (`verify=0`, then
    // /api/period/verification) so as not to wait on it.
    if (!verify) return { period, window: w };
    const verification = await this.verification(period.clusters.map((c) => c.key));
    return { period: { ...period, verification }, window: w };
  }

  /**
   * The store's chain check of the clusters of a period (as `eks-soc2 verify`), kept for a minute:
   * an edit of a stored row does not move the chain head, so the check is redone rather than cached
   * with the period.
   */
  async verification(keys: string[]): Promise<PeriodVerification> {
    const cacheKey = keys.join('\u0001');
    const now = this.deps.now().getTime();
    const hit = this.verifications.get(cacheKey);
    if (hit && now - hit.at < VERIFY_TTL_MS) return hit.p;
    const p = verifyPeriodEvidence(this.store, keys, this.deps.now());
    this.verifications.set(cacheKey, { at: now, p });
    p.catch(() => this.verifications.delete(cacheKey));
    return p;
  }

  async periodView(keys: string | undefined, q: { from?: string | undefined; to?: string | undefined }, timelines: boolean, verify = true): Promise<PeriodView> {
    const { period, window } = await this.period(keys, q, verify);
    if (timelines) return { ...period, window, timelines };
    return {
      ...period, window, timelines,
      clusters: period.clusters.map((c) => ({ ...c, controls: c.controls.map((x) => ({ ...x, timeline: [] })) })),
    };
  }

  /** Per cluster: the newest run and the status of each of its controls (for /metrics). */
  async metrics(): Promise<MetricsCluster[]> {
    const out: MetricsCluster[] = [];
    const all = await this.clusterInfos();
    const newest = await this.newestRuns();
    for (const c of all) {
      const latest = newest.get(c.key);
      if (!latest) {
        out.push({ ref: clusterRef(c), runs: c.runs, controls: [] });
        continue;
      }
      let cached = this.metricRows.get(c.key);
      if (cached?.runId !== latest.runId) {
        const data = await this.store.periodData(c.key, latest.at, latest.at);
        const controls = data.rows.filter((r) => r.runId === latest.runId).sort((a, b) => a.ordinal - b.ordinal).map((r) => {
          const m = data.meta[r.meta];
          // The result's severity (resultSeverity): the highest failing one, else the control's default.
          return { id: r.controlId, section: m?.section ?? (r.controlId.split('-')[0] as SectionId), severity: r.failSeverity ?? m?.severity ?? 'medium', status: r.status, failing: r.counts.fail, warnings: r.counts.warn };
        });
        cached = { runId: latest.runId, controls };
        this.metricRows.set(c.key, cached);
      }
      out.push({ ref: clusterRef(c), runs: c.runs, latest: brief(latest), controls: cached.controls });
    }
    return out;
  }

  /** True when the store answers a trivial read. */
  async healthy(): Promise<boolean> {
    await this.store.runs({ last: 1 });
    return true;
  }
}

/** Apply the controls table's filters (the UI filters the same way in the browser). */
export function filterControls(rows: readonly ControlRow[], f: ControlFilters): ControlRow[] {
  // `warn`: controls with warnings, whatever their status (a control is never `warn` itself).
  const status = oneOf(f.status, CONTROL_FILTER_STATUSES, 'status');
  const automation = oneOf(f.automation, AUTOMATION_LEVELS, 'automation level');
  const severity = oneOf(f.severity, SEVERITIES, 'severity');
  const owner = lower(f.owner);
  const q = lower(f.q);
  return rows.filter((r) => (!f.section || r.section === f.section)
    && (!f.tsc || r.tsc.includes(f.tsc))
    && (!owner || ownerNames(r.owners).some((o) => o.toLowerCase() === owner))
    && (!status || (status === 'warn' ? r.counts.warn > 0 : r.status === status))
    && (!automation || r.automation === automation)
    && (!severity || r.severity === severity)
    && (!q || [r.id, r.title, r.subheading, r.message, r.sectionTitle, ...r.tsc, ...ownerNames(r.owners)].some((t) => t.toLowerCase().includes(q))));
}
