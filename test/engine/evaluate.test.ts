import { describe, expect, it } from 'vitest';
import type { ControlDefinition, Waiver } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate, selectControls, score } from '../../src/engine/index.js';
import { defineControl } from '../../src/catalog/define.js';
import { makeSnapshot } from '../helpers/snapshot.js';

const now = new Date('2026-11-26T12:00:00Z');

/** A toy control: every Pod fails rule `no-latest` when its image ends in :latest. */
function podControl(over: Partial<ControlDefinition> = {}): ControlDefinition {
  return defineControl({
    id: 'CC5-HARD-99', title: 'toy', section: 'CC5', under: 'hardening', tsc: ['CC6.8'], automation: 'automated', severity: 'high',
    description: 'toy', requires: [{ anyOf: ['k8s:core/Pod'], what: 'pods' }],
    remediation: { summary: 'fix it' }, references: [],
    check(ev, ctx) {
      for (const p of ev.objects('core/Pod')) {
        const img = String(((p.spec as { containers?: { image?: string }[] }).containers ?? [])[0]?.image ?? '');
        if (img.endsWith(':latest')) ctx.fail(p, 'no-latest', 'latest tag');
        else ctx.pass(p, 'no-latest', 'pinned');
      }
    },
    ...over,
  } as Parameters<typeof defineControl>[0]);
}

const pods = `
apiVersion: v1
kind: Pod
metadata: { name: a, namespace: team-a, labels: { tier: web } }
spec: { containers: [{ name: c, image: "x:latest" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: b, namespace: team-b }
spec: { containers: [{ name: c, image: "x:latest" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: s, namespace: kube-system }
spec: { containers: [{ name: c, image: "x:latest" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: ok, namespace: team-a }
spec: { containers: [{ name: c, image: "x:1" }] }
`;

const run = (controls: ControlDefinition[], extra: Partial<Parameters<typeof evaluate>[2]> = {}, k8s = pods) =>
  evaluate(makeSnapshot({ k8s }), controls, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, ...extra });

const waiver = (over: Partial<Waiver>): Waiver => ({ id: 'W1', control: 'CC5-HARD-99', reason: 'accepted', approvedBy: 'ciso', expires: '2027-01-01', ...over });

describe('roll-up', () => {
  it('fails on a non-system failure and keeps system findings out of the counts', () => {
    const c = run([podControl()]).controls[0]!;
    expect(c.status).toBe('fail');
    expect(c.counts).toMatchObject({ fail: 2, pass: 1 });
    expect(c.systemCounts.fail).toBe(1);
    expect(c.findings.find((f) => f.resource.name === 's')?.system).toBe(true);
    expect(c.failSeverity).toBe('high');
  });

  it('a check can count a system-namespace object that is its own evidence (system: false)', () => {
    const addon = podControl({ check: (ev, ctx) => { for (const p of ev.objects('core/Pod')) if (p.metadata.namespace === 'kube-system') ctx.fail(p, 'agent-health', 'agent not ready', { system: false }); } });
    const c = run([addon]).controls[0]!;
    expect(c.status).toBe('fail');
    expect(c.findings[0]!.resource.namespace).toBe('kube-system');
    expect(c.findings[0]!.system).toBeUndefined();
  });

  it('is not-applicable when only system namespaces are in scope, never pass', () => {
    const c = run([podControl()], {}, `
apiVersion: v1
kind: Pod
metadata: { name: s, namespace: kube-system }
spec: { containers: [{ name: c, image: "x:1" }] }
`).controls[0]!;
    expect(c.status).toBe('not-applicable');
    expect(c.message).toMatch(/system findings reported separately/);
  });

  it('an automated control without a check is an error, not a pass', () => {
    const c = run([podControl({ check: undefined })]).controls[0]!;
    expect(c.status).toBe('error');
  });

  it('a check that throws becomes an error naming the problem', () => {
    const c = run([podControl({ check: () => { throw new Error('boom'); } })]).controls[0]!;
    expect(c.status).toBe('error');
    expect(c.message).toMatch(/boom/);
  });

  it('a check reading evidence it did not declare is an error (collectors would not have fetched it)', () => {
    const c = run([podControl({ check: (ev) => { ev.objects('apps/Deployment'); } })]).controls[0]!;
    expect(c.status).toBe('error');
    expect(c.message).toMatch(/does not declare/);
  });

  it('missing evidence: the check is not run and the control is an error', () => {
    const snap = makeSnapshot({ k8s: [], complete: false });
    const r = evaluate(snap, [podControl()], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now });
    expect(r.controls[0]!.status).toBe('error');
    expect(r.controls[0]!.message).toMatch(/evidence not collected: pods/);
  });

  it('a complete inventory without pods makes the kind absent: nothing to evaluate', () => {
    const r = evaluate(makeSnapshot({ k8s: [], complete: true }), [podControl()], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now });
    expect(r.controls[0]!.status).toBe('not-applicable');
  });

  it('alternative proofs: a pass from a readable source stands, any other verdict becomes an error', () => {
    const alt = (verdict: 'pass' | 'fail') => podControl({
      requires: [{ anyOf: ['k8s:core/Pod', 'k8s:apps/DaemonSet'], what: 'the agent', alternatives: true }],
      check: (ev, ctx) => { for (const p of ev.objects('core/Pod')) (verdict === 'pass' ? ctx.pass : ctx.fail)(p, 'r', verdict); },
    });
    const ev = (c: ControlDefinition) => evaluate(makeSnapshot({ k8s: pods, kinds: { 'apps/DaemonSet': 'denied' } }), [c], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now }).controls[0]!;
    const passed = ev(alt('pass'));
    expect(passed.status).toBe('pass');
    expect(passed.notes.join(' ')).toMatch(/not readable: the agent/);
    const failed = ev(alt('fail'));
    expect(failed.status).toBe('error');
    // Each failure seen with the other proof unreadable is a rule not evaluated on that resource.
    expect(failed.findings.filter((f) => f.status === 'error' && !f.system).length).toBe(3);
    expect(failed.findings.find((f) => f.status === 'error')!.message).toMatch(/^not evaluated: the agent: .*DaemonSet.*\(with what was read: fail\)/);
    expect(failed.counts.fail).toBe(0);
    // Without `alternatives`, the keys are parts of one inventory: a denied part is an error even when the rest passes.
    const union = podControl({ requires: [{ anyOf: ['k8s:core/Pod', 'k8s:apps/DaemonSet'], what: 'the agent' }], check: (e, ctx) => { for (const p of e.objects('core/Pod')) ctx.pass(p, 'r', 'ok'); } });
    expect(ev(union).status).toBe('error');
  });

  it('evidence denied and the check errs on what it could read: the missing evidence leads the message, the check\'s reason is a note', () => {
    const c = podControl({
      requires: [{ anyOf: ['k8s:core/Pod', 'k8s:apps/DaemonSet'], what: 'the agent' }],
      check: (_ev, ctx) => { ctx.error('no agent DaemonSet in the cluster'); },
    });
    const r = evaluate(makeSnapshot({ k8s: pods, kinds: { 'apps/DaemonSet': 'denied' } }), [c], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now }).controls[0]!;
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/^evidence incomplete: the agent/);
    expect(r.message).not.toContain('no agent DaemonSet');
    expect(r.notes.join(' ')).toMatch(/the check reported: no agent DaemonSet in the cluster/);
  });

  it('partial control: passing automated part asks for an attestation, an attestation makes it pass', () => {
    const partial = podControl({ automation: 'partial', attestation: 'quarterly review signed', check: (ev, ctx) => { for (const p of ev.objects('core/Pod')) ctx.pass(p, 'r', 'ok'); } });
    expect(run([partial]).controls[0]!.status).toBe('manual');
    const attested = run([partial], { attestations: [{ control: 'CC5-HARD-99', statement: 's', attestedBy: 'auditor', date: '2026-10-01', validUntil: '2027-01-01' }] }).controls[0]!;
    expect(attested.status).toBe('pass');
    expect(attested.attestation?.attestedBy).toBe('auditor');
  });

  it('manual control without a check: manual until attested; expired or future attestations are reported and ignored', () => {
    const manual = podControl({ automation: 'manual', check: undefined, requires: [] });
    expect(run([manual]).controls[0]!.status).toBe('manual');
    const r = run([manual], {
      attestations: [
        { control: 'CC5-HARD-99', statement: 's', attestedBy: 'a', date: '2025-01-01', validUntil: '2026-01-01' },
        { control: 'CC5-HARD-99', statement: 's', attestedBy: 'b', date: '2027-01-01', validUntil: '2028-01-01' },
        { control: 'CC9-NOPE-01', statement: 's', attestedBy: 'c', date: '2026-01-01', validUntil: '2028-01-01' },
      ],
    });
    expect(r.controls[0]!.status).toBe('manual');
    expect(r.attestations.issues.map((i) => i.problem).sort()).toEqual(['expired', 'not-yet-valid', 'unknown-control']);
  });
});

describe('waivers', () => {
  it('waives matching failures (namespace glob) and leaves the rest failing', () => {
    const c = run([podControl()], { waivers: [waiver({ resources: { namespace: 'team-*', name: 'a' } })] }).controls[0]!;
    expect(c.status).toBe('fail');
    expect(c.findings.find((f) => f.resource.name === 'a')?.status).toBe('waived');
    expect(c.findings.find((f) => f.resource.name === 'a')?.waiver?.id).toBe('W1');
    expect(c.findings.find((f) => f.resource.name === 'b')?.status).toBe('fail');
  });

  it('all failures waived → waived, with the waiver listed on the control', () => {
    const c = run([podControl()], { waivers: [waiver({ resources: { kind: 'Pod' } })] }).controls[0]!;
    expect(c.status).toBe('waived');
    expect(c.waivers.map((w) => w.id)).toEqual(['W1']);
  });

  it('matches labels, and a wrong rule does not match', () => {
    const byLabel = run([podControl()], { waivers: [waiver({ resources: { labels: { tier: 'w*' } } })] }).controls[0]!;
    expect(byLabel.findings.filter((f) => f.status === 'waived').map((f) => f.resource.name)).toEqual(['a']);
    const wrongRule = run([podControl()], { waivers: [waiver({ rule: 'other-rule' })] });
    expect(wrongRule.controls[0]!.counts.waived).toBe(0);
    expect(wrongRule.waivers.issues.map((i) => i.problem)).toEqual(['unused']);
  });

  it('expired, unknown-control and unreadable-expiry waivers are reported and not applied', () => {
    const r = run([podControl()], {
      waivers: [
        waiver({ id: 'OLD', expires: '2026-11-25' }),
        waiver({ id: 'NOPE', control: 'CC9-XXX-01' }),
        waiver({ id: 'BAD', expires: 'soon' }),
      ],
    });
    expect(r.controls[0]!.counts.waived).toBe(0);
    expect(r.waivers.issues.map((i) => `${i.id}:${i.problem}`).sort()).toEqual(['BAD:invalid', 'NOPE:unknown-control', 'OLD:expired']);
  });

  it('a waiver expiring today is still in force until the end of the day (UTC)', () => {
    const r = run([podControl()], { waivers: [waiver({ expires: '2026-11-26', resources: { kind: 'Pod' } })] });
    expect(r.controls[0]!.status).toBe('waived');
  });
});

describe('selection and summary', () => {
  it('selects by control id and section, case-insensitively', () => {
    const a = podControl();
    const b = podControl({ id: 'CC6-NET-99', section: 'CC6' } as Partial<ControlDefinition>);
    expect(selectControls([a, b], { controls: ['cc6-net-99'] }).map((c) => c.id)).toEqual(['CC6-NET-99']);
    expect(selectControls([a, b], { sections: ['cc5'] }).map((c) => c.id)).toEqual(['CC5-HARD-99']);
  });

  it('score counts pass and waived over applicable controls', () => {
    expect(score({ pass: 2, waived: 1, fail: 1, manual: 0, error: 0, 'not-applicable': 5 })).toBe(75);
    expect(score({ pass: 0, waived: 0, fail: 0, manual: 0, error: 0, 'not-applicable': 3 })).toBe(100);
    const r = run([podControl()]);
    expect(r.summary.controls.fail).toBe(1);
    expect(r.summary.bySection.CC5?.fail).toBe(1);
    expect(r.summary.byTsc['CC6.8']?.fail).toBe(1);
  });
});

/**
 * The verdict contract (issue 13): required rules fail controls, recommended ones warn; a rule whose
 * evidence was not read is not evaluated; a proven failure is never hidden by missing evidence.
 */
describe('verdicts follow the evidence that was read', () => {
  const awsCluster = (over: Partial<ControlDefinition> = {}) => podControl({
    requires: [{ anyOf: ['k8s:core/Pod'], what: 'pods' }, { anyOf: ['aws:eks:DescribeCluster'], what: 'the EKS cluster description' }],
    rules: {
      'no-latest': { title: 'pinned images', severity: 'high', level: 'required', evidence: [] },
      'cluster-logs': { title: 'cluster logs', severity: 'high', level: 'required', evidence: ['aws:eks:DescribeCluster'] },
      'pinned-digest': { title: 'digests', severity: 'low', level: 'recommended', evidence: [] },
    },
    check(ev, ctx) {
      for (const p of ev.objects('core/Pod')) {
        const img = String(((p.spec as { containers?: { image?: string }[] }).containers ?? [])[0]?.image ?? '');
        if (img.endsWith(':latest')) ctx.fail(p, 'no-latest', 'latest tag'); else ctx.pass(p, 'no-latest', 'pinned');
        if (!img.includes('@sha256:')) ctx.fail(p, 'pinned-digest', 'no digest');
      }
      // A careless check: concludes from an empty list. The engine must drop it when the evidence was not read.
      if (ev.aws('eks:DescribeCluster').length === 0) ctx.fail({ provider: 'aws', kind: 'AWS::EKS::Cluster', name: 'prod' }, 'cluster-logs', 'the cluster does not exist');
      else ctx.pass({ provider: 'aws', kind: 'AWS::EKS::Cluster', name: 'prod' }, 'cluster-logs', 'logs on');
    },
    ...over,
  });
  const snap = (k8s: string, aws: 'denied' | 'read') => makeSnapshot({
    k8s,
    ...(aws === 'denied' ? { awsCalls: { 'eks:DescribeCluster': 'denied' } } : { aws: [{ service: 'eks', operation: 'DescribeCluster', output: { cluster: { name: 'prod' } } }] }),
  } as Parameters<typeof makeSnapshot>[0]);
  const evalOne = (k8s: string, aws: 'denied' | 'read', c = awsCluster(), extra: Partial<Parameters<typeof evaluate>[2]> = {}) =>
    evaluate(snap(k8s, aws), [c], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, ...extra }).controls[0]!;
  const good = `
apiVersion: v1
kind: Pod
metadata: { name: ok, namespace: team-a }
spec: { containers: [{ name: c, image: "x:1" }] }
`;

  it('a failing recommended rule is a warning: the control passes, the warning is counted and shown', () => {
    const c = evalOne(good, 'read');
    expect(c.status).toBe('pass');
    expect(c.counts.warn).toBe(1);
    expect(c.findings.find((f) => f.rule === 'pinned-digest')!.status).toBe('warn');
    expect(c.message).toMatch(/1 warning/);
    expect(c.rules.find((r) => r.id === 'pinned-digest')!.level).toBe('recommended');
    expect(c.failSeverity).toBeUndefined();
  });

  it('a required failure on evidence that was read fails the control even when other evidence is missing', () => {
    const c = evalOne(pods, 'denied');
    expect(c.status).toBe('fail');
    expect(c.counts.fail).toBe(2);
    expect(c.notes.join(' ')).toMatch(/failing on the evidence that was read; not evaluated .*the EKS cluster description/);
    expect(c.unevaluated).toEqual([expect.objectContaining({ rule: 'cluster-logs', level: 'required' })]);
  });

  it('what a check concludes without the rule\'s evidence is dropped: no pass, no fail, no statement about it', () => {
    const c = evalOne(good, 'denied');
    expect(c.status).toBe('error');
    expect(c.findings.some((f) => f.rule === 'cluster-logs')).toBe(false);
    expect(JSON.stringify(c)).not.toMatch(/does not exist/);
    expect(c.message).toMatch(/evidence incomplete: the EKS cluster description/);
    expect(c.unevaluated[0]!.reason).toMatch(/eks:DescribeCluster/);
  });

  it('a rule not evaluated on one resource is an error finding; the control is error unless a required rule failed', () => {
    const c = evalOne(good, 'read', awsCluster({
      check(ev, ctx) {
        for (const p of ev.objects('core/Pod')) ctx.unevaluated('no-latest', 'the image value is unknown before apply', p);
        ctx.pass({ provider: 'aws', kind: 'AWS::EKS::Cluster', name: 'prod' }, 'cluster-logs', 'on');
      },
    }));
    expect(c.status).toBe('error');
    const e = c.findings.find((f) => f.status === 'error')!;
    expect(e.message).toBe('not evaluated: the image value is unknown before apply');
    expect(c.counts.error).toBe(1);
    const failing = evalOne(pods, 'read', awsCluster({
      check(ev, ctx) {
        ctx.unevaluated('cluster-logs', 'the KMS key could not be described');
        for (const p of ev.objects('core/Pod')) ctx.fail(p, 'no-latest', 'latest');
      },
    }));
    expect(failing.status).toBe('fail');
    expect(failing.unevaluated).toEqual([{ rule: 'cluster-logs', level: 'required', reason: 'the KMS key could not be described' }]);
  });

  it('a recommended rule not evaluated is a note, never an error', () => {
    const c = evalOne(good, 'read', awsCluster({
      check(ev, ctx) {
        for (const p of ev.objects('core/Pod')) ctx.pass(p, 'no-latest', 'pinned');
        ctx.pass({ provider: 'aws', kind: 'AWS::EKS::Cluster', name: 'prod' }, 'cluster-logs', 'on');
        ctx.unevaluated('pinned-digest', 'registry not read');
      },
    }));
    expect(c.status).toBe('pass');
    expect(c.notes.join(' ')).toMatch(/recommended rule pinned-digest not evaluated: registry not read/);
  });

  it('a rule of the missing inventory is listed as not evaluated even when the check never mentions it; one on optional evidence is the check\'s call', () => {
    const quiet = podControl({
      requires: [{ anyOf: ['k8s:core/Pod'], what: 'pods' }, { anyOf: ['aws:eks:DescribeCluster'], what: 'the EKS cluster description' }],
      optional: ['aws:ecr:DescribeRegistry'],
      rules: {
        'no-latest': { title: 'pinned images', severity: 'high', level: 'required', evidence: [] },
        'cluster-logs': { title: 'cluster logs', severity: 'high', level: 'required', evidence: ['aws:eks:DescribeCluster'] },
        'enhanced-only': { title: 'only with enhanced scanning', severity: 'high', level: 'required', evidence: ['aws:ecr:DescribeRegistry'] },
      },
      check(ev, ctx) { for (const p of ev.objects('core/Pod')) ctx.pass(p, 'no-latest', 'pinned'); },
    });
    const c = evalOne(good, 'denied', quiet);
    expect(c.unevaluated.map((u) => u.rule)).toEqual(['cluster-logs']);
    expect(c.status).toBe('error');
    expect(evalOne(good, 'read', quiet).status).toBe('pass');
  });

  it('complete(): a live or --complete-inventory read is the whole inventory, a loose set of manifests is not', () => {
    const seen: boolean[] = [];
    const probe = podControl({ check(ev) { seen.push(ev.complete('k8s:core/Pod')); } });
    const at = (complete: boolean, source: 'files' | 'live') => {
      const snap = makeSnapshot({ k8s: good, complete });
      snap.kubernetes.source = source;
      evaluate(snap, [probe], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now });
    };
    at(false, 'files');
    at(true, 'files');
    at(false, 'live');
    expect(seen).toEqual([false, true, true]);
  });

  it('canEvaluate tells a check which rules will count', () => {
    const seen: Record<string, boolean> = {};
    evalOne(good, 'denied', awsCluster({ check(_ev, ctx) { for (const r of ['no-latest', 'cluster-logs', 'pinned-digest']) seen[r] = ctx.canEvaluate(r); } }));
    expect(seen).toEqual({ 'no-latest': true, 'cluster-logs': false, 'pinned-digest': true });
  });

  it('a waived warning does not make the control waived; a waived required failure does', () => {
    const w = (rule: string) => [{ id: 'W1', control: 'CC5-HARD-99', rule, reason: 'accepted', approvedBy: 'ciso', expires: '2027-01-01' }];
    const warnWaived = evalOne(good, 'read', awsCluster(), { waivers: w('pinned-digest') });
    expect(warnWaived.status).toBe('pass');
    expect(warnWaived.findings.find((f) => f.rule === 'pinned-digest')!.status).toBe('waived');
    const failWaived = evalOne(pods, 'read', awsCluster(), { waivers: w('no-latest') });
    expect(failWaived.status).toBe('waived');
  });

  it('the run summary counts warnings and the controls that have them', () => {
    const r = evaluate(snap(good, 'read'), [awsCluster()], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now });
    expect(r.summary.findings.warn).toBe(1);
    expect(r.summary.controlsWithWarnings).toBe(1);
    expect(r.summary.controls.pass).toBe(1);
  });
});
