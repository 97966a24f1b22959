/**
 * A scan of a live cluster gives the same results as a file scan of the same objects: the demo
 * environment's objects are served by the test API server and also written to a file; both
 * snapshots (with the same AWS facts and cluster identity) are evaluated with the whole catalog.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, Snapshot } from '../../../src/model/index.js';
import { emptySnapshot, kindKey } from '../../../src/model/index.js';
import { catalog, CATALOG_VERSION, evidenceKeys } from '../../../src/catalog/index.js';
import { evaluate } from '../../../src/engine/index.js';
import { defaultConfig } from '../../../src/model/index.js';
import { demoSnapshot } from '../../../src/collectors/demo/index.js';
import { collectFiles } from '../../../src/collectors/files/read.js';
import { collectLive } from '../../../src/collectors/kubernetes/index.js';
import { startKubeApiServer } from '../../helpers/kube-api-server.js';
import type { KubeApiServer } from '../../helpers/kube-api-server.js';

const NOW = new Date('2026-11-26T12:00:00Z');

function run(snapshot: Snapshot): RunResult {
  return evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: CATALOG_VERSION, now: NOW, waivers: [], attestations: [] });
}

/** What must match: per control, the status and the findings (rule, status, severity, resource kind/namespace/name, message). */
function digest(r: RunResult): Record<string, { status: string; findings: string[] }> {
  const out: Record<string, { status: string; findings: string[] }> = {};
  for (const c of r.controls) {
    out[c.id] = {
      status: c.status,
      findings: c.findings.map((f) => [f.rule, f.status, f.severity, f.resource.kind, f.resource.namespace ?? '', f.resource.name, f.message].join(' | ')).sort(),
    };
  }
  return out;
}

describe('live scan == file scan of the same objects', () => {
  let server: KubeApiServer;
  let demo: Snapshot;
  let live: Snapshot;
  let files: Snapshot;

  beforeAll(async () => {
    demo = demoSnapshot('test', NOW);
    server = await startKubeApiServer({
      token: 't',
      objects: structuredClone(demo.kubernetes.objects) as unknown as Record<string, unknown>[],
      version: { major: '1', minor: '33', gitVersion: demo.kubernetes.serverVersion ?? 'v1.33.5' },
    });
    const keys = evidenceKeys(catalog);
    const r = await collectLive({ kubeconfig: server.writeKubeconfig({ token: 't' }), keys, secretsMetadata: true, qps: 0, home: '/nonexistent' });
    live = emptySnapshot('test', NOW);
    live.kubernetes = r.kubernetes;
    live.gaps.push(...r.gaps);
    live.cluster = demo.cluster;
    live.aws = structuredClone(demo.aws);

    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-equiv-'));
    const file = join(dir, 'cluster.json');
    // In the order an API server returns them (by kind, then namespace/name), as `kubectl get -o json` dumps are:
    // some checks list resources in messages in input order.
    const order = (o: Snapshot['kubernetes']['objects'][number]) => [kindKey(o.apiVersion, o.kind), `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`] as const;
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const items = [...demo.kubernetes.objects].sort((x, y) => cmp(order(x)[0], order(y)[0]) || cmp(order(x)[1], order(y)[1]));
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    files = await collectFiles([file], { toolVersion: 'test', completeInventory: true });
    files.kubernetes.serverVersion = demo.kubernetes.serverVersion!;
    files.cluster = demo.cluster;
    files.aws = structuredClone(demo.aws);
  });
  afterAll(async () => { await server?.close(); });

  it('collects every kind without gaps', () => {
    expect(live.gaps).toEqual([]);
    const states = Object.entries(live.kubernetes.kinds).filter(([, c]) => c.state !== 'collected' && c.state !== 'absent');
    expect(states).toEqual([]);
  });

  it('gives the same control statuses and findings', () => {
    const a = digest(run(live));
    const b = digest(run(files));
    expect(Object.keys(a).length).toBe(catalog.length);
    // The comparison covers real results, not empty ones.
    expect(Object.values(a).reduce((n, c) => n + c.findings.length, 0)).toBeGreaterThan(20);
    for (const id of Object.keys(b)) {
      expect({ id, ...a[id] }).toEqual({ id, ...b[id] });
    }
  });
});
