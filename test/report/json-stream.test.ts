import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import type { Finding, RunResult } from '../../src/model/index.js';
import { toWire } from '../../src/model/index.js';
import { hostileRun, sampleRun } from './fixtures.js';

/** What renderJson wrote before batching: the head, then each control (wire form) as one JSON.stringify. */
function reference(run: RunResult): string {
  const { controls, resources, ...head } = toWire(run);
  const table = resources ? `,\n  "resources": [${resources.length ? `\n    ${JSON.stringify(resources).slice(1, -1)}` : ''}\n  ]` : '';
  return `${JSON.stringify(head, null, 2).slice(0, -2)}${table},\n  "controls": [${controls.map((c, i) => `${i ? ',' : ''}\n    ${JSON.stringify(c)}`).join('')}\n  ]\n}\n`;
}

describe('JSON report of a control with very many findings', () => {
  it('writes the same bytes in batches, never one string per huge control', () => {
    for (const run of [sampleRun(), hostileRun()]) {
      const c = run.controls[0]!;
      const base: Finding = c.findings[0] ?? { rule: 'r', status: 'fail', severity: 'high', resource: { provider: 'kubernetes', kind: 'Pod', name: 'p' }, message: 'm' };
      // A message that looks like the marker must not confuse the splice.
      c.findings = Array.from({ length: 12_345 }, (_, i) => ({ ...base, message: i === 7 ? '"findings":["@@eks-soc2:findings@@"]' : `${base.message} ${i}` }));
      const chunks: string[] = [];
      renderJson(run, (s) => chunks.push(s));
      const text = chunks.join('');
      expect(text).toBe(reference(run));
      expect(JSON.parse(text).controls[0].findings).toHaveLength(12_345);
      expect(Math.max(...chunks.map((s) => s.length))).toBeLessThan(JSON.stringify(toWire(run).controls[0]).length / 2);
    }
  });
});
