// The store remembers when it first saw each CRITICAL vulnerability of a workload's image (schema 3,
// vuln_first_seen), so that CC3-RA-03 ages it from there: the Trivy operator re-creates its reports
// every 24 h, so a report's creationTimestamp never ages past the SLA.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EvidenceStore } from '../../src/store/index.js';
import { clusterKey, openStore } from '../../src/store/index.js';
import type { ControlResult, FirstSeenLookup, Snapshot } from '../../src/model/index.js';
import { IMAGE_SIGHTING, defaultConfig, sightingKey, vulnerabilitySightings } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { CC3_RA_03 } from '../../src/catalog/cc3.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { runCli } from '../helpers/cli.js';
import { startKubeApiServer, writeKubeconfigFile } from '../helpers/kube-api-server.js';
import type { KubeApiServer } from '../helpers/kube-api-server.js';
import { backends } from './backends.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const ago = (d: number) => new Date(NOW - d * DAY);
const iso = (d: number) => ago(d).toISOString();

/** A Trivy report of shop/api (ReplicaSet `rs`), re-created `createdDaysAgo` days ago, listing `crits` (no publication dates). */
function report(rs: string, crits: string[], createdDaysAgo = 1): string {
  return `---
apiVersion: aquasecurity.github.io/v1alpha1
kind: VulnerabilityReport
metadata:
  name: replicaset-${rs}-app
  namespace: shop
  creationTimestamp: "${iso(createdDaysAgo)}"
  labels: { trivy-operator.resource.kind: ReplicaSet, trivy-operator.resource.name: ${rs}, trivy-operator.resource.namespace: shop, trivy-operator.container.name: app }
report:
  registry: { server: 111122223333.dkr.ecr.eu-west-1.amazonaws.com }
  artifact: { repository: api, tag: "1.4.2" }
  summary: { criticalCount: ${crits.length}, highCount: 0, mediumCount: 0, lowCount: 0, unknownCount: 0 }
  updateTimestamp: "${iso(createdDaysAgo)}"
  vulnerabilities: [${crits.map((c) => `{ vulnerabilityID: ${c}, severity: CRITICAL, resource: openssl, installedVersion: "3.0.14", title: t }`).join(', ')}]
`;
}

function snapshotOf(yaml: string): Snapshot {
  return makeSnapshot({ k8s: yaml, cluster: { name: 'acme-prod', region: 'eu-west-1', accountId: '111122223333' } });
}

function judge(snapshot: Snapshot, at: Date, firstSeen?: FirstSeenLookup) {
  const run = evaluate(snapshot, [CC3_RA_03], { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: at, ...(firstSeen ? { firstSeen } : {}) });
  return { run, control: run.controls[0]! };
}

const sla = (c: ControlResult) => c.findings.find((f) => f.rule === 'no-critical-past-sla')!;

describe('sighting keys', () => {
  it('a ReplicaSet report is keyed by its Deployment (the pod-template hash is dropped) and the image without tag', () => {
    const [o] = snapshotOf(report('api-5d8f7c9b4', ['CVE-1'])).kubernetes.objects;
    expect(sightingKey(o!)).toEqual({ workload: 'shop/ReplicaSet/api/app', image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/api' });
    expect(vulnerabilitySightings([o!]).map((s) => s.vulnerability)).toEqual([IMAGE_SIGHTING, 'CVE-1']);
  });
});

for (const { backend: b, skip } of backends('firstseen')) {
  describe.skipIf(skip)(`first sight of vulnerabilities (${b.name})`, () => {
    let store: EvidenceStore;
    beforeEach(async () => {
      await b.setup();
      store = await b.open('write');
    });
    afterEach(async () => {
      await store?.close();
      await b.teardown();
    });
    const key = clusterKey({ name: 'acme-prod', region: 'eu-west-1', accountId: '111122223333' });

    /** Evaluate and store a run `daysAgo` days ago (its evidence time). */
    async function storeRun(yaml: string, daysAgo: number): Promise<void> {
      const snap = snapshotOf(yaml);
      const { run } = judge(snap, ago(daysAgo));
      await store.appendRun(run, snap, { at: ago(daysAgo) });
    }

    it('a renewed report no longer resets the age: the second run ages the vulnerability from the first', async () => {
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0001'], 31), 30);
      // Today's report was re-created yesterday, and the ReplicaSet rolled (a new hash): the same workload and image.
      const today = snapshotOf(report('api-7f6c4d8b9', ['CVE-2026-0001'], 1));
      const without = judge(today, new Date(NOW));
      expect(sla(without.control).status).toBe('error');
      expect(sla(without.control).message).toMatch(/first sight unknown: scan with --store/);

      const { lookup, size } = await store.firstSeen(key);
      expect(size).toBe(2);
      const { control } = judge(today, new Date(NOW), lookup);
      const f = sla(control);
      expect(f.status).toBe('fail');
      expect(f.message).toMatch(/CVE-2026-0001 open for at least 30 days .*the evidence store first saw it on 2026-10-27/);
      expect(f.details).toMatchObject({ ageFrom: 'store', dateSource: 'store', openSince: iso(30) });
    });

    it('a vulnerability the store watched appear (the image was seen without it before) is aged from its first sight: within the SLA, a pass', async () => {
      await storeRun(report('api-5d8f7c9b4', [], 1), 40);
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0002'], 1), 5);
      const { lookup } = await store.firstSeen(key);
      const f = sla(judge(snapshotOf(report('api-5d8f7c9b4', ['CVE-2026-0002'], 1)), new Date(NOW), lookup).control);
      expect(f.status).toBe('pass');
      expect(f.message).toMatch(/open for 5 day\(s\), within the 15-day SLA, since the evidence store first saw it on .*after it had seen the image without it/);
      expect(f.details).toMatchObject({ ageFrom: 'store' });
    });

    it('first seen together with the image: the age is a lower bound, so within the SLA it is not evaluated', async () => {
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0003'], 1), 5);
      const { lookup } = await store.firstSeen(key);
      const f = sla(judge(snapshotOf(report('api-5d8f7c9b4', ['CVE-2026-0003'], 1)), new Date(NOW), lookup).control);
      expect(f.status).toBe('error');
      expect(f.message).toMatch(/with the image \(the vulnerability may be older\)/);
    });

    it('a run stored out of order (an earlier --now) moves the first sight back; later runs never move it forward', async () => {
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0004'], 1), 5);
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0004'], 1), 20);
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0004'], 1), 2);
      const { lookup } = await store.firstSeen(key);
      expect(lookup('shop/ReplicaSet/api/app', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/api', 'CVE-2026-0004')).toBe(iso(20));
      const rows = await store.driver.all('SELECT run_id FROM vuln_first_seen WHERE vulnerability = ?', ['CVE-2026-0004']);
      const runs = await store.runs({ clusterKey: key });
      expect(rows.map((r) => r.run_id)).toEqual([runs.find((r) => r.at === iso(20))!.runId]);
    });

    it('first sights are written in the transaction of the run: a run that fails to commit leaves none', async () => {
      const snap = snapshotOf(report('api-5d8f7c9b4', ['CVE-2026-0005'], 1));
      const { run } = judge(snap, ago(3));
      await expect(store.appendRun(run, snap, { at: ago(3), beforeCommit: async () => { throw new Error('crash before commit'); } })).rejects.toThrow(/crash before commit/);
      expect((await store.firstSeen(key)).size).toBe(0);
    });

    it('each cluster has its own first sights', async () => {
      await storeRun(report('api-5d8f7c9b4', ['CVE-2026-0006'], 1), 30);
      expect((await store.firstSeen(clusterKey({ name: 'other', region: 'eu-west-1', accountId: '111122223333' }))).size).toBe(0);
    });
  });
}

describe('scan --store reads the first sights before evaluating (CLI)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'eks-soc2-first-seen-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the second scan of the same (renewed) report ages the vulnerability from the first one', async () => {
    const file = join(dir, 'reports.yaml');
    const url = `sqlite:${join(dir, 'e.db')}`;
    const scan = async (now: string, createdDaysAgo: number, store = true) => {
      writeFileSync(file, report('api-5d8f7c9b4', ['CVE-2026-0001'], createdDaysAgo).replaceAll(iso(createdDaysAgo), new Date(Date.parse(now) - createdDaysAgo * DAY).toISOString()));
      const r = await runCli(['scan', '-f', file, '--name', 'acme-prod', '--control', 'CC3-RA-03', '--format', 'json', '--now', now, ...(store ? ['--store', url] : []), '--quiet']);
      const run = JSON.parse(r.stdout) as { controls: ControlResult[] };
      return sla(run.controls[0]!);
    };
    const first = await scan(iso(30), 1);
    expect(first.status).toBe('error');
    const second = await scan(iso(0), 1);
    expect(second.status).toBe('fail');
    expect(second.details).toMatchObject({ ageFrom: 'store', openSince: iso(30) });
    // Without --store the same evidence cannot be aged.
    expect((await scan(iso(0), 1, false)).status).toBe('error');
  });
});

describe('a fleet scan (--contexts) with --store reads the first sights of each cluster', () => {
  let server: KubeApiServer;
  let dir: string;
  beforeAll(async () => {
    const objs = parseAllDocuments(report('api-5d8f7c9b4', ['CVE-2026-0001'], 1)).map((d) => d.toJS() as Record<string, unknown>).filter(Boolean);
    server = await startKubeApiServer({ token: 't', objects: objs, serve: ['apps/Deployment', 'apps/ReplicaSet', 'core/Pod', 'core/Namespace'] });
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-first-seen-fleet-'));
  });
  afterAll(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('the second fleet scan ages the (renewed) report\'s vulnerability from the first', async () => {
    const kubeconfig = writeKubeconfigFile({ server: server.url, caData: server.caData, token: 't', context: 'prod' });
    const store = join(dir, 'fleet.db');
    const scan = (now: string) => runCli(['scan', '--kubeconfig', kubeconfig, '--contexts', 'prod', '--no-aws', '--qps', '0', '--control', 'CC3-RA-03',
      '--store', `sqlite:${store}`, '--now', now, '--fail-on', 'never', '--format', 'json']);
    expect((await scan(iso(30))).code).not.toBe(2);
    expect((await scan(iso(0))).code).not.toBe(2);
    const s = await openStore({ kind: 'sqlite', path: store }, { mode: 'read', toolVersion: 'test' });
    try {
      const runs = await s.runs();
      expect(runs).toHaveLength(2);
      const last = await s.loadResult(runs.find((r) => r.at === iso(0))!.runId);
      const f = sla(last.controls[0]!);
      expect(f.status).toBe('fail');
      expect(f.details).toMatchObject({ ageFrom: 'store', openSince: iso(30) });
    } finally {
      await s.close();
    }
  });
});
