import type { CheckContext, Evidence, EvidenceKey, JsonObject, K8sObject, ResourceRef } from '../../model/index.js';
import { countedEvidence } from '../../model/index.js';
import type { PipelineDeclaration, PipelineMetadata } from '@aws-sdk/client-codepipeline';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Event as TrailEventOutput } from '@aws-sdk/client-cloudtrail';
import type {
  ComplianceByConfigRule, ConfigRule, ConfigurationRecorder, ConfigurationRecorderStatus, ConformancePackDetail,
} from '@aws-sdk/client-config-service';
import type { AwsFact } from '../../model/index.js';
import { awsRef, out, toTime } from './aws.js';
import { inRegion } from './scanners.js';

/**
 * Delivery evidence shared by CC7 and CC8: CodePipeline stages, progressive delivery (Argo Rollouts,
 * Flagger), CloudTrail change events, CloudFormation stacks and AWS Config recorders and rules.
 */

/** Narrowing helpers for untrusted JSON (objects read from files or the API). */
export type Rec = Record<string, unknown>;
export const rec = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The finding resource for an object that is itself the evidence of a control — a GitOps or
 * autoscaler controller, an Argo CD Application, an add-on DaemonSet. They usually live in system
 * namespaces; marked with `countedEvidence` their findings count in the status and keep their
 * namespace. (`at` stays for call sites that append it; it is empty.)
 */
export function asEvidence(o: K8sObject, _ctx: CheckContext): { ref: K8sObject; at: string } {
  return { ref: countedEvidence(o), at: '' };
}

/** True when a key was read but could not be used (denied, error, partial): never decide on it. */
export function unreadable(ev: Evidence, key: EvidenceKey): boolean {
  const s = ev.state(key);
  return s === 'denied' || s === 'error' || s === 'partial';
}

/** Region and account of an ARN, for resource refs. */
export function arnParts(arn: string | undefined): { region?: string; accountId?: string } {
  const m = arn ? /^arn:aws[\w-]*:[\w-]+:([\w-]*):(\d{12})?:/.exec(arn) : null;
  return { ...(m?.[1] ? { region: m[1] } : {}), ...(m?.[2] ? { accountId: m[2] } : {}) };
}

function factRef(kind: string, name: string, arn: string | undefined, f: AwsFact): ResourceRef {
  const p = arnParts(arn);
  return awsRef(kind, name, { arn, region: p.region ?? f.region, accountId: p.accountId ?? f.accountId });
}

// ---------------------------------------------------------------- CodePipeline

export interface PipelineAction {
  stage: string;
  stageIndex: number;
  runOrder: number;
  name: string;
  category: string;
  owner: string;
  provider: string;
  /** Action configuration (CodeBuild ProjectName etc.), for name-based hints. */
  configuration: Record<string, string>;
}

export interface Pipeline {
  name: string;
  ref: ResourceRef;
  actions: PipelineAction[];
}

/** Pipelines from `codepipeline:GetPipeline` (one fact per pipeline). */
export function pipelines(ev: Evidence): Pipeline[] {
  const outList: Pipeline[] = [];
  for (const f of ev.aws('codepipeline:GetPipeline')) {
    const o = out<{ pipeline?: PipelineDeclaration; metadata?: PipelineMetadata }>(f);
    const p = o?.pipeline;
    const name = p?.name ?? str(f.params?.name);
    if (!p || !name) continue;
    const actions: PipelineAction[] = [];
    (p.stages ?? []).forEach((s, stageIndex) => {
      for (const a of s.actions ?? []) {
        actions.push({
          stage: s.name ?? `stage ${stageIndex + 1}`, stageIndex, runOrder: a.runOrder ?? 1, name: a.name ?? '?',
          category: a.actionTypeId?.category ?? '', owner: a.actionTypeId?.owner ?? '', provider: a.actionTypeId?.provider ?? '',
          configuration: a.configuration ?? {},
        });
      }
    });
    outList.push({ name, ref: factRef('AWS::CodePipeline::Pipeline', name, o?.metadata?.pipelineArn, f), actions });
  }
  return outList;
}

/** Pipeline names listed by `codepipeline:ListPipelines`. */
export function listedPipelines(ev: Evidence): string[] {
  return ev.aws('codepipeline:ListPipelines').flatMap((f) => list(out<Rec>(f)?.pipelines).map((p) => str(rec(p)?.name)).filter((n): n is string => Boolean(n)));
}

/** Notes when CodePipeline could not be read, or pipelines were listed but not described. */
export function notePipelineGaps(ev: Evidence, ctx: CheckContext): void {
  if (ev.state('aws:codepipeline:ListPipelines') === 'not-collected' && ev.state('aws:codepipeline:GetPipeline') === 'not-collected') {
    ctx.note('AWS CodePipeline was not read (no AWS evidence in this scan): pipeline signals are unknown');
    return;
  }
  for (const op of ['codepipeline:ListPipelines', 'codepipeline:GetPipeline']) {
    const key: EvidenceKey = `aws:${op}`;
    if (unreadable(ev, key)) ctx.note(`${op} could not be read (${ev.state(key)}): pipeline signals are incomplete`);
  }
  const described = new Set(pipelines(ev).map((p) => p.name));
  const missing = listedPipelines(ev).filter((n) => !described.has(n));
  if (missing.length) ctx.note(`pipelines listed but not described (GetPipeline): ${missing.join(', ')}`);
}

/** True when `a` runs before `b` (an earlier stage, or the same stage with a lower run order). */
export function runsBefore(a: PipelineAction, b: PipelineAction): boolean {
  return a.stageIndex < b.stageIndex || (a.stageIndex === b.stageIndex && a.runOrder < b.runOrder);
}

const PROD = /\bprod(uction)?\b|(^|[-_])prod($|[-_])/i;

/**
 * The Deploy actions that reach production: those whose stage or action name says so, otherwise the
 * last Deploy stage's actions (the pipeline's final target).
 */
export function productionDeploys(p: Pipeline): PipelineAction[] {
  const deploys = p.actions.filter((a) => a.category === 'Deploy');
  const named = deploys.filter((a) => PROD.test(a.stage) || PROD.test(a.name));
  if (named.length) return named;
  const last = Math.max(-1, ...deploys.map((a) => a.stageIndex));
  return deploys.filter((a) => a.stageIndex === last);
}

/** The earliest of a set of actions. */
export function firstAction(actions: readonly PipelineAction[]): PipelineAction | undefined {
  return [...actions].sort((a, b) => a.stageIndex - b.stageIndex || a.runOrder - b.runOrder)[0];
}

const hint = (a: PipelineAction) => `${a.stage} ${a.name} ${a.configuration.ProjectName ?? ''}`;

/** An action that scans for vulnerabilities or misconfiguration (Inspector action, or a scanner by name). */
export function isSecurityScan(a: PipelineAction): boolean {
  if (a.provider === 'InspectorScan') return true;
  return /scan|trivy|grype|snyk|inspector|sast|dast|checkov|tfsec|kics|sonar|semgrep|security|vuln/i.test(hint(a));
}

/** A test action: the Test category, or a Build/Compute action whose name says it runs tests. */
export function isTestAction(a: PipelineAction): 'test' | 'build-named-test' | undefined {
  if (a.category === 'Test') return 'test';
  if ((a.category === 'Build' || a.category === 'Compute') && /test/i.test(hint(a))) return 'build-named-test';
  return undefined;
}

export function isManualApproval(a: PipelineAction): boolean {
  return a.category === 'Approval' && a.provider === 'Manual';
}

export const describeAction = (a: PipelineAction) => `${a.stage}/${a.name} (${a.category}${a.provider ? `: ${a.provider}` : ''})`;

// ---------------------------------------------------------------- progressive delivery

export interface TemplateRef {
  name: string;
  clusterScope: boolean;
}

export interface RolloutAnalysis {
  strategy: 'canary' | 'blueGreen' | undefined;
  /** Analysis runs that can abort the rollout (background, step, or blue-green pre/post promotion). */
  templates: TemplateRef[];
  /** Canary steps are present but none runs an analysis: the rollout can only pause. */
  pauseOnly: boolean;
}

function templateRefs(v: unknown): TemplateRef[] {
  return list(rec(v)?.templates).map((t) => ({ name: str(rec(t)?.templateName) ?? '', clusterScope: rec(t)?.clusterScope === true })).filter((t) => t.name);
}

/** How an Argo Rollouts `Rollout` can roll back on its own. */
export function rolloutAnalysis(r: K8sObject): RolloutAnalysis {
  const strategy = rec(rec(r.spec)?.strategy);
  const canary = rec(strategy?.canary);
  const blueGreen = rec(strategy?.blueGreen);
  if (canary) {
    const steps = list(canary.steps).map(rec);
    const templates = [
      ...templateRefs(canary.analysis),
      ...steps.flatMap((s) => templateRefs(s?.analysis)),
      ...steps.flatMap((s) => list(rec(s?.experiment)?.analyses).map((a) => ({ name: str(rec(a)?.templateName) ?? '', clusterScope: rec(a)?.clusterScope === true })).filter((t) => t.name)),
    ];
    return { strategy: 'canary', templates, pauseOnly: templates.length === 0 };
  }
  if (blueGreen) {
    const templates = [...templateRefs(blueGreen.prePromotionAnalysis), ...templateRefs(blueGreen.postPromotionAnalysis)];
    return { strategy: 'blueGreen', templates, pauseOnly: templates.length === 0 };
  }
  return { strategy: undefined, templates: [], pauseOnly: false };
}

/**
 * Whether an AnalysisTemplate can fail: a metric with a success or failure condition, or a Job
 * metric (the Job's exit status decides). A template of unconditioned metrics never fails.
 */
export function templateCanFail(t: K8sObject): boolean {
  return list(rec(t.spec)?.metrics).some((m) => {
    const x = rec(m);
    return Boolean(str(x?.failureCondition) || str(x?.successCondition) || rec(rec(x?.provider)?.job));
  });
}

/** The Deployment a Rollout or Flagger Canary manages (`workloadRef` / `targetRef`), if it names one. */
export function progressiveTarget(o: K8sObject): { kind: string; name: string } | undefined {
  const spec = rec(o.spec);
  const ref = rec(o.kind === 'Canary' ? spec?.targetRef : spec?.workloadRef);
  const kind = str(ref?.kind);
  const name = str(ref?.name);
  return kind && name ? { kind, name } : undefined;
}

/** Flagger `Canary` analysis: threshold and metrics/webhooks that decide promotion or rollback. */
export function canaryAnalysis(c: K8sObject): { threshold: number | undefined; checks: number } {
  const spec = rec(c.spec);
  const a = rec(spec?.analysis) ?? rec(spec?.canaryAnalysis);
  const threshold = typeof a?.threshold === 'number' ? a.threshold : undefined;
  return { threshold, checks: list(a?.metrics).length + list(a?.webhooks).length };
}

// ---------------------------------------------------------------- CloudTrail

export type AgentClass =
  | 'terraform' | 'opentofu' | 'cloudformation' | 'pulumi' | 'eksctl' | 'crossplane' | 'ack'
  | 'console' | 'aws-cli' | 'sdk' | 'aws-service' | 'unknown';

export const IAC_AGENTS: ReadonlySet<AgentClass> = new Set(['terraform', 'opentofu', 'cloudformation', 'pulumi', 'eksctl', 'crossplane', 'ack']);

export interface TrailEvent {
  id: string;
  name: string;
  time: number | undefined;
  source: string;
  username: string | undefined;
  readOnly: boolean;
  userAgent: string;
  agent: AgentClass;
  resources: string[];
  requestParameters: Rec;
}

/** Classify a CloudTrail `userAgent` (controls.md CC7-CHG-02). */
export function classifyAgent(userAgent: string, fromConsole: boolean): AgentClass {
  const ua = userAgent.toLowerCase();
  if (fromConsole || /(^|[\s,])(console|signin)\.([a-z0-9-]+\.)?amazonaws\.com/.test(ua) || ua.includes('console.aws.amazon.com') || ua.startsWith('mozilla/')) return 'console';
  if (ua.includes('opentofu')) return 'opentofu';
  if (ua.includes('terraform')) return 'terraform';
  if (ua.includes('cloudformation.amazonaws.com')) return 'cloudformation';
  if (ua.includes('pulumi')) return 'pulumi';
  if (ua.includes('eksctl')) return 'eksctl';
  if (ua.includes('crossplane')) return 'crossplane';
  if (ua.includes('aws-controllers-k8s')) return 'ack';
  if (ua.includes('aws-cli/')) return 'aws-cli';
  if (/^[a-z0-9.-]+\.amazonaws\.com$/.test(ua) || ua === 'aws internal') return 'aws-service';
  if (ua.includes('aws-sdk') || ua.includes('boto') || ua.includes('aws-internal')) return 'sdk';
  return 'unknown';
}

/** The JSON event record of a LookupEvents entry (`CloudTrailEvent` is a string); {} when unreadable. */
function parseDetail(text: string | undefined): Rec {
  if (!text) return {};
  try {
    return rec(JSON.parse(text)) ?? {};
  } catch {
    return {};
  }
}

/** CloudTrail events from `cloudtrail:LookupEvents` (all facts, one entry per EventId). */
export function trailEvents(ev: Evidence): TrailEvent[] {
  const seen = new Map<string, TrailEvent>();
  for (const f of ev.aws('cloudtrail:LookupEvents')) {
    for (const e of out<{ Events?: TrailEventOutput[] }>(f)?.Events ?? []) {
      const id = e.EventId ?? `${e.EventName}@${String(e.EventTime)}`;
      if (seen.has(id)) continue;
      const detail = parseDetail(e.CloudTrailEvent);
      const userAgent = str(detail.userAgent) ?? '';
      const fromConsole = str(rec(rec(detail.userIdentity)?.sessionContext)?.sessionCredentialFromConsole) === 'true'
        || str(detail.sessionCredentialFromConsole) === 'true';
      const readOnly = e.ReadOnly !== undefined ? String(e.ReadOnly) === 'true' : detail.readOnly === true;
      seen.set(id, {
        id, name: e.EventName ?? '?', time: toTime(e.EventTime), source: e.EventSource ?? str(detail.eventSource) ?? '',
        username: e.Username, readOnly, userAgent, agent: classifyAgent(userAgent, fromConsole),
        resources: (e.Resources ?? []).map((r) => r.ResourceName ?? '').filter(Boolean),
        requestParameters: rec(detail.requestParameters) ?? {},
      });
    }
  }
  return [...seen.values()].sort((a, b) => (b.time ?? 0) - (a.time ?? 0));
}

/** Write events on the EKS cluster (its name or ARN in the request or the resources). */
export function clusterWriteEvents(events: readonly TrailEvent[], clusterName: string, clusterArn: string | undefined, securityGroups: readonly string[] = []): TrailEvent[] {
  return events.filter((e) => {
    if (e.readOnly) return false;
    const names = [e.requestParameters.name, e.requestParameters.clusterName].filter((x): x is string => typeof x === 'string');
    if (e.source === 'eks.amazonaws.com') {
      return names.includes(clusterName) || (clusterArn !== undefined && names.includes(clusterArn)) || e.resources.includes(clusterName) || (clusterArn !== undefined && e.resources.includes(clusterArn));
    }
    if (e.source === 'ec2.amazonaws.com' && securityGroups.length) {
      const gid = e.requestParameters.groupId;
      return e.resources.some((r) => securityGroups.includes(r)) || (typeof gid === 'string' && securityGroups.includes(gid));
    }
    return false;
  });
}

// ---------------------------------------------------------------- CloudFormation

export interface ClusterStack {
  stack: Stack;
  ref: ResourceRef;
  why: string;
}

const tagMap = (tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));

/**
 * CloudFormation stacks that built the cluster or its node groups: named in the cluster's or a node
 * group's `aws:cloudformation:stack-name` tag, or carrying eksctl's cluster-name stack tags.
 */
export function clusterStacks(ev: Evidence, clusterName: string, stackNames: ReadonlySet<string>): ClusterStack[] {
  const found = new Map<string, ClusterStack>();
  for (const f of ev.aws('cloudformation:DescribeStacks')) {
    for (const s of out<{ Stacks?: Stack[] }>(f)?.Stacks ?? []) {
      if (!s.StackName || found.has(s.StackId ?? s.StackName)) continue;
      const tags = tagMap(s.Tags);
      let why: string | undefined;
      if (stackNames.has(s.StackName)) why = 'named in the cluster/node group tag aws:cloudformation:stack-name';
      else if (tags['alpha.eksctl.io/cluster-name'] === clusterName || tags['eksctl.cluster.k8s.io/v1alpha1/cluster-name'] === clusterName) why = `eksctl stack (eksctl ${tags['alpha.eksctl.io/eksctl-version'] ?? 'version unknown'})`;
      if (!why) continue;
      found.set(s.StackId ?? s.StackName, { stack: s, ref: factRef('AWS::CloudFormation::Stack', s.StackName, s.StackId, f), why });
    }
  }
  return [...found.values()];
}

/** A stack in a settled, successful state (`CREATE_COMPLETE`, `UPDATE_COMPLETE`, `IMPORT_COMPLETE`). */
export function stackHealthy(status: string | undefined): boolean {
  return status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE';
}

// ---------------------------------------------------------------- AWS Config

export const EKS_CONFIG_TYPES = ['AWS::EKS::Cluster', 'AWS::EKS::Addon', 'AWS::EKS::FargateProfile', 'AWS::EKS::IdentityProviderConfig'] as const;
export const EC2_NETWORK_TYPES = ['AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::VPC', 'AWS::EC2::RouteTable'] as const;

export interface Recorder {
  name: string;
  ref: ResourceRef;
  recorder: ConfigurationRecorder;
  status: ConfigurationRecorderStatus | undefined;
  /** Service-linked recorders (created by another AWS service) record only what that service needs. */
  serviceLinked: boolean;
}

function regionFilter(region: string | undefined) {
  return (f: AwsFact) => inRegion(f, region);
}

/** Config recorders with their status (`DescribeConfigurationRecorders` + `...Status`), in `region` when given. */
export function configRecorders(ev: Evidence, region?: string): Recorder[] {
  const statuses = ev.aws('config:DescribeConfigurationRecorderStatus', regionFilter(region))
    .flatMap((f) => out<{ ConfigurationRecordersStatus?: ConfigurationRecorderStatus[] }>(f)?.ConfigurationRecordersStatus ?? []);
  const result: Recorder[] = [];
  for (const f of ev.aws('config:DescribeConfigurationRecorders', regionFilter(region))) {
    for (const r of out<{ ConfigurationRecorders?: ConfigurationRecorder[] }>(f)?.ConfigurationRecorders ?? []) {
      const name = r.name ?? 'default';
      const status = statuses.find((s) => (r.arn && s.arn ? s.arn === r.arn : s.name === name));
      result.push({
        name, recorder: r, status,
        serviceLinked: Boolean(r.servicePrincipal) || name.startsWith('AWSConfigurationRecorderFor'),
        ref: factRef('AWS::Config::ConfigurationRecorder', name, r.arn, f),
      });
    }
  }
  return result;
}

/** Resource types of `types` that a recorder does not record. */
export function unrecordedTypes(r: ConfigurationRecorder, types: readonly string[]): string[] {
  const g = r.recordingGroup;
  if (!g) return [...types];
  const strategy = g.recordingStrategy?.useOnly;
  if (strategy === 'EXCLUSION_BY_RESOURCE_TYPES') {
    const excluded = new Set<string>(g.exclusionByResourceTypes?.resourceTypes ?? []);
    return types.filter((t) => excluded.has(t));
  }
  if (g.allSupported === true || strategy === 'ALL_SUPPORTED_RESOURCE_TYPES') return [];
  const included = new Set<string>(g.resourceTypes ?? []);
  return types.filter((t) => !included.has(t));
}

/** Resource types of `types` recorded only daily (default frequency or an override). */
export function dailyTypes(r: ConfigurationRecorder, types: readonly string[]): string[] {
  const mode = r.recordingMode;
  if (!mode) return [];
  return types.filter((t) => {
    const override = (mode.recordingModeOverrides ?? []).find((o) => (o.resourceTypes as string[] | undefined ?? []).includes(t));
    return (override?.recordingFrequency ?? mode.recordingFrequency) === 'DAILY';
  });
}

export function recorderRecording(s: ConfigurationRecorderStatus | undefined): { recording: boolean; lastStatus: string | undefined } {
  return { recording: s?.recording === true, lastStatus: s?.lastStatus ? String(s.lastStatus) : undefined };
}

/** Managed rule identifiers that evaluate EKS (controls.md CC3-RA-04 / CC8-PIPE-04). */
export const EKS_MANAGED_RULES: ReadonlySet<string> = new Set([
  'EKS_ENDPOINT_NO_PUBLIC_ACCESS', 'EKS_SECRETS_ENCRYPTED', 'EKS_CLUSTER_SECRETS_ENCRYPTED', 'EKS_CLUSTER_LOG_ENABLED',
  'EKS_CLUSTER_SUPPORTED_VERSION', 'EKS_CLUSTER_OLDEST_SUPPORTED_VERSION', 'GUARDDUTY_EKS_PROTECTION_RUNTIME_ENABLED',
]);

export interface ConfigRuleEntry {
  rule: ConfigRule;
  name: string;
  ref: ResourceRef;
  eks: boolean;
  compliance: string | undefined;
}

/** Config rules in `region`, marked when they evaluate EKS, with their compliance. */
export function configRules(ev: Evidence, region?: string): ConfigRuleEntry[] {
  const compliance = new Map<string, string>();
  for (const f of ev.aws('config:DescribeComplianceByConfigRule', regionFilter(region))) {
    for (const c of out<{ ComplianceByConfigRules?: ComplianceByConfigRule[] }>(f)?.ComplianceByConfigRules ?? []) {
      if (c.ConfigRuleName && c.Compliance?.ComplianceType) compliance.set(c.ConfigRuleName, String(c.Compliance.ComplianceType));
    }
  }
  const rules: ConfigRuleEntry[] = [];
  for (const f of ev.aws('config:DescribeConfigRules', regionFilter(region))) {
    for (const r of out<{ ConfigRules?: ConfigRule[] }>(f)?.ConfigRules ?? []) {
      const name = r.ConfigRuleName ?? r.ConfigRuleId ?? '?';
      const id = r.Source?.SourceIdentifier ?? '';
      const scoped = (r.Scope?.ComplianceResourceTypes ?? []).some((t) => t.startsWith('AWS::EKS::'));
      const eks = EKS_MANAGED_RULES.has(id) || id.startsWith('EKS_') || scoped || /^securityhub-eks-/i.test(name);
      rules.push({ rule: r, name, eks, compliance: compliance.get(name), ref: factRef('AWS::Config::ConfigRule', name, r.ConfigRuleArn, f) });
    }
  }
  return rules;
}

/** Conformance packs in `region` (`DescribeConformancePacks`). */
export function conformancePacks(ev: Evidence, region?: string): { pack: ConformancePackDetail; ref: ResourceRef }[] {
  return ev.aws('config:DescribeConformancePacks', regionFilter(region)).flatMap((f) =>
    (out<{ ConformancePackDetails?: ConformancePackDetail[] }>(f)?.ConformancePackDetails ?? [])
      .filter((p) => p.ConformancePackName)
      .map((pack) => ({ pack, ref: factRef('AWS::Config::ConformancePack', pack.ConformancePackName!, pack.ConformancePackArn, f) })));
}

/** JSON-safe copy of a value for finding details. */
export function detailsOf(v: Record<string, unknown>): JsonObject {
  return JSON.parse(JSON.stringify(v)) as JsonObject;
}

/** Shell-style glob (`*`, `?`) match, for namespace lists in the configuration (linear time, model/glob.ts). */
export { globMatch } from '../../model/index.js';
