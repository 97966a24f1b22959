import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript with JSDoc types (bench/ is not part of the TypeScript program)
import { environment, plan, writeBundle, writePodList, writeYaml, writeYamlList } from '../../bench/generator.mjs';
import { collectFiles } from '../../src/collectors/files/read.js';
import type { K8sObject } from '../../src/model/index.js';

interface Env { plan: { pods: number; nodes: number; namespaces: number; services: number }; objects: () => Iterable<K8sObject>; facts: () => unknown[] }
const env = (pods: number, seed = 1) => environment({ pods, seed }) as Env;
const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-gen-'));
const count = (objs: Iterable<K8sObject>) => {
  const c: Record<string, number> = {};
  for (const o of objs) c[o.kind] = (c[o.kind] ?? 0) + 1;
  return c;
};

describe('synthetic cluster generator', () => {
  it('scales to the published limits at 150,000 pods', () => {
    expect(plan(150_000)).toMatchObject({ pods: 150_000, nodes: 5000, namespaces: 10_000, services: 10_000 });
    expect(plan(1000)).toMatchObject({ pods: 1000, nodes: 33, namespaces: 67 });
    expect(() => plan(10)).toThrow(/pods/);
  });

  it('produces the requested counts, with owners that resolve by uid', () => {
    const e = env(600);
    const objs = [...e.objects()];
    const c = count(objs);
    expect(c.Pod).toBe(600);
    expect(c.Node).toBe(e.plan.nodes);
    expect(c.Namespace).toBe(e.plan.namespaces);
    expect(c.Service).toBe(e.plan.services);
    for (const k of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'NodePool']) {
      expect(c[k], k).toBeGreaterThan(0);
    }
    const byUid = new Map(objs.map((o) => [o.metadata.uid, o]));
    expect(byUid.size).toBe(objs.length);
    let owned = 0;
    for (const o of objs) {
      for (const r of o.metadata.ownerReferences ?? []) {
        const owner = byUid.get(r.uid);
        expect(owner?.kind, `${o.kind} ${o.metadata.name}`).toBe(r.kind);
        expect(owner?.metadata.namespace).toBe(o.metadata.namespace);
        owned++;
      }
    }
    expect(owned).toBeGreaterThan(600);
    // A mix of compliant and non-compliant workloads.
    const privileged = objs.filter((o) => o.kind === 'Deployment' && JSON.stringify(o.spec).includes('"privileged":true'));
    const hardened = objs.filter((o) => o.kind === 'Deployment' && JSON.stringify(o.spec).includes('"readOnlyRootFilesystem":true'));
    expect(privileged.length).toBeGreaterThan(0);
    expect(hardened.length).toBeGreaterThan(privileged.length);
    expect(e.facts().length).toBeGreaterThan(5);
  });

  it('is deterministic: the same seed gives the same bytes, another seed does not', async () => {
    const dir = tmp();
    const a = await writeBundle(join(dir, 'a.json'), { pods: 300, seed: 7 });
    const b = await writeBundle(join(dir, 'b.json.gz'), { pods: 300, seed: 7 });
    const c = await writeBundle(join(dir, 'c.json'), { pods: 300, seed: 8 });
    expect(a.sha256).toBe(b.sha256);
    expect(a.bytes).toBe(b.bytes);
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('writes every format so that the file collector reads it without problems', async () => {
    const dir = tmp();
    const pods = 200;
    const files = {
      bundle: join(dir, 'x.bundle.json.gz'), yaml: join(dir, 'x.objects.yaml'), list: join(dir, 'x.pods.json'), yamlList: join(dir, 'x.pods.yaml'),
    };
    const rb = await writeBundle(files.bundle, { pods });
    const ry = await writeYaml(files.yaml, { pods });
    const rl = await writePodList(files.list, { pods });
    const ryl = await writeYamlList(files.yamlList, { pods });
    const bundle = await collectFiles([files.bundle], { toolVersion: '0' });
    expect(bundle.gaps).toEqual([]);
    expect(bundle.kubernetes.objects).toHaveLength(rb.objects);
    expect(bundle.kubernetes.complete).toBe(true);
    expect(bundle.aws.facts.length).toBeGreaterThan(0);
    for (const [file, n, threshold] of [[files.yaml, ry.objects, 1], [files.list, rl.objects, 1], [files.yamlList, ryl.objects, 1], [files.list, rl.objects, Number.MAX_SAFE_INTEGER], [files.yamlList, ryl.objects, Number.MAX_SAFE_INTEGER]] as const) {
      const s = await collectFiles([file], { toolVersion: '0', streamThreshold: threshold });
      expect(s.gaps, file).toEqual([]);
      expect(s.kubernetes.objects, file).toHaveLength(n);
      expect(s.kubernetes.objects.every((o) => o.metadata.managedFields === undefined && o.$source && o.$source.line > 0)).toBe(true);
    }
    expect(rl.objects).toBe(pods);
    // The YAML stream holds the same objects as the bundle (sanitized the same way).
    const fromYaml = await collectFiles([files.yaml], { toolVersion: '0', streamThreshold: 1 });
    const strip = (o: K8sObject) => { const { $source: _s, ...rest } = o; return rest; };
    expect(fromYaml.kubernetes.objects.map(strip)).toEqual(bundle.kubernetes.objects.map(strip));
  });
});
