/**
 * CC8 — Change Management: "Automated Deployment Pipeline" and "Version Management" (checklist
 * Part 2; the evidence supports TSC CC8.1, CC7.1, CC4.1, CC3.4 and CC9.1).
 */
import type { AddonInfo, AddonVersionInfo, InsightSummary, Insight } from '@aws-sdk/client-eks';
import type { ControlDefinition, Evidence, K8sObject } from '../model/index.js';
import { imagesOf, podTemplate } from './lib/workloads.js';
import { defineControl } from './define.js';
import { aws, k8s, need } from './lib/keys.js';
import { addonNames, awsRef, clusterRef, describeAddon, describeCluster, nodegroups, out, toTime } from './lib/aws.js';
import { computeType } from './lib/addons.js';
import {
  ARGO_APP, ARGO_PROJECT, FLUX_HELMRELEASE, FLUX_KUSTOMIZATION, appAutomation, appProjectName, appSyncStatus, fluxState,
  helmDriftMode,
} from './lib/gitops.js';
import {
  EC2_NETWORK_TYPES, EKS_CONFIG_TYPES, arnParts, asEvidence, canaryAnalysis, clusterStacks, clusterWriteEvents,
  configRecorders, configRules, conformancePacks, dailyTypes, describeAction, firstAction, globMatch, isManualApproval,
  isTestAction, notePipelineGaps, pipelines, productionDeploys, progressiveTarget, recorderRecording, rolloutAnalysis,
  list, rec, runsBefore, str, templateCanFail, trailEvents, unreadable, unrecordedTypes,
} from './lib/delivery.js';
import type { Rec } from './lib/delivery.js';
import { clusterScope } from './lib/scanners.js';
import {
  addMinor, clusterVersions, compareVersions, daysUntil, effectiveStatus, findVersion, formatVersion, isoDay, newestStandard,
  parseVersion,
} from './lib/versions.js';
import type { MinorVersion, VersionEntry } from './lib/versions.js';


// ---------------------------------------------------------------- CC8-PIPE-01

const PIPELINE_KEYS = [aws('codepipeline:ListPipelines'), aws('codepipeline:GetPipeline')];

export const CC8_PIPE_01 = defineControl({
  id: 'CC8-PIPE-01',
  title: 'CI/CD pipelines run automated tests before deploying',
  section: 'CC8',
  under: 'deploymentPipeline',
  tsc: ['CC8.1'],
  automation: 'manual',
  attestation: 'the pipeline configuration and a sample of run logs across the audit period showing the tests that gate each deployment',
  severity: 'medium',
  description:
    'Operating effectiveness needs the pipeline configuration and run history over the audit period. As supporting signals, every AWS ' +
    'CodePipeline that deploys must run a Test action (or a build action named as running tests) before its first Deploy action; a ' +
    'pipeline with only build steps before deploying is a warning because its tests cannot be seen.',
  requires: [],
  optional: PIPELINE_KEYS,
  rules: {
    'test-before-deploy': { title: 'A test step runs before the pipeline deploys', severity: 'medium' },
  },
  remediation: {
    summary: 'Add a Test stage (unit, integration and smoke tests) before each Deploy stage and keep run history at least as long as the audit period.',
    commands: ['aws codepipeline get-pipeline --name <pipeline> --query "pipeline.stages[].actions[?actionTypeId.category==\'Test\'].name"'],
  },
  references: [
    { title: 'CodePipeline: valid action types and providers', url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-action-types.html' },
  ],
  check(ev, ctx) {
    notePipelineGaps(ev, ctx);
    for (const p of pipelines(ev)) {
      const first = firstAction(p.actions.filter((a) => a.category === 'Deploy'));
      if (!first) {
        ctx.note(`pipeline ${p.name} has no Deploy action; not evaluated`);
        continue;
      }
      const before = p.actions.filter((a) => runsBefore(a, first));
      const tests = before.filter((a) => isTestAction(a) === 'test');
      const named = before.filter((a) => isTestAction(a) === 'build-named-test');
      if (tests.length || named.length) ctx.pass(p.ref, 'test-before-deploy', `${[...tests, ...named].map(describeAction).join(', ')} before ${describeAction(first)}`);
      else if (before.some((a) => a.category === 'Build' || a.category === 'Compute')) ctx.fail(p.ref, 'test-before-deploy', `only build actions before ${describeAction(first)}: tests, if any, are not visible (add a Test action)`, { severity: 'low' });
      else ctx.fail(p.ref, 'test-before-deploy', `nothing tests the change before ${describeAction(first)}`);
    }
    ctx.manual('upload the pipeline configuration and a sample of run logs across the audit period');
  },
});

// ---------------------------------------------------------------- CC8-PIPE-02

/** Sync windows of an AppProject that apply to an Application. */
function windowsFor(project: K8sObject | undefined, app: K8sObject): Rec[] {
  const dest = rec(rec(app.spec)?.destination) ?? {};
  return list(rec(project?.spec)?.syncWindows).map(rec).filter((w): w is Rec => {
    if (!w) return false;
    const any = (field: string, value: string | undefined) => value !== undefined && list(w[field]).some((p) => typeof p === 'string' && globMatch(p, value));
    return any('applications', app.metadata.name) || any('namespaces', str(dest.namespace)) || any('clusters', str(dest.server)) || any('clusters', str(dest.name));
  });
}

export const CC8_PIPE_02 = defineControl({
  id: 'CC8-PIPE-02',
  title: 'Production deployments pass an approval gate',
  section: 'CC8',
  under: 'deploymentPipeline',
  tsc: ['CC8.1'],
  automation: 'partial',
  attestation: 'branch protection on the production branch (required reviewers, no direct pushes) exported from the Git host, and for manual gates who approved a sample of releases',
  severity: 'medium',
  description:
    'Looks for approval gates the APIs can show: a CodePipeline Manual approval action before the Deploy actions that reach production ' +
    '(stages named prod, otherwise the last Deploy stage); Argo CD Applications synced by hand or held by AppProject sync windows. ' +
    'Auto-synced Applications and Flux rely on the pull-request review in Git, which only the Git host can show: that part is attested.',
  requires: [
    { anyOf: [...PIPELINE_KEYS, k8s(ARGO_APP)], what: 'deployment gates (CodePipeline definitions or Argo CD Applications)' },
  ],
  optional: [k8s(ARGO_PROJECT), k8s(FLUX_KUSTOMIZATION), k8s(FLUX_HELMRELEASE)],
  rules: {
    'pipeline-approval': { title: 'A manual approval precedes the production deploy', severity: 'medium' },
    'argocd-sync-gate': { title: 'Argo CD Applications are synced by hand or held by sync windows', severity: 'medium' },
  },
  remediation: {
    summary:
      'Add a Manual approval action before the production Deploy stage, or require reviewed pull requests on the production GitOps branch; ' +
      'for Argo CD, sync production by hand or define AppProject sync windows.',
    manifest: `# CodePipeline stage before "Deploy-prod"
- name: Approve
  actions:
    - name: release-approval
      actionTypeId: { category: Approval, owner: AWS, provider: Manual, version: "1" }
# Argo CD AppProject: production changes only in the window, manual sync allowed
spec:
  syncWindows:
    - { kind: allow, schedule: "0 9 * * 1-4", duration: 8h, applications: ["*"], manualSync: true }`,
  },
  references: [
    { title: 'CodePipeline: add a manual approval action', url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-action-add.html' },
    { title: 'Argo CD: sync windows', url: 'https://argo-cd.readthedocs.io/en/stable/user-guide/sync_windows/' },
  ],
  check(ev, ctx) {
    notePipelineGaps(ev, ctx);
    let gates = 0;
    for (const p of pipelines(ev)) {
      const prod = firstAction(productionDeploys(p));
      if (!prod) continue;
      const approvals = p.actions.filter((a) => isManualApproval(a) && runsBefore(a, prod));
      if (approvals.length) { gates++; ctx.pass(p.ref, 'pipeline-approval', `${approvals.map(describeAction).join(', ')} before ${describeAction(prod)}`); }
      else ctx.fail(p.ref, 'pipeline-approval', `no Manual approval before ${describeAction(prod)}: changes reach production unapproved`);
    }
    const projects = new Map(ev.objects(ARGO_PROJECT).map((p) => [`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`, p]));
    const projectsRead = ev.has(k8s(ARGO_PROJECT));
    for (const app of ev.objects(ARGO_APP)) {
      const { ref, at } = asEvidence(app, ctx);
      const auto = appAutomation(app);
      const project = projects.get(`${app.metadata.namespace ?? ''}/${appProjectName(app)}`);
      const windows = windowsFor(project, app);
      if (!auto.automated) {
        gates++;
        ctx.pass(ref, 'argocd-sync-gate', `manual sync: a person starts every sync${at}`);
      } else if (windows.length) {
        gates++;
        ctx.pass(ref, 'argocd-sync-gate', `AppProject ${appProjectName(app)} sync windows: ${windows.map((w) => `${String(w.kind)} "${String(w.schedule)}" for ${String(w.duration)}`).join('; ')}${at}`);
      } else {
        ctx.report({
          rule: 'argocd-sync-gate', status: 'manual', resource: ref,
          message: `automated sync${projectsRead ? '' : ' (AppProjects not read)'} and no sync window: the gate is the Git review of the target branch — attest it${at}`,
        });
      }
    }
    if (ev.objects(FLUX_KUSTOMIZATION).length || ev.objects(FLUX_HELMRELEASE).length) {
      ctx.note('Flux applies whatever reaches its branch: the approval gate is the pull-request review in Git (no in-cluster evidence)');
    }
    if (gates === 0) ctx.manual('no machine-visible approval gate: upload the branch-protection settings of the production branch');
  },
});

// ---------------------------------------------------------------- CC8-PIPE-03

export const CC8_PIPE_03 = defineControl({
  id: 'CC8-PIPE-03',
  title: 'Canary releases roll back automatically on failed analysis',
  section: 'CC8',
  under: 'deploymentPipeline',
  tsc: ['CC8.1', 'CC9.1'],
  automation: 'automated',
  attestation: 'which production workloads must be released by canary (set progressiveDeliveryNamespaces to have the tool enforce it)',
  severity: 'medium',
  description:
    'Every Argo Rollouts Rollout must run an analysis that can abort it — background or step analysis for canaries, pre/post-promotion ' +
    'analysis for blue-green — referencing AnalysisTemplates that exist and can fail; a canary made only of setWeight and pause steps ' +
    'merely pauses. Flagger Canaries need an analysis threshold and metrics or webhooks. With progressiveDeliveryNamespaces configured, ' +
    'every Deployment there must be released by such a Rollout or Canary.',
  requires: [need.anyKind(['argoproj.io/Rollout', 'flagger.app/Canary'], 'progressive-delivery objects (Argo Rollouts or Flagger)')],
  optional: [k8s('argoproj.io/AnalysisTemplate'), k8s('argoproj.io/ClusterAnalysisTemplate'), k8s('apps/Deployment')],
  rules: {
    'automated-rollback': { title: 'The canary has an analysis that aborts a bad release', severity: 'medium' },
    'analysis-template': { title: 'Referenced analysis templates exist and can fail', severity: 'medium' },
    'canary-coverage': { title: 'In-scope Deployments are released by canary with analysis', severity: 'medium' },
  },
  remediation: {
    summary: 'Add an AnalysisTemplate with a failure condition and reference it from the canary steps (Argo Rollouts), or add spec.analysis with threshold and metrics (Flagger).',
    manifest: `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: success-rate }
spec:
  metrics:
    - name: success-rate
      interval: 1m
      failureLimit: 2
      successCondition: result[0] >= 0.99
      provider:
        prometheus:
          address: http://prometheus.monitoring:9090
          query: sum(rate(http_requests_total{code!~"5.."}[2m])) / sum(rate(http_requests_total[2m]))
---
# in the Rollout
strategy:
  canary:
    steps:
      - setWeight: 20
      - analysis: { templates: [{ templateName: success-rate }] }
      - setWeight: 50
      - pause: { duration: 5m }`,
  },
  references: [
    { title: 'Argo Rollouts: analysis and progressive delivery', url: 'https://argo-rollouts.readthedocs.io/en/stable/features/analysis/' },
    { title: 'Flagger: canary analysis', url: 'https://docs.flagger.app/usage/how-it-works#canary-analysis' },
  ],
  check(ev, ctx) {
    const withAnalysis = new Set<string>();
    const rollouts = ev.objects('argoproj.io/Rollout');
    const canaries = ev.objects('flagger.app/Canary');
    for (const r of rollouts) {
      const a = rolloutAnalysis(r);
      if (!a.strategy) { ctx.fail(r, 'automated-rollback', 'no canary or blueGreen strategy'); continue; }
      if (a.pauseOnly) { ctx.fail(r, 'automated-rollback', `${a.strategy} without any analysis: the rollout only pauses, nothing aborts a bad release`); continue; }
      let ok = true;
      for (const t of a.templates) {
        const kind = t.clusterScope ? 'argoproj.io/ClusterAnalysisTemplate' : 'argoproj.io/AnalysisTemplate';
        if (!ev.has(k8s(kind))) continue;
        const tpl = ev.get(kind, t.clusterScope ? '' : r.metadata.namespace ?? '', t.name);
        if (!tpl) { ok = false; ctx.fail(r, 'analysis-template', `references ${t.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${t.name}, which does not exist: the analysis errors`); }
        else if (!templateCanFail(tpl)) { ok = false; ctx.fail(tpl, 'analysis-template', 'no metric has a success or failure condition (or a Job provider): the analysis can never fail', { severity: 'low' }); }
        else ctx.pass(tpl, 'analysis-template', 'has failure criteria');
      }
      if (ok) {
        ctx.pass(r, 'automated-rollback', `${a.strategy} with analysis (${a.templates.map((t) => t.name).join(', ')}): a failed analysis aborts and scales back`);
        const target = progressiveTarget(r);
        withAnalysis.add(`${r.metadata.namespace ?? ''}/${target?.name ?? r.metadata.name ?? ''}`);
      }
    }
    for (const c of canaries) {
      const a = canaryAnalysis(c);
      if (a.threshold && a.checks > 0) {
        ctx.pass(c, 'automated-rollback', `Flagger analysis: rollback after ${a.threshold} failed checks (${a.checks} metrics/webhooks)`);
        const target = progressiveTarget(c);
        if (target) withAnalysis.add(`${c.metadata.namespace ?? ''}/${target.name}`);
      } else {
        ctx.fail(c, 'automated-rollback', a.threshold ? 'Flagger analysis has no metrics or webhooks to judge the canary' : 'Flagger analysis has no threshold: failed checks never roll back');
      }
    }
    if (canaries.length) ctx.note('Flagger needs a service mesh or ingress provider (spec.provider or the controller default) to shift traffic');
    if (rollouts.length + canaries.length === 0) ctx.fail(clusterScope(ctx), 'automated-rollback', 'no Argo Rollouts Rollout or Flagger Canary: releases have no automated rollback');

    const scope = ctx.config.progressiveDeliveryNamespaces;
    if (scope.length) {
      if (!ev.has(k8s('apps/Deployment'))) {
        ctx.error('progressiveDeliveryNamespaces is set but Deployments were not collected');
        return;
      }
      for (const d of ev.objects('apps/Deployment')) {
        const ns = d.metadata.namespace ?? 'default';
        if (!scope.some((p) => globMatch(p, ns)) || (d.metadata.ownerReferences ?? []).some((o) => o.controller)) continue;
        if (withAnalysis.has(`${ns}/${d.metadata.name ?? ''}`)) ctx.pass(d, 'canary-coverage', 'released by a canary with analysis');
        else ctx.fail(d, 'canary-coverage', 'in a progressive-delivery namespace but not released by a Rollout or Flagger Canary with analysis');
      }
    }
  },
});

// ---------------------------------------------------------------- CC8-PIPE-04

export const CC8_PIPE_04 = defineControl({
  id: 'CC8-PIPE-04',
  title: 'Configuration drift is detected in AWS (Config) and in the cluster (GitOps)',
  section: 'CC8',
  under: 'deploymentPipeline',
  tsc: ['CC7.1', 'CC8.1', 'CC4.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    "In the cluster's region a customer-managed AWS Config recorder must be recording (last status successful) the EKS resource types " +
    'and the EC2 network types, with at least one active EKS rule (managed EKS_* rules, rules scoped to AWS::EKS::*, Security Hub ' +
    'securityhub-eks-* rules) or an EKS conformance pack. Daily recording delays detection (warning). Open drift is reported: non-compliant ' +
    'EKS rules and drifted cluster stacks. AWS Config does not record Kubernetes objects, so in-cluster drift must be detected by GitOps: ' +
    'Argo CD Applications OutOfSync, Flux Kustomizations/HelmReleases not Ready, HelmReleases without drift detection.',
  requires: [
    need.aws('config:DescribeConfigurationRecorders', 'AWS Config recorders'),
    need.aws('config:DescribeConfigurationRecorderStatus', 'AWS Config recorder status'),
    need.aws('config:DescribeConfigRules', 'AWS Config rules'),
    { anyOf: [k8s(ARGO_APP), k8s(FLUX_KUSTOMIZATION), k8s(FLUX_HELMRELEASE)], what: 'GitOps objects (in-cluster drift: Argo CD Applications, Flux Kustomizations/HelmReleases)' },
  ],
  optional: [
    aws('config:DescribeComplianceByConfigRule'), aws('config:DescribeConformancePacks'), aws('cloudformation:DescribeStacks'),
    aws('eks:DescribeCluster'), aws('eks:DescribeNodegroup'),
  ],
  rules: {
    'config-recorder': { title: 'A customer AWS Config recorder records EKS and network resources', severity: 'high' },
    'recording-frequency': { title: 'EKS resources are recorded continuously', severity: 'low' },
    'eks-config-rules': { title: 'Active AWS Config rules evaluate EKS', severity: 'medium' },
    'config-drift': { title: 'No open drift in AWS (non-compliant EKS rules, drifted stacks)', severity: 'medium' },
    'gitops-drift': { title: 'In-cluster drift is detected and none is open', severity: 'medium' },
  },
  remediation: {
    summary: 'Record all resource types with a customer recorder in every cluster region, deploy the EKS conformance pack, and enable GitOps drift detection and self-heal.',
    commands: [
      'aws configservice describe-configuration-recorder-status',
      'aws configservice put-conformance-pack --conformance-pack-name eks-security-best-practices --template-s3-uri s3://<bucket>/Security-Best-Practices-for-EKS.yaml',
      'kubectl -n argocd get applications -o custom-columns=NAME:.metadata.name,SYNC:.status.sync.status',
    ],
  },
  references: [
    { title: 'AWS Config: security best practices for Amazon EKS (conformance pack)', url: 'https://docs.aws.amazon.com/config/latest/developerguide/security-best-practices-for-EKS.html' },
    { title: 'AWS Config: recording resources', url: 'https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html' },
    { title: 'Flux: HelmRelease drift detection', url: 'https://fluxcd.io/flux/components/helm/helmreleases/#drift-detection' },
  ],
  check(ev, ctx) {
    const cluster = ev.has(aws('eks:DescribeCluster')) ? describeCluster(ev, ctx.clusterName) : undefined;
    const cref = cluster ? clusterRef(cluster) : clusterScope(ctx);
    const region = arnParts(cluster?.arn).region;
    const where = region ? ` in ${region}` : '';

    // AWS Config recorder.
    const recorders = configRecorders(ev, region);
    const customer = recorders.filter((r) => !r.serviceLinked);
    for (const r of recorders.filter((x) => x.serviceLinked)) ctx.note(`service-linked recorder ${r.name} (${r.recorder.servicePrincipal ?? 'AWS service'}) records only what that service needs; not counted`);
    if (!customer.length) ctx.fail(cref, 'config-recorder', `no customer-managed AWS Config recorder${where}: configuration changes are not recorded`);
    const watched = [...EKS_CONFIG_TYPES, ...EC2_NETWORK_TYPES];
    for (const r of customer) {
      const st = recorderRecording(r.status);
      const missing = unrecordedTypes(r.recorder, watched);
      if (!st.recording) ctx.fail(r.ref, 'config-recorder', 'recorder is stopped (recording: false)');
      else if (st.lastStatus && st.lastStatus.toUpperCase() === 'FAILURE') ctx.fail(r.ref, 'config-recorder', `last recording failed${r.status?.lastErrorCode ? `: ${r.status.lastErrorCode}` : ''}`);
      else if (missing.length) ctx.fail(r.ref, 'config-recorder', `does not record ${missing.join(', ')}`);
      else ctx.pass(r.ref, 'config-recorder', `recording${st.lastStatus ? ` (last status ${st.lastStatus})` : ''}, covers the EKS and EC2 network types`);
      const daily = dailyTypes(r.recorder, watched);
      if (daily.length) ctx.fail(r.ref, 'recording-frequency', `daily recording for ${daily.join(', ')}: changes are seen up to a day late`);
      else ctx.pass(r.ref, 'recording-frequency', 'continuous recording');
    }

    // EKS rules, conformance packs, open drift.
    const rules = configRules(ev, region).filter((r) => r.eks && (!r.rule.ConfigRuleState || r.rule.ConfigRuleState === 'ACTIVE'));
    const packs = conformancePacks(ev, region).filter((p) => /eks/i.test(p.pack.ConformancePackName ?? ''));
    if (!rules.length && !packs.length) ctx.fail(cref, 'eks-config-rules', `no active AWS Config rule evaluates EKS${where} and no EKS conformance pack is deployed`);
    for (const p of packs) ctx.pass(p.ref, 'eks-config-rules', `conformance pack ${p.pack.ConformancePackName} deployed`);
    const complianceRead = ev.has(aws('config:DescribeComplianceByConfigRule'));
    for (const r of rules) {
      const id = r.rule.Source?.SourceIdentifier;
      const label = id && id !== r.name ? ` (${id})` : '';
      if (r.compliance === 'NON_COMPLIANT') ctx.fail(r.ref, 'config-drift', `NON_COMPLIANT${label}: resources differ from the baseline this rule enforces`);
      else if (r.compliance === 'INSUFFICIENT_DATA') ctx.fail(r.ref, 'eks-config-rules', `active${label} but no evaluation result yet (INSUFFICIENT_DATA)`, { severity: 'low' });
      else ctx.pass(r.ref, 'eks-config-rules', `active${label}${r.compliance ? `, ${r.compliance}` : complianceRead ? ', not evaluated' : ''}`);
    }
    if (cluster?.name && ev.has(aws('cloudformation:DescribeStacks'))) {
      const names = new Set([cluster.tags?.['aws:cloudformation:stack-name'], ...nodegroups(ev).map((n) => n.tags?.['aws:cloudformation:stack-name'])].filter((n): n is string => Boolean(n)));
      for (const s of clusterStacks(ev, cluster.name, names)) {
        const drift = s.stack.DriftInformation?.StackDriftStatus;
        if (drift === 'DRIFTED') ctx.fail(s.ref, 'config-drift', `stack DRIFTED at the last drift check (${isoDay(toTime(s.stack.DriftInformation?.LastCheckTimestamp))})`);
        else if (drift === 'IN_SYNC') ctx.pass(s.ref, 'config-drift', `stack IN_SYNC at the last drift check (${isoDay(toTime(s.stack.DriftInformation?.LastCheckTimestamp))})`);
      }
    }

    // In-cluster drift through GitOps.
    const apps = ev.objects(ARGO_APP);
    const flux = [...ev.objects(FLUX_KUSTOMIZATION), ...ev.objects(FLUX_HELMRELEASE)];
    if (!apps.length && !flux.length) ctx.fail(cref, 'gitops-drift', 'no in-cluster drift detection: AWS Config does not record Kubernetes objects and no Argo CD Application or Flux object exists');
    for (const app of apps) {
      const { ref, at } = asEvidence(app, ctx);
      const sync = appSyncStatus(app);
      if (sync === 'OutOfSync') ctx.fail(ref, 'gitops-drift', `OutOfSync: the live objects differ from Git (open drift)${at}`);
      else if (sync === 'Synced') ctx.pass(ref, 'gitops-drift', `Synced: Argo CD compares live objects with Git${at}`);
      else ctx.pass(ref, 'gitops-drift', `Argo CD compares live objects with Git (no status in the input)${at}`);
    }
    for (const o of flux) {
      const { ref, at } = asEvidence(o, ctx);
      const st = fluxState(o);
      if (st.suspended) ctx.fail(ref, 'gitops-drift', `suspended: drift is neither detected nor corrected${at}`);
      else if (st.ready === 'False') ctx.fail(ref, 'gitops-drift', `Ready=False: the last reconciliation failed, drift may be open${at}`);
      else if (o.kind === 'HelmRelease' && helmDriftMode(o) === 'disabled') ctx.fail(ref, 'gitops-drift', `drift detection disabled: in-cluster changes to the release go unnoticed${at}`, { severity: 'low' });
      else ctx.pass(ref, 'gitops-drift', `${o.kind === 'HelmRelease' ? `drift detection ${helmDriftMode(o)}` : 'reconciled against Git at every interval'}${at}`);
    }
  },
});

// ---------------------------------------------------------------- CC8-VER-01

function skewVerdict(cp: MinorVersion, v: MinorVersion): { ok: boolean; severity?: 'high' | 'low'; text: string } {
  const behind = cp.minor - v.minor;
  if (v.major !== cp.major || behind < 0) return { ok: false, severity: 'high', text: `${formatVersion(v)} is newer than the control plane ${formatVersion(cp)} (unsupported skew)` };
  if (behind > 3) return { ok: false, severity: 'high', text: `${formatVersion(v)} is ${behind} minors behind the control plane ${formatVersion(cp)} (more than the 3 allowed)` };
  if (behind > 0) return { ok: false, severity: 'low', text: `${formatVersion(v)} is ${behind} minor(s) behind the control plane ${formatVersion(cp)}: allowed, but AWS recommends the same version` };
  return { ok: true, text: `${formatVersion(v)} matches the control plane` };
}

export const CC8_VER_01 = defineControl({
  id: 'CC8-VER-01',
  title: 'The EKS version is within N-2 and in standard support',
  section: 'CC8',
  under: 'versionManagement',
  tsc: ['CC7.1', 'CC8.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Computed at run time from DescribeClusterVersions: N is the highest version in standard support (versions compared as integers), ' +
    'and the cluster must run N, N-1 or N-2. Separately, the version must be in standard support: unsupported fails, extended support ' +
    'fails (configurable to a warning), and standard support ending within the warning window is a warning. Published end dates that ' +
    'have passed override a stale status. Nodes (kubelet) and managed node groups must not be newer than the control plane nor more than ' +
    'three minors behind; any lag is a warning. upgradePolicy.supportType is only the policy, never the support state.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (version)'),
    need.aws('eks:DescribeClusterVersions', 'the EKS version calendar (DescribeClusterVersions)'),
    need.kind('core/Node', 'nodes (kubelet versions)'),
  ],
  optional: [aws('eks:DescribeNodegroup')],
  rules: {
    'within-n-2': { title: 'The control plane is N, N-1 or N-2', severity: 'high' },
    'support-status': { title: 'The control plane version is in standard support', severity: 'high' },
    'kubelet-skew': { title: 'Node kubelets match the control plane (within the skew policy)', severity: 'medium' },
    'nodegroup-version': { title: 'Managed node groups match the control plane', severity: 'medium' },
  },
  remediation: {
    summary: 'Upgrade one minor version at a time — control plane, then add-ons, then nodes — until the cluster is within N-2 and in standard support.',
    commands: [
      'aws eks describe-cluster-versions --cluster-type eks --include-all',
      'aws eks update-cluster-version --name $CLUSTER_NAME --kubernetes-version <next-minor>',
      'aws eks update-nodegroup-version --cluster-name $CLUSTER_NAME --nodegroup-name <nodegroup>',
    ],
  },
  references: [
    { title: 'Amazon EKS: Kubernetes version lifecycle', url: 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html' },
    { title: 'EKS API: DescribeClusterVersions', url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeClusterVersions.html' },
    { title: 'EKS API: ClusterVersionInformation', url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_ClusterVersionInformation.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const cv = parseVersion(cluster?.version);
    if (!cluster || !cv) { ctx.error('eks:DescribeCluster gave no readable cluster version'); return; }
    const cref = clusterRef(cluster);
    const now = ctx.now.getTime();
    const entries = clusterVersions(ev);
    const n = newestStandard(entries, now);
    if (!n) { ctx.error('DescribeClusterVersions lists no version in standard support (was it called with includeAll?)'); return; }
    const lowest = addMinor(n.version, -2);
    const label = formatVersion(cv);
    const allowed = `${formatVersion(lowest)}–${n.label}`;
    const within = compareVersions(cv, lowest) >= 0;
    if (within) ctx.pass(cref, 'within-n-2', `${label} is within N-2 (N = ${n.label}, allowed ${allowed})`, { n: n.label });
    else ctx.fail(cref, 'within-n-2', `${label} is N-${n.version.minor - cv.minor} (N = ${n.label}, allowed ${allowed})`, { details: { n: n.label } });

    const entry = findVersion(entries, cv);
    const status = entry ? effectiveStatus(entry, now) : undefined;
    let standard = false;
    if (!entry) {
      const oldest = entries[entries.length - 1];
      if (oldest && compareVersions(cv, oldest.version) < 0) ctx.fail(cref, 'support-status', `${label} is older than every version EKS lists: unsupported`, { severity: 'critical' });
      else ctx.error(`version ${label} is not in the DescribeClusterVersions answer`);
    } else if (status === 'UNSUPPORTED') {
      ctx.fail(cref, 'support-status', `${label} is unsupported (extended support ended ${isoDay(entry.endOfExtendedSupport)}): EKS will upgrade the control plane, add-ons and nodes are left behind`, { severity: 'critical' });
    } else if (status === 'EXTENDED_SUPPORT') {
      ctx.fail(cref, 'support-status', `${label} is in extended support since ${isoDay(entry.endOfStandardSupport)} (until ${isoDay(entry.endOfExtendedSupport)}, billed extra)`,
        { severity: ctx.config.thresholds.failOnExtendedSupport ? 'high' : 'low' });
    } else if (status === 'STANDARD_SUPPORT') {
      standard = true;
      const days = entry.endOfStandardSupport !== undefined ? daysUntil(entry.endOfStandardSupport, now) : undefined;
      if (days !== undefined && days < ctx.config.thresholds.versionSupportWarningDays) ctx.fail(cref, 'support-status', `${label} leaves standard support in ${days} days (${isoDay(entry.endOfStandardSupport)}): plan the upgrade`, { severity: 'low' });
      else ctx.pass(cref, 'support-status', `${label} is in standard support until ${isoDay(entry.endOfStandardSupport)}${days !== undefined ? ` (${days} days)` : ''}`);
    } else {
      ctx.error(`DescribeClusterVersions gives no support status for ${label}`);
    }
    ctx.note(`within N-2: ${within ? 'yes' : 'no'} (N = ${n.label}); in standard support: ${standard ? 'yes' : 'no'} — two separate facts`);
    if (cluster.upgradePolicy?.supportType) ctx.note(`upgradePolicy.supportType = ${cluster.upgradePolicy.supportType} is the policy at end of standard support, not the current support state`);

    for (const node of ev.objects('core/Node')) {
      const kv = parseVersion(str(rec(rec(node.status)?.nodeInfo)?.kubeletVersion));
      if (!kv) continue;
      const v = skewVerdict(cv, kv);
      const fargate = computeType(node) === 'fargate' ? ' (Fargate: re-create the pods to move them to a new kubelet)' : '';
      if (v.ok) ctx.pass(node, 'kubelet-skew', `kubelet ${v.text}`);
      else ctx.fail(node, 'kubelet-skew', `kubelet ${v.text}${fargate}`, v.severity ? { severity: v.severity } : undefined);
    }
    for (const ng of nodegroups(ev)) {
      const nv = parseVersion(ng.version);
      if (!nv || !ng.nodegroupName) continue;
      const v = skewVerdict(cv, nv);
      const ref = awsRef('AWS::EKS::Nodegroup', ng.nodegroupName, { arn: ng.nodegroupArn, ...arnParts(ng.nodegroupArn) });
      const msg = `node group ${v.text}${ng.releaseVersion ? ` (AMI release ${ng.releaseVersion})` : ''}`;
      if (v.ok) ctx.pass(ref, 'nodegroup-version', msg);
      else ctx.fail(ref, 'nodegroup-version', msg, v.severity ? { severity: v.severity } : undefined);
    }
  },
});

// ---------------------------------------------------------------- CC8-VER-02

function versionsIfRead(ev: Evidence): VersionEntry[] | undefined {
  return ev.has(aws('eks:DescribeClusterVersions')) ? clusterVersions(ev) : undefined;
}

export const CC8_VER_02 = defineControl({
  id: 'CC8-VER-02',
  title: 'Cluster upgrades are planned with the EKS upgrade insights',
  section: 'CC8',
  under: 'versionManagement',
  tsc: ['CC8.1', 'CC3.4'],
  automation: 'partial',
  attestation: 'the upgrade calendar (at least one minor every four months to stay within N-2) and, when standard support is ending, the dated upgrade plan',
  severity: 'medium',
  description:
    'Reads the EKS UPGRADE_READINESS insights for the next minor version: ERROR insights fail, WARNING insights are warnings. The time ' +
    'left in standard support for the current version is shown; inside the warning window the upgrade plan must be attested. Control-plane ' +
    'upgrades found in CloudTrail (90 days) are listed as upgrade history.',
  requires: [
    need.aws('eks:ListInsights', 'EKS cluster insights (UPGRADE_READINESS)'),
    need.aws('eks:DescribeCluster', 'the EKS cluster description (version)'),
  ],
  optional: [aws('eks:DescribeClusterVersions'), aws('eks:DescribeInsight'), aws('cloudtrail:LookupEvents')],
  rules: {
    'upgrade-insight': { title: 'No upgrade-readiness insight for the next minor is in ERROR or WARNING', severity: 'high' },
    'upgrade-runway': { title: 'Enough standard support remains, or an upgrade plan exists', severity: 'medium' },
  },
  remediation: {
    summary: 'Resolve ERROR and WARNING insights (deprecated APIs, kubelet skew, add-on versions) before upgrading; schedule upgrades at least one minor every four months.',
    commands: [
      'aws eks list-insights --cluster-name $CLUSTER_NAME --filter categories=UPGRADE_READINESS',
      'aws eks describe-insight --cluster-name $CLUSTER_NAME --id <insight-id>',
    ],
  },
  references: [
    { title: 'EKS API: ListInsights', url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_ListInsights.html' },
    { title: 'Amazon EKS: view cluster insights', url: 'https://docs.aws.amazon.com/eks/latest/userguide/view-cluster-insights.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const cv = parseVersion(cluster?.version);
    if (!cluster || !cv) { ctx.error('eks:DescribeCluster gave no readable cluster version'); return; }
    const cref = clusterRef(cluster);
    const next = addMinor(cv, 1);
    const nextLabel = formatVersion(next);
    const entries = versionsIfRead(ev);
    const nextExists = entries ? findVersion(entries, next) !== undefined : undefined;
    if (nextExists === false) ctx.note(`no EKS version newer than ${formatVersion(cv)} exists yet: nothing to upgrade to`);

    const details = new Map<string, Insight>();
    for (const f of ev.aws('eks:DescribeInsight')) {
      const i = rec(out(f))?.insight as Insight | undefined;
      if (i?.id) details.set(i.id, i);
    }
    const seen = new Set<string>();
    let relevant = 0;
    for (const f of ev.aws('eks:ListInsights')) {
      for (const i of (rec(out(f))?.insights as InsightSummary[] | undefined) ?? []) {
        const key = i.id ?? i.name ?? '';
        if (seen.has(key)) continue;
        seen.add(key);
        if (i.category && i.category !== 'UPGRADE_READINESS') continue;
        if (i.kubernetesVersion && parseVersion(i.kubernetesVersion) && compareVersions(parseVersion(i.kubernetesVersion)!, next) !== 0) continue;
        relevant++;
        const ref = awsRef('AWS::EKS::Insight', i.name ?? key, { region: f.region, accountId: f.accountId });
        const status = i.insightStatus?.status;
        const reason = i.insightStatus?.reason ? `: ${i.insightStatus.reason}` : '';
        const rec2 = details.get(i.id ?? '')?.recommendation;
        const msg = `${i.name ?? key} for ${i.kubernetesVersion ?? nextLabel}${reason}${rec2 ? ` — ${rec2}` : ''} (refreshed ${isoDay(toTime(i.lastRefreshTime))})`;
        if (status === 'ERROR') ctx.fail(ref, 'upgrade-insight', `ERROR ${msg}`);
        else if (status === 'WARNING') ctx.fail(ref, 'upgrade-insight', `WARNING ${msg}`, { severity: 'low' });
        else if (status === 'PASSING') ctx.pass(ref, 'upgrade-insight', `PASSING ${msg}`);
        else ctx.note(`insight ${msg} has status ${status ?? 'UNKNOWN'}`);
      }
    }
    if (relevant === 0 && nextExists !== false) ctx.note(`no UPGRADE_READINESS insight for ${nextLabel} was returned (insights refresh about daily)`);

    const current = entries ? findVersion(entries, cv) : undefined;
    if (current?.endOfStandardSupport !== undefined) {
      const days = daysUntil(current.endOfStandardSupport, ctx.now.getTime());
      const when = isoDay(current.endOfStandardSupport);
      if (days >= ctx.config.thresholds.versionSupportWarningDays) ctx.pass(cref, 'upgrade-runway', `${days} days of standard support left for ${formatVersion(cv)} (until ${when})`);
      else ctx.report({ rule: 'upgrade-runway', status: 'manual', resource: cref, message: days < 0 ? `standard support for ${formatVersion(cv)} ended ${when}: attest the dated upgrade plan` : `standard support for ${formatVersion(cv)} ends in ${days} days (${when}): attest the dated upgrade plan` });
    } else {
      ctx.note('the end of standard support of the current version is unknown (DescribeClusterVersions not read)');
    }

    if (ev.has(aws('cloudtrail:LookupEvents')) && cluster.name) {
      const upgrades = clusterWriteEvents(trailEvents(ev), cluster.name, cluster.arn).filter((e) => e.name === 'UpdateClusterVersion');
      const v = (e: (typeof upgrades)[number]) => str(e.requestParameters.version);
      ctx.note(upgrades.length
        ? `control-plane upgrades in CloudTrail: ${upgrades.map((e) => `${isoDay(e.time)}${v(e) ? ` to ${v(e)}` : ''}`).join(', ')}`
        : 'no control-plane upgrade in the CloudTrail lookup window (90 days); older history needs the organization trail');
    }
  },
});

// ---------------------------------------------------------------- CC8-VER-03

/** Components that are not EKS add-ons but must support the next Kubernetes minor. */
const COMPONENTS: { name: string; images: string[]; addon?: string }[] = [
  { name: 'Karpenter', images: ['karpenter/controller'] },
  { name: 'AWS Load Balancer Controller', images: ['aws-load-balancer-controller'] },
  { name: 'cluster-autoscaler', images: ['cluster-autoscaler'] },
  { name: 'Istio', images: ['istio/pilot'] },
  { name: 'Linkerd', images: ['linkerd/controller', 'linkerd/proxy-identity'] },
  { name: 'Gatekeeper', images: ['openpolicyagent/gatekeeper'] },
  { name: 'Kyverno', images: ['kyverno/kyverno'] },
  { name: 'Falco', images: ['falcosecurity/falco'] },
  { name: 'Trivy operator', images: ['aquasec/trivy-operator', 'aquasecurity/trivy-operator'] },
  { name: 'cert-manager', images: ['cert-manager-controller'] },
  { name: 'External Secrets Operator', images: ['external-secrets/external-secrets'] },
  { name: 'Argo CD', images: ['argoproj/argocd'] },
  { name: 'Argo Rollouts', images: ['argoproj/argo-rollouts'] },
  { name: 'Flux', images: ['fluxcd/source-controller'] },
  { name: 'Secrets Store CSI driver', images: ['csi-secrets-store/driver'], addon: 'aws-secrets-store-csi-driver-provider' },
  { name: 'metrics-server', images: ['metrics-server/metrics-server'], addon: 'metrics-server' },
  { name: 'Calico', images: ['calico/node'] },
  { name: 'Cilium', images: ['cilium/cilium'] },
];

/** Add-on versions known to work on `v` (from facts asked for that version, or from listed compatibilities). */
function compatibleVersions(ev: Evidence, addon: string, v: string): { known: boolean; versions: AddonVersionInfo[] } {
  let known = false;
  const versions = new Map<string, AddonVersionInfo>();
  for (const f of ev.aws('eks:DescribeAddonVersions')) {
    const asked = str(f.params?.kubernetesVersion);
    // An answer to "versions of this add-on for v" settles the question even when it is empty.
    if (asked === v && str(f.params?.addonName) === addon) known = true;
    for (const a of (rec(out(f))?.addons as AddonInfo[] | undefined) ?? []) {
      if (a.addonName !== addon) continue;
      if (asked === v || asked === undefined) known = true;
      for (const av of a.addonVersions ?? []) {
        const listed = (av.compatibilities ?? []).some((c) => c.clusterVersion === v);
        if ((asked === v || listed) && av.addonVersion) versions.set(av.addonVersion, av);
      }
    }
  }
  return { known, versions: [...versions.values()] };
}

export const CC8_VER_03 = defineControl({
  id: 'CC8-VER-03',
  title: 'Add-ons are compatible with the current and the next Kubernetes version',
  section: 'CC8',
  under: 'versionManagement',
  tsc: ['CC8.1'],
  automation: 'automated',
  attestation: 'compatibility testing of the components that are not EKS add-ons (Karpenter, load balancer controller, policy engines, mesh...) against the next minor',
  severity: 'medium',
  description:
    'For every EKS add-on, the installed version (DescribeAddon) must be listed as compatible with the current cluster version, and ' +
    'DescribeAddonVersions must offer a version for the next minor when EKS already has it. Components installed outside EKS add-ons ' +
    'are listed with their image so their compatibility can be checked against each project\'s matrix and attested.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (version)'),
    need.aws('eks:ListAddons', 'the EKS add-on list'),
  ],
  optional: [
    aws('eks:DescribeAddon'), aws('eks:DescribeAddonVersions'), aws('eks:DescribeClusterVersions'),
    k8s('apps/Deployment'), k8s('apps/DaemonSet'), k8s('apps/StatefulSet'),
  ],
  rules: {
    'current-compatible': { title: 'The installed add-on version supports the current cluster version', severity: 'high' },
    'next-available': { title: 'A version of the add-on supports the next minor', severity: 'high' },
    'other-components': { title: 'Components outside EKS add-ons are checked against the next minor', severity: 'medium' },
  },
  remediation: {
    summary: 'Before each upgrade, find a compatible version of every add-on and update it in a test cluster first; check the other components against their projects\' matrices.',
    commands: [
      'aws eks describe-addon-versions --addon-name <name> --kubernetes-version <next-minor>',
      'aws eks update-addon --cluster-name $CLUSTER_NAME --addon-name <name> --addon-version <compatible-version>',
    ],
  },
  references: [
    { title: 'EKS API: DescribeAddonVersions', url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html' },
    { title: 'Amazon EKS: update an add-on', url: 'https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const cv = parseVersion(cluster?.version);
    if (!cluster || !cv) { ctx.error('eks:DescribeCluster gave no readable cluster version'); return; }
    const current = formatVersion(cv);
    const next = formatVersion(addMinor(cv, 1));
    const entries = versionsIfRead(ev);
    const nextEntry = entries ? findVersion(entries, addMinor(cv, 1)) : undefined;
    const checkNext = nextEntry !== undefined && effectiveStatus(nextEntry, ctx.now.getTime()) !== 'UNSUPPORTED';
    if (!entries) ctx.note('DescribeClusterVersions not read: the next minor was not checked');
    else if (!checkNext) ctx.note(`EKS has no ${next} yet: only the current version was checked`);

    const names = addonNames(ev);
    if (names.length && unreadable(ev, aws('eks:DescribeAddonVersions'))) { ctx.error(`eks:DescribeAddonVersions could not be read (${ev.state(aws('eks:DescribeAddonVersions'))})`); return; }
    const unknown: string[] = [];
    for (const name of names) {
      const addon = describeAddon(ev, name);
      const ref = awsRef('AWS::EKS::Addon', name, { arn: addon?.addonArn, ...arnParts(addon?.addonArn) });
      const installed = addon?.addonVersion;
      const cur = compatibleVersions(ev, name, current);
      if (!installed || !cur.known) { unknown.push(`${name}${!installed ? ' (DescribeAddon)' : ` (versions for ${current})`}`); continue; }
      if (cur.versions.some((v) => v.addonVersion === installed)) ctx.pass(ref, 'current-compatible', `${installed} supports ${current}`);
      else ctx.fail(ref, 'current-compatible', `${installed} is not listed as compatible with ${current}`);
      if (!checkNext) continue;
      const nx = compatibleVersions(ev, name, next);
      if (!nx.known) { unknown.push(`${name} (versions for ${next})`); continue; }
      const def = nx.versions.find((v) => v.compatibilities?.some((c) => c.clusterVersion === next && c.defaultVersion))?.addonVersion;
      if (nx.versions.some((v) => v.addonVersion === installed)) ctx.pass(ref, 'next-available', `${installed} also supports ${next}: no add-on update needed before the upgrade`);
      else if (nx.versions.length) ctx.pass(ref, 'next-available', `${next} is supported by ${nx.versions.length} version(s)${def ? ` (default ${def})` : ''}: update ${installed} during the upgrade`);
      else ctx.fail(ref, 'next-available', `no version of ${name} supports ${next}: upgrading the cluster would leave it unsupported`);
    }

    const others: string[] = [];
    // One pass over the workloads' images for every component (not one pass per component: at
    // 25,000 workloads that was the costliest part of this check).
    const wanted = COMPONENTS.filter((comp) => !(comp.addon && names.includes(comp.addon)));
    const firstHit = new Map<string, { obj: K8sObject; image: string }>();
    for (const k of ['apps/Deployment', 'apps/DaemonSet', 'apps/StatefulSet']) {
      if (!ev.has(k8s(k)) || firstHit.size === wanted.length) continue;
      for (const o of ev.objects(k)) {
        const tpl = podTemplate(o);
        if (!tpl) continue;
        for (const image of imagesOf(tpl.spec)) {
          for (const comp of wanted) {
            if (!firstHit.has(comp.name) && comp.images.some((n) => image.includes(n))) firstHit.set(comp.name, { obj: o, image });
          }
        }
        if (firstHit.size === wanted.length) break;
      }
    }
    for (const comp of wanted) {
      const hit = firstHit.get(comp.name);
      if (!hit) continue;
      const { obj: first, image } = hit;
      others.push(comp.name);
      const { ref, at } = asEvidence(first, ctx);
      ctx.report({ rule: 'other-components', status: 'manual', resource: ref, message: `${comp.name} (${image}) is not an EKS add-on: check its compatibility matrix for ${checkNext ? next : current}${at}` });
    }
    if (unknown.length) { ctx.error(`add-on version data missing for ${unknown.join(', ')}`); return; }
    if (others.length) ctx.manual(`EKS add-ons checked; ${others.length} other component(s) need a compatibility check: ${others.join(', ')}`);
  },
});

// ---------------------------------------------------------------- CC8-VER-04

export const CC8_VER_04 = defineControl({
  id: 'CC8-VER-04',
  title: 'Upgrade procedures and rollback plans are documented',
  section: 'CC8',
  under: 'versionManagement',
  tsc: ['CC8.1', 'CC5.3'],
  automation: 'manual',
  attestation:
    'the upgrade runbook (order: control plane, add-ons, nodes; pre-checks: insights, PodDisruptionBudgets, deprecated APIs), its rollback ' +
    'plan (a new cluster or blue-green, since control-plane downgrades are not generally available), approval and last review date',
  severity: 'medium',
  description:
    'A document control: the upgrade runbook and rollback plan are uploaded, reviewed and approved; the attestation records the document ' +
    'hash and the review date.',
  requires: [],
  remediation: {
    summary: 'Write the runbook from the EKS cluster-upgrade guidance, rehearse it on a non-production cluster, and attest it with the document hash.',
  },
  references: [
    { title: 'Amazon EKS: update a cluster to a new Kubernetes version', url: 'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html' },
    { title: 'EKS Best Practices: cluster upgrades', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/cluster-upgrades.html' },
  ],
});

export const controls: ControlDefinition[] = [
  CC8_PIPE_01, CC8_PIPE_02, CC8_PIPE_03, CC8_PIPE_04, CC8_VER_01, CC8_VER_02, CC8_VER_03, CC8_VER_04,
];
