import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { evaluate } from '../../src/engine/index.js';
import { defaultConfig, emptySnapshot } from '../../src/model/index.js';
import type { Finding, K8sObject, ResourceRef } from '../../src/model/index.js';
import { kubectlPatch, materialise, planFixes, renderText } from '../../src/fix/index.js';
import { TERRAFORM_ATTRIBUTES } from '../../src/fix/terraform.js';
import { makeSnapshot } from '../helpers/snapshot.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const run = (snap: ReturnType<typeof makeSnapshot>) => evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });

describe('planFixes', () => {
  it('quotes names from the input in every command it prints (a hostile name cannot run anything)', () => {
    const evil = "shop'; rm -rf / #";
    const objects: K8sObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: evil } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: '$(id)', namespace: evil }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] } } } },
    ];
    const snap = makeSnapshot({ k8s: objects });
    snap.kubernetes.source = 'live';
    const r = run(snap);
    const plan = planFixes(r, snap, { level: 'review', config: defaultConfig() });
    const m = materialise(plan, { read: () => undefined, renderedOnly: true });
    const cmds = m.patches.map(kubectlPatch);
    expect(cmds.length).toBeGreaterThan(0);
    for (const c of cmds) {
      expect(c).toContain(`'shop'\\''; rm -rf / #'`);
      expect(c).not.toMatch(/ \$\(id\) /);
    }
    // The text output makes control characters visible.
    const bad = makeSnapshot({ k8s: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a\u001b[2Jb' } }] });
    const text = renderText(planFixes(run(bad), bad, { level: 'review', config: defaultConfig() }), materialise(planFixes(run(bad), bad, { level: 'review', config: defaultConfig() }), { read: () => undefined, renderedOnly: true }), { level: 'review', writing: false });
    expect(text).toContain('a\\u001b[2Jb');
    expect(text).not.toContain('\u001b');
  });

  it('takes warnings of recommended rules too, behind the same --rule selection, and never waived findings', () => {
    const snap = makeSnapshot({ k8s: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', namespace: 'a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }] });
    const r = run(snap);
    // Turn one failure into a warning (a recommended rule) and one into a waived finding.
    const hard03 = r.controls.find((c) => c.id === 'CC5-HARD-03')!;
    for (const f of hard03.findings) {
      if (f.rule === 'read-only-root-fs') (f as Finding).status = 'warn';
      if (f.rule === 'drop-capabilities') (f as Finding).status = 'waived';
    }
    const plan = planFixes(r, snap, { level: 'review', config: defaultConfig(), rules: ['read-only-root-fs', 'CC5-HARD-03/drop-capabilities'] });
    expect(plan.changes.map((c) => c.rule)).toEqual(['read-only-root-fs']);
  });

  it('gives Terraform findings the attribute change of their block (a decision when they come from a plan)', () => {
    const snap = emptySnapshot('t', NOW);
    const r = run(makeSnapshot({ k8s: [] }));
    const c = r.controls.find((x) => x.id === 'CC9-ENC-01')!;
    const resource = { provider: 'terraform', kind: 'aws_kms_key', name: 'aws_kms_key.secrets' } as unknown as ResourceRef;
    c.findings = [{ rule: 'key-rotation', status: 'fail', severity: 'low', resource, source: { file: 'infra/kms.tf', line: 3 }, message: 'automatic key rotation is off' }];
    const plan = planFixes(r, snap, { level: 'review', config: defaultConfig(), rules: ['CC9-ENC-01/key-rotation'] });
    expect(plan.tfChanges).toEqual([expect.objectContaining({ control: 'CC9-ENC-01', rule: 'key-rotation', file: 'infra/kms.tf', line: 3, labels: ['aws_kms_key', 'secrets'], attributes: [{ attribute: 'enable_key_rotation', value: true }], risk: 'safe' })]);
    c.findings = [{ rule: 'key-rotation', status: 'fail', severity: 'low', resource, source: { file: 'plan.json', line: 1 }, message: 'automatic key rotation is off' }];
    const fromPlan = planFixes(r, snap, { level: 'review', config: defaultConfig(), rules: ['CC9-ENC-01/key-rotation'] });
    expect(fromPlan.decisions).toEqual([expect.objectContaining({ decide: 'in aws_kms_key.secrets (plan.json:1), set enable_key_rotation = true', hint: 'enable_key_rotation = true' })]);
    // Every entry names a rule of the catalog.
    for (const key of Object.keys(TERRAFORM_ATTRIBUTES)) {
      const [control, rule] = key.split('/') as [string, string];
      expect(catalog.find((x) => x.id === control)?.rules?.[rule], key).toBeDefined();
    }
  });
});

describe('kubectl patch commands', () => {
  it('use a strategic merge patch for built-in kinds and a JSON merge patch for custom resources', () => {
    const nodeClass: K8sObject = { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: 'default' }, spec: { metadataOptions: { httpTokens: 'optional' } } };
    const deploy: K8sObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' }, spec: { revisionHistoryLimit: 0 } };
    const m = materialise({
      changes: [
        { control: 'P1-IAM-07', rule: 'nodeclass-metadata', resource: { provider: 'kubernetes', kind: 'EC2NodeClass', name: 'default' }, risk: 'review', summary: 's', object: nodeClass, ops: [{ op: 'set', path: ['spec', 'metadataOptions', 'httpTokens'], value: 'required' }] },
        { control: 'CC7-CHG-04', rule: 'revision-history', resource: { provider: 'kubernetes', kind: 'Deployment', name: 'web', namespace: 'a' }, risk: 'safe', summary: 's', object: deploy, ops: [{ op: 'delete', path: ['spec', 'revisionHistoryLimit'], orSet: 10 }] },
      ],
      tfChanges: [], newObjects: [], commands: [], decisions: [], skipped: [], uncovered: [],
    }, { read: () => undefined, renderedOnly: true });
    expect(m.patches.map(kubectlPatch)).toEqual([
      `kubectl patch ec2nodeclass.v1.karpenter.k8s.aws default --type merge -p '{"spec":{"metadataOptions":{"httpTokens":"required"}}}'`,
      `kubectl patch deployment.v1.apps web -n a --type strategic -p '{"spec":{"revisionHistoryLimit":null}}'`,
    ]);
  });
});
