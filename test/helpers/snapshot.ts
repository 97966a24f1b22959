import type { AwsFact, CoverageState, K8sObject, Snapshot } from '../../src/model/index.js';
import { emptySnapshot, kindKey } from '../../src/model/index.js';
import { parseManifestText } from '../../src/collectors/files/parse.js';

export interface SnapshotSpec {
  /** Kubernetes objects: YAML/JSON text (multi-document) or objects. */
  k8s?: string | K8sObject[];
  aws?: AwsFact[];
  /** Override coverage of Kubernetes kinds (`core/Pod: 'denied'`). */
  kinds?: Record<string, CoverageState>;
  /** Override coverage of AWS operations (`eks:DescribeCluster: 'denied'`). */
  awsCalls?: Record<string, CoverageState>;
  serverVersion?: string;
  /** Default true: kinds not given are absent from the cluster (a complete inventory). */
  complete?: boolean;
  cluster?: Snapshot['cluster'];
  /** Ingested tool reports (kube-bench JSON, ...). */
  tools?: Snapshot['tools'];
}

/** A snapshot for tests: objects parsed like file input, every given kind and AWS operation collected. */
export function makeSnapshot(spec: SnapshotSpec): Snapshot {
  const snap = emptySnapshot('test', new Date('2026-11-26T12:00:00Z'));
  snap.cluster = spec.cluster ?? { name: 'test-cluster', region: 'eu-west-1', accountId: '111122223333' };
  let objects: K8sObject[] = [];
  if (typeof spec.k8s === 'string') {
    const parsed = parseManifestText(spec.k8s, 'fixture.yaml');
    if (parsed.problems.length) throw new Error(`fixture does not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
    objects = parsed.objects;
  } else if (spec.k8s) {
    objects = structuredClone(spec.k8s);
  }
  if (spec.k8s !== undefined || spec.kinds) {
    snap.kubernetes = { source: 'files', complete: spec.complete ?? true, kinds: {}, objects };
    if (spec.serverVersion) snap.kubernetes.serverVersion = spec.serverVersion;
    for (const o of objects) {
      const k = kindKey(o.apiVersion, o.kind);
      const c = snap.kubernetes.kinds[k];
      if (c) c.count++;
      else snap.kubernetes.kinds[k] = { state: 'collected', count: 1 };
    }
    for (const [k, state] of Object.entries(spec.kinds ?? {})) {
      snap.kubernetes.kinds[k] = { state, count: snap.kubernetes.kinds[k]?.count ?? 0 };
      if (state === 'denied' || state === 'error') snap.gaps.push({ source: 'kubernetes', key: k, target: k, reason: state === 'denied' ? 'forbidden' : 'error', message: `${k}: ${state}` });
    }
  }
  if (spec.aws || spec.awsCalls) {
    snap.aws = { source: 'live', accountId: '111122223333', region: 'eu-west-1', calls: {}, facts: spec.aws ? structuredClone(spec.aws) : [] };
    for (const f of snap.aws.facts) {
      const key = `${f.service}:${f.operation}`;
      const c = snap.aws.calls[key];
      if (c) c.count++;
      else snap.aws.calls[key] = { state: 'collected', count: 1 };
    }
    for (const [k, state] of Object.entries(spec.awsCalls ?? {})) {
      snap.aws.calls[k] = { state, count: snap.aws.calls[k]?.count ?? 0 };
      if (state === 'denied' || state === 'error') snap.gaps.push({ source: 'aws', key: k, target: k, reason: state === 'denied' ? 'access-denied' : 'error', message: `${k}: ${state}`, permission: k });
    }
  }
  if (spec.tools) snap.tools = structuredClone(spec.tools);
  return snap;
}
