/**
 * The shipped RBAC (deploy/kubernetes/base/rbac.yaml, also used by the kustomize base) is exactly what the collector uses: a
 * full-catalog collection against the test API server must not make a request the roles do not
 * grant, and the roles must not grant anything that collection never requested.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { catalog, evidenceKeys } from '../../../src/catalog/index.js';
import { collectLive } from '../../../src/collectors/kubernetes/index.js';
import { resourceForKey, resourcesOfGroup, startKubeApiServer } from '../../helpers/kube-api-server.js';
import type { KubeApiServer, RequestRecord, ResourceDef } from '../../helpers/kube-api-server.js';

const RBAC_FILE = new URL('../../../deploy/kubernetes/base/rbac.yaml', import.meta.url);
const DOCS_FILE = new URL('../../../docs/kubernetes.md', import.meta.url);

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
interface RbacDoc { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; roleRef?: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] }

/** Groups of Kubernetes itself: never granted with a resource wildcard. */
const BUILT_IN = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'scheduling.k8s.io',
  'node.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'events.k8s.io', 'resource.k8s.io']);

function loadRbac(text: string): RbacDoc[] {
  return parseAllDocuments(text).map((d) => d.toJS() as RbacDoc).filter(Boolean);
}

function grants(rules: Rule[], req: RequestRecord, namespaced: string | undefined): boolean {
  return rules.some((r) =>
    (r.apiGroups ?? []).some((g) => g === '*' || g === req.group)
    && (r.resources ?? []).some((x) => x === '*' || x === req.resource)
    && (r.verbs ?? []).includes(req.verb!)
    && (!r.resourceNames || (req.name !== undefined && r.resourceNames.includes(req.name)))
    && (namespaced === undefined || req.namespace === namespaced));
}

/** The RBAC YAML that docs/kubernetes.md carries after `<!-- marker -->`. */
function documentedSnippet(marker: string): RbacDoc[] {
  const m = new RegExp(`<!-- ${marker} -->\\s*\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(DOCS_FILE, 'utf8'));
  expect(m, `docs/kubernetes.md must carry the snippet after <!-- ${marker} -->`).not.toBeNull();
  return loadRbac(m![1]!);
}

/** The served resources for a full-catalog collection: every declared kind, every declared group. */
function servedFor(keys: string[]): ResourceDef[] {
  const defs: ResourceDef[] = [];
  for (const k of keys) {
    if (k.endsWith('/*')) {
      const g = k.slice(0, -2) === 'core' ? '' : k.slice(0, -2);
      const known = resourcesOfGroup(g);
      defs.push(...(known.length ? known : [{ group: g, version: 'v1', kind: 'Thing', plural: 'things', namespaced: true, custom: true }]));
    } else {
      defs.push(resourceForKey(k));
    }
  }
  defs.push(resourceForKey('authentication.k8s.io/SelfSubjectReview'));
  return defs;
}

/** The rules a role would need for `requests`, as YAML (printed when the shipped file drifts). */
function suggestedRules(requests: RequestRecord[], groupKeys: Set<string>): string {
  const byGroup = new Map<string, Set<string>>();
  for (const r of requests) {
    if (r.verb !== 'list') continue;
    let set = byGroup.get(r.group!);
    if (!set) byGroup.set(r.group!, (set = new Set()));
    set.add(groupKeys.has(r.group || 'core') ? '*' : r.resource!);
  }
  return [...byGroup].sort(([a], [b]) => a.localeCompare(b))
    .map(([g, rs]) => `  - apiGroups: ["${g}"]\n    resources: [${[...rs].sort().map((x) => (x === '*' ? '"*"' : x)).join(', ')}]\n    verbs: [get, list]`).join('\n');
}

describe('deploy/kubernetes/base/rbac.yaml is least privilege for the whole catalog', () => {
  let server: KubeApiServer;
  let docs: RbacDoc[];
  const keys = [...evidenceKeys(catalog)].filter((k) => k.startsWith('k8s:')).map((k) => k.slice(4)).sort();
  const groupKeys = new Set(keys.filter((k) => k.endsWith('/*')).map((k) => k.slice(0, -2)));

  beforeAll(async () => {
    docs = loadRbac(readFileSync(RBAC_FILE, 'utf8'));
    server = await startKubeApiServer({ token: 't', resources: servedFor(keys), username: 'system:serviceaccount:eks-soc2:eks-soc2' });
    const r = await collectLive({ kubeconfig: server.writeKubeconfig({ token: 't' }), keys: keys.map((k) => `k8s:${k}`), qps: 0, home: '/nonexistent' });
    // Sanity: the collection really read every kind (so the comparison below covers them all).
    for (const k of keys) {
      if (k === 'core/Secret') continue;
      expect(r.kubernetes.kinds[k]?.state, k).toBe('collected');
    }
  });
  afterAll(async () => { await server?.close(); });

  const clusterRole = () => docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'eks-soc2-reader')!;
  const role = () => docs.find((d) => d.kind === 'Role' && d.metadata.namespace === 'kube-system')!;

  it('has the ClusterRole, the Role in kube-system and their bindings to soc2-auditor and eks-soc2/eks-soc2', () => {
    expect(clusterRole()).toBeDefined();
    expect(role()).toBeDefined();
    const subjects = [{ kind: 'Group', name: 'soc2-auditor' }, { kind: 'ServiceAccount', name: 'eks-soc2', namespace: 'eks-soc2' }];
    const crb = docs.find((d) => d.kind === 'ClusterRoleBinding')!;
    expect(crb.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'eks-soc2-reader' });
    expect(crb.subjects).toEqual(expect.arrayContaining(subjects.map((s) => expect.objectContaining(s))));
    const rb = docs.find((d) => d.kind === 'RoleBinding')!;
    expect(rb.metadata.namespace).toBe('kube-system');
    expect(rb.roleRef).toMatchObject({ kind: 'Role', name: role().metadata.name });
    expect(rb.subjects).toEqual(expect.arrayContaining(subjects.map((s) => expect.objectContaining(s))));
  });

  it('grants every request the collector made', () => {
    const cr = clusterRole().rules ?? [];
    const kr = role().rules ?? [];
    const missing: string[] = [];
    for (const req of server.requests) {
      if (!req.verb) continue; // /version and discovery: system:public-info-viewer and system:discovery grant them to everyone
      if (req.verb === 'create' && req.group === 'authentication.k8s.io' && req.resource === 'selfsubjectreviews') continue; // system:basic-user
      if (req.namespace === undefined ? grants(cr, req, undefined) : grants(cr, req, undefined) || grants(kr, req, 'kube-system')) continue;
      missing.push(`${req.verb} ${req.group || 'core'}/${req.resource}${req.name ? ` ${req.namespace}/${req.name}` : ''}`);
    }
    expect([...new Set(missing)], `add to deploy/kubernetes/base/rbac.yaml:\n${suggestedRules(server.requests, groupKeys)}`).toEqual([]);
  });

  it('grants nothing the collector did not use', () => {
    const unused: string[] = [];
    const used = (g: string, res: string, verb?: string, name?: string) => server.requests.some((q) => q.verb && q.verb !== 'create'
      && q.group === g && (res === '*' || q.resource === res) && (verb === undefined || q.verb === verb) && (name === undefined || q.name === name));
    for (const r of clusterRole().rules ?? []) {
      expect(r.nonResourceURLs, 'no nonResourceURLs: discovery is granted by system:discovery').toBeUndefined();
      for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) if (!used(g, res, 'list')) unused.push(`${g || 'core'}/${res}`);
    }
    for (const r of role().rules ?? []) {
      for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const n of r.resourceNames ?? ['(any)']) if (!used(g, res, 'get', n)) unused.push(`${g || 'core'}/${res} ${n}`);
    }
    expect(unused, `remove from deploy/kubernetes/base/rbac.yaml, or the rules needed are:\n${suggestedRules(server.requests, groupKeys)}`).toEqual([]);
  });

  it('never grants Secrets, cluster-wide ConfigMaps, wildcards on built-in groups, writes or watch', () => {
    for (const d of docs.filter((x) => x.rules)) {
      for (const r of d.rules!) {
        expect(r.resources).not.toContain('secrets');
        expect(r.verbs?.every((v) => v === 'get' || v === 'list'), JSON.stringify(r)).toBe(true);
        expect(r.apiGroups).not.toContain('*');
        for (const g of r.apiGroups ?? []) if (BUILT_IN.has(g)) expect(r.resources, `${g}: ${JSON.stringify(r)}`).not.toContain('*');
        if (d.kind === 'ClusterRole') expect(r.resources).not.toContain('configmaps');
        if (r.resources?.includes('configmaps')) expect(r.resourceNames?.length).toBeGreaterThan(0);
      }
    }
    expect(readFileSync(RBAC_FILE, 'utf8')).not.toMatch(/^\s*-?\s*secrets\b/m);
  });

  it('the documented Falco snippet grants exactly the Falco ConfigMap read, in Falco\'s namespace only', async () => {
    const snippet = documentedSnippet('falco-configmap-rbac');
    const role = snippet.find((d) => d.kind === 'Role')!;
    expect(role.metadata.namespace).toBe('falco');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['falco'], verbs: ['get'] }]);
    const rb = snippet.find((d) => d.kind === 'RoleBinding')!;
    expect(rb.metadata.namespace).toBe('falco');
    expect(rb.roleRef).toMatchObject({ kind: 'Role', name: role.metadata.name });
    const s = await startKubeApiServer({
      token: 't',
      objects: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'falco', namespace: 'falco', labels: { 'app.kubernetes.io/name': 'falco' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'falco', namespace: 'falco' }, data: { 'falco.yaml': 'http_output: { enabled: true }' } },
      ],
    });
    try {
      const r = await collectLive({ kubeconfig: s.writeKubeconfig({ token: 't' }), keys: ['k8s:core/ConfigMap', 'k8s:apps/DaemonSet'], qps: 0, home: '/nonexistent' });
      expect(r.kubernetes.objects.some((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'falco')).toBe(true);
      const falcoRequests = s.requests.filter((q) => q.resource === 'configmaps' && q.namespace === 'falco');
      expect(falcoRequests.length).toBeGreaterThan(0);
      for (const q of falcoRequests) expect(grants(role.rules!, q, 'falco'), `${q.verb} ${q.namespace}/${q.name}`).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('the documented Secret-inventory snippet grants exactly what --secrets-metadata uses', async () => {
    const snippet = documentedSnippet('secrets-metadata-rbac');
    const cr = snippet.find((d) => d.kind === 'ClusterRole')!;
    expect(cr.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    const s = await startKubeApiServer({ token: 't', serve: ['core/Secret'], objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'a' }, data: { k: 'dg==' } }] });
    try {
      await collectLive({ kubeconfig: s.writeKubeconfig({ token: 't' }), keys: ['k8s:core/Secret'], secretsMetadata: true, qps: 0, home: '/nonexistent' });
      const secretRequests = s.requests.filter((q) => q.resource === 'secrets');
      expect(secretRequests.length).toBeGreaterThan(0);
      for (const q of secretRequests) expect(grants(cr.rules!, q, undefined)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
