/**
 * A minimal kustomize for the tests: exactly the features deploy/kubernetes/ uses — `resources`
 * (files and directories holding a kustomization), `components` (directories holding a
 * `kind: Component` kustomization: its resources are added to the parent's, then its patches and
 * images apply to them all, before the parent's own), `patches` (strategic-merge patches of named
 * objects, from a file or inline; keyed lists in kustomize's order: the patch's items first, then
 * the target's others) and `images` — and a refusal of anything else, so a new feature in the base
 * cannot be silently mis-rendered. Its output is checked in (deploy/kubernetes/rendered/) and
 * compared; test/deploy/kubectl-kustomize.test.ts compares it with the real kustomize, field for
 * field, where one is installed.
 *
 * Ordering follows kustomize's default ("legacy") resource order; comments are dropped, as
 * `kustomize build` drops them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export type Obj = Record<string, unknown>;

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'components', 'patches', 'images']);

/** Merge keys of the strategic-merge lists the manifests patch (k8s.io/api `patchMergeKey`). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseYamlDocs(text: string, file: string): Obj[] {
  const out: Obj[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (!isObj(v)) throw new Error(`${file}: a document is not a mapping`);
    out.push(v);
  }
  return out;
}

/** Strategic merge of `patch` into `target` (returns a new value). `null` deletes; `$patch: delete` removes a list item. */
export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return structuredClone(patch.filter((p) => !(isObj(p) && p.$patch === 'delete')));
    // kustomize (kyaml) order: the patch's items first, in the patch's order (merged into the
    // target's item of the same key, if any), then the target's items the patch does not name.
    const rest = structuredClone(target) as Obj[];
    const out: Obj[] = [];
    for (const item of patch) {
      if (!isObj(item) || item[key] === undefined) throw new Error(`strategic merge: an item of ${field} has no ${key}`);
      const i = rest.findIndex((x) => isObj(x) && x[key] === item[key]);
      const existing = i >= 0 ? rest.splice(i, 1)[0] : undefined;
      if (item.$patch === 'delete') continue;
      out.push(existing ? strategicMerge(existing, item, '') as Obj : structuredClone(item));
    }
    return [...out, ...rest];
  }
  if (isObj(patch)) {
    const out: Obj = isObj(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (k === '$patch') continue;
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return patch;
}

interface ImageRule { name: string; newName?: string; newTag?: string; digest?: string }

function imageName(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

function imageTag(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon) : '';
}

function setImages(node: unknown, rules: ImageRule[]): void {
  if (Array.isArray(node)) { for (const n of node) setImages(n, rules); return; }
  if (!isObj(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) {
      for (const c of v) {
        if (!isObj(c) || typeof c.image !== 'string') continue;
        const rule = rules.find((r) => r.name === imageName(c.image as string));
        if (!rule) continue;
        const suffix = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : imageTag(c.image);
        c.image = `${rule.newName ?? rule.name}${suffix}`;
      }
    } else {
      setImages(v, rules);
    }
  }
}

const idOf = (o: Obj) => {
  const m = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(o.kind)}/${m.namespace ?? ''}/${m.name ?? ''}`;
};

/** Resolve the kustomization in `dir` into its objects (unordered). A component (`inherited` set) works on its parent's objects. */
function build(dir: string, seen: Set<string>, inherited?: Obj[]): Obj[] {
  const abs = resolve(dir);
  if (seen.has(abs)) throw new Error(`kustomization cycle at ${abs}`);
  seen.add(abs);
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(abs, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`${abs}: no kustomization.yaml`);
  const k = parseYamlDocs(readFileSync(file, 'utf8'), file)[0] ?? {};
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${file}: "${key}" is not supported by the test resolver (supported: ${[...SUPPORTED].join(', ')})`);
  const isComponent = inherited !== undefined;
  const want = isComponent ? ['kustomize.config.k8s.io/v1alpha1', 'Component'] : ['kustomize.config.k8s.io/v1beta1', 'Kustomization'];
  if ((k.apiVersion !== undefined || isComponent) && (k.apiVersion !== want[0] || k.kind !== want[1])) {
    throw new Error(`${file}: ${isComponent ? 'a component' : 'a kustomization'} must be apiVersion ${want[0]}, kind ${want[1]} (got ${String(k.apiVersion)}, ${String(k.kind)})`);
  }
  const objects: Obj[] = [...(inherited ?? [])];
  for (const r of (k.resources ?? []) as string[]) {
    const p = resolve(abs, r);
    if (!p.startsWith(`${abs}/`) && !statSync(p).isDirectory()) throw new Error(`${file}: resource ${r} is outside the kustomization root (kustomize refuses it)`);
    if (statSync(p).isDirectory()) {
      if (abs.startsWith(`${p}/`)) throw new Error(`${file}: resource ${r} contains this kustomization (kustomize refuses it)`);
      objects.push(...build(p, seen));
    } else {
      objects.push(...parseYamlDocs(readFileSync(p, 'utf8'), p));
    }
  }
  for (const o of objects) {
    const clash = objects.filter((x) => idOf(x) === idOf(o));
    if (clash.length > 1) throw new Error(`${file}: ${idOf(o)} is defined ${clash.length} times`);
  }
  let result = objects;
  for (const c of (k.components ?? []) as string[]) {
    const p = resolve(abs, c);
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new Error(`${file}: component ${c} is not a directory`);
    result = build(p, seen, result);
  }
  for (const p of (k.patches ?? []) as { path?: string; patch?: string }[]) {
    const docs = p.path ? parseYamlDocs(readFileSync(resolve(abs, p.path), 'utf8'), p.path) : parseYamlDocs(p.patch ?? '', `${file} inline patch`);
    for (const d of docs) {
      const i = result.findIndex((o) => o.kind === d.kind && idOf(o).endsWith(`/${((d.metadata ?? {}) as { name?: string }).name}`)
        && (((d.metadata ?? {}) as { namespace?: string }).namespace === undefined || idOf(o) === idOf(d)));
      if (i < 0) throw new Error(`${file}: patch ${p.path ?? 'inline'} targets ${idOf(d)}, which no resource defines`);
      result[i] = strategicMerge(result[i], d) as Obj;
    }
  }
  const images = (k.images ?? []) as ImageRule[];
  if (images.length) for (const o of result) setImages(o, images);
  seen.delete(abs);
  return result;
}

/** kustomize's default ("legacy") order: these kinds first, in this order; webhooks last; others between. */
const ORDER_FIRST = ['Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role',
  'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass',
  'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget'];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function rank(kind: string): number {
  const f = ORDER_FIRST.indexOf(kind);
  if (f >= 0) return f;
  const l = ORDER_LAST.indexOf(kind);
  return l >= 0 ? 1000 + l : 500;
}

function gvkString(o: Obj): string {
  const [g, v] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  return `${g}_${v}_${String(o.kind)}`;
}

/** `kustomize build DIR`, as objects in output order. */
export function kustomizeBuild(dir: string): Obj[] {
  const objects = build(dir, new Set());
  return objects.sort((a, b) => {
    const r = rank(String(a.kind)) - rank(String(b.kind));
    if (r) return r;
    const g = gvkString(a).localeCompare(gvkString(b));
    if (g) return g;
    const ma = (a.metadata ?? {}) as { name?: string; namespace?: string };
    const mb = (b.metadata ?? {}) as { name?: string; namespace?: string };
    return (ma.namespace ?? '').localeCompare(mb.namespace ?? '') || (ma.name ?? '').localeCompare(mb.name ?? '');
  });
}

/** Objects as a multi-document YAML stream. */
export function toYamlStream(objects: Obj[], header = ''): string {
  return header + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

export const REPO = resolve(dirname(new URL(import.meta.url).pathname), '../..');
