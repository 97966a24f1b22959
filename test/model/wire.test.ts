// The run@4 wire form (src/model/wire.ts): findings that are not passes are written as groups of
// identical findings by resource index, and read back as the same Finding objects.
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ControlResult, Finding, K8sObject, RunResource, RunResult } from '../../src/model/index.js';
import { defaultConfig, eachFinding, expandRun, fromWire, toWire } from '../../src/model/index.js';
import type { FindingGroup, WireRunResult } from '../../src/model/index.js';
import { jsonSchemas } from '../../src/model/schema.js';
import { evaluate } from '../../src/engine/index.js';
import { catalog } from '../../src/catalog/index.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { renderJson } from '../../src/report/json.js';
import { makeSnapshot } from '../helpers/snapshot.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const demoRun = () => evaluate(demoSnapshot('test', NOW), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW, ...demoPolicies(NOW) });
const json = (run: RunResult, expandPassing = false) => { let s = ''; renderJson(run, (c) => { s += c; }, { expandPassing }); return s; };
const roundTrip = (run: RunResult) => fromWire(JSON.parse(JSON.stringify(toWire(run))) as WireRunResult);
const body = (f: Finding) => JSON.stringify([f.rule, f.status, f.severity, f.message, f.waiver ?? null, f.details ?? null]);

/** The order expanding a control's groups gives: group by group (first appearance), counted before system, finding order within. */
function groupedOrder(findings: readonly Finding[]): Finding[] {
  const groups = new Map<string, { counted: Finding[]; system: Finding[] }>();
  for (const f of findings) {
    let g = groups.get(body(f));
    if (!g) { g = { counted: [], system: [] }; groups.set(body(f), g); }
    (f.system ? g.system : g.counted).push(f);
  }
  return [...groups.values()].flatMap((g) => [...g.counted, ...g.system]);
}

/** A bare run@4 of one control whose findings are given (no engine), with a resource table. */
function syntheticRun(findings: Finding[], resources: RunResource[] = []): RunResult {
  const run = demoRun();
  const c: ControlResult = { ...run.controls[0]!, findings, passed: [] };
  return { ...run, resources, controls: [c] };
}

const pod = (name: string, ns = 'shop') => ({ provider: 'kubernetes' as const, apiVersion: 'v1', kind: 'Pod', namespace: ns, name, uid: `uid-${name}` });
const fail = (name: string, extra: Partial<Finding> = {}): Finding => ({ rule: 'r', status: 'fail', severity: 'high', resource: pod(name), message: 'bad', ...extra });

describe('toWire / fromWire', () => {
  it('the demo round-trips: the same findings per control (waivers, details, system flags, sources), in group order', () => {
    const run = demoRun();
    const back = roundTrip(run);
    let groups = 0;
    let findings = 0;
    let waived = 0;
    let system = 0;
    const wire = toWire(run) as WireRunResult;
    for (const [i, c] of run.controls.entries()) {
      expect(back.controls[i]!.findings).toEqual(groupedOrder(c.findings));
      expect(back.controls[i]!.passed).toEqual(c.passed);
      groups += wire.controls[i]!.findings.length;
      findings += c.findings.length;
      waived += c.findings.filter((f) => f.waiver).length;
      system += c.findings.filter((f) => f.system).length;
    }
    // The demo has what the round trip must keep, and grouping groups.
    expect(waived).toBeGreaterThan(0);
    expect(system).toBeGreaterThan(0);
    expect(groups).toBeLessThan(findings);
    // The passes are read from the same table (it only grew).
    expect(back.resources!.slice(0, run.resources!.length)).toEqual(run.resources);
    for (const [i, c] of run.controls.entries()) expect([...eachFinding(back, back.controls[i]!, { passing: true })].length).toBe([...eachFinding(run, c)].length);
  });

  it('writing a read run again gives the same text; the in-memory run is not changed', () => {
    const run = demoRun();
    const before = JSON.stringify(run);
    const text = JSON.stringify(toWire(run));
    expect(JSON.stringify(run)).toBe(before);
    expect(JSON.stringify(toWire(fromWire(JSON.parse(text) as WireRunResult)))).toBe(text);
  });

  it('N identical findings on N resources are one group of N indices, in finding order; system ones apart', () => {
    const names = ['p3', 'p1', 'p2', 'p0'];
    const findings = names.map((n) => fail(n));
    findings.push({ ...fail('coredns'), resource: pod('coredns', 'kube-system'), system: true });
    const wire = toWire(syntheticRun(findings)) as WireRunResult;
    const g = wire.controls[0]!.findings;
    expect(g).toHaveLength(1);
    expect(g[0]).toEqual({ rule: 'r', status: 'fail', severity: 'high', message: 'bad', resources: [0, 1, 2, 3], system: [4] });
    expect(wire.resources!.map((r) => r.name)).toEqual([...names, 'coredns']);
    expect(roundTrip(syntheticRun(findings)).controls[0]!.findings).toEqual(findings);
  });

  it('findings that differ in anything but the resource are separate groups (status, severity, message, waiver, details)', () => {
    const w = { id: 'W', reason: 'x', approvedBy: 'y', expires: '2027-01-01' };
    const findings = [
      fail('a'), fail('b', { severity: 'low' }), fail('c', { message: 'worse' }), fail('d', { status: 'warn' }),
      fail('e', { status: 'waived', waiver: w }), fail('f', { details: { n: 1 } }), fail('g', { details: { n: 2 } }), fail('h'),
    ];
    const wire = toWire(syntheticRun(findings)) as WireRunResult;
    expect(wire.controls[0]!.findings.map((g: FindingGroup) => g.resources.length)).toEqual([2, 1, 1, 1, 1, 1, 1]);
    expect(roundTrip(syntheticRun(findings)).controls[0]!.findings).toEqual(groupedOrder(findings));
  });

  it('a finding whose source is not its table entry\'s keeps it (its own table entry); so does one without a source', () => {
    const table: RunResource[] = [{ ...pod('x'), source: { file: 'a.yaml', line: 1 } }];
    const findings = [
      fail('x', { source: { file: 'a.yaml', line: 1 } }), // the table's entry
      fail('x', { source: { file: 'b.yaml', line: 7 } }), // same resource, another source
      fail('x'), // same resource, no source
      fail('y', { source: { file: 'c.yaml', line: 3 } }), // not in the table yet
    ];
    const wire = toWire(syntheticRun(findings, table)) as WireRunResult;
    expect(wire.controls[0]!.findings).toHaveLength(1);
    expect(wire.controls[0]!.findings[0]!.resources).toEqual([0, 1, 2, 3]);
    expect(wire.resources).toEqual([
      table[0], { ...pod('x'), source: { file: 'b.yaml', line: 7 } }, pod('x'), { ...pod('y'), source: { file: 'c.yaml', line: 3 } },
    ]);
    const back = roundTrip(syntheticRun(findings, table)).controls[0]!.findings;
    expect(back).toEqual(findings);
    expect(back[2]!.source).toBeUndefined();
  });

  it('results of earlier schemas are written and read as they are', () => {
    const old = expandRun(demoRun());
    expect(toWire(old)).toBe(old);
    expect(fromWire(old)).toBe(old);
  });
});

describe('JSON report run@4', () => {
  it('validates against the report schema; its findings are groups; the in-memory shape under run@4 does not validate', () => {
    const run = demoRun();
    const parsed = JSON.parse(json(run)) as WireRunResult;
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(jsonSchemas().report as object);
    expect(validate(parsed), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(parsed.schema).toBe('eks-soc2/run@4');
    expect(parsed.controls.flatMap((c) => c.findings).every((g) => Array.isArray(g.resources))).toBe(true);
    for (const c of parsed.controls) for (const g of c.findings) for (const i of [...g.resources, ...(g.system ?? [])]) expect(parsed.resources![i]).toBeDefined();
    expect(validate({ ...parsed, controls: run.controls })).toBe(false);
    // The report is the wire form, byte for byte what toWire gives.
    expect(parsed).toEqual(JSON.parse(JSON.stringify(toWire(run))));
  });

  it('--expand-passing equals the run@4 report read back and expanded (every finding one object)', () => {
    const run = demoRun();
    const expanded = JSON.parse(json(run, true)) as RunResult;
    const back = fromWire(JSON.parse(json(run)) as WireRunResult);
    const fromReport = JSON.parse(JSON.stringify(expandRun(back))) as RunResult;
    expect(expanded.schema).toBe('eks-soc2/run@2');
    expect(fromReport.schema).toBe('eks-soc2/run@2');
    for (const [i, c] of expanded.controls.entries()) {
      const r = fromReport.controls[i]!;
      expect({ ...r, findings: undefined }).toEqual({ ...c, findings: undefined });
      // The non-pass findings come back in group order; the passes after them, as before.
      const n = run.controls[i]!.findings.length;
      expect(r.findings.slice(0, n)).toEqual(JSON.parse(JSON.stringify(groupedOrder(c.findings.slice(0, n)))));
      expect(r.findings.slice(n)).toEqual(c.findings.slice(n));
    }
  });
});

describe('report size', () => {
  /** N identical pods that fail the same rules: only their names differ. */
  const pods = (n: number) => Array.from({ length: n }, (_v, i): K8sObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${String(i).padStart(4, '0')}`, namespace: 'shop', uid: `uid-${String(i).padStart(4, '0')}` },
    spec: { containers: [{ name: 'web', image: 'nginx:latest', securityContext: { privileged: true, allowPrivilegeEscalation: true } }] },
  } as K8sObject));
  const scan = (n: number) => evaluate(makeSnapshot({ k8s: pods(n) }), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });

  it('each extra identical failing pod adds its table entry and an index per finding, not a finding object', () => {
    const [small, large] = [scan(50), scan(150)];
    const nonPass = (run: RunResult) => run.controls.reduce((n, c) => n + c.findings.length, 0);
    const perPodFindings = (nonPass(large) - nonPass(small)) / 100;
    expect(perPodFindings).toBeGreaterThanOrEqual(5); // the pods fail several rules each
    const table = (run: RunResult) => JSON.stringify(toWire(run).resources).length;
    const entry = (table(large) - table(small)) / 100;
    expect(entry).toBeGreaterThan(90); // one pod's entry: {"provider":"kubernetes","apiVersion":"v1",…}
    const growth = (json(large).length - json(small).length) / 100;
    const allFindings = (run: RunResult) => run.controls.reduce((n, c) => n + [...eachFinding(run, c)].length, 0);
    const perPodAll = (allFindings(large) - allFindings(small)) / 100;
    // Its table entry plus at most 6 bytes (an index and a comma, or a newline and indent) per finding, passes included.
    expect(growth).toBeLessThanOrEqual(entry + 6 * perPodAll);
    // A failing finding written as an object (run@3) would cost far more per pod.
    const findingObject = JSON.stringify(large.controls.flatMap((c) => c.findings)[0]).length;
    expect(growth).toBeLessThan(entry + findingObject);
    // And the number of groups does not grow with the pods.
    const groups = (run: RunResult) => (toWire(run) as WireRunResult).controls.reduce((n, c) => n + c.findings.length, 0);
    expect(groups(large)).toBe(groups(small));
  });
});
