// Overview: the newest run of the selected cluster — score per checklist section and per TSC
// criterion, the trend over time, and what changed since the previous run.
/* global URLSearchParams */
import { api } from '../api.js';
import { bar, lineChart, stack } from '../charts.js';
import {
  CHANGE_TEXT, STATUS_TEXT, clip, fmtAgo, fmtDuration, fmtTime, h, pct100, section, selectField, severityChip, statusBadge, table,
} from '../dom.js';

const TREND_WINDOWS = [['30', 'Last 30 days'], ['90', 'Last 90 days'], ['365', 'Last 365 days'], ['0', 'All runs']];

function card(label, value, cls, sub) {
  return h('div', { class: ['card', cls] }, h('span', { class: 't' }, label), h('span', { class: 'n' }, value), sub ? h('span', { class: 'sub' }, sub) : null);
}

const SHORT = { pass: 'Pass', fail: 'Fail', manual: 'Man.', waived: 'Waiv.', error: 'Err.', 'not-applicable': 'N/A' };

function scoreTable({ caption, rows, firstHead, link }) {
  const head = [firstHead, h('th', { scope: 'col', class: 'wide' }, 'Score'),
    ...['pass', 'fail', 'manual', 'waived', 'error', 'not-applicable'].map((st) => h('th', { scope: 'col', class: 'n' }, h('abbr', { title: STATUS_TEXT[st] }, SHORT[st])))];
  return table({
    caption,
    className: 'scores',
    head,
    rows: rows.map((r) => h('tr', null,
      h('th', { scope: 'row', class: 'name' }, h('a', { href: link(r) }, r.id), r.title ? h('span', { class: 'muted title', title: r.title }, ` ${r.title}`) : null),
      h('td', { class: 'wide' }, h('span', { class: 'scorecell' }, bar(r.score, r.score >= 90 ? 'pass' : r.score >= 60 ? 'manual' : 'fail'), h('span', { class: 'num' }, pct100(r.score))), stack(r.counts)),
      ['pass', 'fail', 'manual', 'waived', 'error', 'not-applicable'].map((st) => h('td', { class: ['n', r.counts[st] && st === 'fail' ? 'hot' : undefined] }, String(r.counts[st])))),
    ),
  });
}

function changesPanel(c, clusterQ) {
  if (!c) return section('What changed since the previous run', h('p', { class: 'muted' }, 'This cluster has a single stored run: nothing to compare yet.'));
  const s = c.summary;
  const delta = s.scoreDelta;
  const chips = h('ul', { class: 'chips', 'aria-label': 'Summary of changes' },
    h('li', { class: 'chip-fail' }, `${s.controls['newly-failing']} control(s) newly failing`),
    h('li', { class: 'chip-pass' }, `${s.controls.fixed} fixed`),
    h('li', null, `${s.controls.changed} changed`),
    h('li', null, `${s.resources['newly-failing']} resource(s) newly failing, ${s.resources.fixed} fixed`),
    h('li', null, delta === 0 ? 'score unchanged' : `score ${delta > 0 ? '+' : ''}${delta.toFixed(1)} points`));
  const rows = c.controls.slice(0, 12).map((x) => h('tr', null,
    h('td', null, h('span', { class: ['change', `c-${x.change}`] }, CHANGE_TEXT[x.change] ?? x.change)),
    h('td', null, h('a', { href: `/controls/${encodeURIComponent(x.id)}?${clusterQ}` }, x.id), ' ', clip(x.title, 70, 'muted')),
    h('td', { class: 'nowrap' }, x.from ? statusBadge(x.from) : '—', ' → ', x.to ? statusBadge(x.to) : '—')));
  return section('What changed since the previous run',
    h('p', { class: 'muted' }, `From run ${c.from.runId ?? ''} (${fmtTime(c.from.at)}) to ${c.to.runId ?? ''} (${fmtTime(c.to.at)}). `,
      h('a', { href: `/diff?from=${encodeURIComponent(c.from.runId)}&to=${encodeURIComponent(c.to.runId)}` }, 'Full comparison')),
    chips,
    rows.length
      ? table({ caption: 'Controls whose status changed', head: ['Change', 'Control', 'Status'], rows })
      : h('p', null, 'No control changed status.'),
    c.controls.length > 12 ? h('p', { class: 'muted' }, `… and ${c.controls.length - 12} more in the full comparison.`) : null);
}

export async function render(root, ctx) {
  const days = ctx.params.get('days') ?? '90';
  const o = await api('/api/overview', { cluster: ctx.cluster.id, days });
  const clusterQ = `cluster=${encodeURIComponent(o.cluster.id)}`;
  const r = o.latest;
  const p = o.previous;
  const delta = p ? r.score - p.score : undefined;

  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, 'Overview ', h('span', { class: 'muted' }, '— '), clip(o.cluster.label, 80)),
    h('p', { class: 'sub' },
      'Newest run ', h('a', { href: `/runs/${encodeURIComponent(r.runId)}` }, r.runId), ` · evidence of ${fmtTime(r.at)} (${fmtAgo(r.at, Date.parse(ctx.meta.now))})`,
      ` · took ${fmtDuration(r.durationSeconds)} · catalog ${r.catalogVersion}`)));

  root.appendChild(h('div', { class: 'cards' },
    card('Score', pct100(r.score), r.score >= 90 ? 'pass' : r.score >= 60 ? 'manual' : 'fail', delta === undefined ? 'first run' : `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} since previous run`),
    card('Failing controls', String(r.controls.fail), 'fail'),
    card('Passing', String(r.controls.pass), 'pass'),
    card('Manual', String(r.controls.manual), 'manual'),
    card('Waived', String(r.controls.waived), 'waived'),
    card('Error', String(r.controls.error), 'error', 'could not be evaluated'),
    card('Evidence gaps', String(r.gaps), r.gaps ? 'error' : undefined, h('a', { href: `/runs/${encodeURIComponent(r.runId)}#gaps` }, 'details')),
    card('Failing findings', String(r.findings.fail), 'fail'),
    card('Warnings', String(r.findings.warn ?? 0), 'warn', h('a', { href: `/controls?${clusterQ}&status=warn` }, `${o.warned.length} control(s)`)),
  ));

  const trendSelect = selectField({
    id: 'trend-window', label: 'Trend window', value: days, options: TREND_WINDOWS,
    onchange: (e) => {
      const q = new URLSearchParams(ctx.params);
      q.set('days', e.target.value);
      ctx.navigate(`/?${q.toString()}`, { replace: true });
    },
  });
  const points = o.trend.points.map((x) => ({ t: Date.parse(x.at), v: x.score }));
  const first = o.trend.points[0];
  const last = o.trend.points[o.trend.points.length - 1];
  const trendLabel = points.length
    ? `Score over ${points.length} run(s), from ${pct100(first.score)} on ${fmtTime(first.at)} to ${pct100(last.score)} on ${fmtTime(last.at)}`
    : 'No runs in this window';
  const trendData = h('details', { class: 'data' }, h('summary', null, 'Trend as a table'),
    table({
      caption: 'Score per run', head: ['Run', 'Evidence time', h('th', { scope: 'col', class: 'n' }, 'Score'), h('th', { scope: 'col', class: 'n' }, 'Failing controls'), h('th', { scope: 'col', class: 'n' }, 'Gaps')],
      rows: [...o.trend.points].reverse().slice(0, 60).map((x) => h('tr', null, h('td', null, h('a', { href: `/runs/${encodeURIComponent(x.runId)}` }, x.runId)), h('td', null, fmtTime(x.at)), h('td', { class: 'n' }, pct100(x.score)), h('td', { class: 'n' }, String(x.controls.fail)), h('td', { class: 'n' }, String(x.gaps)))),
    }));

  const failingList = section('Failing controls',
    o.failing.length
      ? h('ul', { class: 'failing' }, o.failing.slice(0, 10).map((x) => h('li', null,
        severityChip(x.severity), ' ', h('a', { href: `/controls/${encodeURIComponent(x.id)}?${clusterQ}` }, x.id), ' ', clip(x.title, 80), h('span', { class: 'muted' }, ` · ${x.failing} failing`))))
      : h('p', null, 'No control fails in the newest run.'),
    o.failing.length > 10 ? h('p', null, h('a', { href: `/controls?${clusterQ}&status=fail` }, `All ${o.failing.length} failing controls`)) : null);

  const warnedList = section('Controls with warnings',
    h('p', { class: 'muted small' }, 'Failed recommended rules (hardening beyond the checklist item): shown and counted, never a failure of the control.'),
    o.warned.length
      ? h('ul', { class: 'failing' }, o.warned.slice(0, 10).map((x) => h('li', null,
        statusBadge(x.status), ' ', h('a', { href: `/controls/${encodeURIComponent(x.id)}?${clusterQ}&findings=warn` }, x.id), ' ', clip(x.title, 80), h('span', { class: 'muted' }, ` · ${x.warnings} warning(s)`))))
      : h('p', null, 'No warning in the newest run.'),
    o.warned.length > 10 ? h('p', null, h('a', { href: `/controls?${clusterQ}&status=warn` }, `All ${o.warned.length} controls with warnings`)) : null,
    o.unevaluated ? h('p', { class: 'muted' }, `${o.unevaluated} control(s) have rules that were not evaluated (their evidence was not read).`) : null);

  root.appendChild(h('div', { class: 'grid2' },
    h('div', { class: 'stack-col' },
      section('Score per checklist section',
        scoreTable({ caption: 'Score per checklist section in the newest run', rows: o.sections, firstHead: h('th', { scope: 'col' }, 'Section'), link: (x) => `/controls?${clusterQ}&section=${encodeURIComponent(x.id)}` })),
      section('Score per Trust Services Criterion',
        scoreTable({ caption: 'Score per Trust Services Criterion in the newest run', rows: o.criteria, firstHead: h('th', { scope: 'col' }, 'Criterion'), link: (x) => `/controls?${clusterQ}&tsc=${encodeURIComponent(x.id)}` }))),
    h('div', { class: 'stack-col' },
      section('Trend',
        h('div', { class: 'toolbar' }, trendSelect, h('span', { class: 'muted' }, `${points.length} run(s)`)),
        lineChart({ series: [{ name: 'Score', points }], label: trendLabel }),
        trendData),
      changesPanel(o.changes, clusterQ),
      failingList,
      warnedList),
  ));
  return `Overview — ${o.cluster.label.slice(0, 60)}`;
}
