import type { Snapshot } from '../../../src/model/index.js';
import { emptySnapshot } from '../../../src/model/index.js';
import { collectAwsLive } from '../../../src/collectors/aws/collect.js';
import type { AwsCollectResult, LiveAwsOptions } from '../../../src/collectors/aws/collect.js';
import { CLUSTER, REGION, TEST_CREDENTIALS, demoObjects } from '../../fixtures/aws/demo-account.js';

/** A snapshot whose Kubernetes part is the demo cluster's (it chooses node, image, role and volume targets). */
export function k8sSnapshot(objects = demoObjects()): Snapshot {
  const s = emptySnapshot('test', new Date('2026-11-26T12:00:00Z'));
  s.kubernetes = { source: 'live', complete: true, kinds: {}, objects };
  return s;
}

/** An AWS SDK service error as the SDK builds it for an error response. */
export function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1 } });
}

/** Run the live collector against the mocks for these operations (`eks:DescribeCluster`, ...). */
export function run(ops: string[], extra: Partial<LiveAwsOptions> = {}, snapshot = k8sSnapshot()): Promise<AwsCollectResult> {
  return collectAwsLive(snapshot, {
    keys: new Set(ops.map((o) => `aws:${o}`)), cluster: CLUSTER, region: REGION, credentials: TEST_CREDENTIALS,
    pollDelayMs: 1, now: new Date('2026-11-26T12:00:00Z'), ...extra,
  });
}
