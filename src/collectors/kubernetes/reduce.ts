/**
 * Objects are reduced the moment they arrive, so that a 150,000-pod cluster fits in memory:
 * `sanitizeObject` (managedFields, the last-applied annotation, credential-looking env values,
 * Secret/ConfigMap contents), then per-kind trimming of status noise no control reads.
 *
 * Kept, by kind:
 * - Pod: everything but `status`, of which only `phase`, `reason`, `conditions[].{type,status}`
 *   and `{init,ephemeral,}containerStatuses[].{name,image,imageID,ready}` remain.
 * - Node: everything but `status.images`, `volumesInUse`, `volumesAttached`, `daemonEndpoints`
 *   and `config`; conditions keep `type`, `status`, `reason`.
 * - every kind: `metadata.selfLink` dropped.
 *
 * Identical sub-trees (replicas' containers, pod templates, labels...) are then shared between
 * objects (share.ts).
 */
import type { K8sObject } from '../../model/index.js';
import { sanitizeObject } from '../sanitize.js';
import type { StructureSharer } from './share.js';

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function pick(o: Rec, keys: readonly string[]): Rec {
  const out: Rec = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function conditions(v: unknown, keys: readonly string[]): Rec[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRec).map((c) => pick(c, keys));
}

const CONTAINER_STATUS = ['name', 'image', 'imageID', 'ready'] as const;

function reducePodStatus(status: Rec): Rec {
  const out = pick(status, ['phase', 'reason']);
  const conds = conditions(status.conditions, ['type', 'status']);
  if (conds) out.conditions = conds;
  for (const k of ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']) {
    const list = status[k];
    if (Array.isArray(list)) out[k] = list.filter(isRec).map((c) => pick(c, CONTAINER_STATUS));
  }
  return out;
}

function reduceNodeStatus(status: Rec): Rec {
  const { images: _i, volumesInUse: _v, volumesAttached: _a, daemonEndpoints: _d, config: _c, ...rest } = status;
  const conds = conditions(rest.conditions, ['type', 'status', 'reason']);
  if (conds) rest.conditions = conds;
  return rest;
}

/**
 * The status trimming of Pods and Nodes, in place (see the list above). The file reader applies it
 * too, once an object's shape is checked: a pod read from a `kubectl get pods -o json` dump is the
 * evidence a live scan of the same cluster keeps, and at 150,000 pods the dropped status (container
 * states, condition timestamps, IPs) is a sixth of the dump.
 */
export function reduceStatus(obj: K8sObject): void {
  if (obj.apiVersion !== 'v1' || !isRec(obj.status)) return;
  if (obj.kind === 'Pod') obj.status = reducePodStatus(obj.status);
  else if (obj.kind === 'Node') obj.status = reduceNodeStatus(obj.status);
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Copy metadata without managedFields, selfLink and the last-applied annotation. (Copying rather
 * than `delete` keeps V8's fast object layout; sanitizeObject then finds nothing left to delete.)
 */
function leanMetadata(meta: Rec): Rec {
  const { managedFields: _m, selfLink: _s, ...rest } = meta;
  const ann = rest.annotations;
  if (isRec(ann) && LAST_APPLIED in ann) {
    const { [LAST_APPLIED]: _l, ...others } = ann;
    rest.annotations = others;
  }
  return rest;
}

/**
 * Reduce one object in place (and return it). `apiVersion` and `kind` must be set. With a
 * `sharer`, sub-trees identical to ones already collected are replaced by the shared copy and are
 * not sanitized again (sanitizing is deterministic per sub-tree).
 */
export function reduceObject(obj: K8sObject, sharer?: StructureSharer): K8sObject {
  reduceStatus(obj);
  if (isRec(obj.metadata)) obj.metadata = leanMetadata(obj.metadata) as K8sObject['metadata'];
  if (!sharer || (obj.apiVersion === 'v1' && (obj.kind === 'Secret' || obj.kind === 'ConfigMap'))) return sanitizeObject(obj);
  const finish = sharer.prepare(obj);
  sanitizeObject(obj);
  finish();
  return obj;
}
