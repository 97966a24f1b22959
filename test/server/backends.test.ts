// The dashboard's per-control store reads (EvidenceStore.statusesOfRuns / controlRows) and its pages over both back ends:
// SQLite, and PostgreSQL when EKS_SOC2_TEST_PG is set (CI sets it; elsewhere it is skipped with a
// message by test/store/backends.ts).
import { describe, expect, it } from 'vitest';
import { backends } from '../store/backends.js';
import type { ControlDetail, ControlList } from '../../src/server/data.js';
import { dashboard } from './harness.js';
import { flipControls, scheduled, seedStore } from './seed.js';

const RUNS = 8;

for (const { backend, skip } of backends('dash')) {
  describe.skipIf(skip)(`dashboard over ${backend.name}`, () => {
    it('reads per-control rows by run and by control, and serves the pages from them', async () => {
      await backend.setup();
      try {
        const writer = await backend.open('write');
        const [prod] = await seedStore(writer, { end: '2025-12-31', clusters: [{ name: 'prod', accountId: '111122223333', region: 'eu-west-1', runs: RUNS }, { name: 'other', runs: 2 }] });
        await writer.close();
        const store = await backend.open('read');
        try {
          const { toFail, toPass } = flipControls();
          const statuses = await store.statusesOfRuns(prod!.runIds);
          expect(statuses).toHaveLength(RUNS * 62);
          const mine = statuses.filter((s) => s.controlId === toPass[0]).sort((a, b) => prod!.runIds.indexOf(a.runId) - prod!.runIds.indexOf(b.runId));
          expect(mine.map((s) => s.status)).toEqual(prod!.runIds.map((_, i) => scheduled(i, RUNS, 0)[toPass[0]!]));
          const rows = await store.controlRows(prod!.runIds, toFail[0]!);
          expect(rows.rows).toHaveLength(RUNS);
          expect(rows.rows.every((r) => r.controlId === toFail[0] && rows.meta[r.meta]?.id === toFail[0])).toBe(true);
          expect(await store.statusesOfRuns([])).toEqual([]);

          const app = await dashboard(store);
          try {
            const list = JSON.parse((await app.inject({ url: `/api/controls?cluster=${encodeURIComponent(prod!.key)}&history=${RUNS}` })).body) as ControlList;
            expect(list.controls.find((c) => c.id === toFail[0])!.history).toEqual(prod!.runIds.map((_, i) => scheduled(i, RUNS, 0)[toFail[0]!]));
            const d = JSON.parse((await app.inject({ url: `/api/controls/${toFail[0]}?cluster=${encodeURIComponent(prod!.key)}` })).body) as ControlDetail;
            expect(d.period!.timeline.map((s) => s.runId)).toEqual(prod!.runIds);
            const metrics = (await app.inject({ url: '/metrics' })).body;
            expect(metrics).toContain(`eks_soc2_control_status{cluster="prod",cluster_key="${prod!.key}",control="${toFail[0]}",section=`);
            expect(metrics).toMatch(/^eks_soc2_store_up 1$/m);
            expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
          } finally {
            await app.close();
          }
        } finally {
          await store.close();
        }
      } finally {
        await backend.teardown();
      }
    }, 120_000);
  });
}
