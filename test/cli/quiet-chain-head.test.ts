// `scan --store --quiet` still prints the chain head on stderr: it is what docs/store.md says to
// anchor outside the store, and --quiet dropped it (issue 16, 8b).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';

describe('--quiet and the chain head', () => {
  it('prints the chain head (the stored head) even with --quiet, and nothing else about the store', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'eks-soc2-quiet-head-')), 'e.db');
    const r = await runCli(['scan', '--demo', '--quiet', '--store', `sqlite:${db}`, '--fail-on', 'never']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('stored run');
    const m = /^chain head: (sha256:[0-9a-f]{64})$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const s = await openStore({ kind: 'sqlite', path: db }, { mode: 'read', toolVersion: 'test' });
    try {
      const [c] = await s.clusters();
      expect(m![1]).toBe(c!.head.hash);
    } finally {
      await s.close();
    }
  });

  it('without --store there is no chain head line', async () => {
    const r = await runCli(['scan', '--demo', '--quiet', '--no-store', '--fail-on', 'never']);
    expect(r.stderr).not.toContain('chain head');
  });
});
