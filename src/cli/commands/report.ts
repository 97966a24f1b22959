import type { Command } from 'commander';
import type { PeriodResult, VerdictThresholds } from '../../model/index.js';
import { EXIT, UserError } from '../errors.js';
import { parsePeriodFormats, writePeriodOutputs } from '../period-output.js';
import { markdownBounds } from '../output.js';
import { addStoreUrlOption, readStoreTarget, selectClusters, withStore } from '../sources/store.js';
import { toolVersion } from '../version.js';
import { configPath } from '../config-file.js';
import { describeFilters, resolveFilters } from '../filters.js';
import type { RunFilters, Verdict } from '../../model/index.js';
import { controlSkipped, ruleSkipped } from '../../engine/filters.js';

const splitList = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/**
 * Apply `--skip-control` / `--skip-rule` to a period result (in place): skipped controls leave every
 * cluster's list and its verdict summary; skipped rules leave the warnings shown. Recorded in `filters`.
 */
export function filterPeriod(period: PeriodResult, f: RunFilters): PeriodResult {
  for (const c of period.clusters) {
    c.controls = c.controls.filter((x) => !controlSkipped(f, x.id));
    for (const x of c.controls) {
      if (!x.warnings) continue;
      x.warnings.rules = x.warnings.rules.filter((r) => !ruleSkipped(f, x.id, r.rule));
      if (!x.warnings.rules.length) delete x.warnings;
    }
    const summary: Record<Verdict, number> = { 'operated-effectively': 0, 'exceptions-noted': 0, 'not-operating': 0, 'insufficient-evidence': 0 };
    for (const x of c.controls) summary[x.verdict]++;
    c.summary = summary;
  }
  period.filters = { ...(f.skipControls?.length ? { skipControls: f.skipControls } : {}), ...(f.skipRules?.length ? { skipRules: f.skipRules } : {}) };
  return period;
}

interface ReportOptions {
  skipControl?: string[];
  skipRule?: string[];
  config?: string | false;
  from?: string;
  to?: string;
  store?: string;
  cluster?: string;
  format?: string;
  output?: string;
  effectiveRate?: string;
  exceptionsRate?: string;
  minCoverage?: string;
  maxGapDays?: string;
  quiet?: boolean;
  color: boolean;
  now?: string;
  verifyDepth: string;
  maxSize?: string;
  reportUrl?: string;
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('period report (SOC 2 Type II): how each control operated over a window of stored runs, with a verdict per control')
    .requiredOption('--from <date>', 'first day of the audit window (YYYY-MM-DD, UTC) or an ISO timestamp')
    .option('--to <date>', 'last day of the window, included (default: today)')
    .option('--cluster <name>', 'only this cluster (store key, name, ARN or context); default: every cluster in the store')
    .option('--format <list>', 'output format(s), comma-separated: terminal, json, markdown, markdown-summary, csv, html, pdf, sarif, junit, oscal (see `eks-soc2 formats`)', 'terminal')
    .option('-o, --output <dir>', 'write each format to DIR/eks-soc2-period.<ext> instead of stdout')
    .option('--effective-rate <rate>', 'pass rate for "operated effectively" (0–1 or a percentage)', '1')
    .option('--exceptions-rate <rate>', 'pass rate below which a control is "not operating" rather than "exceptions noted"', '0.9')
    .option('--min-coverage <rate>', 'share of the window\'s days that need a decided sample, else "insufficient evidence"', '0.9')
    .option('--max-gap-days <n>', 'longest run of days without a decided sample before "insufficient evidence"', '7')
    .option('-q, --quiet', 'list only the controls that did not operate effectively')
    .option('--no-color', 'no ANSI colours (also when NO_COLOR is set or output is not a terminal)')
    .option('--now <time>', 'the report\'s "now" (ISO date/time): where an open window ends')
    .option('--skip-control <ids>', 'leave these controls out of the report (listed as skipped; config: skipControls)', splitList)
    .option('--skip-rule <ids>', 'leave these rules out of the warnings shown: RULE or CONTROL/RULE (config: skipRules)', splitList)
    .option('-c, --config <file>', 'configuration file for skipControls / skipRules (default: eks-soc2.yaml or .eks-soc2.yaml found from the working directory)')
    .option('--no-config', 'read no configuration file')
    .option('--max-size <chars>', 'markdown, markdown-summary: at most this many characters (markdown-summary: 65000), the controls that did not operate effectively first, then a line saying what was left out')
    .option('--report-url <url>', 'markdown, markdown-summary: link to the full report in the line saying what was left out')
    .option('--verify-depth <depth>', 'the evidence check printed at the top: rows (chains, records and the per-control rows the report is computed from) or full (every stored result and snapshot too, as `eks-soc2 verify`)', 'rows');
  addStoreUrlOption(cmd);
  cmd.addHelpText('after', `
Each sample names its run id and snapshot digest: re-perform a test with
  eks-soc2 scan --run RUN_ID --now AT

Filters: --skip-control and --skip-rule leave controls and rules out of what the report shows (listed
as skipped). Namespace filters belong to the runs (scan --namespace; each stored run records its
filters): a period report has one row per control and run, not per resource.

The report first verifies the hash chain of every cluster it covers and the per-control rows it is
computed from (\`eks-soc2 verify --depth rows\`; --verify-depth full re-reads every stored result
and snapshot too, as \`eks-soc2 verify\`) and prints the result and the chain head at the top of
every format. Exit codes: 0 the report was
written and its evidence verifies; 3 the evidence store's chain does not verify (a stored run was
edited, deleted or reordered: the report says so at the top and cannot be trusted); 2 usage or
store error.

Examples:
  eks-soc2 report --from 2026-01-01 --to 2026-06-30
  eks-soc2 report --from 2026-01-01 --to 2026-12-31 --cluster acme-prod --format terminal,json -o audit/`)
    .action(async (opts: ReportOptions) => {
      process.exitCode = await runReport(opts);
    });
}

/** A rate flag: `0.95`, `95%` or `95` (a number above 1 is read as a percentage). */
export function parseRate(v: string, flag: string): number {
  const t = v.trim();
  const isPct = t.endsWith('%');
  const n = Number(isPct ? t.slice(0, -1) : t);
  if (!t || Number.isNaN(n)) throw new UserError(`${flag} "${v}" is not a number; give a rate such as 0.95 or 95%`);
  const r = isPct || n > 1 ? n / 100 : n;
  if (r < 0 || r > 1) throw new UserError(`${flag} "${v}" must be between 0 and 1 (or 0% and 100%)`);
  return r;
}

function parseDateFlag(v: string, flag: string): string {
  const t = v.trim();
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(t) ? !Number.isNaN(Date.parse(`${t}T00:00:00Z`)) : /^\d{4}-\d{2}-\d{2}T/.test(t) && !Number.isNaN(Date.parse(t));
  if (!ok) throw new UserError(`${flag} "${v}" is not a date (YYYY-MM-DD) or an ISO timestamp`);
  return t;
}

export function reportThresholds(opts: ReportOptions): VerdictThresholds {
  const th: VerdictThresholds = {
    effective: parseRate(opts.effectiveRate ?? '1', '--effective-rate'),
    exceptions: parseRate(opts.exceptionsRate ?? '0.9', '--exceptions-rate'),
    minCoverage: parseRate(opts.minCoverage ?? '0.9', '--min-coverage'),
    maxGapDays: Number(opts.maxGapDays ?? '7'),
  };
  if (!Number.isInteger(th.maxGapDays) || th.maxGapDays < 0) throw new UserError(`--max-gap-days must be a whole number of days, 0 or more (got "${opts.maxGapDays}")`);
  if (th.exceptions > th.effective) throw new UserError(`--exceptions-rate (${th.exceptions}) cannot be above --effective-rate (${th.effective})`);
  return th;
}

async function runReport(opts: ReportOptions): Promise<number> {
  const formats = parsePeriodFormats(opts.format);
  const generatedAt = opts.now ? new Date(opts.now) : new Date();
  if (Number.isNaN(generatedAt.getTime())) throw new UserError(`--now "${opts.now}" is not a date or time`);
  const from = parseDateFlag(opts.from ?? '', '--from');
  const to = parseDateFlag(opts.to ?? generatedAt.toISOString().slice(0, 10), '--to');
  const thresholds = reportThresholds(opts);
  const bounds = markdownBounds(opts);
  if (opts.verifyDepth !== 'rows' && opts.verifyDepth !== 'full') throw new UserError(`--verify-depth must be rows or full (got "${opts.verifyDepth}")`);
  const depth = opts.verifyDepth;
  const { computePeriod, periodWindow } = await import('../../engine/period.js');
  let w: ReturnType<typeof periodWindow>;
  try {
    w = periodWindow(from, to, generatedAt);
  } catch (err) {
    throw new UserError(`${(err as Error).message}: check --from and --to`);
  }
  const fromIso = new Date(w.start).toISOString();
  const toIso = new Date(w.end).toISOString();

  const target = await readStoreTarget(opts.store);
  const period: PeriodResult = await withStore(target, 'read', async (store) => {
    const clusters = selectClusters(await store.clusters(), opts.cluster, store.label);
    const periodOpts = { from, to, generatedAt, toolVersion: toolVersion(), thresholds };
    // One cluster at a time: its rows (22,630 for a cluster-year) are dropped once its period is
    // computed, so a fleet-wide report never holds every cluster's rows at once.
    const result = computePeriod([], periodOpts);
    const keys: string[] = [];
    for (const c of clusters) {
      const data = await store.periodData(c.key, fromIso, toIso);
      if (!data.runs.length && !opts.cluster) continue; // clusters with nothing in the window are left out unless asked for
      result.clusters.push(...computePeriod([{ key: c.key, cluster: c.cluster, ...data }], periodOpts).clusters);
      keys.push(c.key);
    }
    // The report stands on the stored runs: check their hash chains, as `verify` does.
    const { verifyPeriodEvidence } = await import('../../report/verification.js');
    result.verification = await verifyPeriodEvidence(store, keys, new Date(), depth);
    return result;
  });
  const configFile = configPath(opts);
  if (configFile || opts.skipControl || opts.skipRule) {
    const { catalog } = await import('../../catalog/index.js');
    const config = configFile ? await (await import('../inputs.js')).loadConfig(configFile) : {};
    const f = resolveFilters(opts, config, catalog);
    if (f?.skipControls?.length || f?.skipRules?.length) {
      filterPeriod(period, f);
      if (!opts.quiet) process.stderr.write(`${describeFilters(period.filters)} (left out of the report)\n`);
    }
  }
  const color = opts.color && !process.env.NO_COLOR && (process.stdout.isTTY === true || Boolean(process.env.FORCE_COLOR));
  const written = await writePeriodOutputs(period, formats, opts.output, { color, quiet: Boolean(opts.quiet), ...bounds });
  for (const p of written) process.stderr.write(`wrote ${p}\n`);
  if (period.verification && !period.verification.ok) {
    const { verificationText } = await import('../../report/verification.js');
    process.stderr.write(`eks-soc2: ${verificationText(period)!.headline}\n`);
    return EXIT.EVIDENCE;
  }
  return EXIT.OK;
}
