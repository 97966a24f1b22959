import type { Attestation, Snapshot, Waiver } from '../../model/index.js';
import { emptySnapshot, kindKey } from '../../model/index.js';
import { DEMO } from './build.js';
import { baseObjects } from './k8s-base.js';
import { coreFacts, coreObjects } from './core.js';
import * as cc3 from './cc3.js';
import * as cc4 from './cc4.js';
import * as cc5 from './cc5.js';
import * as cc6 from './cc6.js';
import * as cc7 from './cc7.js';
import * as cc8 from './cc8.js';
import * as cc9 from './cc9.js';
import * as p1 from './p1.js';

/** Per-section fragments of the demo (objects, AWS facts, waivers/attestations). */
const FRAGMENTS = [cc3, cc4, cc5, cc6, cc7, cc8, cc9, p1];

/**
 * The built-in demo environment: a realistic EKS cluster ("acme-prod") with good and bad
 * workloads, RBAC, policies, add-ons and AWS facts, so a newcomer sees every section with a mix of
 * pass, fail, manual and waived without a cluster or credentials. Times are relative to `now`.
 */
export function demoSnapshot(toolVersion: string, now = new Date()): Snapshot {
  const snap = emptySnapshot(toolVersion, now);
  snap.cluster = { name: DEMO.cluster, arn: DEMO.arn, accountId: DEMO.accountId, region: DEMO.region, context: 'demo' };
  snap.collector.identity = 'demo';
  snap.collector.inputs = ['built-in demo environment'];
  const objects = [...baseObjects(), ...coreObjects(now), ...FRAGMENTS.flatMap((f) => f.objects(now))];
  snap.kubernetes = { source: 'demo', complete: true, serverVersion: `v${DEMO.version}.5-eks-3025e55`, kinds: {}, objects };
  for (const o of objects) {
    const k = kindKey(o.apiVersion, o.kind);
    const c = snap.kubernetes.kinds[k];
    if (c) c.count++;
    else snap.kubernetes.kinds[k] = { state: 'collected', count: 1, detail: o.apiVersion };
  }
  const facts = [...coreFacts(now), ...FRAGMENTS.flatMap((f) => f.facts(now))];
  snap.aws = { source: 'demo', accountId: DEMO.accountId, region: DEMO.region, calls: {}, facts };
  for (const f of facts) {
    const k = `${f.service}:${f.operation}`;
    const c = snap.aws.calls[k];
    if (c) c.count++;
    else snap.aws.calls[k] = { state: 'collected', count: 1, detail: f.region ?? DEMO.region };
  }
  // Operations every fragment declares as read with an empty answer (e.g. no Security Hub findings).
  for (const f of FRAGMENTS) for (const op of f.emptyCalls?.() ?? []) snap.aws.calls[op] ??= { state: 'collected', count: 0 };
  return snap;
}

/** The demo's waivers and attestations, so the demo shows `waived` and attested controls. */
export function demoPolicies(now = new Date()): { waivers: Waiver[]; attestations: Attestation[] } {
  const inDays = (d: number) => new Date(now.getTime() + d * 86400_000).toISOString().slice(0, 10);
  const extra = FRAGMENTS.map((f) => f.policies?.(now) ?? { waivers: [], attestations: [] });
  return {
    waivers: [
      ...extra.flatMap((e) => e.waivers),
      {
        id: 'RISK-2026-014', control: 'CC5-HARD-03', rule: 'read-only-root-fs',
        resources: { namespace: 'data', kind: 'StatefulSet', name: 'postgres' },
        reason: 'PostgreSQL writes to its data directory and /var/run; a read-only root needs an image rebuild planned for Q1',
        approvedBy: 'ciso@acme.example', expires: inDays(60), source: { file: '<demo>' },
      },
      {
        id: 'RISK-2026-019', control: 'CC7-CFG-01', rule: 'nodepool-limits',
        resources: { kind: 'NodePool', name: 'batch-spot' },
        reason: 'batch-spot runs interruptible spot capacity for nightly jobs; the account-level vCPU quota bounds it until per-pool limits are sized in Q1',
        approvedBy: 'head-of-platform@acme.example', expires: inDays(45), source: { file: '<demo>' },
      },
      {
        id: 'RISK-2026-023', control: 'CC6-NET-05', rule: 'alb-waf',
        resources: { name: 'k8s-legacy-billing-*' },
        reason: 'the legacy billing ALB only accepts traffic from the partner VPN range and is decommissioned with the monolith on 2027-01-31',
        approvedBy: 'ciso@acme.example', expires: inDays(66), source: { file: '<demo>' },
      },
    ],
    attestations: extra.flatMap((e) => e.attestations),
  };
}
