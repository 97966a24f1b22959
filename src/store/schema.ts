/**
 * The evidence store schema, written once for both back ends. Only types and statements that
 * SQLite and PostgreSQL read the same way are used: TEXT, INTEGER, BIGINT, DOUBLE PRECISION and
 * BYTEA (SQLite stores BYTEA values as BLOBs: the declared type only gives the column NUMERIC
 * affinity, which leaves blobs untouched), PRIMARY KEY / UNIQUE / REFERENCES, CREATE INDEX.
 * Timestamps are ISO-8601 UTC strings of one fixed width (`2026-11-26T22:15:00.000Z`), so that
 * text order is time order on both back ends.
 *
 * Every change is a new migration appended to MIGRATIONS; never edit a released one.
 */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, per-control rows, snapshots, clusters with their chain head, checkpoints',
    statements: [
      `CREATE TABLE schema_version (
        version INTEGER NOT NULL PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        tool_version TEXT NOT NULL
      )`,
      // One row per cluster: its identity and the head of its hash chain (seq and record hash of
      // the newest run). A writer locks the cluster before reading the head.
      `CREATE TABLE clusters (
        cluster_key TEXT NOT NULL PRIMARY KEY,
        identity TEXT NOT NULL,
        name TEXT,
        account_id TEXT,
        region TEXT,
        arn TEXT,
        context TEXT,
        first_seen TEXT NOT NULL,
        head_seq BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        head_run_id TEXT
      )`,
      // Snapshots, content-addressed: digest = sha256 of the canonical JSON; body = gzip of it.
      `CREATE TABLE snapshots (
        digest TEXT NOT NULL PRIMARY KEY,
        raw_bytes BIGINT NOT NULL,
        stored_bytes BIGINT NOT NULL,
        body BYTEA NOT NULL,
        first_stored_at TEXT NOT NULL
      )`,
      // One row per run. `record` is the canonical JSON that is hashed into `record_hash`; it
      // commits to the previous run (prev_hash), the snapshot and the full result (by digest).
      // The other columns repeat record fields so that history queries read no JSON.
      `CREATE TABLE runs (
        run_id TEXT NOT NULL PRIMARY KEY,
        cluster_key TEXT NOT NULL REFERENCES clusters (cluster_key),
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        catalog_version TEXT NOT NULL,
        collector_identity TEXT,
        source_kubernetes TEXT NOT NULL,
        source_aws TEXT NOT NULL,
        snapshot_digest TEXT NOT NULL REFERENCES snapshots (digest),
        score DOUBLE PRECISION NOT NULL,
        controls_pass INTEGER NOT NULL,
        controls_fail INTEGER NOT NULL,
        controls_manual INTEGER NOT NULL,
        controls_waived INTEGER NOT NULL,
        controls_na INTEGER NOT NULL,
        controls_error INTEGER NOT NULL,
        findings_pass INTEGER NOT NULL,
        findings_fail INTEGER NOT NULL,
        findings_waived INTEGER NOT NULL,
        gaps INTEGER NOT NULL,
        selection TEXT,
        prev_hash TEXT NOT NULL,
        record_hash TEXT NOT NULL,
        record TEXT NOT NULL,
        result_digest TEXT NOT NULL,
        result BYTEA NOT NULL,
        UNIQUE (cluster_key, seq)
      )`,
      `CREATE INDEX runs_cluster_at ON runs (cluster_key, at)`,
      // Control metadata (title, section, owners...), content-addressed so each version is kept once.
      `CREATE TABLE control_meta (
        digest TEXT NOT NULL PRIMARY KEY,
        control_id TEXT NOT NULL,
        meta TEXT NOT NULL
      )`,
      // Per-control status of every run: what history and period queries read.
      `CREATE TABLE control_results (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        control_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        cluster_key TEXT NOT NULL,
        at TEXT NOT NULL,
        status TEXT NOT NULL,
        fail_severity TEXT,
        n_pass INTEGER NOT NULL,
        n_fail INTEGER NOT NULL,
        n_manual INTEGER NOT NULL,
        n_waived INTEGER NOT NULL,
        n_na INTEGER NOT NULL,
        n_error INTEGER NOT NULL,
        meta_digest TEXT NOT NULL REFERENCES control_meta (digest),
        waivers TEXT,
        attestation TEXT,
        PRIMARY KEY (run_id, control_id)
      )`,
      `CREATE INDEX control_results_cluster_at ON control_results (cluster_key, at)`,
      // Retention: what `prune` removed, sealed. The first kept run's prev_hash equals `hash`
      // (the record hash of the last removed run). Checkpoints chain to each other too.
      `CREATE TABLE checkpoints (
        cluster_key TEXT NOT NULL REFERENCES clusters (cluster_key),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL,
        record TEXT NOT NULL,
        record_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (cluster_key, seq)
      )`,
    ],
  },
  {
    version: 2,
    description: 'warn findings (report schema run@2): warning counts of runs and controls, the rules that warned, the evidence a control missed',
    // Rows written before this migration keep what they had: NULL findings_warn, warn_rules and
    // missing, n_warn 0. These are also the values recomputed from a stored run@1 result (it has
    // no warnings), so `verify` of old runs compares equal without rewriting anything.
    statements: [
      'ALTER TABLE runs ADD COLUMN findings_warn INTEGER',
      'ALTER TABLE control_results ADD COLUMN n_warn INTEGER NOT NULL DEFAULT 0',
      // Canonical JSON {rule: warn findings} of the rules that warned outside system namespaces.
      'ALTER TABLE control_results ADD COLUMN warn_rules TEXT',
      // Canonical JSON [..] of the evidence the control did not read (ControlResult.evidence.missing).
      'ALTER TABLE control_results ADD COLUMN missing TEXT',
    ],
  },
  {
    version: 3,
    description: 'first-seen: when the store first saw each CRITICAL vulnerability of a workload\'s image (CC3-RA-03 ages them from it)',
    // One row per (cluster, workload, image, vulnerability), written in the transaction of the run that
    // first saw it (the earliest `at` wins when runs are stored out of order); vulnerability '' is the
    // image itself (a report of it was seen). Not part of the hash chain: it is derived from the stored
    // snapshots, and pruning runs keeps it (a first sight stays a first sight).
    statements: [
      `CREATE TABLE vuln_first_seen (
        cluster_key TEXT NOT NULL,
        workload TEXT NOT NULL,
        image TEXT NOT NULL,
        vulnerability TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        run_id TEXT NOT NULL,
        PRIMARY KEY (cluster_key, workload, image, vulnerability)
      )`,
    ],
  },
  {
    version: 4,
    description: 'run@5 results (index lists with runs) and run-record@3 records (rowsDigest): no table changes; an older eks-soc2 would misread them, so it refuses a store at this version',
    // Nothing to change: stored results and records keep the shapes they were written with, and this
    // build reads every one of them. The version marks the store so that a build that does not know
    // run@5 or rowsDigest (this store's readers before it) says "written by a newer eks-soc2" instead
    // of taking run@5 finding groups for findings.
    statements: [],
  },
];

/** The newest schema this build knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Columns each schema version added, by table: a store opened read-only at an older version
 * (which may not be migrated: reading never writes) is read with these as constants.
 */
export const ADDED_COLUMNS: Readonly<Record<number, Readonly<Record<string, Readonly<Record<string, string>>>>>> = {
  2: {
    runs: { findings_warn: 'NULL' },
    control_results: { n_warn: '0', warn_rules: 'NULL', missing: 'NULL' },
  },
};

/** The columns of `table` that a store at schema `version` does not have, with the constant each reads as. */
export function missingColumns(table: string, version: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [v, tables] of Object.entries(ADDED_COLUMNS)) if (Number(v) > version) Object.assign(out, tables[table] ?? {});
  return out;
}

/** Tables of schema version 1, to recognise our own store (and refuse a foreign database). */
export const OWN_TABLES = ['schema_version', 'clusters', 'snapshots', 'runs', 'control_meta', 'control_results', 'checkpoints'] as const;

/** A SELECT list of `names` from `table` that also reads a store at an older schema version. */
export function selectList(table: string, names: readonly string[], version: number): string {
  const missing = missingColumns(table, version);
  return names.map((n) => (Object.hasOwn(missing, n) ? `${missing[n]} AS ${n}` : n)).join(', ');
}
