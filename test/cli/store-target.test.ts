import { describe, expect, it } from 'vitest';
import { scanStoreTarget } from '../../src/cli/sources/store.js';

describe('where scan stores its run', () => {
  it('nowhere unless --store or EKS_SOC2_STORE asks (the store is not even loaded)', async () => {
    expect(await scanStoreTarget({}, {})).toBeUndefined();
    expect(await scanStoreTarget({ store: false }, { EKS_SOC2_STORE: 'sqlite:/tmp/x.db' })).toBeUndefined();
    expect(await scanStoreTarget({}, { EKS_SOC2_STORE: 'sqlite:/tmp/x.db' })).toMatchObject({ kind: 'sqlite' });
    expect(await scanStoreTarget({ store: 'sqlite:/tmp/y.db' }, {})).toMatchObject({ kind: 'sqlite' });
  });
});
