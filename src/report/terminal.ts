import type { ControlResult, Finding, ResourceRef, RunResult, Status } from '../model/index.js';
import { SCORE_WORDING, SECTIONS, resultSeverity } from '../model/index.js';
import { eachFinding, systemFindingTotal } from '../model/findings.js';
import { escapeTerminal as esc } from './escape.js';

export interface TerminalOptions {
  color: boolean;
  /** Only the summary and the controls that are not passing. */
  quiet?: boolean;
  /** Show every finding (default when few controls are selected). */
  details?: boolean;
  /** Failing resources listed per control when not in details mode. */
  topFailures?: number;
  width?: number;
}

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], gray: [90, 39], bold: [1, 22], dim: [2, 22] } as const;
type Style = keyof typeof CODES;

const STATUS_STYLE: Record<Status, Style> = {
  pass: 'green', fail: 'red', manual: 'yellow', waived: 'magenta', 'not-applicable': 'gray', error: 'cyan',
};
const STATUS_LABEL: Record<Status, string> = {
  pass: 'PASS', fail: 'FAIL', manual: 'MANUAL', waived: 'WAIVED', 'not-applicable': 'N/A', error: 'ERROR',
};

export function resourceLabel(r: ResourceRef): string {
  if (r.provider === 'aws') return `${r.kind} ${r.arn ?? r.name}`;
  // A Terraform address names its type already: module.eks.aws_eks_cluster.this[0].
  if (r.provider === 'terraform') return r.name;
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** Render a run for a terminal, streaming line by line to `write`. */
export function renderTerminal(run: RunResult, opts: TerminalOptions, write: (line: string) => void): void {
  const paint = (style: Style, s: string) => (opts.color ? `\u001b[${CODES[style][0]}m${s}\u001b[${CODES[style][1]}m` : s);
  const top = opts.topFailures ?? 5;
  const details = opts.details ?? run.controls.length <= 3;

  const c = run.cluster;
  const where = [c.name ?? c.context ?? 'unnamed cluster', c.accountId, c.region].filter(Boolean).map((x) => esc(String(x))).join(' · ');
  write(paint('bold', `eks-soc2 ${run.tool.version}`) + paint('gray', `  ${where}  ·  kubernetes: ${run.sources.kubernetes}, aws: ${run.sources.aws}  ·  ${run.finishedAt.replace('T', ' ').slice(0, 16)} UTC`));
  write('');

  let section = '';
  let sub = '';
  for (const r of run.controls) {
    if (opts.quiet && (r.status === 'pass' || r.status === 'not-applicable')) continue;
    if (r.section !== section) {
      section = r.section;
      sub = '';
      write(paint('bold', `${r.section}  ${SECTIONS[r.section]}`));
    }
    if (r.subheading !== sub) {
      sub = r.subheading;
      write(paint('dim', `  ${sub}`));
    }
    writeControl(run, r, write, paint, details, top);
  }

  const s = run.summary;
  const cc = s.controls;
  write('');
  write(paint('bold', 'Summary') + `  ${run.controls.length} controls: ` + (['pass', 'fail', 'manual', 'waived', 'not-applicable', 'error'] as Status[])
    .map((st) => paint(STATUS_STYLE[st], `${cc[st]} ${STATUS_LABEL[st].toLowerCase()}`)).join(', ') + `  ·  score ${s.score}%`);
  write(paint('dim', `  score: ${SCORE_WORDING}`));
  const fl = run.filters;
  if (fl) {
    // What the run left out (README "Filters"): skipped controls are absent from the counts above, never passes.
    if (fl.skipControls?.length) write(paint('yellow', `  skipped controls (not evaluated, not in the score): ${fl.skipControls.map((c) => esc(c, 40)).join(', ')}`));
    if (fl.skipRules?.length) write(paint('yellow', `  skipped rules (not evaluated): ${fl.skipRules.map((r) => esc(r, 80)).join(', ')}`));
    if (fl.namespaces?.length || fl.excludeNamespaces?.length) {
      write(paint('yellow', `  namespaces: ${fl.namespaces?.length ? `only ${fl.namespaces.map((n) => esc(n, 80)).join(', ')}` : 'all'}${fl.excludeNamespaces?.length ? `, excluding ${fl.excludeNamespaces.map((n) => esc(n, 80)).join(', ')}` : ''} (cluster-scoped and AWS findings kept)`));
    }
  }
  const f = s.findings;
  const other = f.manual + f['not-applicable'];
  write(`  findings: ${f.pass} pass, ${f.fail} fail, ${f.warn ? paint('yellow', `${f.warn} warn`) : '0 warn'}, ${f.waived} waived${f.error ? `, ${paint('cyan', `${f.error} not evaluated`)}` : ''}${other ? `, ${other} other` : ''}`);
  if (f.warn) {
    const warned = run.controls.filter((r) => r.counts.warn > 0);
    const passing = warned.filter((r) => r.status === 'pass').length;
    write(paint('yellow', `  warnings: ${f.warn} in ${warned.length} control(s)${passing ? `, ${passing} of them passing` : ''} — recommended rules: shown, never a failure or exit 1 (unless --fail-on-warn): ${warned.slice(0, 8).map((r) => r.id).join(', ')}${warned.length > 8 ? ', …' : ''}`));
  }
  const unevaluated = run.controls.reduce((n, r) => n + r.unevaluated.length, 0);
  if (unevaluated) write(paint('cyan', `  rules not evaluated (evidence not read): ${unevaluated} in ${run.controls.filter((r) => r.unevaluated.length).length} control(s)`));
  const sys = run.controls.reduce((n, r) => n + r.systemCounts.fail + r.systemCounts.pass + r.systemCounts.waived, 0);
  if (sys) {
    const sysFail = run.controls.reduce((n, r) => n + r.systemCounts.fail, 0);
    write(paint('gray', `  system namespaces (reported separately, not in the score): ${sys} findings, ${sysFail} failing`));
  }
  const skipped = run.gaps.filter((g) => g.source === 'files' && g.reason === 'skipped');
  const inputProblems = run.gaps.filter((g) => g.source === 'files' && g.reason !== 'skipped');
  const gaps = run.gaps.filter((g) => g.source !== 'files');
  if (gaps.length) {
    write(paint('cyan', `  evidence gaps (${gaps.length}):`));
    for (const g of gaps.slice(0, 20)) write(`    - ${esc(g.message, 300)}${g.fix ? paint('gray', `  → ${esc(g.fix, 200)}`) : ''}`);
    if (gaps.length > 20) write(`    … ${gaps.length - 20} more (see --format json)`);
  }
  if (inputProblems.length) {
    write(paint('yellow', `  input problems (${inputProblems.length}), skipped and reported:`));
    for (const g of inputProblems.slice(0, 20)) write(`    - ${esc(g.message, 300)}`);
    if (inputProblems.length > 20) write(`    … ${inputProblems.length - 20} more (see --format json)`);
  }
  if (skipped.length) {
    write(paint('gray', `  skipped sources (${skipped.length}):`));
    for (const g of skipped.slice(0, 20)) write(paint('gray', `    - ${esc(g.message, 300)}${g.fix ? `  → ${esc(g.fix, 200)}` : ''}`));
  }
  const wi = run.waivers.issues.filter((i) => i.problem !== 'unused');
  if (wi.length) {
    write(paint('yellow', `  waiver problems (${wi.length}), not applied:`));
    for (const i of wi) write(`    - ${i.source ? `${esc(i.source.file)}${i.source.line ? `:${i.source.line}` : ''}: ` : ''}${esc(i.message, 300)}`);
  }
  const unused = run.waivers.issues.filter((i) => i.problem === 'unused');
  if (unused.length) write(paint('gray', `  ${unused.length} waiver(s) matched nothing: ${unused.map((i) => esc(i.id ?? '?', 60)).join(', ')}`));
  if (run.attestations.issues.length) {
    write(paint('yellow', `  attestation problems (${run.attestations.issues.length}):`));
    for (const i of run.attestations.issues) write(`    - ${i.source ? `${esc(i.source.file)}${i.source.line ? `:${i.source.line}` : ''}: ` : ''}${esc(i.message, 300)}`);
  }
}

function ownerText(r: ControlResult): string {
  const p = r.owners.primary.map((o) => (o.owner ? `${o.role} (${o.owner})` : o.role));
  return p.map((x) => esc(x, 80)).join(', ');
}

function writeControl(
  run: RunResult, r: ControlResult, write: (l: string) => void, paint: (s: Style, t: string) => string, details: boolean, top: number,
): void {
  const badge = paint(STATUS_STYLE[r.status], STATUS_LABEL[r.status].padEnd(7));
  const sev = r.status === 'fail' ? paint('gray', ` [${resultSeverity(r)}]`) : '';
  const warned = r.counts.warn > 0 ? paint('yellow', ` (${r.status === 'pass' ? 'passes ' : ''}with ${r.counts.warn} warning${r.counts.warn === 1 ? '' : 's'})`) : '';
  write(`    ${badge}${paint('bold', r.id.padEnd(12))} ${r.title}${sev}${warned}`);
  write(paint('gray', `           owner: ${ownerText(r)}  ·  ${r.automation}  ·  ${r.tsc.join(' ')}`));
  write(`           ${esc(r.message, 400)}`);
  for (const n of r.notes.slice(0, details ? 50 : 3)) write(paint('gray', `           note: ${esc(n, 300)}`));

  const failing = r.findings.filter((f) => f.status === 'fail' && !f.system);
  const shown = details ? failing : failing.slice(0, top);
  for (const f of shown) write(findingLine(f, paint));
  if (failing.length > shown.length) write(paint('gray', `           … ${failing.length - shown.length} more failing (--control ${r.id} lists them all)`));
  if (!details && r.counts.warn) {
    // Warnings are listed after the failures, fewer of them: they never decide the status.
    const warns = r.findings.filter((f) => f.status === 'warn' && !f.system);
    const few = warns.slice(0, Math.max(1, Math.min(top, 3)));
    for (const f of few) write(findingLine(f, paint));
    if (warns.length > few.length) write(paint('gray', `           … ${warns.length - few.length} more warning(s) (--control ${r.id} --details lists them all)`));
  }
  for (const u of r.unevaluated.slice(0, details ? 50 : 5)) {
    write(paint('cyan', `           not evaluated: ${esc(u.rule, 60)} (${u.level}): ${esc(u.reason, 300)}`));
  }
  if (!details && r.unevaluated.length > 5) write(paint('gray', `           … ${r.unevaluated.length - 5} more rule(s) not evaluated`));
  if (details) {
    for (const f of eachFinding(run, r, { system: 'exclude' })) if (f.status !== 'fail') write(findingLine(f, paint));
    const sys = systemFindingTotal(r);
    if (sys) {
      write(paint('gray', `           system namespaces (${sys}, not counted):`));
      for (const f of eachFinding(run, r, { system: 'only' })) write(findingLine(f, paint));
    }
  } else if (r.systemCounts.fail) {
    write(paint('gray', `           + ${r.systemCounts.fail} failing in system namespaces (not counted)`));
  }
  if (r.status === 'fail' || r.status === 'manual' || r.status === 'error') {
    if (r.status !== 'error' || r.evidence.missing.length === 0) {
      write(paint('blue', `           fix: `) + r.remediation.summary);
      for (const cmd of (r.remediation.commands ?? []).slice(0, details ? 10 : 1)) write(paint('gray', `             $ ${cmd}`));
    }
  }
  for (const w of r.waivers.slice(0, 3)) write(paint('magenta', `           waiver ${esc(w.id, 60)}: ${esc(w.reason, 120)} (approved by ${esc(w.approvedBy, 60)}, expires ${esc(w.expires, 30)})`));
}

function findingLine(f: Finding, paint: (s: Style, t: string) => string): string {
  const mark = f.status === 'fail' ? paint('red', '✗') : f.status === 'warn' ? paint('yellow', '!') : f.status === 'waived' ? paint('magenta', '~')
    : f.status === 'pass' ? paint('green', '✓') : f.status === 'error' ? paint('cyan', '?') : paint('gray', '·');
  const where = f.source ? paint('gray', `  ${esc(f.source.file, 120)}:${f.source.line}`) : '';
  return `           ${mark} ${esc(resourceLabel(f.resource), 120)}  ${paint('gray', f.rule)}  ${esc(f.message, 300)}${where}`;
}
