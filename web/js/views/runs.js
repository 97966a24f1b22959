// Runs: every stored run of the cluster, newest first (paged), with a form to compare two runs.
/* global URLSearchParams */
import { api } from '../api.js';
import { fmtDuration, fmtTime, h, pager, pct100, clip } from '../dom.js';

const PAGE = 50;

export async function render(root, ctx) {
  let offset = Math.max(0, Number(ctx.params.get('offset') ?? 0) || 0);
  const first = await api('/api/runs', { cluster: ctx.cluster.id, offset, limit: PAGE });
  const all = first.total <= 500 ? await api('/api/runs', { cluster: ctx.cluster.id, offset: 0, limit: 500 }) : undefined;

  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, 'Runs ', h('span', { class: 'muted' }, '— '), clip(first.cluster.label, 80)),
    h('p', { class: 'sub' }, `${first.total} stored run(s). Each run links to its evidence gaps and its comparison with the run before it.`)));
  if (all) {
    const withGaps = all.items.filter((r) => r.gaps > 0);
    root.appendChild(h('p', { class: withGaps.length ? 'panel gapnote' : 'panel' }, withGaps.length
      ? [`Evidence gaps: ${withGaps.length} of ${all.items.length} runs could not collect everything they needed; the newest of them is `,
        h('a', { href: `/runs/${encodeURIComponent(withGaps[0].runId)}#gaps` }, withGaps[0].runId), ` (${fmtTime(withGaps[0].at)}, ${withGaps[0].gaps} gap(s)).`]
      : 'Evidence gaps: every run collected all the evidence it needed.'));
  }

  if (all && all.items.length > 1) {
    const opts = all.items.map((r) => [r.runId, `${fmtTime(r.at)} · ${pct100(r.score)} · ${r.runId}`]);
    const sel = (id, label, value) => h('div', { class: 'field' }, h('label', { for: id }, label),
      h('select', { id, name: id }, opts.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
    const form = h('form', { class: 'inline panel', 'aria-label': 'Compare two runs' },
      sel('diff-from', 'Older run', all.items[1].runId), sel('diff-to', 'Newer run', all.items[0].runId), h('button', { type: 'submit' }, 'Compare'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = new URLSearchParams({ from: form.querySelector('#diff-from').value, to: form.querySelector('#diff-to').value });
      ctx.navigate(`/diff?${q.toString()}`);
    });
    root.appendChild(form);
  }

  const box = h('div', { class: 'panel' });
  root.appendChild(box);
  const draw = (page) => {
    while (box.firstChild) box.removeChild(box.firstChild);
    const items = page.items;
    box.appendChild(h('div', { class: 'tablewrap' }, h('table', { class: 'runs' },
      h('caption', { class: 'sr-only' }, 'Stored runs, newest first'),
      h('thead', null, h('tr', null, ['Evidence time', 'Run', 'Score', 'Pass', 'Fail', 'Manual', 'Waived', 'Error', 'Failing findings', 'Warnings', 'Gaps', 'Duration', 'Compare'].map((t, i) => h('th', { scope: 'col', class: i >= 2 && i <= 11 ? 'n' : undefined }, t)))),
      h('tbody', null, items.map((r, i) => {
        const prev = items[i + 1]?.runId;
        return h('tr', null,
          h('td', { class: 'nowrap' }, fmtTime(r.at)),
          h('td', { class: 'mono' }, h('a', { href: `/runs/${encodeURIComponent(r.runId)}` }, r.runId)),
          h('td', { class: 'n' }, pct100(r.score)),
          h('td', { class: 'n' }, String(r.controls.pass)), h('td', { class: 'n' }, String(r.controls.fail)), h('td', { class: 'n' }, String(r.controls.manual)),
          h('td', { class: 'n' }, String(r.controls.waived)), h('td', { class: 'n' }, String(r.controls.error)),
          h('td', { class: 'n' }, String(r.findings.fail)), h('td', { class: 'n' }, String(r.findings.warn ?? 0)), h('td', { class: ['n', r.gaps ? 'hot' : undefined] }, String(r.gaps)),
          h('td', { class: 'n' }, fmtDuration(r.durationSeconds)),
          h('td', null, prev ? h('a', { href: `/diff?from=${encodeURIComponent(prev)}&to=${encodeURIComponent(r.runId)}`, 'aria-label': `Compare run ${r.runId} with the run before it` }, 'vs previous') : '—'));
      })))));
    box.appendChild(pager({
      total: page.total, offset: page.offset, limit: page.limit, label: 'runs',
      onPage: async (o) => {
        offset = o;
        const q = new URLSearchParams(ctx.params);
        q.set('offset', String(o));
        ctx.updateQuery(q);
        draw(await api('/api/runs', { cluster: ctx.cluster.id, offset, limit: PAGE }));
      },
    }));
  };
  draw(first);
  return `Runs — ${first.cluster.label.slice(0, 60)}`;
}
