import { dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { JsonObject, JsonValue, K8sObject } from '../model/index.js';
import { EditError, applyOps, editFile, parseForEdit } from './edit.js';
import type { LocatedNode } from './edit.js';
import { objectKey } from './plan.js';
import { sh } from './shell.js';
import type { FixPlan, NewObject, ObjectChange, ObjectOp, Path, TfChange } from './types.js';

/**
 * Materialise a plan: edited file texts for objects that live in manifest files, and for every
 * other object (live, demo, a stored run, stdin, Helm or `kubectl get` output) a strategic-merge
 * patch, a `kubectl patch` command and a diff of the object. Pure: files are read through `read`.
 */

export interface FileEdit {
  file: string;
  before: string;
  after: string;
  /** Changes applied to this file. */
  changes: (ObjectChange | TfChange)[];
}

export interface NewFile {
  /** Path where `--write` puts it (next to the namespace's manifests), when the input has one. */
  path?: string;
  fileName: string;
  text: string;
  object: NewObject;
}

export interface ObjectPatch {
  object: K8sObject;
  /** Strategic merge patch (containers matched by name; `null` removes a field). */
  patch: JsonObject;
  changes: ObjectChange[];
  /** Why the object is patched rather than its file edited. */
  reason: string;
  /** The object before and after, as YAML (for the diff). */
  readonly before: string;
  readonly after: string;
}

export interface Materialised {
  files: FileEdit[];
  newFiles: NewFile[];
  patches: ObjectPatch[];
  /** Problems met while materialising (a file that could not be edited safely). */
  notes: string[];
}

export interface MaterialiseOptions {
  /** Read an input file; undefined when it cannot be read. */
  read: (file: string) => string | undefined;
  /** The objects were read from the cluster (live, a bundle, the demo, a stored run): never edit files. */
  renderedOnly?: boolean;
}

const ID_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink'];

/** An object as it would be applied: no status, no server-set metadata, no `$source`. */
export function cleanObject(o: K8sObject): K8sObject {
  const { $source: _s, status: _st, ...rest } = o;
  const metadata = { ...o.metadata };
  for (const k of ID_FIELDS) delete metadata[k];
  const annotations = { ...(metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  delete annotations['deployment.kubernetes.io/revision'];
  if (metadata.annotations) { if (Object.keys(annotations).length) metadata.annotations = annotations; else delete metadata.annotations; }
  return JSON.parse(JSON.stringify({ ...rest, metadata })) as K8sObject;
}

/** Output of `helm template` or a dump of the cluster: editing it in place would be overwritten. */
function looksRendered(text: string, objects: readonly LocatedNode[], located: readonly K8sObject[]): boolean {
  if (/^# Source: /m.test(text)) return true;
  return located.some((o) => o.metadata.uid !== undefined || o.metadata.resourceVersion !== undefined) || (objects.length > 0 && /^kind: List$/m.test(text) && located.some((o) => o.status !== undefined));
}

export function materialise(plan: FixPlan, opts: MaterialiseOptions): Materialised {
  const notes: string[] = [];
  // Changes grouped per object.
  const byObject = new Map<string, { object: K8sObject; changes: ObjectChange[] }>();
  for (const c of plan.changes) {
    const key = objectKey(c.object);
    const g = byObject.get(key);
    if (g) g.changes.push(c); else byObject.set(key, { object: c.object, changes: [c] });
  }
  const toPatch: { object: K8sObject; changes: ObjectChange[]; reason: string }[] = [];
  const byFile = new Map<string, { object: K8sObject; changes: ObjectChange[] }[]>();
  for (const g of byObject.values()) {
    const src = g.object.$source;
    if (opts.renderedOnly || !src || src.file === '<stdin>') {
      toPatch.push({ ...g, reason: opts.renderedOnly || !src ? 'read from the cluster (or a bundle / stored run)' : 'read from standard input' });
      continue;
    }
    const list = byFile.get(src.file);
    if (list) list.push(g); else byFile.set(src.file, [g]);
  }

  const files: FileEdit[] = [];
  for (const [file, groups] of byFile) {
    const text = opts.read(file);
    if (text === undefined) {
      for (const g of groups) toPatch.push({ ...g, reason: `${file} could not be read again` });
      continue;
    }
    const parsed = parseForEdit(text);
    const targets: { target: LocatedNode; ops: ObjectOp[]; group: { object: K8sObject; changes: ObjectChange[] } }[] = [];
    for (const g of groups) {
      const node = locate(parsed.objects, g.object);
      if (!node) { toPatch.push({ ...g, reason: `${g.object.kind} ${g.object.metadata.name ?? ''} was not found again in ${file}` }); continue; }
      targets.push({ target: node, ops: g.changes.flatMap((c) => c.ops), group: g });
    }
    if (targets.length === 0) continue;
    if (looksRendered(text, parsed.objects, targets.map((t) => t.group.object))) {
      for (const t of targets) toPatch.push({ ...t.group, reason: `${file} is rendered output (Helm or a cluster dump): patch it where it is produced` });
      continue;
    }
    try {
      const after = editFile(parsed, targets);
      files.push({ file, before: text, after, changes: targets.flatMap((t) => t.group.changes) });
    } catch (err) {
      if (!(err instanceof EditError)) throw err;
      notes.push(`${file}: not edited in place (${err.message}); the changes are given as patches instead`);
      for (const t of targets) toPatch.push({ ...t.group, reason: `${file} could not be edited safely (${err.message})` });
    }
  }

  const patches: ObjectPatch[] = toPatch.map((g) => {
    const ops = g.changes.flatMap((c) => c.ops);
    const before = cleanObject(g.object);
    const after = applyOps(before, ops);
    // A running Pod's spec is immutable: the patch shows the change, re-creating the Pod applies it.
    const reason = g.object.kind === 'Pod' ? `${g.reason}; a Pod cannot be changed in place: re-create it from the patched object (kubectl replace --force), or fix its controller` : g.reason;
    // The YAML of both sides is made when a diff is asked for (JSON plans and kustomizations need none).
    let texts: [string, string] | undefined;
    const yamlOf = () => (texts ??= [stringify(before, { lineWidth: 0 }), stringify(after, { lineWidth: 0 })]);
    return {
      object: g.object, patch: strategicPatch(before, ops, after), changes: g.changes, reason,
      get before() { return yamlOf()[0]; },
      get after() { return yamlOf()[1]; },
    };
  });

  const newFiles: NewFile[] = plan.newObjects.map((n) => ({
    ...(n.nearFile && !opts.renderedOnly && n.nearFile !== '<stdin>' ? { path: join(dirname(n.nearFile), n.fileName) } : {}),
    fileName: n.fileName,
    text: `# ${n.summary}\n# Added by eks-soc2 fix for ${n.control} ${n.rule}. ${n.caution ?? ''}\n${stringify(n.object, { lineWidth: 0 })}`,
    object: n,
  }));
  return { files, newFiles, patches, notes };
}

/** The object node in a file that is the object as read (same identity, nearest line). */
function locate(nodes: readonly LocatedNode[], o: K8sObject): LocatedNode | undefined {
  // The apiVersion is not compared: the collector evaluates kinds under moved groups as their current one.
  const same = nodes.filter((n) => n.kind === o.kind && n.name === o.metadata.name && (n.namespace ?? undefined) === (o.metadata.namespace ?? undefined));
  if (same.length <= 1) return same[0];
  const line = o.$source?.line ?? 0;
  return [...same].sort((a, b) => Math.abs(a.line - line) - Math.abs(b.line - line) || Number(b.apiVersion === o.apiVersion) - Number(a.apiVersion === o.apiVersion))[0];
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patches

/** Lists Kubernetes merges by a key in a strategic merge patch (the ones fixes reach into). */
const MERGE_KEYS: Record<string, string> = { containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name' };

function isObj(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A strategic merge patch that makes `before` into `applyOps(before, ops)`. */
export function strategicPatch(before: K8sObject, ops: readonly ObjectOp[], after: K8sObject): JsonObject {
  const patch: JsonObject = {
    apiVersion: before.apiVersion, kind: before.kind,
    metadata: { name: before.metadata.name ?? '', ...(before.metadata.namespace ? { namespace: before.metadata.namespace } : {}) } as JsonObject,
  };
  for (const op of ops) {
    let src: JsonValue | undefined = before as unknown as JsonValue;
    let dst: JsonObject = patch;
    const path: Path = op.path;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const next = path[i + 1]!;
      if (typeof seg === 'number') continue; // handled with the list key below
      const srcNext: JsonValue | undefined = isObj(src) ? src[seg] : undefined;
      if (typeof next === 'number') {
        const key = MERGE_KEYS[seg];
        const item: JsonValue | undefined = Array.isArray(srcNext) ? srcNext[next] : undefined;
        if (!key || !isObj(item) || typeof item[key] !== 'string') throw new Error(`cannot patch ${path.join('.')}: list without a merge key`);
        const list = (Array.isArray(dst[seg]) ? dst[seg] : (dst[seg] = [])) as JsonObject[];
        let el = list.find((e) => e[key] === item[key]);
        if (!el) { el = { [key]: item[key] as string }; list.push(el); }
        dst = el;
        src = item;
        i++;
        continue;
      }
      if (!isObj(dst[seg])) dst[seg] = {};
      dst = dst[seg] as JsonObject;
      src = srcNext;
    }
    const last = path[path.length - 1]!;
    if (typeof last === 'number') continue;
    if (op.op === 'delete') dst[last] = null;
    else if (op.op === 'set') dst[last] = JSON.parse(JSON.stringify(op.value)) as JsonValue;
    else dst[last] = valueAt(after as unknown as JsonValue, path) ?? [op.value]; // lists without merge keys are replaced whole
  }
  return patch;
}

function valueAt(v: JsonValue, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const s of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = typeof s === 'number' ? (Array.isArray(cur) ? cur[s] : undefined) : Array.isArray(cur) ? undefined : cur[s];
  }
  return cur === undefined ? undefined : (JSON.parse(JSON.stringify(cur)) as JsonValue);
}

/** API groups of built-in kinds: the API server takes strategic merge patches only for those. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'networking.k8s.io', 'storage.k8s.io', 'rbac.authorization.k8s.io', 'policy', 'autoscaling', 'admissionregistration.k8s.io', 'scheduling.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'coordination.k8s.io', 'certificates.k8s.io']);

/** `kubectl patch` for one object (strategic merge; a JSON merge patch for custom resources), in its namespace. */
export function kubectlPatch(p: ObjectPatch): string {
  const o = p.object;
  const { apiVersion: _a, kind: _k, metadata, ...rest } = p.patch;
  // The name and namespace are the command's arguments; other metadata (labels) is part of the patch.
  const { name: _n, namespace: _ns, ...meta } = (metadata ?? {}) as JsonObject;
  const body = Object.keys(meta).length ? { metadata: meta, ...rest } : rest;
  const resource = `${o.kind.toLowerCase()}${o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[1]}.${o.apiVersion.split('/')[0]}` : ''}`;
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
  const type = BUILT_IN_GROUPS.has(group) ? 'strategic' : 'merge';
  return `kubectl patch ${sh(resource)} ${sh(o.metadata.name ?? '')}${o.metadata.namespace ? ` -n ${sh(o.metadata.namespace)}` : ''} --type ${type} -p ${sh(JSON.stringify(body))}`;
}

// ---------------------------------------------------------------------------------------------
// Diffs

export function fileDiff(e: FileEdit): string {
  const name = e.file.startsWith('/') ? e.file : `/${e.file}`;
  return createTwoFilesPatch(`a${name}`, `b${name}`, e.before, e.after, undefined, undefined, { context: 3 });
}

export function objectDiff(p: ObjectPatch): string {
  const o = p.object;
  const name = `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, p.before, p.after, undefined, undefined, { context: 3 });
}

export function newFileDiff(n: NewFile): string {
  const name = n.path ?? n.fileName;
  return createTwoFilesPatch('/dev/null', `b/${name}`, '', n.text, undefined, undefined, { context: 3 }).replace(/^--- \/dev\/null\t?\n/m, '--- /dev/null\n');
}

// ---------------------------------------------------------------------------------------------
// The kustomization for rendered sources

/** Files of a kustomization applying the patches: kustomization.yaml, patches/, resources.yaml. */
export function kustomization(m: Materialised, resources: readonly K8sObject[]): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const names = new Set<string>();
  const patchPaths: string[] = [];
  for (const p of m.patches) {
    const o = p.object;
    let base = `${o.kind}-${o.metadata.namespace ? `${o.metadata.namespace}-` : ''}${o.metadata.name ?? 'object'}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
    while (names.has(base)) base += '-x';
    names.add(base);
    const path = `patches/${base}.yaml`;
    patchPaths.push(path);
    out.push({ path, text: `# ${p.changes.map((c) => `${c.control} ${c.rule}: ${c.summary}`).join('\n# ')}\n${stringify(p.patch, { lineWidth: 0 })}` });
  }
  const newObjs = m.newFiles.map((n) => `new/${n.fileName}`);
  for (const n of m.newFiles) out.push({ path: `new/${n.fileName}`, text: n.text });
  out.push({ path: 'resources.yaml', text: resources.map((r) => stringify(cleanObject(r), { lineWidth: 0 })).join('---\n') || '# (no objects)\n' });
  const k = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['resources.yaml', ...newObjs],
    patches: patchPaths.map((path) => ({ path })),
  };
  out.push({ path: 'kustomization.yaml', text: `# Generated by eks-soc2 fix: the rendered objects with the fixes applied.\n#   kubectl kustomize .   |   kubectl apply -k .   |   helm install ... --post-renderer ./post-render.sh\n${stringify(k)}` });
  out.push({ path: 'post-render.sh', text: '#!/bin/sh\n# Helm post-renderer: the chart\'s rendered manifests replace resources.yaml, the fixes are patched in.\nset -eu\ndir=$(cd "$(dirname "$0")" && pwd)\ncat > "$dir/resources.yaml"\nexec kubectl kustomize "$dir"\n' });
  return out;
}
