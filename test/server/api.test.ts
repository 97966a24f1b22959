// The dashboard's JSON API over a seeded store (Fastify inject), plus a real listen on 127.0.0.1.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { PeriodResult, RunDiff, StatusCounts } from '../../src/model/index.js';
import { SECTIONS } from '../../src/model/index.js';
import { computePeriod } from '../../src/engine/period.js';
import { score } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import { startDashboard } from '../../src/server/index.js';
import { clusterId, compareCriteria } from '../../src/server/data.js';
import type { ClusterSummary, ControlDetail, ControlList, FindingRow, Overview, Page, PeriodView, RunBrief, RunDetail } from '../../src/server/data.js';
import { NOW, dashboard, seededStore } from './harness.js';
import type { Seeded } from './harness.js';
import { flipControls, scheduled } from './seed.js';

const PROD = { name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1', runs: 30 };
const STAGE = { name: 'acme-stage', accountId: '111122223333', region: 'eu-west-1', runs: 12, end: '2025-12-20' };
const LAB = { name: 'lab', runs: 1, end: '2025-11-30' };

let seeded: Seeded;
let app: FastifyInstance;
let prod: Seeded['clusters'][number];
let stage: Seeded['clusters'][number];
let lab: Seeded['clusters'][number];

async function get<T>(url: string, status = 200): Promise<T> {
  const r = await app.inject({ method: 'GET', url });
  expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(status);
  return JSON.parse(r.body) as T;
}

const q = (v: string) => encodeURIComponent(v);

beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [PROD, STAGE, LAB] });
  [prod, stage, lab] = seeded.clusters as [typeof prod, typeof stage, typeof lab];
  app = await dashboard(seeded.store);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await seeded?.close();
});

describe('clusters and meta', () => {
  it('lists every cluster with its newest run and a short URL id', async () => {
    const { clusters } = await get<{ clusters: ClusterSummary[] }>('/api/clusters');
    expect(clusters.map((c) => c.label).sort()).toEqual(['acme-prod', 'acme-stage', 'lab']);
    const p = clusters.find((c) => c.key === prod.key)!;
    expect(p.id).toBe(clusterId(prod.key));
    expect(p.id).toMatch(/^[0-9a-f]{16}$/);
    expect(p.runs).toBe(30);
    expect(p.latest?.runId).toBe(prod.runIds[29]);
    expect(p.latest?.durationSeconds).toBe(42);
    expect(p.lastRunAt).toBe('2025-12-31T02:00:00.000Z');
  });

  it('says which period formats it exports and that no token is needed', async () => {
    const meta = await get<{ tokenRequired: boolean; formats: { name: string; ext: string }[]; tool: { version: string }; store: string }>('/api/meta');
    expect(meta.tokenRequired).toBe(false);
    expect(meta.formats.map((f) => f.name)).toEqual(['terminal', 'json', 'markdown', 'markdown-summary', 'csv', 'html', 'pdf', 'sarif', 'junit', 'oscal']);
    expect(meta.tool.version).toBe('test');
    expect(meta.store).toBe('SQLite'); // never the path (or a PostgreSQL URL)
  });
});

describe('overview', () => {
  it('defaults to the cluster with the newest run and scores its sections in checklist order', async () => {
    const o = await get<Overview>('/api/overview');
    expect(o.cluster.key).toBe(prod.key);
    expect(o.latest.runId).toBe(prod.runIds[29]);
    expect(o.previous?.runId).toBe(prod.runIds[28]);
    const order = Object.keys(SECTIONS);
    expect(o.sections.map((s) => s.id)).toEqual([...o.sections.map((s) => s.id)].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(o.sections.reduce((n, s) => n + s.controls, 0)).toBe(62);
    for (const s of [...o.sections, ...o.criteria]) expect(s.score).toBe(score(s.counts));
    expect(o.sections.find((s) => s.id === 'CC5')?.title).toBe('Control Activities');
    expect(o.criteria.map((c) => c.id)).toEqual([...o.criteria.map((c) => c.id)].sort(compareCriteria));
  });

  it('orders criteria CC1 … CC9, then A, C, PI, P', () => {
    expect(['P1.1', 'A1.2', 'CC10.1', 'C1.1', 'CC6.10', 'CC6.2', 'PI1.1', 'CC2.1'].sort(compareCriteria))
      .toEqual(['CC2.1', 'CC6.2', 'CC6.10', 'CC10.1', 'A1.2', 'C1.1', 'PI1.1', 'P1.1']);
  });

  it('shows what changed since the previous run: the scheduled flips', async () => {
    const { toFail, toPass } = flipControls();
    const o = await get<Overview>(`/api/overview?cluster=${q(clusterId(prod.key))}`);
    const newly = o.changes!.controls.filter((c) => c.change === 'newly-failing').map((c) => c.id);
    const fixed = o.changes!.controls.filter((c) => c.change === 'fixed').map((c) => c.id);
    expect(newly).toContain(toFail[0]);
    expect(fixed).toContain(toPass[1]);
    expect(o.changes!.from.runId).toBe(prod.runIds[28]);
    expect(o.changes!.resourcesTotal).toBeGreaterThanOrEqual(o.changes!.resources.length);
    expect(o.failing.map((f) => f.id)).toContain(toFail[0]);
    const sev = ['critical', 'high', 'medium', 'low', 'info'];
    expect(o.failing.map((f) => sev.indexOf(f.severity))).toEqual([...o.failing.map((f) => sev.indexOf(f.severity))].sort((a, b) => a - b));
  });

  it('trend: the runs of the window, or all of them', async () => {
    const week = await get<Overview>(`/api/overview?cluster=${q(prod.key)}&days=7`);
    expect(week.trend.points.map((p) => p.runId)).toEqual(prod.runIds.slice(22));
    const all = await get<Overview>(`/api/overview?cluster=${q(prod.key)}&days=0`);
    expect(all.trend.points).toHaveLength(30);
    expect(all.trend.points[29]!.score).toBe(all.latest.score);
  });

  it('a cluster with one run has no comparison', async () => {
    const o = await get<Overview>(`/api/overview?cluster=${q(lab.key)}`);
    expect(o.previous).toBeUndefined();
    expect(o.changes).toBeUndefined();
    expect(o.latest.gaps).toBe(1); // the newest run of every seeded cluster lacks one permission
  });

  it('rejects an unknown cluster (404) and a bad window (400)', async () => {
    const e = await get<{ error: { message: string; fix: string } }>('/api/overview?cluster=nope', 404);
    expect(e.error.message).toMatch(/no cluster "nope"/);
    expect(e.error.fix).toMatch(/\/api\/clusters/);
    await get('/api/overview?days=-1', 400);
    await get('/api/overview?days=abc', 400);
  });
});

describe('controls', () => {
  it('lists every control of the newest run with its status in the last runs', async () => {
    const { toFail, toPass } = flipControls();
    const list = await get<ControlList>(`/api/controls?cluster=${q(clusterId(prod.key))}&history=10`);
    expect(list.total).toBe(62);
    expect(list.controls).toHaveLength(62);
    expect(list.historyRuns.map((r) => r.runId)).toEqual(prod.runIds.slice(20));
    for (const c of list.controls) expect(c.history).toHaveLength(10);
    const flipped = list.controls.find((c) => c.id === toFail[0])!;
    expect(flipped.status).toBe('fail');
    expect(flipped.history.slice(-2)).toEqual(['pass', 'fail']);
    const expected = prod.runIds.slice(20).map((_, i) => scheduled(20 + i, 30, 0)[toPass[0]!]);
    expect(list.controls.find((c) => c.id === toPass[0])!.history).toEqual(expected);
    expect(list.facets.sections.map((s) => s.id)).toEqual(Object.keys(SECTIONS));
    expect(list.facets.criteria.length).toBeGreaterThan(10);
  });

  it('filters by section, criterion, owner, status, automation and text', async () => {
    const base = `/api/controls?cluster=${q(prod.key)}`;
    const all = (await get<ControlList>(base)).controls;
    const by = async (query: string) => (await get<ControlList>(`${base}&${query}`)).controls;
    expect((await by('section=CC5')).map((c) => c.id)).toEqual(all.filter((c) => c.section === 'CC5').map((c) => c.id));
    expect((await by('tsc=CC6.1')).every((c) => c.tsc.includes('CC6.1'))).toBe(true);
    expect((await by('status=fail')).length).toBe(all.filter((c) => c.status === 'fail').length);
    expect((await by('automation=manual')).every((c) => c.automation === 'manual')).toBe(true);
    const owner = all[0]!.owners.primary[0]!.role;
    expect((await by(`owner=${q(owner.toUpperCase())}`)).length).toBe(all.filter((c) => [...c.owners.primary, ...c.owners.supporting].some((o) => o.role === owner)).length);
    expect((await by('q=hard-03')).map((c) => c.id)).toEqual(['CC5-HARD-03']);
    expect(await by('q=no-such-words-anywhere')).toEqual([]);
    expect((await by('section=CC5&status=pass')).every((c) => c.section === 'CC5' && c.status === 'pass')).toBe(true);
  });

  it('rejects an unknown status or automation level with the accepted values', async () => {
    const e = await get<{ error: { message: string } }>(`/api/controls?status=green`, 400);
    expect(e.error.message).toMatch(/unknown status "green"; expected one of pass, fail/);
    await get(`/api/controls?automation=robotic`, 400);
    await get(`/api/controls?history=0`, 400);
  });
});

describe('one control', () => {
  it('has its description, owners, evidence and remediation, without the findings', async () => {
    const d = await get<ControlDetail>(`/api/controls/CC5-HARD-03?cluster=${q(clusterId(prod.key))}`);
    expect(d.control.id).toBe('CC5-HARD-03');
    expect(d.control.description.length).toBeGreaterThan(50);
    expect(d.control.owners.primary.length).toBeGreaterThan(0);
    expect(d.control.remediation.summary.length).toBeGreaterThan(10);
    expect(d.control.evidence.required.length).toBeGreaterThan(0);
    expect('findings' in d.control).toBe(false);
    expect(d.control.findingCounts.fail).toBe(d.control.counts.fail);
    expect(d.control.findingCounts.total).toBeGreaterThan(d.control.findingCounts.fail);
    expect(d.run.runId).toBe(prod.runIds[29]);
  });

  it('has every sample of the default window (90 days to the newest run), each with its run and snapshot', async () => {
    const d = await get<ControlDetail>(`/api/controls/CC5-HARD-03?cluster=${q(prod.key)}`);
    expect(d.window).toEqual({ from: '2025-10-03', to: '2025-12-31', runs: 30 });
    expect(d.period!.timeline.map((s) => s.runId)).toEqual(prod.runIds);
    const runs = await seeded.store.runs({ clusterKey: prod.key });
    expect(d.period!.timeline.map((s) => s.snapshotDigest)).toEqual(runs.map((r) => r.snapshotDigest));
    expect(d.period!.samples).toBe(30);
  });

  it('computes the failure intervals of a flipping control in a chosen window', async () => {
    const { toFail } = flipControls();
    const d = await get<ControlDetail>(`/api/controls/${toFail[0]}?cluster=${q(prod.key)}&from=2025-12-10&to=2025-12-31`);
    const days = prod.ats.map((a, i) => ({ a, st: scheduled(i, 30, 0)[toFail[0]!] })).filter((x) => x.a >= '2025-12-10');
    expect(d.period!.timeline.map((s) => s.status)).toEqual(days.map((x) => x.st));
    const fails = d.period!.failIntervals;
    expect(fails[fails.length - 1]).toMatchObject({ open: true, firstSeen: '2025-12-31T02:00:00.000Z', firstRunId: prod.runIds[29] });
    expect(d.period!.verdict).not.toBe('operated-effectively');
    expect(d.window.runs).toBe(days.length);
  });

  it('a window without runs has no period; bad requests are refused', async () => {
    const d = await get<ControlDetail>(`/api/controls/CC5-HARD-03?cluster=${q(prod.key)}&from=2020-01-01&to=2020-01-31`);
    expect(d.period).toBeUndefined();
    expect(d.window.runs).toBe(0);
    await get(`/api/controls/CC5-NOPE-99?cluster=${q(prod.key)}`, 404);
    await get(`/api/controls/${q('../etc')}`, 400);
    await get(`/api/controls/CC5-HARD-03?from=2025-13-01`, 400);
    await get(`/api/controls/CC5-HARD-03?from=2025-02-30`, 400);
    const e = await get<{ error: { message: string } }>(`/api/controls/CC5-HARD-03?from=2025-12-31&to=2025-01-01`, 400);
    expect(e.error.message).toMatch(/ends .* before it starts/);
  });
});

describe('findings', () => {
  it('pages through the failing resources of a control without losing or repeating any', async () => {
    const runId = prod.runIds[29]!;
    const first = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?control=CC5-HARD-03&status=fail&limit=7`);
    const seen: string[] = [];
    for (let offset = 0; offset < first.total; offset += 7) {
      const page = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?control=CC5-HARD-03&status=fail&limit=7&offset=${offset}`);
      expect(page.items.every((f) => f.status === 'fail' && f.control === 'CC5-HARD-03' && !f.system)).toBe(true);
      seen.push(...page.items.map((f) => `${f.rule} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}`));
    }
    expect(seen).toHaveLength(first.total);
    const result = await seeded.store.loadResult(runId);
    const ctl = result.controls.find((c) => c.id === 'CC5-HARD-03')!;
    expect(first.total).toBe(ctl.findings.filter((f) => f.status === 'fail' && !f.system).length);
  });

  it('filters by severity, namespace, kind, text and system namespaces', async () => {
    const runId = prod.runIds[29]!;
    const all = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?limit=500&system=include`);
    const system = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?limit=500&system=only`);
    const plain = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?limit=1`);
    expect(system.items.every((f) => f.system)).toBe(true);
    expect(plain.total + system.total).toBe(all.total);
    const ns = all.items.find((f) => f.resource.namespace)!.resource.namespace!;
    const inNs = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?namespace=${q(ns)}&system=include&limit=500`);
    expect(inNs.items.every((f) => f.resource.namespace === ns)).toBe(true);
    const high = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?severity=high&limit=500`);
    expect(high.items.every((f) => f.severity === 'high')).toBe(true);
    const text = await get<Page<FindingRow>>(`/api/runs/${runId}/findings?q=DEBUG-SHELL&limit=500`);
    expect(text.total).toBeGreaterThan(0);
    expect(text.items.every((f) => [f.resource.name, f.resource.namespace ?? '', f.resource.kind, f.message, f.rule].join(' ').toLowerCase().includes('debug-shell'))).toBe(true);
    await get(`/api/runs/${runId}/findings?severity=urgent`, 400);
    await get(`/api/runs/${runId}/findings?system=maybe`, 400);
    await get(`/api/runs/${runId}/findings?limit=501`, 400);
    await get(`/api/runs/${runId}/findings?control=CC5-NOPE-99`, 404);
  });

  it('/api/findings reads the newest run of a cluster', async () => {
    const page = await get<Page<FindingRow> & { runId: string }>(`/api/findings?cluster=${q(stage.key)}&status=fail&limit=3`);
    expect(page.runId).toBe(stage.runIds[11]);
    expect(page.items).toHaveLength(3);
  });
});

describe('runs', () => {
  it('lists the runs of a cluster newest first, in pages', async () => {
    const p1 = await get<Page<RunBrief>>(`/api/runs?cluster=${q(prod.key)}&limit=10`);
    const p3 = await get<Page<RunBrief>>(`/api/runs?cluster=${q(prod.key)}&limit=10&offset=20`);
    expect(p1.total).toBe(30);
    expect(p1.items.map((r) => r.runId)).toEqual([...prod.runIds].reverse().slice(0, 10));
    expect(p3.items.map((r) => r.runId)).toEqual([...prod.runIds].reverse().slice(20));
    const dec = await get<Page<RunBrief>>(`/api/runs?cluster=${q(prod.key)}&from=2025-12-25&to=2025-12-27`);
    expect(dec.items.map((r) => r.at.slice(0, 10))).toEqual(['2025-12-27', '2025-12-26', '2025-12-25']);
    await get(`/api/runs?limit=0`, 400);
  });

  it('shows one run: record, gaps, neighbours; ids may be shortened', async () => {
    const id = prod.runIds[29]!;
    const d = await get<RunDetail>(`/api/runs/${id}`);
    expect(d.run.runId).toBe(id);
    expect(d.previous).toBe(prod.runIds[28]);
    expect(d.next).toBeUndefined();
    expect(d.gaps).toHaveLength(1);
    expect(d.gaps[0]).toMatchObject({ source: 'aws', permission: 'guardduty:ListDetectors' });
    expect(d.controls).toHaveLength(62);
    expect(d.run.hash).toMatch(/^sha256:/);
    expect(JSON.stringify(d)).not.toMatch(/"objects"|"facts"/); // results, never snapshot content
    const mid = await get<RunDetail>(`/api/runs/${prod.runIds[10]!.slice(0, 20)}`);
    expect(mid.run.runId).toBe(prod.runIds[10]);
    expect(mid.next).toBe(prod.runIds[11]);
    await get('/api/runs/20200101T000000Z-abcdef', 404);
    await get('/api/runs/not-a-run-id!', 400);
  });
});

describe('diff', () => {
  it('compares the last two runs of a cluster, or two named runs, with resources in pages', async () => {
    const { toFail } = flipControls();
    const d = await get<RunDiff & { resourcesTotal: number }>(`/api/diff?cluster=${q(prod.key)}`);
    expect(d.from.runId).toBe(prod.runIds[28]);
    expect(d.to.runId).toBe(prod.runIds[29]);
    expect(d.controls.find((c) => c.id === toFail[0])?.change).toBe('newly-failing');
    const named = await get<RunDiff & { resourcesTotal: number; offset: number }>(`/api/diff?from=${prod.runIds[0]}&to=${prod.runIds[29]}&limit=2&offset=1`);
    expect(named.resources.length).toBeLessThanOrEqual(2);
    expect(named.offset).toBe(1);
    expect(named.sameCluster).toBe(true);
    const cross = await get<RunDiff>(`/api/diff?from=${stage.runIds[0]}&to=${prod.runIds[29]}`);
    expect(cross.sameCluster).toBe(false);
    await get(`/api/diff?from=${prod.runIds[0]}`, 400);
    const one = await get<{ error: { message: string } }>(`/api/diff?cluster=${q(lab.key)}`, 404);
    expect(one.error.message).toMatch(/a comparison needs two/);
  });
});

describe('period', () => {
  it('is the engine\'s period computation over the stored rows, timelines left out unless asked', async () => {
    const view = await get<PeriodView>(`/api/period?cluster=${q(clusterId(prod.key))}&from=2025-12-01&to=2025-12-31`);
    const data = await seeded.store.periodData(prod.key, '2025-12-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z');
    const expected = computePeriod([{ key: prod.key, cluster: prod.identity, ...data }], { from: '2025-12-01', to: '2025-12-31', generatedAt: NOW, toolVersion: 'test' });
    expect(view.timelines).toBe(false);
    expect(view.clusters[0]!.controls.every((c) => c.timeline.length === 0)).toBe(true);
    const full = await get<PeriodView>(`/api/period?cluster=${q(prod.key)}&from=2025-12-01&to=2025-12-31&timeline=true`);
    const { window: _w, timelines: _t, verification, ...rest } = full;
    expect(rest).toEqual(expected);
    expect(verification).toMatchObject({ ok: true, problemCount: 0 });
    expect(full.clusters[0]!.runs).toBe(30);
  });

  it('covers every cluster with runs in the window for cluster=*, and defaults to 90 days', async () => {
    const all = await get<PeriodView>('/api/period?cluster=*&from=2025-12-15&to=2025-12-31');
    expect(all.clusters.map((c) => c.key).sort()).toEqual([prod.key, stage.key].sort()); // lab has no run then
    const dflt = await get<PeriodView>(`/api/period?cluster=${q(stage.key)}`);
    expect(dflt.window).toMatchObject({ from: '2025-09-22', to: '2025-12-20' });
  });

  it('exports the period report in every format of the CLI', async () => {
    const url = (f: string) => `/api/period/export?cluster=${q(prod.key)}&from=2025-12-20&to=2025-12-31&format=${f}`;
    const cases: [string, RegExp, (body: string) => void][] = [
      ['json', /^application\/json/, (b) => expect((JSON.parse(b) as PeriodResult).schema).toBe('eks-soc2/period@1')],
      ['csv', /^text\/csv/, (b) => expect(b.split('\n')[0]).toMatch(/control/i)],
      ['markdown', /^text\/markdown/, (b) => expect(b).toMatch(/CC5\\?-HARD\\?-03/)],
      ['html', /^text\/html/, (b) => expect(b).toMatch(/^<!doctype html>/i)],
      ['terminal', /^text\/plain/, (b) => expect(b).toMatch(/CC5-HARD-03/)],
      ['oscal', /^application\/json/, (b) => expect(JSON.parse(b)).toHaveProperty('assessment-results')],
    ];
    for (const [format, type, check] of cases) {
      const r = await app.inject({ url: url(format) });
      expect(r.statusCode, `${format}: ${r.body.slice(0, 200)}`).toBe(200);
      expect(r.headers['content-type']).toMatch(type);
      expect(r.headers['content-disposition']).toMatch(/^attachment; filename="eks-soc2-period-acme-prod-2025-12-20-to-2025-12-31\.[a-z.]+"$/);
      check(r.body);
    }
    const bad = await app.inject({ url: url('docx') });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.fix).toMatch(/available: terminal, json/);
    expect((await app.inject({ url: `/api/period/export?cluster=${q(prod.key)}` })).statusCode).toBe(400);
    expect((await app.inject({ url: `/api/period/export?format=constructor` })).statusCode).toBe(400);
  });
});

describe.skipIf(!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'))('PDF export', () => {
  it('prints the period report with the local Chromium', async () => {
    const r = await app.inject({ url: `/api/period/export?cluster=${q(prod.key)}&from=2025-12-25&to=2025-12-31&format=pdf` });
    expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 90_000);
});

describe('errors and edges', () => {
  it('answers unknown API paths with JSON 404 and HEAD like GET', async () => {
    const r = await app.inject({ url: '/api/nothing-here' });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const head = await app.inject({ method: 'HEAD', url: '/api/clusters' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('an empty store: no clusters, and pages say how to store a run', async () => {
    const empty = await seededStore({ end: '2025-12-31', clusters: [] });
    const a = await dashboard(empty.store);
    try {
      expect(JSON.parse((await a.inject({ url: '/api/clusters' })).body)).toEqual({ clusters: [] });
      const o = await a.inject({ url: '/api/overview' });
      expect(o.statusCode).toBe(404);
      expect(JSON.parse(o.body).error.fix).toMatch(/eks-soc2 scan --store/);
      expect((await a.inject({ url: '/api/period' })).statusCode).toBe(404);
    } finally {
      await a.close();
      await empty.close();
    }
  });

  it('a store that stops answering: health and API report it without a stack trace', async () => {
    const own = await openStore({ kind: 'sqlite', path: seeded.path }, { mode: 'read', toolVersion: 'test' });
    const lines: string[] = [];
    const a = await dashboard(own, { log: (l) => lines.push(l) });
    try {
      expect((await a.inject({ url: '/healthz' })).statusCode).toBe(200);
      await own.close();
      const h = await a.inject({ url: '/healthz' });
      expect(h.statusCode).toBe(503);
      expect(h.body).toMatch(/does not answer/);
      const r = await a.inject({ url: '/api/clusters' });
      expect(r.statusCode).toBe(500);
      expect(r.body).not.toMatch(/at .*\.ts:\d+/);
      expect(lines.some((l) => l.startsWith('healthz: the evidence store did not answer'))).toBe(true);
    } finally {
      await a.close();
    }
  });
});

describe('a real listening server', () => {
  it('serves the API, the UI shell and its assets on 127.0.0.1 and stops cleanly', async () => {
    const running = await startDashboard({
      store: seeded.store, computePeriod, score, toolVersion: 'test', host: '127.0.0.1', port: 0,
    });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const [clusters, html, js, css, controlPage] = await Promise.all([
        fetch(`${running.url}api/clusters`), fetch(running.url), fetch(`${running.url}assets/js/main.js`), fetch(`${running.url}assets/app.css`),
        fetch(`${running.url}controls/CC5-HARD-03?cluster=x`),
      ]);
      expect(((await clusters.json()) as { clusters: unknown[] }).clusters).toHaveLength(3);
      const shell = await html.text();
      expect(shell).toMatch(/<script type="module" src="\/assets\/js\/main.js"><\/script>/);
      expect(shell).not.toMatch(/<script>/); // no inline script
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect(await controlPage.text()).toBe(shell);
      const counts: StatusCounts[] = await Promise.all(Array.from({ length: 8 }, async () => ((await (await fetch(`${running.url}api/overview`)).json()) as Overview).latest.controls));
      expect(new Set(counts.map((c) => JSON.stringify(c))).size).toBe(1);
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.url}healthz`)).rejects.toThrow();
  });
});
