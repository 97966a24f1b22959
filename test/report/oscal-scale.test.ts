import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript with JSDoc types (bench/ is not part of the TypeScript program)
import { writePodListCompact } from '../../bench/generator.mjs';
import { collectFiles } from '../../src/collectors/files/read.js';
import { catalog, CATALOG_VERSION } from '../../src/catalog/index.js';
import { evaluate } from '../../src/engine/index.js';
import { defaultConfig, expandRun } from '../../src/model/index.js';
import type { RunResult } from '../../src/model/index.js';
import { eachFinding } from '../../src/model/findings.js';
import { renderOscal } from '../../src/report/oscal.js';
import { capture } from './fixtures.js';
import { validateOscal } from './validators.js';

interface Subject { 'subject-uuid': string; type: string; title?: string }
interface Observation { uuid: string; title: string; props: { name: string; value: string }[]; subjects?: Subject[] }
interface Doc { 'assessment-results': { results: [{ 'local-definitions': { 'inventory-items'?: { uuid: string; description: string; props: { name: string; value: string }[] }[] }; observations: Observation[] }] } }

async function podsRun(pods: number): Promise<RunResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'eks-soc2-oscal-')), 'pods.json');
  await writePodListCompact(file, { pods });
  const snap = await collectFiles([file], { toolVersion: '0' });
  return evaluate(snap, catalog, { config: defaultConfig(), toolVersion: '0', catalogVersion: CATALOG_VERSION, now: new Date('2026-12-01T00:00:00Z') });
}

const propOf = (o: Observation, name: string) => o.props.find((p) => p.name === name)?.value;

describe('OSCAL at scale: findings alike but for their resource are one observation, the resources inventory items', () => {
  it('names every finding\'s resource in exactly one observation and describes each resource once', async () => {
    const run = await podsRun(600);
    const doc = JSON.parse(await capture((w) => renderOscal(run, w))) as Doc;
    const res = doc['assessment-results'].results[0];
    const items = res['local-definitions']['inventory-items'] ?? [];
    const itemIds = new Set(items.map((x) => x.uuid));
    expect(itemIds.size).toBe(items.length);
    let grouped = 0;
    let single = 0;
    const statuses = new Set<string>();
    for (const c of run.controls) for (const f of eachFinding(run, c)) { if (f.waiver || f.details) single++; else { grouped++; statuses.add(f.status); } }
    expect(grouped).toBeGreaterThan(5000);
    expect([...statuses]).toEqual(expect.arrayContaining(['pass', 'fail', 'warn']));
    const groups = res.observations.filter((o) => propOf(o, 'resources') !== undefined);
    expect(groups.reduce((n, o) => n + o.subjects!.length, 0)).toBe(grouped);
    for (const o of groups) {
      expect(Number(propOf(o, 'resources'))).toBe(o.subjects!.length);
      for (const s of o.subjects!) { expect(s.type).toBe('inventory-item'); expect(itemIds.has(s['subject-uuid'])).toBe(true); }
    }
    // Failing findings are grouped as passing ones are: a group per rule, status, severity and message.
    expect(groups.some((o) => propOf(o, 'status') === 'fail' && o.subjects!.length > 1)).toBe(true);
    const keys = groups.map((o) => `${o.title.split(':')[0]}|${propOf(o, 'status')}|${propOf(o, 'severity')}|${propOf(o, 'system-namespace') ?? ''}|${o.uuid}`);
    expect(new Set(keys).size).toBe(keys.length);
    // A finding with a waiver or details keeps an observation of its own, its resource inline.
    const own = res.observations.filter((o) => propOf(o, 'resources') === undefined && o.subjects);
    expect(own.length).toBe(single);
    expect(own.every((o) => o.subjects!.length === 1 && o.subjects![0]!.type === 'resource' && o.subjects![0]!.title)).toBe(true);
    expect(validateOscal(doc)).toBe(true);
    // The run in the expanded (run@2) shape gives the same document: grouping does not depend on the stored shape.
    expect(await capture((w) => renderOscal(expandRun(run), w))).toBe(await capture((w) => renderOscal(run, w)));
  });

  it('grows by tens of bytes per finding, not by an observation each (a 150,000-pod run has two million findings)', async () => {
    const [small, large] = [await podsRun(300), await podsRun(1200)];
    const size = async (r: RunResult) => (await capture((w) => renderOscal(r, w))).length;
    const count = (r: RunResult) => r.controls.reduce((n, c) => n + [...eachFinding(r, c)].length, 0);
    const perFinding = (await size(large) - await size(small)) / (count(large) - count(small));
    // An observation per finding was ~2,900 bytes; a subject reference is ~140 (pretty-printed), plus a share of its inventory item and of the groups whose message names the resource.
    expect(perFinding).toBeLessThan(400);
  });
});
