// What changed between two runs: controls and resources that newly fail, were fixed, or changed.
import { api } from '../api.js';
import { CHANGE_TEXT, clip, fmtTime, h, pager, pct100, resourceLabel, section, statusBadge, table } from '../dom.js';

const PAGE = 100;

export async function render(root, ctx) {
  const from = ctx.params.get('from') ?? undefined;
  const to = ctx.params.get('to') ?? undefined;
  const params = from || to ? { from, to } : { cluster: ctx.cluster.id };
  const d = await api('/api/diff', { ...params, offset: 0, limit: PAGE });
  const s = d.summary;
  const side = (x) => h('span', null, h('a', { class: 'mono', href: `/runs/${encodeURIComponent(x.runId)}` }, x.runId), ` (${fmtTime(x.at)}, ${pct100(x.score)})`);
  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, 'What changed'),
    h('p', { class: 'sub' }, 'From ', side(d.from), ' to ', side(d.to), d.sameCluster ? '' : ' — two different clusters')));
  root.appendChild(h('ul', { class: 'chips', 'aria-label': 'Summary of changes' },
    h('li', { class: 'chip-fail' }, `${s.controls['newly-failing']} control(s) newly failing`),
    h('li', { class: 'chip-pass' }, `${s.controls.fixed} fixed`),
    h('li', null, `${s.controls.changed} changed, ${s.controls.added} added, ${s.controls.removed} removed, ${s.controls.unchanged} unchanged`),
    h('li', null, `resources: ${s.resources['newly-failing']} newly failing, ${s.resources.fixed} fixed, ${s.resources.changed} changed`),
    h('li', null, s.scoreDelta === 0 ? 'score unchanged' : `score ${s.scoreDelta > 0 ? '+' : ''}${s.scoreDelta.toFixed(1)} points`)));
  const cluster = ctx.clusters.find((c) => c.key === d.to.clusterKey);
  const controlLink = (id) => (cluster ? h('a', { class: 'mono', href: `/controls/${encodeURIComponent(id)}?cluster=${encodeURIComponent(cluster.id)}` }, id) : h('span', { class: 'mono' }, id));

  root.appendChild(section('Controls', table({
    caption: 'Controls whose status changed', head: ['Change', 'Control', 'From', 'To', 'Failing resources'],
    empty: 'No control changed status.',
    rows: d.controls.map((c) => h('tr', null,
      h('td', null, h('span', { class: ['change', `c-${c.change}`] }, CHANGE_TEXT[c.change] ?? c.change)),
      h('td', null, controlLink(c.id), ' ', clip(c.title, 100)),
      h('td', null, c.from ? statusBadge(c.from) : '—'), h('td', null, c.to ? statusBadge(c.to) : '—'),
      h('td', null, `${c.failingFrom} → ${c.failingTo}`))),
  })));

  const box = h('div');
  const draw = (page) => {
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(table({
      caption: 'Resources whose status changed', head: ['Change', 'Control', 'Resource', 'From', 'To', 'Message'],
      empty: 'No resource changed status.',
      rows: page.resources.map((r) => h('tr', null,
        h('td', null, h('span', { class: ['change', `c-${r.change}`] }, CHANGE_TEXT[r.change] ?? r.change)),
        h('td', { class: 'mono small' }, r.control, h('div', { class: 'muted' }, clip(r.rule, 40))),
        h('td', null, clip(resourceLabel(r.resource), 90, 'mono'), r.system ? h('div', { class: 'muted small' }, 'system namespace') : null),
        h('td', null, r.from ? statusBadge(r.from) : '—'), h('td', null, r.to ? statusBadge(r.to) : '—'),
        h('td', null, clip(r.message, 240)))),
    }));
    box.appendChild(pager({ total: page.resourcesTotal, offset: page.offset, limit: page.limit, label: 'resource changes', onPage: async (o) => draw(await api('/api/diff', { ...params, offset: o, limit: PAGE })) }));
  };
  draw(d);
  root.appendChild(section('Resources', box));
  return 'What changed';
}
