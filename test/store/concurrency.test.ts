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
  });
}
