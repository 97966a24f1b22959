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
  list, rec, runsBefore, str, templateCanFail, trailEvents, unrecordedTypes,
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
    'CodePipeline that deploys is read: a pipeline that deploys with nothing but its source before the first Deploy action fails ' +
    '(nothing can have tested the change); a Test action (or a build action named as running tests) before it passes; a pipeline with ' +
    'only build steps before deploying may run its tests inside them, which the API cannot show: that part goes to the attestation and ' +
    'a visible Test action is recommended (a warning).',
  requires: [],
  optional: PIPELINE_KEYS,
  rules: {
    'test-before-deploy': {
      title: 'A test step runs before the pipeline deploys', severity: 'medium', level: 'required',
      basis: 'checklist: "Implement automated testing in CI/CD pipelines"; CC8.1 (tests changes before implementation)',
      evidence: [aws('codepipeline:GetPipeline')],
    },
    'test-action-visible': {
      title: 'Tests run as a visible Test action, not hidden in a build step', severity: 'low', level: 'recommended',
      basis: 'tests inside a build step may exist but cannot be shown from the API; a separate action makes them auditable',
      evidence: [aws('codepipeline:GetPipeline')],
    },
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
      const builds = before.filter((a) => a.category === 'Build' || a.category === 'Compute');
      if (tests.length || named.length) {
        ctx.pass(p.ref, 'test-before-deploy', `${[...tests, ...named].map(describeAction).join(', ')} before ${describeAction(first)}`);
        if (tests.length) ctx.pass(p.ref, 'test-action-visible', `Test action ${tests.map(describeAction).join(', ')}`);
        else ctx.fail(p.ref, 'test-action-visible', `tests run inside build action ${named.map(describeAction).join(', ')}: a Test action would show them as a stage of their own`);
      } else if (builds.length) {
        ctx.report({ rule: 'test-before-deploy', status: 'manual', resource: p.ref, message: `only build actions (${builds.map(describeAction).join(', ')}) before ${describeAction(first)}: whether they run tests cannot be seen from the API (attestation)` });
        ctx.fail(p.ref, 'test-action-visible', `no Test action before ${describeAction(first)}: add one so the tests are visible`);
      } else {
        ctx.fail(p.ref, 'test-before-deploy', `nothing tests the change before ${describeAction(first)}: only ${before.length ? before.map(describeAction).join(', ') : 'the source'} runs before it`);
      }
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
    'pipeline-approval': {
      title: 'A manual approval precedes the production deploy', severity: 'medium', level: 'required',
      basis: 'checklist: "Configure approval gates for production deployments"; CC8.1 (authorizes and approves changes)',
      evidence: [aws('codepipeline:GetPipeline')],
    },
    'argocd-sync-gate': {
      title: 'Argo CD Applications are synced by hand or held by sync windows', severity: 'medium', level: 'required',
      basis: 'checklist: "Configure approval gates for production deployments"; an auto-synced Application is gated only by the Git review (attested)',
      evidence: [],
    },
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
    'automated-rollback': {
      title: 'The canary has an analysis that aborts a bad release', severity: 'medium', level: 'required',
      basis: 'checklist: "Deploy canary releases with automated rollback"', evidence: [],
    },
    'analysis-template': {
      title: 'Referenced analysis templates exist and can fail', severity: 'medium', level: 'required',
      basis: 'an analysis that errors or can never fail rolls nothing back: the automated rollback the checklist asks for does not operate',
      evidence: [],
    },
    'canary-coverage': {
      title: 'In-scope Deployments are released by canary with analysis', severity: 'medium', level: 'required',
      basis: 'the configured progressiveDeliveryNamespaces say which production workloads the checklist item covers',
      evidence: [k8s('apps/Deployment')],
    },
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
        if (!ev.has(k8s(kind))) {
          ok = false;
          ctx.unevaluated('analysis-template', `references ${t.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${t.name}, but ${t.clusterScope ? 'ClusterAnalysisTemplates' : 'AnalysisTemplates'} were not read (${ev.state(k8s(kind))}): whether the analysis can fail is unknown`, r);
          continue;
        }
        const tpl = ev.get(kind, t.clusterScope ? '' : r.metadata.namespace ?? '', t.name);
        if (!tpl && !ev.complete(k8s(kind))) {
          ok = false;
          ctx.unevaluated('analysis-template', `references ${t.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${t.name}, which is not in the input (it may not hold every template)`, r);
        } else if (!tpl) { ok = false; ctx.fail(r, 'analysis-template', `references ${t.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${t.name}, which does not exist: the analysis errors`); }
        else if (!templateCanFail(tpl)) { ok = false; ctx.fail(tpl, 'analysis-template', 'no metric has a success or failure condition (or a Job provider): the analysis can never fail', { severity: 'low' }); }
        else ctx.pass(tpl, 'analysis-template', 'has failure criteria');
      }
      // The strategy has an analysis step: the rollback mechanism is there; whether its templates can fail is analysis-template's.
      ctx.pass(r, 'automated-rollback', `${a.strategy} with analysis (${a.templates.map((t) => t.name).join(', ')}): a failed analysis aborts and scales back`);
      if (ok) {
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
    if (rollouts.length + canaries.length === 0) {
      const unread = ['argoproj.io/Rollout', 'flagger.app/Canary'].filter((k) => !ev.complete(k8s(k)));
      if (unread.length) ctx.unevaluated('automated-rollback', `no progressive-delivery object in the input; not read as a whole inventory: ${unread.map((k) => `${k} (${ev.has(k8s(k)) ? 'only the objects in the input' : ev.state(k8s(k))})`).join(', ')}`, clusterScope(ctx));
      else ctx.fail(clusterScope(ctx), 'automated-rollback', 'no Argo Rollouts Rollout or Flagger Canary: releases have no automated rollback');
    }

    const scope = ctx.config.progressiveDeliveryNamespaces;
    if (scope.length) {
      if (!ev.has(k8s('apps/Deployment'))) {
        ctx.unevaluated('canary-coverage', 'progressiveDeliveryNamespaces is set but Deployments were not read');
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
    "Proves drift is detected, on both sides. Required: in the cluster's region a customer-managed AWS Config recorder is recording " +
    '(last status successful) the EKS resource types and the EC2 network types, with at least one active EKS rule that evaluates ' +
    '(managed EKS_* rules, rules scoped to AWS::EKS::*, Security Hub securityhub-eks-* rules, also when deployed by an EKS ' +
    'conformance pack); and, since AWS Config does not record Kubernetes objects, in-cluster drift detection by GitOps: Argo CD ' +
    'Applications, Flux Kustomizations and HelmReleases that are not suspended, HelmReleases with drift detection on. The drift these ' +
    'mechanisms find does not fail this control — a NON_COMPLIANT rule, a DRIFTED cluster stack or an OutOfSync Application proves ' +
    'detection works, and the finding belongs to the control for what drifted (CC4-MON-01 for cluster logging, CC7-CHG-02 for the ' +
    'stacks, CC7-CHG-01 for Applications): open drift is reported as a warning. Daily recording delays detection (warning).',
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
    'config-recorder': {
      title: 'A customer AWS Config recorder records EKS and network resources', severity: 'high', level: 'required',
      basis: 'checklist: "Implement configuration drift detection using AWS Config"',
      evidence: [aws('config:DescribeConfigurationRecorders'), aws('config:DescribeConfigurationRecorderStatus')],
    },
    'recording-frequency': {
      title: 'EKS resources are recorded continuously', severity: 'low', level: 'recommended',
      basis: 'daily recording still detects drift, a day late: a warning (controls.md)', evidence: [aws('config:DescribeConfigurationRecorders')],
    },
    'eks-config-rules': {
      title: 'Active AWS Config rules evaluate EKS', severity: 'medium', level: 'required',
      basis: 'a recorder alone only records; the rules compare the EKS configuration with its baseline (CC7.1 change detection)',
      evidence: [aws('config:DescribeConfigRules')],
    },
    'config-drift': {
      title: 'No open drift in AWS (non-compliant EKS rules, drifted cluster stacks)', severity: 'medium', level: 'recommended',
      basis: 'open drift proves detection works; the failure belongs to the control for what drifted (issue 13), so here it is a warning',
      evidence: [],
    },
    'gitops-drift': {
      title: 'In-cluster drift is detected (GitOps compares the cluster with Git)', severity: 'medium', level: 'required',
      basis: 'AWS Config does not record Kubernetes objects: without GitOps, drift of the cluster configuration goes undetected (CC7.1)',
      evidence: [{ anyOf: [k8s(ARGO_APP), k8s(FLUX_KUSTOMIZATION), k8s(FLUX_HELMRELEASE)], what: 'GitOps objects (Argo CD Applications, Flux Kustomizations/HelmReleases)' }],
    },
    'gitops-open-drift': {
      title: 'No open in-cluster drift (Applications Synced, Flux objects Ready)', severity: 'medium', level: 'recommended',
      basis: 'open drift proves detection works; whether the cluster matches Git is CC7-CHG-01 app-synced, so here it is a warning',
      evidence: [],
    },
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
    // A Terraform configuration declares some recorders and rules, not the account's: absence needs the account's answer.
    if (!customer.length && ev.complete(aws('config:DescribeConfigurationRecorders'))) ctx.fail(cref, 'config-recorder', `no customer-managed AWS Config recorder${where}: configuration changes are not recorded`);
    else if (!customer.length) ctx.unevaluated('config-recorder', 'no customer-managed AWS Config recorder in the input, which holds only the recorders it declares (not the account\'s)', cref);
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
    const packsRead = ev.has(aws('config:DescribeConformancePacks'));
    const packs = conformancePacks(ev, region).filter((p) => /eks/i.test(p.pack.ConformancePackName ?? ''));
    // A conformance pack deploys Config rules, so "no EKS rule" is proven by DescribeConfigRules alone.
    if (!rules.length && !packs.length && !ev.complete(aws('config:DescribeConfigRules'))) ctx.unevaluated('eks-config-rules', 'no EKS Config rule in the input, which holds only the rules it declares (not the account\'s)', cref);
    else if (!rules.length && !packs.length) ctx.fail(cref, 'eks-config-rules', `no active AWS Config rule evaluates EKS${where}${packsRead ? ' and no EKS conformance pack is deployed' : ''}`);
    for (const p of packs) ctx.pass(p.ref, 'eks-config-rules', `conformance pack ${p.pack.ConformancePackName} deployed`);
    const complianceRead = ev.has(aws('config:DescribeComplianceByConfigRule'));
    for (const r of rules) {
      const id = r.rule.Source?.SourceIdentifier;
      const label = id && id !== r.name ? ` (${id})` : '';
      if (r.compliance === 'NON_COMPLIANT') {
        ctx.pass(r.ref, 'eks-config-rules', `active${label}, NON_COMPLIANT: the rule detects drift from its baseline`);
        ctx.fail(r.ref, 'config-drift', `NON_COMPLIANT${label}: resources differ from the baseline this rule enforces — the finding belongs to the control for what it tests`);
      } else if (r.compliance === 'INSUFFICIENT_DATA') {
        ctx.fail(r.ref, 'eks-config-rules', `active${label} but no evaluation result yet (INSUFFICIENT_DATA)`, { severity: 'low' });
      } else {
        ctx.pass(r.ref, 'eks-config-rules', `active${label}${r.compliance ? `, ${r.compliance}` : complianceRead ? ', not evaluated' : ''}`);
        if (r.compliance === 'COMPLIANT') ctx.pass(r.ref, 'config-drift', `COMPLIANT${label}`);
      }
    }
    if (cluster?.name && ev.has(aws('cloudformation:DescribeStacks'))) {
      const names = new Set([cluster.tags?.['aws:cloudformation:stack-name'], ...nodegroups(ev).map((n) => n.tags?.['aws:cloudformation:stack-name'])].filter((n): n is string => Boolean(n)));
      for (const s of clusterStacks(ev, cluster.name, names)) {
        const drift = s.stack.DriftInformation?.StackDriftStatus;
        if (drift === 'DRIFTED') ctx.fail(s.ref, 'config-drift', `stack DRIFTED at the last drift check (${isoDay(toTime(s.stack.DriftInformation?.LastCheckTimestamp))}): judged by CC7-CHG-02`);
        else if (drift === 'IN_SYNC') ctx.pass(s.ref, 'config-drift', `stack IN_SYNC at the last drift check (${isoDay(toTime(s.stack.DriftInformation?.LastCheckTimestamp))})`);
      }
    }

    // In-cluster drift through GitOps.
    const apps = ev.objects(ARGO_APP);
    const flux = [...ev.objects(FLUX_KUSTOMIZATION), ...ev.objects(FLUX_HELMRELEASE)];
    if (!apps.length && !flux.length) {
      const unread = [ARGO_APP, FLUX_KUSTOMIZATION, FLUX_HELMRELEASE].filter((k) => !ev.complete(k8s(k)));
      if (unread.length) ctx.unevaluated('gitops-drift', `no GitOps object in the input; not read as a whole inventory: ${unread.map((k) => `${k} (${ev.has(k8s(k)) ? 'only the objects in the input' : ev.state(k8s(k))})`).join(', ')}`, cref);
      else ctx.fail(cref, 'gitops-drift', 'no in-cluster drift detection: AWS Config does not record Kubernetes objects and no Argo CD Application or Flux object exists');
    }
    for (const app of apps) {
      const { ref, at } = asEvidence(app, ctx);
      const sync = appSyncStatus(app);
      ctx.pass(ref, 'gitops-drift', `Argo CD compares the live objects with Git${at}`);
      if (sync === 'OutOfSync') ctx.fail(ref, 'gitops-open-drift', `OutOfSync: the live objects differ from Git (open drift, judged by CC7-CHG-01)${at}`);
      else if (sync === 'Synced') ctx.pass(ref, 'gitops-open-drift', `Synced${at}`);
    }
    for (const o of flux) {
      const { ref, at } = asEvidence(o, ctx);
      const st = fluxState(o);
      if (st.suspended) ctx.fail(ref, 'gitops-drift', `suspended: drift is neither detected nor corrected${at}`);
      else if (o.kind === 'HelmRelease' && helmDriftMode(o) === 'disabled') ctx.fail(ref, 'gitops-drift', `drift detection disabled: in-cluster changes to the release's objects go unnoticed${at}`, { severity: 'low' });
      else ctx.pass(ref, 'gitops-drift', `${o.kind === 'HelmRelease' ? `drift detection ${helmDriftMode(o)}` : 'reconciled against Git at every interval'}${at}`);
      if (st.ready === 'False') ctx.fail(ref, 'gitops-open-drift', `Ready=False: the last reconciliation failed, the cluster may differ from Git${at}`);
      else if (st.ready === 'True' && !st.suspended) ctx.pass(ref, 'gitops-open-drift', `Ready${at}`);
    }
  },
});

// ---------------------------------------------------------------- CC8-VER-01

/** Node version against the control plane: `skew` breaks the Kubernetes version-skew policy, `lag` is allowed but behind. */
function skewVerdict(cp: MinorVersion, v: MinorVersion): { ok: boolean; kind?: 'skew' | 'lag'; text: string } {
  const behind = cp.minor - v.minor;
  if (v.major !== cp.major || behind < 0) return { ok: false, kind: 'skew', text: `${formatVersion(v)} is newer than the control plane ${formatVersion(cp)} (unsupported skew)` };
  if (behind > 3) return { ok: false, kind: 'skew', text: `${formatVersion(v)} is ${behind} minors behind the control plane ${formatVersion(cp)} (more than the 3 allowed)` };
  if (behind > 0) return { ok: false, kind: 'lag', text: `${formatVersion(v)} is ${behind} minor(s) behind the control plane ${formatVersion(cp)}: allowed by the skew policy, but AWS recommends the same version` };
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
    'and the control plane must run N, N-1 or N-2 (required: the checklist\'s "N-2 supported versions"). Separately, the version must ' +
    'be supported: unsupported fails, and extended support fails too unless thresholds.failOnExtendedSupport is false (then it is a ' +
    'warning). Standard support ending within the warning window is a warning. Published end dates that have passed override a stale ' +
    'status. Nodes (kubelet) and managed node groups must stay within the Kubernetes skew policy (not newer than the control plane, ' +
    'at most three minors behind); running behind the control plane within that policy is a warning (AWS recommends the same ' +
    'version). upgradePolicy.supportType is only the policy, never the support state. Without Kubernetes access (--no-kubernetes) ' +
    'the control-plane rules are still judged and the node rules are not evaluated.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (version)'),
    need.aws('eks:DescribeClusterVersions', 'the EKS version calendar (DescribeClusterVersions)'),
    need.kind('core/Node', 'nodes (kubelet versions)'),
  ],
  optional: [aws('eks:DescribeNodegroup')],
  rules: {
    'within-n-2': {
      title: 'The control plane is N, N-1 or N-2', severity: 'high', level: 'required',
      basis: 'checklist: "Maintain EKS version currency (N-2 supported versions)"',
      evidence: [aws('eks:DescribeCluster'), aws('eks:DescribeClusterVersions')],
    },
    'support-status': {
      title: 'The control plane version is supported (extended support fails unless failOnExtendedSupport is false)', severity: 'high', level: 'required',
      basis: 'checklist: "supported versions"; extended support is past standard support (controls.md §5.4, configurable)',
      evidence: [aws('eks:DescribeCluster'), aws('eks:DescribeClusterVersions')],
    },
    'support-runway': {
      title: 'Standard support does not end within the warning window (and no tolerated extended support)', severity: 'low', level: 'recommended',
      basis: 'still supported today: a warning to plan the upgrade (controls.md §5.4)',
      evidence: [aws('eks:DescribeCluster'), aws('eks:DescribeClusterVersions')],
    },
    'kubelet-skew': {
      title: 'Node kubelets are within the Kubernetes version-skew policy', severity: 'high', level: 'required',
      basis: 'a kubelet outside the skew policy is an unsupported component (the section asks for supported versions of all components)',
      evidence: [k8s('core/Node'), aws('eks:DescribeCluster')],
    },
    'nodegroup-version': {
      title: 'Managed node groups are within the Kubernetes version-skew policy', severity: 'high', level: 'required',
      basis: 'as kubelet-skew, for the managed node group version', evidence: [aws('eks:DescribeNodegroup'), aws('eks:DescribeCluster')],
    },
    'data-plane-current': {
      title: 'Nodes and managed node groups run the control-plane minor', severity: 'low', level: 'recommended',
      basis: 'lag within the skew policy is supported; AWS recommends the same version (controls.md §5.4 step 4: WARN)', evidence: [aws('eks:DescribeCluster')],
    },
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
    const label = formatVersion(cv);
    const entries = clusterVersions(ev);

    // N-2: needs N, the newest version in standard support.
    const n = newestStandard(entries, now);
    let within: boolean | undefined;
    if (!n) {
      ctx.unevaluated('within-n-2', 'DescribeClusterVersions lists no version in standard support (was it called with includeAll?)');
    } else {
      const lowest = addMinor(n.version, -2);
      const allowed = `${formatVersion(lowest)}–${n.label}`;
      within = compareVersions(cv, lowest) >= 0;
      if (within) ctx.pass(cref, 'within-n-2', `${label} is within N-2 (N = ${n.label}, allowed ${allowed})`, { n: n.label });
      else ctx.fail(cref, 'within-n-2', `${label} is N-${n.version.minor - cv.minor} (N = ${n.label}, allowed ${allowed})`, { details: { n: n.label } });
    }

    // Support state, and the runway left in standard support.
    const entry = findVersion(entries, cv);
    const status = entry ? effectiveStatus(entry, now) : undefined;
    let standard = false;
    if (!entry) {
      const oldest = entries[entries.length - 1];
      if (oldest && compareVersions(cv, oldest.version) < 0) ctx.fail(cref, 'support-status', `${label} is older than every version EKS lists: unsupported`, { severity: 'critical' });
      else ctx.unevaluated('support-status', `version ${label} is not in the DescribeClusterVersions answer`);
    } else if (status === 'UNSUPPORTED') {
      ctx.fail(cref, 'support-status', `${label} is unsupported (extended support ended ${isoDay(entry.endOfExtendedSupport)}): EKS will upgrade the control plane, add-ons and nodes are left behind`, { severity: 'critical' });
    } else if (status === 'EXTENDED_SUPPORT') {
      const text = `${label} is in extended support since ${isoDay(entry.endOfStandardSupport)} (until ${isoDay(entry.endOfExtendedSupport)}, billed extra)`;
      if (ctx.config.thresholds.failOnExtendedSupport) {
        ctx.fail(cref, 'support-status', text);
      } else {
        ctx.pass(cref, 'support-status', `${label} is supported (extended support, tolerated by thresholds.failOnExtendedSupport: false)`);
        ctx.fail(cref, 'support-runway', `${text}: plan the upgrade back into standard support`);
      }
    } else if (status === 'STANDARD_SUPPORT') {
      standard = true;
      const days = entry.endOfStandardSupport !== undefined ? daysUntil(entry.endOfStandardSupport, now) : undefined;
      ctx.pass(cref, 'support-status', `${label} is in standard support until ${isoDay(entry.endOfStandardSupport)}${days !== undefined ? ` (${days} days)` : ''}`);
      if (days !== undefined && days < ctx.config.thresholds.versionSupportWarningDays) ctx.fail(cref, 'support-runway', `${label} leaves standard support in ${days} days (${isoDay(entry.endOfStandardSupport)}): plan the upgrade`);
      else ctx.pass(cref, 'support-runway', `${days !== undefined ? `${days} days` : 'no end date published'} of standard support left (warning window ${ctx.config.thresholds.versionSupportWarningDays} days)`);
    } else {
      ctx.unevaluated('support-status', `DescribeClusterVersions gives no support status for ${label}`);
    }
    if (n) ctx.note(`within N-2: ${within ? 'yes' : 'no'} (N = ${n.label}); in standard support: ${standard ? 'yes' : 'no'} — two separate facts`);
    if (cluster.upgradePolicy?.supportType) ctx.note(`upgradePolicy.supportType = ${cluster.upgradePolicy.supportType} is the policy at end of standard support, not the current support state`);

    // Data plane.
    const dataPlane = (ref: K8sObject | ReturnType<typeof awsRef>, rule: 'kubelet-skew' | 'nodegroup-version', what: string, v: ReturnType<typeof skewVerdict>, hint = '') => {
      if (v.kind === 'skew') ctx.fail(ref, rule, `${what} ${v.text}${hint}`);
      else ctx.pass(ref, rule, `${what} ${v.text}`);
      if (v.kind === 'lag') ctx.fail(ref, 'data-plane-current', `${what} ${v.text}${hint}`);
      else if (v.ok) ctx.pass(ref, 'data-plane-current', `${what} ${v.text}`);
    };
    // Nodes are the data plane's proof (managed node groups are judged too when described, but self-managed and Karpenter nodes exist only as Nodes).
    if (!ev.has(k8s('core/Node'))) ctx.unevaluated('kubelet-skew', `Nodes were not read (${ev.state(k8s('core/Node'))}): the kubelet versions are unknown`);
    for (const node of ev.objects('core/Node')) {
      const raw = str(rec(rec(node.status)?.nodeInfo)?.kubeletVersion);
      const kv = parseVersion(raw);
      if (!kv) {
        ctx.unevaluated('kubelet-skew', raw ? `kubelet version "${raw}" could not be read` : 'no status.nodeInfo.kubeletVersion in the input', node);
        continue;
      }
      const fargate = computeType(node) === 'fargate' ? ' (Fargate: re-create the pods to move them to a new kubelet)' : '';
      dataPlane(node, 'kubelet-skew', 'kubelet', skewVerdict(cv, kv), fargate);
    }
    for (const ng of nodegroups(ev)) {
      const nv = parseVersion(ng.version);
      if (!nv || !ng.nodegroupName) continue;
      const ref = awsRef('AWS::EKS::Nodegroup', ng.nodegroupName, { arn: ng.nodegroupArn, ...arnParts(ng.nodegroupArn) });
      dataPlane(ref, 'nodegroup-version', `node group${ng.releaseVersion ? ` (AMI release ${ng.releaseVersion})` : ''}`, skewVerdict(cv, nv));
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
    'Reads the EKS UPGRADE_READINESS insights for the next minor version: ERROR insights fail (required: the upgrade AWS recommends ' +
    'would break something), WARNING insights are warnings (recommended). The time ' +
    'left in standard support for the current version is shown; inside the warning window the upgrade plan must be attested. Control-plane ' +
    'upgrades found in CloudTrail (90 days) are listed as upgrade history.',
  requires: [
    need.aws('eks:ListInsights', 'EKS cluster insights (UPGRADE_READINESS)'),
    need.aws('eks:DescribeCluster', 'the EKS cluster description (version)'),
  ],
  optional: [aws('eks:DescribeClusterVersions'), aws('eks:DescribeInsight'), aws('cloudtrail:LookupEvents')],
  rules: {
    'upgrade-insight': {
      title: 'No upgrade-readiness insight for the next minor is in ERROR', severity: 'high', level: 'required',
      basis: 'checklist: "Plan regular cluster upgrades following AWS recommendations"; an ERROR insight blocks the next upgrade',
      evidence: [aws('eks:ListInsights'), aws('eks:DescribeCluster')],
    },
    'upgrade-insight-warning': {
      title: 'No upgrade-readiness insight for the next minor is in WARNING', severity: 'low', level: 'recommended',
      basis: 'a WARNING insight does not block the upgrade; resolving it first is AWS guidance beyond the item',
      evidence: [aws('eks:ListInsights'), aws('eks:DescribeCluster')],
    },
    'upgrade-runway': {
      title: 'Enough standard support remains, or an upgrade plan exists', severity: 'medium', level: 'required',
      basis: 'checklist: "Plan regular cluster upgrades": inside the warning window the dated plan is attested',
      evidence: [aws('eks:DescribeCluster'), aws('eks:DescribeClusterVersions')],
    },
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
        else if (status === 'WARNING') {
          ctx.pass(ref, 'upgrade-insight', `not in ERROR: WARNING ${msg}`);
          ctx.fail(ref, 'upgrade-insight-warning', `WARNING ${msg}`);
        } else if (status === 'PASSING') {
          ctx.pass(ref, 'upgrade-insight', `PASSING ${msg}`);
          ctx.pass(ref, 'upgrade-insight-warning', `PASSING ${msg}`);
        } else ctx.unevaluated('upgrade-insight', `insight status ${status ?? 'UNKNOWN'}: ${msg}`, ref);
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
    'current-compatible': {
      title: 'The installed add-on version supports the current cluster version', severity: 'high', level: 'required',
      basis: 'checklist: "Test addons compatibility before upgrades"; an incompatible add-on is already an untested combination',
      evidence: [aws('eks:DescribeCluster'), aws('eks:ListAddons'), aws('eks:DescribeAddon'), aws('eks:DescribeAddonVersions')],
    },
    'next-available': {
      title: 'A version of the add-on supports the next minor', severity: 'high', level: 'required',
      basis: 'checklist: "Test addons compatibility before upgrades"',
      evidence: [aws('eks:DescribeCluster'), aws('eks:ListAddons'), aws('eks:DescribeAddon'), aws('eks:DescribeAddonVersions'), aws('eks:DescribeClusterVersions')],
    },
    'other-components': {
      title: 'Components outside EKS add-ons are checked against the next minor', severity: 'medium', level: 'required',
      basis: 'checklist: "Test addons compatibility before upgrades" covers every add-on, not only EKS-managed ones (attested)', evidence: [],
    },
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
    if (!entries) ctx.unevaluated('next-available', 'DescribeClusterVersions was not read: whether EKS already has the next minor is unknown');
    else if (!checkNext) ctx.note(`EKS has no ${next} yet: only the current version was checked`);

    const names = addonNames(ev);
    for (const name of names) {
      const addon = describeAddon(ev, name);
      const ref = awsRef('AWS::EKS::Addon', name, { arn: addon?.addonArn, ...arnParts(addon?.addonArn) });
      const installed = addon?.addonVersion;
      const cur = compatibleVersions(ev, name, current);
      if (!installed || !cur.known) {
        const why = !installed ? `the installed version of ${name} was not read (eks:DescribeAddon)` : `the versions of ${name} for ${current} were not read (eks:DescribeAddonVersions)`;
        ctx.unevaluated('current-compatible', why, ref);
        if (checkNext) ctx.unevaluated('next-available', why, ref);
        continue;
      }
      if (cur.versions.some((v) => v.addonVersion === installed)) ctx.pass(ref, 'current-compatible', `${installed} supports ${current}`);
      else ctx.fail(ref, 'current-compatible', `${installed} is not listed as compatible with ${current}`);
      if (!checkNext) continue;
      const nx = compatibleVersions(ev, name, next);
      if (!nx.known) { ctx.unevaluated('next-available', `the versions of ${name} for ${next} were not read (eks:DescribeAddonVersions)`, ref); continue; }
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
