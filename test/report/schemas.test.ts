/** SARIF and OSCAL output validated against the vendored official schemas (src/report/schemas). */
import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import type { RunResult } from '../../src/model/index.js';
import { renderPeriodSarif, renderSarif, SARIF_LIMITS, findingFingerprint } from '../../src/report/sarif.js';
import { OSCAL_NS, renderOscal, renderPeriodOscal, uuidV5 } from '../../src/report/oscal.js';
import { capture, hostileRun, samplePeriod, sampleRun } from './fixtures.js';
import { validateOscal, validateSarif } from './validators.js';

function errors(v: ValidateFunction): string {
  return JSON.stringify((v.errors ?? []).slice(0, 5), null, 1);
}

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; properties: { tags: string[]; 'security-severity': string }; help: { markdown: string } }[] } };
    results: { ruleId: string; level: string; message: { text: string }; partialFingerprints: Record<string, string>; properties?: { aggregated?: boolean; count?: number };
      locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations?: { fullyQualifiedName: string }[] }[] }[];
    invocations: { toolExecutionNotifications?: { message: { text: string } }[] }[];
  }[];
}

async function sarif(run: RunResult, opts: Parameters<typeof renderSarif>[2] = {}): Promise<SarifLog> {
  return JSON.parse(await capture((w) => renderSarif(run, w, opts))) as SarifLog;
}

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 schema (sample and hostile runs)', async () => {
    for (const run of [sampleRun(), hostileRun()]) {
      const log = await sarif(run);
      expect(validateSarif(log), errors(validateSarif)).toBe(true);
    }
  });

  it('period: validates (sample and hostile), one run per cluster, one result per control that did not operate effectively', async () => {
    for (const p of [samplePeriod(), samplePeriod(true)]) {
      const log = JSON.parse(await capture((w) => renderPeriodSarif(p, w))) as SarifLog;
      expect(validateSarif(log), errors(validateSarif)).toBe(true);
      expect(log.runs).toHaveLength(p.clusters.length);
      p.clusters.forEach((cl, i) => {
        const run = log.runs[i]!;
        expect(run.tool.driver.rules.map((r) => r.id)).toEqual(cl.controls.map((c) => c.id));
        const expected = cl.controls.filter((c) => c.verdict !== 'operated-effectively');
        expect(run.results.map((r) => r.ruleId)).toEqual(expected.map((c) => c.id));
        const level: Record<string, string> = { 'not-operating': 'error', 'exceptions-noted': 'warning', 'insufficient-evidence': 'note' };
        expect(run.results.map((r) => r.level)).toEqual(expected.map((c) => level[c.verdict]));
        for (const r of run.results) expect(r.partialFingerprints['eksSoc2PeriodControl/v1']).toMatch(/^[0-9a-f]{64}$/);
      });
    }
  });

  it('has one rule per check with TSC tags, help and a security-severity', async () => {
    const log = await sarif(sampleRun());
    const rules = log.runs[0]!.tool.driver.rules;
    const r = rules.find((x) => x.id === 'CC5-HARD-03/run-as-non-root')!;
    expect(r).toBeDefined();
    expect(r.properties.tags).toEqual(expect.arrayContaining(['TSC CC6.8', 'TSC CC7.1', 'CC5']));
    expect(r.properties.tags.length).toBeLessThanOrEqual(SARIF_LIMITS.tagsPerRule);
    expect(Number(r.properties['security-severity'])).toBeGreaterThan(0);
    expect(r.help.markdown).toContain('**Fix:**');
    expect(new Set(rules.map((x) => x.id)).size).toBe(rules.length);
  });

  it('reports only failing and warning findings, with file and line, or the resource when there is no file', async () => {
    const run = sampleRun();
    const log = await sarif(run);
    const results = log.runs[0]!.results;
    const reported = run.controls.flatMap((c) => c.findings.filter((f) => (f.status === 'fail' || f.status === 'warn') && !f.system));
    expect(results).toHaveLength(reported.length);
    expect(results.filter((x) => x.level === 'warning' && x.ruleId === 'CC4-TEST-06/trail-kms')).toHaveLength(1);
    const fileResult = results.find((x) => x.ruleId === 'CC5-HARD-03/no-privileged')!;
    expect(fileResult.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'k8s/shop.yaml' }, region: { startLine: 40 } });
    const aws = results.find((x) => x.ruleId === 'CC6-TEST-05/public-access-block')!;
    expect(aws.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'eks-soc2/aws/111122223333/eu-west-1/AWS.S3.Bucket/acme-exports' }, region: { startLine: 1 } });
    expect(aws.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe('arn:aws:s3:::acme-exports');
    expect(aws.level).toBe('error');
    expect(results.some((x) => x.message.text.includes('postgres'))).toBe(false); // waived
  });

  it('makes absolute paths under the base directory relative', async () => {
    // Findings of one object share their resource and source objects (plain data, never mutated by
    // renderers); edit a deep copy.
    const run = JSON.parse(JSON.stringify(sampleRun())) as ReturnType<typeof sampleRun>;
    for (const c of run.controls) for (const f of c.findings) if (f.source) f.source.file = `/repo/${f.source.file}`;
    const log = await sarif(run, { baseDir: '/repo' });
    expect(log.runs[0]!.results.find((x) => x.ruleId === 'CC5-HARD-03/no-privileged')!.locations[0]!.physicalLocation!.artifactLocation.uri).toBe('k8s/shop.yaml');
  });

  it('fingerprints by control, rule and resource, not by line', async () => {
    const a = sampleRun();
    const b = JSON.parse(JSON.stringify(sampleRun())) as ReturnType<typeof sampleRun>;
    for (const c of b.controls) for (const f of c.findings) if (f.source) f.source.line += 7;
    const fa = (await sarif(a)).runs[0]!.results.map((x) => x.partialFingerprints);
    const fb = (await sarif(b)).runs[0]!.results.map((x) => x.partialFingerprints);
    expect(fb).toEqual(fa);
    expect(new Set(fa.map((x) => JSON.stringify(x))).size).toBe(fa.length);
    const f = a.controls.find((c) => c.id === 'CC5-HARD-03')!.findings[0]!;
    expect(findingFingerprint('CC5-HARD-03', f)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('summarises beyond the results limit: one aggregated result per rule and a run-level note', async () => {
    const run = sampleRun();
    // 5 failing and 1 warning finding over 6 rules: with 4 slots, 3 rules keep their result and one summarises the rest.
    const log = await sarif(run, { maxResults: 4 });
    const r = log.runs[0]!;
    expect(r.results.length).toBe(4);
    const agg = r.results.filter((x) => x.properties?.aggregated);
    expect(agg.length).toBeGreaterThan(0);
    const shown = r.results.filter((x) => !x.properties?.aggregated).length;
    const counted = agg.reduce((n, x) => n + (x.properties!.count ?? 0), 0);
    expect(shown + counted).toBe(6);
    expect(r.invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(/exceed GitHub's limit of 4 results/);
    expect(validateSarif(log), errors(validateSarif)).toBe(true);
  });

  it('aggregates within a rule when one rule has more failures than fit', async () => {
    const run = sampleRun();
    const c = run.controls.find((x) => x.id === 'CC6-TEST-05')!;
    const f = c.findings.find((x) => x.status === 'fail')!;
    for (let i = 0; i < 30; i++) c.findings.push({ ...f, resource: { ...f.resource, name: `b${i}`, arn: `arn:aws:s3:::b${i}` } });
    const r = (await sarif(run, { maxResults: 20 })).runs[0]!;
    expect(r.results.length).toBeLessThanOrEqual(20);
    const agg = r.results.find((x) => x.properties?.aggregated && x.ruleId === 'CC6-TEST-05/public-access-block')!;
    const listed = r.results.filter((x) => !x.properties?.aggregated && x.ruleId === 'CC6-TEST-05/public-access-block').length;
    expect(listed + agg.properties!.count!).toBe(31);
    expect(r.results.filter((x) => x.ruleId.startsWith('CC5-HARD-03/')).length).toBe(4);
  });
});

interface OscalDoc {
  'assessment-results': {
    uuid: string;
    'import-ap': { href: string };
    metadata: { 'oscal-version': string };
    results: {
      start: string; end: string;
      'reviewed-controls': { 'control-selections': { 'include-controls': { 'control-id': string }[] }[] };
      'local-definitions': { 'inventory-items'?: { uuid: string; description: string }[] };
      observations: { uuid: string; methods: string[]; subjects?: { 'subject-uuid': string; type: string; title?: string }[]; 'relevant-evidence': { description: string; href?: string }[] }[];
      findings: { target: { 'target-id': string; status: { state: string } }; props: { name: string; ns?: string; value: string }[]; 'related-observations'?: { 'observation-uuid': string }[] }[];
    }[];
  };
}

async function oscal(run: RunResult): Promise<OscalDoc> {
  return JSON.parse(await capture((w) => renderOscal(run, w))) as OscalDoc;
}

describe('OSCAL assessment-results', () => {
  it('validates against the NIST OSCAL 1.1.3 assessment-results schema (sample, hostile, period)', async () => {
    for (const run of [sampleRun(), hostileRun()]) {
      const doc = await oscal(run);
      expect(validateOscal(doc), errors(validateOscal)).toBe(true);
    }
    for (const p of [samplePeriod(), samplePeriod(true)]) {
      const doc = JSON.parse(await capture((w) => renderPeriodOscal(p, w))) as unknown;
      expect(validateOscal(doc), errors(validateOscal)).toBe(true);
    }
  });

  it('is identical when rendered twice (name-based UUIDs)', async () => {
    const a = await capture((w) => renderOscal(sampleRun(), w));
    const b = await capture((w) => renderOscal(sampleRun(), w));
    expect(a).toBe(b);
    expect(uuidV5('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('x')).not.toBe(uuidV5('y'));
  });

  it('reviews every control and maps each to a finding with its TSC criteria and satisfied / not-satisfied', async () => {
    const run = sampleRun();
    const doc = await oscal(run);
    const res = doc['assessment-results'].results[0]!;
    expect(doc['assessment-results'].metadata['oscal-version']).toBe('1.1.3');
    expect(doc['assessment-results']['import-ap'].href).toBe('urn:eks-soc2:assessment-plan:catalog-2026.11-test');
    expect(res.start).toBe(run.startedAt);
    expect(res.end).toBe(run.finishedAt);
    expect(res['reviewed-controls']['control-selections'][0]!['include-controls'].map((c) => c['control-id'])).toEqual(run.controls.map((c) => c.id));
    const f = res.findings.find((x) => x.target['target-id'] === 'CC5-HARD-03')!;
    expect(f.target.status.state).toBe('not-satisfied');
    expect(f.props.filter((p) => p.name === 'tsc').map((p) => p.value)).toEqual(['CC6.8', 'CC7.1']);
    expect(f.props.every((p) => p.ns === OSCAL_NS)).toBe(true);
    expect(res.findings.find((x) => x.target['target-id'] === 'CC3-TEST-01')!.target.status.state).toBe('satisfied');
    expect(res.findings.find((x) => x.target['target-id'] === 'CC7-TEST-04')!.target.status.state).toBe('not-satisfied');
    // Every related observation exists.
    const obs = new Set(res.observations.map((o) => o.uuid));
    for (const x of res.findings) for (const r of x['related-observations'] ?? []) expect(obs.has(r['observation-uuid'])).toBe(true);
  });

  it('records resources as subjects, the run as evidence, and attestations as EXAMINE', async () => {
    const res = (await oscal(sampleRun()))['assessment-results'].results[0]!;
    const withSubject = res.observations.filter((o) => o.subjects);
    // A subject is a resource described inline (a finding with a waiver or details) or an inventory item of the result.
    const items = new Map((res['local-definitions']['inventory-items'] ?? []).map((x) => [x.uuid, x.description]));
    const labels = withSubject.flatMap((o) => o.subjects!.map((x) => (x.type === 'inventory-item' ? items.get(x['subject-uuid']) : x.title)));
    expect(labels.every((l) => typeof l === 'string' && l.length > 0)).toBe(true);
    expect(labels).toContain('Deployment shop/checkout');
    expect(withSubject.every((o) => o.methods.includes('TEST'))).toBe(true);
    expect(withSubject[0]!['relevant-evidence'][0]!.description).toContain('run-0001');
    const attested = res.observations.find((o) => o.methods.includes('EXAMINE') && o['relevant-evidence'][0]!.href)!;
    expect(attested['relevant-evidence'][0]!.href).toBe('https://wiki.acme.example/risk/q3');
  });

  it('never turns a non-http evidence link into an href', async () => {
    const res = (await oscal(hostileRun()))['assessment-results'].results[0]!;
    const hrefs = res.observations.flatMap((o) => o['relevant-evidence'].map((e) => e.href)).filter(Boolean);
    expect(hrefs.some((h) => h!.startsWith('javascript:'))).toBe(false);
  });

  it('spans the audit window for a period', async () => {
    const doc = JSON.parse(await capture((w) => renderPeriodOscal(samplePeriod(), w))) as OscalDoc;
    const res = doc['assessment-results'].results[0]!;
    expect(res.start).toBe('2026-01-01T00:00:00Z');
    expect(res.end).toBe('2026-02-28T23:59:59Z');
    const states = Object.fromEntries(res.findings.map((f) => [f.target['target-id'], f.target.status.state]));
    expect(states).toEqual({ 'CC5-HARD-03': 'not-satisfied', 'CC6-NET-01': 'not-satisfied', 'CC7-MON-02': 'satisfied', 'CC3-RISK-01': 'not-satisfied' });
  });
});
