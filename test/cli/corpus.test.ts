import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../../src/engine/index.js';
import { defaultConfig } from '../../src/model/index.js';

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
