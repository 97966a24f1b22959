// The Grafana dashboard shipped in deploy/grafana: valid JSON, a ${datasource} input, the panels
// the docs promise, and queries that use only metrics the dashboard server exports.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dashboard, seededStore } from './harness.js';
import type { Seeded } from './harness.js';
import { parseExposition } from './prom.js';

interface Target { expr: string; datasource: { type: string; uid: string } }
interface Panel { title: string; type: string; datasource: { type: string; uid: string }; targets: Target[]; gridPos: { x: number; y: number; w: number; h: number } }
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
  uid: string;
  title: string;
}

const json = readFileSync(new URL('../../deploy/grafana/eks-soc2-dashboard.json', import.meta.url), 'utf8');
const d = JSON.parse(json) as Dashboard;

let seeded: Seeded;
let app: FastifyInstance;
beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'prod', accountId: '111122223333', region: 'eu-west-1', runs: 2 }] });
  app = await dashboard(seeded.store);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await seeded?.close();
});

describe('deploy/grafana/eks-soc2-dashboard.json', () => {
  it('asks for a Prometheus data source and uses it in every panel and query', () => {
    expect(d.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const ds = d.templating.list.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of d.panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets) expect(t.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('has the promised panels', () => {
    const titles = d.panels.map((p) => p.title);
    for (const t of ['Score per cluster', 'Failing controls', 'Failing controls by section over time', 'Evidence gaps', 'Last run age']) expect(titles).toContain(t);
    expect(new Set(d.panels.map((p) => JSON.stringify(p.gridPos))).size).toBe(d.panels.length);
  });

  it('queries only metrics that /metrics exports, filtered by the cluster variable', async () => {
    const exported = new Set(parseExposition((await app.inject({ url: '/metrics' })).body).samples.map((s) => s.name));
    const used = new Set(d.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/eks_soc2_[a-z_]+/g) ?? [])));
    expect(used.size).toBeGreaterThan(6);
    for (const m of used) expect(exported.has(m), m).toBe(true);
    for (const p of d.panels) for (const t of p.targets) if (!t.expr.includes('store_up')) expect(t.expr, p.title).toContain('cluster=~"$cluster"');
  });
});
