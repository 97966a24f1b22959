// One opened() connection, many requests at once: the dashboard answers requests as they arrive, so
// their opened() reads (and a scan's write) overlap. Each waits for the transaction before it on the
// connection; none fails with "concurrent transaction" (it did on both back ends before).
import { describe, expect, it } from 'vitest';
import { TxQueue } from '../../src/store/tx-queue.js';
import { backends, openedStore } from './backends.js';
import { fakeRun } from './fake.js';

const day = (d: number) => new Date(Date.UTC(2026, 10, 1 + d));
const run = (d: number) => fakeRun(day(d), [{ id: 'CC5-IAM-03', status: d % 2 ? 'fail' : 'pass' }]);

describe('TxQueue', () => {
  it('runs transactions one after another, in the order they were asked for, and keeps going after a failure', async () => {
    const q = new TxQueue();
    const log: string[] = [];
    const step = (name: string, fail = false) => q.run(async () => {
      log.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`${name}:end`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    });
    const results = await Promise.allSettled([step('a'), step('b', true), step('c')]);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('refuses a transaction started inside another one (it would wait for itself)', async () => {
    const q = new TxQueue();
    await expect(q.run(async () => q.run(async () => 1))).rejects.toThrow(/nested transaction/);
    // The queue is still usable afterwards.
    await expect(q.run(async () => 2)).resolves.toBe(2);
  });
});

for (const { backend: b, skip } of backends('concurrency')) {
  describe.skipIf(skip)(`concurrent requests on one opened() connection (${b.name})`, () => {
    const opened = openedStore(b);

    it('overlapping reads and a write all complete, with the answers they would have alone', async () => {
      const first = run(0);
      const stored = await opened().appendRun(first.run, first.snapshot, { at: day(0) });
      const next = run(1);
      const [clusters, result, snapshot, verify, appended, ...more] = await Promise.all([
        opened().clusters(),
        opened().loadResult(stored.runId),
        opened().loadSnapshot(stored.snapshotDigest),
        opened().verify(),
        opened().appendRun(next.run, next.snapshot, { at: day(1) }),
        ...Array.from({ length: 10 }, () => opened().clusters()),
      ]);
      expect(clusters).toHaveLength(1);
      expect(result.controls[0]!.id).toBe('CC5-IAM-03');
      expect(snapshot.cluster).toEqual(first.snapshot.cluster);
      expect(verify.ok).toBe(true);
      expect(appended.seq).toBe(2);
      expect(more).toHaveLength(10);
      expect((await opened().verify()).runsChecked).toBe(2);
    });

    it('a read asked for inside another read on the same opened() is refused, and the opened() keeps working', async () => {
      const first = run(0);
      await opened().appendRun(first.run, first.snapshot, { at: day(0) });
      await expect(opened().driver.read(async () => opened().clusters())).rejects.toThrow(/nested transaction/);
      expect(await opened().clusters()).toHaveLength(1);
    });

    // A statement outside any transaction (the dashboard's statusesOfRuns / controlRows call
    // driver.all directly) must wait for the transaction open on the connection: on SQLite it used
    // to run at once, inside that transaction, and read its uncommitted rows.
    const META = 'SELECT digest FROM control_meta ORDER BY digest';
    /** A write transaction that inserts a row, says so, then waits for `gate` (and throws when told). */
    function heldWrite(log: string[], opts: { fail: boolean }) {
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      let inserted!: () => void;
      const insertedP = new Promise<void>((r) => { inserted = r; });
      const done = opened().driver.write(['test:queue'], async (tx) => {
        await tx.run('INSERT INTO control_meta (digest, control_id, meta) VALUES (?, ?, ?)', ['sha256:uncommitted', 'CC5-IAM-03', '{}']);
        log.push('tx:inserted');
        inserted();
        await gate;
        log.push('tx:end');
        if (opts.fail) throw new Error('rolled back on purpose');
        return 'committed';
      });
      return { done, inserted: insertedP, release };
    }
    /** Let every ready callback and I/O turn run, so a statement that did not wait would have answered. */
    const settle = () => new Promise<void>((r) => setImmediate(r));

    it('a statement outside a transaction waits for the open write transaction to commit, and never reads its uncommitted rows', async () => {
      const log: string[] = [];
      const w = heldWrite(log, { fail: false });
      await w.inserted;
      const read = opened().driver.all(META).then((rows) => { log.push('read'); return rows.map((r) => String(r.digest)); });
      await settle();
      log.push('release');
      w.release();
      await expect(w.done).resolves.toBe('committed');
      const seen = await read;
      expect(log).toEqual(['tx:inserted', 'release', 'tx:end', 'read']);
      // Read after the commit: the row is there, committed.
      expect(seen).toEqual(['sha256:uncommitted']);
    });

    it('a statement outside a transaction that rolls back waits for it and sees nothing of it', async () => {
      const log: string[] = [];
      const w = heldWrite(log, { fail: true });
      await w.inserted;
      const read = opened().driver.all(META).then((rows) => { log.push('read'); return rows.map((r) => String(r.digest)); });
      const changed = opened().driver.run(`UPDATE control_meta SET meta = '{"edited":true}'`).then((n) => { log.push('update'); return n; });
      await settle();
      log.push('release');
      w.release();
      await expect(w.done).rejects.toThrow(/rolled back on purpose/);
      expect(await read).toEqual([]);
      // The UPDATE ran after the rollback, outside it: it changed no row (the row never existed).
      expect(await changed).toBe(0);
      expect(log).toEqual(['tx:inserted', 'release', 'tx:end', 'read', 'update']);
      expect(await opened().driver.all(META)).toEqual([]);
    });

    it('rows inserted outside a transaction wait for the open one and are not rolled back with it', async () => {
      const log: string[] = [];
      const w = heldWrite(log, { fail: true });
      await w.inserted;
      const inserted = opened().driver.insertMany('control_meta', ['digest', 'control_id', 'meta'], [['sha256:outside', 'CC5-IAM-03', '{}']])
        .then(() => { log.push('insertMany'); });
      await settle();
      log.push('release');
      w.release();
      await expect(w.done).rejects.toThrow(/rolled back on purpose/);
      await inserted;
      expect(log).toEqual(['tx:inserted', 'release', 'tx:end', 'insertMany']);
      expect((await opened().driver.all(META)).map((r) => String(r.digest))).toEqual(['sha256:outside']);
    });

    it('a statement on the driver from inside the transaction\'s own callback runs at once and sees its rows', async () => {
      const seen = await opened().driver.write(['test:queue'], async (tx) => {
        await tx.run('INSERT INTO control_meta (digest, control_id, meta) VALUES (?, ?, ?)', ['sha256:own', 'CC5-IAM-03', '{}']);
        // The driver itself, not `tx`: the queue knows this caller is inside the transaction.
        return (await opened().driver.all(META)).map((r) => String(r.digest));
      });
      expect(seen).toEqual(['sha256:own']);
    });
  });
}
