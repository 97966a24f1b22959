// Faults: a writer killed with SIGKILL inside its transaction leaves the store as it was; a writer
// killed at a random moment leaves only complete runs; concurrent writers never break a chain.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvidenceStore } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/index.js';
import { backends } from './backends.js';
import { fakeRun } from './fake.js';

const LOADER = fileURLToPath(new URL('./fixtures/ts-resolve.mjs', import.meta.url));
const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));

interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when a stdout line matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

function writer(opts: Record<string, unknown>): Child {
  const proc = spawn(process.execPath, ['--no-warnings', '--import', LOADER, WRITER, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return {
    proc, lines, exited,
    waitFor(re, timeoutMs = 60_000) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`writer did not print ${re} within ${timeoutMs} ms; stdout: ${lines.join(' | ')}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
        void exited.then((e) => { clearTimeout(t); reject(new Error(`writer exited (${e.code ?? e.signal}) before printing ${re}: ${e.stderr}`)); });
      });
    },
  };
}

async function counts(store: EvidenceStore) {
  const q = async (sql: string) => Number((await store.driver.all(sql))[0]!.n);
  return {
    runs: await q('SELECT COUNT(*) AS n FROM runs'),
    rows: await q('SELECT COUNT(*) AS n FROM control_results'),
    snapshots: await q('SELECT COUNT(*) AS n FROM snapshots'),
    meta: await q('SELECT COUNT(*) AS n FROM control_meta'),
  };
}

for (const { backend: b, skip } of backends('faults')) {
  describe.skipIf(skip)(`store faults (${b.name})`, () => {
    const children: Child[] = [];
    beforeEach(async () => {
      await b.setup();
    });
    afterEach(async () => {
      for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) { c.proc.kill('SIGKILL'); await c.exited; }
      await b.teardown();
    });

    it('a writer killed with SIGKILL inside its transaction leaves the store as it was', async () => {
      let store = await b.open('write');
      for (let d = 0; d < 2; d++) {
        const at = new Date(Date.UTC(2026, 0, 1 + d));
        const { run, snapshot } = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }], { cluster: { name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1' } });
        await store.appendRun(run, snapshot, { at });
      }
      const before = await counts(store);
      const headBefore = (await store.clusters())[0]!.head;
      await store.close();

      // A large write: 400 controls, 3 000 objects in the snapshot; killed after every row is written.
      const child = writer({ url: b.url(), mode: 'hang', objects: 3000, controls: 400 });
      children.push(child);
      await child.waitFor(/^in-transaction$/);
      child.proc.kill('SIGKILL');
      const exit = await child.exited;
      expect(exit.signal).toBe('SIGKILL');

      store = await b.open('write');
      try {
        expect(await counts(store)).toEqual(before);
        expect((await store.clusters())[0]!.head).toEqual(headBefore);
        expect((await store.verify()).ok).toBe(true);
        // The lock died with the writer: the next run appends normally.
        const at = new Date(Date.UTC(2026, 0, 5));
        const { run, snapshot } = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }], { cluster: { name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1' } });
        const next = await store.appendRun(run, snapshot, { at });
        expect(next.seq).toBe(3);
        expect(next.prevHash).toBe(headBefore.hash);
        expect((await store.verify()).ok).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('a writer killed at a random moment leaves only complete runs', async () => {
      await (await b.open('write')).close();
      const child = writer({ url: b.url(), mode: 'loop', objects: 1500, controls: 200 });
      children.push(child);
      await child.waitFor(/^committed 3$/);
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 200)));
      child.proc.kill('SIGKILL');
      await child.exited;
      const store = await b.open('read');
      try {
        const runs = await store.runs();
        expect(runs.length).toBeGreaterThanOrEqual(3);
        expect(runs.map((r) => r.seq)).toEqual(runs.map((_, i) => i + 1));
        const c = await counts(store);
        expect(c.rows).toBe(runs.length * 200);
        expect(c.snapshots).toBe(runs.length);
        const v = await store.verify();
        expect(v.problems).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('two concurrent writers on one cluster (and a third on another) never break or interleave a chain', async () => {
      await (await b.open('write')).close();
      const ws = [
        writer({ url: b.url(), mode: 'append', count: 12, objects: 200, controls: 60 }),
        writer({ url: b.url(), mode: 'append', count: 12, objects: 200, controls: 60 }),
        writer({ url: b.url(), mode: 'append', count: 6, objects: 200, controls: 60, cluster: 'acme-dev' }),
      ];
      children.push(...ws);
      const exits = await Promise.all(ws.map((w) => w.exited));
      for (const e of exits) expect(e.code, e.stderr).toBe(0);
      const store = await b.open('read');
      try {
        const clusters = await store.clusters();
        expect(clusters.map((c) => [c.key, c.runs, c.head.seq])).toEqual([
          ['eks:111122223333:eu-west-1:acme-dev', 6, 6],
          ['eks:111122223333:eu-west-1:acme-prod', 24, 24],
        ]);
        const prod = (await store.runs({ clusterKey: 'eks:111122223333:eu-west-1:acme-prod' })).sort((x, y) => x.seq - y.seq);
        expect(prod.map((r) => r.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
        for (let i = 1; i < prod.length; i++) expect(prod[i]!.prevHash).toBe(prod[i - 1]!.hash);
        const v = await store.verify();
        expect(v.problems).toEqual([]);
        expect(v.runsChecked).toBe(30);
      } finally {
        await store.close();
      }
    });

    it('two writers creating the same new store at once both succeed', async () => {
      const ws = [writer({ url: b.url(), mode: 'append', count: 3 }), writer({ url: b.url(), mode: 'append', count: 3 })];
      children.push(...ws);
      const exits = await Promise.all(ws.map((w) => w.exited));
      for (const e of exits) expect(e.code, e.stderr).toBe(0);
      const store = await b.open('read');
      try {
        expect((await store.runs()).length).toBe(6);
        expect((await store.verify()).ok).toBe(true);
        // Each migration recorded once, though both writers raced to apply them.
        expect(Number((await store.driver.all('SELECT COUNT(*) AS n FROM schema_version'))[0]!.n)).toBe(SCHEMA_VERSION);
      } finally {
        await store.close();
      }
    });
  });
}
