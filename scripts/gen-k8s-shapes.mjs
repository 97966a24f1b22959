#!/usr/bin/env node
/**
 * Writes src/collectors/k8s-shapes.ts: the types of the fields of the built-in Kubernetes kinds
 * (Kubernetes 1.33 OpenAPI, as compiled into @kubernetes/client-node's models, the source
 * test/fixtures/k8s-schemas/generate.mjs uses too), compact enough to check every object read
 * against it (src/collectors/shape.ts). `--check` exits 1 when the committed file is out of date.
 *
 *   node scripts/gen-k8s-shapes.mjs [--check]
 *
 * Type codes: 's' string, 'b' boolean, 'i' integer, 'n' number, 'x' int-or-string, 'q' resource
 * quantity (string or number), '*' anything; ['a', T] a list of T, ['m', T] a map of T; any other
 * string names a definition. Only types are kept: unknown fields are allowed (a newer API server),
 * values and enums are not checked. `required` lists the few fields whose absence would let a
 * check pass on nothing (a pod template with no containers).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const k8s = await import(require.resolve('@kubernetes/client-node'));
const clientVersion = require('@kubernetes/client-node/package.json').version;
const OUT = new URL('../src/collectors/k8s-shapes.ts', import.meta.url);

/** Kinds checked, by evidence key (`group/Kind`, core as `core`), with the model of their served version. */
export const KINDS = {
  'core/Pod': 'V1Pod', 'core/Namespace': 'V1Namespace', 'core/Node': 'V1Node', 'core/Service': 'V1Service',
  'core/ServiceAccount': 'V1ServiceAccount', 'core/ConfigMap': 'V1ConfigMap', 'core/Secret': 'V1Secret',
  'core/ResourceQuota': 'V1ResourceQuota', 'core/LimitRange': 'V1LimitRange', 'core/PersistentVolume': 'V1PersistentVolume',
  'core/PersistentVolumeClaim': 'V1PersistentVolumeClaim', 'core/ReplicationController': 'V1ReplicationController',
  'apps/Deployment': 'V1Deployment', 'apps/StatefulSet': 'V1StatefulSet', 'apps/DaemonSet': 'V1DaemonSet', 'apps/ReplicaSet': 'V1ReplicaSet',
  'batch/Job': 'V1Job', 'batch/CronJob': 'V1CronJob',
  'autoscaling/HorizontalPodAutoscaler': 'V2HorizontalPodAutoscaler', 'policy/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'networking.k8s.io/NetworkPolicy': 'V1NetworkPolicy', 'networking.k8s.io/Ingress': 'V1Ingress', 'networking.k8s.io/IngressClass': 'V1IngressClass',
  'rbac.authorization.k8s.io/Role': 'V1Role', 'rbac.authorization.k8s.io/RoleBinding': 'V1RoleBinding',
  'rbac.authorization.k8s.io/ClusterRole': 'V1ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'storage.k8s.io/StorageClass': 'V1StorageClass', 'storage.k8s.io/CSIDriver': 'V1CSIDriver',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': 'V1ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': 'V1MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': 'V1ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': 'V1ValidatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition': 'V1CustomResourceDefinition', 'apiregistration.k8s.io/APIService': 'V1APIService',
  'scheduling.k8s.io/PriorityClass': 'V1PriorityClass', 'node.k8s.io/RuntimeClass': 'V1RuntimeClass',
  'discovery.k8s.io/EndpointSlice': 'V1EndpointSlice', 'coordination.k8s.io/Lease': 'V1Lease',
};
/** apiVersions whose shape differs from the model above. */
export const VERSIONED = { 'autoscaling/v1 HorizontalPodAutoscaler': 'V1HorizontalPodAutoscaler' };

/**
 * Required fields: those whose absence the API server refuses and a check would read as "nothing
 * wrong" (no containers, no pod template).
 */
const REQUIRED = {
  V1PodSpec: ['containers'],
  V1DeploymentSpec: ['template'], V1StatefulSetSpec: ['template'], V1DaemonSetSpec: ['template'],
  V1JobSpec: ['template'], V1CronJobSpec: ['jobTemplate'], V1JobTemplateSpec: ['spec'], V1PodTemplateSpec: ['spec'],
  V1Pod: ['spec'], V1Deployment: ['spec'], V1StatefulSet: ['spec'], V1DaemonSet: ['spec'], V1Job: ['spec'], V1CronJob: ['spec'],
};

/** Maps and fields typed resource.Quantity in the OpenAPI (the models flatten them to string). */
const QUANTITY = new Set([
  'V1ResourceRequirements.limits', 'V1ResourceRequirements.requests', 'V1VolumeResourceRequirements.limits', 'V1VolumeResourceRequirements.requests',
  'V1PodSpec.overhead', 'V1Overhead.podFixed', 'V1PodStatus.allocatedResources', 'V1ContainerStatus.allocatedResources',
  'V1NodeAllocatableResourceClaimStatus.resources', 'V1PersistentVolumeClaimStatus.allocatedResources', 'V1PersistentVolumeClaimStatus.capacity',
  'V1NodeStatus.allocatable', 'V1NodeStatus.capacity', 'V1ResourceQuotaSpec.hard', 'V1ResourceQuotaStatus.hard', 'V1ResourceQuotaStatus.used',
  'V1LimitRangeItem.default', 'V1LimitRangeItem.defaultRequest', 'V1LimitRangeItem.max', 'V1LimitRangeItem.maxLimitRequestRatio', 'V1LimitRangeItem.min',
  'V1PersistentVolumeSpec.capacity', 'V1EmptyDirVolumeSource.sizeLimit', 'V1ResourceFieldSelector.divisor',
  'V2MetricTarget.averageValue', 'V2MetricTarget.value', 'V2MetricValueStatus.averageValue', 'V2MetricValueStatus.value',
]);

export function buildShapes() {
  const types = {};
  const typeOf = (type, format, owner, prop) => {
    let m = /^Array<(.+)>$/.exec(type);
    if (m) return ['a', typeOf(m[1], format, owner, prop)];
    m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (m) return ['m', typeOf(m[1], format, owner, prop)];
    if (QUANTITY.has(`${owner}.${prop}`)) return 'q';
    if (type === 'string' || type === 'Date' || type === 'V1MicroTime') return 's';
    if (type === 'number') return format === 'double' || format === 'float' ? 'n' : 'i';
    if (type === 'boolean') return 'b';
    if (type === 'IntOrString') return 'x';
    if (type === 'any' || type === 'object') return '*';
    if (!k8s[type]?.attributeTypeMap) throw new Error(`${owner}.${prop}: unknown type ${type}`);
    define(type);
    return type;
  };
  function define(name) {
    if (types[name]) return;
    types[name] = {};
    const fields = {};
    for (const a of k8s[name].attributeTypeMap) {
      if (a.baseName === 'apiVersion' || a.baseName === 'kind') continue;
      fields[a.baseName] = typeOf(a.type, a.format, name, a.baseName);
    }
    types[name] = { f: fields, ...(REQUIRED[name] ? { r: REQUIRED[name] } : {}) };
  }
  for (const model of [...Object.values(KINDS), ...Object.values(VERSIONED)]) define(model);
  const sorted = Object.fromEntries(Object.entries(types).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { kinds: KINDS, versioned: VERSIONED, types: sorted };
}

export function render(shapes) {
  return `// Generated by scripts/gen-k8s-shapes.mjs from @kubernetes/client-node ${clientVersion} (Kubernetes OpenAPI); do not edit.
// Regenerate with \`npm run schemas\`. The type codes are explained in that script.
import type { ShapeTable } from './shape.js';

export const K8S_SHAPES: ShapeTable = ${JSON.stringify(shapes)};
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = render(buildShapes());
  let current = '';
  try { current = readFileSync(OUT, 'utf8'); } catch { /* new */ }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error('src/collectors/k8s-shapes.ts is out of date: run `npm run schemas`');
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(OUT, text);
    console.log(`wrote ${fileURLToPath(OUT)} (${text.length} bytes)`);
  }
}
