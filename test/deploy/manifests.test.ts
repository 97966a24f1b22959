/**
 * deploy/kubernetes and deploy/helm: the checked-in renderings are what the kustomize overlays and
 * the Helm chart produce, the chart and the kustomize base carry the same objects, the RBAC has one
 * source of truth, and the store URL (a credential) is never a literal.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helmTemplate, mergeValues } from './helm.js';
import { kustomizeBuild, parseYamlDocs, strategicMerge, REPO } from './kustomize.js';
import type { Obj } from './kustomize.js';
import { CHART, RENDERINGS } from './render.js';

const UPDATE = process.env.UPDATE_RENDERED === '1';

const docsOf = (text: string, file = 'rendering') => parseYamlDocs(text, file);
const find = (docs: Obj[], kind: string, name?: string) => docs.find((d) => d.kind === kind && (name === undefined || (d.metadata as { name?: string }).name === name));
type Container = { name: string; args: string[]; env: { name: string; value?: string; valueFrom?: Record<string, unknown> }[]; securityContext: unknown; resources: unknown; volumeMounts: { name: string; mountPath: string }[]; image: string };
type PodSpec = { containers: Container[]; securityContext: unknown; automountServiceAccountToken?: boolean; serviceAccountName: string; volumes: { name: string }[] };
const podSpec = (docs: Obj[]) => ((find(docs, 'CronJob') as { spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } } }).spec.jobTemplate.spec.template.spec);

describe('checked-in renderings', () => {
  for (const r of RENDERINGS) {
    it(`${r.name} reproduces ${r.file.slice(REPO.length + 1)}`, () => {
      const text = r.render();
      if (UPDATE) {
        mkdirSync(dirname(r.file), { recursive: true });
        writeFileSync(r.file, text);
      }
      expect(text, 'run UPDATE_RENDERED=1 npx vitest run test/deploy/manifests.test.ts and review the diff').toBe(readFileSync(r.file, 'utf8'));
      // Every document parses and names its kind.
      for (const d of docsOf(text)) expect(typeof d.kind).toBe('string');
    });
  }
});

describe('the kustomize resolver', () => {
  it('merges by the Kubernetes merge keys and deletes with null and $patch: delete', () => {
    const target = { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }], volumes: [{ name: 'v', emptyDir: {} }] } };
    const patch = { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: null, valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'Z', value: '3' }] }], volumes: [{ name: 'v', $patch: 'delete' }] } };
    // kustomize's order (kubectl kustomize agrees): the patch's items first, then the target's others.
    expect(strategicMerge(target, patch)).toEqual({ spec: { containers: [{ name: 'a', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'Z', value: '3' }, { name: 'Y', value: '2' }] }], volumes: [] } });
    const containers = { spec: { containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'b' }] } };
    const p2 = { spec: { containers: [{ name: 'c' }, { name: 'a', env: [{ name: 'X', value: '9' }, { name: 'B', value: '3' }, { name: 'Y', value: '8' }] }] } };
    expect(strategicMerge(containers, p2)).toEqual({ spec: { containers: [{ name: 'c' }, { name: 'a', env: [{ name: 'X', value: '9' }, { name: 'B', value: '3' }, { name: 'Y', value: '8' }, { name: 'A', value: '1' }] }, { name: 'b' }] } });
  });

  it('refuses what it does not implement, and patches of objects that do not exist', () => {
    const dir = join(REPO, 'test/deploy/fixtures/bad-kustomization');
    expect(() => kustomizeBuild(dir)).toThrow(/"namespace" is not supported/);
  });

  it('Helm value files merge maps and replace lists', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] }, d: 1 });
  });
});

describe('one source of truth for RBAC', () => {
  const base = parseYamlDocs(readFileSync(join(REPO, 'deploy/kubernetes/base/rbac.yaml'), 'utf8'), 'rbac.yaml');
  const rulesOf = (docs: Obj[], kind: string) => (find(docs, kind) as { rules: unknown[] }).rules;

  for (const r of RENDERINGS) {
    it(`${r.name}: the ClusterRole and the kube-system Role grant exactly base/rbac.yaml`, () => {
      const docs = docsOf(r.render());
      expect(rulesOf(docs, 'ClusterRole')).toEqual(rulesOf(base, 'ClusterRole'));
      expect(rulesOf(docs, 'Role')).toEqual(rulesOf(base, 'Role'));
      expect((find(docs, 'Role')!.metadata as { namespace: string }).namespace).toBe('kube-system');
      const sa = podSpec(docs).serviceAccountName;
      for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
        const b = find(docs, kind) as { subjects: { kind: string; name: string; namespace?: string }[] };
        expect(b.subjects).toEqual(expect.arrayContaining([{ kind: 'ServiceAccount', name: sa, namespace: 'eks-soc2' }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'soc2-auditor' }]));
      }
    });
  }
});

describe('the same objects from kustomize and Helm', () => {
  const k = docsOf(RENDERINGS[0]!.render());
  const h = docsOf(RENDERINGS[2]!.render());
  const kp = docsOf(RENDERINGS[1]!.render());
  const hp = docsOf(RENDERINGS[3]!.render());

  it('CronJob schedule, policies, security contexts, resources and arguments agree', () => {
    for (const [a, b] of [[k, h], [kp, hp]] as const) {
      const ca = find(a, 'CronJob') as { spec: Record<string, unknown> & { jobTemplate: { spec: Record<string, unknown> } } };
      const cb = find(b, 'CronJob') as typeof ca;
      for (const f of ['schedule', 'timeZone', 'concurrencyPolicy', 'startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) expect(cb.spec[f], f).toEqual(ca.spec[f]);
      for (const f of ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'podFailurePolicy']) expect(cb.spec.jobTemplate.spec[f], f).toEqual(ca.spec.jobTemplate.spec[f]);
      const pa = podSpec(a);
      const pb = podSpec(b);
      expect(pb.securityContext).toEqual(pa.securityContext);
      expect(pb.automountServiceAccountToken).toBe(true);
      expect(pa.automountServiceAccountToken).toBe(true);
      const [xa, xb] = [pa.containers[0]!, pb.containers[0]!];
      expect(xb.securityContext).toEqual(xa.securityContext);
      expect(xb.resources).toEqual(xa.resources);
      // The same version; the registry differs by design: the kustomize base keeps the symbolic name
      // `eks-soc2` for the user's overlay to point at their registry, the chart has a repository value.
      expect(xb.image.split(':').pop()).toBe(xa.image.split(':').pop());
      expect(xb.volumeMounts.map((m) => m.mountPath).sort()).toEqual(xa.volumeMounts.map((m) => m.mountPath).sort());
    }
    expect(podSpec(h).containers[0]!.args).toEqual(podSpec(k).containers[0]!.args);
    // The postgres values also turn on Slack alerts.
    expect(podSpec(hp).containers[0]!.args).toEqual([...podSpec(kp).containers[0]!.args, '--notify-format', 'slack']);
  });

  it('the same kinds (Helm leaves the namespace and its default ServiceAccount to kubectl)', () => {
    const kinds = (docs: Obj[]) => docs.map((d) => String(d.kind)).sort();
    const withoutNamespace = (docs: Obj[]) => docs.filter((d) => d.kind !== 'Namespace' && !(d.kind === 'ServiceAccount' && (d.metadata as { name: string }).name === 'default'));
    expect(kinds(h)).toEqual(kinds(withoutNamespace(k)));
    expect(kinds(hp).filter((x) => x !== 'ConfigMap')).toEqual(kinds(withoutNamespace(kp)).filter((x) => x !== 'ConfigMap'));
  });

  it('the namespace enforces the restricted Pod Security profile (enforce, audit, warn)', () => {
    const ns = find(k, 'Namespace') as { metadata: { labels: Record<string, string> } };
    for (const mode of ['enforce', 'audit', 'warn']) expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    const chartNs = docsOf(helmTemplate(CHART, { releaseName: 'eks-soc2', namespace: 'eks-soc2', values: { namespace: { create: true } } }));
    expect((find(chartNs, 'Namespace') as typeof ns).metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });
});

describe('secrets never appear as literals', () => {
  for (const r of RENDERINGS) {
    it(`${r.name}: EKS_SOC2_STORE ${r.store === 'postgres' ? 'comes from a Secret' : 'names the volume'}`, () => {
      const env = podSpec(docsOf(r.render())).containers[0]!.env;
      const store = env.find((e) => e.name === 'EKS_SOC2_STORE')!;
      if (r.store === 'postgres') {
        expect(store.value).toBeUndefined();
        expect(store.valueFrom).toEqual({ secretKeyRef: { name: 'eks-soc2-store', key: 'url' } });
      } else {
        expect(store.value).toBe('sqlite:/var/lib/eks-soc2/evidence.db');
      }
      const notify = env.find((e) => e.name === 'EKS_SOC2_NOTIFY_URL');
      if (notify) expect(notify.valueFrom).toHaveProperty('secretKeyRef');
    });
  }

  it('no file under deploy/kubernetes or deploy/helm holds a database URL with a password, or a webhook URL', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of [...walk(join(REPO, 'deploy/kubernetes')), ...walk(join(REPO, 'deploy/helm'))]) {
      const text = readFileSync(f, 'utf8');
      const urls = [...text.matchAll(/postgres(?:ql)?:\/\/([^\s:@/]+):([^\s@/]+)@/g)].filter((m) => !(m[1] === 'USER' && m[2] === 'PASSWORD'));
      expect(urls.map((m) => m[0]), f).toEqual([]);
      expect(text, f).not.toMatch(/hooks\.slack\.com\/services\/[A-Z0-9]/);
    }
  });
});
