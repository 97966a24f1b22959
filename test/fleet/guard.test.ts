/**
 * Fleet discovery talks to EKS with its own client (not the AWS collector's): it carries the same
 * read-only guard, so only eks:ListClusters and eks:DescribeCluster can leave the process. (A file
 * of its own: fleet.test.ts mocks every EKSClient, which would hide the guard.)
 */
import { describe, expect, it } from 'vitest';
import { DeleteClusterCommand, UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { discoveryClient } from '../../src/cli/fleet.js';

describe('fleet discovery client', () => {
  it('stops a write before it is signed or sent', async () => {
    const eks = await discoveryClient('eu-west-1', async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }));
    try {
      await expect(eks.send(new DeleteClusterCommand({ name: 'prod' }))).rejects.toThrow(/eks:DeleteCluster/);
      await expect(eks.send(new UpdateClusterConfigCommand({ name: 'prod' }))).rejects.toThrow(/eks:UpdateClusterConfig/);
    } finally {
      eks.destroy();
    }
  });
});
