import type { FailInterval, PeriodCluster, PeriodControl, PeriodResult, Verdict } from '../model/index.js';
import { escapeTerminal as esc } from './escape.js';
import { verificationText } from './verification.js';
import { duration, pct } from './units.js';
import { PERIOD_LEFT_OUT, leftOutText, periodLeftOut } from './filters.js';

export interface PeriodTerminalOptions {
  color: boolean;
  /** Only clusters' summaries and the controls that did not operate effectively. */
  quiet?: boolean;
  /** Fail intervals listed per control before "… N more". */
  maxIntervals?: number;
}

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], magenta: [35, 39], gray: [90, 39], bold: [1, 22], dim: [2, 22] } as const;
type Style = keyof typeof CODES;

const VERDICT_STYLE: Record<Verdict, Style> = {
  'operated-effectively': 'green', 'exceptions-noted': 'yellow', 'not-operating': 'red', 'insufficient-evidence': 'cyan',
};
const VERDICT_LABEL: Record<Verdict, string> = {
  'operated-effectively': 'EFFECTIVE', 'exceptions-noted': 'EXCEPTIONS', 'not-operating': 'NOT OPERATING', 'insufficient-evidence': 'INSUFFICIENT',
};
export const VERDICT_TEXT: Record<Verdict, string> = {
  'operated-effectively': 'operated effectively', 'exceptions-noted': 'exceptions noted', 'not-operating': 'not operating', 'insufficient-evidence': 'insufficient evidence',
};

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
export { duration };

/** Render a period report for a terminal, line by line. A pure function of the PeriodResult. */
export function renderPeriodTerminal(p: PeriodResult, opts: PeriodTerminalOptions, write: (line: string) => void): void {
  const paint = (style: Style, s: string) => (opts.color ? `\u001b[${CODES[style][0]}m${s}\u001b[${CODES[style][1]}m` : s);
  const t = p.thresholds;
  write(paint('bold', `eks-soc2 ${esc(p.tool.version, 40)} · period report ${esc(p.from, 40)} → ${esc(p.to, 40)}`) + paint('gray', `  (generated ${when(p.generatedAt)} UTC)`));
  write(paint('gray', `verdict rules: operated effectively = pass rate ≥ ${pct(t.effective)} and no failure open at the end; exceptions noted = pass rate ≥ ${pct(t.exceptions)};`));
  write(paint('gray', `  below that: not operating; insufficient evidence = tested on < ${pct(t.minCoverage)} of the days, a gap of more than ${t.maxGapDays} day(s), or no decided sample`));
  const ev = verificationText(p);
  if (ev) {
    write(ev.ok ? paint('green', esc(ev.headline, 600)) : paint('red', paint('bold', esc(ev.headline, 600))));
    for (const l of ev.heads) write(paint('gray', `  ${esc(l, 400)}`));
    for (const l of ev.problems) write(paint('red', `  ${esc(l, 500)}`));
  }
  // What the report leaves out (report --skip-control / --skip-rule): never a silent absence.
  const leftOut = periodLeftOut(p.filters);
  if (leftOut.length) {
    write(paint('yellow', `${PERIOD_LEFT_OUT}:`));
    for (const i of leftOut) write(paint('yellow', `  ${leftOutText(i, (v) => esc(v, 80))}`));
  }
  if (!p.clusters.length) {
    write('');
    write('no stored runs in this window');
    return;
  }
  for (const c of p.clusters) writeCluster(c, opts, write, paint);
}

function writeCluster(c: PeriodCluster, opts: PeriodTerminalOptions, write: (l: string) => void, paint: (s: Style, t: string) => string): void {
  const id = c.cluster;
  const where = [id.name ?? id.context ?? c.key, id.accountId, id.region].filter(Boolean).map((x) => esc(String(x), 120)).join(' · ');
  write('');
  write(paint('bold', where) + paint('gray', `  (store key ${esc(c.key, 200)})`));
  if (!c.runs) {
    write(paint('cyan', '  no run in this window: every control lacks evidence'));
  } else {
    write(`  runs: ${c.runs} (${c.firstRun ? when(c.firstRun) : '?'} … ${c.lastRun ? when(c.lastRun) : '?'} UTC), days with a run: ${pct(c.coverage)}`);
  }
  if (c.samplingGaps.length) {
    const longest = [...c.samplingGaps].sort((a, b) => b.days - a.days);
    const shown = longest.slice(0, 5).map((g) => (g.days === 1 ? g.from : `${g.from} → ${g.to} (${g.days} days)`));
    write(paint('yellow', `  days without a run: ${c.samplingGaps.reduce((n, g) => n + g.days, 0)} in ${c.samplingGaps.length} gap(s); longest: ${shown.join(', ')}${longest.length > 5 ? ', …' : ''}`));
  }
  if (c.redatedRuns) {
    write(paint('yellow', `  ${c.redatedRuns} run(s) were stored more than a day away from the time their evidence describes (scan --now): check how they were produced`));
  }
  const s = c.summary;
  write('  ' + (Object.keys(VERDICT_LABEL) as Verdict[]).map((v) => paint(VERDICT_STYLE[v], `${s[v]} ${VERDICT_TEXT[v]}`)).join(', '));

  let section = '';
  for (const ctl of c.controls) {
    if (opts.quiet && ctl.verdict === 'operated-effectively') continue;
    if (ctl.section !== section) {
      section = ctl.section;
      write('');
      write(paint('bold', `${ctl.section}  ${esc(ctl.sectionTitle, 120)}`));
    }
    writeControl(ctl, opts, write, paint);
  }
}

function intervalLine(i: FailInterval): string {
  const span = i.firstSeen === i.lastSeen ? `failed ${when(i.firstSeen)}` : `failed ${when(i.firstSeen)} → ${when(i.lastSeen)}`;
  const end = i.open ? `still failing (${duration(i.durationHours)} so far)` : `fixed ${when(i.fixedAt ?? i.lastSeen)} (${duration(i.durationHours)})`;
  return `${span}, ${end}  runs ${esc(i.firstRunId, 40)}${i.lastRunId !== i.firstRunId ? ` … ${esc(i.lastRunId, 40)}` : ''}`;
}

function writeControl(c: PeriodControl, opts: PeriodTerminalOptions, write: (l: string) => void, paint: (s: Style, t: string) => string): void {
  const badge = paint(VERDICT_STYLE[c.verdict], VERDICT_LABEL[c.verdict].padEnd(14));
  write(`  ${badge}${paint('bold', c.id.padEnd(12))} ${esc(c.title, 120)}`);
  const sc = c.statusCounts;
  const other = [sc.manual ? `${sc.manual} manual` : '', sc.error ? `${sc.error} error` : '', sc['not-applicable'] ? `${sc['not-applicable']} n/a` : ''].filter(Boolean).join(', ');
  const decided = sc.pass + sc.waived + sc.fail;
  const parts = [
    `${c.samples} sample(s)`,
    decided ? `pass rate ${pct(c.passRate)}` : 'no decided sample',
    `${sc.pass} pass, ${sc.fail} fail${sc.waived ? `, ${sc.waived} waived` : ''}${other ? `, ${other}` : ''}`,
  ];
  if (c.coverage !== undefined) parts.push(`tested on ${pct(c.coverage)} of days`);
  if (c.timeToRemediateHours) parts.push(`time to remediate: mean ${duration(c.timeToRemediateHours.mean)}, max ${duration(c.timeToRemediateHours.max)}`);
  write(paint('gray', `                ${parts.join(' · ')}`));
  const max = opts.maxIntervals ?? 5;
  for (const i of c.failIntervals.slice(0, max)) write(`                ${paint(i.open ? 'red' : 'yellow', i.open ? '✗' : '~')} ${intervalLine(i)}`);
  if (c.failIntervals.length > max) write(paint('gray', `                … ${c.failIntervals.length - max} more failure interval(s) (see --format json)`));
  for (const w of c.waivers) {
    write(paint('magenta', `                waiver ${esc(w.id, 60)}: ${esc(w.reason, 160)} (approved by ${esc(w.approvedBy, 80)}, expires ${esc(w.expires, 30)}; in force ${w.firstSeen.slice(0, 10)} → ${w.lastSeen.slice(0, 10)})`));
  }
  for (const a of c.attestations) {
    const cover = a.coversWindow ? 'covers the whole window' : 'does not cover the whole window';
    write(paint('gray', `                attested by ${esc(a.attestedBy, 80)} on ${esc(a.date, 30)}, valid until ${esc(a.validUntil, 30)} (${cover})${a.evidence ? `: ${esc(a.evidence, 160)}` : ''}`));
  }
  if (c.warnings) {
    const rules = c.warnings.rules.slice(0, 6).map((r) => `${esc(r.rule, 60)} (${r.samples})`).join(', ') + (c.warnings.rules.length > 6 ? ', …' : '');
    write(paint('yellow', `                observation: warnings in ${c.warnings.samples} of ${c.samples} sample(s) (recommended rules, not exceptions): ${rules}`));
  }
  for (const g of (c.evidenceGaps ?? []).slice(0, max)) {
    write(paint('cyan', `                not read in ${g.samples} sample(s)${g.failing ? ` (${g.failing} failing on what was read)` : ''}, ${g.firstSeen.slice(0, 10)} → ${g.lastSeen.slice(0, 10)}: ${esc(g.reason, 300)}`));
  }
  if ((c.evidenceGaps?.length ?? 0) > max) write(paint('gray', `                … ${c.evidenceGaps!.length - max} more evidence gap(s) (see --format json)`));
  write(`                ${esc(c.verdictReason, 400)}`);
  const last = c.timeline[c.timeline.length - 1];
  if (last && !opts.quiet) write(paint('dim', `                latest sample: run ${esc(last.runId, 40)}${last.snapshotDigest ? `, snapshot ${esc(last.snapshotDigest, 80)}` : ''}`));
}
