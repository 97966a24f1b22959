/** The CLI wiring of AWS evidence (src/cli/sources/aws.ts) and the exit code of a scan without credentials. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectAws } from '../../../src/cli/sources/aws.js';
import { UserError } from '../../../src/cli/errors.js';
import { emptySnapshot } from '../../../src/model/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { CLUSTER, CLUSTER_ARN, REGION, demoObjects, installDemoAccount, mockAll, restoreAll } from '../../fixtures/aws/demo-account.js';
import type { Mocks } from '../../fixtures/aws/demo-account.js';

const EVIDENCE = new URL('../../fixtures/aws/evidence', import.meta.url).pathname;
const KEYS = new Set(['k8s:core/Pod', 'aws:eks:DescribeCluster', 'aws:eks:ListAddons']);
const VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'KUBECONFIG', 'CI'];

let tmp: string;
const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'eks-soc2-cli-aws-'));
  for (const v of VARS) { saved[v] = process.env[v]; delete process.env[v]; }
  process.env.AWS_CONFIG_FILE = join(tmp, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmp, 'no-credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.KUBECONFIG = join(tmp, 'no-kubeconfig');
});
afterEach(() => {
  for (const v of VARS) { if (saved[v] === undefined) delete process.env[v]; else process.env[v] = saved[v]; }
  rmSync(tmp, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function snap(source: 'live' | 'files', cluster: Snapshot['cluster'] = {}): Snapshot {
  const s = emptySnapshot('test');
  s.kubernetes = { source, complete: source === 'live', kinds: {}, objects: demoObjects() };
  s.cluster = cluster;
  return s;
}

describe('collectAws: when AWS evidence is read', () => {
  it('--no-aws: never', async () => {
    const s = await collectAws({ aws: false, cluster: CLUSTER }, snap('live'), KEYS);
    expect(s.aws).toEqual({ source: 'none', calls: {}, facts: [] });
    expect(s.gaps).toEqual([]);
  });

  it('a -f scan without --cluster or --aws-evidence: not at all, and no gaps', async () => {
    const s = await collectAws({}, snap('files'), KEYS);
    expect(s.aws.source).toBe('none');
    expect(s.gaps).toEqual([]);
  });

  it('a bundle collected live and read back with -f keeps its AWS evidence and reads no AWS account', async () => {
    const bundle = snap('live', { name: CLUSTER, arn: CLUSTER_ARN, region: REGION });
    const s = await collectAws({}, bundle, KEYS);
    expect(s.aws.source).toBe('none');
    expect(s.gaps).toEqual([]);
  });

  it('no AWS key selected: nothing to do', async () => {
    const s = await collectAws({ cluster: CLUSTER }, snap('live'), new Set(['k8s:core/Pod']));
    expect(s.aws.source).toBe('none');
  });

  it('--aws-evidence DIR: offline, for a -f scan too', async () => {
    const s = await collectAws({ awsEvidence: EVIDENCE }, snap('files'), KEYS);
    expect(s.aws.source).toBe('files');
    expect(s.aws.calls['eks:DescribeCluster']!.state).toBe('collected');
  });

  it('--aws-evidence with a missing directory is a usage error naming the flag', async () => {
    await expect(collectAws({ awsEvidence: join(tmp, 'nope') }, snap('files'), KEYS)).rejects.toSatisfy((e: unknown) => e instanceof UserError && e.exitCode === 2 && e.message.includes('--aws-evidence'));
  });

  it('a live scan of a cluster that is not EKS (and no --cluster): a gap for every AWS key saying what to pass', async () => {
    const s = await collectAws({}, snap('live', { context: 'kind-dev' }), KEYS, { liveKubernetes: true });
    expect(s.gaps.map((g) => g.key)).toEqual(['eks:DescribeCluster', 'eks:ListAddons']);
    expect(s.gaps[0]).toMatchObject({ source: 'aws', reason: 'not-found' });
    expect(s.gaps[0]!.fix).toContain('--cluster');
    expect(s.gaps[0]!.fix).toContain('--no-aws');
  });
});

describe('collectAws live, against the mocked demo account', () => {
  let m: Mocks;
  beforeEach(() => {
    m = installDemoAccount(mockAll());
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret';
  });
  afterEach(() => restoreAll(m));

  it('the cluster and its region come from the live context (EKS ARN)', async () => {
    process.env.AWS_REGION = 'ap-south-1'; // the default region differs from the cluster's
    const s = await collectAws({}, snap('live', { name: CLUSTER, arn: CLUSTER_ARN, region: REGION }), KEYS, { liveKubernetes: true });
    expect(s.aws.source).toBe('live');
    expect(s.aws.calls['eks:DescribeCluster']).toMatchObject({ state: 'collected', detail: REGION });
    const regions = await Promise.all(m.eks.calls().map((c) => (c.thisValue as { config: { region: () => Promise<string> } }).config.region()));
    expect(new Set(regions)).toEqual(new Set([REGION]));
  });

  it('the cluster comes from the kubeconfig context when the snapshot does not name it', async () => {
    const kc = join(tmp, 'kubeconfig');
    writeFileSync(kc, `apiVersion: v1\nkind: Config\ncurrent-context: ${CLUSTER_ARN}\ncontexts:\n- name: ${CLUSTER_ARN}\n  context: { cluster: ${CLUSTER_ARN}, user: u }\nclusters:\n- name: ${CLUSTER_ARN}\n  cluster: { server: 'https://x.gr7.${REGION}.eks.amazonaws.com' }\nusers:\n- name: u\n  user: {}\n`);
    const s = await collectAws({ kubeconfig: kc }, snap('live'), KEYS, { liveKubernetes: true });
    expect(s.cluster).toMatchObject({ name: CLUSTER, region: REGION, arn: CLUSTER_ARN });
    expect(s.aws.calls['eks:ListAddons']!.state).toBe('collected');
  });

  it('--cluster with a -f scan reads live', async () => {
    const s = await collectAws({ cluster: CLUSTER, region: REGION }, snap('files'), KEYS);
    expect(s.aws.calls['eks:DescribeCluster']!.state).toBe('collected');
  });
});

describe('no credentials', () => {
  it('prints one clear message, records a gap per AWS key, and the scan exits 3', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const s = await collectAws({ cluster: CLUSTER, region: REGION }, snap('files'), KEYS);
    const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(printed.match(/AWS evidence not collected/g)).toHaveLength(1);
    expect(printed).toContain('AWS_PROFILE');
    expect(printed).toContain('AWS_ACCESS_KEY_ID');
    expect(s.gaps.filter((g) => g.source === 'aws').map((g) => g.key)).toEqual(['eks:DescribeCluster', 'eks:ListAddons']);

    // End to end: a -f scan of one AWS-backed control, no credentials → exit code 3.
    const manifest = join(tmp, 'pod.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n');
    const { runScan } = await import('../../../src/cli/commands/scan.js');
    const out = join(tmp, 'out');
    const code = await runScan({ file: [manifest], cluster: CLUSTER, region: REGION, control: ['CC4-MON-01'], format: 'json', output: out, failOn: 'never', color: false, quiet: true } as Parameters<typeof runScan>[0]);
    expect(code).toBe(3);
  });
});
