// The dashboard shell: token hand-over, routing (History API: every page has a real URL that the
// server answers with this same shell), the cluster picker, and error / login views.
/* global URLSearchParams */
import { ApiError, api, captureToken, getToken, setToken } from './api.js';
import { clear, h, visible } from './dom.js';
import * as overview from './views/overview.js';
import * as controls from './views/controls.js';
import * as control from './views/control.js';
import * as runs from './views/runs.js';
import * as run from './views/run.js';
import * as diff from './views/diff.js';
import * as period from './views/period.js';

const VIEWS = { overview, controls, control, runs, run, diff, period };
/** Views that follow the cluster picker (the others show one run or a comparison). */
const CLUSTER_VIEWS = new Set(['overview', 'controls', 'control', 'runs', 'period']);

const state = { meta: undefined, clusters: undefined, generation: 0, first: true, keepFocus: undefined };

function route(pathname) {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { view: 'overview' };
  if (parts[0] === 'controls' && parts.length === 1) return { view: 'controls' };
  if (parts[0] === 'controls' && parts.length === 2) return { view: 'control', id: parts[1] };
  if (parts[0] === 'runs' && parts.length === 1) return { view: 'runs' };
  if (parts[0] === 'runs' && parts.length === 2) return { view: 'run', id: parts[1] };
  if (parts[0] === 'diff' && parts.length === 1) return { view: 'diff' };
  if (parts[0] === 'period' && parts.length === 1) return { view: 'period' };
  return { view: 'missing' };
}

/**
 * Go to a URL of the dashboard. `replace` is for a control that redraws the page it is on (a window
 * select, a period form): the focus then stays on that control instead of moving to the heading.
 */
export function navigate(url, { replace = false } = {}) {
  if (replace) {
    const active = document.activeElement;
    state.keepFocus = active && active.id && document.getElementById('main').contains(active) ? active.id : undefined;
    window.history.replaceState(null, '', url);
  } else {
    state.keepFocus = undefined;
    window.history.pushState(null, '', url);
  }
  render();
}

/** Change the query string without rendering again (filters, paging). */
export function updateQuery(params) {
  const q = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
}

export function announce(text) {
  const el = document.getElementById('announcer');
  el.textContent = '';
  window.setTimeout(() => { el.textContent = text; }, 50);
}

function setCurrentNav(view) {
  const section = view === 'control' ? 'controls' : view === 'run' || view === 'diff' ? 'runs' : view;
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.dataset.view === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function withCluster(path, clusterId) {
  return clusterId ? `${path}?cluster=${encodeURIComponent(clusterId)}` : path;
}

function updatePicker(clusters, selected, view) {
  const picker = document.getElementById('cluster-picker');
  clear(picker);
  for (const c of clusters) picker.appendChild(h('option', { value: c.id, selected: c.id === selected?.id }, c.label.length > 60 ? `${c.label.slice(0, 59)}…` : c.label));
  picker.disabled = clusters.length === 0;
  picker.onchange = () => {
    const params = new URLSearchParams(window.location.search);
    params.set('cluster', picker.value);
    const target = CLUSTER_VIEWS.has(view) && view !== 'control' ? window.location.pathname : '/';
    navigate(`${target}?${params.toString()}`);
  };
  for (const a of document.querySelectorAll('header nav a, a.brand')) {
    const base = a.classList.contains('brand') ? '/' : `/${a.dataset.view === 'overview' ? '' : a.dataset.view}`;
    a.setAttribute('href', withCluster(base, selected?.id));
  }
}

function loginView(main, message) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'token-help' });
  const form = h('form', { class: 'login panel', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', tabindex: '-1' }, 'Access token'),
    h('p', { id: 'token-help' }, message ?? 'This dashboard requires a token. Ask whoever runs `eks-soc2 serve` for it; it is kept in this browser tab only.'),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'Token'), input),
    h('button', { type: 'submit' }, 'Open the dashboard'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    state.meta = undefined;
    render();
  });
  main.appendChild(form);
  input.focus();
}

function errorView(main, err) {
  main.appendChild(h('div', { class: 'panel error', role: 'alert' },
    h('h1', { tabindex: '-1' }, err.status === 404 ? 'Not found' : 'Something went wrong'),
    h('p', null, err.message),
    err.fix ? h('p', { class: 'fix' }, `Fix: ${err.fix}`) : null,
    h('p', null, h('a', { href: '/' }, 'Back to the overview'))));
}

export async function render() {
  const gen = ++state.generation;
  shown = where();
  const main = document.getElementById('main');
  const { view, id } = route(window.location.pathname);
  const params = new URLSearchParams(window.location.search);
  setCurrentNav(view);
  main.setAttribute('aria-busy', 'true');
  const content = document.createDocumentFragment();
  let title = 'eks-soc2';
  try {
    state.meta ??= await api('/api/meta');
    document.getElementById('foot-version').textContent = `eks-soc2 ${state.meta.tool.version}`;
    state.clusters = (await api('/api/clusters')).clusters;
    if (gen !== state.generation) return;
    const wanted = params.get('cluster');
    const newest = [...state.clusters].sort((a, b) => String(b.lastRunAt ?? '').localeCompare(String(a.lastRunAt ?? '')))[0];
    const cluster = state.clusters.find((c) => c.id === wanted || c.key === wanted) ?? newest;
    updatePicker(state.clusters, cluster, view);
    if (!state.clusters.length) {
      content.appendChild(h('div', { class: 'panel' }, h('h1', { tabindex: '-1' }, 'No runs yet'),
        h('p', null, 'The evidence store holds no runs. Store one with `eks-soc2 scan --store URL` (or `eks-soc2 scan --demo --store URL` to try it), then reload.')));
    } else if (view === 'missing') {
      errorView(content, { status: 404, message: `There is no page at ${window.location.pathname}.` });
    } else {
      // A view about one run (opened without ?cluster=) shows that run's cluster in the selector.
      const showCluster = (cid) => { if (cid && cid !== cluster.id) updatePicker(state.clusters, state.clusters.find((c) => c.id === cid) ?? cluster, view); };
      const ctx = { params, id, cluster, clusters: state.clusters, meta: state.meta, navigate, updateQuery, announce, showCluster, stale: () => gen !== state.generation };
      title = await VIEWS[view].render(content, ctx);
    }
  } catch (err) {
    if (gen !== state.generation) return;
    if (err instanceof ApiError && err.status === 401) {
      clear(main);
      main.removeAttribute('aria-busy');
      document.title = 'Access token — eks-soc2';
      loginView(main, getToken() ? 'The token was not accepted. Enter the token the dashboard was started with.' : undefined);
      return;
    }
    errorView(content, err instanceof ApiError ? err : { status: 0, message: String(err?.message ?? err) });
    title = 'Error';
  }
  if (gen !== state.generation) return;
  clear(main).appendChild(content);
  main.removeAttribute('aria-busy');
  document.title = `${visible(title, 120)} — eks-soc2`;
  const anchor = window.location.hash.length > 1 ? document.getElementById(window.location.hash.slice(1)) : null;
  if (anchor) anchor.scrollIntoView();
  const kept = state.keepFocus ? document.getElementById(state.keepFocus) : null;
  state.keepFocus = undefined;
  if (kept) {
    kept.focus();
  } else if (!state.first && !anchor) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
  state.first = false;
}

function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/assets/') || href.startsWith('/api/') || href === '/metrics') return;
  e.preventDefault();
  navigate(href);
}

let shown = '';
const where = () => `${window.location.pathname}${window.location.search}`;

captureToken();
document.addEventListener('click', onClick);
// A fragment link (the skip link) changes only the hash: the page stays as it is.
window.addEventListener('popstate', () => {
  if (where() !== shown) render();
});
render();
