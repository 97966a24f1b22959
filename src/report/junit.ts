import type { ControlResult, Finding, PeriodControl, PeriodResult, RunResult, SectionId } from '../model/index.js';
import { SECTIONS, resultSeverity } from '../model/index.js';
import { eachFinding } from '../model/findings.js';
import { escapeXml as x } from './escape.js';
import { clusterLabel, failing, locationLabel, ownerLabel, periodWarningRules, VERDICT_LABEL, warnings } from './markdown.js';
import { resourceLabel } from './terminal.js';
import { verificationText } from './verification.js';
import { PERIOD_LEFT_OUT, RUN_LEFT_OUT, leftOutText, periodLeftOut, runLeftOut, sectionOfControlId } from './filters.js';
import type { LeftOutItem } from './filters.js';

export interface JunitOptions {
  /** Also one test case per finding (`--junit-per-finding`). */
  perFinding?: boolean;
}

interface Case {
  classname: string;
  name: string;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
  message?: string;
  type?: string;
  body?: string;
  out?: string;
}

function findingText(y: Finding): string {
  return `${resourceLabel(y.resource)} [${y.rule}] ${y.message}${y.source ? ` (${locationLabel(y)})` : ''}`;
}

/**
 * Warnings and rules not evaluated, as lines for a case's body or `<system-out>`: a warning never
 * makes a case fail (JUnit has no warning outcome; a note in the output is what CI shows).
 */
function notes(c: ControlResult): string[] {
  const w = warnings(c);
  const lines: string[] = [];
  if (w.length) {
    lines.push(`warnings (${w.length}, recommended rules, not failures):`, ...w.slice(0, 100).map((y) => `  ${findingText(y)}`));
    if (w.length > 100) lines.push(`  … ${w.length - 100} more`);
  }
  for (const u of c.unevaluated) lines.push(`not evaluated: ${u.rule} (${u.level}): ${u.reason}`);
  const errors = c.counts.error ? c.findings.filter((f) => f.status === 'error' && !f.system) : [];
  for (const y of errors.slice(0, 50)) lines.push(`not evaluated on ${findingText(y)}`);
  if (errors.length > 50) lines.push(`… ${errors.length - 50} more resource(s) not evaluated`);
  return lines;
}

function controlCase(c: ControlResult): Case {
  const base = { classname: c.section, name: `${c.id} ${c.title}` };
  const owner = `owner: ${ownerLabel(c.owners.primary)}; TSC: ${c.tsc.join(', ')}`;
  const extra = notes(c);
  switch (c.status) {
    case 'fail': {
      const f = failing(c);
      const lines = f.slice(0, 200).map(findingText);
      if (f.length > 200) lines.push(`… ${f.length - 200} more`);
      lines.push('', `fix: ${c.remediation.summary}`, ...(c.remediation.commands ?? []).map((cmd) => `  $ ${cmd}`), owner);
      if (extra.length) lines.push('', ...extra);
      return { ...base, outcome: 'failure', message: c.message, type: resultSeverity(c), body: lines.join('\n') };
    }
    case 'error':
      return { ...base, outcome: 'error', message: c.message, type: 'evidence', body: [`missing evidence: ${c.evidence.missing.join(', ') || '(see message)'}`, owner, ...extra].join('\n') };
    case 'manual':
    case 'not-applicable':
      return { ...base, outcome: 'skipped', message: `${c.status}: ${c.message}`, ...(extra.length ? { out: extra.join('\n') } : {}) };
    case 'waived':
      return { ...base, outcome: 'pass', out: [`waived: ${c.waivers.map((w) => `${w.id} (${w.reason}; approved by ${w.approvedBy}, expires ${w.expires})`).join('; ')}`, c.message, ...extra].join('\n') };
    default:
      return { ...base, outcome: 'pass', out: [c.message, ...extra].join('\n') };
  }
}

function findingCase(c: ControlResult, f: Finding): Case {
  const base = { classname: `${c.section}.${c.id}`, name: `${f.rule} ${resourceLabel(f.resource)}${f.system ? ' (system namespace)' : ''}` };
  switch (f.status) {
    case 'fail':
      return { ...base, outcome: 'failure', message: f.message, type: f.severity, body: [locationLabel(f), `fix: ${c.remediation.summary}`].filter(Boolean).join('\n') };
    case 'error':
      return { ...base, outcome: 'error', message: f.message, type: 'evidence' };
    case 'manual':
    case 'not-applicable':
      return { ...base, outcome: 'skipped', message: `${f.status}: ${f.message}` };
    case 'waived':
      return { ...base, outcome: 'pass', out: `waived by ${f.waiver?.id ?? '?'}: ${f.message}` };
    case 'warn':
      return { ...base, outcome: 'pass', out: [`warning (recommended rule, not a failure; severity ${f.severity}): ${f.message}`, locationLabel(f)].filter(Boolean).join('\n') };
    default:
      return { ...base, outcome: 'pass', out: f.message };
  }
}

/**
 * What the run left out as suite properties (JUnit has no run-level place for it; every suite
 * carries them): `eks-soc2.skipControls`, `eks-soc2.skipRules`, `eks-soc2.namespaces`,
 * `eks-soc2.excludeNamespaces`, each value "label (note): id, id". '' without filters.
 */
function propertiesXml(heading: string, items: LeftOutItem[]): string {
  if (!items.length) return '';
  return `    <properties>\n${items.map((i) => `      <property name="${x(`eks-soc2.${i.kind}`)}" value="${x(`${heading}: ${leftOutText(i)}`)}"/>\n`).join('')}    </properties>\n`;
}

/** A skipped control as JUnit's own notion of a test that was not run. */
function skippedControlCase(classname: string, id: string, why: string): Case {
  return { classname, name: id, outcome: 'skipped', message: why };
}

function caseXml(k: Case): string {
  const head = `    <testcase classname="${x(k.classname)}" name="${x(k.name)}" time="0"`;
  const msg = k.message !== undefined ? ` message="${x(k.message)}"` : '';
  const type = k.type ? ` type="${x(k.type)}"` : '';
  switch (k.outcome) {
    case 'failure':
      return `${head}>\n      <failure${msg}${type}>${x(k.body ?? '')}</failure>\n    </testcase>\n`;
    case 'error':
      return `${head}>\n      <error${msg}${type}>${x(k.body ?? '')}</error>\n    </testcase>\n`;
    case 'skipped':
      return `${head}>\n      <skipped${msg}/>\n${k.out ? `      <system-out>${x(k.out)}</system-out>\n` : ''}    </testcase>\n`;
    default:
      return k.out ? `${head}>\n      <system-out>${x(k.out)}</system-out>\n    </testcase>\n` : `${head}/>\n`;
  }
}

/**
 * JUnit XML: one test suite per checklist section, one test case per control (failure for fail,
 * error for error, skipped for manual and not-applicable), plus one per finding when asked.
 */
export function renderJunit(run: RunResult, write: (chunk: string) => void, opts: JunitOptions = {}): void {
  let suites = new Map<SectionId | 'other', Case[]>();
  for (const c of run.controls) {
    const list = suites.get(c.section) ?? [];
    list.push(controlCase(c));
    if (opts.perFinding) for (const f of eachFinding(run, c)) list.push(findingCase(c, f));
    suites.set(c.section, list);
  }
  // A skipped control (--skip-control) is a skipped case in its section's suite: never a pass, never absent.
  const leftOut = runLeftOut(run.filters);
  const skipped = leftOut.find((i) => i.kind === 'skipControls')?.values ?? [];
  if (skipped.length) {
    for (const id of skipped) {
      const section = sectionOfControlId(id) ?? 'other';
      suites.set(section, [...(suites.get(section) ?? []), skippedControlCase(section, id, 'skipped control: not evaluated, not in the score (left out of this run by its filters)')]);
    }
    const order = [...Object.keys(SECTIONS), 'other'];
    suites = new Map([...suites].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
  }
  const props = propertiesXml(RUN_LEFT_OUT, leftOut);
  const all = [...suites.values()].flat();
  const count = (cases: Case[], o: Case['outcome']) => cases.filter((k) => k.outcome === o).length;
  const cluster = run.cluster.name ?? run.cluster.context ?? 'cluster';
  write('<?xml version="1.0" encoding="UTF-8"?>\n');
  // <testsuites> carries only what the Jenkins JUnit schema (junit-10.xsd) allows it: the suites carry skipped and timestamp.
  write(`<testsuites name="${x(`eks-soc2 ${cluster}`)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" time="0">\n`);
  for (const [section, cases] of suites) {
    const name = section === 'other' ? 'other controls' : `${section} ${SECTIONS[section]}`;
    write(`  <testsuite name="${x(name)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" time="0" timestamp="${x(run.finishedAt)}">\n`);
    write(props);
    for (const k of cases) write(caseXml(k));
    write('  </testsuite>\n');
  }
  write('</testsuites>\n');
}

/** One sentence on how a control operated over the window: verdict reason, pass rate, samples, intervals. */
export function periodSummary(pc: PeriodControl): string {
  const intervals = pc.failIntervals.map((i) => `${i.firstSeen.slice(0, 10)} → ${i.open ? 'still failing' : (i.fixedAt ?? i.lastSeen).slice(0, 10)} (runs ${i.firstRunId} … ${i.lastRunId})`);
  return [
    `${VERDICT_LABEL[pc.verdict]}: ${pc.verdictReason}`,
    `pass rate ${Math.round(pc.passRate * 1000) / 10}% over ${pc.samples} sample(s)${pc.coverage !== undefined ? `, decided on ${Math.round(pc.coverage * 1000) / 10}% of the days` : ''}`,
    ...(intervals.length ? [`failed: ${intervals.join('; ')}`] : []),
    ...(pc.waivers.length ? [`waivers: ${pc.waivers.map((w) => `${w.id} (approved by ${w.approvedBy}, expires ${w.expires})`).join('; ')}`] : []),
    ...(pc.warnings ? [`observation: warnings in ${pc.warnings.samples} of ${pc.samples} sample(s) (recommended rules, not exceptions): ${periodWarningRules(pc)}`] : []),
    ...(pc.evidenceGaps ?? []).slice(0, 10).map((g) => `not read in ${g.samples} sample(s)${g.failing ? ` (${g.failing} failing on what was read)` : ''}: ${g.reason}`),
    `owner: ${ownerLabel(pc.owners.primary)}; TSC: ${pc.tsc.join(', ')}`,
  ].join('\n');
}

function periodCase(cluster: string, pc: PeriodControl): Case {
  const base = { classname: `${cluster}.${pc.section}`, name: `${pc.id} ${pc.title}` };
  const body = periodSummary(pc);
  switch (pc.verdict) {
    case 'not-operating':
    case 'exceptions-noted':
      return { ...base, outcome: 'failure', message: `${VERDICT_LABEL[pc.verdict]}: ${pc.verdictReason}`, type: pc.verdict, body };
    case 'insufficient-evidence':
      return { ...base, outcome: 'error', message: `${VERDICT_LABEL[pc.verdict]}: ${pc.verdictReason}`, type: pc.verdict, body };
    default:
      return { ...base, outcome: 'pass', out: body };
  }
}

/**
 * JUnit XML of a period: one test suite per cluster, one test case per control — a failure when the
 * control did not operate or operated with exceptions, an error when the window holds too little
 * evidence to say, a pass (with its pass rate and samples) when it operated effectively.
 */
export function renderPeriodJunit(p: PeriodResult, write: (chunk: string) => void): void {
  const leftOut = periodLeftOut(p.filters);
  const skipped = leftOut.find((i) => i.kind === 'skipControls')?.values ?? [];
  const props = propertiesXml(PERIOD_LEFT_OUT, leftOut);
  // A control the report leaves out (report --skip-control) is a skipped case in every cluster's suite.
  const suites = p.clusters.map((cl) => ({
    name: clusterLabel(cl), props,
    cases: [
      ...cl.controls.map((pc) => periodCase(clusterLabel(cl), pc)),
      ...skipped.map((id) => skippedControlCase(`${clusterLabel(cl)}.${sectionOfControlId(id) ?? 'other'}`, id, 'skipped control: left out of this report, no verdict shown')),
    ],
  }));
  // The store's chain check comes first: a broken chain is an error CI sees before any verdict.
  const ev = verificationText(p);
  if (ev) {
    const body = [...ev.heads, ...ev.problems].join('\n');
    suites.unshift({ name: 'evidence store', props: '', cases: [{
      classname: 'evidence', name: 'the hash chain of the stored runs verifies',
      ...(ev.ok ? { outcome: 'pass' as const, out: `${ev.headline}\n${body}` } : { outcome: 'error' as const, message: ev.headline, type: 'evidence-not-verified', body }),
    }] });
  }
  const all = suites.flatMap((s) => s.cases);
  const count = (cases: Case[], o: Case['outcome']) => cases.filter((k) => k.outcome === o).length;
  write('<?xml version="1.0" encoding="UTF-8"?>\n');
  write(`<testsuites name="${x(`eks-soc2 period ${p.from.slice(0, 10)} – ${p.to.slice(0, 10)}`)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" time="0">\n`);
  for (const s of suites) {
    write(`  <testsuite name="${x(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, 'failure')}" errors="${count(s.cases, 'error')}" skipped="${count(s.cases, 'skipped')}" time="0" timestamp="${x(p.generatedAt)}">\n`);
    write(s.props);
    for (const k of s.cases) write(caseXml(k));
    write('  </testsuite>\n');
  }
  write('</testsuites>\n');
}
