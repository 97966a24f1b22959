import type {
  ControlResult, Finding, PeriodCluster, PeriodControl, PeriodResult, RunResult, FindingStatus, Status, StatusCounts, Verdict,
} from '../model/index.js';
import { SCORE_WORDING, SECTIONS, emptyCounts, resultSeverity } from '../model/index.js';
import { eachFinding, expandGroup, passingSample, systemFindingTotal } from '../model/findings.js';
import { escapeHtml as h } from './escape.js';
import { CHART_ORDER, FINDING_CHART_ORDER, STATUS_COLOR, STATUS_TEXT, lineChart, stackedBar, statusBars, timelineStrip } from './html-charts.js';
import { VERDICT_LABEL, clusterLabel, failing, locationLabel, ruleTally, warnings } from './markdown.js';
import { resourceLabel } from './terminal.js';
import { verificationText } from './verification.js';
import { duration, pct } from './units.js';
import { PERIOD_LEFT_OUT, RUN_LEFT_OUT, periodLeftOut, runLeftOut } from './filters.js';
import type { LeftOutItem } from './filters.js';

/**
 * The HTML report: one self-contained file. No script, no external font, image or stylesheet; a
 * Content-Security-Policy that forbids loading anything. Everything from the cluster is escaped.
 */
export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export interface HtmlOptions {
  /** Rows shown before a list is collapsed (default 12). */
  visibleRows?: number;
  /**
   * The layout for paper (the PDF): the summary, the per-section table and what needs action on
   * the first pages, failing resources in full, passing resources (and warnings beyond the first
   * ones) as a count and a sample pointing at the CSV and JSON reports, tables laid out to the
   * page width. The screen report keeps every list (collapsed).
   */
  print?: boolean;
}

/** Resources shown per list of a control (warnings, other results) in the print layout before "… N more". */
export const PRINT_SAMPLE_ROWS = 5;
/** Passing resources named per control in the print layout (a count and a sample). */
export const PRINT_SAMPLE_NAMES = 6;

const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--soft:#f6f8fa;--accent:#0969da;
--pass:${STATUS_COLOR.pass};--fail:${STATUS_COLOR.fail};--manual:${STATUS_COLOR.manual};--waived:${STATUS_COLOR.waived};--na:${STATUS_COLOR['not-applicable']};--error:${STATUS_COLOR.error};--warn:${STATUS_COLOR.warn}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--soft);color:var(--fg);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
.page{max-width:1240px;margin:0 auto;padding:28px 32px 48px}
header.top{background:#0d1117;color:#f0f6fc;padding:28px 32px}
header.top .inner{max-width:1176px;margin:0 auto;display:flex;justify-content:space-between;gap:32px;align-items:flex-end}
header.top .inner>div:first-child{flex:1;min-width:0}
header.top h1{margin:0 0 4px;font-size:24px;font-weight:600;letter-spacing:-.01em}
header.top .sub{color:#9198a1;font-size:13px}
header.top .score{text-align:right;flex:0 1 300px}
header.top .score b{display:block;font-size:40px;line-height:1;font-weight:600}
header.top .score span{color:#9198a1;font-size:12px}
dl.meta{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:4px 28px;margin:14px 0 0;font-size:13px}
dl.meta div{display:flex;gap:8px;min-width:0}
dl.meta dt{color:#9198a1;flex:none}
dl.meta dd{margin:0;overflow-wrap:anywhere}
h2{font-size:19px;margin:36px 0 12px;font-weight:600}
h3{font-size:15px;margin:20px 0 8px;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:20px}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.card .n{font-size:28px;font-weight:600;line-height:1.1}
.card .t{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card.fail .n{color:var(--fail)}.card.pass .n{color:var(--pass)}.card.error .n{color:var(--error)}.card.manual .n{color:var(--manual)}.card.waived .n{color:var(--waived)}.card.warn .n{color:var(--warn)}
.card .s{color:var(--muted);font-size:12px}
.chip.warned{color:var(--warn);border-color:var(--warn)}
.panel{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-top:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
svg.chart{width:100%;height:auto;max-width:520px;display:block}
svg.chart.wide{max-width:100%}
.chart .lbl,.chart .num,.chart .axis{font:12px -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;fill:var(--fg)}
.chart .axis{fill:var(--muted)}.chart .grid{stroke:#eaeef2}
table{border-collapse:collapse;width:100%;background:var(--bg)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{white-space:nowrap;font-size:12px;color:var(--muted);font-weight:600;background:var(--soft);text-transform:uppercase;letter-spacing:.03em}
td.st{white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tablewrap{border:1px solid var(--line);border-radius:8px;overflow:hidden}
.tablewrap table tr:last-child td{border-bottom:0}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.b-pass{background:var(--pass)}.b-fail{background:var(--fail)}.b-manual{background:var(--manual)}.b-waived{background:var(--waived)}.b-not-applicable{background:var(--na)}.b-error{background:var(--error)}.b-warn{background:var(--warn)}
.b-operated-effectively{background:var(--pass)}.b-exceptions-noted{background:var(--manual)}.b-not-operating{background:var(--fail)}.b-insufficient-evidence{background:var(--na)}
.chip{display:inline-block;padding:0 6px;border:1px solid var(--line);border-radius:4px;font-size:12px;color:var(--muted);margin-right:4px;white-space:nowrap}
.sev-critical,.sev-high{color:var(--fail);border-color:#ffcecb}
.control{background:var(--bg);border:1px solid var(--line);border-left:4px solid var(--na);border-radius:8px;padding:14px 18px;margin:12px 0;break-inside:avoid-page}
.control.s-pass{border-left-color:var(--pass)}.control.s-fail{border-left-color:var(--fail)}.control.s-manual{border-left-color:var(--manual)}.control.s-waived{border-left-color:var(--waived)}.control.s-error{border-left-color:var(--error)}
.control header{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.control header .id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
.control header .title{font-weight:600;font-size:15px}
.control .msg{margin:8px 0}
.control .desc{color:var(--muted);margin:6px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0;font-size:13px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.missing{color:var(--error);font-weight:600}
.unevaluated td:first-child{white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#0d1117;color:#e6edf3;padding:10px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.fix{border-top:1px dashed var(--line);margin-top:10px;padding-top:8px}
details{margin:6px 0}
summary{cursor:pointer;color:var(--accent);font-weight:500}
.print-only{display:none}
p.facts1 b,p.names b{font-weight:600}
.subhead{color:var(--muted);font-size:13px;margin:18px 0 4px;text-transform:uppercase;letter-spacing:.04em}
.toc{columns:2;column-gap:32px;margin:0;padding-left:18px}
.toc li{break-inside:avoid}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted)}
.strip{vertical-align:middle}
.verification{border-left:4px solid var(--pass)}.verification.v-broken{border-left-color:var(--fail);background:#ffebe9}
.verification .vh{margin:0;font-weight:600}.verification.v-broken .vh{color:var(--fail)}.verification ul{margin:6px 0 0;padding-left:18px;font-size:12px}
footer{color:var(--muted);font-size:12px;margin-top:40px;border-top:1px solid var(--line);padding-top:12px}
@media print{
  @page{size:A4;margin:12mm 11mm}
  body{background:#fff;font-size:11px}
  .page{max-width:none;padding:0}
  header.top{padding:0 0 12px;background:#fff;color:var(--fg);border-bottom:2px solid var(--fg)}
  header.top .inner{display:block}
  header.top .score{text-align:left;margin-top:10px}
  header.top .score b{font-size:28px;display:inline;margin-right:8px}
  .charts{grid-template-columns:1fr 1fr}
  header.top .sub,header.top .score span,dl.meta dt{color:var(--muted)}
  .screen-only{display:none!important}
  .print-only{display:block}
  .print-caption{font-weight:600;margin:6px 0 2px}
  h2,h3,.subhead,.print-caption,.control header{break-after:avoid-page}
  h2{margin-top:20px}
  h2.newpage{break-before:page}
  /* Tables take the page width and lay out their columns from it (colgroups), never from their
     content: nothing is squeezed to a letter per line, nothing runs past the right margin. */
  table{table-layout:fixed}
  .tablewrap{overflow:visible}
  th,th.n{white-space:normal;font-size:9px;letter-spacing:0;text-transform:none;overflow-wrap:normal}
  .control{break-inside:auto}
  .control header,.control .msg,dl.facts,tr,pre{break-inside:avoid-page}
  th,td{padding:3px 5px}
  table.counts td,table.counts th{padding:2px 5px}
  .subhead{margin:10px 0 2px}
  td,dd{overflow-wrap:anywhere}
  code{font-size:10px}
  .control{padding:8px 10px;margin:6px 0}
  .desc{display:none}
  body{font-size:9.5px;line-height:1.4}
  p.facts1,p.names{margin:4px 0;font-size:10px}
  .control header .title{font-size:12px}
  .control .msg{margin:4px 0}
  h3{font-size:11.5px;margin:10px 0 4px}
  h2{font-size:16px}
  .fix{margin-top:6px;padding-top:4px}
  pre{padding:6px 8px;margin:4px 0}
  .fix pre{font-size:9px}
  svg.chart,svg.stack,svg.strip{max-width:100%;height:auto}
  .panel,.card{break-inside:avoid-page}
  tr{break-inside:avoid}
  pre{background:#f6f8fa;color:var(--fg);border:1px solid var(--line)}
  a{color:var(--fg)}
  .badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

function shell(title: string, header: string, body: string, footer: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="eks-soc2">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
${header}
<main class="page">
${body}
<footer>${footer}</footer>
</main>
</body>
</html>
`;
}

function badge(s: FindingStatus): string {
  return `<span class="badge b-${s}">${STATUS_TEXT[s]}</span>`;
}

function verdictBadge(v: Verdict): string {
  return `<span class="badge b-${v}">${h(VERDICT_LABEL[v])}</span>`;
}

function anchor(id: string): string {
  return `ctl-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Link only to http(s) URLs; anything else is shown as text. */
function link(url: string | undefined, text: string): string {
  if (url && /^https?:\/\/[^\s"'<>`]+$/i.test(url)) return `<a href="${h(url)}" rel="noreferrer noopener">${h(text)}</a>`;
  return h(url && url !== text ? `${text} (${url})` : text);
}

/**
 * A list that may be long: the first rows stay visible, the rest collapse into <details> on
 * screen. Print cannot open <details> without script, so a print-only copy carries the rest.
 */
function collapsible(summary: string, inner: string, open = false): string {
  return `<details class="screen-only"${open ? ' open' : ''}><summary>${summary}</summary>${inner}</details><div class="print-only"><p class="print-caption">${summary}</p>${inner}</div>`;
}

/** A rule id as code, with break opportunities after its separators (`no-host-path` breaks at a hyphen, never mid-word). */
function ruleCode(id: string): string {
  return `<code>${h(id).replace(/([-/.:_])/g, '$1<wbr>')}</code>`;
}

/** Preformatted text: each line escaped (control characters made visible), real line breaks kept. */
function preText(text: string, maxLines = Infinity): string {
  const lines = text.split('\n');
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more line(s): see the JSON report or \`eks-soc2 fix\``] : lines;
  return `<pre>${shown.map((l) => h(l)).join('\n')}</pre>`;
}

/** Column widths (percent) of a table laid out for print; the screen ignores them (auto layout). */
function cols(...widths: number[]): string {
  return `<colgroup>${widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>`;
}

function ownerText(list: ControlResult['owners']['primary']): string {
  return list.length ? list.map((o) => (o.owner ? `${h(o.role)} <span class="muted">(${h(o.owner)})</span>` : h(o.role))).join(', ') : '<span class="muted">—</span>';
}

function findingRows(list: Finding[]): string {
  return list.map((f) => `<tr><td>${h(resourceLabel(f.resource))}${f.resource.arn && f.resource.provider === 'kubernetes' ? `<br><span class="muted">${h(f.resource.arn)}</span>` : ''}</td><td>${ruleCode(f.rule)}</td><td class="st">${badge(f.status)}${f.status === 'fail' ? ` <span class="chip sev-${f.severity}">${f.severity}</span>` : ''}</td><td>${h(f.message)}${f.waiver ? `<br><span class="muted">waiver ${h(f.waiver.id)} — approved by ${h(f.waiver.approvedBy)}, expires ${h(f.waiver.expires)}</span>` : ''}</td><td>${f.source ? `<code>${h(locationLabel(f))}</code>` : '<span class="muted">live</span>'}</td></tr>`).join('');
}

function findingTable(list: Finding[]): string {
  return `<div class="tablewrap"><table>${cols(26, 19, 12, 29, 14)}<thead><tr><th>Resource</th><th>Rule</th><th>Status</th><th>Result</th><th>Location</th></tr></thead><tbody>${findingRows(list)}</tbody></table></div>`;
}

/**
 * Rows listed per list of one control. A cluster at Kubernetes' limits has a million findings;
 * a page listing them all is unreadable and too large for a browser (or one string). The CSV and
 * JSON reports carry every finding; the HTML says how many it leaves out.
 */
export const HTML_MAX_ROWS = 500;

function findingList(title: string, all: Finding[], visible: number, collapsedByDefault: boolean, total = all.length): string {
  if (total === 0) return '';
  const list = all.length > HTML_MAX_ROWS ? all.slice(0, HTML_MAX_ROWS) : all;
  const more = total - list.length;
  const note = more > 0 ? `<p class="muted">… and ${more} more not listed here: the CSV and JSON reports list every finding.</p>` : '';
  return findingListOf(title, list, visible, collapsedByDefault, total) + note;
}

function findingListOf(title: string, list: Finding[], visible: number, collapsedByDefault: boolean, total: number): string {
  if (collapsedByDefault) return collapsible(`${h(title)} (${total})`, findingTable(list));
  if (list.length <= visible) return `<h3>${h(title)} (${total})</h3>${findingTable(list)}`;
  return `<h3>${h(title)} (${total})</h3>${findingTable(list.slice(0, visible))}${collapsible(`${list.length - visible} more`, findingTable(list.slice(visible)))}`;
}

/** Rules not evaluated as a whole (their evidence was not read), with what was missing. */
function unevaluatedTable(c: ControlResult): string {
  if (!c.unevaluated.length) return '';
  return `<h3>Rules not evaluated (${c.unevaluated.length})</h3><div class="tablewrap"><table class="unevaluated">${cols(30, 14, 56)}<thead><tr><th>Rule</th><th>Level</th><th>Not read</th></tr></thead><tbody>${c.unevaluated.map((u) => `<tr><td>${ruleCode(u.rule)}</td><td>${h(u.level)}</td><td>${h(u.reason)}</td></tr>`).join('')}</tbody></table></div>`;
}

/** The control's rules with their level: which failures fail it (required) and which only warn (recommended). */
function rulesTable(c: ControlResult): string {
  if (!c.rules.length) return '';
  const required = c.rules.filter((r) => r.level === 'required').length;
  return collapsible(`Rules (${c.rules.length}: ${required} required, ${c.rules.length - required} recommended)`,
    `<div class="tablewrap"><table>${cols(30, 40, 16, 14)}<thead><tr><th>Rule</th><th>Checks</th><th>Level</th><th>Severity</th></tr></thead><tbody>${c.rules.map((r) => `<tr><td>${ruleCode(r.id)}</td><td>${h(r.title)}</td><td>${h(r.level)}</td><td><span class="chip sev-${r.severity}">${r.severity}</span></td></tr>`).join('')}</tbody></table></div>`);
}

/** The first `n` of the findings `it` yields that `keep`, and how many it yields in all. */
function firstOf(it: Iterable<Finding>, n: number, keep: (f: Finding) => boolean = () => true): Finding[] {
  const out: Finding[] = [];
  for (const f of it) if (keep(f)) { out.push(f); if (out.length >= n) break; }
  return out;
}

/** Results that are neither pass, fail, waived nor warn (not applicable, not evaluated, manual), outside the system namespaces. */
const isOther = (f: Finding) => !f.system && f.status !== 'pass' && f.status !== 'fail' && f.status !== 'waived' && f.status !== 'warn';

/**
 * The first `n` other results of a control: its full findings first, then its compact
 * not-applicable groups (the only other results among them; no pass is expanded).
 */
function otherSample(run: RunResult, c: ControlResult, n: number): Finding[] {
  const out = firstOf(c.findings, n, isOther);
  for (const g of c.passed ?? []) {
    if (out.length >= n) break;
    if (g.status === 'not-applicable') out.push(...firstOf(expandGroup(run, c, g, 'exclude'), n - out.length));
  }
  return out;
}

/** How many other results a control has outside the system namespaces. */
function otherCount(c: ControlResult): number {
  return c.counts['not-applicable'] + c.counts.error + c.counts.manual;
}

function controlBlock(run: RunResult, c: ControlResult, visible: number): string {
  const fail = failing(c);
  const warn = warnings(c);
  // Passing findings are read from the compact form: a sample of them, with the count.
  const pass = passingSample(run, c, HTML_MAX_ROWS);
  const waived = c.findings.filter((f) => f.status === 'waived' && !f.system);
  const other = otherSample(run, c, HTML_MAX_ROWS);
  const otherTotal = otherCount(c);
  const system = firstOf(eachFinding(run, c, { system: 'only' }), HTML_MAX_ROWS);
  const sev = c.status === 'fail' ? `<span class="chip sev-${resultSeverity(c)}">${resultSeverity(c)}</span>` : `<span class="chip">${c.severity}</span>`;
  const ev = c.evidence;
  const facts = [
    ['Owner', ownerText(c.owners.primary)],
    ...(c.owners.supporting.length ? [['Supporting', ownerText(c.owners.supporting)]] : []),
    ['Automation', h(c.automation)],
    ['TSC', c.tsc.map((t) => `<span class="chip">${h(t)}</span>`).join('')],
    ['Checklist', `${h(c.section)} · ${h(c.subheading)}`],
    ['Evidence required', ev.required.length ? ev.required.map((e) => h(e)).join('; ') : '<span class="muted">attestation</span>'],
    ...(ev.missing.length ? [['Evidence missing', `<span class="missing">${ev.missing.map((e) => h(e)).join('; ')}</span>`]] : []),
    ...(c.attestationRequired && !c.attestation ? [['Attestation needed', h(c.attestationRequired)]] : []),
    ['Findings', `${c.counts.fail} failing · ${c.counts.warn} warnings · ${c.counts.pass} passing · ${c.counts.waived} waived${c.counts.error ? ` · ${c.counts.error} not evaluated` : ''}${c.systemCounts.fail + c.systemCounts.pass + c.systemCounts.warn ? ` · ${c.systemCounts.fail + c.systemCounts.pass + c.systemCounts.waived + c.systemCounts.warn} in system namespaces` : ''}`],
  ];
  const waivers = c.waivers.length
    ? `<h3>Waivers</h3><div class="tablewrap"><table>${cols(18, 46, 22, 14)}<thead><tr><th>Waiver</th><th>Reason</th><th>Approved by</th><th>Expires</th></tr></thead><tbody>${c.waivers.map((w) => `<tr><td><code>${h(w.id)}</code></td><td>${h(w.reason)}</td><td>${h(w.approvedBy)}</td><td>${h(w.expires)}</td></tr>`).join('')}</tbody></table></div>`
    : '';
  const a = c.attestation;
  const attest = a
    ? `<h3>Attestation</h3><dl class="facts"><dt>Statement</dt><dd>${h(a.statement)}</dd><dt>Attested by</dt><dd>${h(a.attestedBy)} on ${h(a.date)}</dd><dt>Valid until</dt><dd>${h(a.validUntil)}</dd>${a.evidence ? `<dt>Evidence</dt><dd>${link(a.evidence, a.evidence)}${a.sha256 ? `<br><code>sha256 ${h(a.sha256)}</code>` : ''}</dd>` : ''}</dl>`
    : '';
  const showFix = c.status !== 'pass' && c.status !== 'not-applicable';
  const r = c.remediation;
  const fix = showFix
    ? `<div class="fix"><h3>Fix</h3><p>${h(r.summary)}</p>${r.commands?.length ? preText(r.commands.map((x) => `$ ${x}`).join('\n')) : ''}${r.manifest ? preText(r.manifest) : ''}</div>`
    : '';
  const refs = c.references.length ? `<p class="muted">References: ${c.references.map((x) => link(x.url, x.title)).join(' · ')}</p>` : '';
  const notes = c.notes.length ? `<ul class="muted">${c.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  return `<section class="control s-${c.status}" id="${anchor(c.id)}">
<header>${badge(c.status)} <span class="id">${h(c.id)}</span> <span class="title">${h(c.title)}</span> ${sev}${c.counts.warn ? ` <span class="chip warned">${c.status === 'pass' ? 'passes with ' : ''}${c.counts.warn} warning${c.counts.warn === 1 ? '' : 's'}</span>` : ''}</header>
<p class="msg">${h(c.message)}</p>
<p class="desc">${h(c.description)}</p>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
${notes}
${findingList('Failing resources', fail, visible, false)}
${findingList('Warnings — recommended rules, not failures', warn, visible, false)}
${unevaluatedTable(c)}
${findingList('Waived resources', waived, visible, false)}
${findingList('Other results', other, visible, false, Math.max(otherTotal, other.length))}
${findingList('Passing resources', pass, visible, true, c.counts.pass)}
${findingList('System namespaces (reported separately, not counted)', system, visible, true, systemFindingTotal(c))}
${rulesTable(c)}
${waivers}
${attest}
${fix}
${refs}
</section>`;
}

/** Print: findings as resource (and file), rule (and severity), result — three columns that fit a page. */
function printFindingTable(list: Finding[]): string {
  const rows = list.map((f) => `<tr><td>${h(resourceLabel(f.resource))}${f.source ? `<br><code>${h(locationLabel(f))}</code>` : ''}</td><td>${ruleCode(f.rule)}</td><td>${f.status === 'fail' ? `<span class="chip sev-${f.severity}">${f.severity}</span> ` : f.status !== 'warn' ? `${badge(f.status)} ` : ''}${h(f.message)}${f.waiver ? `<br><span class="muted">waiver ${h(f.waiver.id)} — approved by ${h(f.waiver.approvedBy)}, expires ${h(f.waiver.expires)}</span>` : ''}</td></tr>`).join('');
  return `<div class="tablewrap"><table class="findings">${cols(28, 20, 52)}<thead><tr><th>Resource</th><th>Rule</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** Print: a list as a table of its first `sample` rows and a count, pointing at the CSV and JSON reports. */
function printList(title: string, all: Finding[], sample: number, total = all.length): string {
  if (!total) return '';
  const note = total > sample ? `<p class="muted small">${sample ? `The first ${Math.min(sample, all.length)} of ${total} are shown; the` : 'The'} full list is in the CSV and JSON reports (<code>--format csv,json</code>).</p>` : '';
  return `<h3>${h(title)} (${total})</h3>${sample ? printFindingTable(all.slice(0, sample)) : ''}${note}`;
}

/** Print: passing (or system-namespace) resources as one line — a count and the first few names. */
function printNames(title: string, all: Finding[], sample: number, total = all.length): string {
  if (!total) return '';
  const names = [...new Set(all.map((f) => resourceLabel(f.resource)))];
  const more = names.length > sample || total > all.length ? `${sample ? ' · …' : ''} <span class="muted">(${sample ? `the first ${Math.min(sample, names.length)}; ` : ''}the full list is in the CSV and JSON reports)</span>` : '';
  return `<p class="names"><b>${h(title)} (${total}):</b> ${names.slice(0, sample).map((n) => h(n)).join(' · ')}${more}</p>`;
}

/**
 * A control on paper: what it says, who owns it, its failing resources in full, warnings and other
 * results as a sample, passing resources as a count and names, the waivers and the fix.
 */
function printControlBlock(run: RunResult, c: ControlResult): string {
  // Passing findings are read from the compact form: a sample of names, with the count.
  const pass = passingSample(run, c, PRINT_SAMPLE_NAMES * 4);
  const waived = c.findings.filter((f) => f.status === 'waived' && !f.system);
  const other = otherSample(run, c, PRINT_SAMPLE_ROWS);
  const otherTotal = otherCount(c);
  const systemTotal = systemFindingTotal(c);
  const sev = c.status === 'fail' ? `<span class="chip sev-${resultSeverity(c)}">${resultSeverity(c)}</span>` : `<span class="chip">${c.severity}</span>`;
  const ev = c.evidence;
  const facts = [
    `<b>Owner</b> ${ownerText(c.owners.primary)}${c.owners.supporting.length ? ` <span class="muted">(supporting: ${ownerText(c.owners.supporting)})</span>` : ''}`,
    `<b>TSC</b> ${c.tsc.map((t) => h(t)).join(', ')}`,
    `<b>Checklist</b> ${h(c.section)} · ${h(c.subheading)}`,
    `<b>Automation</b> ${h(c.automation)}`,
    `<b>Findings</b> ${c.counts.fail} failing · ${c.counts.warn} warnings · ${c.counts.pass} passing · ${c.counts.waived} waived${c.counts.error ? ` · ${c.counts.error} not evaluated` : ''}${systemTotal ? ` · ${systemTotal} in system namespaces (not counted)` : ''}`,
  ];
  const lines = [
    ...(ev.missing.length ? [`<p><b>Evidence missing:</b> <span class="missing">${ev.missing.map((e) => h(e)).join('; ')}</span></p>`] : []),
    ...(c.attestationRequired && !c.attestation ? [`<p><b>Attestation needed:</b> ${h(c.attestationRequired)}</p>`] : []),
    ...(c.attestation ? [`<p><b>Attestation:</b> ${h(c.attestation.statement)} — ${h(c.attestation.attestedBy)} on ${h(c.attestation.date)}, valid until ${h(c.attestation.validUntil)}${c.attestation.evidence ? ` · ${link(c.attestation.evidence, c.attestation.evidence)}` : ''}</p>`] : []),
    ...(c.waivers.length ? [`<p><b>Waivers:</b> ${c.waivers.map((w) => `<code>${h(w.id)}</code> ${h(w.reason)} — approved by ${h(w.approvedBy)}, expires ${h(w.expires)}`).join('; ')}</p>`] : []),
  ];
  const r = c.remediation;
  const fix = c.status !== 'pass' && c.status !== 'not-applicable'
    ? `<div class="fix"><h3>Fix</h3><p>${h(r.summary)}</p>${r.commands?.length ? preText(r.commands.map((x) => `$ ${x}`).join('\n'), 30) : ''}${r.manifest ? preText(r.manifest, 24) : ''}</div>`
    : '';
  return `<section class="control s-${c.status}" id="${anchor(c.id)}">
<header>${badge(c.status)} <span class="id">${h(c.id)}</span> <span class="title">${h(c.title)}</span> ${sev}${c.counts.warn ? ` <span class="chip warned">${c.counts.warn} warning${c.counts.warn === 1 ? '' : 's'}</span>` : ''}</header>
<p class="msg">${h(c.message)}</p>
<p class="facts1">${facts.join(' <span class="muted">·</span> ')}</p>
${lines.join('')}${c.notes.length ? `<ul class="muted">${c.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
${printList('Failing resources', failing(c), HTML_MAX_ROWS)}
${printList('Warnings — recommended rules, not failures', warnings(c), PRINT_SAMPLE_ROWS)}
${unevaluatedTable(c)}
${printList('Waived resources', waived, PRINT_SAMPLE_ROWS)}
${printList('Other results', other, PRINT_SAMPLE_ROWS, otherTotal)}
${printNames('Passing resources', pass, PRINT_SAMPLE_NAMES, c.counts.pass)}
${fix}
</section>`;
}

/**
 * What the run (or the period report) left out, near the summary: skipped controls and rules and
 * the namespace filters, escaped; shown on screen and on paper. '' when nothing was left out.
 */
function leftOutPanel(heading: string, items: LeftOutItem[]): string {
  if (!items.length) return '';
  // Inline styles: the stylesheet of a report without filters stays as it was.
  return `<div class="panel leftout" role="note" id="left-out" style="border-left:4px solid var(--warn)"><p style="margin:0;font-weight:600">${h(heading)}</p><ul style="margin:6px 0 0;padding-left:18px">${items.map((i) => `<li><b>${h(i.label)}</b> <span class="muted">(${h(i.note)})</span>: ${i.values.map((v) => `<code>${h(v)}</code>`).join(', ')}</li>`).join('')}</ul></div>`;
}

function countsTable(title: string, rows: [string, string, StatusCounts][]): string {
  const named = rows.some(([, name]) => name);
  const head = `<tr><th>${title}</th>${named ? '<th></th>' : ''}${CHART_ORDER.map((s) => `<th class="n">${STATUS_TEXT[s]}</th>`).join('')}<th>Distribution</th></tr>`;
  const body = rows.map(([id, name, c]) => `<tr><td><b>${h(id)}</b></td>${named ? `<td>${h(name)}</td>` : ''}${CHART_ORDER.map((s) => `<td class="n">${c[s] || '<span class="muted">0</span>'}</td>`).join('')}<td>${stackedBar(c)}</td></tr>`).join('');
  const widths = named ? [7, 25, ...CHART_ORDER.map(() => 7.5), 68 - 7.5 * CHART_ORDER.length] : [12, ...CHART_ORDER.map(() => 9), 88 - 9 * CHART_ORDER.length];
  return `<div class="tablewrap"><table class="counts">${cols(...widths)}<thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

/** The HTML report of one run. */
export function renderHtml(run: RunResult, write: (chunk: string) => void, opts: HtmlOptions = {}): void {
  const visible = opts.visibleRows ?? 12;
  const print = opts.print === true;
  const c = run.cluster;
  const s = run.summary;
  const name = clusterLabel(run);
  const meta: [string, string][] = [
    ['Cluster', h(name)],
    ...(c.accountId ? [['Account', h(c.accountId)] as [string, string]] : []),
    ...(c.region ? [['Region', h(c.region)] as [string, string]] : []),
    ['Evidence', `kubernetes: ${h(run.sources.kubernetes)} · aws: ${h(run.sources.aws)}`],
    ['Finished', `${h(run.finishedAt.replace('T', ' ').slice(0, 19))} UTC`],
    ['Tool', `eks-soc2 ${h(run.tool.version)} · catalog ${h(run.catalogVersion)}`],
    ...(run.runId ? [['Run', `<code>${h(run.runId)}</code>`] as [string, string]] : []),
    ...(run.snapshotDigest ? [['Snapshot', `<code>${h(run.snapshotDigest.slice(0, 24))}…</code>`] as [string, string]] : []),
    ...(run.collectorIdentity ? [['Collected by', h(run.collectorIdentity)] as [string, string]] : []),
  ];
  const header = `<header class="top"><div class="inner"><div><h1>SOC 2 evidence report</h1><div class="sub">${h(name)} — how each control stands, who owns it, the evidence behind it and the fix</div><dl class="meta">${meta.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl></div><div class="score"><b>${s.score}%</b><span>score: ${h(SCORE_WORDING)}</span></div></div></header>`;

  const cards = `<div class="cards">
<div class="card"><div class="n">${run.controls.length}</div><div class="t">Controls evaluated</div></div>
<div class="card pass"><div class="n">${s.controls.pass}</div><div class="t">Passing</div></div>
<div class="card fail"><div class="n">${s.controls.fail}</div><div class="t">Failing</div></div>
<div class="card waived"><div class="n">${s.controls.waived}</div><div class="t">Waived</div></div>
<div class="card manual"><div class="n">${s.controls.manual}</div><div class="t">Manual</div></div>
<div class="card error"><div class="n">${s.controls.error}</div><div class="t">Evidence missing</div></div>
<div class="card"><div class="n">${s.findings.fail}</div><div class="t">Failing resources</div></div>
<div class="card warn"><div class="n">${s.findings.warn}</div><div class="t">Warnings</div><div class="s">in ${s.controlsWithWarnings} control(s)</div></div>
</div>`;

  const charts = `<div class="charts"><div class="panel"><h3 style="margin-top:0">Controls by status</h3>${statusBars(s.controls, 'Controls by status')}</div><div class="panel"><h3 style="margin-top:0">Findings by status</h3>${statusBars(s.findings, 'Findings by status', 420, FINDING_CHART_ORDER)}</div></div>`;

  const sectionOrder = Object.keys(SECTIONS);
  const bySection = countsTable('Section', Object.entries(s.bySection).sort(([a], [b]) => sectionOrder.indexOf(a) - sectionOrder.indexOf(b)).map(([id, n]) => [id, SECTIONS[id as keyof typeof SECTIONS] ?? id, n]));
  const byTsc = countsTable('Criterion', Object.entries(s.byTsc).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([id, n]) => [id, '', n]));

  const failed = run.controls.filter((x) => x.status === 'fail' || x.status === 'error');
  const attention = failed.length
    ? `<div class="tablewrap"><table>${cols(27, 11, 18, 9, 35)}<thead><tr><th>Control</th><th>Status</th><th>Owner</th><th class="n">Failing</th><th>Why</th></tr></thead><tbody>${failed.map((x) => `<tr><td><a href="#${anchor(x.id)}"><code>${h(x.id)}</code></a><br>${h(x.title)}</td><td>${badge(x.status)}</td><td>${ownerText(x.owners.primary)}</td><td class="n">${x.counts.fail}</td><td>${h(x.message)}</td></tr>`).join('')}</tbody></table></div>`
    : '<p class="panel">No control fails and no evidence is missing.</p>';
  const warned = run.controls.filter((x) => x.counts.warn > 0);
  const warnTable = warned.length
    ? `<h2>Warnings (${warned.length})</h2><p class="muted">Failed recommended rules (hardening beyond the checklist item): counted and shown, never a failure of their control.</p><div class="tablewrap"><table>${cols(27, 11, 18, 10, 34)}<thead><tr><th>Control</th><th>Status</th><th>Owner</th><th class="n">Warnings</th><th>Rules</th></tr></thead><tbody>${warned.map((x) => `<tr><td><a href="#${anchor(x.id)}"><code>${h(x.id)}</code></a><br>${h(x.title)}</td><td>${badge(x.status)}</td><td>${ownerText(x.owners.primary)}</td><td class="n">${x.counts.warn}</td><td>${h(ruleTally(warnings(x)))}</td></tr>`).join('')}</tbody></table></div>`
    : '';

  let controls = '';
  let section = '';
  let sub = '';
  for (const x of run.controls) {
    if (x.section !== section) {
      section = x.section;
      sub = '';
      controls += `<h2 id="sec-${h(section)}">${h(section)} — ${h(SECTIONS[x.section])}</h2>`;
    }
    if (x.subheading !== sub) {
      sub = x.subheading;
      controls += `<div class="subhead">${h(sub)}</div>`;
    }
    controls += print ? printControlBlock(run, x) : controlBlock(run, x, visible);
  }

  const gaps = run.gaps.length
    ? `<h2>Evidence gaps and input problems (${run.gaps.length})</h2><div class="tablewrap"><table>${cols(10, 24, 14, 30, 22)}<thead><tr><th>Source</th><th>What</th><th>Reason</th><th>Message</th><th>Fix</th></tr></thead><tbody>${run.gaps.map((g) => `<tr><td>${h(g.source)}</td><td><code>${h(g.target)}</code>${g.line ? `:${g.line}` : ''}</td><td>${h(g.reason)}</td><td>${h(g.message)}</td><td>${h(g.fix ?? g.permission ?? '')}</td></tr>`).join('')}</tbody></table></div>`
    : '';
  const issues = [
    ...run.waivers.issues.map((i) => ['waiver', i.id ?? i.control ?? '', i.problem, i.message] as const),
    ...run.attestations.issues.map((i) => ['attestation', i.control ?? '', i.problem, i.message] as const),
  ];
  const issueTable = issues.length
    ? `<h2>Waiver and attestation problems (${issues.length})</h2><div class="tablewrap"><table>${cols(12, 20, 16, 52)}<thead><tr><th>Kind</th><th>Item</th><th>Problem</th><th>Message</th></tr></thead><tbody>${issues.map(([k, id, p, m]) => `<tr><td>${k}</td><td><code>${h(id)}</code></td><td>${h(p)}</td><td>${h(m)}</td></tr>`).join('')}</tbody></table></div>`
    : '';
  const inForce = run.attestations.inForce.length
    ? `<h2>Attestations in force (${run.attestations.inForce.length})</h2><div class="tablewrap"><table>${cols(16, 34, 20, 12, 18)}<thead><tr><th>Control</th><th>Statement</th><th>Attested by</th><th>Valid until</th><th>Evidence</th></tr></thead><tbody>${run.attestations.inForce.map((a) => `<tr><td><a href="#${anchor(a.control)}"><code>${h(a.control)}</code></a></td><td>${h(a.statement)}</td><td>${h(a.attestedBy)} (${h(a.date)})</td><td>${h(a.validUntil)}</td><td>${a.evidence ? link(a.evidence, a.evidence) : ''}</td></tr>`).join('')}</tbody></table></div>`
    : '';

  const toc = `<ul class="toc">${[...new Set(run.controls.map((x) => x.section))].map((id) => `<li><a href="#sec-${h(id)}">${h(id)} — ${h(SECTIONS[id])}</a></li>`).join('')}</ul>`;
  // On paper the first pages are the summary: the cards, the per-section table and what needs action.
  const leftOut = leftOutPanel(RUN_LEFT_OUT, runLeftOut(run.filters));
  const body = print
    ? `${cards}${leftOut}
<h2>By checklist section</h2>
${bySection}
<h2>Needs action (${failed.length})</h2>
${attention}
${warnTable}
<h2>By Trust Services Criterion</h2>
${byTsc}
<h2 class="newpage">Controls</h2>`
    : `${cards}${leftOut}
<h2>Overview</h2>
${charts}
<h2>By checklist section</h2>
${bySection}
<h2>By Trust Services Criterion</h2>
${byTsc}
<h2>Needs action (${failed.length})</h2>
${attention}
${warnTable}
<h2 class="newpage">Controls</h2>`;
  const rest = `
<div class="panel">${toc}</div>
${controls}
${inForce}
${gaps}
${issueTable}`;
  const footer = `Generated by eks-soc2 ${h(run.tool.version)} from run ${h(run.runId ?? '(not stored)')} — a self-contained file: it loads nothing from the network. Statuses: pass, fail (a required rule failed on evidence that was read), waived (accepted risk), manual (needs a human attestation), evidence missing (could not see; never counted as pass), not applicable. Findings can also be warnings: a recommended rule failed; shown and counted, never a failure of the control.`;
  write(shell(`SOC 2 evidence report — ${name}`, header, `${body}${rest}`, footer));
}

const VERDICT_ORDER: readonly Verdict[] = ['not-operating', 'exceptions-noted', 'insufficient-evidence', 'operated-effectively'];

function periodControlRow(pc: PeriodControl, from: string, to: string): string {
  const intervals = pc.failIntervals.length
    ? pc.failIntervals.map((i) => `${h(i.firstSeen.slice(0, 16).replace('T', ' '))} → ${i.open ? '<b>still open</b>' : h((i.fixedAt ?? i.lastSeen).slice(0, 16).replace('T', ' '))} <span class="muted">(${duration(i.durationHours)})</span>`).join('<br>')
    : '<span class="muted">none</span>';
  const notes = [
    ...(pc.warnings ? [`<span class="chip warned">warnings in ${pc.warnings.samples} sample(s)</span>`] : []),
    ...(pc.evidenceGaps?.length ? [`<span class="chip">evidence not read: ${pc.evidenceGaps.length} gap(s)</span>`] : []),
  ].join(' ');
  return `<tr><td><code>${h(pc.id)}</code><br>${h(pc.title)}</td><td>${ownerText(pc.owners.primary)}</td><td>${verdictBadge(pc.verdict)}<br><span class="muted">${h(pc.verdictReason)}</span>${notes ? `<br>${notes}` : ''}</td><td class="n">${pct(pc.passRate)}</td><td class="n">${pc.samples}</td><td>${timelineStrip(pc.timeline, from, to)}</td><td>${intervals}</td></tr>`;
}

function periodDetails(pc: PeriodControl): string {
  const parts: string[] = [];
  if (pc.failIntervals.length) {
    parts.push(`<div class="tablewrap"><table>${cols(21, 21, 21, 11, 26)}<thead><tr><th>First failing</th><th>Last failing</th><th>Fixed</th><th class="n">Duration</th><th>Runs</th></tr></thead><tbody>${pc.failIntervals.map((i) => `<tr><td>${h(i.firstSeen)}</td><td>${h(i.lastSeen)}</td><td>${i.fixedAt ? h(i.fixedAt) : '<b>open</b>'}</td><td class="n">${duration(i.durationHours)}</td><td><code>${h(i.firstRunId)}</code> … <code>${h(i.lastRunId)}</code></td></tr>`).join('')}</tbody></table></div>`);
  }
  if (pc.warnings) {
    parts.push(`<p><b>Observations — warnings</b> <span class="muted">(failed recommended rules; they do not change the verdict)</span>: in ${pc.warnings.samples} of ${pc.samples} sample(s).</p><div class="tablewrap"><table>${cols(32, 12, 12, 22, 22)}<thead><tr><th>Rule</th><th class="n">Samples</th><th class="n">Findings</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>${pc.warnings.rules.map((r) => `<tr><td><code>${h(r.rule)}</code></td><td class="n">${r.samples}</td><td class="n">${r.findings}</td><td>${h(r.firstSeen.slice(0, 10))}</td><td>${h(r.lastSeen.slice(0, 10))}</td></tr>`).join('')}</tbody></table></div>`);
  }
  if (pc.evidenceGaps?.length) {
    parts.push(`<p><b>Evidence not read</b> <span class="muted">(a sample that failed on the evidence that was read is an exception all the same)</span></p><div class="tablewrap"><table>${cols(34, 10, 12, 20, 24)}<thead><tr><th>Not read</th><th class="n">Samples</th><th class="n">Of them failing</th><th>First → last</th><th>Runs</th></tr></thead><tbody>${pc.evidenceGaps.map((g) => `<tr><td>${h(g.reason)}</td><td class="n">${g.samples}</td><td class="n">${g.failing}</td><td>${h(g.firstSeen.slice(0, 10))} → ${h(g.lastSeen.slice(0, 10))}</td><td><code>${h(g.firstRunId)}</code> … <code>${h(g.lastRunId)}</code></td></tr>`).join('')}</tbody></table></div>`);
  }
  if (pc.timeToRemediateHours) parts.push(`<p>Time to remediate: mean ${duration(pc.timeToRemediateHours.mean)}, longest ${duration(pc.timeToRemediateHours.max)} over ${pc.timeToRemediateHours.count} closed interval(s).</p>`);
  if (pc.waivers.length) parts.push(`<p><b>Waivers:</b> ${pc.waivers.map((w) => `<code>${h(w.id)}</code> ${h(w.reason)} — approved by ${h(w.approvedBy)}, expires ${h(w.expires)} (seen ${h(w.firstSeen.slice(0, 10))} → ${h(w.lastSeen.slice(0, 10))})`).join('<br>')}</p>`);
  if (pc.attestations.length) parts.push(`<p><b>Attestations:</b> ${pc.attestations.map((a) => `${h(a.statement)} — ${h(a.attestedBy)}, ${h(a.date)}, valid until ${h(a.validUntil)}${a.coversWindow ? '' : ' <span class="missing">(does not cover the whole window)</span>'}${a.evidence ? ` · ${link(a.evidence, 'evidence')}` : ''}`).join('<br>')}</p>`);
  const samples = pc.timeline.map((s) => `<tr><td>${h(s.at)}</td><td>${badge(s.status)}${s.warnings ? ` <span class="chip warned">${s.warnings} warning(s)</span>` : ''}</td><td class="n">${s.failing ?? ''}</td><td><code>${h(s.runId)}</code></td><td><code>${h((s.snapshotDigest ?? '').slice(0, 16))}</code></td></tr>`).join('');
  parts.push(collapsible(`Samples (${pc.timeline.length}) — the runs an auditor can re-perform`, `<div class="tablewrap"><table>${cols(24, 18, 10, 26, 22)}<thead><tr><th>At</th><th>Status</th><th class="n">Failing</th><th>Run</th><th>Snapshot</th></tr></thead><tbody>${samples}</tbody></table></div>`));
  return `<section class="control" id="${anchor(pc.id)}"><header>${verdictBadge(pc.verdict)} <span class="id">${h(pc.id)}</span> <span class="title">${h(pc.title)}</span></header><p class="muted">${h(pc.verdictReason)}</p>${parts.join('')}</section>`;
}

function periodCluster(cl: PeriodCluster, period: PeriodResult): string {
  const counts = VERDICT_ORDER.map((v) => `<div class="card"><div class="n">${cl.summary[v] ?? 0}</div><div class="t">${h(VERDICT_LABEL[v])}</div></div>`).join('');
  const gaps = cl.samplingGaps.length
    ? `<p><b>Sampling gaps:</b> ${cl.samplingGaps.map((g) => `${h(g.from.slice(0, 10))} → ${h(g.to.slice(0, 10))} (${g.days} days)`).join(' · ')}</p>`
    : '<p class="muted">No sampling gaps.</p>';
  const series = cl.sectionSeries.map((s) => ({ name: `${s.section} ${SECTIONS[s.section] ?? ''}`.replace(/^(.{30}).+$/, '$1…'), points: s.points }));
  const sorted = [...cl.controls].sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || a.id.localeCompare(b.id));
  return `<h2>${h(clusterLabel(cl))}</h2>
<div class="cards"><div class="card"><div class="n">${cl.runs}</div><div class="t">Runs</div></div><div class="card"><div class="n">${pct(cl.coverage)}</div><div class="t">Days sampled</div></div>${counts}</div>
<div class="panel"><h3 style="margin-top:0">Pass rate over time by checklist section</h3>${lineChart(series, period.from, period.to)}${gaps}</div>
<h3>Controls over the period</h3>
<div class="tablewrap"><table>${cols(22, 13, 20, 9, 8, 14, 14)}<thead><tr><th>Control</th><th>Owner</th><th>Verdict</th><th class="n">Pass rate</th><th class="n">Samples</th><th>Timeline</th><th>Fail intervals</th></tr></thead><tbody>${sorted.map((pc) => periodControlRow(pc, period.from, period.to)).join('')}</tbody></table></div>
<h2 class="newpage">Control detail — ${h(clusterLabel(cl))}</h2>
${sorted.map((pc) => periodDetails(pc)).join('')}`;
}

/** The HTML report of an audit period (SOC 2 Type II). */
/** The evidence check at the top of a period report: verified (with the chain heads) or not. */
function verificationPanel(period: PeriodResult): string {
  const ev = verificationText(period);
  if (!ev) return '';
  const list = [...ev.heads, ...ev.problems];
  return `<div class="panel verification ${ev.ok ? 'v-ok' : 'v-broken'}" role="${ev.ok ? 'status' : 'alert'}" id="evidence-verification"><p class="vh">${h(ev.headline)}</p>${list.length ? `<ul>${list.map((l) => `<li><code>${h(l)}</code></li>`).join('')}</ul>` : ''}</div>`;
}

export function renderPeriodHtml(period: PeriodResult, write: (chunk: string) => void): void {
  const window = `${period.from.slice(0, 10)} — ${period.to.slice(0, 10)}`;
  const total = emptyCounts();
  for (const cl of period.clusters) for (const c of cl.controls) for (const k of Object.keys(total) as Status[]) total[k] += c.statusCounts[k];
  const th = period.thresholds;
  const header = `<header class="top"><div class="inner"><div><h1>SOC 2 Type II — audit period</h1><div class="sub">${h(window)} · ${period.clusters.length} cluster(s) · how each control operated, with the samples behind it</div><dl class="meta"><div><dt>Generated</dt><dd>${h(period.generatedAt.replace('T', ' ').slice(0, 19))} UTC</dd></div><div><dt>Tool</dt><dd>eks-soc2 ${h(period.tool.version)}</dd></div><div><dt>Effective at</dt><dd>≥ ${pct(th.effective)} pass rate</dd></div><div><dt>Coverage</dt><dd>≥ ${pct(th.minCoverage)} of days, gaps ≤ ${th.maxGapDays} days</dd></div></dl></div></div></header>`;
  const legend = `<p class="muted">Timeline colours: ${CHART_ORDER.map((s) => `<span class="badge b-${s}">${STATUS_TEXT[s]}</span>`).join(' ')}</p>`;
  const body = `${verificationPanel(period)}${leftOutPanel(PERIOD_LEFT_OUT, periodLeftOut(period.filters))}<div class="panel"><h3 style="margin-top:0">All samples by status</h3>${statusBars(total, 'Samples by status')}${legend}</div>
${period.clusters.map((cl) => periodCluster(cl, period)).join('')}`;
  write(shell(`SOC 2 audit period ${window}`, header, body, `Generated by eks-soc2 ${h(period.tool.version)} — a self-contained file: it loads nothing from the network.`));
}
