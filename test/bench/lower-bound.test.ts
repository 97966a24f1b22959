import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript with JSDoc types (bench/ is not part of the TypeScript program)
import { writePodListCompact } from '../../bench/generator.mjs';

describe('bench/lower-bound.mjs', () => {
  it('times every phase of a scan on the elements it read (it reaches into the stream reader, so it must not rot silently)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eks-soc2-lb-')), 'pods.compact.json');
    await writePodListCompact(file, { pods: 300 });
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/lower-bound.mjs', '--reps', '1', file], { encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
    expect(r.status, r.stderr).toBe(0);
    const m = /@@bench (\{.*\})/.exec(r.stdout);
    const rec = JSON.parse(m![1]!) as Record<string, number>;
    // Every element the splitter found was parsed and handed over: none lost, none invented.
    expect(rec.objects).toBe(300);
    for (const k of ['floor', 'parse', 'handover', 'read', 'evaluate', 'report']) expect(rec[k], k).toBeGreaterThan(0);
    expect(rec.bound).toBeCloseTo(rec.parse! + rec.evaluate! + rec.report!, 6);
    expect(r.stdout).toMatch(/\| \*\*lower bound: JSON.parse \+ evaluate \+ report\*\* \|/);
  });
});
