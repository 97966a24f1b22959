import type { AppliedWaiver, Attestation, Severity, Status } from '../model/index.js';
import type { Row, SqlConn, SqlDriver } from './sql.js';
import { num as n, optStr as opt, str as s } from './sql.js';
import type { ControlMeta, PeriodData } from './types.js';
import { selectList } from './schema.js';

/**
 * Per-control reads for the dashboard (both back ends: only `?` placeholders and plain SELECTs).
 * They look rows up by primary key (run_id, control_id), so one control's year of samples costs a
 * few hundred index probes instead of a scan of every control's rows (what `periodData` does for a
 * whole cluster). Exposed as `EvidenceStore.statusesOfRuns` and `EvidenceStore.controlRows`.
 */

/** Placeholders per statement: well below SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 400;

/** The columns of `control_results` the period statistics read. */
export const PERIOD_ROW_COLUMNS = [
  'run_id', 'control_id', 'ordinal', 'status', 'fail_severity', 'n_pass', 'n_fail', 'n_manual', 'n_waived', 'n_na', 'n_error',
  'meta_digest', 'waivers', 'attestation', 'n_warn', 'warn_rules', 'missing',
] as const;

/**
 * JSON.parse of the JSON columns of many rows, each distinct text parsed once: a control's waivers,
 * attestation and missing evidence are the same text in most of a year's rows (22,630 rows of one
 * cluster-year: parsing each took most of the time of reading them). The rows share what is
 * parsed; the period statistics only read it.
 */
function jsonCache(): (text: string) => unknown {
  const parsed = new Map<string, unknown>();
  return (text) => {
    let v = parsed.get(text);
    if (v === undefined) parsed.set(text, (v = JSON.parse(text) as unknown));
    return v;
  };
}

/** Rows of `control_results` as the period statistics read them (both the cluster-wide and the per-control queries). */
export function periodRows(rows: readonly Row[]): PeriodData['rows'] {
  const parse = jsonCache();
  return rows.map((r) => periodRowOf(r, parse));
}

/**
 * The status literal itself: the period statistics key objects by status (`counts[status]++`), and a
 * string the driver just made is not an internalized one, which makes each such access a string-table
 * lookup (22,630 of them a cluster-year). Anything else is returned as read.
 */
function statusOf(v: string): Status {
  switch (v) {
    case 'pass': return 'pass';
    case 'fail': return 'fail';
    case 'manual': return 'manual';
    case 'waived': return 'waived';
    case 'not-applicable': return 'not-applicable';
    case 'error': return 'error';
    default: return v as Status;
  }
}

/** One row of `control_results` as the period statistics read it; `parse` reads its JSON columns. */
export function periodRowOf(r: Row, parse: (text: string) => unknown = JSON.parse): PeriodData['rows'][number] {
  // Built field by field (no spread of optional parts): 22,630 rows for a cluster-year.
  const row: PeriodData['rows'][number] = {
    runId: s(r.run_id),
    controlId: s(r.control_id),
    ordinal: n(r.ordinal),
    status: statusOf(s(r.status)),
    counts: {
      pass: n(r.n_pass), fail: n(r.n_fail), warn: r.n_warn === null || r.n_warn === undefined ? 0 : n(r.n_warn),
      manual: n(r.n_manual), waived: n(r.n_waived), 'not-applicable': n(r.n_na), error: n(r.n_error),
    },
    meta: s(r.meta_digest),
  };
  const failSeverity = opt(r.fail_severity);
  if (failSeverity) row.failSeverity = failSeverity as Severity;
  const waivers = opt(r.waivers);
  if (waivers) row.waivers = parse(waivers) as AppliedWaiver[];
  const attestation = opt(r.attestation);
  if (attestation) row.attestation = parse(attestation) as Attestation;
  const warnRules = opt(r.warn_rules);
  if (warnRules) row.warnRules = parse(warnRules) as Record<string, number>;
  const missing = opt(r.missing);
  if (missing) row.missing = parse(missing) as string[];
  return row;
}

/** The metadata rows of the given digests (chunked), by digest. */
export async function controlMetaOf(conn: SqlConn, digests: readonly string[]): Promise<Record<string, ControlMeta>> {
  const meta: Record<string, ControlMeta> = {};
  for (const m of await inChunks(digests, (chunk) => conn.all(`SELECT digest, meta FROM control_meta WHERE digest IN (${marks(chunk.length)})`, [...chunk]))) {
    meta[s(m.digest)] = JSON.parse(s(m.meta)) as ControlMeta;
  }
  return meta;
}

async function inChunks<T>(ids: readonly string[], fn: (chunk: readonly string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...await fn(ids.slice(i, i + CHUNK)));
  return out;
}

const marks = (k: number) => Array.from({ length: k }, () => '?').join(', ');

/** Status of every control in each of the given runs (the history strip of the controls table). */
export async function statusesOfRuns(driver: SqlDriver, runIds: readonly string[]): Promise<{ runId: string; controlId: string; status: Status }[]> {
  return inChunks(runIds, async (chunk) => {
    const rows = await driver.all(`SELECT run_id, control_id, status FROM control_results WHERE run_id IN (${marks(chunk.length)})`, [...chunk]);
    return rows.map((r) => ({ runId: s(r.run_id), controlId: s(r.control_id), status: s(r.status) as Status }));
  });
}

/** The period rows of one control in the given runs, with the metadata they point to. */
export async function controlRows(driver: SqlDriver, runIds: readonly string[], controlId: string, schemaVersion: number): Promise<Pick<PeriodData, 'rows' | 'meta'>> {
  const rows = await inChunks(runIds, async (chunk) => driver.all(
    `SELECT ${selectList('control_results', PERIOD_ROW_COLUMNS, schemaVersion)}
      FROM control_results WHERE run_id IN (${marks(chunk.length)}) AND control_id = ?`, [...chunk, controlId]));
  const digests = [...new Set(rows.map((r) => s(r.meta_digest)))];
  return {
    meta: await controlMetaOf(driver, digests),
    rows: periodRows(rows),
  };
}
