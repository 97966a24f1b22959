/**
 * Live collection of exactly the Kubernetes evidence the selected controls declare.
 *
 * For each `k8s:<group>/<Kind>` key the resource is found by API discovery (preferred version);
 * `k8s:<group>/*` lists every resource of the group; a kind the server does not serve is recorded
 * `absent`. Every LIST is paginated (`limit` + `continue`, never `resourceVersion=0`), restarted on
 * 410 Gone, rate limited client-side, retried on 429/5xx/network errors; kinds are collected with
 * bounded concurrency. A 403 becomes an evidence gap naming the missing RBAC rule, not a crash.
 * Secrets are listed metadata-only and only when asked; ConfigMaps are read by name, never listed.
 */
import type { Coverage, CoverageState, EvidenceGap, GapReason, K8sObject, KubernetesEvidence } from '../../model/index.js';
import { CONFIGMAPS_WITH_EVIDENCE } from '../sanitize.js';
import { KubernetesCollectionError } from './errors.js';
import type { KubeRequestError } from './errors.js';
import type { KubeHttp } from './http.js';
import { DEADLINE_CODE, parseBody, statusMessage } from './http.js';
import type { KubeResponse } from './http.js';
import { Discovery, DiscoveryUnauthorized } from './discovery.js';
import type { DiscoveryFailure, ResolvedResource } from './discovery.js';
import { reduceObject } from './reduce.js';
import { StructureSharer } from './share.js';
import { describeShapeProblems, shapeProblems } from '../shape.js';
import { checkObjectBudget } from '../limits.js';

/** The media type of metadata-only lists, sent without a plain-JSON fallback (controls.md §4.3). */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_CONCURRENCY = 4;
const MAX_410_RESTARTS = 3;
/**
 * Most pages read of one kind (5 million objects at the default page size): a server that keeps
 * answering with new continue tokens cannot page forever. A token seen twice stops the list at once.
 */
export const MAX_PAGES_PER_KIND = 10_000;
/** Objects of a wrong shape described in a gap, per kind (the rest are counted). */
const MAX_INVALID_LISTED = 3;

export type ProgressEvent =
  | { type: 'start'; key: string }
  | { type: 'page'; key: string; count: number }
  | { type: 'done'; key: string; state: CoverageState; count: number; pages: number };

export interface CollectOptions {
  /** Evidence keys of the selected controls (only `k8s:` keys are read). */
  keys: Iterable<string>;
  /** List Secrets metadata-only for `k8s:core/Secret` (off by default). */
  secretsMetadata?: boolean;
  /** LIST page size (default 500). */
  pageSize?: number;
  /** Kinds collected in parallel (default 4). */
  concurrency?: number;
  /** Kubeconfig user name, the identity fallback. */
  userName?: string;
  /** API server URL, for messages. */
  server?: string;
  /** Authentication in use, to tailor the fix of a 401. */
  auth?: string;
  /** Share identical sub-trees between objects (default true; see share.ts). */
  share?: boolean;
  /** The collection deadline in seconds, for messages (the deadline itself is the KubeHttp's). */
  deadlineSeconds?: number;
  /** Most pages per kind (default MAX_PAGES_PER_KIND). */
  maxPages?: number;
  onProgress?: (e: ProgressEvent) => void;
}

export interface CollectResult {
  kubernetes: KubernetesEvidence;
  gaps: EvidenceGap[];
  /** The authenticated user (SelfSubjectReview), else the kubeconfig user. */
  identity: string | undefined;
  stats: { requests: number; discoveryRequests: number; pages: Record<string, number>; retries: number; throttled: number; rateLimitWaitMs: number; retryWaitMs: number; bytes: number; ms: number; sharedSubtrees: number; distinctSubtrees: number };
}

interface Task {
  /** Coverage key (`apps/Deployment`). */
  kindKey: string;
  /** Key gaps are filed under: the kind key, or the group key when only the group was asked for. */
  gapKey: string;
  resource: ResolvedResource;
  mode: 'list' | 'secrets-metadata' | 'configmaps-by-name';
}

interface TaskResult {
  objects: K8sObject[];
  coverage: Coverage;
  gaps: EvidenceGap[];
  pages: number;
}

const sortKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `list pods (core)`, `get configmaps "aws-auth" (core, namespace kube-system)` */
export function rbacRule(verb: string, r: { group: string; resource: string }, name?: string, namespace?: string): string {
  return `${verb} ${r.resource}${name ? ` "${name}"` : ''} (${r.group || 'core'}${namespace ? `, namespace ${namespace}` : ''})`;
}

const RBAC_FIX = 'grant it to the identity eks-soc2 uses: `kubectl apply -f deploy/kubernetes/base/rbac.yaml` (ClusterRole eks-soc2-reader, bound to group soc2-auditor), or add the rule to your own role';

function parseKey(key: string): { group: string; kind: string } | undefined {
  const slash = key.lastIndexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  const g = key.slice(0, slash);
  return { group: g === 'core' ? '' : g, kind: key.slice(slash + 1) };
}

function unauthorized(opts: CollectOptions, what: string): KubernetesCollectionError {
  const eks = opts.auth === 'eks-token' || opts.auth === 'exec';
  return new KubernetesCollectionError(
    `the API server ${opts.server ?? ''} rejected the credentials of kubeconfig user "${opts.userName ?? 'unknown'}" (401 Unauthorized on ${what}): the token is expired or not valid for this cluster`,
    'collect',
    eks
      ? 'refresh your AWS credentials (`aws sso login`, or another profile) and retry; if they are fresh, the IAM principal has no access entry (or aws-auth mapping) in this cluster — see docs/kubernetes.md "Access"'
      : opts.auth === 'service-account' ? 'the service-account token was rejected: check the ServiceAccount exists and the pod mounts a current token' : 'get a fresh token (or client certificate) for this cluster and update the kubeconfig',
    'unauthenticated',
  );
}

function gapOf(task: Task, reason: GapReason, message: string, target: string, extra: Partial<EvidenceGap> = {}): EvidenceGap {
  return { source: 'kubernetes', key: task.gapKey, target, reason, message, ...extra };
}

/** Collect the Kubernetes evidence for `opts.keys` through `http`. */
export async function collectFromApi(http: KubeHttp, opts: CollectOptions): Promise<CollectResult> {
  const started = performance.now();
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? DEFAULT_PAGE_SIZE, 10_000));
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const keys = [...new Set([...opts.keys].filter((k) => k.startsWith('k8s:')).map((k) => k.slice(4)))].sort(sortKeys);
  const kinds: Record<string, Coverage> = {};
  const gaps: EvidenceGap[] = [];

  // 1. Reachability, TLS and credentials: one request, fatal when it fails.
  const serverVersion = await probe(http, opts);

  // 2. Identity (SelfSubjectReview, allowed to every authenticated user since 1.28) and discovery, concurrently.
  const discovery = new Discovery(http);
  const identityP = whoAmI(http).catch(() => undefined);

  const explicit = new Set(keys.filter((k) => !k.endsWith('/*')));
  const tasks: Task[] = [];
  const groupKinds = new Map<string, string[]>();
  const plan = async (key: string): Promise<void> => {
    const parsed = parseKey(key);
    if (!parsed) {
      kinds[key] = { state: 'error', count: 0 };
      gaps.push({ source: 'kubernetes', key, target: key, reason: 'invalid', message: `evidence key k8s:${key} is not <group>/<Kind> or <group>/*` });
      return;
    }
    const { group, kind } = parsed;
    if (kind === '*') {
      const g = await discovery.resolveGroup(group);
      if (g.state === 'absent') {
        kinds[key] = { state: 'absent', count: 0, detail: `API group ${group || 'core'} is not served` };
        return;
      }
      if (g.state !== 'served') {
        recordDiscoveryFailure(key, g, group, '*');
        return;
      }
      const members: string[] = [];
      for (const r of g.resources) {
        // Never list Secrets or ConfigMaps as part of a group.
        if (!r.group && (r.resource === 'secrets' || r.resource === 'configmaps')) continue;
        const kk = `${group || 'core'}/${r.kind}`;
        members.push(kk);
        if (!explicit.has(kk) && !tasks.some((t) => t.kindKey === kk)) tasks.push({ kindKey: kk, gapKey: key, resource: r, mode: 'list' });
      }
      groupKinds.set(key, members);
      return;
    }
    const res = await discovery.resolveKind(group, kind);
    if (res.state === 'absent') {
      kinds[key] = { state: 'absent', count: 0, detail: `${kind} is not served by the API server` };
      return;
    }
    if (res.state !== 'served') {
      recordDiscoveryFailure(key, res, group, kind);
      return;
    }
    const r = res.resource;
    if (!group && kind === 'Secret') {
      if (!opts.secretsMetadata) {
        gaps.push({ source: 'kubernetes', key, target: 'GET /api/v1/secrets', reason: 'not-enabled', message: 'Secrets are not read by default', fix: 'pass --secrets-metadata to list Secret metadata only (no values; needs `list secrets`, see docs/kubernetes.md)', permission: rbacRule('list', r) });
        return;
      }
      tasks.push({ kindKey: key, gapKey: key, resource: r, mode: 'secrets-metadata' });
      return;
    }
    if (!group && kind === 'ConfigMap') {
      tasks.push({ kindKey: key, gapKey: key, resource: r, mode: 'configmaps-by-name' });
      return;
    }
    const existing = tasks.findIndex((t) => t.kindKey === key);
    if (existing >= 0) tasks[existing]!.gapKey = key;
    else tasks.push({ kindKey: key, gapKey: key, resource: r, mode: 'list' });
  };
  const recordDiscoveryFailure = (key: string, f: DiscoveryFailure, group: string, kind: string): void => {
    kinds[key] = { state: f.state, count: 0 };
    gaps.push({
      source: 'kubernetes', key, target: f.target, reason: f.reason, message: `API discovery for ${group || 'core'}/${kind} failed: ${f.message}`,
      ...(f.state === 'denied' ? { permission: `get ${f.target.replace(/^GET /, '')} (nonResourceURLs)`, fix: 'discovery is normally allowed to every authenticated user (ClusterRole system:discovery); check that binding' } : {}),
    });
  };

  try {
    // Plan sequentially in key order so tasks (and thus objects) come out in a stable order; the
    // discovery documents are cached, so this costs one request per document.
    for (const k of keys) await plan(k);
  } catch (err) {
    if (err instanceof DiscoveryUnauthorized) throw unauthorized(opts, err.message.replace(/: 401.*/, ''));
    throw err;
  }
  const discoveryRequests = discovery.fetched;
  tasks.sort((a, b) => sortKeys(a.kindKey, b.kindKey));

  // 3. Collection, bounded concurrency across kinds.
  const sharer = opts.share === false ? undefined : new StructureSharer();
  const results = new Array<TaskResult | undefined>(tasks.length);
  let next = 0;
  let fatal: unknown;
  // Objects are counted as they arrive, across kinds: past the budget the collection stops before
  // the heap runs out (limits.ts).
  let received = 0;
  const budget = (n: number): void => {
    received += n;
    checkObjectBudget(received, `the cluster at ${opts.server ?? http.server}`);
  };
  const worker = async (): Promise<void> => {
    while (fatal === undefined) {
      const i = next++;
      if (i >= tasks.length) return;
      const task = tasks[i]!;
      if (http.expired()) {
        // The deadline passed before this kind's turn: not collected, and said so.
        results[i] = { objects: [], coverage: { state: 'error', count: 0, detail: task.resource.apiVersion }, gaps: [deadlineGap(task, `GET ${task.resource.path}`, 0, opts)], pages: 0 };
        continue;
      }
      opts.onProgress?.({ type: 'start', key: task.kindKey });
      try {
        const r = task.mode === 'configmaps-by-name' ? await readConfigMaps(http, task, opts) : await listAll(http, task, pageSize, opts, () => fatal !== undefined, sharer, budget);
        results[i] = r;
        opts.onProgress?.({ type: 'done', key: task.kindKey, state: r.coverage.state, count: r.coverage.count, pages: r.pages });
      } catch (err) {
        fatal ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, tasks.length)) }, worker));
  if (fatal !== undefined) throw fatal;

  const objects: K8sObject[] = [];
  const pages: Record<string, number> = {};
  tasks.forEach((t, i) => {
    const r = results[i]!;
    kinds[t.kindKey] = r.coverage;
    pages[t.kindKey] = r.pages;
    for (const o of r.objects) objects.push(o);
    r.objects.length = 0;
    for (const g of r.gaps) gaps.push(g);
  });
  // Falco's ConfigMap says where its alerts go (CC4-MON-05); its namespace is only known now. Best
  // effort: without `get configmaps/falco` there (an optional Role, docs/kubernetes.md) the control
  // asks for an attestation, so a refusal is not a gap.
  const cmTask = tasks.find((t) => t.mode === 'configmaps-by-name');
  if (cmTask) {
    for (const id of falcoConfigMapIds(objects)) {
      const o = await readOptionalConfigMap(http, cmTask.resource, id, opts);
      if (o) {
        objects.push(o);
        kinds[cmTask.kindKey] = { ...kinds[cmTask.kindKey]!, count: kinds[cmTask.kindKey]!.count + 1 };
      }
    }
  }
  // Whole-group keys: the worst state of their kinds (collected when the group serves none).
  const rank: Record<CoverageState, number> = { collected: 0, absent: 0, partial: 1, error: 2, denied: 3 };
  for (const [gk, members] of groupKinds) {
    let state: CoverageState = 'collected';
    let count = 0;
    for (const m of members) {
      const c = kinds[m];
      if (!c) continue;
      count += c.count;
      if (rank[c.state] > rank[state]) state = c.state;
    }
    kinds[gk] = { state, count, detail: `${members.length} kind(s)` };
  }
  const identity = (await identityP) ?? opts.userName;
  const s = http.stats;
  return {
    kubernetes: { source: 'live', complete: false, ...(serverVersion ? { serverVersion } : {}), kinds: sortRecord(kinds), objects },
    gaps,
    identity,
    stats: { requests: s.requests, discoveryRequests, pages, retries: s.retries, throttled: s.throttled, rateLimitWaitMs: Math.round(s.rateLimitWaitMs), retryWaitMs: Math.round(s.retryWaitMs), bytes: s.bytes, ms: Math.round(performance.now() - started), sharedSubtrees: sharer?.hits ?? 0, distinctSubtrees: sharer?.distinct ?? 0 },
  };
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => sortKeys(a, b)));
}

const PRIVATE_ENDPOINT_FIX =
  'check the server URL and your network; if the EKS endpoint is private (endpointPublicAccess=false), run eks-soc2 inside the VPC (a pod, a bastion, VPN or peering), or allow your address in publicAccessCidrs';

async function probe(http: KubeHttp, opts: CollectOptions): Promise<string | undefined> {
  let res;
  try {
    res = await http.getJson('/version', { retries: 1 });
  } catch (err) {
    if (err instanceof KubernetesCollectionError) throw err;
    const e = err as KubeRequestError;
    const server = opts.server ?? http.server;
    if (e.kind === 'tls') {
      throw new KubernetesCollectionError(`TLS verification of the API server ${server} failed (${e.code ?? ''}: ${e.message.replace(/^TLS: /, '')})`, 'collect',
        'the kubeconfig\'s certificate-authority data does not match the server certificate: refresh the kubeconfig (`aws eks update-kubeconfig --name CLUSTER`) or fix certificate-authority(-data)', 'tls');
    }
    if (e.kind === 'credentials') {
      throw new KubernetesCollectionError(`could not obtain credentials for the API server: ${e.message}`, 'collect', 'check the user entry of the kubeconfig', 'credentials');
    }
    if (e.kind === 'timeout') {
      throw new KubernetesCollectionError(`the API server ${server} did not answer (${e.message})`, 'collect', `${PRIVATE_ENDPOINT_FIX}; or raise --timeout`, 'timeout');
    }
    throw new KubernetesCollectionError(`cannot reach the API server ${server} (${e.code ?? e.message})`, 'collect', PRIVATE_ENDPOINT_FIX, 'network');
  }
  if (res.status === 401) throw unauthorized(opts, 'GET /version');
  if (res.status !== 200) return undefined;
  const v = (res.body as { gitVersion?: unknown } | undefined)?.gitVersion;
  return typeof v === 'string' ? v : undefined;
}

async function whoAmI(http: KubeHttp): Promise<string | undefined> {
  const res = await http.getJson('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, retries: 1,
  });
  if (res.status !== 200 && res.status !== 201) return undefined;
  const u = (res.body as { status?: { userInfo?: { username?: unknown } } } | undefined)?.status?.userInfo?.username;
  return typeof u === 'string' && u ? u : undefined;
}

function failState(objects: number): CoverageState {
  return objects > 0 ? 'partial' : 'error';
}

/** What was not collected because the collection deadline passed (`--deadline`). */
function deadlineGap(task: Task, target: string, kept: number, opts: CollectOptions): EvidenceGap {
  const limit = opts.deadlineSeconds ? ` (--deadline ${opts.deadlineSeconds} s)` : '';
  return gapOf(task, 'timeout', `${task.resource.resource} (${task.resource.apiVersion}) ${kept ? `was not read completely before the collection deadline passed${limit}; ${kept} object(s) read before it are kept` : `was not collected: the collection deadline passed${limit} before it could be read`}`, target,
    { fix: 'raise --deadline, or collect fewer kinds at once (--section, --control); a slow API server answers faster with a larger --page-size' });
}

/** Why a 200 answer to a LIST is not the list asked for, or undefined when it is (a List of the kind, with an items array). */
export function listBodyProblem(body: unknown, kind: string, metadataOnly: boolean): string | undefined {
  if (body === undefined) return 'a body that is not JSON';
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `a JSON ${Array.isArray(body) ? 'array' : typeof body} instead of a ${kind}List`;
  const b = body as { kind?: unknown; items?: unknown; metadata?: unknown };
  const want = metadataOnly ? 'PartialObjectMetadataList' : `${kind}List`;
  if (b.kind !== want && !(metadataOnly ? false : b.kind === 'List')) {
    return `${typeof b.kind === 'string' ? `a ${b.kind.slice(0, 60)}` : 'an object without a kind'}${b.kind === 'Status' && statusMessage(body) ? ` ("${statusMessage(body)}")` : ''} instead of a ${want}`;
  }
  if (!Array.isArray(b.items)) return `a ${want} whose items are ${b.items === null ? 'null' : b.items === undefined ? 'missing' : `not a list (${typeof b.items})`}`;
  if (b.metadata !== undefined && (b.metadata === null || typeof b.metadata !== 'object' || Array.isArray(b.metadata))) return `a ${want} whose metadata is not a mapping`;
  return undefined;
}

type Fetched = { res: KubeResponse } | { err: unknown };

/** The list's `metadata.continue`, read from the start of the body without parsing the items. */
export function peekContinue(body: Buffer): string | undefined {
  const head = body.subarray(0, 8192).toString('latin1');
  const mi = head.indexOf('"metadata"');
  const ii = head.indexOf('"items"');
  if (mi < 0 || (ii >= 0 && ii < mi)) return undefined;
  const meta = /^"metadata"\s*:\s*\{([^{}]*)\}/.exec(head.slice(mi));
  const c = meta ? /"continue"\s*:\s*"([^"\\]+)"/.exec(meta[1]!) : null;
  return c?.[1];
}

/** LIST every page of one resource. */
async function listAll(http: KubeHttp, task: Task, pageSize: number, opts: CollectOptions, aborted: () => boolean, sharer?: StructureSharer,
  budget: (n: number) => void = () => undefined): Promise<TaskResult> {
  const r = task.resource;
  const metadataOnly = task.mode === 'secrets-metadata';
  const target = `GET ${r.path}`;
  const permission = rbacRule('list', r);
  const maxPages = opts.maxPages ?? MAX_PAGES_PER_KIND;
  let restarts = 0;
  let pages = 0;
  let items: K8sObject[] = [];
  let cont: string | undefined;
  /** Continue tokens already followed: one coming back means the server pages in a circle. */
  let tokens = new Set<string>();
  /** Objects whose fields have types the API does not allow: dropped, and the kind reported partial. */
  let invalid = 0;
  let invalidListed: string[] = [];
  const invalidGap = (): EvidenceGap[] => invalid === 0 ? [] : [gapOf(task, 'invalid',
    `${invalid} ${r.resource} object(s) have fields of a type the Kubernetes API does not allow and were not evaluated: ${invalidListed.join(' | ')}${invalid > invalidListed.length ? ' | …' : ''}`,
    target, { fix: 'the API server should never answer this: check for a proxy or an aggregated API server between eks-soc2 and the cluster' })];
  const done = (state: CoverageState, gaps: EvidenceGap[] = []): TaskResult => {
    const kept = state === 'collected' || state === 'partial';
    const s = invalid > 0 && state === 'collected' ? (items.length > 0 ? 'partial' : 'error') : state;
    return {
      objects: kept ? items : [],
      coverage: { state: s, count: kept ? items.length : 0, detail: r.apiVersion },
      gaps: [...gaps, ...invalidGap()],
      pages,
    };
  };
  const badList = (what: string): TaskResult => done(failState(items.length), [gapOf(task, 'error',
    `listing ${r.resource} (${r.apiVersion}) answered ${what}; ${items.length ? `the ${items.length} object(s) of earlier pages are kept, the rest was not read` : 'nothing was read'}`, target,
    { fix: 'an API server answers a LIST with a well-formed List: check for a proxy or an aggregated API server between eks-soc2 and the cluster' })]);
  const accept = metadataOnly ? METADATA_LIST_ACCEPT : 'application/json';
  const fetchPage = (c: string | undefined): Promise<Fetched> =>
    http.request(`${r.path}?limit=${pageSize}${c ? `&continue=${encodeURIComponent(c)}` : ''}`, { accept }).then((res) => ({ res }), (err: unknown) => ({ err }));
  const failure = (err: unknown): TaskResult => {
    if (err instanceof KubernetesCollectionError) throw err;
    const e = err as KubeRequestError;
    if (e.kind === 'credentials' || e.kind === 'tls') throw new KubernetesCollectionError(e.message, 'collect', undefined, e.kind);
    if (e.code === DEADLINE_CODE) return done(failState(items.length), [deadlineGap(task, target, items.length, opts)]);
    return done(failState(items.length), [gapOf(task, e.kind === 'timeout' ? 'timeout' : 'network', `listing ${r.resource} (${r.apiVersion}) failed after retries: ${e.message}${items.length ? `; ${items.length} object(s) read before the failure are kept` : ''}`, target, { fix: e.kind === 'timeout' ? 'raise --timeout, or lower --page-size' : 'check the network path to the API server and retry' })]);
  };
  // The next page is requested as soon as this page's continue token is known (it precedes the
  // items in the body), so the server works on it while this page is parsed and reduced.
  let prefetch: { token: string; page: Promise<Fetched> } | undefined;
  for (;;) {
    if (aborted()) return done('error');
    const fetched = prefetch && prefetch.token === cont ? await prefetch.page : await fetchPage(cont);
    prefetch = undefined;
    if ('err' in fetched) return failure(fetched.err);
    let res = fetched.res;
    if (res.status === 200 && !metadataOnly) {
      const early = peekContinue(res.body);
      if (early) {
        prefetch = { token: early, page: fetchPage(early) };
        await new Promise((resolve) => setImmediate(resolve)); // let the request go out before parsing blocks
      }
    }
    res.json = parseBody(res);
    if (res.status === 200 && res.json === undefined) {
      // A complete response that is not JSON: fetch the page again, with the HTTP layer's retries.
      try {
        res = await http.request(`${r.path}?limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { accept, json: true });
      } catch (err) {
        return failure(err);
      }
    }
    pages++;
    const body = res.json as { kind?: unknown; metadata?: { continue?: unknown }; items?: unknown } | undefined;
    if (res.status === 200) {
      if (metadataOnly) {
        const problem = metadataOnlyProblem(body);
        if (problem) {
          items = [];
          return done('error', [gapOf(task, 'invalid', `the API server answered the metadata-only Secret list with ${problem}; the response was discarded unread`, target, { fix: 'upgrade the API server (metadata-only lists need Kubernetes 1.15+), or leave --secrets-metadata off' })]);
        }
      }
      // Anything but a well-formed List of the kind asked for ({"items": null}, a Status, an HTML
      // page from a proxy) is not "no objects": the kind is not collected.
      const bad = listBodyProblem(body, r.kind, metadataOnly);
      if (bad) return badList(bad);
      const list = body!.items as unknown[];
      budget(list.length);
      for (const raw of list) {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
          invalid++;
          if (invalidListed.length < MAX_INVALID_LISTED) invalidListed.push(`an item that is ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}, not an object`);
          continue;
        }
        const o = raw as K8sObject;
        if (metadataOnly) {
          const meta = (o.metadata ?? {}) as K8sObject['metadata'];
          const m = { apiVersion: r.apiVersion, kind: r.kind, metadata: meta };
          const shape = shapeProblems(m);
          if (shape.length > 0) {
            invalid++;
            if (invalidListed.length < MAX_INVALID_LISTED) invalidListed.push(describeShapeProblems(m, shape));
            continue;
          }
          items.push(reduceObject(m));
          continue;
        }
        o.apiVersion = r.apiVersion;
        o.kind = r.kind;
        const shape = shapeProblems(o);
        if (shape.length > 0) {
          invalid++;
          if (invalidListed.length < MAX_INVALID_LISTED) invalidListed.push(describeShapeProblems(o, shape));
          continue;
        }
        if (!o.metadata || typeof o.metadata !== 'object') o.metadata = {};
        items.push(reduceObject(o, sharer));
      }
      opts.onProgress?.({ type: 'page', key: task.kindKey, count: items.length });
      const c = body?.metadata?.continue;
      if (typeof c === 'string' && c !== '') {
        if (tokens.has(c) || c === cont) {
          return badList(`the same continue token twice (after ${pages} page(s)): the server pages in a circle, so the list would never end`);
        }
        if (pages >= maxPages) {
          return badList(`more than ${maxPages.toLocaleString('en-US')} pages (${items.length.toLocaleString('en-US')} objects): reading stopped there`);
        }
        tokens.add(c);
        cont = c;
        continue;
      }
      return done('collected');
    }
    if (res.status === 410) {
      // The continue token expired: restart the list for a consistent result.
      if (restarts < MAX_410_RESTARTS) {
        restarts++;
        items = [];
        invalid = 0;
        invalidListed = [];
        tokens = new Set();
        cont = undefined;
        continue;
      }
      return done(failState(items.length), [gapOf(task, 'error', `listing ${r.resource} kept expiring (410 Gone ${restarts + 1} times); ${items.length} object(s) were read before giving up`, target, { fix: 'retry when the cluster is quieter, or raise --page-size so the list needs fewer pages' })]);
    }
    if (res.status === 401) throw unauthorized(opts, target);
    if (res.status === 403) {
      const state: CoverageState = items.length > 0 ? 'partial' : 'denied';
      return done(state, [gapOf(task, 'forbidden', `listing ${r.resource} (${r.apiVersion}) was forbidden for ${opts.userName ? `user "${opts.userName}"` : 'this user'}${statusMessage(body) ? `: ${statusMessage(body)}` : ''}`, target, { permission, fix: RBAC_FIX })]);
    }
    if (res.status === 404) {
      // Discovery said the resource is served: a 404 on its LIST is not an empty list (a proxy, a
      // removed CRD, a broken aggregated API). Nothing is claimed about what exists.
      return badList(`404 Not Found although API discovery lists ${r.resource}${statusMessage(body) ? ` ("${statusMessage(body)}")` : ''}`);
    }
    if (res.status === 406 && metadataOnly) {
      return done('error', [gapOf(task, 'unsupported', 'the API server does not support metadata-only lists (406 Not Acceptable); Secrets were not read, as full objects would carry their values', target)]);
    }
    if (res.status === 429) {
      return done(failState(items.length), [gapOf(task, 'throttled', `listing ${r.resource} was still throttled (429 Too Many Requests) after retries${items.length ? `; ${items.length} object(s) kept` : ''}`, target, { fix: 'retry later, or lower --qps/--concurrency so eks-soc2 uses less of the API server\'s capacity' })]);
    }
    return done(failState(items.length), [gapOf(task, 'error', `listing ${r.resource} failed with HTTP ${res.status}${statusMessage(body) ? `: ${statusMessage(body)}` : ''}`, target)]);
  }
}

/** Why a metadata-only list response must be rejected, or undefined when it is what was asked for. */
export function metadataOnlyProblem(body: unknown): string | undefined {
  const b = body as { kind?: unknown; items?: unknown } | undefined;
  if (!b || b.kind !== 'PartialObjectMetadataList') return `kind ${typeof b?.kind === 'string' ? b.kind : 'unknown'} instead of PartialObjectMetadataList`;
  if (Array.isArray(b.items)) {
    for (const it of b.items) {
      if (it && typeof it === 'object' && ('data' in it || 'stringData' in it)) return 'items that carry data';
    }
  }
  return undefined;
}

/** namespace/name of the ConfigMaps that may hold the configuration of the Falco DaemonSets in `objects`. */
export function falcoConfigMapIds(objects: readonly K8sObject[]): string[] {
  const ids = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'DaemonSet' || !o.metadata?.namespace) continue;
    const name = o.metadata.name ?? '';
    if (o.metadata.labels?.['app.kubernetes.io/name'] !== 'falco' && name !== 'falco') continue;
    ids.add(`${o.metadata.namespace}/falco`);
    if (name) ids.add(`${o.metadata.namespace}/${name}`);
  }
  return [...ids].sort(sortKeys);
}

/** GET one ConfigMap by name; undefined when it is absent, refused or unreadable. */
async function readOptionalConfigMap(http: KubeHttp, r: Task['resource'], id: string, opts: CollectOptions): Promise<K8sObject | undefined> {
  const [ns, name] = id.split('/') as [string, string];
  const path = `/api/${r.version}/namespaces/${encodeURIComponent(ns)}/${r.resource}/${encodeURIComponent(name)}`;
  let res;
  try {
    res = await http.request(path, { json: true });
  } catch (err) {
    if (err instanceof KubernetesCollectionError) throw err;
    return undefined;
  }
  if (res.status === 401) throw unauthorized(opts, `GET ${path}`);
  if (res.status !== 200 || !res.json || typeof res.json !== 'object' || Array.isArray(res.json)) return undefined;
  const o = res.json as K8sObject;
  o.apiVersion = r.apiVersion;
  o.kind = r.kind;
  return shapeProblems(o).length > 0 ? undefined : reduceObject(o);
}

/** GET the ConfigMaps controls read (CONFIGMAPS_WITH_EVIDENCE), by name. */
async function readConfigMaps(http: KubeHttp, task: Task, opts: CollectOptions): Promise<TaskResult> {
  const r = task.resource;
  const objects: K8sObject[] = [];
  const gaps: EvidenceGap[] = [];
  let denied = 0;
  let failed = 0;
  const names = [...CONFIGMAPS_WITH_EVIDENCE].sort(sortKeys);
  for (const id of names) {
    const [ns, name] = id.split('/') as [string, string];
    const path = `/api/${r.version}/namespaces/${encodeURIComponent(ns)}/${r.resource}/${encodeURIComponent(name)}`;
    const target = `GET ${path}`;
    let res;
    try {
      res = await http.request(path, { json: true });
    } catch (err) {
      if (err instanceof KubernetesCollectionError) throw err;
      failed++;
      gaps.push(gapOf(task, (err as KubeRequestError).kind === 'timeout' ? 'timeout' : 'network', `reading ConfigMap ${id} failed: ${(err as Error).message}`, target));
      continue;
    }
    if (res.status === 200 && res.json && typeof res.json === 'object' && !Array.isArray(res.json)) {
      const o = res.json as K8sObject;
      o.apiVersion = r.apiVersion;
      o.kind = r.kind;
      const shape = shapeProblems(o);
      if (shape.length > 0) {
        failed++;
        gaps.push(gapOf(task, 'invalid', `ConfigMap ${id} has fields of a type the Kubernetes API does not allow and was not evaluated: ${describeShapeProblems(o, shape)}`, target));
        continue;
      }
      objects.push(reduceObject(o));
    } else if (res.status === 404) {
      // Not present: that is the answer.
    } else if (res.status === 401) {
      throw unauthorized(opts, target);
    } else if (res.status === 403) {
      denied++;
      gaps.push(gapOf(task, 'forbidden', `reading ConfigMap ${id} was forbidden${statusMessage(res.json) ? `: ${statusMessage(res.json)}` : ''}`, target, { permission: rbacRule('get', r, name, ns), fix: `${RBAC_FIX} (Role eks-soc2-configmaps in ${ns})` }));
    } else {
      failed++;
      gaps.push(gapOf(task, res.status === 429 ? 'throttled' : 'error', `reading ConfigMap ${id} failed with HTTP ${res.status}`, target));
    }
  }
  const state: CoverageState = denied + failed === 0 ? 'collected' : denied + failed === names.length ? (denied > 0 ? 'denied' : 'error') : 'partial';
  return { objects, coverage: { state, count: objects.length, detail: r.apiVersion }, gaps, pages: names.length };
}
