/**
 * Live Kubernetes evidence collection: connect (kubeconfig / in-cluster / EKS token), then collect
 * exactly the evidence keys asked for. See docs/kubernetes.md.
 */
import type { ClusterIdentity, EvidenceGap, K8sObject, KubernetesEvidence } from '../../model/index.js';
import { connect } from './connection.js';
import type { ConnectOptions } from './connection.js';
import { KubeHttp } from './http.js';
import { collectFromApi, DEFAULT_CONCURRENCY } from './collect.js';
import type { CollectOptions, CollectResult } from './collect.js';

export { KubernetesCollectionError, KubeRequestError } from './errors.js';
export { connect } from './connection.js';
export { parseEksArn } from '../eks-arn.js';
export type { ConnectOptions, Connection, AuthMethod } from './connection.js';
export { KubeHttp, DEADLINE_CODE } from './http.js';
export { collectFromApi, rbacRule, metadataOnlyProblem, listBodyProblem, METADATA_LIST_ACCEPT, DEFAULT_PAGE_SIZE, DEFAULT_CONCURRENCY, MAX_PAGES_PER_KIND } from './collect.js';
export type { CollectOptions, CollectResult, ProgressEvent } from './collect.js';
export { EksTokenAuthenticator, generateEksToken, parseEksExec, EKS_TOKEN_TTL_MS } from './eks-token.js';
export { reduceObject } from './reduce.js';

/** Client-side rate limit defaults: twice client-go's 5 QPS / burst 10 (docs/kubernetes.md "Load"). */
export const DEFAULT_QPS = 10;
export const DEFAULT_BURST = 20;
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default of `--deadline`: the whole Kubernetes collection, credentials to the last page (docs/kubernetes.md). */
export const DEFAULT_DEADLINE_MS = 900_000;

export interface LiveOptions extends ConnectOptions, Omit<CollectOptions, 'userName' | 'server' | 'auth'> {
  qps?: number;
  burst?: number;
  /** Per-request timeout in milliseconds (default 60 s). */
  timeoutMs?: number;
  /** The whole collection, milliseconds (default 15 minutes); what is not read by then is reported as not collected. */
  deadlineMs?: number;
  /** Tests: shorten backoff. */
  sleep?: (ms: number) => Promise<void>;
}

export interface LiveResult extends CollectResult {
  kubernetes: KubernetesEvidence;
  gaps: EvidenceGap[];
  cluster: ClusterIdentity;
  inputs: string[];
}

/** The uid of the `kube-system` Namespace, when it was read: the cluster's stable id. */
export function kubeSystemUid(objects: readonly K8sObject[]): string | undefined {
  for (const o of objects) {
    if (o.kind === 'Namespace' && o.metadata?.name === 'kube-system' && typeof o.metadata.uid === 'string' && o.metadata.uid) return o.metadata.uid;
  }
  return undefined;
}

/**
 * GET the kube-system Namespace for its uid when the controls asked for did not list namespaces,
 * so that every run of a cluster carries the same identity whatever its --control selection.
 * Best effort: the uid names the cluster, it is not evidence, so a refusal is no gap.
 */
async function readKubeSystemUid(http: KubeHttp): Promise<string | undefined> {
  try {
    const r = await http.getJson('/api/v1/namespaces/kube-system');
    const uid = r.status === 200 ? (r.body as { metadata?: { uid?: unknown } } | undefined)?.metadata?.uid : undefined;
    return typeof uid === 'string' && uid ? uid : undefined;
  } catch {
    return undefined;
  }
}

/** Connect and collect. Throws KubernetesCollectionError for problems that stop the whole collection. */
export async function collectLive(opts: LiveOptions): Promise<LiveResult> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadline = Date.now() + deadlineMs;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const conn = await connect({ ...opts, maxSockets: concurrency + 1, credentialTimeoutMs: Math.min(opts.credentialTimeoutMs ?? timeoutMs, deadlineMs) });
  try {
    const http = new KubeHttp({
      server: conn.server,
      agent: conn.agent,
      headers: () => conn.headers(),
      refreshAuth: () => conn.refreshAuth(),
      qps: opts.qps ?? DEFAULT_QPS,
      burst: opts.burst ?? DEFAULT_BURST,
      timeoutMs,
      deadline,
      userAgent: 'eks-soc2 (read-only compliance collector)',
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
    });
    const result = await collectFromApi(http, { ...opts, concurrency, userName: conn.userName, server: conn.server, auth: conn.auth, deadlineSeconds: Math.round(deadlineMs / 1000) });
    const uid = kubeSystemUid(result.kubernetes.objects) ?? (http.expired() ? undefined : await readKubeSystemUid(http));
    return { ...result, cluster: { ...conn.cluster, ...(uid ? { uid } : {}) }, inputs: conn.inputs };
  } finally {
    conn.close();
  }
}
