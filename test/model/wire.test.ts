// The run@5 wire form (src/model/wire.ts): findings that are not passes are written as groups of
// identical findings by resource index, every index list with runs of consecutive indices, and read
// back as the same Finding objects (run@4: the same without runs).
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ControlResult, Finding, K8sObject, RunResource, RunResult } from '../../src/model/index.js';
import { decodeIndexList, defaultConfig, eachFinding, encodeIndexList, expandRun, fromWire, toWire } from '../../src/model/index.js';
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

/** A bare run@5 of one control whose findings are given (no engine), with a resource table. */
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
    // 0, 1, 2, 3 is written as a run: 0 and the three that follow.
    expect(g[0]).toEqual({ rule: 'r', status: 'fail', severity: 'high', message: 'bad', resources: [0, -3], system: [4] });
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
    expect(wire.controls[0]!.findings[0]!.resources).toEqual([0, -3]);
    expect(wire.resources).toEqual([
      table[0], { ...pod('x'), source: { file: 'b.yaml', line: 7 } }, pod('x'), { ...pod('y'), source: { file: 'c.yaml', line: 3 } },
    ]);
    const back = roundTrip(syntheticRun(findings, table)).controls[0]!.findings;
    expect(back).toEqual(findings);
    expect(back[2]!.source).toBeUndefined();
  });

  it('groups as the JSON text of [rule, status, severity, message, waiver, details] does: shared or equal but distinct strings, waivers, details, interleaved', () => {
    /** The grouping by the JSON text of the body (what the wire form is defined by): bodies and finding indices per group. */
    const reference = (findings: readonly Finding[]) => {
      const groups = new Map<string, { body: string; counted: number[]; system: number[] }>();
      findings.forEach((f, i) => {
        let g = groups.get(body(f));
        if (!g) groups.set(body(f), (g = { body: body(f), counted: [], system: [] }));
        (f.system ? g.system : g.counted).push(i);
      });
      return [...groups.values()];
    };
    // Each finding on its own resource, so that a group's indices are the findings' positions.
    const fresh = (s: string) => [...s].join(''); // equal text, another string object
    const w = { id: 'W', reason: 'x', approvedBy: 'y', expires: '2027-01-01' };
    const shared = 'runs as root';
    const specs: Partial<Finding>[] = [
      { message: shared }, { message: fresh(shared) }, { message: shared, severity: 'low' }, { message: shared, rule: 'r2' },
      { message: shared, status: 'warn' }, { message: shared, waiver: w, status: 'waived' }, { message: fresh(shared), waiver: { ...w }, status: 'waived' },
      { message: shared, details: { n: 1 } }, { message: shared, details: { n: 1 } }, { message: shared, details: { n: 2 } },
      { message: shared, system: true }, { message: fresh(shared), severity: 'low', system: true }, { message: 'other' }, { message: shared, rule: fresh('r2') },
      { message: shared, waiver: undefined, details: undefined }, { message: 'other', details: { n: 1 } }, { message: fresh('other') },
    ];
    const findings = specs.map((x, i) => fail(`p${i}`, x));
    const wire = toWire(syntheticRun(findings)) as WireRunResult;
    const decoded = wire.controls[0]!.findings.map((g: FindingGroup) => {
      const { resources, system, ...rest } = g;
      return { body: body({ ...rest, resource: pod('x') } as Finding), counted: decodeIndexList(resources, 'r'), system: decodeIndexList(system ?? [], 's') };
    });
    expect(decoded).toEqual(reference(findings));
    expect(decoded).toHaveLength(9);
    // And on every control of the demo (real messages, waivers and details): the same groups in the same order.
    const run = demoRun();
    const demoWire = toWire(run) as WireRunResult;
    for (const [i, c] of run.controls.entries()) {
      expect(demoWire.controls[i]!.findings.map((g: FindingGroup) => body({ ...g, resource: pod('x') } as unknown as Finding))).toEqual(reference(c.findings).map((g) => g.body));
    }
  });

  it('a finding\'s resource is the first table entry with all its identifying fields and source (names shared across kinds, namespaces, accounts)', () => {
    /** The table lookup by the text of every identifying field and the source (what the wire form is defined by). */
    const reference = (table: RunResource[], findings: Finding[]) => {
      const key = (r: Finding['resource'], s: Finding['source']) => JSON.stringify([r.provider, r.kind, r.apiVersion ?? null, r.namespace ?? null, r.name, r.uid ?? null, r.arn ?? null, r.region ?? null, r.accountId ?? null, s ? [s.file, s.line] : null]);
      const out = table.slice();
      const byKey = new Map<string, number>();
      out.forEach((e, i) => { if (!byKey.has(key(e, e.source))) byKey.set(key(e, e.source), i); });
      const indices = findings.map((f) => {
        let i = byKey.get(key(f.resource, f.source));
        if (i === undefined) { i = out.length; out.push(f.source ? { ...f.resource, source: f.source } : f.resource); byKey.set(key(f.resource, f.source), i); }
        return i;
      });
      return { indices, table: out };
    };
    const src = (file: string, line: number) => ({ file, line });
    const role = (name: string, extra: Partial<RunResource> = {}): RunResource => ({ provider: 'aws', kind: 'IAMRole', name, arn: `arn:aws:iam::111122223333:role/${name}`, accountId: '111122223333', ...extra });
    const sa = (ns: string): RunResource => ({ provider: 'kubernetes', apiVersion: 'v1', kind: 'ServiceAccount', namespace: ns, name: 'default' });
    const table: RunResource[] = [
      sa('a'), sa('b'), { ...sa('a'), source: src('x.yaml', 3) }, sa('a'), // a duplicate: the first wins
      { ...pod('default'), source: src('x.yaml', 9) }, role('default'), role('default', { accountId: '444455556666', arn: 'arn:aws:iam::444455556666:role/default' }),
      { provider: 'aws', kind: 'Bucket', name: 'logs', region: 'eu-west-1' },
    ];
    const resources: Finding['resource'][] = [
      sa('b'), sa('a'), { ...sa('a'), namespace: 'c' }, pod('default'), role('default', { accountId: '444455556666', arn: 'arn:aws:iam::444455556666:role/default' }),
      { provider: 'aws', kind: 'Bucket', name: 'logs', region: 'eu-west-1' }, { provider: 'aws', kind: 'Bucket', name: 'logs', region: 'us-east-1' },
      { provider: 'aws', kind: 'Bucket', name: 'logs', region: 'eu-west-1', uid: undefined }, { ...sa('a'), apiVersion: undefined }, { ...sa('a'), kind: 'Role' },
      { ...sa('a'), namespace: undefined },
    ];
    const findings: Finding[] = [];
    for (const r of resources) {
      findings.push({ ...fail('x'), resource: r });
      findings.push({ ...fail('x'), resource: r, source: src('x.yaml', 3) });
      findings.push({ ...fail('x'), resource: r, source: src('x.yaml', 9) });
      findings.push({ ...fail('x'), resource: r }); // the same object again, without a source
    }
    const expected = reference(table, findings);
    const wire = toWire(syntheticRun(findings, table)) as WireRunResult;
    expect(decodeIndexList(wire.controls[0]!.findings[0]!.resources, 'r')).toEqual(expected.indices);
    expect(wire.resources).toEqual(expected.table);
    expect(expected.indices.slice(0, 4)).toEqual([1, 8, 9, 1]);
    expect(expected.indices.slice(4, 8)).toEqual([0, 2, 10, 0]);

    // One name in every namespace (the `default` ServiceAccount of 2,000 namespaces), the findings
    // naming fresh objects: each finds its own namespace's entry.
    const many = Array.from({ length: 2000 }, (_v, i) => sa(`ns-${i}`));
    const manyFindings = many.map((r) => ({ ...fail('x'), resource: { ...r } })).reverse();
    const manyExpected = reference(many, manyFindings);
    const manyWire = toWire(syntheticRun(manyFindings, many)) as WireRunResult;
    expect(decodeIndexList(manyWire.controls[0]!.findings[0]!.resources, 'r')).toEqual(manyExpected.indices);
    expect(manyExpected.indices[0]).toBe(1999);
    expect(manyWire.resources).toHaveLength(2000);
  });

  it('results of earlier schemas are written and read as they are', () => {
    const old = expandRun(demoRun());
    expect(toWire(old)).toBe(old);
    expect(fromWire(old)).toBe(old);
  });
});

describe('JSON report run@5', () => {
  it('validates against the report schema; its findings are groups; the in-memory shape under run@5 does not validate', () => {
    const run = demoRun();
    const parsed = JSON.parse(json(run)) as WireRunResult;
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(jsonSchemas().report as object);
    expect(validate(parsed), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(parsed.schema).toBe('eks-soc2/run@5');
    expect(parsed.controls.flatMap((c) => c.findings).every((g) => Array.isArray(g.resources))).toBe(true);
    let runs = 0;
    for (const c of parsed.controls) {
      for (const g of [...c.findings, ...(c.passed ?? [])]) {
        runs += [...g.resources, ...(g.system ?? [])].filter((v) => v < 0).length;
        for (const i of [...decodeIndexList(g.resources, 'r'), ...decodeIndexList(g.system ?? [], 's')]) expect(parsed.resources![i]).toBeDefined();
      }
    }
    expect(runs).toBeGreaterThan(0); // the demo has lists with runs
    expect(validate({ ...parsed, controls: run.controls })).toBe(false);
    // Runs (negative entries) are run@5's: the same lists under run@4 do not validate; a run@4 list of indices does.
    expect(validate({ ...parsed, schema: 'eks-soc2/run@4' })).toBe(false);
    const asRun4 = JSON.parse(JSON.stringify(toWire({ ...run, schema: 'eks-soc2/run@4' }))) as WireRunResult;
    expect(validate(asRun4), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // The report is the wire form, byte for byte what toWire gives.
    expect(parsed).toEqual(JSON.parse(JSON.stringify(toWire(run))));
  });

  it('--expand-passing equals the run@5 report read back and expanded (every finding one object)', () => {
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

describe('index lists with runs (run@5)', () => {
  it('writes a stretch of consecutive ascending indices as its first index and a negative count', () => {
    expect(encodeIndexList([])).toEqual([]);
    expect(encodeIndexList([7])).toEqual([7]);
    expect(encodeIndexList([4, 5])).toEqual([4, 5]); // a run of one would save nothing
    expect(encodeIndexList([4, 5, 6])).toEqual([4, -2]);
    expect(encodeIndexList([0, 1, 2, 3, 4, 9, 12, 13])).toEqual([0, -4, 9, 12, 13]);
    expect(encodeIndexList([5, 3, 4, 5, 9])).toEqual([5, 3, -2, 9]); // order kept; only ascending stretches shrink
    expect(encodeIndexList([3, 2, 1, 1, 1])).toEqual([3, 2, 1, 1, 1]);
    expect(decodeIndexList([0, -4, 9, 12, 13], 'x')).toEqual([0, 1, 2, 3, 4, 9, 12, 13]);
    expect(decodeIndexList([5, 3, -2, 9], 'x')).toEqual([5, 3, 4, 5, 9]);
  });

  it('round-trips any list, is never longer, and each list has one encoding', () => {
    let seed = 42;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (let t = 0; t < 500; t++) {
      const n = Math.floor(rnd() * 60);
      const list: number[] = [];
      let v = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) {
        const r = rnd();
        v = r < 0.6 ? v + 1 : r < 0.8 ? v + 1 + Math.floor(rnd() * 4) : r < 0.9 ? Math.floor(rnd() * 100) : v;
        list.push(v);
      }
      const enc = encodeIndexList(list);
      expect(decodeIndexList(enc, 'x')).toEqual(list);
      expect(enc.length).toBeLessThanOrEqual(list.length);
      expect(encodeIndexList(decodeIndexList(enc, 'x'))).toEqual(enc);
      expect(enc[0] === undefined || enc[0] >= 0).toBe(true);
      for (let i = 1; i < enc.length; i++) expect(enc[i]! < 0 && enc[i - 1]! < 0).toBe(false);
    }
  });

  it('a run that does not follow an index is an error naming the list, not a wrong index', () => {
    expect(() => decodeIndexList([-2, 5], 'CC5-X/r: passed')).toThrow(/CC5-X\/r: passed: a run \(-2\) must follow an index/);
    expect(() => decodeIndexList([1, -2, -2], 'l')).toThrow(/must follow an index/);
    const wire = JSON.parse(JSON.stringify(toWire(demoRun()))) as WireRunResult;
    const c = wire.controls.find((x) => x.passed?.length)!;
    c.passed![0]!.resources = [-1];
    expect(() => fromWire(wire)).toThrow(new RegExp(`${c.id}/${c.passed![0]!.rule}: passed: a run`));
  });

  it('a run@4 result (lists one index each) is read and written again as run@4, without runs', () => {
    const run4 = { ...demoRun(), schema: 'eks-soc2/run@4' as const };
    const wire = JSON.parse(JSON.stringify(toWire(run4))) as WireRunResult;
    const lists = wire.controls.flatMap((c) => [...c.findings, ...(c.passed ?? [])]).flatMap((g) => [...g.resources, ...(g.system ?? [])]);
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((v) => v >= 0)).toBe(true);
    const back = fromWire(structuredClone(wire));
    expect(JSON.parse(JSON.stringify(toWire(back)))).toEqual(wire);
    // The same findings as the run@5 form of the same run.
    const back5 = roundTrip(demoRun());
    for (const [i, c] of back5.controls.entries()) {
      expect(back.controls[i]!.findings).toEqual(c.findings);
      expect(back.controls[i]!.passed).toEqual(c.passed);
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
    // run@5: identical pods are consecutive entries of the table, so each index list grows by a run's
    // count, not by an index per finding: less than a byte per finding beyond the pod's table entry.
    expect(growth).toBeLessThan(entry + perPodAll);
    // run@4 wrote an index per finding (an index and a comma, or a newline and indent).
    const run4 = (run: RunResult) => json({ ...run, schema: 'eks-soc2/run@4' }).length;
    const growth4 = (run4(large) - run4(small)) / 100;
    expect(growth4).toBeGreaterThan(entry + 3 * perPodAll);
    expect(growth4).toBeLessThanOrEqual(entry + 6 * perPodAll);
    // A failing finding written as an object (run@3) would cost far more per pod.
    const findingObject = JSON.stringify(large.controls.flatMap((c) => c.findings)[0]).length;
    expect(growth).toBeLessThan(entry + findingObject);
    // And the number of groups does not grow with the pods.
    const groups = (run: RunResult) => (toWire(run) as WireRunResult).controls.reduce((n, c) => n + c.findings.length, 0);
    expect(groups(large)).toBe(groups(small));
  });
});
