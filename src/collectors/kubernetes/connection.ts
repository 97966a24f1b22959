/**
 * Where the cluster is and how to authenticate: kubeconfig files (`--kubeconfig`, `$KUBECONFIG`
 * with several files, `~/.kube/config`), the in-cluster service account, exec credential plugins
 * and the other authenticators of `@kubernetes/client-node`, plus in-process EKS tokens when the
 * kubeconfig's `aws eks get-token` / `aws-iam-authenticator` binary is absent or `--eks-token` asks.
 */
import { spawn } from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { Agent } from 'node:http';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import type { ClusterIdentity } from '../../model/index.js';
import { KubernetesCollectionError } from './errors.js';
import { redactString } from '../sanitize.js';
import { parseEksArn } from '../eks-arn.js';
import { EKS_TOKEN_PROVIDER, EksTokenAuthenticator, commandAvailable, parseEksExec } from './eks-token.js';
import type { EksTokenParams } from './eks-token.js';

export interface ConnectOptions {
  /** Kubeconfig file(s); several separated by the path delimiter, as in KUBECONFIG. */
  kubeconfig?: string;
  context?: string;
  /** Sign EKS tokens in-process even when the kubeconfig's exec plugin binary is present. */
  eksToken?: boolean;
  /** EKS cluster name and region for `eksToken` when the kubeconfig does not name them. */
  clusterName?: string;
  region?: string;
  /** AWS profile for in-process EKS tokens when the kubeconfig does not name one. */
  profile?: string;
  /** Most parallel connections (default 4). */
  maxSockets?: number;
  /** Defaults: process.env, os.homedir(). */
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Prefix of /var/run/secrets/kubernetes.io/serviceaccount (tests). */
  inClusterRoot?: string;
  /** EKS token authenticator (tests inject credentials). */
  eksAuthenticator?: EksTokenAuthenticator;
  /** Longest an exec credential plugin (or any other credential source) may take, ms (default 60 s). */
  credentialTimeoutMs?: number;
}

export const DEFAULT_CREDENTIAL_TIMEOUT_MS = 60_000;

type Spawn = typeof spawn;

/**
 * Give the exec credential plugins of `kc` a time limit: @kubernetes/client-node spawns them with
 * no timeout (and stdin left open), so a plugin waiting for a prompt or a network that never
 * answers hung the scan. The plugin is killed when the limit passes; `timedOut()` says so.
 * Its stdin is the terminal only when there is one and the plugin may be interactive.
 */
function limitExecPlugins(kc: KubeConfig, timeoutMs: number): { timedOut(): string | undefined } {
  let timedOut: string | undefined;
  const auths = (kc as unknown as { authenticators?: unknown[] }).authenticators ?? [];
  for (const a of auths) {
    if (!a || typeof a !== 'object' || typeof (a as { execFn?: unknown }).execFn !== 'function') continue;
    (a as { execFn: Spawn }).execFn = ((command: string, args: readonly string[] = [], o: SpawnOptions = {}) => {
      const child = spawn(command, args, {
        ...o,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        stdio: [process.stdin.isTTY ? 'inherit' : 'ignore', 'pipe', 'pipe'],
      });
      child.once('exit', (_code, signal) => { if (signal === 'SIGKILL') timedOut = command; });
      return child;
    }) as Spawn;
  }
  return { timedOut: () => timedOut };
}

/** Settle `p` within `ms`, else reject with `message` (the work it stands for is abandoned). */
async function within<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new CredentialTimeout(message())), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

class CredentialTimeout extends Error {}

export type AuthMethod = 'eks-token' | 'exec' | 'token' | 'client-certificate' | 'service-account' | 'basic' | 'auth-provider' | 'none';

export interface Connection {
  server: string;
  context: string;
  /** The kubeconfig user name (the identity fallback when SelfSubjectReview is not allowed). */
  userName: string;
  auth: AuthMethod;
  cluster: ClusterIdentity;
  /** What was read: kubeconfig files and context, or the in-cluster service account. */
  inputs: string[];
  agent: Agent;
  headers(): Promise<Record<string, string>>;
  refreshAuth(): void;
  close(): void;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const usage = (message: string, fix?: string) => new KubernetesCollectionError(message, 'usage', fix, 'config');

function loadFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usage(`kubeconfig ${file} does not exist`, 'pass --kubeconfig FILE, or fix KUBECONFIG');
    if (code === 'EACCES') throw usage(`kubeconfig ${file} is not readable (permission denied)`);
    const msg = (err as Error).message?.split('\n')[0] ?? String(err);
    throw usage(`kubeconfig ${file} is not a valid kubeconfig (${msg})`, 'check the file with `kubectl config view --kubeconfig FILE`');
  }
  return kc;
}

/** Load and merge kubeconfig files the way kubectl does: the first file to define a name wins. */
function loadKubeconfig(files: string[]): KubeConfig {
  const clusters: Cluster[] = [];
  const users: User[] = [];
  const contexts: Context[] = [];
  let currentContext: string | undefined;
  for (const f of files) {
    const k = loadFile(f);
    for (const c of k.clusters ?? []) if (!clusters.some((x) => x.name === c.name)) clusters.push(c);
    for (const u of k.users ?? []) if (!users.some((x) => x.name === u.name)) users.push(u);
    for (const c of k.contexts ?? []) if (!contexts.some((x) => x.name === c.name)) contexts.push(c);
    if (!currentContext && k.currentContext) currentContext = k.currentContext;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters, users, contexts, currentContext });
  return kc;
}

function authMethod(user: User | null): AuthMethod {
  if (!user) return 'none';
  const ap = user.authProvider as { name?: string; config?: { tokenFile?: string } } | undefined;
  if (ap?.name === EKS_TOKEN_PROVIDER) return 'eks-token';
  if (user.exec) return 'exec';
  if (ap?.config?.tokenFile) return 'service-account';
  if (ap) return 'auth-provider';
  if (user.token) return 'token';
  if (user.certData || user.certFile) return 'client-certificate';
  if (user.username) return 'basic';
  return 'none';
}

/** Resolve the kubeconfig (or in-cluster account) and context; fail with a usage error naming the fix. */
export async function connect(opts: ConnectOptions = {}): Promise<Connection> {
  const env = opts.env ?? process.env;
  let files: string[] = [];
  let kc: KubeConfig;
  let inputs: string[];
  if (opts.kubeconfig) {
    files = opts.kubeconfig.split(delimiter).filter(Boolean);
    for (const f of files) if (!existsSync(f)) throw usage(`kubeconfig ${f} does not exist`, 'check the path given to --kubeconfig');
  } else if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter(Boolean);
    files = listed.filter((f) => existsSync(f));
    if (files.length === 0) throw usage(`none of the kubeconfig files in KUBECONFIG exists (${listed.join(delimiter)})`, 'fix KUBECONFIG or pass --kubeconfig FILE');
  } else {
    const def = join(opts.home ?? homedir(), '.kube', 'config');
    if (existsSync(def)) files = [def];
  }
  const saRoot = `${opts.inClusterRoot ?? ''}${SA_DIR}`;
  if (files.length > 0) {
    kc = loadKubeconfig(files);
    inputs = files.map((f) => `kubeconfig ${f}`);
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(`${saRoot}/token`)) {
    kc = new KubeConfig();
    kc.loadFromCluster(opts.inClusterRoot ?? '');
    inputs = ['in-cluster service account'];
  } else {
    throw new KubernetesCollectionError('no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, and not running in a cluster',
      'usage', 'pass --kubeconfig FILE (for EKS: `aws eks update-kubeconfig --name CLUSTER --region REGION`), or scan files with -f PATH, or try --demo', 'no-config');
  }

  const contextName = opts.context ?? kc.getCurrentContext();
  const available = (kc.getContexts() ?? []).map((c) => c.name);
  if (!contextName) {
    throw usage(`the kubeconfig has no current context${available.length ? ` (contexts: ${available.join(', ')})` : ''}`, 'pass --context NAME, or run `kubectl config use-context NAME`');
  }
  if (!kc.getContextObject(contextName)) {
    throw usage(`context "${contextName}" is not in the kubeconfig (${files.join(delimiter) || 'in-cluster'})${available.length ? `; available: ${available.join(', ')}` : ''}`,
      'pass --context with one of the available contexts, or `aws eks update-kubeconfig --name CLUSTER` to add it');
  }
  kc.setCurrentContext(contextName);
  const ctxObj = kc.getContextObject(contextName)!;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw usage(`context "${contextName}" refers to cluster "${ctxObj.cluster}", which is not in the kubeconfig`);
  if (!cluster.server) throw usage(`cluster "${cluster.name}" in the kubeconfig has no server URL`);
  let user = kc.getCurrentUser();
  const userName = user?.name ?? ctxObj.user ?? 'anonymous';

  const arnInfo = parseEksArn(contextName) ?? parseEksArn(cluster.name);
  const execInfo = parseEksExec(user?.exec ?? (user?.authProvider as { config?: { exec?: unknown } } | undefined)?.config?.exec);
  // The server URL is kept in the evidence: never with a password in it (https://user:pass@host).
  const identity: ClusterIdentity = { context: files.length > 0 ? contextName : 'in-cluster', server: redactString(cluster.server) };
  if (arnInfo) Object.assign(identity, { name: arnInfo.name, arn: arnInfo.arn, region: arnInfo.region, accountId: arnInfo.accountId });
  if (execInfo) {
    identity.name ??= execInfo.clusterName;
    if (execInfo.region) identity.region ??= execInfo.region;
  }

  // In-process EKS tokens.
  let eksAuth: EksTokenAuthenticator | undefined;
  const missingBinary = execInfo !== undefined && !commandAvailable(execInfo.command, env.PATH ?? '');
  if (opts.eksToken || missingBinary) {
    const clusterName = execInfo?.clusterName ?? arnInfo?.name ?? opts.clusterName;
    const region = execInfo?.region ?? arnInfo?.region ?? opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!clusterName) {
      throw usage(`--eks-token needs the EKS cluster name, and context "${contextName}" does not say it (not an EKS ARN, no \`aws eks get-token\` user)`, 'pass --cluster NAME');
    }
    if (!region) throw usage(`--eks-token needs the AWS region of cluster ${clusterName}`, 'pass --region REGION or set AWS_REGION');
    const params: EksTokenParams = { clusterName, region };
    if (execInfo?.roleArn) params.roleArn = execInfo.roleArn;
    const profile = execInfo?.profile ?? opts.profile;
    if (profile) params.profile = profile;
    const replaced: User = { name: userName, authProvider: { name: EKS_TOKEN_PROVIDER, config: params } };
    kc.users = [...(kc.users ?? []).filter((u) => u.name !== userName), replaced];
    eksAuth = opts.eksAuthenticator ?? new EksTokenAuthenticator();
    kc.addAuthenticator(eksAuth);
    user = kc.getCurrentUser();
    identity.name ??= clusterName;
    identity.region ??= region;
  }
  const auth = authMethod(user);
  const credentialTimeoutMs = opts.credentialTimeoutMs ?? DEFAULT_CREDENTIAL_TIMEOUT_MS;
  const plugins = limitExecPlugins(kc, credentialTimeoutMs);
  const seconds = `${Math.round(credentialTimeoutMs / 100) / 10} s`;
  const applyAuth = (o: HttpsRequestOptions): Promise<void> =>
    within(kc.applyToHTTPSOptions(o), credentialTimeoutMs + 2_000, () => `the credentials of kubeconfig user "${userName}" were not ready within ${seconds}`);

  const collectError = (err: unknown): KubernetesCollectionError => {
    const e = err as NodeJS.ErrnoException;
    const hung = plugins.timedOut();
    if (hung || err instanceof CredentialTimeout) {
      return new KubernetesCollectionError(
        hung ? `the credential plugin of kubeconfig user "${userName}" (\`${hung}\`) did not answer within ${seconds} and was stopped` : (err as Error).message,
        'collect', 'run the plugin by hand to see what it waits for (a login prompt, a network that does not answer); --timeout SECONDS gives it longer', 'credentials');
    }
    if (e.code === 'ENOENT' && e.path) return usage(`a file named in the kubeconfig does not exist: ${e.path}`, 'fix the certificate/key/token path in the kubeconfig');
    if (e.code === 'ENOENT' && execInfo) {
      return new KubernetesCollectionError(`the kubeconfig user "${userName}" runs \`${execInfo.command}\`, which is not installed`, 'collect', 'install it, or pass --eks-token to sign EKS tokens in-process', 'credentials');
    }
    const first = String(e.message ?? err).trim().split('\n').filter(Boolean).slice(-3).join(' ').slice(0, 400);
    const what = auth === 'exec' ? `the credential plugin of kubeconfig user "${userName}" failed` : auth === 'eks-token' ? 'could not sign an EKS token with the AWS credentials found' : `could not load the credentials of kubeconfig user "${userName}"`;
    return new KubernetesCollectionError(`${what}: ${first}`, 'collect',
      auth === 'exec' || auth === 'eks-token' ? 'refresh your AWS credentials (e.g. `aws sso login`, or set AWS_PROFILE) and retry' : 'check the user entry of the kubeconfig', 'credentials');
  };

  const tlsOpts: HttpsRequestOptions = {};
  try {
    await applyAuth(tlsOpts);
  } catch (err) {
    if (/HTTP protocol is not allowed/.test(String((err as Error).message))) {
      throw usage(`cluster "${cluster.name}" uses ${cluster.server} (plain HTTP) without insecure-skip-tls-verify`, 'use the https:// endpoint of the API server');
    }
    throw collectError(err);
  }
  const maxSockets = opts.maxSockets ?? 4;
  let agent: Agent;
  if (cluster.proxyUrl) {
    agent = tlsOpts.agent as Agent;
  } else if (cluster.server.startsWith('http:')) {
    agent = new HttpAgent({ keepAlive: true, maxSockets });
  } else {
    agent = new HttpsAgent({
      keepAlive: true,
      maxSockets,
      ...(tlsOpts.ca ? { ca: tlsOpts.ca } : {}),
      ...(tlsOpts.cert ? { cert: tlsOpts.cert } : {}),
      ...(tlsOpts.key ? { key: tlsOpts.key } : {}),
      ...(tlsOpts.rejectUnauthorized !== undefined ? { rejectUnauthorized: tlsOpts.rejectUnauthorized } : {}),
      ...(tlsOpts.servername ? { servername: tlsOpts.servername } : {}),
    });
  }

  let cached: { at: number; headers: Record<string, string> } | undefined;
  const toHeaders = (o: HttpsRequestOptions): Record<string, string> => {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : String(v);
    if (o.auth) h.Authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    return h;
  };
  cached = { at: Date.now(), headers: toHeaders(tlsOpts) };

  return {
    server: cluster.server,
    context: identity.context!,
    userName,
    auth,
    cluster: identity,
    inputs: [...inputs, ...(files.length > 0 ? [`context ${contextName}`] : [])],
    agent,
    async headers() {
      if (cached && Date.now() - cached.at < 30_000) return cached.headers;
      const o: HttpsRequestOptions = {};
      try {
        await applyAuth(o);
      } catch (err) {
        throw collectError(err);
      }
      cached = { at: Date.now(), headers: toHeaders(o) };
      return cached.headers;
    },
    refreshAuth() {
      cached = undefined;
      eksAuth?.invalidate();
    },
    close() {
      agent.destroy();
    },
  };
}
