import { describe, expect, it } from 'vitest';
import { eksModuleInstances, isEksModule, pinnedMajor } from '../../../src/collectors/terraform/eks-module.js';
import { Ids } from '../../../src/collectors/terraform/ids.js';
import type { TfObject } from '../../../src/collectors/terraform/values.js';

const call = (version: string | undefined, inputs: TfObject, source = 'terraform-aws-modules/eks/aws') => eksModuleInstances({
  source, version, inputs, address: 'module.eks', source_loc: { file: 'main.tf', line: 3 }, root: '.', region: 'eu-west-1', ids: new Ids({ partition: 'aws', region: 'eu-west-1', placeholders: new Map() }),
});
const cluster = async (version: string, inputs: TfObject) => (await call(version, inputs)).instances.find((i) => i.type === 'aws_eks_cluster')!.values;

describe('terraform-aws-modules/eks from its inputs', () => {
  it('recognises the module and its pinned major version', () => {
    expect(isEksModule('terraform-aws-modules/eks/aws')).toBe(true);
    expect(isEksModule('registry.terraform.io/terraform-aws-modules/eks/aws//modules/eks-managed-node-group')).toBe(true);
    expect(isEksModule('terraform-aws-modules/vpc/aws')).toBe(false);
    expect(pinnedMajor('~> 20.0')).toBe(20);
    expect(pinnedMajor('20.8.4')).toBe(20);
    expect(pinnedMajor('>= 19.0, < 21.0')).toBeUndefined();
    expect(pinnedMajor(undefined)).toBeUndefined();
  });

  it('v21 reads the unprefixed inputs; v19 leaves the access config to the provider defaults', async () => {
    const v21 = await cluster('~> 21.0', { name: 'c', kubernetes_version: '1.32', endpoint_public_access: true, enabled_log_types: ['audit'] });
    expect(v21).toMatchObject({ name: 'c', version: '1.32', enabled_cluster_log_types: ['audit'], vpc_config: [{ endpoint_public_access: true }], access_config: [{ authentication_mode: 'API_AND_CONFIG_MAP' }] });
    expect((v21.encryption_config as TfObject[])[0]).toMatchObject({ resources: ['secrets'] });
    const v19 = await cluster('19.21.0', { cluster_name: 'c' });
    expect(v19.access_config).toBeUndefined();
    expect(v19.enabled_cluster_log_types).toEqual(['audit', 'api', 'authenticator']);
    expect((await cluster('~> 20.0', { cluster_name: 'c', cluster_encryption_config: {} })).encryption_config).toEqual([]);
  });

  it('an unpinned or unknown major version is not expanded, and says so on the module call', async () => {
    const r = await call(undefined, { cluster_name: 'c' });
    expect(r.instances).toEqual([]);
    expect(r.problems[0]).toMatchObject({ reason: 'skipped', line: 3, message: expect.stringMatching(/^main\.tf:3: module module\.eks .* not expanded: eks-soc2 knows the defaults of major versions 19, 20, 21 only/) });
  });
});
