/**
 * Fleet scans (src/cli/fleet.ts): several clusters, bounded parallelism, one failure never stopping
 * the others, each run stored under its own cluster identity, the worst exit code.
 *
 * - kubeconfig contexts, through the real CLI: a healthy test API server, one that answers 403 to
 *   everything, and one that is not there;
 * - AWS accounts, in process: eks:ListClusters / DescribeCluster mocked for two accounts, role
 *   assumption injected, and the test API servers checking that each cluster's EKS token was
 *   signed with the credentials of its own account.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { startKubeApiServer, writeKubeconfigFile } from '../helpers/kube-api-server.js';
import type { KubeApiServer } from '../helpers/kube-api-server.js';
import { runCli } from '../helpers/cli.js';
import { isFleetScan, renderClusterTable, roleArnFor, runFleet, slugOf } from '../../src/cli/fleet.js';
import type { FleetSummary } from '../../src/cli/fleet.js';
import type { ScanOptions } from '../../src/cli/commands/scan.js';
import { openStore } from '../../src/store/index.js';
import { UserError } from '../../src/cli/errors.js';

const CONTROLS = 'CC5-HARD-01,CC5-HARD-03,P1-IAM-09';
const SERVED = ['core/Namespace', 'core/Pod', 'core/ServiceAccount', 'apps/Deployment', 'apps/DaemonSet', 'apps/StatefulSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob',
  'core/ReplicationController', 'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRoleBinding', 'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/ClusterRole'];

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } } }] } } },
  },
];

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('unit', () => {
  it('builds role ARNs from a name or an {account} template', () => {
    expect(roleArnFor('eks-soc2-audit', '111122223333')).toBe('arn:aws:iam::111122223333:role/eks-soc2-audit');
    expect(roleArnFor('role/audit/eks-soc2', '111122223333')).toBe('arn:aws:iam::111122223333:role/audit/eks-soc2');
    expect(roleArnFor('arn:aws:iam::{account}:role/x', '444455556666')).toBe('arn:aws:iam::444455556666:role/x');
    expect(roleArnFor('x', '111122223333', 'aws-cn')).toBe('arn:aws-cn:iam::111122223333:role/x');
  });

  it('makes unique, safe directory names', () => {
    const taken = new Set<string>();
    expect(slugOf('arn:aws:eks:eu-west-1:111122223333:cluster/prod', taken)).toBe('eu-west-1_111122223333_cluster_prod');
    expect(slugOf('../../etc', taken)).toBe('etc');
    expect(slugOf('a b', taken)).toBe('a_b');
    expect(slugOf('a b', taken)).toBe('a_b-2');
    expect(slugOf('..', taken)).toBe('cluster');
  });

  it('routes to the fleet only for fleet flags', () => {
    expect(isFleetScan({})).toBe(false);
    expect(isFleetScan({ contexts: ['a'] })).toBe(true);
    expect(isFleetScan({ allContexts: true })).toBe(true);
    expect(isFleetScan({ accounts: ['111122223333'] })).toBe(true);
    // Fleet-only flags on a single scan are refused by the fleet path, not ignored.
    expect(isFleetScan({ assumeRole: 'x' })).toBe(true);
    expect(isFleetScan({ regions: ['eu-west-1'] })).toBe(true);
  });

  it('escapes cluster labels and reasons in the table', () => {
    const t = renderClusterTable([{ label: 'evil\u001b[31m', slug: 'x', result: 'error', exitCode: 3, reason: 'bad\u202ename' }]);
    expect(t).not.toMatch(/\u001b|\u202e/);
    expect(t).toContain('\\u001b');
  });

  const base = { failOn: 'low', color: false, format: 'terminal', parallel: '2' } as ScanOptions;
  it.each([
    [{ contexts: ['a'], context: 'b' }, /--context names one cluster/],
    [{ contexts: ['a'], cluster: 'b' }, /--cluster names one cluster/],
    [{ contexts: ['a'], accounts: ['111122223333'] }, /choose one way/],
    [{ contexts: ['a'], demo: true }, /drop --demo/],
    [{ contexts: ['a'], parallel: '0' }, /--parallel must be/],
    [{ contexts: ['a'], assumeRole: 'x' }, /go with --accounts/],
    [{ accounts: ['111122223333'] }, /needs --assume-role/],
    [{ assumeRole: 'x' }, /go with --accounts/],
    [{ accounts: ['1234'], assumeRole: 'x', regions: ['eu-west-1'] }, /12-digit/],
    [{ accounts: ['111122223333', '444455556666'], assumeRole: 'arn:aws:iam::111122223333:role/x', regions: ['eu-west-1'] }, /one role ARN for several accounts/],
    [{ contexts: ['a'], format: 'html' }, /add -o DIR/],
    [{ contexts: ['a'], notify: 'https://hooks.example.com/x', store: false }, /--notify compares/],
  ])('refuses %j', async (extra, message) => {
    const err = await runFleet({ ...base, ...extra } as ScanOptions, { stdout: () => {}, stderr: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(message);
  });
});

describe('kubeconfig contexts (CLI)', () => {
  let healthy: KubeApiServer;
  let broken: KubeApiServer;
  let kubeconfig: string;
  let dir: string;
  beforeAll(async () => {
    healthy = await startKubeApiServer({ token: 'h', objects, serve: SERVED });
    broken = await startKubeApiServer({ token: 'b', objects, serve: SERVED, forbidden: () => true });
    const gone = await closedPort();
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-fleet-test-'));
    kubeconfig = [
      writeKubeconfigFile({ server: healthy.url, caData: healthy.caData, token: 'h', context: 'healthy' }),
      writeKubeconfigFile({ server: broken.url, caData: broken.caData, token: 'b', context: 'broken' }),
      writeKubeconfigFile({ server: `https://127.0.0.1:${gone}`, caData: healthy.caData, token: 'x', context: 'gone' }),
    ].join(':');
  });
  afterAll(async () => { await healthy?.close(); await broken?.close(); });

  it('scans every context, stores each run under its cluster, reports the broken ones with their reason, exits with the worst code', async () => {
    const store = join(dir, 'fleet.db');
    const out = join(dir, 'out');
    const r = await runCli(['scan', '--kubeconfig', kubeconfig, '--all-contexts', '--no-aws', '--qps', '0', '--timeout', '5', '--control', CONTROLS,
      '--store', `sqlite:${store}`, '-o', out, '--format', 'json,terminal', '--fail-on', 'never', '--parallel', '2']);
    expect(r.code, r.stderr).toBe(3);
    // The per-cluster table on stderr.
    const row = (name: string) => r.stderr.split('\n').find((l) => l.startsWith(name))!;
    expect(row('healthy')).toMatch(/^healthy\s+ok\s+0\s/);
    expect(row('healthy')).toMatch(/\d{8}T\d{6}Z-[0-9a-f]{6}/);
    expect(row('broken')).toMatch(/^broken\s+incomplete\s+3\s/);
    expect(r.stderr).toMatch(/broken: \d+ evidence gaps?, e\.g\. listing \w+ .*forbidden/);
    expect(row('gone')).toMatch(/^gone\s+error\s+3\s/);
    expect(r.stderr).toMatch(/gone: cannot reach the API server https:\/\/127\.0\.0\.1:\d+/);
    // The combined summary on stdout.
    expect(r.stdout).toMatch(/eks-soc2 fleet scan: 3 clusters — 1 ok, 0 with failing controls, 1 incomplete, 0 not stored, 1 not scanned; exit code 3/);
    // One subdirectory per cluster that was scanned, and the fleet summary.
    expect(existsSync(join(out, 'healthy', 'eks-soc2-report.json'))).toBe(true);
    expect(existsSync(join(out, 'healthy', 'eks-soc2-report.txt'))).toBe(true);
    expect(existsSync(join(out, 'broken', 'eks-soc2-report.json'))).toBe(true);
    expect(existsSync(join(out, 'gone'))).toBe(false);
    const summary = JSON.parse(readFileSync(join(out, 'eks-soc2-fleet.json'), 'utf8')) as FleetSummary;
    expect(summary.schema).toBe('eks-soc2/fleet@1');
    expect(summary.exitCode).toBe(3);
    expect(summary.clusters.map((c) => [c.label, c.result])).toEqual([['healthy', 'ok'], ['broken', 'incomplete'], ['gone', 'error']]);
    const healthyReport = JSON.parse(readFileSync(join(out, 'healthy', 'eks-soc2-report.json'), 'utf8')) as { controls: { id: string; status: string }[]; cluster: { context: string } };
    expect(healthyReport.cluster.context).toBe('healthy');
    expect(healthyReport.controls.find((c) => c.id === 'CC5-HARD-03')?.status).toBe('pass');
    const brokenReport = JSON.parse(readFileSync(join(out, 'broken', 'eks-soc2-report.json'), 'utf8')) as { controls: { status: string }[] };
    expect(brokenReport.controls.every((c) => c.status === 'error')).toBe(true);

    // The store holds one chain per cluster, keyed by its identity.
    const s = await openStore({ kind: 'sqlite', path: store }, { mode: 'read', toolVersion: 'test' });
    try {
      const clusters = await s.clusters();
      expect(clusters.map((c) => c.key).sort()).toEqual(['context:broken', 'context:healthy']);
      const runs = await s.runs({ clusterKey: 'context:healthy' });
      expect(runs).toHaveLength(1);
      expect(runs[0]!.runId).toBe(summary.clusters.find((c) => c.label === 'healthy')!.runId);
    } finally {
      await s.close();
    }
    // The period report shows one cluster or the fleet.
    const rep = await runCli(['report', '--store', `sqlite:${store}`, '--from', '2000-01-01', '--format', 'json']);
    expect(rep.code, rep.stderr).toBeLessThan(2);
    expect(rep.stdout).toContain('context:healthy');
    expect(rep.stdout).toContain('context:broken');
  }, 60_000);

  it('prints the combined summary as JSON with --format json and no -o', async () => {
    const r = await runCli(['scan', '--kubeconfig', kubeconfig, '--contexts', 'healthy,broken', '--no-aws', '--qps', '0', '--control', CONTROLS, '--no-store', '--format', 'json', '--fail-on', 'never', '--parallel', '1']);
    expect(r.code, r.stderr).toBe(3);
    const s = JSON.parse(r.stdout) as FleetSummary;
    expect(s.clusters.map((c) => [c.label, c.result, c.exitCode])).toEqual([['healthy', 'ok', 0], ['broken', 'incomplete', 3]]);
    expect(s.controls['CC5-HARD-03']).toEqual({ pass: 1, error: 1 });
    expect(s.clusters[0]!.runId).toBeUndefined();
  }, 60_000);

  it('alerts per cluster after storing: the broken cluster\'s controls newly in error, nothing for the healthy one', async () => {
    const bodies: { cluster: { key: string }; regressions: { kind: string; control: string }[] }[] = [];
    const hook = createHttpServer((req, res) => { let b = ''; req.on('data', (d: Buffer) => { b += d.toString(); }).on('end', () => { bodies.push(JSON.parse(b) as (typeof bodies)[number]); res.writeHead(200).end(); }); });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
      const store = join(dir, 'alerts.db');
      const r = await runCli(['scan', '--kubeconfig', kubeconfig, '--contexts', 'healthy,broken', '--no-aws', '--qps', '0', '--control', CONTROLS,
        '--store', `sqlite:${store}`, '--notify', url, '--fail-on', 'never']);
      expect(r.code, r.stderr).toBe(3);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.cluster.key).toBe('context:broken');
      expect(bodies[0]!.regressions.map((x) => x.kind)).toEqual(['error', 'error', 'error']);
      expect(r.stderr).toContain('healthy: no new failures since the previous run: no alert sent');
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((res) => hook.close(() => res()));
    }
  }, 60_000);

  it('a context missing from the kubeconfig fails alone', async () => {
    const r = await runCli(['scan', '--kubeconfig', kubeconfig, '--contexts', 'nope,healthy', '--no-aws', '--qps', '0', '--control', CONTROLS, '--no-store', '--fail-on', 'never']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\s+error\s+2/);
    expect(r.stderr).toMatch(/healthy\s+ok\s+0/);
  }, 60_000);
});

describe('the fleet exit code follows the precedence of every scan: 2 > 3 > 1 > 0', () => {
  let failing: KubeApiServer;
  let broken: KubeApiServer;
  let kubeconfig: string;
  beforeAll(async () => {
    const privileged = [objects[0]!, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'root', namespace: 'shop' },
      spec: { template: { metadata: { labels: { app: 'root' } }, spec: { containers: [{ name: 'root', image: 'nginx:1.27', securityContext: { privileged: true } }] } } },
    }];
    failing = await startKubeApiServer({ token: 'f', objects: privileged, serve: SERVED });
    broken = await startKubeApiServer({ token: 'b', objects, serve: SERVED, forbidden: () => true });
    kubeconfig = [
      writeKubeconfigFile({ server: failing.url, caData: failing.caData, token: 'f', context: 'failing' }),
      writeKubeconfigFile({ server: broken.url, caData: broken.caData, token: 'b', context: 'broken' }),
    ].join(':');
  });
  afterAll(async () => { await failing?.close(); await broken?.close(); });
  const scan = (contexts: string) => runCli(['scan', '--kubeconfig', kubeconfig, '--contexts', contexts, '--no-aws', '--qps', '0', '--control', CONTROLS, '--no-store', '--format', 'json', '--parallel', '1']);

  it('failures in one cluster, evidence not collected in another: 3 (1 alone)', async () => {
    const alone = await scan('failing');
    expect(alone.code, alone.stderr).toBe(1);
    const r = await scan('failing,broken');
    expect(r.code, r.stderr).toBe(3);
    const s = JSON.parse(r.stdout) as FleetSummary;
    expect(s.clusters.map((c) => [c.label, c.exitCode])).toEqual([['failing', 1], ['broken', 3]]);
    expect(s.exitCode).toBe(3);
  }, 60_000);

  it('a cluster that could not be scanned for a usage error wins over the others: 2 (it was 3, numerically)', async () => {
    const r = await scan('nope,broken,failing');
    expect(r.code, r.stderr).toBe(2);
    const s = JSON.parse(r.stdout) as FleetSummary;
    expect(s.clusters.map((c) => c.exitCode)).toEqual([2, 3, 1]);
    expect(s.exitCode).toBe(2);
  }, 60_000);
});

describe('AWS accounts (in process, EKS mocked)', () => {
  const eks = mockClient(EKSClient);
  const servers: Record<string, KubeApiServer> = {};
  const ACCOUNTS = { '111111111111': 'AKIAACCOUNTAAAAAAAAA', '222222222222': 'AKIAACCOUNTBBBBBBBBB' } as Record<string, string>;
  /** Accept only EKS tokens for `cluster` signed with the access key of `account`. */
  const tokenFor = (cluster: string, account: string) => (token: string) => {
    if (!token.startsWith('k8s-aws-v1.')) return false;
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
    return url.searchParams.get('X-Amz-Credential')?.startsWith(`${ACCOUNTS[account]}/`) === true
      && (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id')
      && url.searchParams.get('Action') === 'GetCallerIdentity' && cluster.length > 0;
  };
  beforeAll(async () => {
    servers.alpha = await startKubeApiServer({ token: tokenFor('alpha', '111111111111'), objects, serve: SERVED });
    servers.beta = await startKubeApiServer({ token: tokenFor('beta', '222222222222'), objects, serve: SERVED, forbidden: () => true });
  });
  afterAll(async () => { for (const s of Object.values(servers)) await s.close(); eks.restore(); });
  afterEach(() => eks.reset());

  it('assumes the role in each account, lists and scans every cluster, stores each under account/region/name', async () => {
    const accountOf = async (getClient: () => EKSClient) => {
      const creds = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
      return Object.keys(ACCOUNTS).find((a) => ACCOUNTS[a] === creds.accessKeyId)!;
    };
    eks.on(ListClustersCommand).callsFake(async (_input: unknown, getClient: () => EKSClient) => {
      const a = await accountOf(getClient);
      return { clusters: a === '111111111111' ? ['alpha'] : ['beta', 'gamma'] };
    });
    eks.on(DescribeClusterCommand).callsFake(async (input: { name: string }, getClient: () => EKSClient) => {
      const a = await accountOf(getClient);
      if (input.name === 'gamma') throw Object.assign(new Error('User is not authorized to perform: eks:DescribeCluster'), { name: 'AccessDeniedException' });
      const s = servers[input.name]!;
      return { cluster: { name: input.name, arn: `arn:aws:eks:eu-west-1:${a}:cluster/${input.name}`, status: 'ACTIVE', endpoint: s.url, certificateAuthority: { data: s.caData } } };
    });
    const assumed: { roleArn: string; externalId?: string; region: string }[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-fleet-acct-'));
    const store = join(dir, 'fleet.db');
    let stdout = '';
    let stderr = '';
    const code = await runFleet({
      accounts: ['111111111111', '222222222222'], assumeRole: 'arn:aws:iam::{account}:role/eks-soc2-audit', externalId: 'ext-42', regions: ['eu-west-1'],
      aws: false, qps: '0', timeout: '5', control: CONTROLS.split(','), store: `sqlite:${store}`, failOn: 'never', color: false, format: 'terminal', parallel: '2',
    } as ScanOptions, {
      assumeRole: (roleArn, o) => {
        assumed.push({ roleArn, ...o });
        const account = /::(\d{12}):/.exec(roleArn)![1]!;
        return async () => ({ accessKeyId: ACCOUNTS[account]!, secretAccessKey: 'test-secret', sessionToken: 'test-session' });
      },
      tmpDir: dir,
      stdout: (s) => { stdout += s; },
      stderr: (s) => { stderr += s; },
    });
    expect(assumed).toEqual([
      { roleArn: 'arn:aws:iam::111111111111:role/eks-soc2-audit', externalId: 'ext-42', region: 'eu-west-1' },
      { roleArn: 'arn:aws:iam::222222222222:role/eks-soc2-audit', externalId: 'ext-42', region: 'eu-west-1' },
    ]);
    expect(code, stderr).toBe(3);
    expect(stderr).toMatch(/111111111111\/eu-west-1\/alpha\s+ok\s+0/);
    expect(stderr).toMatch(/222222222222\/eu-west-1\/beta\s+incomplete\s+3/);
    expect(stderr).toMatch(/222222222222\/eu-west-1\/gamma\s+error\s+3/);
    expect(stderr).toMatch(/gamma: cannot describe the cluster: AccessDeniedException/);
    expect(stdout).toContain('eks:111111111111:eu-west-1:alpha');
    // Each cluster's API server saw only tokens of its own account (anything else is a 401).
    expect(servers.alpha!.requests.filter((q) => q.status === 401)).toEqual([]);
    expect(servers.alpha!.count('/version')).toBeGreaterThan(0);
    expect(servers.beta!.requests.filter((q) => q.status === 401)).toEqual([]);
    const s = await openStore({ kind: 'sqlite', path: store }, { mode: 'read', toolVersion: 'test' });
    try {
      const clusters = await s.clusters();
      expect(clusters.map((c) => c.key).sort()).toEqual(['eks:111111111111:eu-west-1:alpha', 'eks:222222222222:eu-west-1:beta']);
      expect(clusters.find((c) => c.key.endsWith('alpha'))!.cluster).toMatchObject({ name: 'alpha', accountId: '111111111111', region: 'eu-west-1', arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/alpha' });
    } finally {
      await s.close();
    }
    // Temporary kubeconfigs are removed.
    expect(existsSync(join(dir, 'fleet.db'))).toBe(true);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).filter((f) => f.startsWith('eks-soc2-fleet-'))).toEqual([]);
  }, 60_000);

  it('reports an account whose clusters cannot be listed, and scans the rest', async () => {
    eks.on(ListClustersCommand).callsFake(async (_i: unknown, getClient: () => EKSClient) => {
      const creds = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
      if (creds.accessKeyId === ACCOUNTS['222222222222']) throw Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' });
      return { clusters: ['alpha'] };
    });
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'alpha', arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/alpha', status: 'ACTIVE', endpoint: servers.alpha!.url, certificateAuthority: { data: servers.alpha!.caData } } });
    let stderr = '';
    const code = await runFleet({
      accounts: ['111111111111', '222222222222'], assumeRole: 'eks-soc2-audit', regions: ['eu-west-1'],
      aws: false, qps: '0', timeout: '5', control: CONTROLS.split(','), store: false, failOn: 'never', color: false, format: 'terminal', parallel: '2',
    } as ScanOptions, {
      assumeRole: (roleArn) => async () => ({ accessKeyId: ACCOUNTS[/::(\d{12}):/.exec(roleArn)![1]!]!, secretAccessKey: 's' }),
      stdout: () => {}, stderr: (s) => { stderr += s; },
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/111111111111\/eu-west-1\/alpha\s+ok\s+0/);
    expect(stderr).toMatch(/222222222222\/eu-west-1\s+error\s+3/);
    expect(stderr).toMatch(/cannot list the EKS clusters as arn:aws:iam::222222222222:role\/eks-soc2-audit: AccessDenied/);
  }, 60_000);
});
