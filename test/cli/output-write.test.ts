import { mkdtempSync, readFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAll, writeOutputs } from '../../src/cli/output.js';
import { renderJson } from '../../src/report/json.js';
import { sampleRun } from '../report/fixtures.js';

describe('report files are written as they are rendered', () => {
  it('writes the same bytes as the renderer produces, for several formats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-out-'));
    const run = sampleRun();
    const written = await writeOutputs(run, ['json', 'markdown', 'csv'], dir, { color: false, quiet: false });
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['eks-soc2-report.json', 'eks-soc2-report.md', 'eks-soc2-report.csv']);
    let expected = '';
    renderJson(run, (s) => { expected += s; });
    expect(readFileSync(written[0]!, 'utf8')).toBe(expected);
    expect(readFileSync(written[2]!, 'utf8').split('\n').length).toBeGreaterThan(2);
  });

  it('writeAll writes every byte of large and multi-byte chunks', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'eks-soc2-out-')), 'x.txt');
    const fd = openSync(path, 'w');
    const big = 'é×—'.repeat(400_000);
    writeAll(fd, big);
    writeAll(fd, new Uint8Array([0x41, 0x42]));
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(`${big}AB`);
  });
});
