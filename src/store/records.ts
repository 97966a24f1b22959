import { randomBytes } from 'node:crypto';
import type { ClusterIdentity, ControlResult, RunResult } from '../model/index.js';
import { defaultSeverityOf } from '../model/index.js';
import { canonicalJson, sha256Digest } from './canonical.js';
import type { SqlValue } from './sql.js';
import { num } from './sql.js';
import type { ControlMeta, RunRecord } from './types.js';
import { RUN_RECORD_SCHEMA } from './types.js';

/** The context name of a cluster read with the in-cluster service account. */
export const IN_CLUSTER = 'in-cluster';

/**
 * The stable key of a cluster: account, region and name when known (an EKS cluster is unique by
 * them), else its ARN, else the kubeconfig context, else (read from inside, where every cluster's
 * context is "in-cluster") the kube-system namespace's uid, else the API server, else its bare name.
 */
export function clusterKey(c: ClusterIdentity): string {
  let { accountId, region, name } = c;
  const m = c.arn ? /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):cluster\/(.+)$/.exec(c.arn) : null;
  if (m) {
    region ??= m[1];
    accountId ??= m[2];
    name ??= m[3];
  }
  if (accountId && region && name) return `eks:${accountId}:${region}:${name}`;
  if (c.arn) return `arn:${c.arn}`;
  // Every cluster read from inside has the context "in-cluster": its kube-system uid tells them apart.
  if (c.context && c.context !== IN_CLUSTER) return `context:${c.context}`;
  if (c.uid) return `uid:${c.uid}`;
  if (c.context) return `context:${c.context}`;
  if (c.server) return `server:${c.server}`;
  if (name) return `name:${name}`;
  return 'unnamed';
}

/** A short label of a cluster for tables: its name, account and region when known. */
export function clusterLabel(c: ClusterIdentity, key: string): string {
  return c.name ?? c.context ?? key;
}

/**
 * Run ids: the time the run was stored (UTC, to the second) and 12 random hex digits (48 bits). Until
 * 2026-12 the random part was 6 digits (24 bits): 200 clusters storing at the same second (one cron)
 * collided once in ~400 such seconds. Ids of both lengths are read; the store refuses an id it holds.
 */
export function newRunId(storedAt: Date): string {
  const t = storedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${t}-${randomBytes(6).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-(?:[0-9a-f]{12}|[0-9a-f]{6})$/;

/** Normalise a time to the store's fixed-width ISO form. */
export function isoTime(t: string | Date): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a time: ${String(t)}`);
  return d.toISOString();
}

export function buildRecord(run: RunResult, f: {
  runId: string; clusterKey: string; seq: number; prevHash: string; at: string; storedAt: string; snapshotDigest: string; resultDigest: string;
  /** The digest of the run's per-control rows (`rowsDigestOf`); recorded for every result but run@1's. */
  rowsDigest: string;
}): RunRecord {
  const s = run.summary;
  return {
    schema: isRun1(run) ? 'eks-soc2/run-record@1' : RUN_RECORD_SCHEMA,
    runId: f.runId,
    clusterKey: f.clusterKey,
    seq: f.seq,
    prevHash: f.prevHash,
    at: f.at,
    storedAt: f.storedAt,
    startedAt: isoTime(run.startedAt),
    finishedAt: isoTime(run.finishedAt),
    toolVersion: run.tool.version,
    catalogVersion: run.catalogVersion,
    ...(run.collectorIdentity ? { collectorIdentity: run.collectorIdentity } : {}),
    cluster: run.cluster,
    sources: { kubernetes: run.sources.kubernetes, aws: run.sources.aws },
    snapshotDigest: f.snapshotDigest,
    resultDigest: f.resultDigest,
    ...(isRun1(run) ? {} : { rowsDigest: f.rowsDigest }),
    score: s.score,
    controls: { ...s.controls },
    // run@1 results (no warnings) keep the record shape they had; run@2 records add the warnings.
    findings: { pass: s.findings.pass, fail: s.findings.fail, waived: s.findings.waived, ...(isRun1(run) ? {} : { warn: s.findings.warn }) },
    gaps: run.gaps.length,
    ...(run.selection ? { selection: run.selection } : {}),
  };
}

export const RUN_COLUMNS = [
  'run_id', 'cluster_key', 'seq', 'at', 'started_at', 'finished_at', 'stored_at', 'tool_version', 'catalog_version',
  'collector_identity', 'source_kubernetes', 'source_aws', 'snapshot_digest', 'score',
  'controls_pass', 'controls_fail', 'controls_manual', 'controls_waived', 'controls_na', 'controls_error',
  'findings_pass', 'findings_fail', 'findings_waived', 'gaps', 'selection', 'prev_hash', 'record_hash', 'record', 'result_digest',
  'findings_warn',
] as const;

/** The column values of a run row, all derived from its record (verify recomputes and compares them). */
export function runColumns(r: RunRecord, recordText: string, recordHash: string): SqlValue[] {
  return [
    r.runId, r.clusterKey, r.seq, r.at, r.startedAt, r.finishedAt, r.storedAt, r.toolVersion, r.catalogVersion,
    r.collectorIdentity ?? null, r.sources.kubernetes, r.sources.aws, r.snapshotDigest, r.score,
    r.controls.pass, r.controls.fail, r.controls.manual, r.controls.waived, r.controls['not-applicable'], r.controls.error,
    r.findings.pass, r.findings.fail, r.findings.waived, r.gaps, r.selection ? canonicalJson(r.selection) : null,
    r.prevHash, recordHash, recordText, r.resultDigest,
    r.findings.warn ?? null,
  ];
}

export const CONTROL_COLUMNS = [
  'run_id', 'control_id', 'ordinal', 'cluster_key', 'at', 'status', 'fail_severity',
  'n_pass', 'n_fail', 'n_manual', 'n_waived', 'n_na', 'n_error', 'meta_digest', 'waivers', 'attestation',
  'n_warn', 'warn_rules', 'missing',
] as const;

export function controlMeta(c: ControlResult): ControlMeta {
  return {
    id: c.id, title: c.title, section: c.section, sectionTitle: c.sectionTitle, subheading: c.subheading,
    tsc: c.tsc, owners: c.owners, automation: c.automation, severity: defaultSeverityOf(c),
  };
}

/**
 * The per-control rows of a run (what history and period queries read) and the metadata they
 * point to. Derived from the result only, so verify can recompute and compare them.
 */
export function controlRows(run: RunResult, runId: string, key: string, at: string): { rows: SqlValue[][]; meta: Map<string, string> } {
  const meta = new Map<string, string>();
  const run1 = isRun1(run);
  const rows = run.controls.map((c, ordinal) => {
    const metaText = canonicalJson(controlMeta(c));
    const metaDigest = sha256Digest(metaText);
    meta.set(metaDigest, metaText);
    const attestation = run.attestations.inForce.find((a) => a.control === c.id) ?? c.attestation;
    return [
      runId, c.id, ordinal, key, at, c.status, c.failSeverity ?? null,
      c.counts.pass, c.counts.fail, c.counts.manual, c.counts.waived, c.counts['not-applicable'], c.counts.error,
      metaDigest, c.waivers.length ? canonicalJson(c.waivers) : null, attestation ? canonicalJson(attestation) : null,
      // A run@1 result has no warnings and its rows were written without these columns.
      ...(run1 ? [0, null, null] : [c.counts.warn, warnRulesText(c), c.evidence.missing.length ? canonicalJson(c.evidence.missing) : null]),
    ];
  });
  return { rows, meta };
}

/** Columns of `control_results` that hold integers (the others hold text or NULL). */
const INTEGER_CONTROL_COLUMNS: ReadonlySet<string> = new Set(['ordinal', 'n_pass', 'n_fail', 'n_manual', 'n_waived', 'n_na', 'n_error', 'n_warn']);

/**
 * The digest a run-record@3 records of the run's per-control rows: sha256 of the canonical JSON of
 * the rows (CONTROL_COLUMNS values), in control order — as `controlRows` makes them.
 */
export function rowsDigestOf(rows: readonly (readonly SqlValue[])[]): string {
  // Arrays of strings, finite numbers and nulls: their canonical JSON is exactly JSON.stringify's
  // text (canonical.ts writes primitives with JSON.stringify and arrays without whitespace), which is
  // several times faster — a fleet-wide period report digests 4.5 million rows.
  for (const r of rows) {
    for (const v of r) {
      if (!(v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) return sha256Digest(canonicalJson(rows));
    }
  }
  return sha256Digest(JSON.stringify(rows));
}

/**
 * Stored `control_results` rows back as the values `controlRows` made (integers as numbers, text as
 * strings, NULL as null), in control order, for `rowsDigestOf`.
 */
export function storedControlValues(rows: readonly Record<string, unknown>[]): SqlValue[][] {
  return rows
    .map((r) => CONTROL_COLUMNS.map((c): SqlValue => {
      const v = r[c];
      if (v === null || v === undefined) return null;
      return INTEGER_CONTROL_COLUMNS.has(c) ? num(v) : String(v);
    }))
    .sort((a, b) => (a[2] as number) - (b[2] as number));
}

/** A result of the report schema before warnings (run@1): stored as it was, with no warning columns. */
function isRun1(run: RunResult): boolean {
  return run.schema === 'eks-soc2/run@1';
}

/** `{rule: warn findings}` outside system namespaces, as canonical JSON, or null when none warned. */
function warnRulesText(c: ControlResult): string | null {
  if (!c.counts.warn) return null;
  const byRule: Record<string, number> = {};
  for (const f of c.findings) if (f.status === 'warn' && !f.system) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return canonicalJson(byRule);
}

/** Compare stored values with recomputed ones (numbers and text may come back in either form). */
export function sameValue(stored: unknown, expected: SqlValue): boolean {
  if (expected === null) return stored === null || stored === undefined;
  if (typeof expected === 'number') return stored !== null && stored !== undefined && Number(stored) === expected;
  if (Buffer.isBuffer(expected)) return Buffer.isBuffer(stored) && stored.equals(expected);
  return typeof stored === 'string' && stored === expected;
}
