// Authorisation is decided on the route the router resolved, deny-by-default: a percent-encoded,
// double-encoded, case-varied or absolute-form request line must never reach data without the
// token, and a route registered later without an explicit "public" mark is protected automatically.
// Requests go over a raw socket so that the request line reaches the server byte for byte
// (fetch and inject normalise paths).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computePeriod } from '../../src/engine/period.js';
import { score } from '../../src/engine/index.js';
import { PUBLIC_ROUTES, dashboardRoutes, startDashboard } from '../../src/server/index.js';
import type { RunningDashboard } from '../../src/server/index.js';
import { seededStore } from './harness.js';
import type { Seeded } from './harness.js';

const TOKEN = 'auth-test-token-0a1b2c3d4e5f60718293';
let seeded: Seeded;
let running: RunningDashboard;
let runId: string;

beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'prod', accountId: '111122223333', region: 'eu-west-1', runs: 2 }] });
  runId = seeded.clusters[0]!.runIds[1]!;
  running = await startDashboard({ store: seeded.store, computePeriod, score, toolVersion: 'test', host: '127.0.0.1', port: 0, token: TOKEN });
}, 120_000);

afterAll(async () => {
  await running?.close();
  await seeded?.close();
});

/** One HTTP/1.1 request with the request target exactly as given; resolves to the status code. */
function raw(target: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect(running.port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(10_000, () => { sock.destroy(); reject(new Error(`timeout on ${target}`)); });
    sock.on('data', (d) => { buf += d.toString('latin1'); });
    sock.on('error', reject);
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) resolve(Number(m[1])); else reject(new Error(`no status line for ${target}: ${JSON.stringify(buf.slice(0, 200))}`));
    });
    const h = { host: `127.0.0.1:${running.port}`, connection: 'close', ...headers };
    sock.write(`GET ${target} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  });
}

/** Every spelling of a path a router might decode to the same route. */
function variants(path: string): string[] {
  const out = new Set<string>([path]);
  const enc = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  const ENC = (c: string) => enc(c).toUpperCase().replace('%', '%');
  const [p, q] = path.split('?');
  const chars = [...p!];
  for (let i = 1; i < chars.length; i++) {
    if (chars[i] === '/') continue;
    const at = (f: (c: string) => string) => chars.map((c, j) => (j === i ? f(c) : c)).join('') + (q ? `?${q}` : '');
    out.add(at(enc));
    out.add(at(ENC));
    out.add(at((c) => `%25${c.charCodeAt(0).toString(16)}`)); // double-encoded
    out.add(at((c) => c.toUpperCase()));
  }
  out.add(`//${path.slice(1)}`);
  out.add(path.replace(/\/([^/]+)$/, '/./$1'));
  out.add(path.replace(/^\/([^/]+)\//, '/$1/x/../'));
  out.add(`http://127.0.0.1:${running.port}${path}`);
  out.add(`HTTP://127.0.0.1:${running.port}${path}`);
  out.add(`http://evil.example${path}`);
  out.add(`http://127.0.0.1:${running.port}/${[...p!.slice(1)].map((c) => (c === '/' ? c : enc(c))).join('')}${q ? `?${q}` : ''}`);
  return [...out];
}

const DATA = () => [
  '/api/meta', '/api/clusters', '/api/overview', '/api/controls', '/api/controls/CC4-MON-01', '/api/runs',
  `/api/runs/${runId}`, `/api/runs/${runId}/findings`, '/api/findings', '/api/diff', '/api/period',
  '/api/period/export?format=json', '/metrics',
];

describe('token bypass (deny-by-default on the resolved route)', () => {
  it('no spelling of a data route answers 200 without the token', async () => {
    const leaks: string[] = [];
    for (const path of DATA()) {
      for (const v of variants(path)) {
        const status = await raw(v);
        if (status < 300) leaks.push(`${v} -> ${status}`);
      }
    }
    expect(leaks).toEqual([]);
  }, 120_000);

  it('the plain data routes still answer with the token, and the public ones without', async () => {
    for (const path of DATA()) {
      // Without period formats configured the export answers 400 (unknown format): past authorisation.
      expect(await raw(path, { authorization: `Bearer ${TOKEN}` }), path).toBe(path.includes('export') ? 400 : 200);
    }
    for (const path of ['/', '/controls', '/runs', '/healthz', '/assets/app.css']) expect(await raw(path), path).toBe(200);
  });

  it('every registered route that is not in the public list demands the token', async () => {
    const routes = dashboardRoutes(running.app);
    expect(routes.length).toBeGreaterThan(15);
    const unprotected: string[] = [];
    for (const r of routes) {
      if (r.public) continue;
      const path = r.url.replace(/:id/g, r.url.startsWith('/api/controls') ? 'CC4-MON-01' : runId).replace(/\*$/, 'x');
      const status = await raw(path);
      if (status !== 401) unprotected.push(`${r.url} -> ${status}`);
    }
    expect(unprotected).toEqual([]);
    // Only the shell, its assets and the probe are public; a new route is protected unless added here.
    expect([...new Set(routes.filter((r) => r.public).map((r) => r.url))].sort()).toEqual([...PUBLIC_ROUTES].sort());
  });
});
