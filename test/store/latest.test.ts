// latestRuns: the newest run of every cluster in one statement, the same run as runs({ last: 1 }) per cluster.
import { describe, expect, it } from 'vitest';
import { clusterKey } from '../../src/store/index.js';
import { backends, openedStore } from './backends.js';
import { fakeRun } from './fake.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 2);
const A = { name: 'a', accountId: '111122223333', region: 'eu-west-1' };
const B = { name: 'b', accountId: '111122223333', region: 'eu-west-1' };
const C = { name: 'c', accountId: '111122223333', region: 'us-east-1' };

for (const { backend: b, skip } of backends('latest')) {
  describe.skipIf(skip)(`latestRuns (${b.name})`, () => {
    const opened = openedStore(b);

    async function put(cluster: typeof A, day: number): Promise<string> {
      const at = new Date(T0 + day * DAY);
      const { run, snapshot } = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }], { cluster });
      return (await opened().appendRun(run, snapshot, { at })).runId;
    }

    it('picks each cluster\'s newest run by evidence time, then by chain position', async () => {
      expect(await opened().latestRuns()).toEqual([]);
      await put(A, 0);
      const a2 = await put(A, 2);
      await put(A, 1); // stored last, but its evidence is older: not the newest
      await put(B, 5);
      const b5 = await put(B, 5); // same evidence time: the later in the chain
      const c0 = await put(C, 0);
      const latest = await opened().latestRuns();
      expect(latest.map((r) => [r.clusterKey, r.runId])).toEqual([[clusterKey(A), a2], [clusterKey(B), b5], [clusterKey(C), c0]]);
      for (const r of latest) expect([r]).toEqual(await opened().runs({ clusterKey: r.clusterKey, last: 1 }));
    });
  });
}
