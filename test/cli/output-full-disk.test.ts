// A full disk while writing reports (issue 18 item 7): writeSync fails with ENOSPC once a few
// kilobytes are written, as it does on a full file system. No truncated report may be left behind
// under the report's name, and the message says the disk is full.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as realFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const budget = vi.hoisted(() => ({ bytes: Infinity }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof realFs>();
  const writeSync = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (n > budget.bytes) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    budget.bytes -= n;
    return (fs.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const { writeOutputs } = await import('../../src/cli/output.js');
const { writePeriodOutputs } = await import('../../src/cli/period-output.js');
const { UserError } = await import('../../src/cli/errors.js');
const { sampleRun, samplePeriod } = await import('../report/fixtures.js');

describe('reports on a full disk', () => {
  it('a run report: one clear error, no file under the report name, no temporary file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-full-'));
    // An earlier report of the same name stays as it was: the new one never replaced it half-written.
    writeFileSync(join(dir, 'eks-soc2-report.html'), 'previous report');
    budget.bytes = 4096;
    const err = await writeOutputs(sampleRun(), ['html'], dir, { color: false, quiet: false }).catch((e: unknown) => e);
    budget.bytes = Infinity;
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`cannot write ${join(dir, 'eks-soc2-report.html')}: the disk is full (ENOSPC); no partial file was left`);
    expect(readFileSync(join(dir, 'eks-soc2-report.html'), 'utf8')).toBe('previous report');
    expect(readdirSync(dir)).toEqual(['eks-soc2-report.html']);
  });

  it('a period report: the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-full-'));
    budget.bytes = 256;
    const err = await writePeriodOutputs(samplePeriod(), ['markdown'], dir, { color: false, quiet: false }).catch((e: unknown) => e);
    budget.bytes = Infinity;
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/the disk is full \(ENOSPC\)/);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'eks-soc2-period.md'))).toBe(false);
  });

  it('with room, the report is complete and nothing else is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-full-'));
    const written = await writeOutputs(sampleRun(), ['html', 'json'], dir, { color: false, quiet: false });
    expect(readdirSync(dir).sort()).toEqual(['eks-soc2-report.html', 'eks-soc2-report.json']);
    expect(realFs.readFileSync(written[0]!, 'utf8')).toMatch(/<\/html>\s*$/);
  });
});
