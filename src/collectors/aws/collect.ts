import { redactObjectValues } from '../sanitize.js';
import type { AwsFact, Coverage, CoverageState, EvidenceGap, JsonObject, Snapshot } from '../../model/index.js';
import { classifyAwsError, fixFor } from './errors.js';
import type { AwsErrorInfo } from './errors.js';
import { ecrImages } from './k8s-targets.js';
import { mergePages, paramsOf, stripPagination, toJsonObject, PAGINATION_OUTPUT_MEMBERS } from './normalize.js';
import type { OperationPlan, PlanContext, PlanOptions, Target } from './plan.js';
import { READ_ONLY_MIDDLEWARE_OPTIONS, ReadOnlyViolation, assertAllowed, commandAction, readOnlyMiddleware } from './readonly.js';
import { PLANS, resolvePlans } from './registry.js';
import { SERVICES } from './services.js';
import type { SdkClient, ServiceId } from './services.js';
import { credentialProvider, missingCredentialsMessage } from './credentials.js';
import type { CredentialProvider } from './credentials.js';

/** Every action a plan may send: the read-only allowlist (checked before each command leaves). */
export const ALLOWLIST: ReadonlySet<string> = new Set(PLANS.map((p) => p.key));

export interface AwsProgress {
  service: string;
  done: number;
  total: number;
}

export interface LiveAwsOptions {
  /** Evidence keys of the selected controls (`aws:<service>:<Operation>`; other keys are ignored). */
  keys: Iterable<string>;
  /** EKS cluster name. */
  cluster: string;
  /** The cluster's region (default: the SDK's region from the environment or profile). */
  region?: string;
  /** Named profile of the shared config files (default: AWS_PROFILE, then `default`). */
  profile?: string;
  /** A credential provider to use instead of the standard chain (tests, embedding). */
  credentials?: CredentialProvider;
  /** Extra SDK client configuration merged into every client (tests: `requestHandler`, `retryStrategy`). */
  clientConfig?: Record<string, unknown>;
  /** SDK attempts per call, retries included (default 5, adaptive retry mode). */
  maxAttempts?: number;
  /** Calls in flight per service (default 4: Describe/List quotas are shared with production). */
  concurrency?: number;
  /** Delay between iam:GenerateCredentialReport polls (default 2 s). */
  pollDelayMs?: number;
  /** Opt-in: ecr:ListImageReferrers (needs ecr:BatchGetImage). */
  imageReferrers?: boolean;
  /** cloudtrail:LookupEvents window in days (default 90, the event history CloudTrail keeps). */
  lookupDays?: number;
  now?: Date;
  onProgress?(p: AwsProgress): void;
}

/** The snapshot, and the one problem that stopped the whole AWS collection, if any (shown once by the CLI). */
export interface AwsCollectResult {
  snapshot: Snapshot;
  problem?: { reason: EvidenceGap['reason']; message: string; fix: string };
}

class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

interface TargetResult {
  ok: boolean;
  absent?: boolean;
  error?: AwsErrorInfo;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Regions (or `global`) read for an operation, for `calls[key].detail`. */
function detailOf(service: ServiceId, regions: Iterable<string>, fallback: string): string {
  if ((SERVICES[service] as { global?: boolean }).global) return 'global';
  const list = [...new Set(regions)].sort();
  return list.length ? list.join(',') : fallback;
}

/** A stable label of a target for messages. */
function labelOf(p: OperationPlan, t: Target): string {
  if (t.label) return t.label;
  const v = p.targetParam ? t.params[p.targetParam] : undefined;
  if (typeof v === 'string') return v;
  const keys = Object.keys(t.params);
  return keys.length ? JSON.stringify(paramsOf(t.params)) : '';
}

/**
 * Collect the AWS evidence `keys` of one EKS cluster into `snapshot` (live, read-only). Never
 * throws for AWS-side problems: each becomes an EvidenceGap and a coverage state; the snapshot's
 * Kubernetes part chooses targets (node instances, ECR images, IRSA roles, EBS volumes, ...).
 */
export async function collectAwsLive(snapshot: Snapshot, o: LiveAwsOptions): Promise<AwsCollectResult> {
  const { plans, unknown, requested } = resolvePlans(o.keys, { imageReferrers: Boolean(o.imageReferrers) });
  const calls: Record<string, Coverage> = snapshot.aws.calls;
  const facts: (AwsFact & { $order: number })[] = [];
  const gaps: EvidenceGap[] = [];
  snapshot.aws.source = 'live';
  for (const op of unknown) {
    calls[op] = { state: 'error', count: 0 };
    gaps.push({
      source: 'aws', key: op, target: op, reason: 'unsupported',
      message: `${op}: not supported by this collector version (eks-soc2 does not know how to read this operation)`,
      fix: 'upgrade eks-soc2, or provide the output with --aws-evidence DIR',
    });
  }
  const finish = () => {
    facts.sort((a, b) => a.$order - b.$order);
    for (const f of facts) {
      const { $order: _o, ...fact } = f;
      // Credentials in AWS outputs (a URL with a password in a stack output, a key id in an event) are kept as evidence of nothing.
      redactObjectValues(fact.output);
      snapshot.aws.facts.push(fact);
    }
    snapshot.gaps.push(...gaps);
    // The cluster is named even when nothing could be read.
    snapshot.cluster = { ...snapshot.cluster, name: snapshot.cluster.name ?? o.cluster, ...(snapshot.cluster.region ?? o.region ? { region: snapshot.cluster.region ?? o.region } : {}) };
    return snapshot;
  };
  if (plans.length === 0) return { snapshot: finish() };

  // Every operation of the run fails the same way (no credentials, no region, no network).
  const failAll = (reason: EvidenceGap['reason'], message: string, fix: string, only?: Set<string>) => {
    for (const p of plans) {
      if (only && !only.has(p.key)) continue;
      if (calls[p.key] && calls[p.key]!.state !== 'error') continue;
      calls[p.key] = { state: 'error', count: 0 };
      if (!requested.has(p.key) && p.key !== 'sts:GetCallerIdentity') continue;
      gaps.push({ source: 'aws', key: p.key, target: p.key, reason, message: `${p.key}: ${message}`, fix, permission: p.permission ?? p.key });
    }
  };

  // 1. Credentials: resolve once, before any call, so that "no credentials" is one clear message.
  const provider = o.credentials ?? credentialProvider(o.profile);
  try {
    await provider();
  } catch (err) {
    const m = missingCredentialsMessage(err, o.profile);
    failAll('unauthenticated', m.message, m.fix);
    return { snapshot: finish(), problem: { reason: 'unauthenticated', ...m } };
  }

  // 2. Region: the flag, else the SDK's default (AWS_REGION, the profile's region).
  const baseConfig = (): Record<string, unknown> => ({
    credentials: provider,
    ...(o.profile ? { profile: o.profile } : {}),
    maxAttempts: o.maxAttempts ?? 5,
    retryMode: 'adaptive',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    ...o.clientConfig,
  });
  const clients = new Map<string, SdkClient>();
  const client = (service: ServiceId, region: string): SdkClient => {
    const k = `${service}|${region}`;
    let c = clients.get(k);
    if (!c) {
      c = new SERVICES[service].client({ ...baseConfig(), region });
      c.middlewareStack.add(readOnlyMiddleware(service, ALLOWLIST), { ...READ_ONLY_MIDDLEWARE_OPTIONS });
      clients.set(k, c);
    }
    return c;
  };
  let region = o.region;
  if (!region) {
    try {
      const probe = new SERVICES.sts.client({ ...baseConfig() });
      region = await probe.config.region();
      probe.destroy();
    } catch {
      region = undefined;
    }
  }
  if (!region) {
    const m = { message: 'no AWS region: the cluster\'s region is not known', fix: 'pass --region REGION (or set AWS_REGION, or a region in the AWS profile)' };
    failAll('invalid', m.message, m.fix);
    return { snapshot: finish(), problem: { reason: 'invalid', ...m } };
  }
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

  // 3. Plan context over what has been collected so far.
  const byKey = new Map<string, AwsFact[]>();
  const options: PlanOptions = { imageReferrers: Boolean(o.imageReferrers), lookupDays: o.lookupDays ?? 90 };
  let accountId: string | undefined;
  const ctx: PlanContext = {
    cluster: o.cluster, region, get accountId() { return accountId; }, partition, now: o.now ?? new Date(),
    objects: snapshot.kubernetes.objects, images: ecrImages(snapshot.kubernetes.objects), options,
    facts: (key) => byKey.get(key) ?? [],
    outputs: <T>(key: string) => (byKey.get(key) ?? []).map((f) => f.output as unknown as T),
    state: (key) => calls[key]?.state,
  };
  const limiters = new Map<string, Limiter>();
  const limiter = (s: string, max = o.concurrency ?? 4) => {
    let l = limiters.get(s);
    if (!l) limiters.set(s, (l = new Limiter(Math.max(1, max))));
    return l;
  };
  const NO_LIMIT = new Limiter(Number.MAX_SAFE_INTEGER);
  const progress = new Map<string, { done: number; total: number }>();
  const tick = (service: string, addTotal: number, addDone: number) => {
    const p = progress.get(service) ?? { done: 0, total: 0 };
    p.total += addTotal;
    p.done += addDone;
    progress.set(service, p);
    o.onProgress?.({ service, ...p });
  };

  /** Send one command through the read-only guard. */
  const send = async (p: OperationPlan, c: SdkClient, command: unknown): Promise<unknown> => {
    const action = commandAction(p.service, command);
    assertAllowed(action, ALLOWLIST);
    if (action !== p.key) throw new ReadOnlyViolation(action, `the plan of ${p.key} may not send it`);
    return c.send(command);
  };

  /** Read one target completely (all pages, or until the poll condition holds). */
  const read = async (p: OperationPlan, t: Target, c: SdkClient): Promise<JsonObject> => {
    const input = structuredClone(t.params);
    if (p.paginate) {
      const pages: JsonObject[] = [];
      let truncated: [string, string] | undefined;
      const guard = (cmd: unknown) => {
        const action = commandAction(p.service, cmd);
        assertAllowed(action, ALLOWLIST);
        if (action !== p.key) throw new ReadOnlyViolation(action, `the plan of ${p.key} may not send it`);
        return cmd;
      };
      const paginate = p.paginate as unknown as (cfg: { client: SdkClient; withCommand: (c: unknown) => unknown }, i: Record<string, unknown>) => AsyncIterable<unknown>;
      for await (const page of paginate({ client: c, withCommand: guard }, input)) {
        const j = toJsonObject(page);
        pages.push(j);
        const bound = t.maxPages ?? p.maxPages;
        if (bound && pages.length >= bound) {
          const k = [...PAGINATION_OUTPUT_MEMBERS].find((m) => typeof j[m] === 'string' && j[m] !== '');
          if (k) truncated = [k, j[k] as string];
          break;
        }
      }
      const merged = stripPagination(mergePages(pages));
      // A bounded read keeps the token: the output shows that more existed.
      if (truncated) merged[truncated[0]] = truncated[1];
      return merged;
    }
    if (p.tokens) {
      const pages: JsonObject[] = [];
      let token: unknown;
      do {
        const Ctor = p.command;
        const page = toJsonObject(await send(p, c, new Ctor({ ...input, ...(token ? { [p.tokens.input]: token } : {}) })));
        pages.push(page);
        token = page[p.tokens.output];
      } while (typeof token === 'string' && token !== '' && pages.length < 1000);
      return stripPagination(mergePages(pages));
    }
    if (p.poll) {
      let out: JsonObject = {};
      for (let i = 0; i < p.poll.attempts; i++) {
        out = toJsonObject(await send(p, c, new p.command(structuredClone(input))));
        if (p.poll.until(out)) break;
        if (i < p.poll.attempts - 1) await sleep(o.pollDelayMs ?? 2000);
      }
      return out;
    }
    return toJsonObject(await send(p, c, new p.command(input)));
  };

  const factOf = (p: OperationPlan, t: Target, region: string, output: JsonObject, order: number): AwsFact & { $order: number } => {
    const registryId = typeof t.params.registryId === 'string' ? t.params.registryId : undefined;
    const global = (SERVICES[p.service] as { global?: boolean }).global;
    return {
      service: p.service, operation: p.operation, ...(global ? {} : { region }), ...(registryId ?? accountId ? { accountId: registryId ?? accountId } : {}),
      params: paramsOf(t.params), output, $order: order,
    };
  };

  const gapFor = (p: OperationPlan, t: Target, region: string, e: AwsErrorInfo, note = ''): EvidenceGap => {
    const label = labelOf(p, t);
    const where = (SERVICES[p.service] as { global?: boolean }).global ? '' : ` in ${region}`;
    const permission = p.permission ?? p.key;
    const what = e.reason === 'access-denied'
      ? `access denied: the credentials lack the IAM permission ${permission}`
      : e.reason === 'throttled' ? `throttled by AWS after ${o.maxAttempts ?? 5} attempts`
      : e.reason === 'not-found' ? 'not found'
      : e.reason === 'network' ? 'network error, AWS endpoint not reachable'
      : e.reason === 'timeout' ? 'no answer in time'
      : e.reason === 'not-enabled' ? 'the service or region is not enabled for this account'
      : 'failed';
    return {
      source: 'aws', key: p.key, target: `${p.key}${label ? ` ${label}` : ''}${where}`, reason: e.reason,
      message: `${p.key}${label ? ` ${label}` : ''}${where}: ${what} (${e.code}: ${e.detail})${note}`,
      fix: fixFor(e.reason, permission, snapshot.collector.identity), permission,
    };
  };

  const planIndex = new Map(PLANS.map((p, i) => [p.key, i]));

  const runTarget = async (p: OperationPlan, t: Target, order: number, regions: Set<string>): Promise<TargetResult> => {
    const r = t.region ?? region;
    regions.add(r);
    const c = client(p.service, r);
    try {
      // The operation's own cap first, then the service's: a waiting call never holds a service slot.
      const output = await (p.concurrency ? limiter(`plan:${p.key}`, p.concurrency) : NO_LIMIT).run(() => limiter(p.service).run(() => read(p, t, c)));
      const f = factOf(p, t, r, output, order);
      facts.push(f);
      (byKey.get(p.key) ?? byKey.set(p.key, []).get(p.key)!).push(f);
      return { ok: true };
    } catch (err) {
      if (err instanceof Error && err.name === 'ReadOnlyViolation') throw err;
      const e = classifyAwsError(err);
      const outcome = p.onError?.(e, t, ctx);
      if (outcome?.kind === 'absent') return { ok: true, absent: true };
      if (outcome?.kind === 'negative') {
        const f = factOf(p, t, r, outcome.output, order);
        facts.push(f);
        (byKey.get(p.key) ?? byKey.set(p.key, []).get(p.key)!).push(f);
        return { ok: true };
      }
      if (e.reason === 'not-found' && p.split) {
        const parts = p.split(t);
        if (parts.length > 0) {
          const results = await Promise.all(parts.map((pt, i) => runTarget(p, pt, order + (i + 1) / (parts.length + 1), regions)));
          return results.every((x) => x.ok) ? { ok: true } : results.find((x) => !x.ok)!;
        }
      }
      if (e.reason === 'not-found' && (p.missingOk ?? (p.deps?.length ?? 0) > 0)) {
        gaps.push(gapFor(p, t, r, e, '; recorded as evidence: the resource the cluster refers to does not exist'));
        return { ok: true };
      }
      gaps.push(gapFor(p, t, r, e));
      return { ok: false, error: e };
    } finally {
      tick(p.service, 0, 1);
    }
  };

  const runPlan = async (p: OperationPlan): Promise<void> => {
    const regions = new Set<string>();
    const skipped = p.skip?.(ctx);
    if (skipped) {
      calls[p.key] = { state: 'absent', count: 0, detail: detailOf(p.service, [], region) };
      return;
    }
    let targets: Target[];
    try {
      targets = p.targets(ctx);
    } catch (err) {
      calls[p.key] = { state: 'error', count: 0, detail: region };
      gaps.push({ source: 'aws', key: p.key, target: p.key, reason: 'error', message: `${p.key}: could not choose what to read (${(err as Error).message})` });
      return;
    }
    const failedDeps = (p.deps ?? []).filter((d) => { const s = calls[d]?.state; return s === 'denied' || s === 'error' || s === 'partial'; });
    const depNote = failedDeps.length ? `needs ${failedDeps.join(', ')}, which could not be read completely` : '';
    if (targets.length === 0) {
      if (failedDeps.length) {
        const depState = failedDeps.map((d) => calls[d]!.state);
        calls[p.key] = { state: depState.includes('denied') ? 'denied' : 'error', count: 0, detail: detailOf(p.service, [], region) };
        if (requested.has(p.key)) {
          gaps.push({ source: 'aws', key: p.key, target: p.key, reason: 'error', message: `${p.key}: not read: it ${depNote}`, fix: `fix the gap of ${failedDeps[0]} first`, permission: failedDeps[0]! });
        }
      } else {
        calls[p.key] = { state: p.noTargets ?? 'collected', count: 0, detail: detailOf(p.service, [], region) };
      }
      return;
    }
    tick(p.service, targets.length, 0);
    const base = (planIndex.get(p.key) ?? 0) * 1_000_000;
    const results = await Promise.all(targets.map((t, i) => runTarget(p, t, base + i, regions)));
    const count = byKey.get(p.key)?.length ?? 0;
    const failed = results.filter((r) => !r.ok);
    const detail = detailOf(p.service, regions, region);
    let state: CoverageState;
    if (failed.length === 0) state = results.every((r) => r.absent) ? 'absent' : failedDeps.length ? 'partial' : 'collected';
    else if (failed.length < results.length) state = p.targetGapsOnly ? 'collected' : 'partial';
    else state = failed.some((r) => r.error?.state === 'denied') ? 'denied' : 'error';
    calls[p.key] = { state, count, detail };
    if (failedDeps.length && state === 'partial' && failed.length === 0) {
      gaps.push({ source: 'aws', key: p.key, target: p.key, reason: 'error', message: `${p.key}: incomplete: it ${depNote}`, fix: `fix the gap of ${failedDeps[0]} first`, permission: failedDeps[0]! });
    }
  };

  try {
    // 4. Who is calling (also: are the credentials accepted, is AWS reachable at all).
    const stsPlan = PLANS.find((p) => p.key === 'sts:GetCallerIdentity')!;
    const before = gaps.length;
    const r = await runTarget(stsPlan, { params: {} }, -1, new Set());
    const ident = byKey.get('sts:GetCallerIdentity')?.[0]?.output as { Account?: string; Arn?: string } | undefined;
    if (!r.ok && r.error && ['unauthenticated', 'network', 'timeout'].includes(r.error.reason)) {
      const g = gaps.splice(before)[0]!;
      calls['sts:GetCallerIdentity'] = { state: 'error', count: 0, detail: region };
      const m = r.error.reason === 'unauthenticated' ? missingCredentialsMessage(Object.assign(new Error(r.error.detail), { name: r.error.code }), o.profile) : { message: g.message.replace(/^sts:GetCallerIdentity: /, ''), fix: g.fix ?? '' };
      failAll(r.error.reason, m.message, m.fix);
      return { snapshot: finish(), problem: { reason: r.error.reason, ...m } };
    }
    if (ident?.Account) accountId = ident.Account;
    if (ident?.Arn && !snapshot.collector.identity) snapshot.collector.identity = ident.Arn;
    if (requested.has('sts:GetCallerIdentity')) {
      calls['sts:GetCallerIdentity'] = { state: r.ok ? 'collected' : r.error?.state ?? 'error', count: r.ok ? 1 : 0, detail: region };
    } else {
      // The identity call is always made (account id, collector identity); its fact is kept only when a control asks for it.
      const idx = facts.findIndex((f) => f.service === 'sts');
      if (idx >= 0) facts.splice(idx, 1);
      gaps.splice(before);
    }

    // 5. Every other operation, each after the ones it depends on, services in parallel.
    const inRun = new Set(plans.map((p) => p.key));
    const done = new Map<string, Promise<void>>();
    const start = (p: OperationPlan): Promise<void> => {
      let d = done.get(p.key);
      if (d) return d;
      const waits = [...(p.deps ?? []), ...(p.uses ?? [])].filter((k) => inRun.has(k) && k !== p.key).map((k) => start(plans.find((x) => x.key === k)!));
      d = Promise.all(waits).then(() => runPlan(p));
      done.set(p.key, d);
      return d;
    };
    await Promise.all(plans.filter((p) => p.key !== 'sts:GetCallerIdentity').map(start));
  } finally {
    for (const c of clients.values()) c.destroy();
  }

  // 6. Identity of the cluster.
  const cl = (byKey.get('eks:DescribeCluster')?.[0]?.output as { cluster?: { name?: string; arn?: string } } | undefined)?.cluster;
  const arn = cl?.arn ?? (accountId ? `arn:${partition}:eks:${region}:${accountId}:cluster/${o.cluster}` : undefined);
  const arnAccount = arn ? /^arn:[\w-]+:eks:[\w-]+:(\d{12}):/.exec(arn)?.[1] : undefined;
  snapshot.cluster = {
    ...snapshot.cluster,
    name: snapshot.cluster.name ?? cl?.name ?? o.cluster,
    ...(snapshot.cluster.arn ?? arn ? { arn: snapshot.cluster.arn ?? arn } : {}),
    ...(snapshot.cluster.accountId ?? arnAccount ?? accountId ? { accountId: snapshot.cluster.accountId ?? arnAccount ?? accountId } : {}),
    region: snapshot.cluster.region ?? region,
  };
  if (accountId) snapshot.aws.accountId = accountId;
  snapshot.aws.region = region;
  return { snapshot: finish() };
}
