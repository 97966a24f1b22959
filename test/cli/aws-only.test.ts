/**
 * Scanning the AWS account alone: `--no-kubernetes`, and `--aws-evidence DIR` (or `--cluster`) on a
 * machine with no Kubernetes configuration at all, which falls back to the AWS side and says so.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FIXTURE = new URL('../fixtures/aws/evidence', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'eks-soc2-aws-only-'));
const evidence = join(tmp, 'aws');
cpSync(FIXTURE, evidence, { recursive: true });
// The fixture's deliberately broken files belong to the offline-reader tests, not here.
for (const f of ['eks-describe-insight.json', 'eks-list-fargate-profiles.json', 'cluster-notes.json', 'rds-describe-db-instances.json']) rmSync(join(evidence, f), { force: true });
const home = join(tmp, 'home');
mkdirSync(home);
/** A machine with no kubeconfig anywhere and not inside a cluster. */
const noKube = { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };

interface Run { controls: { id: string; status: string; message: string }[] }

describe('scanning the AWS account alone', () => {
  it('--no-kubernetes --aws-evidence DIR decides the AWS controls and reports the Kubernetes ones as not collected', async () => {
    const r = await runCli(['scan', '--no-kubernetes', '--aws-evidence', evidence, '--control', 'CC5-IAM-04,CC5-HARD-03', '--format', 'json', '--fail-on', 'never'], { env: noKube });
    expect(r.stderr).not.toMatch(/unexpected error/);
    const run = JSON.parse(r.stdout) as Run;
    const byId = Object.fromEntries(run.controls.map((c) => [c.id, c]));
    expect(['pass', 'fail']).toContain(byId['CC5-IAM-04']!.status);
    expect(byId['CC5-HARD-03']!.status).toBe('error');
    expect(byId['CC5-HARD-03']!.message).toMatch(/no Kubernetes source in this scan/);
    expect(r.stderr).not.toMatch(/no Kubernetes configuration found/);
  });

  it('--aws-evidence DIR with no Kubernetes configuration anywhere: the AWS side alone, with a note (it used to stop with a usage error)', async () => {
    const r = await runCli(['scan', '--aws-evidence', evidence, '--control', 'CC5-IAM-04,CC5-HARD-03', '--format', 'json', '--fail-on', 'never'], { env: noKube });
    expect(r.stderr).toMatch(/no Kubernetes configuration found: evaluating the AWS evidence alone/);
    const run = JSON.parse(r.stdout) as Run;
    expect(['pass', 'fail']).toContain(run.controls.find((c) => c.id === 'CC5-IAM-04')!.status);
  });

  it('without AWS evidence, no Kubernetes configuration is still a usage error naming the fix', async () => {
    const r = await runCli(['scan', '--control', 'CC4-MON-01'], { env: noKube });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no Kubernetes configuration found[\s\S]*fix: pass --kubeconfig/);
  });

  it('--no-kubernetes refuses what it cannot mean', async () => {
    for (const [args, msg] of [
      [['scan', '--no-kubernetes'], /leaves nothing to scan without AWS evidence/],
      [['scan', '--no-kubernetes', '--aws-evidence', evidence, '--no-aws'], /leaves nothing to scan/],
      [['scan', '--no-kubernetes', '--demo'], /drop -f, --demo or --run/],
    ] as const) {
      const r = await runCli([...args], { env: noKube });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
