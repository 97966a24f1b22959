/**
 * The exit-code precedence through the real CLI (README "Exit codes", src/cli/exit-codes.ts): a live
 * scan whose AWS side has no credentials at all exits 3 even though a Kubernetes control fails (it
 * exited 1, hiding that the AWS evidence was never read, although `scan --help` promised 3).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer } from '../helpers/kube-api-server.js';
import type { KubeApiServer } from '../helpers/kube-api-server.js';
import { runCli } from '../helpers/cli.js';

const SERVED = ['core/Namespace', 'core/Pod', 'apps/Deployment', 'apps/DaemonSet', 'apps/StatefulSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob', 'core/ReplicationController'];
const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'root', namespace: 'shop' },
    spec: { template: { metadata: { labels: { app: 'root' } }, spec: { containers: [{ name: 'root', image: 'nginx:1.27', securityContext: { privileged: true } }] } } },
  },
];

describe('a live scan without AWS credentials', () => {
  let server: KubeApiServer;
  let kubeconfig: string;
  let home: string;
  beforeAll(async () => {
    server = await startKubeApiServer({ token: 't', objects, serve: SERVED });
    kubeconfig = server.writeKubeconfig({ token: 't' });
    home = mkdtempSync(join(tmpdir(), 'eks-soc2-nocreds-'));
    mkdirSync(join(home, '.aws'));
  });
  afterAll(async () => { await server?.close(); });

  /** No credential anywhere the AWS SDK looks (instance metadata is disabled for every test). */
  const noCredentials = (): Record<string, string> => ({
    HOME: home, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '',
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'), AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_WEB_IDENTITY_TOKEN_FILE: '', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '', AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_EC2_METADATA_DISABLED: 'true', EKS_SOC2_STORE: '',
  });

  it('exits 3, not 1, when a Kubernetes control also fails; the failure is still reported', async () => {
    const r = await runCli(['scan', '--kubeconfig', kubeconfig, '--cluster', 'prod', '--region', 'eu-west-1', '--qps', '0',
      '--control', 'CC5-HARD-03,CC4-MON-01', '--format', 'json'], { env: noCredentials() });
    expect(r.stderr).toMatch(/no AWS credentials found/);
    const run = JSON.parse(r.stdout) as { controls: { id: string; status: string }[] };
    const byId = Object.fromEntries(run.controls.map((c) => [c.id, c.status]));
    expect(byId['CC5-HARD-03']).toBe('fail');
    expect(byId['CC4-MON-01']).toBe('error');
    expect(r.code, r.stderr).toBe(3);
  }, 60_000);

  it('fix applies the same precedence: 3 for the gap (failures are what it works on, never an exit reason)', async () => {
    const r = await runCli(['fix', '--kubeconfig', kubeconfig, '--cluster', 'prod', '--region', 'eu-west-1', '--qps', '0',
      '--control', 'CC5-HARD-03,CC4-MON-01', '--format', 'json', '--no-config'], { env: noCredentials() });
    expect(r.code, r.stderr).toBe(3);
    const clean = await runCli(['fix', '--kubeconfig', kubeconfig, '--no-aws', '--qps', '0', '--control', 'CC5-HARD-03', '--format', 'json', '--no-config'], { env: noCredentials() });
    expect(clean.code, clean.stderr).toBe(0);
  }, 60_000);

  it('the same scan with --no-aws has no gap and exits 1 for the failure', async () => {
    const r = await runCli(['scan', '--kubeconfig', kubeconfig, '--no-aws', '--qps', '0', '--control', 'CC5-HARD-03', '--format', 'json'], { env: noCredentials() });
    expect(r.code, r.stderr).toBe(1);
  }, 60_000);
});
