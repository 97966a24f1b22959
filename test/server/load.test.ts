// Held connections (issue 18 item 18): thousands of idle sockets on loopback neither keep /healthz
// out nor stay open for long: the connection cap closes the oldest idle ones to make room, and the
// server's own timeouts close the rest. Outcomes only: the probe is answered, every held socket is
// closed by the server. (Latency figures are in bench/dashboard-load.mjs.)
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createServer } from 'node:http';
import type { PeriodExport } from '../../src/server/index.js';
import { capConnections } from '../../src/server/index.js';
import { dashboard, seededStore } from './harness.js';
import type { Seeded } from './harness.js';

let seeded: Seeded;
beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'prod', accountId: '111122223333', region: 'eu-west-1', runs: 2 }] });
}, 120_000);
afterAll(async () => { await seeded?.close(); });

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open `n` TCP connections that never send a byte; each records when the server closes it. */
async function holdIdle(port: number, n: number): Promise<{ sockets: Socket[]; closed: Promise<void> }> {
  const sockets: Socket[] = [];
  const closes: Promise<void>[] = [];
  for (let i = 0; i < n; i += 250) {
    await Promise.all(Array.from({ length: Math.min(250, n - i) }, () => new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1');
      sockets.push(s);
      // Consumed, so that the server's close is seen (a paused socket never ends).
      s.resume();
      s.on('error', () => undefined);
      closes.push(new Promise((done) => s.once('close', () => done())));
      s.once('connect', () => resolve());
      s.once('close', () => resolve());
    })));
  }
  return { sockets, closed: Promise.all(closes).then(() => undefined) };
}

describe('the dashboard under held connections', () => {
  it('3,000 idle connections: /healthz is answered while they are held, and the server closes every one of them', async () => {
    const logs: string[] = [];
    const app = await dashboard(seeded.store, { maxConnections: 500, timeouts: { headers: 3_000 }, log: (l) => logs.push(l) });
    const port = await listen(app);
    try {
      const held = await holdIdle(port, 3_000);
      const health = await get(port, '/healthz');
      expect(health).toEqual({ status: 200, body: 'ok\n' });
      // The API works too, while the idle connections are held.
      expect((await get(port, '/api/meta')).status).toBe(200);
      // Every idle connection is closed by the server: the oldest by the cap, the rest by the headers timeout.
      await held.closed;
      expect(held.sockets.every((s) => s.destroyed)).toBe(true);
      expect(logs.some((l) => /connection cap: 500 connections open; \d+ idle connection\(s\) closed to make room/.test(l))).toBe(true);
      // And the dashboard still answers afterwards.
      expect((await get(port, '/healthz')).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 120_000);

  it('1,000 concurrent requests are all answered', async () => {
    const app = await dashboard(seeded.store);
    const port = await listen(app);
    try {
      const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => get(port, i % 2 ? '/healthz' : '/api/meta')));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1_000);
    } finally {
      await app.close();
    }
  }, 120_000);

  it('request smuggling and oversized headers are refused at the HTTP layer (classes that held, kept covered)', async () => {
    const app = await dashboard(seeded.store);
    const port = await listen(app);
    const raw = (text: string) => new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.end(text));
      let got = '';
      s.setEncoding('utf8').on('data', (d: string) => { got += d; });
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    try {
      // Content-Length and Transfer-Encoding together (CL.TE / TE.CL smuggling): refused, and nothing behind it is read.
      const smuggled = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/clusters HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(smuggled).toMatch(/^HTTP\/1\.1 400 /);
      expect(smuggled).not.toMatch(/clusters/);
      const big = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      expect(big).toMatch(/^HTTP\/1\.1 431 /);
    } finally {
      await app.close();
    }
  });

  it('the cap closes idle connections, never one with a request in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const server = createServer((req, res) => { if (req.url === '/slow') void gate.then(() => res.end('done')); else res.end('ok'); });
    const cap = capConnections(server, 10, () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const slow = get(port, '/slow');
      await new Promise((r) => setTimeout(r, 50));
      const held = await holdIdle(port, 40);
      expect(cap.open()).toBeLessThanOrEqual(10);
      expect(await get(port, '/fast')).toEqual({ status: 200, body: 'ok' });
      release();
      expect(await slow).toEqual({ status: 200, body: 'done' });
      for (const s of held.sockets) s.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a PDF export whose client goes away while the period is still being prepared is never started', async () => {
    const started: string[] = [];
    const pdf: PeriodExport = {
      ext: 'pdf', description: 'test',
      render: () => new Promise<void>(() => { started.push('pdf'); }),
    };
    // The period and its chain check take seconds for a year of runs: stand for that with a slow read.
    const slow = new Proxy(seeded.store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'periodData' || typeof v !== 'function') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        return async (...a: unknown[]) => {
          await new Promise((r) => setTimeout(r, 400));
          return (v as (...x: unknown[]) => unknown).apply(target, a);
        };
      },
    });
    const logs: string[] = [];
    const app = await dashboard(slow, { periodFormats: { pdf }, log: (l) => logs.push(l) });
    const port = await listen(app);
    try {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/period/export?format=pdf', agent: false, headers: { host: `127.0.0.1:${port}` } });
        req.on('error', () => resolve());
        req.end();
        setTimeout(() => { req.destroy(); resolve(); }, 100);
      });
      for (let i = 0; i < 100 && !logs.some((l) => /export pdf cancelled: the client went away/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
      expect(logs.filter((l) => /export pdf cancelled: the client went away/.test(l))).toHaveLength(1);
      expect(started).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('a PDF export is cancelled when its client goes away: it is never started when queued, and a running one is stopped', async () => {
    const started: string[] = [];
    const stopped: string[] = [];
    const slowPdf: PeriodExport = {
      ext: 'pdf', description: 'test',
      render: (_p, _write, o) => new Promise<void>((resolve, reject) => {
        started.push('pdf');
        // Stands for Chromium printing for minutes: it only ends when told to stop.
        o?.signal?.addEventListener('abort', () => { stopped.push('pdf'); reject(new Error('aborted')); });
        void resolve;
      }),
    };
    const logs: string[] = [];
    const app = await dashboard(seeded.store, { periodFormats: { pdf: slowPdf }, log: (l) => logs.push(l) });
    const port = await listen(app);
    try {
      // Two clicks: the first renders, the second waits its turn (or is still being prepared); the
      // second client leaves, then the first, in that order whatever the machine's load.
      const click = () => {
        const req = request({ host: '127.0.0.1', port, path: '/api/period/export?format=pdf', agent: false, headers: { host: `127.0.0.1:${port}` } });
        req.on('error', () => undefined);
        req.end();
        return req;
      };
      const cancelled = () => logs.filter((l) => /export pdf cancelled: the client went away/.test(l)).length;
      const until = async (cond: () => boolean) => { for (let i = 0; i < 250 && !cond(); i++) await new Promise((r) => setTimeout(r, 20)); };
      const first = click();
      await until(() => started.length === 1);
      const second = click();
      await new Promise((r) => setTimeout(r, 300));
      // The queued one leaves first; it is dropped when its turn comes, never started.
      second.destroy();
      await new Promise((r) => setTimeout(r, 200));
      first.destroy();
      await until(() => cancelled() === 2);
      expect(cancelled()).toBe(2);
      expect(started).toEqual(['pdf']);
      expect(stopped).toEqual(['pdf']);
      expect((await get(port, '/healthz')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
