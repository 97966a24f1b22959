import { describe, expect, it } from 'vitest';
import { collectFiles } from '../../../src/collectors/files/read.js';
import { catalog } from '../../../src/catalog/index.js';
import { evaluate } from '../../helpers/evaluate-expanded.js';
import { defaultConfig } from '../../../src/model/index.js';
import type { ControlResult, Snapshot } from '../../../src/model/index.js';

const FIX = 'test/fixtures/terraform/hcl';

async function scan(paths: string[], controls: string[]): Promise<{ snap: Snapshot; byId: Map<string, ControlResult> }> {
  const snap = await collectFiles(paths, { toolVersion: 't' });
  const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 'c', controls });
  return { snap, byId: new Map(run.controls.map((c) => [c.id, c])) };
}

describe('Terraform configuration (.tf directories)', () => {
  it('a compliant configuration passes: variables with defaults, terraform.tfvars, locals and references are resolved', async () => {
    const { snap, byId } = await scan([`${FIX}/basic`], ['CC4-MON-01', 'CC5-IAM-04', 'CC9-ENC-01', 'CC4-MON-03']);
    expect(snap.gaps).toEqual([]);
    expect(snap.cluster.name).toBe('prod-eks');
    expect(byId.get('CC4-MON-01')!.status).toBe('pass');
    expect(byId.get('CC5-IAM-04')!.status).toBe('pass');
    expect(byId.get('CC9-ENC-01')!.status).toBe('pass');
    const f = byId.get('CC9-ENC-01')!.findings.find((x) => x.rule === 'key-rotation')!;
    expect(f.resource).toEqual({ provider: 'terraform', kind: 'aws_kms_key', name: 'aws_kms_key.secrets', region: 'eu-west-1' });
    expect(f.source).toEqual({ file: `${FIX}/basic/main.tf`, line: 34 });
    // The flow log is linked to the cluster's VPC through the subnets' vpc_id; its delivery is run-time.
    const mon03 = byId.get('CC4-MON-03')!;
    expect(mon03.status).toBe('pass');
    expect(mon03.findings[0]!.resource.name).toBe('aws_vpc.main');
    expect(mon03.notes.join(' ')).toMatch(/flow log delivery is a run-time state/);
  });

  it('a failing configuration fails on the resource and line; count and for_each instances are judged one by one', async () => {
    const { snap, byId } = await scan([`${FIX}/fail`], ['CC4-MON-01', 'CC5-IAM-04', 'CC9-ENC-01', 'CC4-MON-02']);
    const mon01 = byId.get('CC4-MON-01')!;
    expect(mon01.status).toBe('fail');
    expect(mon01.findings.find((f) => f.rule === 'log-types-enabled')).toMatchObject({ status: 'fail', resource: { name: 'aws_eks_cluster.this' }, source: { file: `${FIX}/fail/main.tf`, line: 22 } });
    expect(byId.get('CC5-IAM-04')!.status).toBe('fail');
    expect(byId.get('CC9-ENC-01')!.findings.find((f) => f.rule === 'key-rotation')).toMatchObject({ status: 'warn', resource: { name: 'aws_kms_key.secrets' } });
    const addresses = snap.iac!.resources.map((r) => r.address);
    expect(addresses).toEqual(expect.arrayContaining(['aws_cloudwatch_log_group.extra[0]', 'aws_cloudwatch_log_group.extra[1]', 'aws_cloudtrail.this["org"]', 'aws_cloudtrail.this["regional"]']));
    // The org trail passes; the regional one is noted; no trail is guessed.
    const mon02 = byId.get('CC4-MON-02')!;
    expect(mon02.findings.find((f) => f.rule === 'multi-region-trail')).toMatchObject({ status: 'pass', resource: { name: 'aws_cloudtrail.this["org"]' } });
  });

  it('a data source and a variable without a value are unknown: the facts that need them say so', async () => {
    const { snap } = await scan([`${FIX}/fail`], ['CC4-MON-03']);
    const flow = snap.aws.facts.find((f) => f.operation === 'DescribeFlowLogs')!;
    expect(flow.unknown?.['output.FlowLogs.0.ResourceId']).toMatch(/data\.aws_vpc is read from AWS at plan time/);
    const perEnv = snap.aws.facts.find((f) => f.operation === 'DescribeLogGroups' && f.unknown?.['output.logGroups.0.logGroupName']);
    expect(perEnv?.unknown?.['output.logGroups.0.logGroupName']).toMatch(/variable env has no value/);
  });

  it('variables: defaults < terraform.tfvars < *.auto.tfvars < a tfvars file given with -f', async () => {
    const days = async (paths: string[]) => {
      const { snap } = await scan(paths, []);
      const f = snap.aws.facts.find((x) => x.operation === 'DescribeLogGroups' && (x.output as { logGroups: { logGroupName: string }[] }).logGroups[0]!.logGroupName === '/aws/eks/vars/cluster')!;
      return (f.output as { logGroups: { retentionInDays: number }[] }).logGroups[0]!.retentionInDays;
    };
    expect(await days([`${FIX}/vars/main.tf`])).toBe(1);
    expect(await days([`${FIX}/vars/main.tf`, `${FIX}/vars/terraform.tfvars`])).toBe(30);
    expect(await days([`${FIX}/vars`])).toBe(90);
    expect(await days([`${FIX}/vars`, 'test/fixtures/terraform/varfiles/prod.tfvars'])).toBe(400);
    const { byId } = await scan([`${FIX}/vars`, 'test/fixtures/terraform/varfiles/prod.tfvars'], ['CC5-IAM-04']);
    expect(byId.get('CC5-IAM-04')!.status).toBe('pass');
  });

  it('malformed HCL and an HCL construct the parser rejects are input errors with file and line; the rest is scanned', async () => {
    const { snap, byId } = await scan([`${FIX}/malformed`], ['CC5-IAM-04']);
    const gaps = snap.gaps.map((g) => ({ reason: g.reason, line: g.line, message: g.message }));
    expect(gaps).toEqual(expect.arrayContaining([
      { reason: 'parse-error', line: 2, message: expect.stringMatching(/^test\/fixtures\/terraform\/hcl\/malformed\/broken\.tf:2: malformed HCL \(Invalid expression; .*\); this file was skipped, the rest of the configuration was read$/) },
      { reason: 'parse-error', line: 3, message: expect.stringMatching(/^test\/fixtures\/terraform\/hcl\/malformed\/redefined\.tf:3: malformed HCL \(Attribute redefined/) },
    ]));
    expect(byId.get('CC5-IAM-04')!.findings[0]!.resource.name).toBe('aws_eks_cluster.ok');
  });

  it('terraform-aws-modules/eks is understood from its inputs with the v20 defaults; other remote modules are reported as not expanded', async () => {
    const { snap, byId } = await scan([`${FIX}/eks-module`], ['CC4-MON-01', 'CC5-IAM-04', 'CC9-ENC-01', 'P1-IAM-07']);
    const mon01 = byId.get('CC4-MON-01')!;
    expect(mon01.status).toBe('fail');
    // v20 defaults: audit, api and authenticator logs; a 90-day log group; a module KMS key with rotation.
    expect(mon01.findings.find((f) => f.rule === 'log-types-enabled')!.message).toBe('control plane logs not enabled: controllerManager, scheduler');
    expect(mon01.findings.find((f) => f.rule === 'log-types-enabled')!.source).toEqual({ file: `${FIX}/eks-module/main.tf`, line: 11 });
    expect(mon01.findings.find((f) => f.rule === 'log-group-retention')!.resource.name).toBe('module.eks.aws_cloudwatch_log_group.this[0]');
    expect(byId.get('CC9-ENC-01')!.status).toBe('pass');
    expect(byId.get('CC5-IAM-04')!.findings.find((f) => f.rule === 'endpoint-public-access')!.status).toBe('fail');
    expect(byId.get('P1-IAM-07')!.findings.find((f) => f.rule === 'imds-v2')).toMatchObject({ status: 'fail', resource: { name: 'module.eks.module.eks_managed_node_group["general"].aws_eks_node_group.this[0]' } });
    expect(snap.gaps).toEqual([expect.objectContaining({ reason: 'skipped', line: 5, message: expect.stringMatching(/module "vpc" \(terraform-aws-modules\/vpc\/aws\) not expanded: .*scan the plan/) })]);
  });

  it('a resource whose count is not known before apply may not exist: its control is not evaluated, never passed', async () => {
    const { snap, byId } = await scan([`${FIX}/unknown-count`], ['CC4-MON-02']);
    expect(snap.iac!.resources.map((r) => r.address)).toEqual(['aws_cloudtrail.maybe[?]']);
    const c = byId.get('CC4-MON-02')!;
    expect(c.status).toBe('error');
    expect(c.findings.every((f) => f.status === 'error')).toBe(true);
    expect(JSON.stringify(c)).toMatch(/the count of aws_cloudtrail\.maybe is not known before apply \(variable enable_trail has no value/);
  });

  it('a Terraform-free tree (deploy/) reads no Terraform', async () => {
    const snap = await collectFiles(['deploy/'], { toolVersion: 't' });
    expect(snap.iac).toBeUndefined();
    expect(snap.aws.source).toBe('none');
  });
});
