import type {
  AppliedWaiver, Attestation, AutomationLevel, ClusterIdentity, FindingCounts, OwnerRef, SectionId, Severity, Status, StatusCounts,
} from '../model/index.js';

/**
 * `run-record@3` adds `rowsDigest` (the digest of the run's per-control rows); `run-record@2` (store
 * schema 2) added `findings.warn`; records of run@1 results keep `run-record@1`. Stored records keep
 * their schema (the chain hashes their text).
 */
export const RUN_RECORD_SCHEMA = 'eks-soc2/run-record@3' as const;
export const CHECKPOINT_SCHEMA = 'eks-soc2/checkpoint@1' as const;
/** prev_hash of the first run of a cluster. */
export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;

/**
 * What is hashed into the chain for every run: the run's place in its cluster's chain (seq,
 * prevHash), when it was taken and stored, and digests that commit to the full result and the
 * snapshot. The summary fields are repeated so that a record can be read on its own.
 */
export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA | 'eks-soc2/run-record@2' | 'eks-soc2/run-record@1';
  runId: string;
  clusterKey: string;
  seq: number;
  prevHash: string;
  /** Time the evidence describes (`scan --now`, else the end of the run). */
  at: string;
  /** Wall-clock time the run was written to the store. */
  storedAt: string;
  startedAt: string;
  finishedAt: string;
  toolVersion: string;
  catalogVersion: string;
  collectorIdentity?: string;
  cluster: ClusterIdentity;
  sources: { kubernetes: string; aws: string };
  snapshotDigest: string;
  resultDigest: string;
  /**
   * run-record@3: sha256 of the canonical JSON of the run's per-control rows (`control_results`, the
   * CONTROL_COLUMNS values in control order), which period reports and the dashboard read. It lets
   * a period report check the rows it is computed from against the chain without re-reading every
   * stored result (`verify({ depth: 'rows' })`). Absent in older records.
   */
  rowsDigest?: string;
  score: number;
  controls: StatusCounts;
  /** `warn` from run-record@2 on (absent in records of run@1 results). */
  findings: { pass: number; fail: number; waived: number; warn?: number };
  gaps: number;
  selection?: { controls?: string[]; sections?: string[] };
}

/** A run written by `appendRun`. `hash` is the new head of the cluster's chain. */
export interface StoredRun {
  runId: string;
  clusterKey: string;
  seq: number;
  at: string;
  hash: string;
  prevHash: string;
  snapshotDigest: string;
  /** True when an identical snapshot was already stored and is shared. */
  snapshotDeduplicated: boolean;
  resultDigest: string;
}

/** One run as history shows it: read from columns only, no JSON is decompressed. */
export interface RunInfo {
  runId: string;
  clusterKey: string;
  seq: number;
  at: string;
  startedAt: string;
  finishedAt: string;
  storedAt: string;
  toolVersion: string;
  catalogVersion: string;
  collectorIdentity?: string;
  sources: { kubernetes: string; aws: string };
  snapshotDigest: string;
  score: number;
  controls: StatusCounts;
  /** `warn` is 0 for runs stored before warnings existed (report schema run@1). */
  findings: { pass: number; fail: number; waived: number; warn: number };
  gaps: number;
  selection?: { controls?: string[]; sections?: string[] };
  hash: string;
  prevHash: string;
}

export interface ClusterInfo {
  key: string;
  cluster: ClusterIdentity;
  firstSeen: string;
  runs: number;
  firstRunAt?: string;
  lastRunAt?: string;
  head: { seq: number; hash: string; runId?: string };
}

/** Control metadata as stored once per version (owners include the configured real owners). */
export interface ControlMeta {
  id: string;
  title: string;
  section: SectionId;
  sectionTitle: string;
  subheading: string;
  tsc: string[];
  owners: { primary: OwnerRef[]; supporting: OwnerRef[] };
  automation: AutomationLevel;
  severity: Severity;
}

/** Everything the period computation needs for one cluster, read from the per-control rows. */
export interface PeriodData {
  runs: { runId: string; at: string; storedAt: string; snapshotDigest: string }[];
  rows: {
    runId: string;
    controlId: string;
    /** Position of the control in its run (checklist order). */
    ordinal: number;
    status: Status;
    counts: FindingCounts;
    failSeverity?: Severity;
    waivers?: AppliedWaiver[];
    attestation?: Attestation;
    /** Rules that warned (outside system namespaces) and how many findings each. */
    warnRules?: Record<string, number>;
    /** Evidence the control did not read in that run. */
    missing?: string[];
    meta: string;
  }[];
  meta: Record<string, ControlMeta>;
}

export type VerifyProblemKind = 'edited' | 'deleted' | 'reordered' | 'snapshot' | 'head' | 'checkpoint' | 'storage' | 'expect-head';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  clusterKey?: string;
  runId?: string;
  seq?: number;
  message: string;
}

export interface VerifyCluster {
  key: string;
  runs: number;
  /** Head of the chain as recomputed from the records. */
  head?: { seq: number; hash: string; runId: string };
  /** Checkpoint the chain starts from after `prune`. */
  anchor?: { seq: number; hash: string };
  ok: boolean;
}

export interface VerifyReport {
  store: string;
  ok: boolean;
  /**
   * What was checked. `full`: hash chains, records, every stored result against its digest and the
   * rows derived from it, snapshots, control metadata. `rows`: hash chains, records, the per-control
   * rows against the digest in each record (`rowsDigest`) and control metadata — what period reports
   * are computed from; stored results are re-read only for runs whose record has no rows digest,
   * snapshots not at all.
   */
  depth: VerifyDepth;
  clusters: VerifyCluster[];
  runsChecked: number;
  snapshotsChecked: number;
  problems: VerifyProblem[];
  expectHead?: { hash: string; found: boolean; clusterKey?: string; seq?: number; runId?: string; pruned?: boolean };
}

export type VerifyDepth = 'full' | 'rows';

export interface PruneReport {
  dryRun: boolean;
  cutoff: string;
  clusters: { key: string; removed: number; kept: number; checkpoint?: { seq: number; hash: string; recordHash: string } }[];
  removedRuns: number;
  removedSnapshots: number;
}

export interface CheckpointRecord {
  schema: typeof CHECKPOINT_SCHEMA;
  clusterKey: string;
  /** Seq and record hash of the last removed run: the first kept run chains to this hash. */
  seq: number;
  hash: string;
  /** record_hash of the previous checkpoint of this cluster, or null. */
  prevCheckpoint: string | null;
  removed: { runId: string; seq: number; at: string; hash: string }[];
  createdAt: string;
  cutoff: string;
}
