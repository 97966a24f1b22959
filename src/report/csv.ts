import { stringify } from 'csv-stringify';
import type { ControlResult, Finding, PeriodResult, RunResult } from '../model/index.js';
import { resultSeverity } from '../model/index.js';
import { neutraliseCsvCell } from './escape.js';
import { eachFinding, findingTotal } from '../model/findings.js';
import { locationLabel, ownerLabel, periodWarningRules } from './markdown.js';
import { periodLeftOut, runLeftOut, sectionOfControlId } from './filters.js';

export const CSV_COLUMNS = [
  'control', 'section', 'criteria', 'owner', 'rule', 'resource_provider', 'resource_kind', 'resource_namespace',
  'resource_name', 'resource_arn', 'location', 'status', 'severity', 'message', 'system_namespace',
  'waiver_id', 'waiver_approver', 'waiver_expiry',
] as const;

type Cell = string | number;

/** Cells are neutralised against formula injection; numbers we computed stay numbers. */
function cell(v: string | number | undefined): Cell {
  if (v === undefined) return '';
  return typeof v === 'number' ? v : neutraliseCsvCell(v);
}

function findingRow(c: ControlResult, f: Finding): Cell[] {
  const r = f.resource;
  return [
    c.id, c.section, c.tsc.join(';'), ownerLabel(c.owners.primary), f.rule, r.provider, r.kind, r.namespace, r.name, r.arn,
    locationLabel(f), f.status, f.severity, f.message, f.system ? 'yes' : 'no', f.waiver?.id, f.waiver?.approvedBy, f.waiver?.expires,
  ].map(cell);
}

/**
 * A rule not evaluated as a whole (its evidence was not read): a row with the rule and no resource,
 * status `error` like a rule not evaluated on one resource, and what was not read.
 */
function unevaluatedRow(c: ControlResult, u: ControlResult['unevaluated'][number]): Cell[] {
  const severity = c.rules.find((r) => r.id === u.rule)?.severity ?? c.severity;
  return [
    c.id, c.section, c.tsc.join(';'), ownerLabel(c.owners.primary), u.rule, '', '', '', '', '', '', 'error',
    severity, `not evaluated (${u.level} rule): ${u.reason}`, 'no', '', '', '',
  ].map(cell);
}

/** A control without findings (manual, error, not applicable) still gets one row, so no control is missing. */
function controlRow(c: ControlResult): Cell[] {
  return [
    c.id, c.section, c.tsc.join(';'), ownerLabel(c.owners.primary), '', '', '', '', '', '', '', c.status,
    c.status === 'fail' ? resultSeverity(c) : c.severity, c.message, 'no', c.waivers[0]?.id, c.waivers[0]?.approvedBy, c.waivers[0]?.expires,
  ].map(cell);
}

/** A skipped control: its id and section, status `skipped` and why; nothing else is known of it. */
function skippedRow(id: string, why: string): Cell[] {
  return [id, sectionOfControlId(id) ?? '', '', '', '', '', '', '', '', '', '', 'skipped', '', why, '', '', '', ''].map(cell);
}

async function stream(rows: Iterable<Cell[]>, columns: readonly string[], write: (chunk: string) => void): Promise<void> {
  // A cell holding a bare CR or LF is quoted like one holding CRLF (csv-stringify only quotes the
  // record delimiter itself), so no reader takes its second line for a new row.
  const s = stringify({ header: true, columns: [...columns], record_delimiter: 'windows', quoted_match: [/\r/, /\n/] });
  s.on('data', (chunk: Buffer | string) => write(chunk.toString()));
  const done = new Promise<void>((resolve, reject) => {
    s.on('end', () => resolve());
    s.on('error', reject);
  });
  for (const row of rows) {
    // Respect back-pressure without holding the whole run in memory.
    if (!s.write(row)) await new Promise<void>((r) => s.once('drain', () => r()));
  }
  s.end();
  await done;
}

/**
 * CSV, one row per finding (RFC 4180 quoting by csv-stringify, CRLF line ends), safe to open in a
 * spreadsheet: every text cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`.
 */
export async function renderCsv(run: RunResult, write: (chunk: string) => void): Promise<void> {
  const skipped = runLeftOut(run.filters).find((i) => i.kind === 'skipControls')?.values ?? [];
  function* rows(): Iterable<Cell[]> {
    for (const c of run.controls) {
      if (findingTotal(c) === 0) yield controlRow(c);
      for (const f of eachFinding(run, c)) yield findingRow(c, f);
      for (const u of c.unevaluated) yield unevaluatedRow(c, u);
    }
    // A control the run skipped (--skip-control) still gets its row, so no control is silently missing.
    for (const id of skipped) yield skippedRow(id, 'skipped control: not evaluated, not in the score (left out of this run by its filters)');
  }
  await stream(rows(), CSV_COLUMNS, write);
}

export const PERIOD_CSV_COLUMNS = [
  'cluster', 'control', 'section', 'criteria', 'owner', 'verdict', 'pass_rate', 'samples', 'pass', 'fail', 'waived',
  'manual', 'not_applicable', 'error', 'fail_intervals', 'open_fail_interval', 'mean_hours_to_remediate', 'verdict_reason',
  'samples_with_warnings', 'warning_rules', 'evidence_not_read', 'evidence_chain',
] as const;

/** CSV for an audit period: one row per control and cluster. */
export async function renderPeriodCsv(period: PeriodResult, write: (chunk: string) => void): Promise<void> {
  const skipped = periodLeftOut(period.filters).find((i) => i.kind === 'skipControls')?.values ?? [];
  // The store's chain check of the cluster: verified, BROKEN (the figures cannot be trusted), or empty (not checked).
  const chain = (key: string) => {
    const v = period.verification;
    if (!v) return '';
    return v.ok && (v.clusters.find((c) => c.key === key)?.ok ?? true) ? 'verified' : 'BROKEN';
  };
  function* rows(): Iterable<Cell[]> {
    for (const cl of period.clusters) {
      for (const c of cl.controls) {
        const sc = c.statusCounts;
        yield [
          cl.key, c.id, c.section, c.tsc.join(';'), ownerLabel(c.owners.primary), c.verdict, Math.round(c.passRate * 10000) / 100,
          c.samples, sc.pass, sc.fail, sc.waived, sc.manual, sc['not-applicable'], sc.error, c.failIntervals.length,
          c.failIntervals.some((i) => i.open) ? 'yes' : 'no', c.timeToRemediateHours ? Math.round(c.timeToRemediateHours.mean * 10) / 10 : '',
          c.verdictReason, c.warnings?.samples ?? 0, periodWarningRules(c, 50),
          (c.evidenceGaps ?? []).map((g) => `${g.reason} (${g.samples} sample(s), ${g.failing} failing)`).join('; '),
          chain(cl.key),
        ].map((v) => cell(v));
      }
      // A control the report leaves out (report --skip-control): verdict `skipped`, no figures.
      for (const id of skipped) {
        yield [cl.key, id, sectionOfControlId(id) ?? '', '', '', 'skipped', '', '', '', '', '', '', '', '', '', '', '', 'skipped control: left out of this report, no verdict shown', '', '', '', chain(cl.key)].map((v) => cell(v));
      }
    }
  }
  await stream(rows(), PERIOD_CSV_COLUMNS, write);
}
