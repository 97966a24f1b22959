// DOM helpers. Every string reaches the page as a text node or an attribute value set through the
// DOM (never innerHTML), so names from a cluster are always text. Control and bidirectional
// characters are made visible as \uXXXX, the way the terminal and HTML reports show them.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** A string safe to show: invisible and direction-changing characters made visible; long text cut. */
export function visible(value, max = 300) {
  const s = String(value ?? '').replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Multi-line text (commands, manifests): line breaks kept, every other invisible character shown. */
export function lines(value) {
  return document.createTextNode(String(value ?? '').split('\n').map((l) => visible(l, 20000)).join('\n'));
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
    return;
  }
  if (typeof child === 'string' || typeof child === 'number') {
    el.appendChild(document.createTextNode(visible(child, 20000)));
    return;
  }
  el.appendChild(child);
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'href') el.setAttribute('href', safeHref(v));
    else if (k === 'value' && 'value' in el) el.value = String(v);
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : visible(v, 2000));
  }
}

/** Only links within the dashboard, or to http(s) pages; anything else becomes inert. */
export function safeHref(v) {
  const s = String(v);
  if (s.startsWith('/') && !s.startsWith('//')) return s;
  if (/^https?:\/\/[^\s]+$/i.test(s)) return s;
  if (s.startsWith('#')) return s;
  return '#';
}

/** Create an HTML element: h('a', { href: '/runs', class: 'x' }, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Create an SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== null) el.setAttribute(k, k === 'class' ? v : visible(v, 2000));
  append(el, children);
  return el;
}

/** Text cut to `max` characters with the whole (visible) text in a tooltip. */
export function clip(value, max = 80, cls) {
  const full = visible(value, 2000);
  const short = visible(value, max);
  return h('span', { class: cls, title: short === full ? undefined : full }, short);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// ---------------------------------------------------------------- formatting

export const STATUS_TEXT = { pass: 'Pass', fail: 'Fail', warn: 'Warning', manual: 'Manual', waived: 'Waived', 'not-applicable': 'Not applicable', error: 'Error' };
export const STATUS_ORDER = ['pass', 'fail', 'waived', 'manual', 'error', 'not-applicable'];
export const VERDICT_TEXT = {
  'operated-effectively': 'Operated effectively', 'exceptions-noted': 'Exceptions noted', 'not-operating': 'Not operating', 'insufficient-evidence': 'Insufficient evidence',
};
export const CHANGE_TEXT = { 'newly-failing': 'Newly failing', fixed: 'Fixed', changed: 'Changed', added: 'Added', removed: 'Removed' };

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return visible(iso, 40);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fmtDay(iso) {
  return iso ? String(iso).slice(0, 10) : '—';
}

export function fmtAgo(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  const abs = Math.abs(s);
  const [n, u] = abs < 90 ? [abs, 'second'] : abs < 5400 ? [Math.round(abs / 60), 'minute'] : abs < 129600 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
  const unit = `${n} ${u}${n === 1 ? '' : 's'}`;
  return s >= 0 ? `${unit} ago` : `in ${unit}`;
}

export function fmtDuration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function fmtHours(hours) {
  if (!Number.isFinite(hours)) return '—';
  return hours < 48 ? `${hours.toFixed(hours < 10 ? 1 : 0)} h` : `${(hours / 24).toFixed(1)} days`;
}

export const pct = (ratio) => `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
export const pct100 = (score) => `${Number(score).toFixed(1)}%`;

export function statusBadge(status) {
  return h('span', { class: ['badge', `b-${status}`] }, STATUS_TEXT[status] ?? visible(status, 20));
}

export function verdictBadge(verdict) {
  return h('span', { class: ['badge', `b-${verdict}`] }, VERDICT_TEXT[verdict] ?? visible(verdict, 30));
}

/** "N warning(s)" next to a status: a control with warnings (failed recommended rules) still has its own status. */
export function warningChip(n, passing = false) {
  return n ? h('span', { class: 'chip warned', title: 'failed recommended rules: shown and counted, never a failure' }, `${passing ? 'passes with ' : ''}${n} warning${n === 1 ? '' : 's'}`) : null;
}

export function severityChip(sev) {
  return h('span', { class: ['chip', `sev-${sev}`] }, sev);
}

/** A resource as one line: Kind namespace/name (or its ARN). */
export function resourceLabel(r) {
  const where = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  return `${r.kind} ${where}`;
}

/** A table with a caption (for screen readers), header cells and rows of cells. */
export function table({ caption, captionVisible = false, head, rows, className, empty = 'Nothing to show.' }) {
  const t = h('table', { class: className },
    caption ? h('caption', { class: captionVisible ? undefined : 'sr-only' }, caption) : null,
    h('thead', null, h('tr', null, head.map((c) => (typeof c === 'string' ? h('th', { scope: 'col' }, c) : c)))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: String(head.length), class: 'empty' }, empty))),
  );
  return h('div', { class: 'tablewrap' }, t);
}

/** Previous / next buttons and "x–y of n" for a paged list. */
export function pager({ total, offset, limit, label, onPage }) {
  if (total <= limit && offset === 0) return h('p', { class: 'pager-info' }, `${total} ${label}`);
  const last = Math.min(total, offset + limit);
  return h('nav', { class: 'pager', 'aria-label': `Pages of ${label}` },
    h('button', { type: 'button', disabled: offset === 0, onclick: () => onPage(Math.max(0, offset - limit)) }, '‹ Previous'),
    h('span', { class: 'pager-info' }, `${total ? offset + 1 : 0}–${last} of ${total} ${label}`),
    h('button', { type: 'button', disabled: last >= total, onclick: () => onPage(offset + limit) }, 'Next ›'),
  );
}

/** A labelled <select>. `options`: [value, text] pairs. */
export function selectField({ id, label, options, value, onchange, hint }) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name: id, onchange },
      options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))),
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]));
}
