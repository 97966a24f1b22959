import type { AwsFact, JsonObject, K8sObject } from '../../model/index.js';

/** Small builders so the demo environment reads like the manifests it stands for. */
export function obj(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), uid: uid(kind, namespace, name), ...meta } as K8sObject['metadata'],
    ...(rest as Record<string, never>),
  };
}

/** Deterministic uid from kind/namespace/name. */
export function uid(kind: string, ns: string | undefined, name: string): string {
  let h = 2166136261;
  for (const ch of `${kind}/${ns ?? ''}/${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-8${hex.slice(2, 5)}-${hex}${hex.slice(0, 4)}`;
}

export function owned(o: K8sObject, owner: K8sObject): K8sObject {
  o.metadata.ownerReferences = [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true }];
  return o;
}

export function fact(service: string, operation: string, output: JsonObject, params?: JsonObject, region: string = DEMO.region): AwsFact {
  return { service, operation, region, accountId: DEMO.accountId, ...(params ? { params } : {}), output };
}

/** Times relative to the evaluation time, as ISO strings. */
export function ago(now: Date, days: number, hours = 0): string {
  return new Date(now.getTime() - (days * 24 + hours) * 3600_000).toISOString();
}

export const DEMO = {
  cluster: 'acme-prod',
  accountId: '111122223333',
  region: 'eu-west-1',
  arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  version: '1.33',
} as const;
