/**
 * RunResult and PeriodResult fixtures for the report tests: a real evaluation (the engine, the
 * catalog's CC5-HARD-03 and a few small test controls) on small snapshots, with every time fixed so
 * that renders are byte-stable, plus a hand-made audit period.
 */
import type {
  Attestation, ControlDefinition, K8sObject, PeriodControl, PeriodResult, PeriodSample, RunResult, Status, Waiver,
} from '../../src/model/index.js';
import { PERIOD_SCHEMA, defaultConfig, emptyCounts } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { CC5_HARD_03 } from '../../src/catalog/cc5.js';
import { makeSnapshot } from '../helpers/snapshot.js';

export const NOW = '2026-11-26T12:00:00.000Z';

export const HOSTILE = {
  script: '<script>alert(1)</script>',
  attr: '"><img src=x onerror=alert(1)>',
  formula: '=HYPERLINK("http://evil","x")',
  cmd: "+cmd|' /C calc'!A0",
  ansi: '\u001b[31mred\u001b[0m',
  rtl: 'evil\u202etxt.exe',
  long: `long-${'x'.repeat(10 * 1024)}`,
} as const;

const owners = { primary: ['Platform Engineering'], supporting: ['Security'] };

/**
 * Test controls around the real CC5-HARD-03: manual, attested, not applicable, missing evidence, an
 * AWS resource, and one that passes with a warning (a failed recommended rule) and a rule not
 * evaluated (its evidence was denied).
 */
function testControls(names: { bucket: string; note: string; trail: string }): ControlDefinition[] {
  const base = {
    subheading: 'Test controls', owners, severity: 'medium' as const, references: [{ title: 'Reference', url: 'https://example.com/ref' }],
  };
  return [
    {
      ...base, id: 'CC3-TEST-01', title: 'Risk register is reviewed quarterly', section: 'CC3', tsc: ['CC3.1', 'CC3.2'], automation: 'manual',
      description: 'A person reviews the risk register every quarter.', requires: [], attestation: 'the quarterly review minutes',
      remediation: { summary: 'Hold the review and attest it.' },
    },
    {
      ...base, id: 'CC3-TEST-02', title: 'Vendor risk is assessed', section: 'CC3', tsc: ['CC9.2'], automation: 'manual',
      description: 'Vendors are assessed before onboarding.', requires: [], attestation: 'the vendor assessment',
      remediation: { summary: 'Assess vendors and attest it.' },
    },
    {
      ...base, id: 'CC6-TEST-03', title: 'Service mesh enforces mTLS', section: 'CC6', tsc: ['CC6.7'], automation: 'automated',
      description: 'When a mesh is in scope, it enforces mutual TLS.', requires: [{ anyOf: ['k8s:core/Namespace'], what: 'namespaces' }],
      remediation: { summary: 'Enable STRICT mTLS.', commands: ['kubectl apply -f peer-authentication.yaml'] },
      check(_ev, ctx) { ctx.notApplicable('no service mesh is in scope'); },
    },
    {
      ...base, id: 'CC7-TEST-04', title: 'Control plane audit logs are enabled', section: 'CC7', tsc: ['CC7.2'], automation: 'automated', severity: 'high',
      description: 'EKS control plane audit logging is on.', requires: [{ anyOf: ['aws:eks:DescribeCluster'], what: 'the EKS cluster description' }],
      remediation: { summary: 'Turn on audit logs.', commands: ['aws eks update-cluster-config --name CLUSTER --logging \'{"clusterLogging":[{"types":["audit"],"enabled":true}]}\''] },
      check(ev, ctx) { for (const f of ev.aws('eks:DescribeCluster')) ctx.pass({ provider: 'aws', kind: 'AWS::EKS::Cluster', name: String(f.output.name) }, 'audit-logs', 'audit logs on'); },
    },
    {
      ...base, id: 'CC6-TEST-05', title: 'Buckets block public access', section: 'CC6', tsc: ['CC6.1', 'CC6.6'], automation: 'automated', severity: 'critical',
      description: 'S3 buckets holding cluster data block public access.', requires: [{ anyOf: ['aws:s3:ListBuckets'], what: 'the S3 bucket list' }],
      remediation: { summary: 'Block public access on the bucket.', commands: ['aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true'] },
      check(ev, ctx) {
        ctx.note(names.note);
        for (const f of ev.aws('s3:ListBuckets')) {
          for (const b of (f.output.Buckets as { Name: string; Public: boolean }[])) {
            const ref = { provider: 'aws' as const, kind: 'AWS::S3::Bucket', name: b.Name, arn: `arn:aws:s3:::${b.Name}`, accountId: '111122223333', region: 'eu-west-1' };
            if (b.Public) ctx.fail(ref, 'public-access-block', `bucket ${b.Name} allows public access`);
            else ctx.pass(ref, 'public-access-block', `bucket ${b.Name} blocks public access`);
          }
        }
      },
    },
    {
      ...base, id: 'CC4-TEST-06', title: 'An audit trail records management events', section: 'CC4', tsc: ['CC4.1', 'CC7.2'], automation: 'automated', severity: 'high',
      description: 'A CloudTrail trail records the management events of the account; encryption and delivery to CloudWatch Logs are recommended.',
      requires: [{ anyOf: ['aws:cloudtrail:DescribeTrails'], what: 'the CloudTrail trails' }],
      optional: ['aws:logs:DescribeLogGroups'],
      rules: {
        'trail-logging': { title: 'A multi-region trail is logging', severity: 'high', level: 'required', basis: 'the checklist asks for a CloudTrail trail', evidence: [] },
        'trail-kms': { title: 'The trail is encrypted with a customer-managed KMS key', severity: 'low', level: 'recommended', evidence: [] },
        'trail-log-group': { title: 'The trail delivers to a CloudWatch log group', severity: 'low', level: 'recommended', evidence: ['aws:logs:DescribeLogGroups'] },
      },
      remediation: { summary: 'Create a multi-region trail; encrypt it with a customer-managed key.' },
      check(ev, ctx) {
        for (const f of ev.aws('cloudtrail:DescribeTrails')) {
          for (const t of (f.output.trailList as { Name: string; KmsKeyId?: string }[])) {
            const ref = { provider: 'aws' as const, kind: 'AWS::CloudTrail::Trail', name: t.Name, arn: `arn:aws:cloudtrail:eu-west-1:111122223333:trail/${t.Name}` };
            ctx.pass(ref, 'trail-logging', `trail ${t.Name} is logging in every region`);
            if (t.KmsKeyId?.startsWith('alias/')) ctx.unevaluated('trail-kms', `the key ${t.KmsKeyId} was not read (kms:DescribeKey denied)`, ref);
            else if (t.KmsKeyId) ctx.pass(ref, 'trail-kms', `trail ${t.Name} is encrypted with ${t.KmsKeyId}`);
            else ctx.fail(ref, 'trail-kms', `trail ${t.Name} uses S3 default encryption, not a customer-managed KMS key`);
            // Its log group was not read (DescribeLogGroups denied): the engine drops this and lists the rule as not evaluated.
            ctx.fail(ref, 'trail-log-group', `trail ${t.Name} has no log group`);
          }
        }
      },
    },
  ];
}

function deployment(ns: string, name: string, secure: boolean, container = 'app', source?: { file: string; line: number }): K8sObject {
  // The insecure one fails only CC5-HARD-03's required rules (privileged, root, writable, escalation): it drops
  // ALL and has a seccomp profile, so that the run's one warning stays CC4-TEST-06's.
  const sc = secure
    ? { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }
    : { privileged: true, capabilities: { drop: ['ALL'] } };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`.slice(0, 60) },
    ...(source ? { $source: source } : {}),
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: secure ? { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } : { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: container, image: 'registry.example.com/app:1.0', securityContext: sc }],
        },
      },
    },
  } as K8sObject;
}

interface RunSpec {
  nsA: string; nsB: string; bad: string; good: string; container: string; file: string; bucket: string;
  waiverReason: string; approver: string; statement: string; evidence: string; gap: string; note: string; cluster: string; trail: string;
}

export function buildRun(spec: RunSpec): RunResult {
  const k8s: K8sObject[] = [
    deployment(spec.nsA, spec.good, true, 'web', { file: spec.file, line: 1 }),
    deployment(spec.nsA, spec.bad, false, spec.container, { file: spec.file, line: 40 }),
    deployment(spec.nsB, 'postgres', false, 'db', { file: 'k8s/data.yaml', line: 12 }),
    deployment('kube-system', 'aws-node', false, 'aws-node'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.nsA } } as K8sObject,
  ];
  const snap = makeSnapshot({
    k8s,
    aws: [
      { service: 's3', operation: 'ListBuckets', region: 'eu-west-1', accountId: '111122223333', output: { Buckets: [{ Name: spec.bucket, Public: true }, { Name: 'logs-archive', Public: false }] } },
      { service: 'cloudtrail', operation: 'DescribeTrails', region: 'eu-west-1', accountId: '111122223333', output: { trailList: [{ Name: spec.trail }, { Name: 'legacy-trail', KmsKeyId: 'alias/legacy' }] } },
    ],
    awsCalls: { 'eks:DescribeCluster': 'denied', 'logs:DescribeLogGroups': 'denied' },
    cluster: { name: spec.cluster, region: 'eu-west-1', accountId: '111122223333', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' },
  });
  snap.gaps.push({ source: 'files', target: spec.file, reason: 'parse-error', message: spec.gap, line: 7 });
  const waivers: Waiver[] = [{
    id: 'RISK-2026-001', control: 'CC5-HARD-03', resources: { namespace: spec.nsB, name: 'postgres' },
    reason: spec.waiverReason, approvedBy: spec.approver, expires: '2027-01-31',
  }];
  const attestations: Attestation[] = [{
    control: 'CC3-TEST-01', statement: spec.statement, attestedBy: spec.approver, date: '2026-10-01', validUntil: '2027-01-01',
    evidence: spec.evidence, sha256: 'a'.repeat(64),
  }];
  const config = defaultConfig();
  config.owners = { 'Platform Engineering': 'platform@acme.example' };
  const run = evaluate(snap, [...testControls({ bucket: spec.bucket, note: spec.note, trail: spec.trail }), CC5_HARD_03], {
    config, toolVersion: '0.1.0-test', catalogVersion: '2026.11-test', now: new Date(NOW), startedAt: new Date('2026-11-26T11:59:58.000Z'),
    waivers, attestations,
  });
  run.finishedAt = NOW;
  run.runId = 'run-0001';
  run.snapshotDigest = 'b'.repeat(64);
  // Sections in checklist order, as the catalog gives them.
  const order = ['CC3', 'CC4', 'CC5', 'CC6', 'CC7', 'CC8', 'CC9', 'P1'];
  run.controls.sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section) || a.id.localeCompare(b.id));
  return run;
}

/** A realistic run: every status, file and live findings, a waiver, an attestation, gaps, a warning and a rule not evaluated. */
export function sampleRun(): RunResult {
  return buildRun({
    nsA: 'shop', nsB: 'data', bad: 'checkout', good: 'storefront', container: 'app', file: 'k8s/shop.yaml', bucket: 'acme-exports',
    waiverReason: 'PostgreSQL needs a writable data directory; image rebuild planned', approver: 'ciso@acme.example',
    statement: 'The Q3 risk review took place on 2026-09-30', evidence: 'https://wiki.acme.example/risk/q3', gap: 'k8s/broken.yaml: line 7: bad indentation',
    note: 'two buckets found', cluster: 'prod', trail: 'org-trail',
  });
}

/** The same run with every cluster- and file-supplied string replaced by something hostile. */
export function hostileRun(): RunResult {
  const H = HOSTILE;
  return buildRun({
    nsA: H.script, nsB: H.attr, bad: H.formula, good: H.rtl, container: H.cmd, file: `evil/${H.script}.yaml`, bucket: H.long,
    waiverReason: H.script, approver: H.attr, statement: `${H.ansi} ${H.formula}`, evidence: 'javascript:alert(1)', gap: `${H.script}${H.ansi}`,
    note: H.attr, cluster: `${H.script}${H.rtl}`, trail: `${H.formula}${H.script}`,
  });
}

function samples(statuses: Status[], start: string, stepHours: number, prefix: string): PeriodSample[] {
  const t0 = Date.parse(start);
  return statuses.map((status, i) => ({
    runId: `${prefix}-${String(i + 1).padStart(3, '0')}`, at: new Date(t0 + i * stepHours * 3600_000).toISOString(), status,
    snapshotDigest: `${i}`.padStart(64, 'c'), ...(status === 'fail' ? { failing: 2 } : {}),
  }));
}

function periodControl(id: string, title: string, section: PeriodControl['section'], statuses: Status[], extra: Partial<PeriodControl>, name = 'run'): PeriodControl {
  const timeline = samples(statuses, '2026-01-01T06:00:00.000Z', 24 * 7, name);
  const statusCounts = emptyCounts();
  for (const s of statuses) statusCounts[s]++;
  const decided = statusCounts.pass + statusCounts.fail + statusCounts.waived;
  return {
    id, title, section, sectionTitle: section, subheading: 'Test', tsc: ['CC6.1'],
    owners: { primary: [{ role: 'Platform Engineering', owner: 'platform@acme.example' }], supporting: [] },
    automation: 'automated', severity: 'high', samples: statuses.length,
    passRate: decided ? (statusCounts.pass + statusCounts.waived) / decided : 0, statusCounts, failIntervals: [], waivers: [], attestations: [],
    verdict: 'operated-effectively', verdictReason: 'passed in every sample', timeline, ...extra,
  };
}

/** A hand-made audit period: a few controls over a few runs, with every verdict. */
export function samplePeriod(hostile = false): PeriodResult {
  const P = hostile ? HOSTILE : undefined;
  const c1 = periodControl('CC5-HARD-03', P ? P.script : 'Pods run with restrictive security contexts', 'CC5', ['pass', 'fail', 'fail', 'pass', 'pass', 'pass'], {
    verdict: 'exceptions-noted', verdictReason: P ? P.attr : 'failed in 2 of 6 samples, fixed within 14 days',
    failIntervals: [{ firstSeen: '2026-01-08T06:00:00.000Z', lastSeen: '2026-01-15T06:00:00.000Z', fixedAt: '2026-01-22T06:00:00.000Z', durationHours: 336, open: false, firstRunId: 'run-002', lastRunId: 'run-003' }],
    timeToRemediateHours: { mean: 336, max: 336, count: 1 },
    waivers: [{ id: 'RISK-1', reason: P ? P.formula : 'legacy image', approvedBy: 'ciso@acme.example', expires: '2026-03-01', firstSeen: '2026-01-08T06:00:00.000Z', lastSeen: '2026-01-15T06:00:00.000Z' }],
  });
  const c2 = periodControl('CC6-NET-01', 'Default-deny network policies', 'CC6', ['fail', 'fail', 'fail', 'fail', 'fail', 'fail'], {
    verdict: 'not-operating', verdictReason: 'failed in every sample', passRate: 0,
    failIntervals: [{ firstSeen: '2026-01-01T06:00:00.000Z', lastSeen: '2026-02-05T06:00:00.000Z', durationHours: 1434, open: true, firstRunId: 'run-001', lastRunId: 'run-006' }],
  });
  const c3 = periodControl('CC7-MON-02', 'Audit logs are shipped', 'CC7', ['pass', 'pass', 'pass', 'pass', 'pass', 'pass'], {});
  const c4 = periodControl('CC3-RISK-01', 'Risk register reviewed', 'CC3', ['manual', 'manual'], {
    automation: 'manual', verdict: 'insufficient-evidence', verdictReason: 'no attestation covers the window',
    attestations: [{ attestedBy: P ? P.attr : 'cfo@acme.example', statement: P ? P.script : 'Reviewed in January', date: '2026-01-10', validUntil: '2026-01-31', evidence: P ? 'javascript:alert(1)' : 'https://wiki.acme.example/risk', coversWindow: false }],
  });
  const points = (rates: number[]) => rates.map((passRate, i) => ({ at: new Date(Date.parse('2026-01-01T06:00:00.000Z') + i * 7 * 86400_000).toISOString(), passRate }));
  return {
    schema: PERIOD_SCHEMA, from: '2026-01-01', to: '2026-02-28', generatedAt: '2026-03-01T08:00:00.000Z',
    tool: { name: 'eks-soc2', version: '0.1.0-test' },
    thresholds: { effective: 0.95, exceptions: 0.8, minCoverage: 0.9, maxGapDays: 3 },
    clusters: [{
      cluster: { name: P ? `${P.script}${P.rtl}` : 'prod', region: 'eu-west-1', accountId: '111122223333' },
      key: P ? `111122223333/eu-west-1/${P.formula}` : '111122223333/eu-west-1/prod',
      runs: 6, firstRun: '2026-01-01T06:00:00.000Z', lastRun: '2026-02-05T06:00:00.000Z', coverage: 0.62,
      samplingGaps: [{ from: '2026-02-05', to: '2026-02-28', days: 23 }],
      sectionSeries: [
        { section: 'CC5', points: points([1, 0.5, 0.5, 1, 1, 1]) },
        { section: 'CC6', points: points([0, 0, 0, 0, 0, 0]) },
        { section: 'CC7', points: points([1, 1, 1, 1, 1, 1]) },
      ],
      controls: [c1, c2, c3, c4],
      summary: { 'operated-effectively': 1, 'exceptions-noted': 1, 'not-operating': 1, 'insufficient-evidence': 1 },
    }],
  };
}

/** Collect a renderer's output into a string (or bytes). */
export async function capture(render: (write: (chunk: string | Uint8Array) => void) => void | Promise<void>): Promise<string> {
  const parts: string[] = [];
  await render((c) => { parts.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')); });
  return parts.join('');
}
