// A seeded year of daily runs (2025) with known failure intervals, gaps, waivers and attestations.
// The expected period figures are computed by hand in test/engine/period.test.ts and
// test/store/period-store.test.ts.
import type { Attestation, Status } from '../../src/model/index.js';
import type { FakeControl } from './fake.js';

export const YEAR = { from: '2025-01-01', to: '2025-12-31', generatedAt: new Date('2026-01-05T00:00:00Z') };

/** Days without any run. */
export const SKIPPED = new Set(['2025-03-10', '2025-03-11', '2025-03-12', '2025-08-01']);

export const WAIVER = { id: 'W-1', reason: 'vendor image, fix due in October', approvedBy: 'ciso@example.com', expires: '2025-10-15' };
export const ATTESTATION_1: Attestation = { control: 'CC8-H-01', statement: 'quarterly review done', attestedBy: 'lead@example.com', date: '2024-12-15', validUntil: '2026-01-31', evidence: 'https://tickets.example.com/SEC-1' };
export const ATTESTATION_2: Attestation = { control: 'CC8-H-01', statement: 'half-year review done', attestedBy: 'lead@example.com', date: '2025-07-01', validUntil: '2026-06-30' };

const between = (d: string, a: string, b: string) => d >= a && d <= b;

/** Every day of 2025 that has a run (361 of 365). */
export function yearDays(): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(2025, 0, 1); t <= Date.UTC(2025, 11, 31); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (!SKIPPED.has(d)) out.push(d);
  }
  return out;
}

/** Time of the day's run. */
export const runAt = (day: string) => new Date(`${day}T02:00:00.000Z`);

/** The controls of the run of `day`, with their statuses. */
export function yearControls(d: string): FakeControl[] {
  const s = (st: Status) => st;
  const list: FakeControl[] = [
    { id: 'CC5-A-01', status: 'pass' },
    { id: 'CC5-B-01', status: between(d, '2025-02-10', '2025-02-12') || between(d, '2025-06-01', '2025-06-05') ? 'fail' : 'pass' },
    { id: 'CC6-C-01', status: d >= '2025-12-20' ? 'fail' : 'pass' },
    { id: 'CC6-D-01', status: between(d, '2025-04-01', '2025-05-30') ? 'fail' : 'pass' },
    { id: 'CC7-E-01', status: between(d, '2025-07-01', '2025-07-20') ? 'error' : 'pass' },
    { id: 'CC7-F-01', status: 'manual' },
    between(d, '2025-09-01', '2025-09-30') ? { id: 'CC8-G-01', status: 'waived', waivers: [WAIVER] } : { id: 'CC8-G-01', status: 'pass' },
    { id: 'CC8-H-01', status: 'pass', attestation: d <= '2025-06-30' ? ATTESTATION_1 : ATTESTATION_2 },
  ];
  if (d >= '2025-11-01') list.push({ id: 'CC9-I-01', status: 'pass' });
  list.push({ id: 'CC9-J-01', status: 'not-applicable' });
  list.push({ id: 'P1-K-01', status: s(d === '2025-10-01' || d === '2025-10-03' ? 'fail' : d === '2025-10-02' ? 'error' : 'pass') });
  return list;
}
