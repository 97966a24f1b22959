// The dashboard's defences: loopback by default, a token for anything else (constant-time
// comparison, never in URLs or logs), security headers everywhere, read-only, no CORS, no
// DNS rebinding, no snapshot download, safe download names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { computePeriod } from '../../src/engine/period.js';
import { score } from '../../src/engine/index.js';
import {
  CSP, DashboardConfigError, MIN_TOKEN_LENGTH, bindProblem, fileNamePart, isLoopback, startDashboard, tokenChecker,
} from '../../src/server/index.js';
import { hostName } from '../../src/server/security.js';
import { dashboard, seededStore } from './harness.js';
import type { Seeded } from './harness.js';
import { HOSTILE } from './seed.js';

const TOKEN = 'tok-3f9c2a7e41b8d6059e1f2a3b4c5d6e7f';

let seeded: Seeded;
let open: FastifyInstance;
let locked: FastifyInstance;
const logs: string[] = [];

beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'prod', accountId: '111122223333', region: 'eu-west-1', runs: 3 }, { name: HOSTILE.img, runs: 2, hostile: true }] });
  open = await dashboard(seeded.store, { log: (l) => logs.push(l) });
  locked = await dashboard(seeded.store, { token: TOKEN, log: (l) => logs.push(l) });
}, 120_000);

afterAll(async () => {
  await open?.close();
  await locked?.close();
  await seeded?.close();
});

const EXPECTED_HEADERS = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

describe('binding', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', 'app.localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.10', 'example.com', '::ffff:10.0.0.1', '128.0.0.1', '']) expect(isLoopback(h), h).toBe(false);
  });

  it('refuses a non-loopback address without a token, and a short token anywhere', () => {
    expect(bindProblem('127.0.0.1', undefined)).toBeUndefined();
    expect(bindProblem('0.0.0.0', TOKEN)).toBeUndefined();
    const p = bindProblem('0.0.0.0', undefined)!;
    expect(p).toBeInstanceOf(DashboardConfigError);
    expect(p.message).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(p.fix).toMatch(/--token/);
    expect(p.fix).toMatch(/EKS_SOC2_TOKEN/);
    expect(bindProblem('10.1.2.3', 'short')!.message).toMatch(new RegExp(`at least ${MIN_TOKEN_LENGTH}`));
    expect(bindProblem('127.0.0.1', 'short')!.message).toMatch(/too short/);
  });

  it('refuses a token of spaces, of one repeated character, or with control characters (issue 18 item 20)', () => {
    expect(bindProblem('0.0.0.0', ' '.repeat(16))!.message).toMatch(/whitespace/);
    expect(bindProblem('0.0.0.0', `${'x'.repeat(15)}\t`)!.message).toMatch(/whitespace or control/);
    expect(bindProblem('0.0.0.0', 'a'.repeat(64))!.message).toMatch(/too repetitive \(1 different/);
    expect(bindProblem('0.0.0.0', 'abababababababab')!.message).toMatch(/too repetitive/);
    expect(bindProblem('0.0.0.0', '0123456789abcdef')).toBeUndefined();
  });

  it('startDashboard refuses before listening', async () => {
    await expect(startDashboard({ store: seeded.store, computePeriod, score, toolVersion: 'test', host: '0.0.0.0', port: 0 })).rejects.toThrow(DashboardConfigError);
  });
});

describe('security headers', () => {
  it('are on every answer: page, asset, API, metrics, health, errors', async () => {
    const answers = await Promise.all([
      open.inject({ url: '/' }), open.inject({ url: '/assets/js/main.js' }), open.inject({ url: '/assets/app.css' }), open.inject({ url: '/api/clusters' }),
      open.inject({ url: '/metrics' }), open.inject({ url: '/healthz' }), open.inject({ url: '/api/nope' }), open.inject({ url: '/assets/missing.js' }),
      open.inject({ method: 'POST', url: '/api/clusters' }), locked.inject({ url: '/api/clusters' }), open.inject({ url: '/api/controls?status=bad' }),
    ]);
    for (const r of answers) {
      for (const [k, v] of Object.entries(EXPECTED_HEADERS)) expect(r.headers[k], `${k} on ${r.statusCode} ${r.body.slice(0, 60)}`).toBe(v);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('the CSP forbids inline script and style, other origins and framing', () => {
    expect(CSP).toMatch(/default-src 'none'/);
    expect(CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CSP).toMatch(/style-src 'self'(;|$)/);
    expect(CSP).toMatch(/frame-ancestors 'none'/);
    expect(CSP).toMatch(/base-uri 'none'/);
    expect(CSP).not.toMatch(/unsafe|\*|https?:/);
  });

  it('API answers are never cached; the UI shell is revalidated', async () => {
    expect((await open.inject({ url: '/api/clusters' })).headers['cache-control']).toBe('no-store');
    expect((await open.inject({ url: '/' })).headers['cache-control']).toBe('no-cache');
  });

  it('no CORS: a cross-origin request gets no allow header, a preflight gets 405', async () => {
    const r = await open.inject({ url: '/api/clusters', headers: { origin: 'https://evil.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await open.inject({ method: 'OPTIONS', url: '/api/clusters', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(pre.statusCode).toBe(405);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('read-only', () => {
  it('answers 405 with Allow: GET, HEAD to every other method, on every path', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      for (const url of ['/api/clusters', '/', '/assets/app.css', '/metrics', '/no/such/path']) {
        const r = await open.inject({ method, url, payload: method === 'OPTIONS' ? undefined : '{}', headers: { 'content-type': 'application/json' } });
        expect(r.statusCode, `${method} ${url}`).toBe(405);
        expect(r.headers.allow).toBe('GET, HEAD');
      }
    }
  });
});

describe('token', () => {
  it('compares in constant time and never throws on length differences', () => {
    const check = tokenChecker(TOKEN);
    expect(check(`Bearer ${TOKEN}`)).toBe(true);
    expect(check(`bearer ${TOKEN}`)).toBe(true);
    expect(check(`Bearer ${TOKEN}x`)).toBe(false);
    expect(check(`Bearer ${TOKEN.slice(0, -1)}`)).toBe(false);
    expect(check('Bearer ')).toBe(false);
    expect(check(TOKEN)).toBe(false);
    expect(check(`Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`)).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(tokenChecker('')('Bearer ')).toBe(false);
  });

  it('every API and metrics request needs it: missing or wrong → 401', async () => {
    for (const url of ['/api/clusters', '/api/overview', '/api/meta', '/metrics', `/api/period/export?format=json`, '/api/runs/20250101T020000Z-abcdef']) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-0000000000000000' }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { authorization: `Basic ${TOKEN}` }]) {
        const r = await locked.inject({ url, headers });
        expect(r.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Bearer realm="eks-soc2"');
        expect(r.body).not.toMatch(/clusters"|eks_soc2_/);
      }
    }
  });

  it('a token in the query string is not accepted (tokens never travel in URLs)', async () => {
    expect((await locked.inject({ url: `/api/clusters?token=${TOKEN}` })).statusCode).toBe(401);
    expect((await locked.inject({ url: `/api/clusters?access_token=${TOKEN}` })).statusCode).toBe(401);
  });

  it('the right token opens the API; the UI shell, its assets and the health probe need none', async () => {
    const ok = await locked.inject({ url: '/api/clusters', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body).clusters).toHaveLength(2);
    expect((await locked.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect(JSON.parse((await locked.inject({ url: '/api/meta', headers: { authorization: `Bearer ${TOKEN}` } })).body).tokenRequired).toBe(true);
    for (const url of ['/', '/controls', '/period', '/assets/js/main.js', '/assets/app.css', '/healthz']) {
      const r = await locked.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).not.toMatch(/eks:111122223333/); // the shell holds no store data
    }
  });

  it('never appears in the request log, right or wrong', async () => {
    await locked.inject({ url: '/api/clusters', headers: { authorization: `Bearer ${TOKEN}` } });
    await locked.inject({ url: `/api/clusters?token=${TOKEN}` });
    expect(logs.length).toBeGreaterThan(3);
    expect(logs.some((l) => /^GET \/api\/clusters 200 /.test(l))).toBe(true);
    expect(logs.filter((l) => l.includes(TOKEN))).toEqual([]);
    expect(logs.some((l) => l.includes('token=***'))).toBe(true); // a token a client put in a URL is masked
    expect(logs.some((l) => /authorization|bearer/i.test(l))).toBe(false);
  });

  it('a real listener with a token answers only with the token', async () => {
    // Tests bind 127.0.0.1 only; a token on loopback is allowed and enforced the same way.
    const running = await startDashboard({ store: seeded.store, computePeriod, score, toolVersion: 'test', host: '127.0.0.1', port: 0, token: TOKEN });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      expect((await fetch(`${base}/api/clusters`)).status).toBe(401);
      expect((await fetch(`${base}/api/clusters`, { headers: { authorization: 'Bearer not-the-token-at-all-0000' } })).status).toBe(401);
      const ok = await fetch(`${base}/api/clusters`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await running.close();
    }
  });
});

describe('DNS rebinding', () => {
  it('without a token, only requests addressed to a loopback name are answered', async () => {
    for (const host of ['evil.example', 'evil.example:8080', '10.0.0.1:8080', 'rebind.127.0.0.1.nip.io']) {
      const r = await open.inject({ url: '/api/clusters', headers: { host } });
      expect(r.statusCode, host).toBe(421);
    }
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'localhost']) {
      expect((await open.inject({ url: '/api/clusters', headers: { host } })).statusCode, host).toBe(200);
    }
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName('Example.COM:80')).toBe('example.com');
  });
});

describe('what is never served', () => {
  it('no snapshot download, no directory listing, no path traversal', async () => {
    const run = seeded.clusters[0]!.runIds[2]!;
    const info = await seeded.store.findRun(run);
    for (const url of [
      `/api/snapshots/${info!.snapshotDigest}`, `/api/runs/${run}/snapshot`, '/assets/', '/assets/../package.json', '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json', '/assets/.hidden', '/../package.json',
    ]) {
      const r = await open.inject({ url });
      expect([400, 403, 404], url).toContain(r.statusCode);
      expect(r.body).not.toMatch(/"dependencies"|"kubernetes":\{/);
    }
  });

  it('download names carry only safe characters whatever the cluster is called', async () => {
    const hostile = seeded.clusters[1]!;
    const r = await open.inject({ url: `/api/period/export?cluster=${encodeURIComponent(hostile.key)}&from=2025-12-01&to=2025-12-31&format=csv` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"$/);
    expect(fileNamePart(HOSTILE.script)).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(fileNamePart(HOSTILE.ansi)).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(fileNamePart('...')).toBe('cluster');
    expect(fileNamePart(HOSTILE.long).length).toBeLessThanOrEqual(60);
  });

  it('hostile names reach the API as JSON strings, served as JSON (never as HTML)', async () => {
    const r = await open.inject({ url: '/api/clusters' });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const labels = (JSON.parse(r.body) as { clusters: { label: string }[] }).clusters.map((c) => c.label);
    expect(labels).toContain(HOSTILE.img);
  });
});
