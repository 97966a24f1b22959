import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/index.js';
import { SnapshotIndex } from '../../src/engine/evidence.js';
import { defaultConfig, emptySnapshot } from '../../src/model/index.js';
import type { AwsFact, ControlDefinition, JsonObject, Snapshot } from '../../src/model/index.js';

/** Values known only after apply (AwsFact.unknown): a check that reads one reaches no verdict from it. */

const fact = (output: Record<string, unknown>, unknown?: Record<string, string>, name = 'a'): AwsFact => ({
  service: 'logs', operation: 'DescribeLogGroups', params: { logGroupNamePrefix: name }, output: output as JsonObject, ...(unknown ? { unknown } : {}),
});

function snapshotOf(facts: AwsFact[]): Snapshot {
  const s = emptySnapshot('t');
  s.aws.source = 'terraform';
  s.aws.facts = facts;
  s.aws.calls['logs:DescribeLogGroups'] = { state: 'collected', count: facts.length, detail: 'terraform' };
  return s;
}

interface Group { logGroupName: string; retentionInDays?: number }

/** A control judging every log group on its retention (as CC4-MON-01 does). */
const retention: ControlDefinition = {
  id: 'CC4-MON-99', title: 't', section: 'CC4', subheading: 's', tsc: [], owners: { primary: [], supporting: [] }, automation: 'automated', severity: 'high',
  description: 'd', requires: [{ anyOf: ['aws:logs:DescribeLogGroups'], what: 'log groups' }], rules: { r: { title: 'r', severity: 'high', level: 'required' } },
  remediation: { summary: 's' }, references: [],
  check(ev, ctx) {
    const groups = ev.aws('logs:DescribeLogGroups').flatMap((f) => (f.output as unknown as { logGroups: Group[] }).logGroups);
    if (groups.length === 0) { ctx.notApplicable('no log group'); return; }
    for (const g of groups) {
      const ref = { provider: 'aws' as const, kind: 'AWS::Logs::LogGroup', name: g.logGroupName };
      if ((g.retentionInDays ?? Infinity) >= 365) ctx.pass(ref, 'r', 'long enough');
      else ctx.fail(ref, 'r', 'too short');
    }
  },
};

const run = (facts: AwsFact[], control = retention) => evaluate(snapshotOf(facts), [control], { config: defaultConfig(), toolVersion: 't', catalogVersion: 'c' }).controls[0]!;

describe('values known only after apply', () => {
  it('a value the check reads that is unknown is never taken as absent: the control is not evaluated (error), not passed', () => {
    const c = run([fact({ logGroups: [{ logGroupName: '/g' }] }, { 'output.logGroups.0.retentionInDays': 'known only after apply' })]);
    expect(c.status).toBe('error');
    expect(c.findings).toEqual([expect.objectContaining({ status: 'error', message: 'not evaluated: logs:DescribeLogGroups logGroups.0.retentionInDays is not known before apply (known only after apply) (with the values that are known: long enough)' })]);
  });

  it('a failure on known values reported before the unknown read stands (the control fails)', () => {
    const c = run([
      fact({ logGroups: [{ logGroupName: '/short', retentionInDays: 7 }] }, undefined, 'x'),
      fact({ logGroups: [{ logGroupName: '/g' }] }, { 'output.logGroups.0.retentionInDays': 'known only after apply' }),
    ]);
    expect(c.status).toBe('fail');
    expect(c.findings.map((f) => f.status)).toEqual(['fail', 'error']);
  });

  it('"nothing in scope" after reading an unknown value is not a verdict: not-applicable becomes error', () => {
    const c = run([fact({}, { 'output.logGroups': 'the list is known only after apply' })]);
    expect(c.status).toBe('error');
    expect(c.message).toMatch(/^not evaluated: logs:DescribeLogGroups logGroups is not known before apply/);
  });

  it('enumerating an object with an unknown member (spread, Object.entries) counts as reading it', () => {
    const spread: ControlDefinition = { ...retention, check(ev, ctx) {
      for (const f of ev.aws('logs:DescribeLogGroups')) {
        const copy = { ...(f.output as unknown as { logGroups: Group[] }).logGroups[0]! };
        ctx.pass({ provider: 'aws', kind: 'AWS::Logs::LogGroup', name: copy.logGroupName }, 'r', JSON.stringify(copy));
      }
    } };
    const c = run([fact({ logGroups: [{ logGroupName: '/g' }] }, { 'output.logGroups.0.retentionInDays': 'x' })], spread);
    expect(c.status).toBe('error');
  });

  it('a memo computed from unknown values taints every control that uses it', () => {
    const memo = (id: string): ControlDefinition => ({ ...retention, id, check(ev, ctx) {
      const days = ev.memo('days', () => ev.aws('logs:DescribeLogGroups').map((f) => (f.output as unknown as { logGroups: Group[] }).logGroups[0]!.retentionInDays));
      ctx.pass({ provider: 'aws', kind: 'AWS::Logs::LogGroup', name: '/g' }, 'r', `days ${String(days)}`);
    } });
    const snap = snapshotOf([fact({ logGroups: [{ logGroupName: '/g' }] }, { 'output.logGroups.0.retentionInDays': 'x' })]);
    const r = evaluate(snap, [memo('CC4-MON-97'), memo('CC4-MON-98')], { config: defaultConfig(), toolVersion: 't', catalogVersion: 'c' });
    expect(r.controls.map((c) => c.status)).toEqual(['error', 'error']);
  });

  it('facts without unknown values are handed to checks as they are (no proxy, no cost)', () => {
    const plain = fact({ logGroups: [] });
    const withUnknown = fact({ logGroups: [] }, { 'output.x': 'y' });
    const index = new SnapshotIndex(snapshotOf([plain, withUnknown]));
    const [a, b] = index.aws('logs:DescribeLogGroups');
    expect(a).toBe(plain);
    expect(b).not.toBe(withUnknown);
    expect(b!.output).toEqual({ logGroups: [] });
  });

  it('findings on translated resources are reported on the Terraform address and block line; stand-in ids in messages name the address', () => {
    const snap = snapshotOf([fact({ logGroups: [{ logGroupName: '/g', retentionInDays: 1 }] })]);
    snap.iac = {
      tool: 'terraform',
      resources: [{ address: 'module.eks.aws_cloudwatch_log_group.this[0]', type: 'aws_cloudwatch_log_group', cfnType: 'AWS::Logs::LogGroup', ids: ['/g'], source: { file: 'main.tf', line: 12 }, root: '.' }],
      placeholders: { 'arn:aws:kms:eu-west-1:000000000000:key/abc': 'aws_kms_key.k.arn' },
    };
    const msg: ControlDefinition = { ...retention, check(_ev, ctx) { ctx.fail({ provider: 'aws', kind: 'AWS::Logs::LogGroup', name: '/g' }, 'r', 'key arn:aws:kms:eu-west-1:000000000000:key/abc.'); } };
    const c = evaluate(snap, [msg], { config: defaultConfig(), toolVersion: 't', catalogVersion: 'c' }).controls[0]!;
    expect(c.findings[0]).toMatchObject({
      resource: { provider: 'terraform', kind: 'aws_cloudwatch_log_group', name: 'module.eks.aws_cloudwatch_log_group.this[0]' },
      source: { file: 'main.tf', line: 12 },
      message: 'key aws_kms_key.k.arn.',
    });
  });
});
