// Small synthetic runs for store and period tests: controls with chosen statuses, no catalog.
import type {
  AppliedWaiver, Attestation, ClusterIdentity, ControlResult, Finding, FindingStatus, RunResult, SectionId, Snapshot, Status,
} from '../../src/model/index.js';
import { RUN_SCHEMA, SECTIONS, emptyCounts, emptyFindingCounts, emptySnapshot } from '../../src/model/index.js';

export const CLUSTER: ClusterIdentity = { name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod' };
export const CLUSTER_KEY = 'eks:111122223333:eu-west-1:acme-prod';

export interface FakeControl {
  id: string;
  status: Status;
  waivers?: AppliedWaiver[];
  attestation?: Attestation;
  /** Extra findings (resource-level); by default one finding on `Deployment default/app-<id>` with the control's status. */
  findings?: Finding[];
}

export function finding(status: FindingStatus, name: string, rule = 'rule-a', namespace = 'default'): Finding {
  return {
    rule, status, severity: 'high', message: `${name} is ${status}`,
    resource: { provider: 'kubernetes', apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
  };
}

export function fakeControl(c: FakeControl): ControlResult {
  const section = c.id.split('-')[0] as SectionId;
  const findings = c.findings ?? (['pass', 'fail', 'waived'].includes(c.status) ? [finding(c.status, `app-${c.id.toLowerCase()}`)] : []);
  const counts = emptyFindingCounts();
  for (const f of findings) counts[f.status]++;
  return {
    id: c.id,
    title: `Title of ${c.id}`,
    section,
    sectionTitle: SECTIONS[section] ?? section,
    subheading: 'Sub',
    tsc: ['CC6.1'],
    owners: { primary: [{ role: 'Platform Engineering' }], supporting: [] },
    automation: 'automated',
    severity: 'high',
    status: c.status,
    message: `${c.id} ${c.status}`,
    description: 'synthetic',
    evidence: { required: [], missing: [] },
    notes: [],
    rules: [],
    unevaluated: [],
    findings,
    counts,
    systemCounts: emptyFindingCounts(),
    ...(c.status === 'fail' ? { failSeverity: 'high' as const } : {}),
    ...(c.attestation ? { attestation: c.attestation } : {}),
    waivers: c.waivers ?? [],
    remediation: { summary: 'fix it' },
    references: [],
  };
}

export function fakeRun(at: Date, controls: FakeControl[], opts: { cluster?: ClusterIdentity; payload?: string } = {}): { run: RunResult; snapshot: Snapshot } {
  const cluster = opts.cluster ?? CLUSTER;
  const results = controls.map(fakeControl);
  const c = emptyCounts();
  for (const r of results) c[r.status]++;
  const decided = c.pass + c.fail + c.manual + c.waived + c.error;
  const snapshot = emptySnapshot('test', at);
  snapshot.cluster = cluster;
  snapshot.kubernetes = {
    source: 'files', complete: true, kinds: { 'core/ConfigMap': { state: 'collected', count: 1 } },
    objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payload', namespace: 'default' }, data: { v: opts.payload ?? at.toISOString() } }],
  };
  const run: RunResult = {
    schema: RUN_SCHEMA,
    tool: { name: 'eks-soc2', version: 'test' },
    catalogVersion: 'test-catalog',
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    cluster,
    sources: { kubernetes: 'files', aws: 'none' },
    summary: {
      controls: c,
      findings: emptyFindingCounts(),
      controlsWithWarnings: 0,
      score: decided ? Math.round(((c.pass + c.waived) / decided) * 1000) / 10 : 100,
      bySection: {},
      byTsc: {},
    },
    controls: results,
    gaps: [],
    waivers: { applied: 0, issues: [] },
    attestations: { inForce: controls.flatMap((x) => (x.attestation ? [x.attestation] : [])), issues: [] },
  };
  for (const r of results) for (const k of Object.keys(run.summary.findings) as Status[]) run.summary.findings[k] += r.counts[k];
  return { run, snapshot };
}
