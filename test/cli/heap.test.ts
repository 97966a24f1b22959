import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript without type declarations (the launcher's helper)
import { HEAP_SET_ENV, HEAVY_COMMANDS, desiredHeapMb } from '../../bin/heap.mjs';
import { BIN } from '../helpers/cli.js';

type Desired = (argv: string[], env: Record<string, string>, execArgv: string[]) => number | undefined;
const desired = desiredHeapMb as Desired;

/** stderr of `eks-soc2 --debug ARGS` (the first line names the heap limit and the object budget). */
function debugLine(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--debug', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', () => resolve(err.split('\n')[0]!));
  });
}

describe('heap sizing (issue 18 item 9)', () => {
  it('sizes the heap of the commands that read evidence, from the machine or EKS_SOC2_HEAP_MB', () => {
    expect([...(HEAVY_COMMANDS as Set<string>)].sort()).toEqual(['collect', 'diff', 'history', 'prune', 'report', 'scan', 'verify']);
    expect(desired(['scan', '--demo'], { EKS_SOC2_HEAP_MB: '1500' }, [])).toBe(1500);
    expect(desired(['--debug', 'report'], { EKS_SOC2_HEAP_MB: '1500' }, [])).toBe(1500);
    // The user's own choice wins, and so does "off"; other commands start without a second exec.
    expect(desired(['scan'], { EKS_SOC2_HEAP_MB: '1500', NODE_OPTIONS: '--max-old-space-size=900' }, [])).toBeUndefined();
    expect(desired(['scan'], { EKS_SOC2_HEAP_MB: '1500' }, ['--max_old_space_size=900'])).toBeUndefined();
    expect(desired(['scan'], { EKS_SOC2_HEAP_MB: 'off' }, [])).toBeUndefined();
    expect(desired(['serve'], { EKS_SOC2_HEAP_MB: '1500' }, [])).toBeUndefined();
    expect(desired(['--version'], {}, [])).toBeUndefined();
    expect(desired(['scan'], { EKS_SOC2_HEAP_MB: '1500', [HEAP_SET_ENV as string]: '1500' }, [])).toBeUndefined();
  });

  it('the launcher starts the scan with that heap, and the object budget follows it', async () => {
    const sized = await debugLine(['scan', '--demo', '--format', 'json', '-o', '/dev/null/x'], { EKS_SOC2_HEAP_MB: '640' });
    const m = /^eks-soc2: heap limit (\d+) MiB \(sized by the launcher\), object budget ([\d,]+)$/.exec(sized);
    expect(m, sized).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(640);
    expect(Number(m![1])).toBeLessThan(1024);
    const small = Number(m![2]!.replace(/,/g, ''));
    const bigger = /object budget ([\d,]+)/.exec(await debugLine(['scan', '--demo', '--format', 'json', '-o', '/dev/null/x'], { EKS_SOC2_HEAP_MB: '2048' }))!;
    expect(Number(bigger[1]!.replace(/,/g, ''))).toBeGreaterThan(small * 2);
    expect(await debugLine(['controls'], { EKS_SOC2_HEAP_MB: '640' })).not.toMatch(/sized by the launcher/);
  });
});
