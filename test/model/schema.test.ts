import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { jsonSchemas, snapshotProblem } from '../../src/model/schema.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { catalog } from '../../src/catalog/index.js';
import { evaluate } from '../../src/engine/index.js';
import { defaultConfig, toWire } from '../../src/model/index.js';

const now = new Date('2026-11-26T12:00:00Z');

function ajv() {
  const a = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(a);
  return a;
}

describe('published JSON Schemas', () => {
  it('schemas/*.schema.json are generated from src/model/schema.ts (run `npm run schemas`)', () => {
    const gen = jsonSchemas();
    for (const [name, schema] of Object.entries(gen)) {
      const committed = JSON.parse(readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8'));
      expect(committed, `${name}.schema.json is stale`).toEqual(JSON.parse(JSON.stringify(schema)));
    }
  });

  it('the demo snapshot validates against the snapshot schema', () => {
    const validate = ajv().compile(jsonSchemas().snapshot as object);
    const snap = JSON.parse(JSON.stringify(demoSnapshot('test', now)));
    expect(validate(snap), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(snapshotProblem(snap)).toBeUndefined();
  });

  it('the JSON report of the demo validates against the report schema', () => {
    const p = demoPolicies(now);
    const run = evaluate(demoSnapshot('test', now), catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now, ...p });
    const validate = ajv().compile(jsonSchemas().report as object);
    // The report is the wire form (finding groups); the in-memory run with its Finding objects is not.
    expect(validate(JSON.parse(JSON.stringify(toWire(run)))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(validate(JSON.parse(JSON.stringify(run)))).toBe(false);
  });

  it('the demo waivers have unique ids (a waiver file with a repeated id is refused)', () => {
    const p = demoPolicies(now);
    const ids = p.waivers.map((w) => w.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('rejects a bundle whose objects are not Kubernetes objects, naming the index', () => {
    const snap = JSON.parse(JSON.stringify(demoSnapshot('test', now)));
    snap.kubernetes.objects.push({ kind: 'Pod' });
    expect(snapshotProblem(snap)).toMatch(/kubernetes\.objects\.\d+: not a Kubernetes object/);
    expect(snapshotProblem({ schema: 'eks-soc2/snapshot@1' })).toMatch(/createdAt/);
  });
});
