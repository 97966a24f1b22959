// A year of daily runs: the period view, a control's samples and failure intervals over the year,
// and the exports, all checked against the seeding schedule and the engine.
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { PeriodResult } from '../../src/model/index.js';
import { computePeriod } from '../../src/engine/period.js';
import type { ControlDetail, PeriodView } from '../../src/server/data.js';
import { NOW, dashboard, seededStore } from './harness.js';
import type { Seeded } from './harness.js';
import { flipControls, scheduled } from './seed.js';

const DAYS = 365;
let seeded: Seeded;
let app: FastifyInstance;
let year: Seeded['clusters'][number];

beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1', runs: DAYS }, { name: 'acme-dr', region: 'eu-central-1', accountId: '111122223333', runs: 20 }] });
  year = seeded.clusters[0]!;
  app = await dashboard(seeded.store);
}, 240_000);

afterAll(async () => {
  await app?.close();
  await seeded?.close();
});

async function get<T>(url: string): Promise<T> {
  const r = await app.inject({ url });
  expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
  return JSON.parse(r.body) as T;
}

/** Failure intervals of a control from the seeding schedule: [first failing day, fixing day or undefined]. */
function expectedIntervals(id: string): { first: string; fixed?: string }[] {
  const out: { first: string; fixed?: string }[] = [];
  let open: string | undefined;
  year.ats.forEach((at, i) => {
    const st = scheduled(i, DAYS, 0)[id];
    if (st === 'fail' && !open) open = at;
    if (st === 'pass' && open) {
      out.push({ first: open, fixed: at });
      open = undefined;
    }
  });
  if (open) out.push({ first: open });
  return out;
}

describe('a year of daily runs', () => {
  it('the period of 2025 covers every day, per control, as the engine computes it', async () => {
    const view = await get<PeriodView>(`/api/period?cluster=${encodeURIComponent(year.key)}&from=2025-01-01&to=2025-12-31&timeline=1`);
    const c = view.clusters[0]!;
    expect(c.runs).toBe(DAYS);
    expect(c.coverage).toBe(1);
    expect(c.samplingGaps).toEqual([]);
    expect(c.controls).toHaveLength(62);
    const data = await seeded.store.periodData(year.key, '2025-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z');
    const engine: PeriodResult = computePeriod([{ key: year.key, cluster: year.identity, ...data }], { from: '2025-01-01', to: '2025-12-31', generatedAt: NOW, toolVersion: 'test' });
    const { window: _w, timelines: _t, verification, ...period } = view;
    expect(period).toEqual(engine);
    // The dashboard checks the chain of the runs behind the period, as `eks-soc2 verify` does.
    expect(verification).toMatchObject({ ok: true, runsChecked: DAYS, problemCount: 0 });
    expect(verification!.clusters[0]!.head!.runId).toBe(year.runIds.at(-1));
  });

  it('a control page has all 365 samples, each linked to its run and snapshot, and the scheduled failure intervals', async () => {
    const { toFail, toPass } = flipControls();
    for (const id of [toFail[0]!, toFail[1]!, toPass[0]!]) {
      const d = await get<ControlDetail>(`/api/controls/${id}?cluster=${encodeURIComponent(year.key)}&from=2025-01-01&to=2025-12-31`);
      const p = d.period!;
      expect(p.timeline).toHaveLength(DAYS);
      expect(p.timeline.map((s) => s.runId)).toEqual(year.runIds);
      expect(p.timeline.map((s) => s.status)).toEqual(year.ats.map((_, i) => scheduled(i, DAYS, 0)[id]));
      expect(p.timeline.every((s) => /^sha256:[0-9a-f]{64}$/.test(s.snapshotDigest ?? ''))).toBe(true);
      const want = expectedIntervals(id);
      expect(p.failIntervals.map((x) => ({ first: x.firstSeen, ...(x.fixedAt ? { fixed: x.fixedAt } : {}) }))).toEqual(want);
      expect(p.failIntervals.filter((x) => x.open).length).toBe(want.filter((x) => !x.fixed).length);
    }
  });

  it('an error sample is neither a pass nor a fail: coverage drops, the verdict says why', async () => {
    const { toFail } = flipControls();
    const d = await get<ControlDetail>(`/api/controls/${toFail[2]}?cluster=${encodeURIComponent(year.key)}&from=2025-01-01&to=2025-12-31`);
    const errors = year.ats.filter((_, i) => scheduled(i, DAYS, 0)[toFail[2]!] === 'error').length;
    expect(d.period!.statusCounts.error).toBe(errors);
    expect(d.period!.statusCounts.pass).toBe(DAYS - errors);
    expect(d.period!.coverage).toBeCloseTo((DAYS - errors) / DAYS, 6);
  });

  it('every cluster over a quarter, and the year exported as HTML and CSV', async () => {
    const q4 = await get<PeriodView>('/api/period?cluster=*&from=2025-10-01&to=2025-12-31');
    expect(q4.clusters.map((c) => c.runs).sort((a, b) => a - b)).toEqual([20, 92]);
    for (const [format, marker] of [['html', /<!doctype html>/i], ['csv', /CC5-HARD-03/]] as const) {
      const r = await app.inject({ url: `/api/period/export?cluster=${encodeURIComponent(year.key)}&from=2025-01-01&to=2025-12-31&format=${format}` });
      expect(r.statusCode).toBe(200);
      expect(r.body).toMatch(marker);
      expect(r.rawPayload.length).toBeGreaterThan(10_000);
    }
  });
});

describe('a store whose stored results were edited', () => {
  let small: Seeded;
  let tampered: FastifyInstance;

  beforeAll(async () => {
    small = await seededStore({ end: '2025-12-31', clusters: [{ name: 'acme-small', accountId: '111122223333', region: 'eu-west-1', runs: 5 }] });
    // Someone turns failures into passes in the per-control rows, behind the chain's back.
    const raw = new DatabaseSync(small.path);
    const changed = raw.prepare("UPDATE control_results SET status = 'pass' WHERE status = 'fail'").run();
    raw.close();
    expect(Number(changed.changes)).toBeGreaterThan(0);
    tampered = await dashboard(small.store);
  }, 120_000);

  afterAll(async () => {
    await tampered?.close();
    await small?.close();
  });

  it('the period says the evidence does not verify, and so does every export', async () => {
    const key = encodeURIComponent(small.clusters[0]!.key);
    const r = await tampered.inject({ url: `/api/period?cluster=${key}&from=2025-12-01&to=2025-12-31` });
    expect(r.statusCode).toBe(200);
    const view = JSON.parse(r.body) as PeriodView;
    expect(view.verification!.ok).toBe(false);
    expect(view.verification!.problems.some((p) => p.kind === 'edited')).toBe(true);
    for (const format of ['markdown', 'html', 'terminal']) {
      const e = await tampered.inject({ url: `/api/period/export?cluster=${key}&from=2025-12-01&to=2025-12-31&format=${format}` });
      expect(e.statusCode).toBe(200);
      expect(e.body.slice(0, 20_000)).toContain('EVIDENCE NOT VERIFIED');
    }
  });

  it('the page asks for the period without the chain check (verify=0), then for the check on its own', async () => {
    const key = encodeURIComponent(small.clusters[0]!.key);
    const q = `cluster=${key}&from=2025-12-01&to=2025-12-31`;
    const full = JSON.parse((await tampered.inject({ url: `/api/period?${q}` })).body) as PeriodView;
    const fast = await tampered.inject({ url: `/api/period?${q}&verify=0` });
    expect(fast.statusCode).toBe(200);
    const view = JSON.parse(fast.body) as PeriodView;
    expect(view.verification).toBeUndefined();
    const { verification: _v, ...rest } = full;
    expect(view).toEqual(rest);
    const check = await tampered.inject({ url: `/api/period/verification?${q}` });
    expect(check.statusCode).toBe(200);
    const body = JSON.parse(check.body) as { window: PeriodView['window']; verification: NonNullable<PeriodView['verification']> };
    expect(body.window).toEqual(full.window);
    expect(body.verification.ok).toBe(false);
    expect(body.verification.problems).toEqual(full.verification!.problems);
    expect(body.verification.clusters.map((c) => c.key)).toEqual([small.clusters[0]!.key]);
    expect((await tampered.inject({ url: `/api/period?${q}&verify=no` })).statusCode).toBe(400);
  });
});
