// The dashboard API and /metrics with warnings (failed recommended rules) and rules not evaluated:
// the report fixture's run, whose CC4-TEST-06 passes with one warning, one rule not evaluated and
// one resource not evaluated, stored twice and served read-only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { EvidenceStore } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { sampleRun } from '../report/fixtures.js';
import { dashboard } from './harness.js';
import { parseExposition } from './prom.js';

const ID = 'CC4-TEST-06';
let dir: string;
let store: EvidenceStore;
let app: FastifyInstance;
let runId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eks-soc2-warn-'));
  const target = { kind: 'sqlite' as const, path: join(dir, 'evidence.db') };
  const writer = await openStore(target, { mode: 'write', toolVersion: 'test' });
  for (const day of [1, 2]) {
    const run = sampleRun();
    const at = new Date(Date.UTC(2026, 0, day, 2));
    run.finishedAt = at.toISOString();
    runId = (await writer.appendRun(run, makeSnapshot({ cluster: run.cluster }), { at, storedAt: at })).runId;
  }
  await writer.close();
  store = await openStore(target, { mode: 'read', toolVersion: 'test' });
  app = await dashboard(store);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get<T>(url: string): Promise<T> {
  const r = await app.inject({ url });
  expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
  return r.json() as T;
}

describe('dashboard API', () => {
  it('status=warn lists the controls with warnings, whatever their status; the rows carry the counts', async () => {
    const list = await get<{ controls: { id: string; status: string; counts: { warn: number }; unevaluated: number }[]; facets: { statuses: string[] } }>('/api/controls?status=warn');
    expect(list.controls.map((c) => [c.id, c.status, c.counts.warn, c.unevaluated])).toEqual([[ID, 'pass', 1, 1]]);
    expect(list.facets.statuses).toContain('warn');
  });

  it('findings filter on status warn and error (a rule not evaluated on a resource)', async () => {
    const warn = await get<{ items: { control: string; rule: string; status: string }[] }>(`/api/runs/${runId}/findings?status=warn`);
    expect(warn.items.map((f) => [f.control, f.rule, f.status])).toEqual([[ID, 'trail-kms', 'warn']]);
    const error = await get<{ items: { rule: string; resource: { name: string } }[] }>(`/api/runs/${runId}/findings?control=${ID}&status=error`);
    expect(error.items.map((f) => [f.rule, f.resource.name])).toEqual([['trail-kms', 'legacy-trail']]);
  });

  it('the control page has the rules with their level and the rules not evaluated', async () => {
    const d = await get<{ control: { status: string; rules: { id: string; level: string }[]; unevaluated: { rule: string; reason: string }[]; findingCounts: { warn: number; error: number } } }>(`/api/controls/${ID}`);
    expect(d.control.status).toBe('pass');
    expect(d.control.rules.map((r) => `${r.id}:${r.level}`)).toEqual(['trail-logging:required', 'trail-kms:recommended', 'trail-log-group:recommended']);
    expect(d.control.unevaluated).toEqual([expect.objectContaining({ rule: 'trail-log-group', reason: expect.stringMatching(/DescribeLogGroups/) })]);
    expect(d.control.findingCounts).toMatchObject({ warn: 1, error: 1 });
  });

  it('overview, run and runs count the warnings', async () => {
    const o = await get<{ latest: { findings: { warn: number } }; warned: { id: string; warnings: number }[]; unevaluated: number; trend: { points: { warnings: number }[] } }>('/api/overview');
    expect(o.latest.findings.warn).toBe(1);
    expect(o.warned).toEqual([expect.objectContaining({ id: ID, warnings: 1 })]);
    expect(o.unevaluated).toBe(1);
    expect(o.trend.points.map((p) => p.warnings)).toEqual([1, 1]);
    const r = await get<{ summary: { findings: { warn: number }; controlsWithWarnings: number }; controls: { id: string; warnings: number; unevaluated: number }[] }>(`/api/runs/${runId}`);
    expect(r.summary.findings.warn).toBe(1);
    expect(r.summary.controlsWithWarnings).toBe(1);
    expect(r.controls.find((c) => c.id === ID)).toMatchObject({ warnings: 1, unevaluated: 1 });
  });

  it('rejects a status no control or finding can have', async () => {
    expect((await app.inject({ url: '/api/controls?status=warning' })).statusCode).toBe(400);
  });
});

describe('/metrics', () => {
  it('finding counts carry status="warn"; each control has its warning findings', async () => {
    const m = parseExposition((await app.inject({ url: '/metrics' })).body);
    const value = (name: string, labels: Record<string, string>) => m.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);
    expect(value('eks_soc2_findings', { status: 'warn' })).toEqual([1]);
    expect(value('eks_soc2_findings', { status: 'fail' })).toEqual([5]);
    expect(value('eks_soc2_control_warning_findings', { control: ID })).toEqual([1]);
    expect(value('eks_soc2_control_warning_findings', { control: 'CC5-HARD-03' })).toEqual([0]);
  });
});
