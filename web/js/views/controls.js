// Controls: every control of the newest run in a table that filters (section, criterion, owner,
// status, automation, text) and sorts, each with the strip of its status in the last runs.
/* global URLSearchParams */
import { api } from '../api.js';
import { strip } from '../charts.js';
import { STATUS_ORDER, STATUS_TEXT, clip, fmtDay, h, selectField, severityChip, statusBadge, warningChip } from '../dom.js';

const FILTERS = ['q', 'section', 'tsc', 'owner', 'status', 'automation'];
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

const COLUMNS = [
  { key: 'id', label: 'ID', value: (c) => c.ordinal },
  { key: 'title', label: 'Control', value: (c) => c.title.toLowerCase() },
  { key: 'section', label: 'Section', value: (c) => c.ordinal },
  { key: 'owner', label: 'Owner', value: (c) => (c.owners.primary[0]?.owner ?? c.owners.primary[0]?.role ?? '').toLowerCase() },
  { key: 'automation', label: 'Automation', value: (c) => ['automated', 'partial', 'manual'].indexOf(c.automation) },
  { key: 'severity', label: 'Severity', value: (c) => SEVERITY_ORDER.indexOf(c.severity) },
  { key: 'status', label: 'Status', value: (c) => ['fail', 'error', 'manual', 'waived', 'pass', 'not-applicable'].indexOf(c.status) },
];

const ownerNames = (o) => [...o.primary, ...o.supporting].flatMap((r) => (r.owner ? [r.role, r.owner] : [r.role]));

/** The same filter as the API's (src/server/data.ts filterControls). */
export function matches(c, f) {
  const q = (f.q ?? '').trim().toLowerCase();
  const owner = (f.owner ?? '').trim().toLowerCase();
  return (!f.section || c.section === f.section)
    && (!f.tsc || c.tsc.includes(f.tsc))
    && (!owner || ownerNames(c.owners).some((o) => o.toLowerCase() === owner))
    && (!f.status || (f.status === 'warn' ? c.counts.warn > 0 : c.status === f.status))
    && (!f.automation || c.automation === f.automation)
    && (!q || [c.id, c.title, c.subheading, c.message, c.sectionTitle, ...c.tsc, ...ownerNames(c.owners)].some((t) => t.toLowerCase().includes(q)));
}

function ownerCell(o) {
  const p = o.primary.map((r) => (r.owner ? `${r.owner} (${r.role})` : r.role));
  return h('td', null, clip(p.join(', ') || '—', 60), o.supporting.length ? h('span', { class: 'muted small' }, ` +${o.supporting.length}`) : null);
}

export async function render(root, ctx) {
  const data = await api('/api/controls', { cluster: ctx.cluster.id, history: 30 });
  const clusterQ = `cluster=${encodeURIComponent(data.cluster.id)}`;
  const rows = data.controls.map((c, i) => ({ ...c, ordinal: i }));
  const f = Object.fromEntries(FILTERS.map((k) => [k, ctx.params.get(k) ?? '']));
  let sort = { key: ctx.params.get('sort') ?? 'id', dir: ctx.params.get('dir') === 'desc' ? 'desc' : 'asc' };

  const count = h('p', { id: 'controls-count', class: 'count', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const heads = new Map();

  function persist() {
    const q = new URLSearchParams(ctx.params);
    for (const k of FILTERS) {
      if (f[k]) q.set(k, f[k]);
      else q.delete(k);
    }
    if (sort.key !== 'id' || sort.dir !== 'asc') {
      q.set('sort', sort.key);
      q.set('dir', sort.dir);
    } else {
      q.delete('sort');
      q.delete('dir');
    }
    ctx.updateQuery(q);
  }

  function draw() {
    const col = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
    const shown = rows.filter((c) => matches(c, f)).sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      const d = va < vb ? -1 : va > vb ? 1 : a.ordinal - b.ordinal;
      return sort.dir === 'asc' ? d : -d;
    });
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    for (const c of shown) {
      const cells = c.history.map((st, i) => ({ status: st, title: `${fmtDay(data.historyRuns[i].at)}: ${st ? STATUS_TEXT[st] : 'not evaluated'}` }));
      tbody.appendChild(h('tr', { class: `row-${c.status}` },
        h('td', { class: 'mono nowrap' }, h('a', { href: `/controls/${encodeURIComponent(c.id)}?${clusterQ}` }, c.id)),
        h('td', null, clip(c.title, 110), h('div', { class: 'muted small' }, clip(c.message, 140))),
        h('td', null, h('span', { title: c.sectionTitle }, c.section), h('div', { class: 'muted small' }, c.tsc.join(', '))),
        ownerCell(c.owners),
        h('td', null, c.automation),
        h('td', null, severityChip(c.severity)),
        h('td', { class: 'nowrap' }, statusBadge(c.status), c.counts.warn ? [' ', warningChip(c.counts.warn)] : null, c.unevaluated ? h('span', { class: 'muted small', title: 'rules not evaluated: their evidence was not read' }, ` ${c.unevaluated} not evaluated`) : null, c.waivers ? h('span', { class: 'muted small' }, ` ${c.waivers} waiver(s)`) : null, c.attested ? h('span', { class: 'muted small' }, ' attested') : null),
        h('td', null, strip(cells, `Status of ${c.id} in the last ${cells.length} runs`))));
    }
    if (!shown.length) tbody.appendChild(h('tr', null, h('td', { colspan: String(COLUMNS.length + 1), class: 'empty' }, 'No control matches these filters.')));
    count.textContent = `Showing ${shown.length} of ${rows.length} controls`;
    for (const [key, th] of heads) th.setAttribute('aria-sort', key === sort.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }

  const setFilter = (k) => (e) => {
    f[k] = e.target.value;
    persist();
    draw();
  };

  const facets = data.facets;
  const search = h('input', { id: 'f-q', type: 'search', name: 'q', value: f.q, placeholder: 'ID, title, owner, message…', autocomplete: 'off' });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => setFilter('q')({ target: search }), 120);
  });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter controls', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field grow' }, h('label', { for: 'f-q' }, 'Search'), search),
    selectField({ id: 'f-section', label: 'Section', value: f.section, onchange: setFilter('section'), options: [['', 'All sections'], ...facets.sections.map((s) => [s.id, `${s.id} ${s.title}`.slice(0, 60)])] }),
    selectField({ id: 'f-tsc', label: 'Criterion', value: f.tsc, onchange: setFilter('tsc'), options: [['', 'All criteria'], ...facets.criteria.map((t) => [t, t])] }),
    selectField({ id: 'f-owner', label: 'Owner', value: f.owner, onchange: setFilter('owner'), options: [['', 'All owners'], ...facets.owners.map((o) => [o, o.slice(0, 60)])] }),
    selectField({ id: 'f-status', label: 'Status', value: f.status, onchange: setFilter('status'), options: [['', 'All statuses'], ...STATUS_ORDER.map((s) => [s, STATUS_TEXT[s]]), ['warn', 'With warnings']] }),
    selectField({ id: 'f-automation', label: 'Automation', value: f.automation, onchange: setFilter('automation'), options: [['', 'Any'], ...facets.automation.map((a) => [a, a])] }),
    h('button', {
      type: 'button', class: 'secondary', id: 'f-clear',
      onclick: () => {
        for (const k of FILTERS) f[k] = '';
        for (const el of form.querySelectorAll('select')) el.value = '';
        search.value = '';
        persist();
        draw();
        search.focus();
      },
    }, 'Clear filters'));

  const headRow = h('tr', null, COLUMNS.map((col) => {
    const btn = h('button', {
      type: 'button', class: 'sort',
      onclick: () => {
        sort = { key: col.key, dir: sort.key === col.key && sort.dir === 'asc' ? 'desc' : 'asc' };
        persist();
        draw();
      },
    }, col.label, h('span', { class: 'arrow', 'aria-hidden': 'true' }));
    const th = h('th', { scope: 'col' }, btn);
    heads.set(col.key, th);
    return th;
  }), h('th', { scope: 'col' }, `Last ${data.historyRuns.length} runs`));

  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, 'Controls ', h('span', { class: 'muted' }, '— '), clip(data.cluster.label, 80)),
    h('p', { class: 'sub' }, `Status in the newest run (${fmtDay(data.run.at)}) and over the last ${data.historyRuns.length} runs, oldest first. Column headers sort the table.`)));
  root.appendChild(h('div', { class: 'panel' }, form, count,
    h('div', { class: 'tablewrap' }, h('table', { class: 'controls' },
      h('caption', { class: 'sr-only' }, 'Controls of the newest run; sortable column headers'),
      h('thead', null, headRow), tbody))));
  draw();
  return `Controls — ${data.cluster.label.slice(0, 60)}`;
}
