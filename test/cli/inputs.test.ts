import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_POLICY_FILE_BYTES, isCidr, loadAttestations, loadConfig, loadWaivers } from '../../src/cli/inputs.js';
import { UserError } from '../../src/cli/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-inputs-'));
const write = (name: string, text: string | Buffer) => { const p = join(dir, name); writeFileSync(p, text); return p; };

/** Ten levels of ten aliases each: 10^10 strings once expanded. */
const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghijk'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghijk'[i]}`).join(',')}]`)].join('\n');

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError');
}

describe('configuration, waiver and attestation files', () => {
  it('an alias bomb in --config is an input error naming the file (issue 18 item 6)', async () => {
    const f = write('bomb.yaml', `${ALIAS_BOMB}\n`);
    const e = await userError(loadConfig(f));
    expect(e.message).toContain(f);
    expect(e.message).toMatch(/alias/i);
    expect(e.exitCode).toBe(2);
  });

  it('an alias bomb inside a waiver or attestation list is reported, not expanded', async () => {
    const f = write('bomb-list.yaml', `${ALIAS_BOMB}\nwaivers:\n  - *k\nattestations:\n  - *k\n`);
    for (const load of [loadWaivers, loadAttestations]) {
      const r = await load(f).then((v) => ({ ok: v }), (err: unknown) => ({ err }));
      if ('err' in r) expect(r.err).toBeInstanceOf(UserError);
      else expect(JSON.stringify(r.ok).length).toBeLessThan(10_000);
    }
  });

  it('a file larger than the limit is refused without being read whole', async () => {
    const f = write('huge.yaml', Buffer.alloc(MAX_POLICY_FILE_BYTES + 10, 0x20));
    expect((await userError(loadConfig(f))).message).toMatch(/larger than 16 MiB/);
  });

  it('CIDRs are checked as addresses and prefix lengths (issue 18 item 20)', async () => {
    for (const ok of ['203.0.113.0/24', '0.0.0.0/0', '10.0.0.1/32', '2001:db8::/32', '::/0', 'fd00::1/128']) expect(isCidr(ok), ok).toBe(true);
    for (const bad of ['999.1.1.1/99', '999.1.1.1/24', '10.0.0.0/33', '10.0.0/8', '2001:db8::/129', 'fe80::1%eth0/64', '10.0.0.0', 'abc/8', '1.2.3.4/ 8', '01.2.3.4/8']) expect(isCidr(bad), bad).toBe(false);
    const e = await userError(loadConfig(write('cidr.yaml', 'approvedEndpointCidrs: ["999.1.1.1/99"]\n')));
    expect(e.message).toMatch(/approvedEndpointCidrs\.0: must be a CIDR/);
  });
});
