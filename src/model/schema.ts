/**
 * Zod schemas of the two published contracts — the Snapshot (evidence bundle) and the RunResult
 * (JSON report) — from which `schemas/*.schema.json` are generated (`npm run schemas`). The type
 * assertions at the end keep them in step with the TypeScript interfaces.
 *
 * Kept out of `index.ts` so that importing model types never loads zod.
 */
import { z } from 'zod';
import type { Snapshot } from './snapshot.js';
import type { Finding, RunResult } from './result.js';
import type { FindingGroup } from './wire.js';

const json: z.ZodType<unknown> = z.unknown();
const str = z.string();

const sourceLocation = z.object({ file: str, line: z.number().int().min(1) });

const k8sObject = z.looseObject({
  apiVersion: str.min(1),
  kind: str.min(1),
  metadata: z.looseObject({
    name: str.optional(),
    namespace: str.optional(),
    uid: str.optional(),
    labels: z.record(str, str).optional(),
    annotations: z.record(str, str).optional(),
  }),
  $source: sourceLocation.optional(),
});

const coverage = z.object({
  state: z.enum(['collected', 'absent', 'partial', 'denied', 'error']),
  count: z.number().int().min(0),
  detail: str.optional(),
});

const sourceKind = z.enum(['live', 'files', 'bundle', 'demo', 'terraform', 'none']);

const cluster = z.object({
  name: str.optional(), arn: str.optional(), accountId: str.optional(), region: str.optional(), context: str.optional(), server: str.optional(), uid: str.optional(),
});

const gap = z.object({
  source: z.enum(['kubernetes', 'aws', 'files', 'tools']),
  key: str.optional(),
  target: str,
  reason: z.enum(['forbidden', 'access-denied', 'unauthenticated', 'throttled', 'network', 'timeout', 'not-enabled', 'not-found', 'parse-error', 'unsupported', 'invalid', 'skipped', 'error']),
  message: str,
  fix: str.optional(),
  permission: str.optional(),
  line: z.number().int().optional(),
});

const awsFact = z.object({
  service: str.min(1),
  operation: str.min(1),
  region: str.optional(),
  accountId: str.optional(),
  params: z.record(str, json).optional(),
  output: z.record(str, json),
  unknown: z.record(str, str).optional(),
});

const iac = z.object({
  tool: z.literal('terraform'),
  resources: z.array(z.object({
    address: str, type: str, cfnType: str, ids: z.array(str), source: sourceLocation.optional(), root: str,
  })),
  placeholders: z.record(str, str),
});

export const snapshotSchema = z.object({
  schema: z.literal('eks-soc2/snapshot@1'),
  createdAt: str,
  cluster,
  collector: z.object({ tool: z.literal('eks-soc2'), version: str, identity: str.optional(), inputs: z.array(str).optional() }),
  kubernetes: z.object({
    source: sourceKind,
    complete: z.boolean(),
    serverVersion: str.optional(),
    kinds: z.record(str, coverage),
    objects: z.array(k8sObject),
  }),
  aws: z.object({
    source: sourceKind,
    accountId: str.optional(),
    region: str.optional(),
    calls: z.record(str, coverage),
    facts: z.array(awsFact),
  }),
  tools: z.array(z.object({ tool: str, file: str.optional(), collectedAt: str.optional(), data: json })),
  gaps: z.array(gap),
  iac: iac.optional(),
}).meta({ title: 'eks-soc2 snapshot', description: 'Everything eks-soc2 observed in one run: Kubernetes objects, AWS facts (AWS SDK v3 output shapes), tool reports, and evidence gaps.' });

const status = z.enum(['pass', 'fail', 'manual', 'waived', 'not-applicable', 'error']);
const findingStatus = z.enum(['pass', 'fail', 'warn', 'manual', 'waived', 'not-applicable', 'error'])
  .meta({ description: 'fail: a required rule failed; warn: a recommended rule failed (never fails the control); error: the rule could not be evaluated on this resource (the message says what was not read).' });
const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const ruleLevel = z.enum(['required', 'recommended']);
const counts = z.object({ pass: z.number(), fail: z.number(), manual: z.number(), waived: z.number(), 'not-applicable': z.number(), error: z.number() });
const findingCounts = counts.extend({ warn: z.number() });
const owner = z.object({ role: str, owner: str.optional() });
const appliedWaiver = z.object({ id: str, reason: str, approvedBy: str, expires: str });
const fileRef = z.object({ file: str, line: z.number().optional() });
const attestation = z.object({
  control: str, statement: str, attestedBy: str, date: str, evidence: str.optional(), sha256: str.optional(), validUntil: str, source: fileRef.optional(),
});

export const resourceRefSchema = z.object({
  provider: z.enum(['kubernetes', 'aws', 'terraform']),
  apiVersion: str.optional(),
  kind: str,
  namespace: str.optional(),
  name: str,
  uid: str.optional(),
  arn: str.optional(),
  region: str.optional(),
  accountId: str.optional(),
});

const finding = z.object({
  rule: str,
  status: findingStatus,
  severity,
  resource: resourceRefSchema,
  source: sourceLocation.optional(),
  message: str,
  system: z.boolean().optional(),
  waiver: appliedWaiver.optional(),
  details: z.record(str, json).optional(),
});

/**
 * An index list. run@3/run@4: indices (≥ 0), one per finding. run@5: with runs — a negative `-k` right
 * after an index `i` stands for `i+1 … i+k` (`[4, -3, 9]` is 4, 5, 6, 7, 9; src/model/wire.ts).
 */
const indexList = z.array(z.number().int()).meta({ description: 'Indices into the run\'s resources (≥ 0). run@5 writes runs: a negative -k right after an index i stands for the k indices i+1 … i+k ([4, -3, 9] is 4, 5, 6, 7, 9); it never starts a list or follows another run. run@3/run@4 lists hold indices only.' });

const findingGroup = z.object({
  rule: str,
  status: findingStatus,
  severity,
  message: str,
  waiver: appliedWaiver.optional(),
  details: z.record(str, json).optional(),
  resources: indexList.meta({ description: 'Indices into the run\'s resources, outside system namespaces (counted), in the order of the findings (run@5: with runs).' }),
  system: indexList.optional().meta({ description: 'Indices of resources in system namespaces (reported separately, not counted), in the order of the findings (run@5: with runs).' }),
}).meta({ description: 'run@4/run@5: findings of one control identical in everything but their resource, one entry: the body once, the resources by index. Each index is one finding; its resource and source location are the table entry\'s.' });

const passedGroup = z.object({
  rule: str,
  status: z.enum(['pass', 'not-applicable']),
  message: str.meta({ description: 'The message every finding of the group has (one per rule and message).' }),
  resources: indexList.meta({ description: 'Indices into the run\'s resources, outside system namespaces (counted) (run@5: with runs).' }),
  system: indexList.optional().meta({ description: 'Indices of resources in system namespaces (reported separately, not counted) (run@5: with runs).' }),
}).meta({ description: 'Passing or not-applicable findings of one rule with one message, by resource index; severity is the rule\'s (rules), else the control\'s.' });

const runResource = resourceRefSchema.extend({ source: sourceLocation.optional() });

const controlResult = z.object({
  id: str,
  title: str,
  section: z.enum(['CC3', 'CC4', 'CC5', 'CC6', 'CC7', 'CC8', 'CC9', 'P1']),
  sectionTitle: str,
  subheading: str,
  tsc: z.array(str),
  owners: z.object({ primary: z.array(owner), supporting: z.array(owner) }),
  automation: z.enum(['automated', 'partial', 'manual']),
  severity: severity.meta({ description: 'The result\'s severity: the highest severity among its failing findings (not waived, outside the system namespaces), else the control\'s default severity.' }),
  defaultSeverity: severity.optional().meta({ description: 'The catalog\'s default severity of the control (absent from runs stored before it was recorded).' }),
  status,
  message: str,
  description: str,
  evidence: z.object({ required: z.array(str), missing: z.array(str) }),
  notes: z.array(str),
  rules: z.array(z.object({ id: str, title: str, level: ruleLevel, severity })).meta({ description: 'Every rule of the control with its level: a failed required rule fails the control, a failed recommended rule is a warn finding.' }),
  unevaluated: z.array(z.object({ rule: str, level: ruleLevel, reason: str })).meta({ description: 'Rules not evaluated at all because their evidence was not read; reason says which evidence.' }),
  findings: z.array(z.union([findingGroup, finding])).meta({ description: 'run@4/run@5: the findings that are not passes (fail, warn, error, waived; passes with details) as groups of identical findings by resource index. run@3: the same findings, one object each. run@1/run@2: every finding, one object each.' }),
  passed: z.array(passedGroup).optional().meta({ description: 'run@3 … run@5: passing and not-applicable findings as resource indices per rule and message. Absent in run@1/run@2.' }),
  counts: findingCounts,
  systemCounts: findingCounts,
  failSeverity: severity.optional(),
  attestation: attestation.optional(),
  attestationRequired: str.optional(),
  waivers: z.array(appliedWaiver),
  remediation: z.object({ summary: str, commands: z.array(str).optional(), manifest: str.optional() }),
  references: z.array(z.object({ title: str, url: str })),
});

export const runResultSchema = z.object({
  // run@4: index lists one index each (superseded; stored runs keep it).
  // run@3: the findings that are not passes one object each (superseded; stored runs keep it).
  // run@2: one object per finding (superseded; still written by --expand-passing, stored runs keep it).
  // run@1: a run stored before warnings existed, read back from the store in the run@2 shape (no
  // warnings, no rule levels); its verdicts counted failed recommended rules as failures.
  schema: z.enum(['eks-soc2/run@5', 'eks-soc2/run@4', 'eks-soc2/run@3', 'eks-soc2/run@2', 'eks-soc2/run@1']).meta({ description: 'Report contract version: eks-soc2/run@5 (resources once, passing findings as resource indices, the other findings as groups of identical findings by resource index, every index list written with runs of consecutive indices). eks-soc2/run@4 (superseded; stored runs keep it) wrote index lists one index each. eks-soc2/run@3 (superseded; stored runs keep it) wrote the other findings one object each. eks-soc2/run@2 (superseded) has one object per finding: written by --format json --expand-passing and by earlier versions. eks-soc2/run@1 marks a run stored before warnings existed, read back in the run@2 shape (no warnings: its recommended rules failed their control).' }),
  resources: z.array(runResource).optional().meta({ description: 'run@4/run@5: every resource a finding names, once (with the file and line it was read from); passed[].resources and findings[].resources index into it. run@3: the resources passing findings name.' }),
  runId: str.optional(),
  tool: z.object({ name: z.literal('eks-soc2'), version: str }),
  catalogVersion: str,
  startedAt: str,
  finishedAt: str,
  cluster,
  sources: z.object({ kubernetes: str, aws: str }),
  collectorIdentity: str.optional(),
  snapshotDigest: str.optional(),
  summary: z.object({ controls: counts, findings: findingCounts, controlsWithWarnings: z.number(), score: z.number(), bySection: z.record(str, counts), byTsc: z.record(str, counts) }),
  controls: z.array(controlResult),
  gaps: z.array(gap),
  waivers: z.object({
    applied: z.number(),
    issues: z.array(z.object({ id: str.optional(), control: str.optional(), problem: z.enum(['expired', 'invalid', 'unknown-control', 'unused']), message: str, source: fileRef.optional() })),
  }),
  attestations: z.object({
    inForce: z.array(attestation),
    issues: z.array(z.object({ control: str.optional(), problem: z.enum(['expired', 'invalid', 'unknown-control', 'not-yet-valid', 'not-needed']), message: str, source: fileRef.optional() })),
  }),
  selection: z.object({ controls: z.array(str).optional(), sections: z.array(str).optional() }).optional(),
  filters: z.object({
    namespaces: z.array(str).optional(), excludeNamespaces: z.array(str).optional(),
    skipControls: z.array(str).optional(), skipRules: z.array(str).optional(),
  }).optional().meta({ description: 'Filters the run was made with: namespace globs restrict namespaced findings (cluster-scoped and AWS findings are kept); skipped controls are absent from controls; skipped rules are not evaluated.' }),
}).meta({ title: 'eks-soc2 JSON report', description: 'The result of one eks-soc2 run: every control with its status, owners and per-resource findings. Stable contract.' });

// Keep the schemas and the interfaces in step: each must accept what the other describes.
type Assert<T extends true> = T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _SnapshotTopLevel = Assert<Mutual<keyof z.infer<typeof snapshotSchema>, keyof Snapshot>>;
export type _RunTopLevel = Assert<Mutual<keyof z.infer<typeof runResultSchema>, keyof RunResult>>;
export type _ControlKeys = Assert<Mutual<keyof z.infer<typeof controlResult>, keyof RunResult['controls'][number]>>;
export type _FindingKeys = Assert<Mutual<keyof z.infer<typeof finding>, keyof RunResult['controls'][number]['findings'][number]>>;
export type _FindingGroupKeys = Assert<Mutual<keyof z.infer<typeof findingGroup>, keyof FindingGroup>>;
// A group holds every field of a finding but the resource, its source and the system flag.
export type _FindingGroupBody = Assert<Mutual<Exclude<keyof FindingGroup, 'resources' | 'system'>, Exclude<keyof Finding, 'resource' | 'source' | 'system'>>>;

const envelopeSchema = snapshotSchema.extend({
  kubernetes: snapshotSchema.shape.kubernetes.extend({ objects: z.array(json) }),
});

/**
 * Validate a snapshot bundle read from a file; returns a readable problem or undefined. The
 * envelope is checked with the schema; objects only for apiVersion/kind/metadata (a bundle can hold
 * hundreds of thousands of them).
 */
export function snapshotProblem(value: unknown): string | undefined {
  const r = envelopeSchema.safeParse(value);
  if (!r.success) return r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  const objects = r.data.kubernetes.objects;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i] as { apiVersion?: unknown; kind?: unknown; metadata?: unknown } | null;
    if (!o || typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !o.metadata || typeof o.metadata !== 'object') {
      return `kubernetes.objects.${i}: not a Kubernetes object (apiVersion, kind and metadata are required)`;
    }
  }
  return undefined;
}

/**
 * Which shape `findings` has, by report schema: groups (`resources`) in run@4/run@5, one object per
 * finding (`resource`) before; index lists hold runs (negative entries) only in run@5. zod has no conditional, so it is added to the generated JSON Schema.
 */
const findingsItems = (required: string) => ({ properties: { controls: { items: { properties: { findings: { items: { required: [required] } } } } } } });
const nonNegative = { items: { minimum: 0 } };
const listsOf = { items: { properties: { resources: nonNegative, system: nonNegative } } };
const FINDINGS_BY_SCHEMA = {
  allOf: [{
    if: { properties: { schema: { enum: ['eks-soc2/run@4', 'eks-soc2/run@5'] } }, required: ['schema'] },
    then: findingsItems('resources'),
    else: findingsItems('resource'),
  }, {
    // Runs (negative entries) only in run@5's index lists.
    if: { properties: { schema: { const: 'eks-soc2/run@5' } }, required: ['schema'] },
    else: { properties: { controls: { items: { properties: { findings: listsOf, passed: listsOf } } } } },
  }],
};

export function jsonSchemas(): { snapshot: unknown; report: unknown } {
  const opts = { target: 'draft-2020-12' as const, unrepresentable: 'any' as const };
  return {
    snapshot: { $id: 'https://eks-soc2.dev/schemas/snapshot.schema.json', ...z.toJSONSchema(snapshotSchema, opts) },
    report: { $id: 'https://eks-soc2.dev/schemas/report.schema.json', ...z.toJSONSchema(runResultSchema, opts), ...FINDINGS_BY_SCHEMA },
  };
}
