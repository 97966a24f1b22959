import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

/** The EKS cluster a kubeconfig context points at. */
export interface KubeconfigCluster {
  name: string;
  region?: string;
  accountId?: string;
  arn?: string;
  /** AWS profile the context's exec plugin uses (`AWS_PROFILE` in `exec.env`, or `--profile`). */
  profile?: string;
  context: string;
}

const EKS_HOST = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.eks\.amazonaws\.com(?:\.cn)?$/;

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

import { parseEksArn } from '../eks-arn.js';

export { parseEksArn };

/** The kubeconfig files kubectl would read: --kubeconfig (":"-separated), else every file of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  if (flag) return flag.split(delimiter).map((s) => s.trim()).filter(Boolean);
  const list = (env.KUBECONFIG ?? '').split(delimiter).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : [join(home, '.kube', 'config')];
}

interface Merged {
  currentContext?: string;
  contexts: Map<string, Obj>;
  clusters: Map<string, Obj>;
  users: Map<string, Obj>;
}

/** Merge kubeconfig documents like kubectl: the first file that sets a value (or names an entry) wins. */
export function mergeKubeconfigs(docs: unknown[]): Merged {
  const m: Merged = { contexts: new Map(), clusters: new Map(), users: new Map() };
  for (const d of docs) {
    const doc = asObj(d);
    if (!doc) continue;
    m.currentContext ??= asStr(doc['current-context']);
    for (const [list, map] of [['contexts', m.contexts], ['clusters', m.clusters], ['users', m.users]] as const) {
      for (const e of Array.isArray(doc[list]) ? (doc[list] as unknown[]) : []) {
        const entry = asObj(e);
        const name = asStr(entry?.name);
        if (entry && name && !map.has(name)) map.set(name, entry);
      }
    }
  }
  return m;
}

function argValue(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

/**
 * The EKS cluster of a context, from what `aws eks update-kubeconfig` and eksctl write: the
 * cluster ARN as context or cluster name, else the exec plugin's `--cluster-name` (aws CLI) or
 * `-i`/`--cluster-id` (aws-iam-authenticator) with `--region`, `AWS_REGION` or the endpoint's region.
 */
export function eksClusterOfContext(m: Merged, contextName?: string): KubeconfigCluster | undefined {
  const name = contextName ?? m.currentContext;
  if (!name) return undefined;
  const ctx = asObj(m.contexts.get(name)?.context);
  const clusterName = asStr(ctx?.cluster);
  const user = asObj(m.users.get(asStr(ctx?.user) ?? '')?.user);
  const exec = asObj(user?.exec);
  const args = (Array.isArray(exec?.args) ? (exec.args as unknown[]) : []).filter((a): a is string => typeof a === 'string');
  const env = new Map<string, string>();
  for (const e of Array.isArray(exec?.env) ? (exec.env as unknown[]) : []) {
    const n = asStr(asObj(e)?.name);
    const v = asStr(asObj(e)?.value);
    if (n && v) env.set(n, v);
  }
  const profile = env.get('AWS_PROFILE') ?? argValue(args, '--profile');
  const withProfile = <T extends object>(x: T): T & { profile?: string } => (profile ? { ...x, profile } : x);
  for (const candidate of [name, clusterName]) {
    const arn = candidate ? parseEksArn(candidate) : undefined;
    if (arn) return withProfile({ name: arn.name, region: arn.region, accountId: arn.accountId, arn: arn.arn, context: name });
  }
  const execName = argValue(args, '--cluster-name', '--cluster-id', '-i');
  if (!execName) return undefined;
  const server = asStr(asObj(m.clusters.get(clusterName ?? '')?.cluster)?.server);
  let host: string | undefined;
  try { host = server ? new URL(server).hostname : undefined; } catch { host = undefined; }
  const region = argValue(args, '--region') ?? env.get('AWS_REGION') ?? env.get('AWS_DEFAULT_REGION') ?? (host ? EKS_HOST.exec(host)?.[1] : undefined);
  const fromArn = parseEksArn(execName);
  if (fromArn) return withProfile({ name: fromArn.name, region: fromArn.region, accountId: fromArn.accountId, arn: fromArn.arn, context: name });
  return withProfile({ name: execName, ...(region ? { region } : {}), context: name });
}

/** Read the kubeconfig files and return the EKS cluster of the selected context, if it is one. Unreadable files are skipped. */
export async function inferEksCluster(opts: { kubeconfig?: string; context?: string; env?: NodeJS.ProcessEnv; home?: string } = {}): Promise<KubeconfigCluster | undefined> {
  const docs: unknown[] = [];
  for (const f of kubeconfigFiles(opts.kubeconfig, opts.env, opts.home)) {
    try {
      docs.push(parse(await readFile(f, 'utf8')));
    } catch {
      // kubectl also ignores missing files of $KUBECONFIG; a broken file is the Kubernetes side's error to report.
    }
  }
  return eksClusterOfContext(mergeKubeconfigs(docs), opts.context);
}
