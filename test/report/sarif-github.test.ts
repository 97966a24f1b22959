/**
 * SARIF as GitHub code scanning accepts it (issue 16 item 2). GitHub's "SARIF support for code
 * scanning" lists what an upload needs beyond the SARIF schema: a tool name, at most 20 runs and
 * 25,000 results per run, a rule id and a message per result, and a location with a
 * `physicalLocation.artifactLocation.uri` (relative to the checkout) — a result with only logical
 * locations is rejected or dropped. `githubSarifProblems` encodes those rules; when the SARIF
 * Multitool is at hand (`SARIF_MULTITOOL=/path/to/Sarif.Multitool`, from the npm package
 * `@microsoft/sarif-multitool`), its GitHub rules (`--rule-kind Ghas`) run too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PeriodResult, RunResult } from '../../src/model/index.js';
import { controlArtifactUri, renderPeriodSarif, renderSarif, resourceArtifactUri } from '../../src/report/sarif.js';
import { capture, hostileRun, samplePeriod, sampleRun } from './fixtures.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;

/** Problems GitHub code scanning would have with a SARIF log; [] when it would accept it. */
export function githubSarifProblems(log: unknown): string[] {
  const p: string[] = [];
  const l = obj(log);
  if (l?.version !== '2.1.0') p.push('version is not 2.1.0');
  const runs = arr(l?.runs);
  if (!runs.length) p.push('no runs');
  if (runs.length > 20) p.push(`${runs.length} runs: GitHub accepts at most 20 per file`);
  const categories = new Set<string>();
  runs.forEach((r, i) => {
    const run = obj(r);
    const driver = obj(obj(run?.tool)?.driver);
    if (!text(driver?.name)) p.push(`runs[${i}].tool.driver.name missing`);
    const cat = String(obj(run?.automationDetails)?.id ?? '');
    if (runs.length > 1 && categories.has(cat)) p.push(`runs[${i}]: category ${cat} repeated`);
    categories.add(cat);
    const rules = arr(driver?.rules).map(obj);
    rules.forEach((rule, j) => {
      if (!text(rule?.id)) p.push(`runs[${i}].rules[${j}] has no id`);
      for (const k of ['shortDescription', 'fullDescription', 'help']) if (!text(obj(rule?.[k])?.text)) p.push(`runs[${i}].rules[${j}].${k}.text missing`);
      if (arr(obj(rule?.properties)?.tags).length > 20) p.push(`runs[${i}].rules[${j}] has more than 20 tags`);
    });
    const results = arr(run?.results);
    if (results.length > 25_000) p.push(`runs[${i}]: ${results.length} results, over 25,000`);
    results.forEach((x, j) => {
      const res = obj(x);
      const at = `runs[${i}].results[${j}]`;
      if (!text(res?.ruleId)) p.push(`${at}.ruleId missing`);
      if (typeof res?.ruleIndex === 'number' && obj(rules[res.ruleIndex])?.id !== res.ruleId) p.push(`${at}.ruleIndex does not point at ${String(res.ruleId)}`);
      if (!text(obj(res?.message)?.text)) p.push(`${at}.message.text missing`);
      const locs = arr(res?.locations);
      if (!locs.length) p.push(`${at} has no location`);
      if (locs.length > 1000) p.push(`${at} has more than 1,000 locations`);
      const phys = obj(obj(locs[0])?.physicalLocation);
      const uri = obj(phys?.artifactLocation)?.uri;
      if (!text(uri)) p.push(`${at}.locations[0].physicalLocation.artifactLocation.uri missing`);
      else if (/^[a-z][a-z0-9+.-]*:/i.test(uri as string) || (uri as string).startsWith('/')) p.push(`${at}: URI ${String(uri)} is not relative to the checkout`);
      const region = obj(phys?.region);
      if (region && !(Number.isInteger(region.startLine) && (region.startLine as number) >= 1)) p.push(`${at}: region.startLine must be a whole number >= 1`);
      const fp = obj(res?.partialFingerprints);
      if (!fp || !Object.keys(fp).length || !Object.values(fp).every(text)) p.push(`${at}.partialFingerprints missing`);
    });
  });
  return p;
}

const sarifOf = async (run: RunResult) => JSON.parse(await capture((w) => renderSarif(run, w, { baseDir: '/repo' }))) as Obj;
const periodSarifOf = async (p: PeriodResult) => JSON.parse(await capture((w) => renderPeriodSarif(p, w))) as Obj;
type Loc = { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } };
const results = (log: Obj, i = 0) => (log.runs as { results: { ruleId: string; locations: Loc[]; partialFingerprints: Obj; properties?: Obj }[] }[])[i]!.results;

/** A run whose findings were all read from a live cluster and AWS: no file, no line. */
function liveRun(): RunResult {
  const run = JSON.parse(JSON.stringify(sampleRun())) as RunResult;
  for (const c of run.controls) for (const f of c.findings) delete f.source;
  return run;
}

/** A period of many clusters (more than GitHub's 20 runs per file). */
function manyClusters(n: number): PeriodResult {
  const p = samplePeriod();
  const base = p.clusters[0]!;
  p.clusters = Array.from({ length: n }, (_, i) => ({ ...base, key: `${base.key}-${i}`, cluster: { ...base.cluster, name: `prod-${i}` } }));
  return p;
}

describe('SARIF for GitHub code scanning', () => {
  it('every result of a run has a physical location with a relative URI (file scans, live clusters, hostile names)', async () => {
    for (const run of [sampleRun(), liveRun(), hostileRun()]) {
      const log = await sarifOf(run);
      expect(githubSarifProblems(log)).toEqual([]);
      expect(results(log).length).toBeGreaterThan(0);
    }
  });

  it('live findings point at eks-soc2/<cluster>/<namespace>/<kind>/<name>, AWS ones at eks-soc2/aws/<account>/<region>/<type>/<name>', async () => {
    const log = await sarifOf(liveRun());
    const uris = results(log).map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('eks-soc2/prod/shop/Deployment/checkout');
    expect(uris.some((u) => /^eks-soc2\/aws\/111122223333\/eu-west-1\/[^/]+\/acme-exports$/.test(u))).toBe(true);
    for (const r of results(log)) expect(r.locations[0]!.physicalLocation.region?.startLine).toBe(1);
    expect(resourceArtifactUri({ provider: 'kubernetes', kind: 'Namespace', name: 'a/b c' }, { name: 'prod' })).toBe('eks-soc2/prod/_cluster/Namespace/a%2Fb%20c');
    expect(resourceArtifactUri({ provider: 'aws', kind: 'AWS::S3::Bucket', name: 'b' }, { accountId: '1', region: 'r' })).toBe('eks-soc2/aws/1/r/AWS.S3.Bucket/b');
  });

  it('file findings keep their file and line; fingerprints do not depend on where the location came from', async () => {
    const file = results(await sarifOf(sampleRun()));
    const live = results(await sarifOf(liveRun()));
    expect(file.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'k8s/shop.yaml')!.locations[0]!.physicalLocation.region!.startLine).toBe(40);
    expect(live.map((r) => r.partialFingerprints)).toEqual(file.map((r) => r.partialFingerprints));
  });

  it('aggregated results (beyond the results limit) have a physical location too', async () => {
    const log = JSON.parse(await capture((w) => renderSarif(liveRun(), w, { maxResults: 2 }))) as Obj;
    expect(githubSarifProblems(log)).toEqual([]);
    const agg = results(log).filter((r) => r.properties?.aggregated);
    expect(agg.length).toBeGreaterThan(0);
    for (const r of agg) expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^eks-soc2\/prod\/controls\//);
  });

  it('period SARIF: every result located at eks-soc2/<cluster key>/controls/<control>; hostile keys stay one relative path', async () => {
    for (const p of [samplePeriod(), samplePeriod(true)]) {
      const log = await periodSarifOf(p);
      expect(githubSarifProblems(log)).toEqual([]);
      for (const r of results(log)) expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toBe(controlArtifactUri(p.clusters[0]!.key, r.ruleId));
    }
  });

  it('period SARIF of more than 20 clusters is one run (GitHub accepts at most 20 runs per file), every result kept', async () => {
    const p = manyClusters(23);
    const log = await periodSarifOf(p);
    expect(githubSarifProblems(log)).toEqual([]);
    expect(log.runs as unknown[]).toHaveLength(1);
    const perCluster = p.clusters[0]!.controls.filter((c) => c.verdict !== 'operated-effectively').length;
    expect(results(log)).toHaveLength(23 * perCluster);
    expect(new Set(results(log).map((r) => JSON.stringify(r.partialFingerprints))).size).toBe(23 * perCluster);
    expect((await periodSarifOf(manyClusters(20))).runs as unknown[]).toHaveLength(20);
  });

  it('the checker catches what GitHub rejects', () => {
    const bad = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'A', shortDescription: { text: 'a' }, fullDescription: { text: 'a' }, help: { text: 'a' } }] } },
      results: [{ ruleId: 'A', message: { text: 'm' }, locations: [{ logicalLocations: [{ name: 'x' }] }], partialFingerprints: { a: 'b' } },
        { ruleId: 'A', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///etc/x' }, region: { startLine: 0 } } }] }] }] };
    expect(githubSarifProblems(bad)).toEqual([
      'runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri missing',
      'runs[0].results[1]: URI file:///etc/x is not relative to the checkout',
      'runs[0].results[1]: region.startLine must be a whole number >= 1',
      'runs[0].results[1].partialFingerprints missing',
    ]);
  });

  it.skipIf(!process.env.SARIF_MULTITOOL)('the SARIF Multitool finds no GitHub (Ghas) error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-sarif-'));
    try {
      const files = [['run', await sarifOf(liveRun())], ['period', await periodSarifOf(manyClusters(3))]] as const;
      for (const [name, log] of files) {
        const input = join(dir, `${name}.sarif`);
        writeFileSync(input, JSON.stringify(log));
        let out = '';
        try {
          out = execFileSync(process.env.SARIF_MULTITOOL!, ['validate', '--rule-kind', 'Ghas', '-o', join(dir, `${name}.out.sarif`), input], { encoding: 'utf8', env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' } });
        } catch (err) {
          out = String((err as { stdout?: string }).stdout ?? err);
        }
        expect(out.split('\n').filter((l) => / error /.test(l))).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
