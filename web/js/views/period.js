// Period (SOC 2 Type II): how each control operated over a chosen window, per cluster, with an
// export of the period report in any format the CLI's `report` command offers.
/* global URLSearchParams */
import { ApiError, download } from '../api.js';
import { api } from '../api.js';
import { legend, lineChart } from '../charts.js';
import { VERDICT_TEXT, clip, fmtDay, h, pct, section, table, verdictBadge } from '../dom.js';

const DAY = 86_400_000;

function presets(to) {
  const end = Date.parse(`${to}T00:00:00Z`);
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const y = new Date(end).getUTCFullYear();
  return [
    ['Last 30 days', day(end - 29 * DAY), to],
    ['Last 90 days', day(end - 89 * DAY), to],
    ['Last 365 days', day(end - 364 * DAY), to],
    [`Year ${y}`, `${y}-01-01`, `${y}-12-31`],
    [`Year ${y - 1}`, `${y - 1}-01-01`, `${y - 1}-12-31`],
  ];
}

function clusterBlock(c, w, clusterId) {
  const q = `cluster=${encodeURIComponent(clusterId)}&from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}`;
  const series = c.sectionSeries.map((s) => ({ name: s.section, points: s.points.map((p) => ({ t: Date.parse(p.at), v: p.passRate * 100 })) }));
  const verdicts = Object.entries(c.summary).map(([v, n]) => h('li', { class: `v-${v}` }, h('strong', null, String(n)), ` ${VERDICT_TEXT[v]}`));
  return section(`Cluster ${c.cluster.name ?? c.key}`.slice(0, 120),
    h('p', { class: 'sub' }, `${c.runs} run(s) from ${fmtDay(c.firstRun)} to ${fmtDay(c.lastRun)} · ${pct(c.coverage)} of the window's days had a run${c.redatedRuns ? ` · ${c.redatedRuns} run(s) stored more than a day after their evidence time` : ''}`),
    h('ul', { class: 'verdicts', 'aria-label': 'Verdicts' }, verdicts),
    c.samplingGaps.length ? h('p', { class: 'muted' }, `Days without a run: ${c.samplingGaps.slice(0, 8).map((g) => (g.days > 1 ? `${g.from} to ${g.to}` : g.from)).join(', ')}${c.samplingGaps.length > 8 ? ', …' : ''}`) : null,
    series.length ? [h('h3', null, 'Pass rate per section'), lineChart({ series, label: `Pass rate per checklist section over the period, ${series.length} section(s)`, width: 1200, height: 260 }), legend(series)] : null,
    table({
      caption: `How each control operated between ${w.from} and ${w.to}`,
      head: ['Control', 'Verdict', h('th', { scope: 'col', class: 'n' }, 'Pass rate'), h('th', { scope: 'col', class: 'n' }, 'Samples'), h('th', { scope: 'col', class: 'n' }, 'Coverage'), h('th', { scope: 'col', class: 'n' }, 'Failures'), 'Why'],
      rows: c.controls.map((x) => h('tr', null,
        h('td', null, h('a', { class: 'mono', href: `/controls/${encodeURIComponent(x.id)}?${q}` }, x.id), ' ', clip(x.title, 80)),
        h('td', null, verdictBadge(x.verdict)),
        h('td', { class: 'n' }, pct(x.passRate)),
        h('td', { class: 'n' }, String(x.samples)),
        h('td', { class: 'n' }, x.coverage !== undefined ? pct(x.coverage) : '—'),
        h('td', { class: 'n' }, String(x.failIntervals.length)),
        h('td', { class: 'small' }, clip(x.verdictReason, 200),
          x.warnings ? h('div', { class: 'muted' }, clip(`Observation: warnings (recommended rules, not exceptions) in ${x.warnings.samples} sample(s): ${x.warnings.rules.map((r) => `${r.rule} (${r.samples})`).join(', ')}`, 240)) : null,
          x.evidenceGaps?.length ? h('div', { class: 'muted' }, clip(`Evidence not read: ${x.evidenceGaps.map((g) => `${g.reason} (${g.samples} sample(s), ${g.failing} failing)`).join('; ')}`, 300)) : null))),
    }));
}

/** The store's chain check of the runs behind the period: verified (with the heads) or not. */
function verificationBlock(v) {
  if (!v) return null;
  const heads = v.clusters.map((c) => `${c.key}: ${c.runs} run(s), ${c.ok ? 'chain intact' : 'CHAIN BROKEN'}${c.head ? `, head #${c.head.seq} ${c.head.hash}` : ''}`);
  const problems = v.problems.map((x) => `${x.kind}: ${x.message}`);
  if (v.problemCount > v.problems.length) problems.push(`… ${v.problemCount - v.problems.length} more (eks-soc2 verify lists them)`);
  const headline = v.ok
    ? v.depth === 'rows'
      ? `Evidence verified: the hash chain of ${v.runsChecked} stored run(s) recomputes, and so do the per-control rows this page is computed from (checked ${fmtDay(v.checkedAt)}; eks-soc2 verify also re-reads every stored result and snapshot).`
      : `Evidence verified: the hash chain of ${v.runsChecked} stored run(s) recomputes (checked ${fmtDay(v.checkedAt)}).`
    : `Evidence NOT verified: the store's hash chain does not verify (${v.problemCount} problem(s)). Stored runs were edited, deleted or reordered: the figures below cannot be trusted.`;
  return h('div', { class: `panel verification ${v.ok ? 'v-ok' : 'error'}`, id: 'period-verification', role: v.ok ? 'status' : 'alert' },
    h('p', { class: 'vh' }, clip(headline, 300)),
    h('ul', { class: 'plain small mono' }, [...heads, ...problems].slice(0, 30).map((l) => h('li', null, clip(l, 300)))));
}

export async function render(root, ctx) {
  const all = ctx.params.get('cluster') === '*';
  const clusterId = all ? '*' : ctx.cluster.id;
  // The period first; the chain check (every record and per-control row of the clusters' chains:
  // a second or so for a year of runs) follows on its own and fills in its panel when it is done.
  const p = await api('/api/period', { cluster: clusterId, from: ctx.params.get('from') ?? undefined, to: ctx.params.get('to') ?? undefined, verify: '0' });
  const w = p.window;

  const clusterSel = h('select', { id: 'period-cluster', name: 'cluster' },
    ctx.clusters.map((c) => h('option', { value: c.id, selected: !all && c.id === ctx.cluster.id }, c.label.slice(0, 60))),
    h('option', { value: '*', selected: all }, 'All clusters'));
  const from = h('input', { id: 'period-from', name: 'from', type: 'date', value: w.from.slice(0, 10), required: true });
  const to = h('input', { id: 'period-to', name: 'to', type: 'date', value: w.to.slice(0, 10), required: true });
  const go = (f, t) => {
    const q = new URLSearchParams({ cluster: clusterSel.value, from: f, to: t });
    ctx.navigate(`/period?${q.toString()}`);
  };
  const form = h('form', { class: 'inline', 'aria-label': 'Choose the period' },
    h('div', { class: 'field' }, h('label', { for: 'period-cluster' }, 'Cluster'), clusterSel),
    h('div', { class: 'field' }, h('label', { for: 'period-from' }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: 'period-to' }, 'To'), to),
    h('button', { type: 'submit', id: 'period-apply' }, 'Show period'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(from.value, to.value);
  });
  const presetBar = h('div', { class: 'presets', role: 'group', 'aria-label': 'Preset periods' },
    presets(w.to.slice(0, 10)).map(([label, f, t]) => h('button', { type: 'button', class: 'secondary', onclick: () => go(f, t) }, label)));

  const formats = ctx.meta.formats;
  const fmt = h('select', { id: 'export-format', name: 'format' }, formats.map((f) => h('option', { value: f.name, selected: f.name === 'html', title: f.description }, `${f.name} (.${f.ext})`)));
  const note = h('p', { class: 'muted small', role: 'status', 'aria-live': 'polite', id: 'export-status' });
  const exportForm = h('form', { class: 'inline', 'aria-label': 'Export the period report' },
    h('div', { class: 'field' }, h('label', { for: 'export-format' }, 'Format'), fmt),
    h('button', { type: 'submit', id: 'export-download' }, 'Download report'), note);
  exportForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = exportForm.querySelector('button');
    btn.disabled = true;
    note.textContent = `Preparing the ${fmt.value} report…`;
    try {
      const name = await download('/api/period/export', { cluster: clusterId, from: w.from, to: w.to, format: fmt.value });
      note.textContent = `Downloaded ${name}.`;
    } catch (err) {
      note.textContent = `The export failed: ${err instanceof ApiError ? err.message : String(err)}`;
    } finally {
      btn.disabled = false;
    }
  });

  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, 'Period report'),
    h('p', { class: 'sub' }, `How each control operated from ${w.from} to ${w.to} (SOC 2 Type II). Verdict thresholds: effective at ${pct(p.thresholds.effective)}, exceptions down to ${pct(p.thresholds.exceptions)}, coverage at least ${pct(p.thresholds.minCoverage)}, gaps up to ${p.thresholds.maxGapDays} days.`)));
  root.appendChild(h('div', { class: 'panel controlsbar' },
    h('div', { class: 'row' }, form, h('div', { class: 'export' }, h('h2', { class: 'sr-only' }, 'Export'), formats.length ? exportForm : h('p', null, 'This server offers no export format.'))),
    presetBar));
  const pending = h('div', { class: 'panel verification', id: 'period-verification-pending', role: 'status' },
    h('p', { class: 'vh' }, 'Checking the hash chain of the stored runs behind this period…'));
  root.appendChild(pending);
  api('/api/period/verification', { cluster: clusterId, from: w.from, to: w.to }).then(
    (r) => pending.replaceWith(verificationBlock(r.verification) ?? ''),
    (err) => {
      pending.classList.add('error');
      pending.firstChild.textContent = `The chain check failed: ${err instanceof ApiError ? err.message : String(err)}`;
    },
  );
  if (!p.clusters.length) root.appendChild(h('p', { class: 'panel' }, 'No cluster has a run in this period.'));
  for (const c of p.clusters) {
    const ref = ctx.clusters.find((x) => x.key === c.key);
    root.appendChild(clusterBlock(c, w, ref?.id ?? c.key));
  }
  return `Period ${w.from} to ${w.to}`;
}
