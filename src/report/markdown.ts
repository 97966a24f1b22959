import type { ControlResult, Finding, OwnerRef, PeriodControl, PeriodResult, RunResult, Status, StatusCounts, Verdict } from '../model/index.js';
import { SCORE_WORDING, SECTIONS, resultSeverity } from '../model/index.js';
import { escapeMarkdown as md } from './escape.js';
import { resourceLabel } from './terminal.js';
import { verificationText } from './verification.js';
import { PERIOD_LEFT_OUT, RUN_LEFT_OUT, periodLeftOut, runLeftOut } from './filters.js';
import type { LeftOutItem } from './filters.js';

/** Display order and labels of statuses, shared by the text renderers. */
export const STATUS_ORDER: readonly Status[] = ['fail', 'error', 'manual', 'waived', 'pass', 'not-applicable'];
export const STATUS_LABEL: Record<Status, string> = {
  pass: 'pass', fail: 'fail', manual: 'manual', waived: 'waived', 'not-applicable': 'n/a', error: 'error',
};
export const VERDICT_LABEL: Record<Verdict, string> = {
  'operated-effectively': 'operated effectively',
  'exceptions-noted': 'exceptions noted',
  'not-operating': 'not operating',
  'insufficient-evidence': 'insufficient evidence',
};

/** "role (owner)" for each primary owner; the real owner comes from the configuration's owner map. */
export function ownerLabel(owners: OwnerRef[]): string {
  return owners.map((o) => (o.owner ? `${o.role} (${o.owner})` : o.role)).join(', ');
}

/** `file:line` of a finding read from a file, or '' for live evidence. */
export function locationLabel(f: Finding): string {
  return f.source ? `${f.source.file}:${f.source.line}` : '';
}

export function clusterLabel(run: Pick<RunResult, 'cluster'>): string {
  const c = run.cluster;
  return c.name ?? c.context ?? c.arn ?? 'unnamed cluster';
}

/** Failing findings that count (system namespaces are reported separately). */
export function failing(c: ControlResult): Finding[] {
  return c.findings.filter((f) => f.status === 'fail' && !f.system);
}

/** Warning findings (failed recommended rules) that count: shown, never part of the status. */
export function warnings(c: ControlResult): Finding[] {
  return c.counts.warn ? c.findings.filter((f) => f.status === 'warn' && !f.system) : [];
}

/** `rule ×n, …` of a list of findings, most frequent first. */
export function ruleTally(list: readonly Finding[], max = 4): string {
  const byRule = new Map<string, number>();
  for (const f of list) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  const top = [...byRule.entries()].sort((a, b) => b[1] - a[1]).slice(0, max);
  return top.map(([r, n]) => `${r} ×${n}`).join(', ') + (byRule.size > max ? ', …' : '');
}

const ICON: Record<Status, string> = { pass: '✅', fail: '❌', manual: '📝', waived: '⏸️', 'not-applicable': '➖', error: '⚠️' };

export interface MarkdownOptions {
  /** Failing resources listed per failing control (default 10). */
  topFailures?: number;
  /**
   * Bound the output to this many characters (UTF-16 code units, which over-count GitHub's
   * characters): the summary, then failing controls, warnings, rules not evaluated, … as long as
   * they fit, and a closing line saying what was left out and where the full report is.
   */
  maxSize?: number;
  /** Where the full report is (an http(s) URL), named in the closing line of a bounded report. */
  reportUrl?: string;
}

/** GitHub's limit for a pull-request comment or a check run's summary is 65,536 characters; keep a margin for wrappers. */
export const MARKDOWN_SUMMARY_MAX = 65_000;

const DETAILS_OF = 'details of failing control ';

/** One part of the Markdown report; a bounded report keeps whole parts, in order, while they fit. */
interface Block {
  /** What a reader misses when the part is left out. */
  label: string;
  lines: string[];
  /** A table (or lines) that may be cut between lines. */
  splittable?: boolean;
  /** Left out of a bounded report whatever the room: replaced by this line. */
  summary?: string;
  /** Written whole in a bounded report whatever the room (what the run left out: never cut). */
  always?: boolean;
}

/** Values of one left-out item a Markdown report names (the rest counted): the list is written whatever --max-size. */
const LEFT_OUT_SHOWN = 50;

/** "**Left out of this run:**" and one bullet per item, escaped; nothing when nothing was left out. */
function leftOutLines(heading: string, items: LeftOutItem[]): string[] {
  if (!items.length) return [];
  const values = (v: string[]) => v.slice(0, LEFT_OUT_SHOWN).map((x) => md(x, 200)).join(', ')
    + (v.length > LEFT_OUT_SHOWN ? ` … and ${v.length - LEFT_OUT_SHOWN} more (the JSON report lists them all)` : '');
  return [`**${heading}:**`, '', ...items.map((i) => `- ${i.label} (${i.note}): ${values(i.values)}`), ''];
}

function countsRow(label: string, title: string, c: StatusCounts): string {
  return `| ${label} | ${title} | ${c.pass} | ${c.fail} | ${c.manual} | ${c.waived} | ${c['not-applicable']} | ${c.error} |`;
}

function fence(body: string, lang: string): string {
  // A fence longer than any backtick run inside, so catalog text can never close it early.
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${body}\n${f}`;
}

/**
 * Markdown for pull requests and tickets: summary table by section, failing controls with their
 * owners, top failing resources and the fix, and collapsible details for everything else.
 */
export function renderMarkdown(run: RunResult, write: (chunk: string) => void, opts: MarkdownOptions = {}): void {
  const top = opts.topFailures ?? 10;
  const blocks: Block[] = [];
  const begin = (label: string, extra: Partial<Block> = {}) => { blocks.push({ label, lines: [], ...extra }); };
  const out = (line = '') => { blocks[blocks.length - 1]!.lines.push(line); };
  begin('the summary', { splittable: true });
  const c = run.cluster;
  out(`# eks-soc2 report — ${md(clusterLabel(run), 120)}`);
  out();
  const facts = [
    c.accountId ? `account ${md(c.accountId, 40)}` : '',
    c.region ? `region ${md(c.region, 40)}` : '',
    `sources: kubernetes ${md(run.sources.kubernetes)}, aws ${md(run.sources.aws)}`,
    `finished ${md(run.finishedAt.replace('T', ' ').slice(0, 16))} UTC`,
    `eks\\-soc2 ${md(run.tool.version)}, catalog ${md(run.catalogVersion)}`,
    run.runId ? `run ${md(run.runId, 80)}` : '',
  ].filter(Boolean);
  out(facts.join(' · '));
  out();
  const s = run.summary;
  out(`**Score ${s.score}%** (${SCORE_WORDING}) — ${run.controls.length} controls: ` +
    STATUS_ORDER.filter((st) => s.controls[st] > 0).map((st) => `${s.controls[st]} ${STATUS_LABEL[st]}`).join(', ') +
    ` · findings: ${s.findings.fail} failing, ${s.findings.warn} warning${s.findings.warn === 1 ? '' : 's'}, ${s.findings.pass} passing, ${s.findings.waived} waived` +
    (s.findings.warn ? ` · ${s.controlsWithWarnings} control(s) with warnings (recommended rules: never a failure)` : ''));
  out();
  // What the run left out (README "Filters"), right under the score: a bounded report never cuts it.
  const leftOut = leftOutLines(RUN_LEFT_OUT, runLeftOut(run.filters));
  if (leftOut.length) {
    begin('what the run left out', { always: true });
    for (const l of leftOut) out(l);
  }

  begin('the summary by checklist section', { splittable: true });
  out('## Summary by checklist section');
  out();
  out('| Section | Title | Pass | Fail | Manual | Waived | N/A | Error |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const order = Object.keys(SECTIONS);
  for (const [id, counts] of Object.entries(s.bySection).sort(([x], [y]) => order.indexOf(x) - order.indexOf(y))) {
    out(countsRow(md(id), md(SECTIONS[id as keyof typeof SECTIONS] ?? id), counts));
  }
  out(countsRow('**Total**', '', s.controls));
  out();

  const failed = run.controls.filter((r) => r.status === 'fail');
  begin('the list of failing controls', { splittable: true });
  out(`## Failing controls (${failed.length})`);
  out();
  if (failed.length === 0) {
    out('No control fails. ✅');
    out();
  } else {
    out('| Control | Title | Severity | Owner | Failing resources |');
    out('| --- | --- | --- | --- | ---: |');
    for (const r of failed) {
      out(`| ${md(r.id)} | ${md(r.title)} | ${resultSeverity(r)} | ${md(ownerLabel(r.owners.primary), 200)} | ${failing(r).length} |`);
    }
    out();
    for (const r of failed) {
      begin(`${DETAILS_OF}${r.id}`);
      writeFailingControl(r, out, top);
    }
  }

  const warned = run.controls.filter((r) => r.counts.warn > 0);
  if (warned.length) {
    begin(`warnings (${warned.length} control(s))`, { splittable: true });
    out(`## Warnings (${warned.length})`);
    out();
    out('Failed *recommended* rules (hardening beyond the checklist item): counted and shown, never a failure of the control.');
    out();
    out('| Control | Status | Owner | Warnings | Rules |');
    out('| --- | --- | --- | ---: | --- |');
    for (const r of warned) out(`| ${md(r.id)} | ${ICON[r.status]} ${STATUS_LABEL[r.status]} | ${md(ownerLabel(r.owners.primary), 200)} | ${r.counts.warn} | ${md(ruleTally(warnings(r)), 200)} |`);
    out();
    begin(`resources with warnings (${s.findings.warn})`);
    out('<details>');
    out(`<summary>Resources with warnings (${s.findings.warn})</summary>`);
    out();
    out('| Control | Resource | Rule | Location | Warning |');
    out('| --- | --- | --- | --- | --- |');
    for (const r of warned) {
      const w = warnings(r);
      for (const x of w.slice(0, top)) out(`| ${md(r.id)} | ${md(resourceLabel(x.resource), 160)} | ${md(x.rule, 60)} | ${md(locationLabel(x), 160)} | ${md(x.message, 300)} |`);
      if (w.length > top) out(`| ${md(r.id)} | … ${w.length - top} more | | | |`);
    }
    out();
    out('</details>');
    out();
  }

  // Rules not evaluated as a whole, then on single resources (error findings).
  const unevaluated = run.controls.flatMap((r) => [
    ...r.unevaluated.map((u) => ({ r, rule: u.rule, level: u.level, on: 'the whole rule', why: u.reason })),
    ...r.findings.filter((f) => f.status === 'error' && !f.system).slice(0, top).map((f) => ({
      r, rule: f.rule, level: r.rules.find((x) => x.id === f.rule)?.level ?? '', on: resourceLabel(f.resource), why: f.message,
    })),
  ]);
  if (unevaluated.length) {
    begin(`rules not evaluated (${unevaluated.length})`, { splittable: true });
    out(`## Rules not evaluated (${unevaluated.length})`);
    out();
    out('Their evidence was not read (or a value was unknown): they report neither a pass nor a failure.');
    out();
    out('| Control | Status | Rule | Level | On | Not read |');
    out('| --- | --- | --- | --- | --- | --- |');
    for (const x of unevaluated) out(`| ${md(x.r.id)} | ${ICON[x.r.status]} ${STATUS_LABEL[x.r.status]} | ${md(x.rule, 60)} | ${x.level} | ${md(x.on, 160)} | ${md(x.why, 400)} |`);
    out();
  }

  const attention = run.controls.filter((r) => r.status === 'error' || r.status === 'manual');
  if (attention.length) {
    begin(`controls that need attention (${attention.length})`, { splittable: true });
    out(`## Needs attention (${attention.length})`);
    out();
    out('| Control | Status | Owner | Why |');
    out('| --- | --- | --- | --- |');
    for (const r of attention) out(`| ${md(r.id)} | ${ICON[r.status]} ${r.status} | ${md(ownerLabel(r.owners.primary), 200)} | ${md(r.message, 400)} |`);
    out();
  }

  const rest = run.controls.filter((r) => r.status !== 'fail' && r.status !== 'error' && r.status !== 'manual');
  begin(`the other ${rest.length} control(s)`, { summary: `${rest.length} other control(s) pass, are waived or are not applicable` });
  out('<details>');
  out(`<summary>All other controls (${rest.length}): passing, waived, not applicable</summary>`);
  out();
  out('| Control | Status | Title | Result |');
  out('| --- | --- | --- | --- |');
  for (const r of rest) out(`| ${md(r.id)} | ${ICON[r.status]} ${STATUS_LABEL[r.status]} | ${md(r.title)} | ${md(r.message, 300)} |`);
  out();
  out('</details>');
  out();

  const waivers = run.controls.flatMap((r) => r.waivers.map((w) => ({ control: r.id, w })));
  if (waivers.length) {
    begin(`waivers in force (${waivers.length})`);
    out('<details>');
    out(`<summary>Waivers in force (${waivers.length})</summary>`);
    out();
    out('| Waiver | Control | Approved by | Expires | Reason |');
    out('| --- | --- | --- | --- | --- |');
    for (const { control, w } of waivers) out(`| ${md(w.id, 80)} | ${md(control)} | ${md(w.approvedBy, 80)} | ${md(w.expires, 30)} | ${md(w.reason, 300)} |`);
    out();
    out('</details>');
    out();
  }

  const gaps = run.gaps;
  if (gaps.length) {
    begin(`evidence gaps (${gaps.length})`);
    out('<details>');
    out(`<summary>Evidence gaps and input problems (${gaps.length})</summary>`);
    out();
    for (const g of gaps.slice(0, 200)) out(`- ${md(g.message, 300)}${g.fix ? ` — fix: ${md(g.fix, 200)}` : ''}`);
    if (gaps.length > 200) out(`- … ${gaps.length - 200} more (see the JSON report)`);
    out();
    out('</details>');
    out();
  }
  const issues = [...run.waivers.issues.filter((i) => i.problem !== 'unused').map((i) => i.message), ...run.attestations.issues.map((i) => i.message)];
  if (issues.length) {
    begin(`waiver and attestation problems (${issues.length})`);
    out('<details>');
    out(`<summary>Waiver and attestation problems (${issues.length})</summary>`);
    out();
    for (const m of issues) out(`- ${md(m, 300)}`);
    out();
    out('</details>');
    out();
  }
  if (opts.maxSize === undefined) {
    for (const b of blocks) for (const l of b.lines) write(`${l}\n`);
    return;
  }
  writeBounded(blocks, opts.maxSize, opts.reportUrl, write);
}

/** The full report's address for the closing line: a link when it is an http(s) URL, else a hint. */
function fullReportPointer(url: string | undefined, command: 'scan' | 'report'): string {
  if (url) {
    try {
      const u = new URL(url);
      if (u.protocol === 'https:' || u.protocol === 'http:') return `[the full report](<${u.href.replace(/[<>\s]/g, encodeURIComponent)}>)`;
    } catch { /* not a URL: the hint below */ }
  }
  return `the full report (\`eks-soc2 ${command} --format markdown\`, \`html\` or \`json\`; pass \`--report-url\` to link it here)`;
}

/**
 * Whole blocks in order, each written when it fits in `max` characters with the closing line; a
 * splittable block (a table) that does not fit is cut between rows, any other is left out, and
 * smaller parts further down still get the room that is left. What was left out is listed last.
 */
function writeBounded(blocks: Block[], max: number, reportUrl: string | undefined, write: (chunk: string) => void, command: 'scan' | 'report' = 'scan'): void {
  const pointer = fullReportPointer(reportUrl, command);
  const closing = (all: string[]) => {
    if (!all.length) return '';
    // Failing controls whose details were left out are named together.
    const ids = all.filter((l) => l.startsWith(DETAILS_OF)).map((l) => l.slice(DETAILS_OF.length));
    const left = ids.length > 1
      ? [`the details of ${ids.length} failing controls (${ids.slice(0, 6).join(', ')}${ids.length > 6 ? ', …' : ''})`, ...all.filter((l) => !l.startsWith(DETAILS_OF))]
      : all;
    return `---\n_Shortened to fit ${max} characters: left out ${left.slice(0, 8).join(', ')}${left.length > 8 ? ` and ${left.length - 8} more part(s)` : ''}. See ${pointer}._\n`;
  };
  // Room for the closing line whatever it lists (at most 8 labels, each bounded).
  const reserve = closing(Array.from({ length: 9 }, () => `the rest of ${'x'.repeat(80)}`)).length;
  let size = 0;
  const left: string[] = [];
  for (const b of blocks) {
    const lines = b.summary !== undefined ? [`_${b.summary}: listed in ${pointer}._`, ''] : b.lines;
    const text = lines.map((l) => `${l}\n`).join('');
    if (b.always || size + text.length + reserve <= max) {
      write(text);
      size += text.length;
      continue;
    }
    const label = b.label.slice(0, 80);
    if (!b.splittable) {
      left.push(label);
      continue;
    }
    let n = 0;
    for (const l of lines) {
      if (size + l.length + 2 + reserve > max) break;
      write(`${l}\n`);
      size += l.length + 1;
      n++;
    }
    if (n) {
      write('\n');
      size++;
    }
    left.push(n ? `the rest of ${label}` : label);
  }
  write(closing(left));
}

function writeFailingControl(r: ControlResult, out: (l?: string) => void, top: number): void {
  out(`### ${ICON.fail} ${md(r.id)} — ${md(r.title)}`);
  out();
  out(`**Owner:** ${md(ownerLabel(r.owners.primary), 200)}${r.owners.supporting.length ? ` (supporting: ${md(ownerLabel(r.owners.supporting), 200)})` : ''} · **TSC:** ${r.tsc.map((t) => md(t)).join(', ')} · **Severity:** ${resultSeverity(r)}`);
  out();
  out(`> ${md(r.message, 500)}`);
  out();
  const f = failing(r);
  if (f.length) {
    out('| Resource | Rule | Location | Problem |');
    out('| --- | --- | --- | --- |');
    for (const x of f.slice(0, top)) {
      out(`| ${md(resourceLabel(x.resource), 160)} | ${md(x.rule, 60)} | ${md(locationLabel(x), 160)} | ${md(x.message, 300)} |`);
    }
    if (f.length > top) out(`| … ${f.length - top} more | | | |`);
    out();
  }
  if (r.systemCounts.fail) {
    out(`_${r.systemCounts.fail} more failing in system namespaces (reported separately, not counted)._`);
    out();
  }
  out(`**Fix:** ${md(r.remediation.summary, 1000)}`);
  out();
  if (r.remediation.commands?.length) {
    out(fence(r.remediation.commands.join('\n'), 'sh'));
    out();
  }
  if (r.remediation.manifest) {
    out('<details><summary>Manifest</summary>');
    out();
    out(fence(r.remediation.manifest, 'yaml'));
    out();
    out('</details>');
    out();
  }
}

/** Markdown for an audit period: verdicts per control, with fail intervals and sampling gaps. */
export function renderPeriodMarkdown(period: PeriodResult, write: (chunk: string) => void, opts: Pick<MarkdownOptions, 'maxSize' | 'reportUrl'> = {}): void {
  const blocks: Block[] = [];
  const begin = (label: string, extra: Partial<Block> = {}) => { blocks.push({ label, lines: [], ...extra }); };
  const out = (line = '') => { blocks[blocks.length - 1]!.lines.push(line); };
  begin('the summary', { splittable: true });
  // A bounded report lists the controls that did not operate effectively first.
  const rank: Record<Verdict, number> = { 'not-operating': 0, 'exceptions-noted': 1, 'insufficient-evidence': 2, 'operated-effectively': 3 };
  const ordered = (list: PeriodControl[]) => (opts.maxSize === undefined ? list : [...list].sort((a, b) => rank[a.verdict] - rank[b.verdict]));
  out(`# eks-soc2 audit period ${md(period.from.slice(0, 10))} — ${md(period.to.slice(0, 10))}`);
  out();
  out(`Generated ${md(period.generatedAt.replace('T', ' ').slice(0, 16))} UTC by eks\\-soc2 ${md(period.tool.version)} · thresholds: operated effectively at ≥ ${Math.round(period.thresholds.effective * 100)}% pass rate, minimum coverage ${Math.round(period.thresholds.minCoverage * 100)}%, longest tolerated gap ${period.thresholds.maxGapDays} days`);
  out();
  const ev = verificationText(period);
  if (ev) {
    out(ev.ok ? `> ✅ ${md(ev.headline, 600)}` : `> ⛔ **${md(ev.headline, 600)}**`);
    for (const l of [...ev.heads, ...ev.problems]) out(`> - ${md(l, 500)}`);
    out();
  }
  const leftOut = leftOutLines(PERIOD_LEFT_OUT, periodLeftOut(period.filters));
  if (leftOut.length) {
    begin('what the report left out', { always: true });
    for (const l of leftOut) out(l);
  }
  for (const cl of period.clusters) {
    begin(`cluster ${clusterLabel(cl).slice(0, 60)}`, { splittable: true });
    out(`## ${md(clusterLabel(cl), 120)}`);
    out();
    out(`${cl.runs} runs · coverage ${Math.round(cl.coverage * 100)}% of days · ` +
      (Object.entries(cl.summary) as [Verdict, number][]).map(([v, n]) => `${n} ${VERDICT_LABEL[v]}`).join(', '));
    out();
    if (cl.samplingGaps.length) {
      out(`**Sampling gaps:** ${cl.samplingGaps.map((g) => `${md(g.from.slice(0, 10))} → ${md(g.to.slice(0, 10))} (${g.days} d)`).join('; ')}`);
      out();
    }
    out('| Control | Verdict | Pass rate | Samples | Fail intervals | Owner |');
    out('| --- | --- | ---: | ---: | --- | --- |');
    for (const pc of ordered(cl.controls)) {
      const intervals = pc.failIntervals.map((i) => `${md(i.firstSeen.slice(0, 10))}→${i.open ? 'open' : md((i.fixedAt ?? i.lastSeen).slice(0, 10))}`).join(', ');
      out(`| ${md(pc.id)} | ${VERDICT_LABEL[pc.verdict]} | ${Math.round(pc.passRate * 100)}% | ${pc.samples} | ${intervals || '—'} | ${md(ownerLabel(pc.owners.primary), 200)} |`);
    }
    out();
    const warned = cl.controls.filter((pc) => pc.warnings);
    if (warned.length) {
      begin(`warnings of ${clusterLabel(cl).slice(0, 60)}`, { splittable: true });
      out('**Observations — warnings** (failed recommended rules; they do not change the verdict):');
      out();
      out('| Control | Samples with warnings | Rules (samples) |');
      out('| --- | ---: | --- |');
      for (const pc of warned) out(`| ${md(pc.id)} | ${pc.warnings!.samples} of ${pc.samples} | ${md(periodWarningRules(pc), 400)} |`);
      out();
    }
    const gaps = cl.controls.filter((pc) => pc.evidenceGaps?.length);
    if (gaps.length) {
      begin(`evidence not read in ${clusterLabel(cl).slice(0, 60)}`, { splittable: true });
      out('**Evidence not read** (a sample that failed on the evidence that was read is an exception all the same):');
      out();
      out('| Control | Not read | Samples | Of them failing | First → last |');
      out('| --- | --- | ---: | ---: | --- |');
      for (const pc of gaps) {
        for (const g of pc.evidenceGaps!) out(`| ${md(pc.id)} | ${md(g.reason, 400)} | ${g.samples} | ${g.failing} | ${md(g.firstSeen.slice(0, 10))} → ${md(g.lastSeen.slice(0, 10))} |`);
      }
      out();
    }
  }
  if (opts.maxSize === undefined) {
    for (const b of blocks) for (const l of b.lines) write(`${l}\n`);
    return;
  }
  writeBounded(blocks, opts.maxSize, opts.reportUrl, write, 'report');
}

/** `rule (n samples), …` of a period control's warnings. */
export function periodWarningRules(pc: PeriodControl, max = 6): string {
  const rules = pc.warnings?.rules ?? [];
  return rules.slice(0, max).map((r) => `${r.rule} (${r.samples})`).join(', ') + (rules.length > max ? ', …' : '');
}
