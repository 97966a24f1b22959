import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { defaultConfig } from '../../src/model/index.js';
import { CC5_IAM_03 } from '../../src/catalog/cc5.js';

const CORPUS = '/work/shared/corpus';

/**
 * The whole external corpus (real manifests and tool outputs written by other projects) through
 * the file collector and every control: no crash, every unreadable file reported with a reason,
 * and a per-resource finding for every workload, RBAC object, namespace, StorageClass and Ingress.
 */
describe.skipIf(!existsSync(CORPUS))('scanning the whole corpus', () => {
  it('reads everything it can, explains the rest, and reports on every resource of the audited kinds', async () => {
    const snap = await collectFiles([CORPUS], { toolVersion: 't' });
    const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date('2026-11-26T12:00:00Z') });
    expect(run.controls).toHaveLength(catalog.length);
    // Every file problem names the file and says why.
    for (const g of snap.gaps.filter((x) => x.source === 'files')) expect(g.message).toMatch(/^\/work\/shared\/corpus\/\S+(:\d+)?: \S/);
    expect(snap.tools.map((t) => t.tool)).toContain('kube-bench');

    const seen = new Set<string>();
    for (const c of run.controls) for (const f of c.findings) if (f.resource.provider === 'kubernetes') seen.add(`${f.resource.kind}|${f.resource.namespace ?? ''}|${f.resource.name}`);
    const AUDITED = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController',
      'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Namespace', 'StorageClass', 'Ingress']);
    const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass']);
    const missing: string[] = [];
    let audited = 0;
    for (const o of snap.kubernetes.objects) {
      if (!AUDITED.has(o.kind)) continue;
      // Pods and ReplicaSets owned by a workload in the input are reported on that workload.
      if (o.metadata.ownerReferences?.length && ['Pod', 'ReplicaSet', 'Job'].includes(o.kind)) continue;
      audited++;
      const name = o.metadata.name ?? o.metadata.generateName ?? '(unnamed)';
      const ns = CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata.namespace ?? '';
      if (!seen.has(`${o.kind}|${ns}|${name}`) && !seen.has(`${o.kind}|default|${name}`)) missing.push(`${o.kind} ${ns}/${name} (${o.$source?.file}:${o.$source?.line})`);
    }
    expect(audited).toBeGreaterThan(900);
    expect(missing).toEqual([]);
  }, 120_000);
});

const RBAC = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ya?ml|json)$/.test(n) ? [p] : [];
  });
}

/**
 * Each corpus file on its own, as a CI scan of one chart or manifest (`scan -f file`, no
 * --complete-inventory): every Role, ClusterRole and binding in it gets a CC5-IAM-03 finding, whatever
 * other RBAC kinds the file lacks, and no check crashes.
 */
describe.skipIf(!existsSync(CORPUS))('each corpus file scanned alone', () => {
  it('judges every RBAC object in it (a chart\'s roles with no bindings included)', async () => {
    const missing: string[] = [];
    let objects = 0;
    let scanned = 0;
    for (const file of files(CORPUS)) {
      const snap = await collectFiles([file], { toolVersion: 't' });
      const rbac = snap.kubernetes.objects.filter((o) => RBAC.has(o.kind) && o.apiVersion.startsWith('rbac.authorization.k8s.io/'));
      if (!rbac.length) continue;
      scanned++;
      const run = evaluate(snap, [CC5_IAM_03], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date('2026-11-26T12:00:00Z') });
      const c = run.controls[0]!;
      expect(c.message, file).not.toMatch(/failed unexpectedly/);
      const seen = new Set(c.findings.map((f) => `${f.resource.kind}|${f.resource.namespace ?? ''}|${f.resource.name}`));
      for (const o of rbac) {
        objects++;
        const ns = o.kind.startsWith('Cluster') ? '' : o.metadata.namespace ?? '';
        const name = o.metadata.name ?? '(unnamed)';
        if (!seen.has(`${o.kind}|${ns}|${name}`) && !seen.has(`${o.kind}|default|${name}`)) missing.push(`${o.kind} ${ns}/${name} (${file})`);
      }
    }
    expect(scanned).toBeGreaterThan(20);
    expect(objects).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  }, 300_000);
});
