import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory } from '../../src/store/dirs.js';

describe('makeDirectory (mkdir -p that always returns)', () => {
  it('creates missing parents and accepts an existing directory', () => {
    const base = mkdtempSync(join(tmpdir(), 'eks-soc2-dirs-'));
    const deep = join(base, 'a', 'b', 'c');
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('fails on a file in the way', () => {
    const base = mkdtempSync(join(tmpdir(), 'eks-soc2-dirs-'));
    writeFileSync(join(base, 'file'), 'x');
    expect(() => makeDirectory(join(base, 'file', 'sub'))).toThrow(/ENOTDIR/);
  });

  // Node's mkdir({ recursive: true }) never returns here (procfs answers ENOENT under /proc): `-o /proc/x` hung the CLI.
  it.skipIf(!existsSync('/proc/self'))('fails, instead of looping forever, where the file system answers ENOENT under an existing parent', () => {
    expect(() => makeDirectory('/proc/eks-soc2-test/x')).toThrow(/ENOENT/);
  });
});
