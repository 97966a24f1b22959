// The dashboard's only network access: fetch() to its own server. The token (when the server
// requires one) is kept in this tab's sessionStorage and sent as an Authorization header — never
// in a URL, so it reaches neither the server's logs nor the browser history.
/* global sessionStorage, URLSearchParams */

const KEY = 'eks-soc2-token';
let memoryToken = '';

export function getToken() {
  try {
    return sessionStorage.getItem(KEY) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}

export function setToken(t) {
  memoryToken = t;
  try {
    if (t) sessionStorage.setItem(KEY, t);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage disabled: the token lives as long as the page
  }
}

/** Take a token handed over in the URL fragment (#token=…) and remove it from the address bar. */
export function captureToken() {
  const hash = window.location.hash;
  if (!hash.startsWith('#token=')) return;
  let t;
  try {
    t = decodeURIComponent(hash.slice('#token='.length));
  } catch {
    t = '';
  }
  if (t) setToken(t);
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
}

export class ApiError extends Error {
  constructor(status, message, fix) {
    super(message);
    this.status = status;
    this.fix = fix;
  }
}

export function apiUrl(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

function headers() {
  const t = getToken();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

async function failure(res) {
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return new ApiError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.fix);
}

/** GET a JSON document of the API. */
export async function api(path, params) {
  let res;
  try {
    res = await fetch(apiUrl(path, params), { headers: headers(), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'the dashboard server does not answer', 'check that `eks-soc2 serve` is still running');
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** GET a file of the API and hand it to the browser as a download. Returns the file name. */
export async function download(path, params) {
  const res = await fetch(apiUrl(path, params), { headers: headers(), cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw await failure(res);
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'eks-soc2-period';
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
  return name;
}
