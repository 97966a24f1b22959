import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLive, EksTokenAuthenticator, KubernetesCollectionError } from '../../../src/collectors/kubernetes/index.js';
import type { LiveOptions } from '../../../src/collectors/kubernetes/index.js';
import { startKubeApiServer, testTls, writeKubeconfigFile } from '../../helpers/kube-api-server.js';
import type { KubeApiServer, KubeApiServerOptions } from '../../helpers/kube-api-server.js';

const TOKEN = 'good-token';
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }];
async function start(o: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  server = await startKubeApiServer({ token: TOKEN, objects, ...o });
  return server;
}
const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-conn-'));
const base: Partial<LiveOptions> = { keys: ['k8s:core/Namespace'], qps: 0, env: { PATH: '/bin:/usr/bin' }, home: '/nonexistent-home' };
const run = (o: Partial<LiveOptions>) => collectLive({ ...base, ...o } as LiveOptions);

/** Accepts only well-formed EKS tokens for `cluster` signed for eu-west-1 by AKIDEXAMPLE. */
function eksTokenFor(cluster: string, seen: string[] = []) {
  return (t: string): boolean => {
    if (!t.startsWith('k8s-aws-v1.')) return false;
    const u = new URL(Buffer.from(t.slice(11), 'base64url').toString('utf8'));
    seen.push(cluster);
    return u.host === 'sts.eu-west-1.amazonaws.com' && u.searchParams.get('Action') === 'GetCallerIdentity'
      && (u.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id')
      && (u.searchParams.get('X-Amz-Credential') ?? '').startsWith('AKIDEXAMPLE/');
  };
}

describe('kubeconfig loading', () => {
  it('merges several KUBECONFIG files (first definition wins) and uses the chosen context', async () => {
    const s = await start();
    const dir = tmp();
    const a = writeKubeconfigFile({ server: 'https://127.0.0.1:1', caData: s.caData, token: 'wrong', context: 'first', cluster: 'shared', dir, fileName: 'a' });
    const b = writeKubeconfigFile({ server: s.url, caData: s.caData, token: TOKEN, context: 'second', cluster: 'own-b', dir, fileName: 'b' });
    const r = await run({ env: { ...base.env, KUBECONFIG: [join(dir, 'missing'), a, b].join(delimiter) }, context: 'second' });
    expect(r.kubernetes.kinds['core/Namespace']).toMatchObject({ state: 'collected', count: 1 });
    expect(r.cluster).toMatchObject({ context: 'second', server: s.url });
    expect(r.inputs).toEqual([`kubeconfig ${a}`, `kubeconfig ${b}`, 'context second']);
    // Without --context, the first file's current-context is used (and it points nowhere).
    await expect(run({ env: { ...base.env, KUBECONFIG: [a, b].join(delimiter) } })).rejects.toMatchObject({ reason: 'network' });
  });

  it('--kubeconfig takes precedence over KUBECONFIG', async () => {
    const s = await start();
    const good = s.writeKubeconfig({ token: TOKEN });
    const r = await run({ kubeconfig: good, env: { ...base.env, KUBECONFIG: '/nonexistent' } });
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
  });

  it('falls back to ~/.kube/config, then to the in-cluster service account, else says what to do', async () => {
    const s = await start();
    const home = tmp();
    mkdirSync(join(home, '.kube'));
    s.writeKubeconfig({ token: TOKEN, dir: join(home, '.kube'), fileName: 'config' });
    const r = await run({ home });
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
    const err = await run({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubernetesCollectionError);
    expect((err as KubernetesCollectionError).exit).toBe('usage');
    expect((err as KubernetesCollectionError).message).toMatch(/no Kubernetes configuration found/);
  });

  it('uses the in-cluster service account (token file, CA, KUBERNETES_SERVICE_HOST)', async () => {
    const s = await start({ token: 'sa-token' });
    const root = tmp();
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'ca.crt'), testTls().cert);
    writeFileSync(join(sa, 'namespace'), 'eks-soc2');
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = String(s.port);
    try {
      const r = await run({ env: { ...base.env, KUBERNETES_SERVICE_HOST: '127.0.0.1' }, inClusterRoot: root });
      expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
      expect(r.inputs).toEqual(['in-cluster service account']);
      expect(r.cluster.context).toBe('in-cluster');
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST; else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT; else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});

describe('exec credential plugins and EKS tokens', () => {
  it('runs an exec credential plugin (client.authentication.k8s.io/v1)', async () => {
    const s = await start();
    const dir = tmp();
    const plugin = join(dir, 'get-token');
    writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${TOKEN}"}}'\n`);
    chmodSync(plugin, 0o755);
    const file = s.writeKubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args: [], interactiveMode: 'Never' } } });
    const r = await run({ kubeconfig: file });
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
  });

  it('a failing exec plugin is one clear credentials error carrying its message', async () => {
    const s = await start();
    const dir = tmp();
    const plugin = join(dir, 'get-token');
    writeFileSync(plugin, '#!/bin/sh\necho "Error loading SSO Token: Token for audit does not exist" >&2\nexit 255\n');
    chmodSync(plugin, 0o755);
    const file = s.writeKubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } } });
    const err = await run({ kubeconfig: file }).catch((e: unknown) => e) as KubernetesCollectionError;
    expect(err).toBeInstanceOf(KubernetesCollectionError);
    expect(err.exit).toBe('collect');
    expect(err.message).toMatch(/credential plugin .* failed: Error loading SSO Token/);
    expect(s.requests).toHaveLength(0);
  });

  it('an exec plugin that never answers is stopped after the timeout: one clear credentials error (issue 18 item 11)', async () => {
    const s = await start();
    const dir = tmp();
    const plugin = join(dir, 'get-token');
    // Waits on its stdin (a prompt nobody answers), then on the network that never replies.
    writeFileSync(plugin, '#!/bin/sh\nread answer\nexec sleep 3600\n');
    chmodSync(plugin, 0o755);
    const file = s.writeKubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } } });
    const err = await run({ kubeconfig: file, timeoutMs: 1_000 }).catch((e: unknown) => e) as KubernetesCollectionError;
    expect(err).toBeInstanceOf(KubernetesCollectionError);
    expect(err.exit).toBe('collect');
    expect(err.message).toMatch(/credential plugin of kubeconfig user .*get-token.* did not answer within 1 s and was stopped/);
    expect(err.fix).toMatch(/--timeout/);
    expect(s.requests).toHaveLength(0);
  });

  it('signs EKS tokens in-process when the kubeconfig runs `aws eks get-token` and aws is not installed', async () => {
    const seen: string[] = [];
    const s = await start({ token: eksTokenFor('acme-prod', seen) });
    const arn = 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod';
    const file = s.writeKubeconfig({
      context: arn,
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'acme-prod', '--output', 'json'] } },
    });
    const r = await run({ kubeconfig: file, env: { PATH: tmp() }, eksAuthenticator: new EksTokenAuthenticator(async () => CREDS) });
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
    expect(seen.length).toBeGreaterThan(0);
    expect(r.cluster).toEqual({ context: arn, server: s.url, name: 'acme-prod', arn, region: 'eu-west-1', accountId: '111122223333' });
  });

  it('uses the default AWS credential chain (environment variables here) for in-process tokens', async () => {
    const s = await start({ token: eksTokenFor('acme-prod') });
    const file = s.writeKubeconfig({ user: { exec: { command: 'aws-iam-authenticator', args: ['token', '-i', 'acme-prod'], env: [{ name: 'AWS_REGION', value: 'eu-west-1' }] } } });
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, profile: process.env.AWS_PROFILE };
    process.env.AWS_ACCESS_KEY_ID = CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDS.secretAccessKey;
    delete process.env.AWS_PROFILE;
    try {
      const r = await run({ kubeconfig: file, env: { PATH: tmp() } });
      expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.profile !== undefined) process.env.AWS_PROFILE = saved.profile;
    }
  });

  it('--eks-token replaces whatever the kubeconfig user does, naming the cluster from the context ARN', async () => {
    const s = await start({ token: eksTokenFor('billing') });
    const arn = 'arn:aws:eks:eu-west-1:111122223333:cluster/billing';
    const file = s.writeKubeconfig({ context: arn, token: 'stale-static-token' });
    const r = await run({ kubeconfig: file, eksToken: true, eksAuthenticator: new EksTokenAuthenticator(async () => CREDS) });
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
    const err = await run({ kubeconfig: s.writeKubeconfig({ context: 'plain', token: 'x' }), eksToken: true }).catch((e: unknown) => e) as KubernetesCollectionError;
    expect(err.exit).toBe('usage');
    expect(err.fix).toMatch(/--cluster/);
    const r2 = await run({ kubeconfig: s.writeKubeconfig({ context: 'plain', token: 'x' }), eksToken: true, clusterName: 'billing', region: 'eu-west-1', eksAuthenticator: new EksTokenAuthenticator(async () => CREDS) });
    expect(r2.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
  });
});
