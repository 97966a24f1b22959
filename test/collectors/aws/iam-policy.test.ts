/**
 * The shipped IAM policies are exactly what the collector calls: a full-plan run against the mocks
 * records every command sent, and the policy must grant each of them, nothing more, and only reads.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLANS, defaultActions } from '../../../src/collectors/aws/registry.js';
import { ALLOWLIST } from '../../../src/collectors/aws/collect.js';
import { FORBIDDEN_ACTIONS, ReadOnlyViolation, assertAllowed, isReadOnlyAction } from '../../../src/collectors/aws/readonly.js';
import { SERVICES } from '../../../src/collectors/aws/services.js';
import { callsPerService, installDemoAccount, mockAll, restoreAll, sentActions } from '../../fixtures/aws/demo-account.js';
import type { Mocks } from '../../fixtures/aws/demo-account.js';
import { awsError, run } from './helpers.js';

interface Policy { Version: string; Statement: { Sid: string; Effect: string; Action: string[]; Resource: string }[] }
const load = (f: string): Policy => JSON.parse(readFileSync(new URL(`../../../deploy/aws/${f}`, import.meta.url), 'utf8')) as Policy;
const actionsOf = (p: Policy) => p.Statement.flatMap((s) => s.Action);

let m: Mocks;
beforeEach(() => { m = installDemoAccount(mockAll()); });
afterEach(() => restoreAll(m));

describe('deploy/aws/iam-policy.json', () => {
  const policy = load('iam-policy.json');

  it('grants every command a full-plan run sends, and nothing it does not send', async () => {
    const { snapshot } = await run(defaultActions());
    expect(snapshot.gaps).toEqual([]);
    const sent = [...sentActions(m).keys()].sort();
    const granted = [...new Set(actionsOf(policy))].sort();
    expect(sent.filter((a) => !granted.includes(a)), 'sent but not granted').toEqual([]);
    expect(granted.filter((a) => !sent.includes(a)), 'granted but never sent').toEqual([]);
  });

  it('is the registry\'s default action set, Allow only, on read actions only', () => {
    expect([...actionsOf(policy)].sort()).toEqual(defaultActions());
    for (const s of policy.Statement) {
      expect(s.Effect).toBe('Allow');
      expect(s.Resource).toBe('*');
    }
    for (const a of actionsOf(policy)) {
      expect(isReadOnlyAction(a), a).toBe(true);
      expect(FORBIDDEN_ACTIONS.has(a), a).toBe(false);
      expect(a).not.toContain('*');
    }
    for (const bad of ['secretsmanager:GetSecretValue', 'kms:Decrypt', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'cloudformation:DetectStackDrift']) {
      expect(actionsOf(policy)).not.toContain(bad);
    }
  });

  it('the delta policy holds the actions SecurityAudit lacks (controls.md §4.2), all in the full policy', () => {
    const delta = actionsOf(load('iam-policy-delta.json'));
    expect(delta).toHaveLength(17);
    for (const a of delta) expect(actionsOf(policy)).toContain(a);
    expect(delta).not.toContain('sts:GetCallerIdentity');
    expect(delta).toEqual(expect.arrayContaining(['eks:ListAddons', 'eks:DescribeClusterVersions', 'ecr:GetSigningConfiguration', 'signer:ListSigningProfiles', 'cloudwatch:ListMetrics']));
  });

  it('the opt-in ecr:ListImageReferrers is sent only when enabled', async () => {
    await run(['ecr:ListImageReferrers']);
    expect(sentActions(m).has('ecr:ListImageReferrers')).toBe(false);
    m.ecr.on((await import('@aws-sdk/client-ecr')).ListImageReferrersCommand).resolves({ referrers: [] });
    const { snapshot } = await run(['ecr:ListImageReferrers'], { imageReferrers: true });
    expect(sentActions(m).get('ecr:ListImageReferrers')).toBeGreaterThan(0);
    expect(snapshot.aws.calls['ecr:ListImageReferrers']!.state).toBe('collected');
  });
});

describe('read-only allowlist', () => {
  it('every plan is a read', () => {
    for (const p of PLANS) expect(isReadOnlyAction(p.key), p.key).toBe(true);
    expect(ALLOWLIST.size).toBe(PLANS.length);
  });

  it('refuses writes and the forbidden reads, even if allowlisted by mistake', () => {
    const list = new Set([...ALLOWLIST, 'eks:DeleteCluster', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'ecr:BatchGetImage', 'cloudformation:DetectStackDrift']);
    for (const a of ['eks:DeleteCluster', 'ec2:AuthorizeSecurityGroupIngress', 'iam:CreateUser', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'cloudformation:DetectStackDrift']) {
      expect(() => assertAllowed(a, list), a).toThrow(ReadOnlyViolation);
    }
    expect(() => assertAllowed('eks:DescribeCluster', ALLOWLIST)).not.toThrow();
    expect(() => assertAllowed('eks:DescribeUpdate', ALLOWLIST)).toThrow(/allowlist/);
    expect(isReadOnlyAction('iam:GenerateCredentialReport')).toBe(true);
    expect(isReadOnlyAction('cloudtrail:LookupEvents')).toBe(true);
    expect(isReadOnlyAction('cloudtrail:StopLogging')).toBe(false);
  });
});

/** AccessDenied as each service spells it. */
const DENIED: Record<string, [string, number]> = {
  ec2: ['UnauthorizedOperation', 403], iam: ['AccessDenied', 403], sts: ['AccessDenied', 403], elasticloadbalancing: ['AccessDenied', 403],
  autoscaling: ['AccessDenied', 403], cloudformation: ['AccessDenied', 403], cloudwatch: ['AccessDenied', 403],
};

describe('AccessDenied on each service', () => {
  for (const service of Object.keys(SERVICES)) {
    const plan = PLANS.find((p) => p.service === service && !p.deps?.length && !p.optIn) ?? PLANS.find((p) => p.service === service && !p.optIn)!;
    it(`${service}: ${plan.key} denied → gap naming ${plan.key}`, async () => {
      const [code, status] = DENIED[service] ?? ['AccessDeniedException', 400];
      const stub = m[service as keyof Mocks];
      stub.reset();
      stub.onAnyCommand().rejects(awsError(code, `User: arn:aws:sts::111122223333:assumed-role/eks-soc2-auditor/eks-soc2 is not authorized to perform: ${plan.key}`, status));
      if (service === 'sts') {
        // GetCallerIdentity needs no permission; a denial there still becomes a gap, not a crash.
        const { snapshot } = await run([plan.key]);
        expect(snapshot.aws.calls[plan.key]!.state).toBe('denied');
        return;
      }
      const { snapshot, problem } = await run([plan.key]);
      expect(problem).toBeUndefined();
      expect(snapshot.aws.calls[plan.key]!.state).toBe('denied');
      const g = snapshot.gaps.find((x) => x.key === plan.key)!;
      expect(g).toMatchObject({ source: 'aws', reason: 'access-denied', permission: plan.key });
      expect(g.message).toContain(plan.key);
      expect(g.fix).toContain(`grant ${plan.key}`);
    });
  }
});

describe('measure', () => {
  it('API calls of one demo-like cluster, per service (docs/aws.md)', async () => {
    await run(defaultActions());
    const perService = callsPerService(m);
    const total = Object.values(perService).reduce((a, b) => a + b, 0);
    // Printed for docs/aws.md; asserted loosely so that a plan change is noticed.
    process.stdout.write(`AWS calls per service (demo-like cluster): ${JSON.stringify(perService)} total ${total}\n`);
    expect(total).toBeGreaterThan(100);
    expect(total).toBeLessThan(250);
  });
});
