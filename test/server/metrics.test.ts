// /metrics: Prometheus text from a private registry, with the expected series and bounded labels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { register as globalRegistry } from 'prom-client';
import { STATUSES } from '../../src/model/index.js';
import { labelValue } from '../../src/server/metrics.js';
import { dashboard, seededStore } from './harness.js';
import type { Seeded } from './harness.js';
import { HOSTILE, flipControls } from './seed.js';
import { parseExposition } from './prom.js';
import type { Exposition } from './prom.js';

let seeded: Seeded;
let app: FastifyInstance;
let second: FastifyInstance;
let m: Exposition;

const CLUSTERS = [
  { name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1', runs: 4 },
  { name: 'acme-stage', accountId: '111122223333', region: 'eu-west-1', runs: 2, end: '2025-12-30' },
  { name: `${HOSTILE.ansi}\n${HOSTILE.long}"\\`, runs: 1, hostile: true },
];
const ALLOWED_LABELS = new Set(['cluster', 'cluster_key', 'section', 'status', 'control', 'severity', 'version']);

beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: CLUSTERS });
  app = await dashboard(seeded.store);
  second = await dashboard(seeded.store); // a second dashboard in one process must not clash
  const r = await app.inject({ url: '/metrics' });
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  m = parseExposition(r.body);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await second?.close();
  await seeded?.close();
});

const series = (name: string, labels: Record<string, string> = {}) =>
  m.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const one = (name: string, labels: Record<string, string> = {}) => {
  const s = series(name, labels);
  expect(s, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return s[0]!.value;
};

describe('/metrics', () => {
  it('parses as Prometheus text, every metric with help and type', () => {
    for (const name of new Set(m.samples.map((s) => s.name))) {
      expect(m.help.get(name), name).toBeTruthy();
      expect(m.type.get(name), name).toBe('gauge');
      expect(name).toMatch(/^eks_soc2_/);
    }
  });

  it('has the newest run of each cluster: time, duration, score, gaps, failing findings', async () => {
    const prod = seeded.clusters[0]!;
    const [latest] = await seeded.store.runs({ clusterKey: prod.key, last: 1 });
    const l = { cluster: 'acme-prod', cluster_key: prod.key };
    expect(one('eks_soc2_store_up')).toBe(1);
    expect(one('eks_soc2_clusters')).toBe(3);
    expect(one('eks_soc2_runs_stored', l)).toBe(4);
    expect(one('eks_soc2_last_run_timestamp_seconds', l)).toBe(Date.parse('2025-12-31T02:00:00Z') / 1000);
    expect(one('eks_soc2_last_run_duration_seconds', l)).toBe(42);
    expect(one('eks_soc2_score_ratio', l)).toBeCloseTo(latest!.score / 100, 6);
    expect(one('eks_soc2_evidence_gaps', l)).toBe(1);
    expect(one('eks_soc2_findings', { ...l, status: 'fail' })).toBe(latest!.findings.fail);
    expect(one('eks_soc2_last_run_timestamp_seconds', { cluster: 'acme-stage' })).toBe(Date.parse('2025-12-30T02:00:00Z') / 1000);
    expect(one('eks_soc2_info', { version: 'test' })).toBe(1);
  });

  it('has one status series per control and status, exactly one of them 1', async () => {
    const prod = seeded.clusters[0]!;
    const result = await seeded.store.loadResult(prod.runIds[3]!);
    const st = series('eks_soc2_control_status', { cluster_key: prod.key });
    expect(st).toHaveLength(result.controls.length * STATUSES.length);
    for (const c of result.controls) {
      const mine = st.filter((s) => s.labels.control === c.id);
      expect(mine.filter((s) => s.value === 1).map((s) => s.labels.status)).toEqual([c.status]);
      expect(mine.every((s) => s.labels.section === c.section && s.labels.severity === c.severity)).toBe(true);
      expect(one('eks_soc2_control_failing_findings', { cluster_key: prod.key, control: c.id })).toBe(c.counts.fail);
    }
    const { toFail } = flipControls();
    expect(one('eks_soc2_control_status', { cluster_key: prod.key, control: toFail[0]!, status: 'fail' })).toBe(1);
  });

  it('counts controls per section and status, and scores each section', async () => {
    const prod = seeded.clusters[0]!;
    const result = await seeded.store.loadResult(prod.runIds[3]!);
    const counts = series('eks_soc2_controls', { cluster_key: prod.key });
    expect(counts.reduce((n, s) => n + s.value, 0)).toBe(result.controls.length);
    for (const [section, c] of Object.entries(result.summary.bySection)) {
      for (const s of STATUSES) expect(one('eks_soc2_controls', { cluster_key: prod.key, section, status: s })).toBe(c[s]);
      expect(series('eks_soc2_section_score_ratio', { cluster_key: prod.key, section })).toHaveLength(1);
    }
  });

  it('keeps labels bounded: no resource names, hostile names escaped and cut', () => {
    for (const s of m.samples) for (const k of Object.keys(s.labels)) expect(ALLOWED_LABELS.has(k), k).toBe(true);
    const values = new Set(m.samples.flatMap((s) => Object.values(s.labels)));
    for (const v of values) {
      expect(v.length).toBeLessThanOrEqual(120);
      expect(v).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    const hostile = series('eks_soc2_runs_stored').find((s) => s.labels.cluster!.startsWith('\\u001b[31mred'));
    expect(hostile?.labels.cluster).toBe(labelValue(CLUSTERS[2]!.name));
    expect(hostile?.labels.cluster).toMatch(/\\u202eevil/);
    // Resource names of the hostile cluster's findings never become labels.
    expect([...values].some((v) => v.includes('onerror'))).toBe(false);
  });

  it('uses a registry of its own: the global registry stays empty, two dashboards coexist', async () => {
    expect((await globalRegistry.getMetricsAsJSON()).filter((x) => x.name.startsWith('eks_soc2_'))).toEqual([]);
    const [a, b] = await Promise.all([app.inject({ url: '/metrics' }), second.inject({ url: '/metrics' })]);
    const strip = (t: string) => t.replace(/^eks_soc2_scrape_duration_seconds .*$/m, '');
    expect(strip(a.body)).toBe(strip(b.body));
  });

  it('concurrent scrapes are consistent', async () => {
    const bodies = await Promise.all(Array.from({ length: 5 }, () => app.inject({ url: '/metrics' })));
    const counts = bodies.map((r) => parseExposition(r.body).samples.filter((s) => s.name === 'eks_soc2_control_status').length);
    expect(new Set(counts).size).toBe(1);
  });

  it('reports a store that stops answering as eks_soc2_store_up 0', async () => {
    const { openStore } = await import('../../src/store/index.js');
    const own = await openStore({ kind: 'sqlite', path: seeded.path }, { mode: 'read', toolVersion: 'test' });
    const lines: string[] = [];
    const a = await dashboard(own, { log: (l) => lines.push(l) });
    try {
      await own.close();
      const r = await a.inject({ url: '/metrics' });
      expect(r.statusCode).toBe(200);
      const e = parseExposition(r.body);
      expect(e.samples.find((s) => s.name === 'eks_soc2_store_up')?.value).toBe(0);
      expect(e.samples.some((s) => s.name === 'eks_soc2_control_status')).toBe(false);
      expect(lines.some((l) => l.startsWith('metrics: the evidence store did not answer'))).toBe(true);
    } finally {
      await a.close();
    }
  });
});
