import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeBody, decodeBodySync, encodeJsonBody } from './body.js';
import type { ClusterIdentity, FirstSeenLookup, RunResult, Snapshot, Status } from '../model/index.js';
import { isGroupedSchema, normaliseRunResult, toWire, vulnerabilitySightings } from '../model/index.js';
import { readFirstSeen, writeFirstSeen } from './first-seen.js';
import { canonicalBytes, canonicalJson, normaliseDigest, sha256Digest } from './canonical.js';
import { StoreError } from './errors.js';
import {
  CONTROL_COLUMNS, RUN_COLUMNS, RUN_ID_PATTERN, buildRecord, clusterKey, controlRows, isoTime, newRunId, rowsDigestOf, runColumns, sameValue,
  storedControlValues,
} from './records.js';
import type { Row, SqlConn, SqlDriver, SqlValue } from './sql.js';
import { bytes, num, optStr, str } from './sql.js';
import type {
  CheckpointRecord, ClusterInfo, ControlMeta, PeriodData, PruneReport, RunInfo, RunRecord, StoredRun, VerifyCluster,
  VerifyDepth, VerifyProblem, VerifyReport,
} from './types.js';
import { CHECKPOINT_SCHEMA, GENESIS_HASH } from './types.js';
import { PERIOD_ROW_COLUMNS, controlMetaOf, controlRows as readControlRows, periodRows, statusesOfRuns as readStatusesOfRuns } from './queries.js';
import { SCHEMA_VERSION, selectList } from './schema.js';

export interface AppendOptions {
  /** Time the evidence describes (`scan --now`); defaults to the run's finishedAt. */
  at?: Date;
  /** Wall-clock time of storing; defaults to now. */
  storedAt?: Date;
  /** Called inside the transaction, after every row is written and before COMMIT (fault tests). */
  beforeCommit?: () => Promise<void>;
}

export interface RunFilter {
  clusterKey?: string;
  /** Inclusive bounds on `at` (ISO). */
  from?: string;
  to?: string;
  /** Newest N runs (still returned oldest first). */
  last?: number;
}

/** Run ids another writer has already stored (a collision): the batch is written again with new ones. */
class RunIdTaken extends Error {
  readonly ids: ReadonlySet<string>;
  constructor(ids: ReadonlySet<string>) {
    super(`run id(s) already stored: ${[...ids].join(', ')}`);
    this.ids = ids;
  }
}

/** A run ready to be written: its id, result text and rows, computed before the lock. */
interface PreparedRun {
  run: RunResult; runId: string; identity: ClusterIdentity; key: string; at: string; storedAt: string; stored: RunResult;
  resultDigest: string; resultBody: Buffer; control: ReturnType<typeof controlRows>; rowsDigest: string;
}

/** A stored record text as JSON, or `null` when it no longer parses (verify reports that). */
function parseRecord(text: string): RunRecord | null {
  try {
    return JSON.parse(text) as RunRecord;
  } catch {
    return null;
  }
}

/** Positions of the control id and the metadata digest in a per-control row (`CONTROL_COLUMNS`). */
const CONTROL_ID_COLUMN = CONTROL_COLUMNS.indexOf('control_id');
const META_DIGEST_COLUMN = CONTROL_COLUMNS.indexOf('meta_digest');

/** Runs whose stored results and per-control rows `verify` reads per statement. */
const VERIFY_CHUNK = 50;

const RUN_INFO_COLUMNS = RUN_COLUMNS.filter((c) => c !== 'record' && c !== 'result_digest');

function runInfo(r: Row): RunInfo {
  const selection = optStr(r.selection);
  const collector = optStr(r.collector_identity);
  return {
    runId: str(r.run_id),
    clusterKey: str(r.cluster_key),
    seq: num(r.seq),
    at: str(r.at),
    startedAt: str(r.started_at),
    finishedAt: str(r.finished_at),
    storedAt: str(r.stored_at),
    toolVersion: str(r.tool_version),
    catalogVersion: str(r.catalog_version),
    ...(collector ? { collectorIdentity: collector } : {}),
    sources: { kubernetes: str(r.source_kubernetes), aws: str(r.source_aws) },
    snapshotDigest: str(r.snapshot_digest),
    score: num(r.score),
    controls: {
      pass: num(r.controls_pass), fail: num(r.controls_fail), manual: num(r.controls_manual),
      waived: num(r.controls_waived), 'not-applicable': num(r.controls_na), error: num(r.controls_error),
    },
    findings: { pass: num(r.findings_pass), fail: num(r.findings_fail), waived: num(r.findings_waived), warn: r.findings_warn === null || r.findings_warn === undefined ? 0 : num(r.findings_warn) },
    gaps: num(r.gaps),
    ...(selection ? { selection: JSON.parse(selection) as RunInfo['selection'] & object } : {}),
    hash: str(r.record_hash),
    prevHash: str(r.prev_hash),
  };
}

function gunzipOrUndefined(b: Buffer): Buffer | undefined {
  try {
    return gunzipSync(b);
  } catch {
    return undefined;
  }
}

/**
 * The evidence store: append-only, hash-chained runs per cluster, content-addressed snapshots,
 * per-control rows for fast history and period queries. One implementation over both back ends.
 */
export class EvidenceStore {
  readonly driver: SqlDriver;
  /**
   * The store's schema version: the newest unless the store was opened read-only before it was
   * migrated (reading never writes), in which case columns added since read as their defaults.
   */
  readonly schemaVersion: number;
  constructor(driver: SqlDriver, schemaVersion = SCHEMA_VERSION) {
    this.driver = driver;
    this.schemaVersion = schemaVersion;
  }

  /** A SELECT list of `names` from `table`, columns this store's schema lacks read as constants. */
  private cols(table: string, names: readonly string[]): string {
    return selectList(table, names, this.schemaVersion);
  }

  get label(): string {
    return this.driver.label;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  async sizeBytes(): Promise<number | undefined> {
    return this.driver.sizeBytes();
  }

  // ---------------------------------------------------------------- writing

  /** Append a run and its snapshot in one transaction; returns its id and the new chain head. */
  async appendRun(run: RunResult, snapshot: Snapshot, opts: AppendOptions = {}): Promise<StoredRun> {
    const [stored] = await this.appendRuns(snapshot, [{ run, at: opts.at, storedAt: opts.storedAt }], opts.beforeCommit);
    return stored!;
  }

  /**
   * Append runs that share one snapshot, in one transaction (`appendRun` is one of them; seeding a
   * fleet and imports give many): the same records, hashes, stored results and rows as appending
   * each run in turn, with the snapshot's JSON encoded once and every table written with
   * multi-row inserts. The expensive part — serialising, hashing, compressing — happens before
   * the lock. `beforeCommit` runs inside the transaction, after every row is written (fault tests).
   * Runs of one cluster are chained in the order given; runs may belong to several clusters.
   * First sights (`vuln_first_seen`) are those of the earliest `at` of each cluster's runs.
   */
  async appendRuns(snapshot: Snapshot, items: readonly { run: RunResult; at?: Date | undefined; storedAt?: Date | undefined }[], beforeCommit?: () => Promise<void>): Promise<StoredRun[]> {
    if (!items.length) return [];
    // Serialised, hashed and compressed once for the batch, chunk by chunk as it is written (body.ts).
    const snap = encodeJsonBody(snapshot);
    const sightings = vulnerabilitySightings(snapshot.kubernetes.objects);
    const usedIds = new Set<string>();
    const prepare = ({ run, at: atOpt, storedAt: storedAtOpt }: (typeof items)[number], taken?: ReadonlySet<string>) => {
      const storedAtDate = storedAtOpt ?? new Date();
      const identity: ClusterIdentity = { ...snapshot.cluster, ...run.cluster };
      let runId = newRunId(storedAtDate);
      while (usedIds.has(runId) || taken?.has(runId)) runId = newRunId(storedAtDate);
      usedIds.add(runId);
      const stored: RunResult = { ...run, runId, snapshotDigest: snap.digest };
      // The stored result is the run@5 wire form (findings grouped by resource index, index lists with runs), as the JSON report.
      const result = canonicalBytes(toWire(stored));
      const key = clusterKey(identity);
      const at = isoTime(atOpt ?? run.finishedAt);
      const control = controlRows(stored, runId, key, at);
      return {
        run, runId, identity, key, at, storedAt: isoTime(storedAtDate), stored, resultDigest: result.digest, resultBody: gzipSync(result.bytes),
        control, rowsDigest: rowsDigestOf(control.rows),
      };
    };
    const prepared = items.map((item) => prepare(item));
    // A run id is the time to the second and 48 random bits: another writer (a fleet's clusters
    // scanned by one cron at 02:00:00) can still have taken one. The transaction looks first and
    // gives up before writing anything; the runs that collided get new ids and the batch is written
    // again, so a collision never loses a run.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeRuns(snap, sightings, prepared, beforeCommit);
      } catch (err) {
        if (!(err instanceof RunIdTaken) || attempt >= 5) throw err;
        for (const [i, p] of prepared.entries()) if (err.ids.has(p.runId)) prepared[i] = prepare(items[i]!, err.ids);
      }
    }
  }

  private async writeRuns(snap: ReturnType<typeof encodeJsonBody>, sightings: ReturnType<typeof vulnerabilitySightings>,
    prepared: readonly PreparedRun[], beforeCommit: (() => Promise<void>) | undefined): Promise<StoredRun[]> {
    const keys = [...new Set(prepared.map((p) => p.key))];

    const out = await this.driver.write(keys.map((k) => `cluster:${k}`), async (tx) => {
      const taken = new Set<string>();
      for (let i = 0; i < prepared.length; i += 400) {
        const ids = prepared.slice(i, i + 400).map((p) => p.runId);
        for (const r of await tx.all(`SELECT run_id FROM runs WHERE run_id IN (${ids.map(() => '?').join(', ')})`, ids)) taken.add(str(r.run_id));
      }
      if (taken.size) throw new RunIdTaken(taken);
      const heads = new Map<string, { seq: number; hash: string; runId?: string; identity: ClusterIdentity; isNew: boolean }>();
      for (const key of keys) {
        const head = await tx.all('SELECT head_seq, head_hash FROM clusters WHERE cluster_key = ?', [key]);
        const p = prepared.find((x) => x.key === key)!;
        heads.set(key, head.length
          ? { seq: num(head[0]!.head_seq), hash: str(head[0]!.head_hash), identity: p.identity, isNew: false }
          : { seq: 0, hash: GENESIS_HASH, identity: p.identity, isNew: true });
      }
      let deduplicated = true;
      const exists = await tx.all('SELECT 1 AS x FROM snapshots WHERE digest = ?', [snap.digest]);
      if (!exists.length) {
        await tx.run('INSERT INTO snapshots (digest, raw_bytes, stored_bytes, body, first_stored_at) VALUES (?, ?, ?, ?, ?)',
          [snap.digest, snap.rawBytes, snap.body.length, snap.body, prepared[0]!.storedAt]);
        deduplicated = false;
      }
      const runRows: SqlValue[][] = [];
      const controlRowsAll: SqlValue[][] = [];
      const meta = new Map<string, string>();
      const results: StoredRun[] = [];
      for (const [i, p] of prepared.entries()) {
        const h = heads.get(p.key)!;
        const seq = h.seq + 1;
        const prevHash = h.hash;
        const record = buildRecord(p.stored, { runId: p.runId, clusterKey: p.key, seq, prevHash, at: p.at, storedAt: p.storedAt, snapshotDigest: snap.digest, resultDigest: p.resultDigest, rowsDigest: p.rowsDigest });
        const recordText = canonicalJson(record);
        const hash = sha256Digest(recordText);
        runRows.push([...runColumns(record, recordText, hash), p.resultBody]);
        controlRowsAll.push(...p.control.rows);
        for (const [d, text] of p.control.meta) meta.set(d, text);
        Object.assign(h, { seq, hash, runId: p.runId, identity: p.identity });
        // Only the first run of a batch can have written the snapshot (as appendRun of each in turn would report).
        results.push({ runId: p.runId, clusterKey: p.key, seq, at: p.at, hash, prevHash, snapshotDigest: snap.digest, snapshotDeduplicated: i > 0 || deduplicated, resultDigest: p.resultDigest });
      }
      for (const key of keys) {
        const h = heads.get(key)!;
        const identity = h.identity;
        if (!h.isNew) {
          await tx.run('UPDATE clusters SET head_seq = ?, head_hash = ?, head_run_id = ?, identity = ? WHERE cluster_key = ?',
            [h.seq, h.hash, h.runId ?? null, canonicalJson(identity), key]);
        } else {
          const first = prepared.find((x) => x.key === key)!;
          await tx.run(`INSERT INTO clusters (cluster_key, identity, name, account_id, region, arn, context, first_seen, head_seq, head_hash, head_run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [key, canonicalJson(identity), identity.name ?? null, identity.accountId ?? null, identity.region ?? null, identity.arn ?? null,
            identity.context ?? null, first.storedAt, h.seq, h.hash, h.runId ?? null]);
        }
      }
      await tx.insertMany('runs', [...RUN_COLUMNS, 'result'], runRows);
      await tx.insertMany('control_meta', ['digest', 'control_id', 'meta'],
        [...meta].map(([d, text]) => [d, (JSON.parse(text) as ControlMeta).id, text]), 'digest');
      await tx.insertMany('control_results', CONTROL_COLUMNS, controlRowsAll);
      for (const key of keys) {
        // Every run saw the same snapshot: the earliest one (the first given, on a tie) is the first sight.
        let first = prepared.find((x) => x.key === key)!;
        for (const p of prepared) if (p.key === key && p.at < first.at) first = p;
        await writeFirstSeen(tx, key, first.runId, first.at, sightings);
      }
      if (beforeCommit) await beforeCommit();
      return results;
    });
    for (const p of prepared) {
      p.run.runId = p.runId;
      p.run.snapshotDigest = snap.digest;
    }
    return out;
  }

  // ---------------------------------------------------------------- reading

  /**
   * When this store first saw each CRITICAL vulnerability of the cluster's workloads (`vuln_first_seen`),
   * as the lookup `evaluate` takes (`EvaluateOptions.firstSeen`); `size` is the number of rows.
   */
  async firstSeen(clusterKey: string): Promise<{ lookup: FirstSeenLookup; size: number }> {
    return this.driver.read((tx) => readFirstSeen(tx, clusterKey, this.schemaVersion));
  }

  async clusters(): Promise<ClusterInfo[]> {
    return this.driver.read(async (tx) => {
      const rows = await tx.all(`SELECT c.cluster_key, c.identity, c.first_seen, c.head_seq, c.head_hash, c.head_run_id,
          (SELECT COUNT(*) FROM runs r WHERE r.cluster_key = c.cluster_key) AS n,
          (SELECT MIN(at) FROM runs r WHERE r.cluster_key = c.cluster_key) AS first_at,
          (SELECT MAX(at) FROM runs r WHERE r.cluster_key = c.cluster_key) AS last_at
        FROM clusters c ORDER BY c.cluster_key`);
      return rows.map((r) => {
        const first = optStr(r.first_at);
        const last = optStr(r.last_at);
        const headRun = optStr(r.head_run_id);
        return {
          key: str(r.cluster_key),
          cluster: JSON.parse(str(r.identity)) as ClusterIdentity,
          firstSeen: str(r.first_seen),
          runs: num(r.n),
          ...(first ? { firstRunAt: first } : {}),
          ...(last ? { lastRunAt: last } : {}),
          head: { seq: num(r.head_seq), hash: str(r.head_hash), ...(headRun ? { runId: headRun } : {}) },
        };
      });
    });
  }

  /** Runs, oldest first (by `at`, then by chain position). */
  async runs(filter: RunFilter = {}): Promise<RunInfo[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.clusterKey) { where.push('cluster_key = ?'); params.push(filter.clusterKey); }
    if (filter.from) { where.push('at >= ?'); params.push(filter.from); }
    if (filter.to) { where.push('at <= ?'); params.push(filter.to); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    if (filter.last !== undefined) {
      const rows = await this.driver.all(`SELECT ${this.cols('runs', RUN_INFO_COLUMNS)} FROM runs ${w} ORDER BY at DESC, seq DESC LIMIT ${Math.max(0, Math.floor(filter.last))}`, params);
      return rows.map(runInfo).reverse();
    }
    const rows = await this.driver.all(`SELECT ${this.cols('runs', RUN_INFO_COLUMNS)} FROM runs ${w} ORDER BY cluster_key, at, seq`, params);
    return rows.map(runInfo);
  }

  /**
   * The newest run (by `at`, then chain position) of every cluster, in one statement: what
   * `runs({ clusterKey, last: 1 })` returns for each cluster (the dashboard lists 200 clusters with it).
   */
  async latestRuns(): Promise<RunInfo[]> {
    const rows = await this.driver.all(`SELECT ${this.cols('runs', RUN_INFO_COLUMNS)} FROM runs WHERE run_id IN
      (SELECT (SELECT x.run_id FROM runs x WHERE x.cluster_key = c.cluster_key ORDER BY x.at DESC, x.seq DESC LIMIT 1) FROM clusters c)
      ORDER BY cluster_key`);
    return rows.map(runInfo);
  }

  /** A run by id, or by a unique prefix of its id (at least 8 characters). */
  async findRun(id: string): Promise<RunInfo | undefined> {
    const t = id.trim();
    if (RUN_ID_PATTERN.test(t)) {
      const rows = await this.driver.all(`SELECT ${this.cols('runs', RUN_INFO_COLUMNS)} FROM runs WHERE run_id = ?`, [t]);
      return rows.length ? runInfo(rows[0]!) : undefined;
    }
    if (!/^[0-9TZ-]{8,}[0-9a-fTZ-]*$/.test(t)) return undefined;
    const rows = await this.driver.all(`SELECT ${this.cols('runs', RUN_INFO_COLUMNS)} FROM runs WHERE run_id >= ? AND run_id < ? ORDER BY run_id LIMIT 2`, [t, `${t}\u007f`]);
    if (rows.length > 1) throw new StoreError('not-found-run', `run id prefix "${t}" matches several runs`, 'give more characters of the run id (`eks-soc2 history` lists them)');
    return rows.length ? runInfo(rows[0]!) : undefined;
  }

  /** The full stored result of a run (findings included), checked against its digest. */
  async loadResult(runId: string): Promise<RunResult> {
    const rows = await this.driver.all('SELECT result, result_digest FROM runs WHERE run_id = ?', [runId]);
    if (!rows.length) throw new StoreError('not-found-run', `no run ${runId} in ${this.label}`, '`eks-soc2 history` lists the stored runs');
    const raw = gunzipOrUndefined(bytes(rows[0]!.result));
    if (!raw || sha256Digest(raw) !== str(rows[0]!.result_digest)) {
      throw new StoreError('corrupt', `the stored result of run ${runId} in ${this.label} is damaged or was altered (digest mismatch)`, 'run `eks-soc2 verify` for the full picture');
    }
    // Runs stored before warnings existed (run@1) get the run@2 shape in memory, a run@4/run@5 result's
    // finding groups become Finding objects (run@5's index lists decoded); the stored text and its digest are untouched (verify hashes what
    // is stored, never this object).
    return normaliseRunResult(JSON.parse(raw.toString('utf8')) as RunResult);
  }

  /** A stored snapshot by digest, checked against the digest. */
  async loadSnapshot(digest: string): Promise<Snapshot> {
    const d = normaliseDigest(digest) ?? digest;
    const rows = await this.driver.all('SELECT body, raw_bytes FROM snapshots WHERE digest = ?', [d]);
    if (!rows.length) throw new StoreError('not-found-run', `no snapshot ${d} in ${this.label}`, 'it may have been pruned; `eks-soc2 verify` checks every reference');
    const raw = await decodeBody(bytes(rows[0]!.body), num(rows[0]!.raw_bytes));
    if (!raw || sha256Digest(raw) !== d) {
      throw new StoreError('corrupt', `snapshot ${d} in ${this.label} is damaged or was altered (digest mismatch)`, 'run `eks-soc2 verify` for the full picture');
    }
    return JSON.parse(raw.toString('utf8')) as Snapshot;
  }

  /** Per-control rows and run metadata of one cluster within [from, to] (ISO). Reads no run JSON. */
  /** Status of every control in each of the given runs (the dashboard's history strips). */
  statusesOfRuns(runIds: readonly string[]): Promise<{ runId: string; controlId: string; status: Status }[]> {
    return readStatusesOfRuns(this.driver, runIds);
  }

  /** The period rows of one control in the given runs, with the metadata they point to. */
  controlRows(runIds: readonly string[], controlId: string): Promise<Pick<PeriodData, 'rows' | 'meta'>> {
    return readControlRows(this.driver, runIds, controlId, this.schemaVersion);
  }

  async periodData(key: string, from: string, to: string): Promise<PeriodData> {
    return this.driver.read(async (tx) => {
      const runs = await tx.all('SELECT run_id, at, stored_at, snapshot_digest FROM runs WHERE cluster_key = ? AND at >= ? AND at <= ? ORDER BY at, seq', [key, from, to]);
      const raw = await tx.all(`SELECT ${this.cols('control_results', PERIOD_ROW_COLUMNS)}
        FROM control_results WHERE cluster_key = ? AND at >= ? AND at <= ?`, [key, from, to]);
      const rows = periodRows(raw);
      // The metadata the rows point to, by the digests just read (a second scan of the rows in SQL cost as much as reading them).
      const digests = new Set<string>();
      for (const r of rows) digests.add(r.meta);
      return {
        runs: runs.map((r) => ({ runId: str(r.run_id), at: str(r.at), storedAt: str(r.stored_at), snapshotDigest: str(r.snapshot_digest) })),
        rows,
        meta: await controlMetaOf(tx, [...digests]),
      };
    });
  }

  // ---------------------------------------------------------------- verification

  /**
   * Recompute every cluster's hash chain, every record, result and snapshot digest, and the rows
   * derived from them. Reports edited, deleted and reordered runs by id. Reads a consistent state.
   * `depth: 'rows'` checks the chains, records and per-control rows only (each run's rows against
   * the `rowsDigest` of its record; a record without one is checked through its result), no
   * snapshot: what period reports are computed from, without decompressing every stored result.
   */
  async verify(opts: { clusterKey?: string; clusterKeys?: readonly string[]; expectHead?: string; depth?: VerifyDepth } = {}): Promise<VerifyReport> {
    const depth: VerifyDepth = opts.depth ?? 'full';
    // The clusters to check: one (`clusterKey`), several in one pass (`clusterKeys`: the storage
    // integrity check runs once for them all), or every cluster (then runs outside any chain too).
    const wanted = opts.clusterKeys ? new Set(opts.clusterKeys) : opts.clusterKey !== undefined ? new Set([opts.clusterKey]) : undefined;
    return this.driver.read(async (tx) => {
      const problems: VerifyProblem[] = [];
      for (const msg of await this.driver.integrityCheck()) problems.push({ kind: 'storage', message: `storage integrity: ${msg}` });
      const clusterRows = await tx.all('SELECT cluster_key, head_seq, head_hash, head_run_id FROM clusters ORDER BY cluster_key');
      const keys = clusterRows.map((r) => str(r.cluster_key)).filter((k) => !wanted || wanted.has(k));
      const clusters: VerifyCluster[] = [];
      const snapshotUsers = new Map<string, string[]>();
      const metaDigests = new Set<string>();
      const knownHashes = new Map<string, { clusterKey: string; seq: number; runId: string; pruned: boolean }>();
      let runsChecked = 0;

      if (!wanted) {
        const orphans = await tx.all('SELECT run_id, cluster_key, seq FROM runs WHERE cluster_key NOT IN (SELECT cluster_key FROM clusters)');
        for (const o of orphans) problems.push({ kind: 'edited', clusterKey: str(o.cluster_key), runId: str(o.run_id), seq: num(o.seq), message: `run ${str(o.run_id)} belongs to cluster ${str(o.cluster_key)}, which the store does not list (cluster row deleted or renamed)` });
        const lost = await tx.all('SELECT DISTINCT run_id, cluster_key FROM control_results WHERE run_id NOT IN (SELECT run_id FROM runs)');
        for (const o of lost) problems.push({ kind: 'deleted', clusterKey: str(o.cluster_key), runId: str(o.run_id), message: `run ${str(o.run_id)} was deleted: its per-control rows are still in the store` });
      }

      for (const key of keys) {
        const before = problems.length;
        const head = clusterRows.find((r) => str(r.cluster_key) === key)!;
        const cp = await this.verifyCheckpoints(tx, key, problems, knownHashes);
        const runRows = await tx.all(`SELECT ${this.cols('runs', RUN_COLUMNS)} FROM runs WHERE cluster_key = ? ORDER BY seq`, [key]);
        // Recomputed hash of every record, to recognise where a broken link points.
        const recomputed = runRows.map((r) => sha256Digest(str(r.record)));
        const bySeqHash = new Map<string, { runId: string; seq: number }>();
        runRows.forEach((r, i) => bySeqHash.set(recomputed[i]!, { runId: str(r.run_id), seq: num(r.seq) }));

        let expectedPrev = cp?.hash ?? GENESIS_HASH;
        let prevSeq = cp?.seq ?? 0;
        let prevRunId: string | undefined;
        let lastHash: string | undefined;
        let stored: Map<string, { result?: unknown; controls: Row[] }> = new Map();
        // In `rows` depth a run whose record commits to its rows (rowsDigest) is checked by them; its
        // stored result is read only in `full` depth, or when its record has no rows digest.
        const records = runRows.map((r) => parseRecord(str(r.record)));
        const commitsRows = records.map((r) => depth === 'rows' && typeof r?.rowsDigest === 'string');
        for (let i = 0; i < runRows.length; i++) {
          const row = runRows[i]!;
          const runId = str(row.run_id);
          // Each run's stored result and per-control rows, read VERIFY_CHUNK runs at a time (by run id, as one run's would be).
          if (i % VERIFY_CHUNK === 0) {
            const chunk = runRows.slice(i, i + VERIFY_CHUNK).map((r) => str(r.run_id));
            stored = await this.verifyRows(tx, chunk, chunk.filter((_id, j) => !commitsRows[i + j]));
          }
          const seq = num(row.seq);
          const hash = recomputed[i]!;
          runsChecked++;
          knownHashes.set(hash, { clusterKey: key, seq, runId, pruned: false });
          if (hash !== str(row.record_hash)) {
            problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}) was edited after it was stored: its record no longer matches its hash` });
          }
          const record = records[i];
          if (record === null) {
            problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}): its record is not valid JSON any more` });
          }
          if (record) {
            if (record.seq !== seq) {
              problems.push({ kind: 'reordered', clusterKey: key, runId, seq, message: `run ${runId} is stored at position #${seq} but its record says #${record.seq}: runs were reordered` });
            }
            const expectedCols = runColumns(record, str(row.record), hash);
            const bad = RUN_COLUMNS.filter((c, ci) => c !== 'record_hash' && c !== 'record' && c !== 'seq' && !sameValue(row[c], expectedCols[ci]!));
            if (bad.length) {
              problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}) was edited: column(s) ${bad.join(', ')} differ from its hashed record` });
            }
            // Chain link.
            if (record.prevHash !== expectedPrev) {
              const target = bySeqHash.get(record.prevHash);
              if (target && target.runId !== prevRunId) {
                problems.push({ kind: 'reordered', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}) chains to run ${target.runId} (#${target.seq}), not to the run before it${prevRunId ? ` (${prevRunId})` : ''}: runs were reordered` });
              } else if (seq > prevSeq + 1) {
                const n = seq - prevSeq - 1;
                problems.push({ kind: 'deleted', clusterKey: key, runId, seq, message: `${n} run(s) deleted before run ${runId}: #${prevSeq + 1}${n > 1 ? `–#${seq - 1}` : ''} missing${prevSeq === 0 && !cp ? ' (and no prune checkpoint covers them)' : ''}` });
              } else if (prevRunId) {
                problems.push({ kind: 'edited', clusterKey: key, runId: prevRunId, seq: prevSeq, message: `run ${prevRunId} (#${prevSeq}) was changed after run ${runId} chained to it (its hash is not the one run ${runId} recorded)` });
              } else {
                problems.push({ kind: cp ? 'checkpoint' : 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}) does not chain to ${cp ? `the prune checkpoint at #${cp.seq}` : 'the start of the chain'}` });
              }
            } else if (seq !== prevSeq + 1 && record.seq === seq) {
              problems.push({ kind: 'reordered', clusterKey: key, runId, seq, message: `run ${runId} has position #${seq} after #${prevSeq}: sequence numbers were changed` });
            }
            if (depth === 'full') {
              const users = snapshotUsers.get(record.snapshotDigest);
              if (users) users.push(runId);
              else snapshotUsers.set(record.snapshotDigest, [runId]);
            }
            const pre = stored.get(runId) ?? { controls: [] };
            if (commitsRows[i] && record.rowsDigest) this.verifyRowsDigest(key, runId, seq, record.rowsDigest, problems, metaDigests, pre.controls);
            else await this.verifyResult(key, runId, seq, record, problems, metaDigests, pre);
          }
          expectedPrev = hash;
          prevSeq = seq;
          prevRunId = runId;
          lastHash = hash;
        }

        // Head: the newest run must be the one the cluster row points at.
        const headSeq = num(head.head_seq);
        const headHash = str(head.head_hash);
        if (runRows.length === 0) {
          if (!cp || cp.seq !== headSeq || cp.hash !== headHash) {
            problems.push({ kind: 'deleted', clusterKey: key, message: `every run of cluster ${key} was deleted (the head says #${headSeq}, and no prune checkpoint covers it)` });
          }
        } else if (prevSeq < headSeq) {
          const n = headSeq - prevSeq;
          problems.push({ kind: 'deleted', clusterKey: key, seq: prevSeq + 1, message: `the newest ${n} run(s) of cluster ${key} were deleted: #${prevSeq + 1}${n > 1 ? `–#${headSeq}` : ''} missing (head ${str(head.head_run_id)})` });
        } else if (prevSeq > headSeq || lastHash !== headHash) {
          problems.push({ kind: 'head', clusterKey: key, runId: prevRunId, seq: prevSeq, message: `the chain head of cluster ${key} (#${headSeq} ${headHash.slice(0, 19)}…) does not match its newest run ${prevRunId} (#${prevSeq})` });
        }
        const last = runRows[runRows.length - 1];
        clusters.push({
          key,
          runs: runRows.length,
          ...(last && lastHash ? { head: { seq: num(last.seq), hash: lastHash, runId: str(last.run_id) } } : {}),
          ...(cp ? { anchor: { seq: cp.seq, hash: cp.hash } } : {}),
          ok: problems.length === before,
        });
      }

      // Snapshots: each referenced digest once.
      let snapshotsChecked = 0;
      for (const [digest, users] of snapshotUsers) {
        snapshotsChecked++;
        const rows = await tx.all('SELECT body, raw_bytes FROM snapshots WHERE digest = ?', [digest]);
        const names = `${users.slice(0, 3).join(', ')}${users.length > 3 ? ` and ${users.length - 3} more` : ''}`;
        if (!rows.length) {
          problems.push({ kind: 'snapshot', runId: users[0], message: `snapshot ${digest} of run(s) ${names} was deleted` });
          continue;
        }
        const raw = decodeBodySync(bytes(rows[0]!.body), num(rows[0]!.raw_bytes));
        if (!raw) {
          problems.push({ kind: 'snapshot', runId: users[0], message: `snapshot ${digest} of run(s) ${names} is damaged (it no longer decompresses)` });
        } else if (sha256Digest(raw) !== digest) {
          problems.push({ kind: 'snapshot', runId: users[0], message: `snapshot ${digest} of run(s) ${names} was altered: its content no longer matches its digest` });
        } else if (num(rows[0]!.raw_bytes) !== raw.length) {
          problems.push({ kind: 'snapshot', runId: users[0], message: `snapshot ${digest}: its recorded size was edited` });
        }
      }
      for (const d of metaDigests) {
        const rows = await tx.all('SELECT meta FROM control_meta WHERE digest = ?', [d]);
        if (!rows.length) problems.push({ kind: 'edited', message: `control metadata ${d} was deleted` });
        else if (sha256Digest(str(rows[0]!.meta)) !== d) problems.push({ kind: 'edited', message: `control metadata ${d} (${String((JSON.parse(str(rows[0]!.meta)) as { id?: string }).id ?? '?')}) was edited` });
      }

      let expectHead: VerifyReport['expectHead'];
      if (opts.expectHead !== undefined) {
        const h = normaliseDigest(opts.expectHead) ?? opts.expectHead;
        const hit = knownHashes.get(h);
        expectHead = hit ? { hash: h, found: true, clusterKey: hit.clusterKey, seq: hit.seq, runId: hit.runId, pruned: hit.pruned } : { hash: h, found: false };
        if (!hit) {
          problems.push({ kind: 'expect-head', message: `the expected head ${h} is not in the chain${opts.clusterKey ? ` of cluster ${opts.clusterKey}` : ''}: runs up to it were deleted, or the store was replaced` });
        }
      }
      return { store: this.label, ok: problems.length === 0, depth, clusters, runsChecked, snapshotsChecked, problems, ...(expectHead ? { expectHead } : {}) };
    });
  }

  /** The per-control rows of each of `runIds` and the stored results of `resultIds` (some of them), in two statements. */
  private async verifyRows(tx: SqlConn, runIds: readonly string[], resultIds: readonly string[]): Promise<Map<string, { result?: unknown; controls: Row[] }>> {
    const out = new Map<string, { result?: unknown; controls: Row[] }>(runIds.map((id) => [id, { controls: [] }]));
    if (!runIds.length) return out;
    const marks = runIds.map(() => '?').join(', ');
    if (resultIds.length) {
      for (const r of await tx.all(`SELECT run_id, result FROM runs WHERE run_id IN (${resultIds.map(() => '?').join(', ')})`, resultIds)) out.get(str(r.run_id))!.result = r.result;
    }
    for (const r of await tx.all(`SELECT ${this.cols('control_results', CONTROL_COLUMNS)} FROM control_results WHERE run_id IN (${marks})`, runIds)) {
      out.get(str(r.run_id))?.controls.push(r);
    }
    return out;
  }

  /** `rows` depth: a run's stored per-control rows against the digest its hashed record commits to. */
  private verifyRowsDigest(key: string, runId: string, seq: number, rowsDigest: string, problems: VerifyProblem[], metaDigests: Set<string>, controls: readonly Row[]): void {
    const values = storedControlValues(controls);
    for (const v of values) metaDigests.add(v[META_DIGEST_COLUMN] as string);
    if (rowsDigestOf(values) !== rowsDigest) {
      problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}): per-control rows were edited, added or deleted (they no longer match the digest in its hashed record)` });
    }
  }

  private async verifyResult(key: string, runId: string, seq: number, record: RunRecord, problems: VerifyProblem[], metaDigests: Set<string>,
    pre: { result?: unknown; controls: Row[] }): Promise<void> {
    const raw = pre.result !== undefined ? gunzipOrUndefined(bytes(pre.result)) : undefined;
    if (!raw) {
      problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}): its stored result is damaged (it no longer decompresses)` });
      return;
    }
    if (sha256Digest(raw) !== record.resultDigest) {
      problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}): its result (controls, findings) was edited after it was stored` });
      return;
    }
    // A run@4/run@5 result's finding groups are expanded (the rows were made from the findings); run@1 stays as stored.
    const parsed = JSON.parse(raw.toString('utf8')) as RunResult;
    const result = isGroupedSchema(parsed.schema) ? normaliseRunResult(parsed) : parsed;
    const expected = controlRows(result, runId, key, record.at);
    if (record.rowsDigest !== undefined && rowsDigestOf(expected.rows) !== record.rowsDigest) {
      problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}): the rows digest in its record does not match the rows of its stored result` });
    }
    const byId = new Map(pre.controls.map((r) => [str(r.control_id), r]));
    const changed: string[] = [];
    for (const e of expected.rows) {
      const id = e[CONTROL_ID_COLUMN] as string;
      const s = byId.get(id);
      byId.delete(id);
      if (!s) { changed.push(`${id} (row deleted)`); continue; }
      const cols = CONTROL_COLUMNS.filter((c, ci) => !sameValue(s[c], e[ci]!));
      if (cols.length) changed.push(`${id} (${cols.join(', ')})`);
      metaDigests.add(e[META_DIGEST_COLUMN] as string);
    }
    for (const extra of byId.keys()) changed.push(`${extra} (row added)`);
    if (changed.length) {
      problems.push({ kind: 'edited', clusterKey: key, runId, seq, message: `run ${runId} (#${seq}): per-control rows were edited: ${changed.slice(0, 5).join('; ')}${changed.length > 5 ? `; … ${changed.length - 5} more` : ''}` });
    }
  }

  private async verifyCheckpoints(tx: SqlConn, key: string, problems: VerifyProblem[],
    knownHashes: Map<string, { clusterKey: string; seq: number; runId: string; pruned: boolean }>): Promise<{ seq: number; hash: string } | undefined> {
    const rows = await tx.all('SELECT seq, hash, record, record_hash FROM checkpoints WHERE cluster_key = ? ORDER BY seq', [key]);
    let prev: string | null = null;
    let prevSeq = 0;
    let last: { seq: number; hash: string } | undefined;
    for (const r of rows) {
      const seq = num(r.seq);
      const text = str(r.record);
      const h = sha256Digest(text);
      if (h !== str(r.record_hash)) problems.push({ kind: 'checkpoint', clusterKey: key, seq, message: `the prune checkpoint at #${seq} of cluster ${key} was edited` });
      let rec: CheckpointRecord | undefined;
      try {
        rec = JSON.parse(text) as CheckpointRecord;
      } catch {
        problems.push({ kind: 'checkpoint', clusterKey: key, seq, message: `the prune checkpoint at #${seq} of cluster ${key} is not valid JSON` });
      }
      if (rec) {
        if (rec.seq !== seq || rec.hash !== str(r.hash) || rec.clusterKey !== key) problems.push({ kind: 'checkpoint', clusterKey: key, seq, message: `the prune checkpoint at #${seq} of cluster ${key} was edited (columns differ from its record)` });
        if (rec.prevCheckpoint !== prev) problems.push({ kind: 'checkpoint', clusterKey: key, seq, message: `the prune checkpoint at #${seq} of cluster ${key} does not chain to the previous checkpoint (one was deleted or replaced)` });
        const removed = rec.removed ?? [];
        const contiguous = removed.every((x, i) => x.seq === prevSeq + 1 + i) && removed.length === seq - prevSeq;
        if (!contiguous || removed[removed.length - 1]?.hash !== rec.hash) {
          problems.push({ kind: 'checkpoint', clusterKey: key, seq, message: `the prune checkpoint at #${seq} of cluster ${key} does not account for runs #${prevSeq + 1}–#${seq}` });
        }
        for (const x of removed) knownHashes.set(x.hash, { clusterKey: key, seq: x.seq, runId: x.runId, pruned: true });
      }
      prev = h;
      prevSeq = seq;
      last = { seq, hash: str(r.hash) };
    }
    return last;
  }

  // ---------------------------------------------------------------- retention

  /**
   * Remove runs whose `at` is before `before`, oldest first and only as an unbroken prefix of each
   * cluster's chain, sealing what was removed in a checkpoint that the next run chains to. Refuses
   * to prune a cluster whose chain does not verify (pruning must never launder tampering).
   */
  async prune(opts: { before: Date; clusterKey?: string; dryRun?: boolean; now?: Date }): Promise<PruneReport> {
    const cutoff = isoTime(opts.before);
    const createdAt = isoTime(opts.now ?? new Date());
    const clusterKeys = (await this.clusters()).map((c) => c.key).filter((k) => !opts.clusterKey || k === opts.clusterKey);
    const report: PruneReport = { dryRun: Boolean(opts.dryRun), cutoff, clusters: [], removedRuns: 0, removedSnapshots: 0 };
    for (const key of clusterKeys) {
      const check = await this.verify({ clusterKey: key });
      if (!check.ok) {
        throw new StoreError('error', `refusing to prune cluster ${key} in ${this.label}: its chain does not verify (${check.problems[0]?.message ?? 'see verify'})`,
          'run `eks-soc2 verify` and investigate before removing anything');
      }
      const work = async (tx: SqlConn): Promise<PruneReport['clusters'][number]> => {
        const runs = await tx.all('SELECT run_id, seq, at, record_hash, snapshot_digest FROM runs WHERE cluster_key = ? ORDER BY seq', [key]);
        const prefix: Row[] = [];
        for (const r of runs) {
          if (str(r.at) >= cutoff) break;
          prefix.push(r);
        }
        if (!prefix.length) return { key, removed: 0, kept: runs.length };
        const lastRemoved = prefix[prefix.length - 1]!;
        const prevCp = await tx.all('SELECT record_hash FROM checkpoints WHERE cluster_key = ? ORDER BY seq DESC LIMIT 1', [key]);
        const record: CheckpointRecord = {
          schema: CHECKPOINT_SCHEMA,
          clusterKey: key,
          seq: num(lastRemoved.seq),
          hash: str(lastRemoved.record_hash),
          prevCheckpoint: prevCp.length ? str(prevCp[0]!.record_hash) : null,
          removed: prefix.map((r) => ({ runId: str(r.run_id), seq: num(r.seq), at: str(r.at), hash: str(r.record_hash) })),
          createdAt,
          cutoff,
        };
        const text = canonicalJson(record);
        const recordHash = sha256Digest(text);
        if (!opts.dryRun) {
          const ids = prefix.map((r) => str(r.run_id));
          for (let i = 0; i < ids.length; i += 500) {
            const chunk = ids.slice(i, i + 500);
            const marks = chunk.map(() => '?').join(', ');
            await tx.run(`DELETE FROM control_results WHERE run_id IN (${marks})`, chunk);
            await tx.run(`DELETE FROM runs WHERE run_id IN (${marks})`, chunk);
          }
          await tx.run('INSERT INTO checkpoints (cluster_key, seq, hash, record, record_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
            [key, record.seq, record.hash, text, recordHash, createdAt]);
          const digests = [...new Set(prefix.map((r) => str(r.snapshot_digest)))];
          for (const d of digests) {
            report.removedSnapshots += await tx.run('DELETE FROM snapshots WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.snapshot_digest = ?)', [d, d]);
          }
        }
        return { key, removed: prefix.length, kept: runs.length - prefix.length, checkpoint: { seq: record.seq, hash: record.hash, recordHash } };
      };
      const entry = opts.dryRun ? await this.driver.read(work) : await this.driver.write([`cluster:${key}`], work);
      report.removedRuns += entry.removed;
      report.clusters.push(entry);
    }
    return report;
  }
}
