import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJson } from '../../src/report/json-writer.js';

const render = (v: unknown) => { let s = ''; writeJson(v, (c) => { s += c; }); return s; };

describe('writeJson', () => {
  it('writes exactly what JSON.stringify(value, null, 2) writes, for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => { expect(render(v)).toBe(JSON.stringify(v, null, 2)); }), { numRuns: 300 });
  });

  it('handles large arrays element by element, undefined members and nested empties like JSON.stringify', () => {
    const v = { a: Array.from({ length: 40 }, (_, i) => ({ i, s: `x${i}`, n: [i, { deep: [] }], u: undefined })), e: {}, z: [], q: [undefined, () => 1] };
    expect(render(v)).toBe(JSON.stringify(v, null, 2));
  });

  it('never builds one string for a huge array (each chunk stays small)', () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, subject: `pod-${i}`, status: 'fail' }));
    let longest = 0;
    let total = 0;
    writeJson({ results: [{ observations: rows }] }, (c) => { longest = Math.max(longest, c.length); total += c.length; });
    expect(longest).toBeLessThan(200);
    expect(total).toBe(JSON.stringify({ results: [{ observations: rows }] }, null, 2).length);
  });
});

describe('HTML at scale', () => {
  it('lists at most HTML_MAX_ROWS findings per list and says how many more the CSV/JSON carry', async () => {
    const { renderHtml, HTML_MAX_ROWS } = await import('../../src/report/html.js');
    const { evaluate } = await import('../../src/engine/index.js');
    const { CC5_HARD_03 } = await import('../../src/catalog/cc5.js');
    const { defaultConfig } = await import('../../src/model/index.js');
    const { makeSnapshot } = await import('../helpers/snapshot.js');
    const pods = Array.from({ length: 700 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'app' }, spec: { containers: [{ name: 'c', image: 'x:1', securityContext: { privileged: true } }] } }));
    const run = evaluate(makeSnapshot({ k8s: pods }), [CC5_HARD_03], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date('2026-11-26T00:00:00Z') });
    let html = '';
    await renderHtml(run, (c: string) => { html += c; });
    const failing = run.controls[0]!.counts.fail;
    expect(failing).toBeGreaterThan(HTML_MAX_ROWS);
    expect(html).toContain(`… and ${failing - HTML_MAX_ROWS} more not listed here`);
  });
});
