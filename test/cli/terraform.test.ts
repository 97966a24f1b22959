import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { plan } from '../collectors/terraform/plan-builder.js';
import type { PlanResource } from '../collectors/terraform/plan-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-tf-'));
const ROLE = 'arn:aws:iam::123456789012:role/eks';
const cluster = (logTypes: string[]): PlanResource => ({
  address: 'aws_eks_cluster.main',
  values: { name: 'prod', role_arn: ROLE, version: '1.31', enabled_cluster_log_types: logTypes, vpc_config: [{ subnet_ids: ['subnet-1'], endpoint_public_access: false, endpoint_private_access: true, vpc_id: 'vpc-1' }] },
  unknown: ['arn', 'id'],
});
const MAIN_TF = `# the cluster\n\nresource "aws_eks_cluster" "main" {\n  name = "prod"\n}\n`;

describe('eks-soc2 scan with Terraform input', () => {
  it('a plan next to its .tf files: SARIF annotates the resource block line of the .tf file; a failure exits 1', async () => {
    const d = join(dir, 'sarif');
    mkdirSync(d);
    writeFileSync(join(d, 'main.tf'), MAIN_TF);
    writeFileSync(join(d, 'plan.json'), JSON.stringify(plan([cluster(['api'])])));
    const r = await runCli(['scan', '-f', join(d, 'plan.json'), '--control', 'CC4-MON-01', '--format', 'sarif'], { cwd: d });
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId.includes('log-types-enabled'));
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'main.tf' }, region: { startLine: 3 } });
    expect(result.message.text).toMatch(/^aws_eks_cluster\.main: control plane logs not enabled/);
  });

  it('JSON contract: resource { provider: terraform, kind: type, name: address } and source { file, line }', async () => {
    const d = join(dir, 'json');
    mkdirSync(d);
    writeFileSync(join(d, 'main.tf'), MAIN_TF);
    const r = await runCli(['scan', '-f', d, '--control', 'CC5-IAM-04', '--format', 'json', '--expand-passing'], { cwd: d });
    const run = JSON.parse(r.stdout);
    expect(run.controls[0].findings[0]).toMatchObject({ resource: { provider: 'terraform', kind: 'aws_eks_cluster', name: 'aws_eks_cluster.main' }, source: { file: 'main.tf', line: 3 } });
    // Public access is on by default (the AWS provider's default): a failure.
    expect(run.controls[0].status).toBe('fail');
  });

  it('one run over .tf files, manifests and --aws-evidence: each source is evaluated, Terraform wins for what it declares', async () => {
    const d = join(dir, 'mixed');
    mkdirSync(d);
    writeFileSync(join(d, 'main.tf'), `resource "aws_eks_cluster" "main" {\n  name = "acme-prod"\n  role_arn = "${ROLE}"\n  version = "1.31"\n  enabled_cluster_log_types = ["api"]\n  vpc_config {\n    subnet_ids = ["subnet-1"]\n    endpoint_public_access = false\n    endpoint_private_access = true\n  }\n}\n`);
    writeFileSync(join(d, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: { name: bad, namespace: app }\nspec: { containers: [{ name: c, image: nginx, securityContext: { privileged: true } }] }\n');
    const r = await runCli(['scan', '-f', d, '--aws-evidence', 'test/fixtures/aws/evidence', '--control', 'CC4-MON-01,CC5-HARD-03,CC8-VER-01', '--format', 'json', '--expand-passing']);
    const run = JSON.parse(r.stdout);
    const byId = new Map(run.controls.map((c: { id: string }) => [c.id, c]));
    const mon01 = byId.get('CC4-MON-01') as { findings: { rule: string; status: string; resource: { provider: string } }[] };
    expect(mon01.findings.find((f) => f.rule === 'log-types-enabled')).toMatchObject({ status: 'fail', resource: { provider: 'terraform' } });
    const hard = byId.get('CC5-HARD-03') as { findings: { resource: { provider: string; name: string } }[] };
    expect(hard.findings.some((f) => f.resource.provider === 'kubernetes' && f.resource.name === 'bad')).toBe(true);
    expect(run.sources).toEqual({ kubernetes: 'files', aws: 'files' });
  });

  it('a plan of an unknown format version is an input error naming the file (exit 2); the rest is scanned', async () => {
    const d = join(dir, 'badver');
    mkdirSync(d);
    writeFileSync(join(d, 'plan.json'), JSON.stringify(plan([cluster(['api'])], { formatVersion: '2.1' })));
    writeFileSync(join(d, 'main.tf'), 'resource "aws_eks_cluster" "x" {\n  name = "x"\n  enabled_cluster_log_types = []\n}\n');
    const r = await runCli(['scan', '-f', d, '--control', 'CC4-MON-01']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/plan\.json: Terraform JSON format_version 2\.1 is not supported/);
    expect(r.stdout).toMatch(/FAIL\s+CC4-MON-01/);
  });

  it('a 50 MB plan is read (not an error): every resource is translated', async () => {
    const resources: PlanResource[] = [cluster(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'])];
    const pad = 'x'.repeat(10000);
    for (let i = 0; i < 5000; i++) resources.push({ address: `aws_cloudwatch_log_group.g[${i}]`, values: { name: i === 0 ? '/aws/eks/prod/cluster' : `/app/${i}`, retention_in_days: 400, kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/1', tags: { pad } }, unknown: ['arn'] });
    const text = JSON.stringify(plan(resources));
    expect(text.length).toBeGreaterThan(45 * 1024 * 1024);
    const p = join(dir, 'big.json');
    writeFileSync(p, text);
    const r = await runCli(['scan', '-f', p, '--control', 'CC4-MON-01', '--format', 'json', '--expand-passing']);
    expect(r.stderr).toBe('');
    const run = JSON.parse(r.stdout);
    expect(run.controls[0].status).toBe('pass');
    expect(run.controls[0].findings.find((f: { rule: string }) => f.rule === 'log-group-retention').resource.name).toBe('aws_cloudwatch_log_group.g[0]');
  }, 120_000);
});
