/**
 * Amazon EKS bearer tokens generated in-process, so no `aws` CLI or `aws-iam-authenticator` binary
 * is needed: the token is a presigned STS `GetCallerIdentity` URL whose signed headers include
 * `x-k8s-aws-id: <cluster name>`, as `k8s-aws-v1.` + base64url(url) — the algorithm of
 * `aws eks get-token` and aws-iam-authenticator. EKS accepts it for 15 minutes after signing; we
 * reuse one for 14 minutes and then sign a new one.
 */
import { basename, delimiter, join } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { KubeConfig, User } from '@kubernetes/client-node';

export type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];
type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** The auth-provider name our rewritten kubeconfig users carry. */
export const EKS_TOKEN_PROVIDER = 'eks-soc2-eks-token';
/** How long a generated token is reused (EKS accepts it for 15 minutes). */
export const EKS_TOKEN_TTL_MS = 14 * 60 * 1000;

export interface EksTokenParams {
  clusterName: string;
  region: string;
  /** Role to assume first (`aws eks get-token --role-arn`, aws-iam-authenticator `-r`). */
  roleArn?: string;
  /** AWS profile (`--profile` or AWS_PROFILE in the exec env). */
  profile?: string;
}

/** What an exec credential plugin in a kubeconfig says about the EKS cluster it authenticates to. */
export interface EksExecInfo {
  command: string;
  clusterName: string;
  region?: string;
  roleArn?: string;
  profile?: string;
}

function stsHost(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sign a token for `params` with `credentials` (a provider or static credentials). */
export async function generateEksToken(params: EksTokenParams, credentials: Credentials, signingDate = new Date()): Promise<string> {
  const host = stsHost(params.region);
  const signer = new SignatureV4({ credentials, region: params.region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host, 'x-k8s-aws-id': params.clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: 60, signingDate });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : v === null || v === undefined ? [] : [[k, v] as const]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
  const url = `https://${host}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

/** The default credential chain (env, SSO, shared files, process, web identity, ECS, IMDS), optionally through an assumed role. */
export async function defaultEksCredentials(params: EksTokenParams): Promise<Credentials> {
  const { fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  const base = fromNodeProviderChain(params.profile ? { profile: params.profile } : {});
  if (!params.roleArn) return base;
  return fromTemporaryCredentials({
    params: { RoleArn: params.roleArn, RoleSessionName: 'eks-soc2' },
    masterCredentials: base,
    clientConfig: { region: params.region },
  });
}

/**
 * Kubeconfig authenticator for users rewritten to `authProvider: { name: EKS_TOKEN_PROVIDER,
 * config: EksTokenParams }`: signs a token, caches it for 14 minutes, signs a new one after.
 */
export class EksTokenAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { token: string; expires: number }>();

  constructor(
    private readonly credentials: (p: EksTokenParams) => Promise<Credentials> = defaultEksCredentials,
    private readonly now: () => number = () => Date.now(),
  ) {}

  isAuthProvider(user: User): boolean {
    return (user?.authProvider as { name?: string } | undefined)?.name === EKS_TOKEN_PROVIDER;
  }

  async applyAuthentication(user: User, opts: { headers?: Record<string, unknown> | unknown }): Promise<void> {
    const params = (user.authProvider as { config: EksTokenParams }).config;
    const token = await this.token(params);
    const o = opts as { headers?: Record<string, string> };
    o.headers = { ...(o.headers ?? {}), Authorization: `Bearer ${token}` };
  }

  async token(params: EksTokenParams): Promise<string> {
    const key = JSON.stringify([params.clusterName, params.region, params.roleArn ?? '', params.profile ?? '']);
    const t = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > t) return hit.token;
    const token = await generateEksToken(params, await this.credentials(params), new Date(t));
    this.cache.set(key, { token, expires: t + EKS_TOKEN_TTL_MS });
    return token;
  }

  /** Forget cached tokens (after a 401). */
  invalidate(): void {
    this.cache.clear();
  }
}

function argValue(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const n of names) {
      if (a === n && i + 1 < args.length) return args[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

/**
 * Recognise `aws eks get-token --cluster-name X [--region R] [--role-arn A] [--profile P]` and
 * `aws-iam-authenticator token -i X [-r A] [--region R]` exec plugins.
 */
export function parseEksExec(exec: unknown): EksExecInfo | undefined {
  if (!exec || typeof exec !== 'object') return undefined;
  const e = exec as { command?: unknown; args?: unknown; env?: unknown };
  if (typeof e.command !== 'string') return undefined;
  const args = Array.isArray(e.args) ? e.args.map(String) : [];
  const env = new Map<string, string>();
  if (Array.isArray(e.env)) for (const v of e.env) if (v && typeof v === 'object' && typeof v.name === 'string') env.set(v.name, String(v.value ?? ''));
  const cmd = basename(e.command).replace(/\.(exe|cmd)$/i, '');
  let info: EksExecInfo | undefined;
  if (cmd === 'aws' && args.includes('eks') && args.includes('get-token')) {
    const clusterName = argValue(args, ['--cluster-name', '--cluster-id']);
    if (!clusterName) return undefined;
    info = { command: e.command, clusterName };
    const region = argValue(args, ['--region']);
    const roleArn = argValue(args, ['--role-arn']);
    const profile = argValue(args, ['--profile']);
    if (region) info.region = region;
    if (roleArn) info.roleArn = roleArn;
    if (profile) info.profile = profile;
  } else if (cmd === 'aws-iam-authenticator' && args.includes('token')) {
    const clusterName = argValue(args, ['-i', '--cluster-id']);
    if (!clusterName) return undefined;
    info = { command: e.command, clusterName };
    const region = argValue(args, ['--region']);
    const roleArn = argValue(args, ['-r', '--role']);
    if (region) info.region = region;
    if (roleArn) info.roleArn = roleArn;
  }
  if (!info) return undefined;
  const profile = env.get('AWS_PROFILE');
  if (!info.profile && profile) info.profile = profile;
  const region = env.get('AWS_REGION') ?? env.get('AWS_DEFAULT_REGION');
  if (!info.region && region) info.region = region;
  return info;
}

/** True when `command` can be executed: an existing path, or found on PATH. */
export function commandAvailable(command: string, pathEnv = process.env.PATH ?? ''): boolean {
  const exts = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  const ok = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes('\\')) return exts.some((x) => ok(command + x));
  return pathEnv.split(delimiter).filter(Boolean).some((dir) => exts.some((x) => ok(join(dir, command + x))));
}
