// The compact form of passing evidence (since report schema run@3; run@4 adds finding groups, run@5 index runs, see
// wire.test.ts): the engine keeps passes as resource indices, the JSON report writes them so and
// validates against the published schema, and --expand-passing gives the one-object-per-finding shape
// (run@2) with the same findings.
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ControlDefinition, ControlResult, Finding, K8sObject, RunResult } from '../../src/model/index.js';
import { decodeIndexList, defaultConfig, eachFinding, expandRun, findingTotal, fromWire, passingSample, systemFindingTotal } from '../../src/model/index.js';
import { jsonSchemas } from '../../src/model/schema.js';
import { evaluate } from '../../src/engine/index.js';
import { catalog } from '../../src/catalog/index.js';
import { demoSnapshot } from '../../src/collectors/demo/index.js';
import { renderJson } from '../../src/report/json.js';
import { makeSnapshot } from '../helpers/snapshot.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const demoRun = () => evaluate(demoSnapshot('test', NOW), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });
const json = (run: RunResult, expandPassing = false) => { let s = ''; renderJson(run, (c) => { s += c; }, { expandPassing }); return s; };

/** A control whose check passes every Deployment on two rules and fails one rule on `bad`. */
const PROBE: ControlDefinition = {
  id: 'CC5-TEST-99', title: 'probe', section: 'CC5', subheading: 'test', tsc: ['CC6.8'], owners: { primary: ['Security Team'], supporting: [] },
  automation: 'automated', severity: 'high', description: 'probe', requires: [{ anyOf: ['k8s:apps/Deployment'], what: 'Deployments' }],
  rules: {
    a: { title: 'a', level: 'required', severity: 'low' },
    b: { title: 'b', level: 'required', severity: 'medium' },
    c: { title: 'c', level: 'required', severity: 'critical' },
  },
  remediation: { summary: 'fix' }, references: [],
  check: (ev, ctx) => {
    for (const d of ev.objects('apps/Deployment')) {
      ctx.pass(d, 'a', 'a holds');
      ctx.pass(d, 'b', 'b holds');
      if (d.metadata.name === 'bad') ctx.fail(d, 'c', 'c does not hold');
      else ctx.pass(d, 'c', 'c holds');
    }
  },
};

const deployments = ['good', 'bad', 'other'].map((name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec: {} }))
  .concat([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', uid: 'uid-coredns' }, spec: {} }]);

function probeRun(): RunResult {
  return evaluate(makeSnapshot({ k8s: deployments as K8sObject[] }), [PROBE], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });
}

const key = (f: Finding) => JSON.stringify([f.rule, f.status, f.severity, f.resource, f.source ?? null, f.message, f.system ?? false, f.waiver ?? null, f.details ?? null]);

describe('engine: passing findings are indices, not objects', () => {
  it('pass() adds the resource index to a (rule, message) group: no pass Finding, one table entry per resource', () => {
    const run = probeRun();
    const c = run.controls[0]!;
    expect(run.schema).toBe('eks-soc2/run@5');
    expect(c.findings.map((f) => [f.rule, f.status, f.resource.name])).toEqual([['c', 'fail', 'bad']]);
    expect(run.resources!.map((r) => `${r.namespace}/${r.name}`)).toEqual(['shop/good', 'shop/bad', 'shop/other', 'kube-system/coredns']);
    expect(c.passed).toEqual([
      { rule: 'a', status: 'pass', message: 'a holds', resources: [0, 1, 2], system: [3] },
      { rule: 'b', status: 'pass', message: 'b holds', resources: [0, 1, 2], system: [3] },
      { rule: 'c', status: 'pass', message: 'c holds', resources: [0, 2], system: [3] },
    ]);
    // Counts are what they were: every pass counted, system ones apart.
    expect(c.counts.pass).toBe(8);
    expect(c.systemCounts.pass).toBe(3);
    expect(c.counts.fail).toBe(1);
    expect(findingTotal(c)).toBe(12);
    expect(systemFindingTotal(c)).toBe(3);
  });

  it('eachFinding makes the old objects: severity from the rule, resource ref without source, system flag', () => {
    const run = probeRun();
    const c = run.controls[0]!;
    const all = [...eachFinding(run, c)];
    expect(all).toHaveLength(12);
    const a0 = all.find((f) => f.rule === 'a' && f.resource.name === 'good')!;
    expect(a0).toEqual({ rule: 'a', status: 'pass', severity: 'low', resource: { provider: 'kubernetes', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'good', uid: 'uid-good' }, message: 'a holds' });
    expect(all.filter((f) => f.system).map((f) => f.resource.name)).toEqual(['coredns', 'coredns', 'coredns']);
    expect([...eachFinding(run, c, { passing: false })]).toEqual(c.findings);
    expect([...eachFinding(run, c, { system: 'only' })]).toHaveLength(3);
    // A sample spreads over the rules and never takes a system resource.
    expect(passingSample(run, c, 3).map((f) => `${f.rule}:${f.resource.name}`)).toEqual(['a:good', 'b:good', 'c:good']);
    expect(passingSample(run, c, 100)).toHaveLength(c.counts.pass);
  });

  it('a pass with details or after a value unknown before apply stays a full finding', () => {
    const control: ControlDefinition = { ...PROBE, id: 'CC5-TEST-98', check: (ev, ctx) => {
      for (const d of ev.objects('apps/Deployment')) ctx.pass(d, 'a', 'a holds', { why: d.metadata.name ?? '' });
    } };
    const run = evaluate(makeSnapshot({ k8s: deployments as K8sObject[] }), [control], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });
    const c = run.controls[0]!;
    expect(c.passed).toEqual([]);
    expect(c.findings.map((f) => f.details)).toEqual([{ why: 'good' }, { why: 'bad' }, { why: 'other' }, { why: 'coredns' }]);
  });
});

describe('JSON report run@5 and --expand-passing (run@2 shape)', () => {
  it('run@5 of the demo validates against the published report schema', () => {
    const run = demoRun();
    const parsed = JSON.parse(json(run)) as RunResult;
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(jsonSchemas().report as object);
    expect(validate(parsed), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(parsed.schema).toBe('eks-soc2/run@5');
    expect(parsed.resources!.length).toBeGreaterThan(10);
    expect(parsed.controls.some((c) => (c.passed ?? []).length > 0)).toBe(true);
    // No passing finding is written as an object.
    for (const c of parsed.controls) for (const f of c.findings) if (f.status === 'pass' || f.status === 'not-applicable') expect(f.details ?? f.severity).toBeDefined();
    // Every index points into the table (run@5 lists are decoded first: they hold runs).
    for (const c of parsed.controls) for (const g of c.passed ?? []) for (const i of [...decodeIndexList(g.resources, 'r'), ...decodeIndexList(g.system ?? [], 's')]) expect(parsed.resources![i]).toBeDefined();
  });

  it('--expand-passing writes run@2: one object per finding, the same findings, counts and verdicts; it validates too', () => {
    const run = demoRun();
    const compact = fromWire(JSON.parse(json(run)) as RunResult);
    const expanded = JSON.parse(json(run, true)) as RunResult;
    expect(expanded.schema).toBe('eks-soc2/run@2');
    expect(expanded.resources).toBeUndefined();
    expect(JSON.parse(JSON.stringify(expandRun(run)))).toEqual(expanded);
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(jsonSchemas().report as object);
    expect(validate(expanded), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    let passes = 0;
    for (const [i, c] of expanded.controls.entries()) {
      const cc = compact.controls[i]! as ControlResult;
      expect(c.passed).toBeUndefined();
      expect({ ...c, findings: undefined }).toEqual({ ...cc, findings: undefined, passed: undefined });
      // The same findings as the compact one read through the accessor, as a multiset.
      expect(c.findings.map(key).sort()).toEqual([...eachFinding(compact, cc)].map(key).sort());
      // And as many as the counts say.
      const n = Object.values(c.counts).reduce((a, b) => a + b, 0) + Object.values(c.systemCounts).reduce((a, b) => a + b, 0);
      expect(c.findings).toHaveLength(n);
      passes += c.findings.filter((f) => f.status === 'pass').length;
    }
    expect(passes).toBe(run.summary.findings.pass + run.controls.reduce((a, c) => a + c.systemCounts.pass, 0));
    expect(passes).toBeGreaterThan(0);
  });

  it('the compact report is smaller than the expanded one', () => {
    const run = demoRun();
    expect(json(run).length).toBeLessThan(json(run, true).length);
  });

  it('a run@2 result is written as it is (no resources, its own schema)', () => {
    const old = expandRun(demoRun());
    expect(JSON.parse(json(old))).toEqual(JSON.parse(JSON.stringify(old)));
    expect(JSON.parse(json(old, true))).toEqual(JSON.parse(JSON.stringify(old)));
  });
});
