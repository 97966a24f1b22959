import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsFact, EvidenceGap, JsonObject, JsonValue, Snapshot } from '../../model/index.js';
import { classifyAwsError } from './errors.js';
import { redactObjectValues } from '../sanitize.js';
import { depthProblem } from '../shape.js';
import { ecrImages } from './k8s-targets.js';
import { parseEksArn } from './kubeconfig.js';
import { normalizeDates, pascalToCamel, stripPagination } from './normalize.js';
import type { OperationPlan, PlanContext, Target } from './plan.js';
import { findPlanLoose, resolvePlans } from './registry.js';
import { serviceFromCliName } from './services.js';

/**
 * Offline AWS evidence: a directory of AWS CLI JSON outputs, one file per call,
 * `<service>-<operation-in-kebab-case>[.<target>].json` (docs/aws.md "Offline evidence").
 */

export interface OfflineAwsOptions {
  dir: string;
  /** Evidence keys of the selected controls; requested operations without a file become gaps. */
  keys: Iterable<string>;
  /** Cluster name, when the directory has no eks-describe-cluster.json. */
  cluster?: string;
  /** Region of the facts when the files do not say (default: the region of the cluster ARN). */
  region?: string;
  imageReferrers?: boolean;
  now?: Date;
}

/** The directory cannot be read at all: a usage error, reported by the CLI. */
export class AwsEvidenceDirError extends Error {}

const NAME = /^([a-z0-9]+)-([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(.+))?\.json$/i;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** 1-based line of a JSON.parse error, from its "position N" or "line N". */
function errorLine(text: string, err: Error): number | undefined {
  const line = /line (\d+)/.exec(err.message);
  if (line) return Number(line[1]);
  const pos = /position (\d+)/.exec(err.message);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  return undefined;
}

const asObj = (v: unknown): JsonObject | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined);

/** kubescape's cloud-provider envelopes (aws-sdk-go v2 output, PascalCase) → SDK v3 facts. */
function fromKubescape(doc: JsonObject): { key: string; output: JsonObject } | { error: string } | undefined {
  if (typeof doc.kind !== 'string' || !asObj(doc.data) || typeof doc.apiVersion !== 'string' || !doc.apiVersion.includes('eks.amazonaws.com')) return undefined;
  const data = asObj(doc.data)!;
  if (doc.kind === 'ClusterDescribe') {
    const c = asObj(data.Cluster) ?? asObj(data.cluster);
    if (!c) return { error: 'kubescape ClusterDescribe without data.Cluster' };
    return { key: 'eks:DescribeCluster', output: { cluster: pascalToCamel(c) as JsonObject } };
  }
  if (doc.kind === 'DescribeRepositories') {
    const repos = Array.isArray(data.Repositories) ? data.Repositories : Array.isArray(data.repositories) ? data.repositories : undefined;
    if (!repos) return { error: 'kubescape DescribeRepositories without data.Repositories' };
    return { key: 'ecr:DescribeRepositories', output: { repositories: (pascalToCamel(repos) as JsonValue[]) ?? [] } };
  }
  return { error: `kubescape envelope of kind "${doc.kind}" is not supported (supported: ClusterDescribe, DescribeRepositories)` };
}

/** An AWS error document saved instead of an output (`{"Error": {"Code", "Message"}}`, as botocore prints it). */
function errorDoc(doc: JsonObject): { code: string; message: string } | undefined {
  const e = asObj(doc.Error) ?? asObj(doc.error);
  const code = e ? e.Code ?? e.code : doc.__type;
  if (typeof code !== 'string') return undefined;
  const message = e ? e.Message ?? e.message : doc.message ?? doc.Message;
  return { code: code.replace(/^.*#/, ''), message: typeof message === 'string' ? message : code };
}

/** Largest AWS CLI output file read (--aws-evidence). */
export const MAX_AWS_FILE_BYTES = 256 * 2 ** 20;

/** Load the directory into `snapshot` (aws part, gaps, cluster identity). Malformed files become gaps; the rest is read. */
export async function loadAwsEvidence(snapshot: Snapshot, o: OfflineAwsOptions): Promise<Snapshot> {
  let entries: string[];
  try {
    if (!(await stat(o.dir)).isDirectory()) throw new AwsEvidenceDirError(`--aws-evidence ${o.dir}: not a directory`);
    entries = (await readdir(o.dir)).filter((f) => f.toLowerCase().endsWith('.json')).sort();
  } catch (err) {
    if (err instanceof AwsEvidenceDirError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AwsEvidenceDirError(`--aws-evidence ${o.dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  const gaps: EvidenceGap[] = [];
  const facts: AwsFact[] = [];
  const byKey = new Map<string, AwsFact[]>();
  const absent = new Set<string>();
  const errored = new Map<string, EvidenceGap>();
  const fileGap = (file: string, reason: EvidenceGap['reason'], message: string, extra: Partial<EvidenceGap> = {}) =>
    gaps.push({ source: 'files', target: join(o.dir, file), reason, message: `${join(o.dir, file)}: ${message}`, ...extra });

  for (const file of entries) {
    const path = join(o.dir, file);
    let text: string;
    try {
      // A named pipe, socket or device would block the read (or never end): only regular files
      // (or links to them) are read, and none larger than an AWS CLI output plausibly is.
      const st = await stat(path);
      if (!st.isFile()) { fileGap(file, 'skipped', 'not a regular file (a named pipe, socket or device); skipped'); continue; }
      if (st.size > MAX_AWS_FILE_BYTES) { fileGap(file, 'invalid', `larger than ${MAX_AWS_FILE_BYTES / 2 ** 20} MiB; skipped`, { fix: 'save the output of one AWS CLI call per file' }); continue; }
      text = await readFile(path, 'utf8');
    } catch (err) {
      fileGap(file, 'error', `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    if (text.trim() === '') { fileGap(file, 'parse-error', 'empty file; expected the JSON output of one AWS CLI call'); continue; }
    let doc: unknown;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      const line = errorLine(text, err as Error);
      fileGap(file, 'parse-error', `not valid JSON${line ? ` (line ${line})` : ''}: ${(err as Error).message}`, line ? { line } : {});
      continue;
    }
    const obj = asObj(doc);
    if (!obj) { fileGap(file, 'invalid', 'expected a JSON object (the output of one AWS CLI call)', { line: 1 }); continue; }

    let plan: OperationPlan | undefined;
    let output: JsonObject;
    let target: string | undefined;
    const ks = fromKubescape(obj);
    if (ks && 'error' in ks) { fileGap(file, 'unsupported', ks.error); continue; }
    if (ks) {
      plan = resolvePlans([`aws:${ks.key}`]).plans.find((p) => p.key === ks.key);
      output = ks.output;
    } else {
      const m = NAME.exec(file);
      const service = m ? serviceFromCliName(m[1]!) : undefined;
      if (!m) {
        fileGap(file, 'invalid', 'file name does not follow <service>-<operation>[.<target>].json (e.g. eks-describe-cluster.json, eks-describe-addon.vpc-cni.json)');
        continue;
      }
      if (!service) { fileGap(file, 'unsupported', `service "${m[1]}" is not one eks-soc2 reads; file skipped`); continue; }
      plan = findPlanLoose(service, m[2]!);
      if (!plan) { fileGap(file, 'unsupported', `${service}:${m[2]} is not an operation this version of eks-soc2 reads; file skipped`); continue; }
      output = obj;
      target = m[3] !== undefined ? decodeURIComponent(m[3]) : undefined;
    }
    if (!plan) continue;
    const err = errorDoc(output);
    if (err) {
      // A saved error: "not enabled" answers are evidence, the rest are gaps (as in live collection).
      const info = classifyAwsError(Object.assign(new Error(err.message), { name: err.code }));
      const outcome = plan.onError?.(info, { params: {} }, {} as PlanContext);
      if (outcome?.kind === 'absent') { absent.add(plan.key); continue; }
      if (outcome?.kind === 'negative') output = outcome.output;
      else {
        const g: EvidenceGap = {
          source: 'aws', key: plan.key, target: path, reason: info.reason, permission: plan.permission ?? plan.key,
          message: `${path}: the saved ${plan.key} call failed (${err.code}: ${err.message})`,
        };
        gaps.push(g);
        errored.set(plan.key, g);
        continue;
      }
    }
    const deep = depthProblem(output);
    if (deep) { fileGap(file, 'invalid', `${deep}; skipped`); continue; }
    output = stripPagination(normalizeDates(output) as JsonObject);
    redactObjectValues(output);
    const params: JsonObject = {};
    let region = o.region;
    if (target !== undefined) {
      if (plan.targetParam) params[plan.targetParam] = target;
      else if (REGION.test(target)) region = target;
    }
    const fact: AwsFact = { service: plan.service, operation: plan.operation, ...(region ? { region } : {}), ...(Object.keys(params).length ? { params } : {}), output };
    facts.push(fact);
    (byKey.get(plan.key) ?? byKey.set(plan.key, []).get(plan.key)!).push(fact);
  }

  // Cluster identity from the DescribeCluster output (or the flags).
  const cluster = (byKey.get('eks:DescribeCluster')?.[0]?.output as { cluster?: { name?: string; arn?: string } } | undefined)?.cluster;
  const arn = cluster?.arn ? parseEksArn(cluster.arn) : undefined;
  const region = o.region ?? arn?.region;
  const accountId = arn?.accountId;
  for (const f of facts) {
    if (!f.region && region && f.service !== 'iam') f.region = region;
    if (!f.accountId && accountId) f.accountId = accountId;
  }

  // Coverage: one entry per operation read; requested operations without a file are gaps.
  const { plans, requested, unknown } = resolvePlans(o.keys, { imageReferrers: Boolean(o.imageReferrers) });
  const calls = snapshot.aws.calls;
  for (const [key, list] of byKey) calls[key] = { state: 'collected', count: list.length, ...(region ? { detail: region } : {}) };
  for (const key of absent) if (!byKey.has(key)) calls[key] = { state: 'absent', count: 0, ...(region ? { detail: region } : {}) };
  for (const [key, g] of errored) if (!byKey.has(key)) calls[key] = { state: g.reason === 'access-denied' ? 'denied' : 'error', count: 0 };
  const ctx: PlanContext = {
    cluster: cluster?.name ?? o.cluster ?? snapshot.cluster.name ?? '<cluster>', region: region ?? '<region>', accountId, partition: arn?.partition ?? 'aws',
    now: o.now ?? new Date(), objects: snapshot.kubernetes.objects, images: ecrImages(snapshot.kubernetes.objects),
    options: { imageReferrers: Boolean(o.imageReferrers), lookupDays: 90 },
    facts: (k) => byKey.get(k) ?? [], outputs: <T>(k: string) => (byKey.get(k) ?? []).map((f) => f.output as unknown as T), state: (k) => calls[k]?.state,
  };
  for (const p of plans) {
    if (calls[p.key]) continue;
    if (p.skip?.(ctx)) { calls[p.key] = { state: 'absent', count: 0 }; continue; }
    const depsMissing = (p.deps ?? []).filter((d) => { const s = calls[d]?.state; return s !== 'collected' && s !== 'absent'; });
    let targets: Target[];
    try { targets = depsMissing.length ? [] : p.targets(ctx); } catch { targets = []; }
    if (depsMissing.length === 0 && targets.length === 0) {
      calls[p.key] = { state: p.noTargets ?? 'collected', count: 0 };
      continue;
    }
    if (!requested.has(p.key)) continue;
    calls[p.key] = { state: 'error', count: 0 };
    gaps.push({
      source: 'aws', key: p.key, target: o.dir, reason: 'not-found', permission: p.permission ?? p.key,
      message: `${p.key}: no file in ${o.dir} (expected ${expectedFiles(p, targets)})`,
      fix: `save the output of \`${cliCommand(p)}\` as ${expectedFiles(p, targets)} in ${o.dir}, or collect live with --cluster`,
    });
  }
  for (const op of unknown) {
    calls[op] = { state: 'error', count: 0 };
    gaps.push({ source: 'aws', key: op, target: op, reason: 'unsupported', message: `${op}: not supported by this collector version`, fix: 'upgrade eks-soc2' });
  }

  snapshot.aws.source = snapshot.aws.source === 'none' ? 'files' : snapshot.aws.source;
  snapshot.aws.facts.push(...facts);
  if (accountId) snapshot.aws.accountId ??= accountId;
  if (region) snapshot.aws.region ??= region;
  if (cluster?.name || o.cluster) {
    snapshot.cluster = {
      ...snapshot.cluster,
      name: snapshot.cluster.name ?? cluster?.name ?? o.cluster,
      ...(snapshot.cluster.arn ?? arn?.arn ? { arn: snapshot.cluster.arn ?? arn?.arn } : {}),
      ...(snapshot.cluster.accountId ?? accountId ? { accountId: snapshot.cluster.accountId ?? accountId } : {}),
      ...(snapshot.cluster.region ?? region ? { region: snapshot.cluster.region ?? region } : {}),
    };
  }
  snapshot.collector.inputs = [...(snapshot.collector.inputs ?? []), o.dir];
  snapshot.gaps.push(...gaps);
  return snapshot;
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();

/** The file name(s) an operation is read from. */
export function offlineFileName(p: OperationPlan, target?: string): string {
  return `${p.service}-${kebab(p.operation)}${target ? `.${encodeURIComponent(target)}` : ''}.json`;
}

function expectedFiles(p: OperationPlan, targets: Target[]): string {
  if (!p.targetParam) return targets.length > 1 ? `${offlineFileName(p)} (one file per call: ${offlineFileName(p).replace(/\.json$/, '.<any suffix>.json')})` : offlineFileName(p);
  if (targets.length <= 1 && !targets[0]?.params[p.targetParam]) return offlineFileName(p);
  const names = targets.map((t) => offlineFileName(p, String(t.params[p.targetParam!] ?? ''))).slice(0, 4);
  return names.join(', ') + (targets.length > 4 ? `, … (${targets.length} files)` : '');
}

function cliCommand(p: OperationPlan): string {
  const cli: Record<string, string> = { elasticloadbalancing: 'elbv2', config: 'configservice' };
  return `aws ${cli[p.service] ?? p.service} ${kebab(p.operation)}`;
}
