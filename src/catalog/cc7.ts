/**
 * CC7 — System Operations: "Change Management" and "Configuration Management" (checklist Part 2;
 * the evidence supports TSC CC8.1, CC7.1, A1.1, CC6.1 and C1.1).
 */
import { parse as parseYaml } from 'yaml';
import type { SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { CheckContext, ControlDefinition, Evidence, K8sObject } from '../model/index.js';
import { defineControl } from './define.js';
import { aws, k8s, need } from './lib/keys.js';
import { awsRef, addonNames, clusterRef, describeAddon, describeCluster, nodegroups, out, toTime } from './lib/aws.js';
import { computeType, condition, daemonSetReady, find, isAvailable } from './lib/addons.js';
import { arr, containersOf, podTemplate, workloads } from './lib/workloads.js';
import type { PodSpec, Workload } from './lib/workloads.js';
import {
  ARGO_APP, FLUX_HELMRELEASE, FLUX_KUSTOMIZATION, appAutomation, appHealth, appSyncStatus, argoManagedResources,
  fluxState, gitopsControllers, gitopsOwner, hasInstanceLabelOnly, helmDriftMode,
} from './lib/gitops.js';
import {
  IAC_AGENTS, asEvidence, clusterStacks, clusterWriteEvents, describeAction, firstAction, isSecurityScan, notePipelineGaps,
  pipelines, rec, runsBefore, stackHealthy, str, trailEvents, unreadable,
} from './lib/delivery.js';
import type { Rec } from './lib/delivery.js';
import type { AgentClass, TrailEvent } from './lib/delivery.js';
import { isoDay, parseVersion } from './lib/versions.js';
import { clusterScope, reportCoverage } from './lib/scanners.js';

const nsName = (o: K8sObject) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? '?'}`;

/**
 * Top-level controllers of a kind in non-system namespaces: objects created by another controller
 * (a controlling ownerReference) are generated from their owner and judged through it.
 */
function topLevel(ev: Evidence, ctx: CheckContext, kinds: readonly string[]): K8sObject[] {
  return kinds.flatMap((k) => ev.objects(k)).filter((o) =>
    !ctx.isSystemNamespace(o.metadata.namespace) && !(o.metadata.ownerReferences ?? []).some((r) => r.controller));
}

/** Coverage of `items` against a threshold (CC3's reporter); nothing to cover is noted, not passed. */
function coverage(ctx: CheckContext, opts: { covered: { obj: K8sObject; message: string }[]; uncovered: { obj: K8sObject; message: string }[]; threshold: number; itemRule: string; rule: string; what: string }): void {
  if (opts.covered.length + opts.uncovered.length === 0) {
    ctx.note(`no ${opts.what} outside the system namespaces: coverage not evaluated`);
    return;
  }
  reportCoverage(ctx, {
    rule: opts.rule, itemRule: opts.itemRule, what: opts.what, threshold: opts.threshold,
    covered: opts.covered.map((c) => ({ resource: c.obj, message: c.message })),
    missing: opts.uncovered.map((u) => ({ resource: u.obj, message: u.message, label: nsName(u.obj) })),
  });
}

// ---------------------------------------------------------------- CC7-CHG-01

const CONTROLLER_KINDS = ['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet'];

export const CC7_CHG_01 = defineControl({
  id: 'CC7-CHG-01',
  title: 'Workloads are deployed through GitOps (Flux or Argo CD) and stay in sync with Git',
  section: 'CC7',
  under: 'changeManagement',
  tsc: ['CC8.1', 'CC7.1'],
  automation: 'automated',
  attestation: 'that changes reach production only through reviewed Git commits, and that direct kubectl or console changes are not permitted',
  severity: 'medium',
  description:
    'A GitOps controller must be installed and healthy — Argo CD (application controller and repo server), Flux (source controller plus ' +
    'a kustomize or helm controller) or the EKS-managed Argo CD capability — and it must own the workloads: the share of non-system ' +
    'Deployments, StatefulSets and DaemonSets carrying an ownership marker (Argo CD tracking-id annotation, a listing in an ' +
    "Application's status, Flux kustomize/helm labels, or an EKS add-on label) must reach the configured threshold. The label " +
    'app.kubernetes.io/instance alone is not counted because Helm sets it too. Every Application must be Synced and every ' +
    'Kustomization/HelmRelease Ready and not suspended; automated drift correction (Argo CD selfHeal, Flux HelmRelease drift ' +
    'detection) that is off is reported as a warning.',
  requires: [
    need.anyKind(CONTROLLER_KINDS, 'Deployments, StatefulSets and DaemonSets'),
    { anyOf: [k8s(ARGO_APP), k8s(FLUX_KUSTOMIZATION), k8s(FLUX_HELMRELEASE), aws('eks:ListCapabilities')], what: 'GitOps objects (Argo CD Applications, Flux Kustomizations or HelmReleases) or the EKS capability list' },
  ],
  optional: [aws('eks:DescribeCapability')],
  rules: {
    'gitops-controller': { title: 'A GitOps controller is installed and healthy', severity: 'high' },
    'app-synced': { title: 'Applications are Synced; Kustomizations and HelmReleases are Ready and not suspended', severity: 'medium' },
    'drift-correction': { title: 'Changes made outside Git are reverted automatically (selfHeal / drift detection)', severity: 'low' },
    'gitops-managed': { title: 'The workload carries a GitOps ownership marker', severity: 'medium' },
    'gitops-coverage': { title: 'Enough non-system workloads are GitOps-managed', severity: 'medium' },
  },
  remediation: {
    summary:
      'Bootstrap Flux or Argo CD (or enable the EKS Argo CD capability), put every workload manifest in Git, and turn on ' +
      'automated sync with self-heal so that manual changes are reverted.',
    commands: [
      'export GITHUB_TOKEN=<token with repo scope>',
      'flux bootstrap github --owner=$GITHUB_OWNER --repository=$REPO --branch=main --path=clusters/$CLUSTER_NAME --personal   # --personal only for a user-owned repository',
      'aws eks create-capability --cluster-name $CLUSTER_NAME --capability-name argocd --type ARGOCD --role-arn arn:aws:iam::<account>:role/ArgoCDCapabilityRole --delete-propagation-policy RETAIN --configuration file://argocd-capability.json',
      'kubectl -n argocd patch application <app> --type merge -p \'{"spec":{"syncPolicy":{"automated":{"prune":true,"selfHeal":true}}}}\'',
    ],
  },
  references: [
    { title: 'Argo CD: resource tracking', url: 'https://argo-cd.readthedocs.io/en/release-3.3/user-guide/resource_tracking/' },
    { title: 'AWS CLI: eks create-capability', url: 'https://docs.aws.amazon.com/cli/latest/reference/eks/create-capability.html' },
    { title: 'Amazon EKS: create an Argo CD capability', url: 'https://docs.aws.amazon.com/eks/latest/userguide/create-argocd-capability.html' },
  ],
  check(ev, ctx) {
    const apps = ev.objects(ARGO_APP);
    const argoManaged = argoManagedResources(apps);

    // 1. Controllers: in-cluster Argo CD / Flux, and the EKS-managed Argo CD capability.
    let controllers = 0;
    for (const inst of gitopsControllers(ev)) {
      controllers++;
      const label = inst.tool === 'argocd' ? 'Argo CD' : 'Flux';
      for (const name of inst.required) {
        const o = inst.components.get(name)!;
        const { ref, at } = asEvidence(o, ctx);
        if (inst.unavailable.includes(o)) ctx.fail(ref, 'gitops-controller', `${label} ${name} is not available${at}`);
        else ctx.pass(ref, 'gitops-controller', `${label} ${name} is available${at}`);
      }
      if (inst.missing.length) ctx.fail(clusterScope(ctx), 'gitops-controller', `${label} in namespace ${inst.namespace} lacks ${inst.missing.join(', ')}`);
    }
    for (const f of ev.aws('eks:ListCapabilities')) {
      for (const c of (rec(out(f))?.capabilities as Rec[] | undefined) ?? []) {
        if (str(c.type) !== 'ARGOCD') continue;
        const name = str(c.capabilityName) ?? 'argocd';
        const detail = ev.aws('eks:DescribeCapability').map((d) => rec(rec(out(d))?.capability)).find((d) => d && str(d.capabilityName) === name);
        const status = str(detail?.status) ?? str(c.status) ?? 'UNKNOWN';
        const ref = awsRef('AWS::EKS::Capability', name, { arn: str(detail?.arn) ?? str(c.arn), region: f.region, accountId: f.accountId });
        controllers++;
        if (status === 'ACTIVE') ctx.pass(ref, 'gitops-controller', `EKS Argo CD capability ${name} is ACTIVE (control plane runs outside the cluster)`);
        else ctx.fail(ref, 'gitops-controller', `EKS Argo CD capability ${name} is ${status}`);
      }
    }

    // 2. Coverage of non-system workloads by ownership markers.
    const covered: { obj: K8sObject; message: string }[] = [];
    const uncovered: { obj: K8sObject; message: string }[] = [];
    let remoteArgo = 0;
    for (const o of topLevel(ev, ctx, CONTROLLER_KINDS)) {
      const owner = gitopsOwner(o, argoManaged);
      if (owner) {
        covered.push({ obj: o, message: `${owner.how}` });
        if (owner.tool === 'argocd' && o.metadata.annotations?.['argocd.argoproj.io/tracking-id']) remoteArgo++;
      } else {
        uncovered.push({
          obj: o,
          message: hasInstanceLabelOnly(o)
            ? 'no GitOps marker: the label app.kubernetes.io/instance alone is also set by Helm and is not counted as Argo CD ownership'
            : 'no GitOps ownership marker (Argo CD tracking-id, Flux kustomize/helm labels) and not listed by any Application',
        });
      }
    }
    if (controllers === 0) {
      if (apps.length > 0 && ev.state(aws('eks:ListCapabilities')) === 'not-collected') {
        ctx.error('Argo CD Applications exist but no Argo CD runs in the cluster, and eks:ListCapabilities was not collected: the controller may be the EKS-managed capability (scan with AWS access)');
        return;
      }
      if (remoteArgo > 0) {
        ctx.fail(clusterScope(ctx), 'gitops-controller',
          `${remoteArgo} workloads carry Argo CD tracking-ids but no Argo CD runs in this cluster and no EKS Argo CD capability was found: a remote Argo CD cannot be checked from here — attest its health or waive`,
          { severity: 'low' });
      } else {
        ctx.fail(clusterScope(ctx), 'gitops-controller', 'no GitOps controller: no Argo CD or Flux installation and no EKS Argo CD capability');
      }
    }
    coverage(ctx, { covered, uncovered, threshold: ctx.config.thresholds.gitopsCoveragePercent, itemRule: 'gitops-managed', rule: 'gitops-coverage', what: 'non-system Deployments/StatefulSets/DaemonSets with a GitOps marker' });

    // 3. Sync state and drift correction.
    for (const app of apps) {
      const { ref, at } = asEvidence(app, ctx);
      const sync = appSyncStatus(app);
      const health = appHealth(app);
      if (sync === 'Synced') ctx.pass(ref, 'app-synced', `Synced${health ? `, ${health}` : ''}${at}`);
      else if (sync === 'OutOfSync') ctx.fail(ref, 'app-synced', `OutOfSync with Git${health ? ` (${health})` : ''}: the cluster differs from the repository${at}`);
      else if (sync !== undefined) ctx.fail(ref, 'app-synced', `sync status ${sync}${at}`, { severity: 'low' });
      const auto = appAutomation(app);
      if (auto.selfHeal) ctx.pass(ref, 'drift-correction', `automated sync with selfHeal${auto.prune ? ' and prune' : ''}${at}`);
      else if (auto.automated) ctx.fail(ref, 'drift-correction', `automated sync without selfHeal: changes made outside Git stay until the next commit${at}`);
      else ctx.fail(ref, 'drift-correction', `manual sync: changes made outside Git are not reverted (a manual sync can be the approval gate, see CC8-PIPE-02)${at}`);
    }
    for (const o of [...ev.objects(FLUX_KUSTOMIZATION), ...ev.objects(FLUX_HELMRELEASE)]) {
      const { ref, at } = asEvidence(o, ctx);
      const st = fluxState(o);
      if (st.suspended) ctx.fail(ref, 'app-synced', `reconciliation is suspended (spec.suspend: true)${at}`);
      else if (st.ready === 'True') ctx.pass(ref, 'app-synced', `Ready${at}`);
      else if (st.ready !== undefined) ctx.fail(ref, 'app-synced', `Ready=${st.ready}: the last reconciliation failed${at}`);
      if (o.kind === 'HelmRelease') {
        const mode = helmDriftMode(o);
        if (mode === 'enabled') ctx.pass(ref, 'drift-correction', `drift detection enabled: in-cluster changes are corrected${at}`);
        else ctx.fail(ref, 'drift-correction', `${mode === 'warn' ? 'drift detection only warns (mode: warn)' : 'drift detection is off (spec.driftDetection.mode not enabled)'}${at}`);
      } else if (!st.suspended) {
        ctx.pass(ref, 'drift-correction', `Kustomizations re-apply Git state at every interval${at}`);
      }
    }
  },
});

// ---------------------------------------------------------------- CC7-CHG-02

const IAC_TAG_KEY = /^(managed[-_ ]?by|managedby|provisioner|provisioned[-_ ]?by|created[-_ ]?by|iac|tool|terraform|tofu|opentofu|pulumi)$/i;
const IAC_TAG_VALUE = /terraform|opentofu|tofu|pulumi|cdk|cloudformation|crossplane|eksctl|^true$/i;

function iacTags(tags: Record<string, string> | undefined): string[] {
  const found: string[] = [];
  for (const [k, v] of Object.entries(tags ?? {})) {
    if (k === 'aws:cloudformation:stack-name') found.push(`${k}=${v}`);
    else if (k === 'alpha.eksctl.io/cluster-name' || k === 'eksctl.cluster.k8s.io/v1alpha1/cluster-name') found.push(`${k} (eksctl)`);
    else if (IAC_TAG_KEY.test(k) && IAC_TAG_VALUE.test(v)) found.push(`${k}=${v}`);
  }
  return found;
}

const AGENT_LABEL: Record<AgentClass, string> = {
  terraform: 'Terraform', opentofu: 'OpenTofu', cloudformation: 'CloudFormation/CDK', pulumi: 'Pulumi', eksctl: 'eksctl',
  crossplane: 'Crossplane', ack: 'AWS Controllers for Kubernetes', console: 'the AWS console', 'aws-cli': 'the AWS CLI',
  sdk: 'an AWS SDK', 'aws-service': 'an AWS service', unknown: 'an unidentified client',
};

const eventLine = (e: TrailEvent) => `${e.name} by ${e.username ?? '?'} on ${isoDay(e.time)}`;

export const CC7_CHG_02 = defineControl({
  id: 'CC7-CHG-02',
  title: 'The cluster is built and changed through infrastructure as code',
  section: 'CC7',
  under: 'changeManagement',
  tsc: ['CC8.1'],
  automation: 'partial',
  attestation: 'the IaC repository (Terraform, CDK or eksctl configuration) and its review process, and for Terraform the state location, since Terraform leaves no AWS-side marker',
  severity: 'medium',
  description:
    'Looks for AWS-side proof that the cluster is managed as code: CloudFormation/CDK/eksctl stacks (found through the cluster and node ' +
    "group aws:cloudformation:stack-name tags or eksctl's stack tags) in a settled state and not drifted — the last drift result is read " +
    'from DescribeStacks, drift detection is never started — IaC tags on the cluster, and the user agents of write events on the cluster ' +
    'in CloudTrail (90 days). Changes made from the AWS console are reported as warnings. Terraform state and the repository itself ' +
    'need a human attestation.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (tags)'),
    { anyOf: [aws('cloudformation:DescribeStacks'), aws('cloudtrail:LookupEvents')], what: 'CloudFormation stacks or CloudTrail change events' },
  ],
  optional: [aws('eks:DescribeNodegroup')],
  rules: {
    'iac-evidence': { title: 'AWS-side evidence shows the cluster is managed as code', severity: 'medium' },
    'stack-status': { title: 'The cluster stacks are in a completed state', severity: 'medium' },
    'stack-drift': { title: 'The cluster stacks have been checked for drift and are in sync', severity: 'medium' },
    'change-origin': { title: 'Recent cluster changes were made by IaC tools', severity: 'low' },
    'console-change': { title: 'No cluster change was made from the AWS console', severity: 'low' },
  },
  remediation: {
    summary:
      'Bring the cluster under Terraform, CDK or eksctl (import existing resources), make the pipeline role the only principal allowed to ' +
      'change it (SCP or permission boundary), and run CloudFormation drift detection from the pipeline on a schedule.',
    commands: [
      'terraform import aws_eks_cluster.this $CLUSTER_NAME',
      'aws cloudformation detect-stack-drift --stack-name <stack>   # run from the pipeline; eks-soc2 only reads DriftInformation',
      'aws cloudformation describe-stacks --stack-name <stack> --query "Stacks[0].DriftInformation"',
    ],
  },
  references: [
    { title: 'CloudFormation: detect drift on an entire stack', url: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/detect-drift-stack.html' },
    { title: 'CloudTrail: LookupEvents', url: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html' },
    { title: 'eksctl: CloudFormation stacks and tags', url: 'https://docs.aws.amazon.com/eks/latest/eksctl/what-is-eksctl.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    if (!cluster?.name) {
      ctx.error('eks:DescribeCluster returned no cluster to evaluate');
      return;
    }
    const ref = clusterRef(cluster);
    const markers: string[] = [];

    const tags = iacTags(cluster.tags);
    if (tags.length) markers.push(`cluster tags ${tags.join(', ')}`);
    const stackNames = new Set<string>();
    const clusterStack = cluster.tags?.['aws:cloudformation:stack-name'];
    if (clusterStack) stackNames.add(clusterStack);
    for (const ng of nodegroups(ev)) {
      const s = ng.tags?.['aws:cloudformation:stack-name'];
      if (s) stackNames.add(s);
    }

    const stacks = clusterStacks(ev, cluster.name, stackNames);
    for (const { stack, ref: sref, why } of stacks) {
      markers.push(`stack ${stack.StackName}`);
      const status = stack.StackStatus ? String(stack.StackStatus) : 'unknown';
      if (stackHealthy(status)) ctx.pass(sref, 'stack-status', `${status} (${why})`);
      else ctx.fail(sref, 'stack-status', `stack is ${status}${stack.StackStatusReason ? `: ${stack.StackStatusReason}` : ''}`);
      const drift = stack.DriftInformation?.StackDriftStatus ? String(stack.DriftInformation.StackDriftStatus) : 'NOT_CHECKED';
      const checked = isoDay(toTime(stack.DriftInformation?.LastCheckTimestamp));
      if (drift === 'IN_SYNC') ctx.pass(sref, 'stack-drift', `IN_SYNC at the last drift check (${checked})`);
      else if (drift === 'DRIFTED') ctx.fail(sref, 'stack-drift', `DRIFTED at the last drift check (${checked}): resources were changed outside the template`);
      else ctx.fail(sref, 'stack-drift', `drift status ${drift}: run drift detection from the pipeline (eks-soc2 reads the last result and never starts a detection)`, { severity: 'low' });
    }
    if (ev.has(aws('cloudformation:DescribeStacks'))) {
      for (const n of stackNames) {
        if (!stacks.some((s) => s.stack.StackName === n)) ctx.note(`stack ${n} named in a tag was not returned by DescribeStacks (deleted, or in another account or region)`);
      }
    }

    let otherWrites: TrailEvent[] = [];
    let consoleWrites = 0;
    if (ev.has(aws('cloudtrail:LookupEvents'))) {
      const sgs = [cluster.resourcesVpcConfig?.clusterSecurityGroupId, ...(cluster.resourcesVpcConfig?.securityGroupIds ?? [])].filter((s): s is string => Boolean(s));
      const writes = clusterWriteEvents(trailEvents(ev), cluster.name, cluster.arn, sgs);
      const byAgent = new Map<AgentClass, TrailEvent[]>();
      for (const e of writes) byAgent.set(e.agent, [...(byAgent.get(e.agent) ?? []), e]);
      for (const [agent, events] of byAgent) {
        if (IAC_AGENTS.has(agent)) {
          markers.push(`${events.length} change(s) by ${AGENT_LABEL[agent]}`);
          ctx.pass(ref, 'change-origin', `${events.length} change(s) in CloudTrail by ${AGENT_LABEL[agent]}, latest ${eventLine(events[0]!)}`);
        } else if (agent === 'console') {
          consoleWrites += events.length;
          for (const e of events) ctx.fail(ref, 'console-change', `changed from the AWS console: ${eventLine(e)}`, { details: { eventId: e.id, eventName: e.name } });
        } else if (agent !== 'aws-service') {
          otherWrites = [...otherWrites, ...events];
        }
      }
      if (otherWrites.length) ctx.note(`${otherWrites.length} change(s) by the AWS CLI, an SDK or an unidentified client (a pipeline or a person — attest): ${otherWrites.slice(0, 5).map(eventLine).join('; ')}`);
      if (writes.length === 0) ctx.note('no write event on the cluster in the CloudTrail lookup window (90 days)');
    } else {
      ctx.note('CloudTrail events were not read: the origin of recent changes is unknown');
    }

    if (markers.length) {
      ctx.pass(ref, 'iac-evidence', `managed as code: ${markers.join('; ')}`);
    } else if (otherWrites.length || consoleWrites) {
      ctx.fail(ref, 'iac-evidence', 'no IaC marker (stack, IaC tag or IaC user agent) and recent changes came from people or scripts');
    } else {
      ctx.manual('no AWS-side IaC marker found (Terraform leaves none by default): upload the IaC repository and state evidence');
    }
  },
});

// ---------------------------------------------------------------- CC7-CHG-03

export const CC7_CHG_03 = defineControl({
  id: 'CC7-CHG-03',
  title: 'CI/CD pipelines scan changes for security issues before deployment',
  section: 'CC7',
  under: 'changeManagement',
  tsc: ['CC8.1', 'CC7.1'],
  automation: 'manual',
  attestation: 'pipeline definitions and a sample of run logs over the audit period showing image, dependency and IaC scans that fail the build on policy violations',
  severity: 'medium',
  description:
    'Needs the pipeline definitions and run logs. As supporting signals, every AWS CodePipeline that deploys is read: a security-scan ' +
    'action (the Amazon Inspector scan action, or a build action named after a scanner) must run before its first Deploy action. ' +
    'Enforcing signed scan attestations at admission (CC3-IMG-03) is the only machine-verifiable proof that deployed images went ' +
    'through the pipeline.',
  requires: [],
  optional: [aws('codepipeline:ListPipelines'), aws('codepipeline:GetPipeline')],
  rules: {
    'pipeline-security-scan': { title: 'A security scan runs before the pipeline deploys', severity: 'medium' },
  },
  remediation: {
    summary:
      'Add image, dependency and IaC scanning steps that fail the build on policy violations, sign the image and attach the scan result ' +
      'as a signed attestation so that admission control (CC3-IMG-03) can enforce it.',
    commands: ['aws codepipeline get-pipeline --name <pipeline> --query "pipeline.stages[].actions[].[name,actionTypeId.category,actionTypeId.provider]"'],
  },
  references: [
    { title: 'CodePipeline: Amazon Inspector scan action', url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-InspectorScan.html' },
    { title: 'CodePipeline: action structure reference', url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference.html' },
  ],
  check(ev, ctx) {
    notePipelineGaps(ev, ctx);
    for (const p of pipelines(ev)) {
      const deploys = p.actions.filter((a) => a.category === 'Deploy');
      if (!deploys.length) {
        ctx.note(`pipeline ${p.name} has no Deploy action; not evaluated`);
        continue;
      }
      const first = firstAction(deploys)!;
      const scans = p.actions.filter((a) => isSecurityScan(a) && runsBefore(a, first));
      if (scans.length) ctx.pass(p.ref, 'pipeline-security-scan', `${scans.map(describeAction).join(', ')} runs before ${describeAction(first)}`);
      else ctx.fail(p.ref, 'pipeline-security-scan', `no security-scan action before ${describeAction(first)}`);
    }
    ctx.manual('upload the pipeline definitions and run logs that show the scans and the failing gate');
  },
});

// ---------------------------------------------------------------- CC7-CHG-04

export const CC7_CHG_04 = defineControl({
  id: 'CC7-CHG-04',
  title: 'Rollback is possible and progressive delivery is used for production workloads',
  section: 'CC7',
  under: 'changeManagement',
  tsc: ['CC8.1', 'CC9.1'],
  automation: 'partial',
  attestation: 'a rollback runbook (kubectl rollout undo, Git revert, Argo Rollouts abort) that has been reviewed and rehearsed',
  severity: 'medium',
  description:
    'Every Deployment keeps revisions to roll back to (revisionHistoryLimit not 0; the default is 10), at least one non-system workload ' +
    'is released through Argo Rollouts or Flagger, and Deployments stuck past their progress deadline are flagged — Kubernetes does ' +
    'not roll those back by itself. The runbook is a manual attestation.',
  requires: [
    need.kind('apps/Deployment', 'Deployments'),
    need.anyKind(['argoproj.io/Rollout', 'flagger.app/Canary'], 'progressive-delivery objects (Argo Rollouts or Flagger)'),
  ],
  rules: {
    'revision-history': { title: 'Deployments keep revision history for rollback', severity: 'medium' },
    'stalled-rollout': { title: 'No Deployment is stuck past its progress deadline', severity: 'low' },
    'progressive-delivery': { title: 'Production workloads use a progressive-delivery controller', severity: 'medium' },
  },
  remediation: {
    summary: 'Keep revisionHistoryLimit above 0, adopt Argo Rollouts or Flagger for production services, and document the rollback steps.',
    commands: ['kubectl rollout undo deployment/<name> -n <namespace>', 'kubectl argo rollouts abort <rollout> -n <namespace>'],
  },
  references: [
    { title: 'Kubernetes: Deployments — revision history limit', url: 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#revision-history-limit' },
    { title: 'Argo Rollouts', url: 'https://argo-rollouts.readthedocs.io/en/stable/' },
    { title: 'Flagger', url: 'https://docs.flagger.app/' },
  ],
  check(ev, ctx) {
    for (const d of ev.objects('apps/Deployment')) {
      const limit = rec(d.spec)?.revisionHistoryLimit;
      if (limit === 0) ctx.fail(d, 'revision-history', 'revisionHistoryLimit: 0 — no previous ReplicaSet is kept, `kubectl rollout undo` has nothing to return to');
      else ctx.pass(d, 'revision-history', `keeps ${typeof limit === 'number' ? limit : '10 (default)'} revisions`);
      const conds = arr<Rec>(rec(d.status)?.conditions);
      const stuck = conds.find((c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded');
      if (stuck) ctx.fail(d, 'stalled-rollout', 'rollout exceeded its progress deadline and was not rolled back (Kubernetes only marks it)');
    }
    let progressive = 0;
    for (const r of [...ev.objects('argoproj.io/Rollout'), ...ev.objects('flagger.app/Canary')]) {
      const strategy = r.kind === 'Rollout' ? Object.keys(rec(rec(r.spec)?.strategy) ?? {})[0] ?? 'no strategy' : 'Flagger canary';
      ctx.pass(r, 'progressive-delivery', `${r.kind} (${strategy})`);
      if (!ctx.isSystemNamespace(r.metadata.namespace)) progressive++;
    }
    if (progressive === 0) ctx.fail(clusterScope(ctx), 'progressive-delivery', 'no Argo Rollouts Rollout or Flagger Canary outside the system namespaces');
  },
});

// ---------------------------------------------------------------- CC7-CFG-01

const KARPENTER_MATCH = { labels: { 'app.kubernetes.io/name': 'karpenter' }, names: ['karpenter'], images: ['karpenter/controller'] };
const CA_MATCH = { images: ['cluster-autoscaler'] };

export const CC7_CFG_01 = defineControl({
  id: 'CC7-CFG-01',
  title: 'A node autoscaler (Karpenter, EKS Auto Mode or cluster-autoscaler) manages capacity',
  section: 'CC7',
  under: 'configurationManagement',
  tsc: ['A1.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    'One healthy node autoscaler must manage capacity: EKS Auto Mode (computeConfig enabled with node pools), a Karpenter controller with ' +
    'NodePools, or cluster-autoscaler (minor version matching the cluster, auto-discovery tags on the Auto Scaling groups). NodePools ' +
    'without limits can grow without bound and running cluster-autoscaler alongside Karpenter or Auto Mode invites conflicts: both are ' +
    'warnings. A Fargate-only cluster has nothing to scale and is not applicable.',
  requires: [need.kind('apps/Deployment', 'Deployments (autoscaler controllers)'), need.kind('core/Node', 'nodes')],
  optional: [
    aws('eks:DescribeCluster'), k8s('karpenter.sh/NodePool'), k8s('karpenter.k8s.aws/EC2NodeClass'), k8s('core/ConfigMap'),
    aws('autoscaling:DescribeAutoScalingGroups'),
  ],
  rules: {
    'node-autoscaler': { title: 'A node autoscaler is installed and healthy', severity: 'medium' },
    'nodepool-limits': { title: 'Karpenter NodePools set resource limits', severity: 'low' },
    'nodepool-ready': { title: 'NodePools are Ready and reference an existing node class', severity: 'medium' },
    'single-autoscaler': { title: 'Only one node autoscaler manages the nodes', severity: 'low' },
    'autoscaler-version': { title: 'cluster-autoscaler matches the cluster minor version', severity: 'low' },
    'autoscaler-health': { title: 'cluster-autoscaler reports itself healthy', severity: 'medium' },
    'asg-discovery': { title: 'Auto Scaling groups carry the cluster-autoscaler discovery tags', severity: 'medium' },
  },
  remediation: {
    summary: 'Enable EKS Auto Mode or install Karpenter with NodePools that set limits; run a single autoscaler per node group.',
    commands: [
      'aws eks update-cluster-config --name $CLUSTER_NAME --compute-config enabled=true,nodePools=general-purpose,system,nodeRoleArn=<node-role-arn> --kubernetes-network-config \'{"elasticLoadBalancing":{"enabled":true}}\' --storage-config \'{"blockStorage":{"enabled":true}}\'',
      'kubectl patch nodepool <name> --type merge -p \'{"spec":{"limits":{"cpu":"1000","memory":"1000Gi"}}}\'',
    ],
  },
  references: [
    { title: 'Amazon EKS Auto Mode: built-in node pools', url: 'https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html' },
    { title: 'Amazon EKS: create a node pool', url: 'https://docs.aws.amazon.com/eks/latest/userguide/create-node-pool.html' },
    { title: 'Karpenter: NodePools', url: 'https://karpenter.sh/docs/concepts/nodepools/' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const cref = cluster ? clusterRef(cluster) : clusterScope(ctx);
    const nodes = ev.objects('core/Node');
    const compute = cluster?.computeConfig;
    const autoMode = compute?.enabled === true || nodes.some((n) => computeType(n) === 'auto');
    const karpenter = find(ev, 'apps/Deployment', KARPENTER_MATCH);
    const ca = find(ev, 'apps/Deployment', CA_MATCH);
    const nodePools = ev.objects('karpenter.sh/NodePool');

    if (!autoMode && karpenter.length === 0 && ca.length === 0) {
      if (nodes.length > 0 && nodes.every((n) => computeType(n) === 'fargate')) {
        ctx.notApplicable('Fargate-only cluster: AWS provisions capacity per pod, there are no nodes to scale');
        return;
      }
      ctx.fail(cref, 'node-autoscaler', 'no node autoscaler: no EKS Auto Mode, Karpenter or cluster-autoscaler');
      return;
    }

    if (autoMode) {
      const pools = compute?.nodePools ?? [];
      if (pools.length || nodePools.length) ctx.pass(cref, 'node-autoscaler', `EKS Auto Mode manages capacity${pools.length ? ` (built-in node pools: ${pools.join(', ')})` : ' with custom NodePools'}`);
      else if (compute?.enabled === true && ev.has(k8s('karpenter.sh/NodePool'))) ctx.fail(cref, 'node-autoscaler', 'EKS Auto Mode is on but has neither built-in node pools nor NodePools: it cannot launch nodes');
      else ctx.pass(cref, 'node-autoscaler', 'EKS Auto Mode nodes are present');
    }
    for (const k of karpenter) {
      const { ref, at } = asEvidence(k, ctx);
      if (isAvailable(k)) ctx.pass(ref, 'node-autoscaler', `Karpenter controller is available${at}`);
      else ctx.fail(ref, 'node-autoscaler', `Karpenter controller is not available${at}`);
    }
    if (karpenter.length || autoMode) {
      if (unreadable(ev, k8s('karpenter.sh/NodePool'))) {
        ctx.error(`NodePools could not be read (${ev.state(k8s('karpenter.sh/NodePool'))})`);
      } else if (!ev.has(k8s('karpenter.sh/NodePool'))) {
        ctx.note('NodePools were not collected: their limits were not checked');
      } else if (karpenter.length && nodePools.length === 0) {
        ctx.fail(cref, 'node-autoscaler', 'Karpenter is installed but no NodePool exists: it cannot launch nodes');
      }
    }
    const nodeClasses = ev.has(k8s('karpenter.k8s.aws/EC2NodeClass')) ? new Set(ev.objects('karpenter.k8s.aws/EC2NodeClass').map((c) => c.metadata.name)) : undefined;
    for (const np of nodePools) {
      const limits = rec(rec(np.spec)?.limits);
      if (limits && Object.keys(limits).length) ctx.pass(np, 'nodepool-limits', `limits ${Object.entries(limits).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
      else ctx.fail(np, 'nodepool-limits', 'no spec.limits: the pool can launch nodes without bound (cost and availability risk)');
      const ready = condition(np, 'Ready');
      const ncRef = rec(rec(rec(rec(np.spec)?.template)?.spec)?.nodeClassRef);
      const ncName = str(ncRef?.name);
      if (ready === 'False') ctx.fail(np, 'nodepool-ready', 'NodePool is not Ready');
      else if (nodeClasses && str(ncRef?.kind) === 'EC2NodeClass' && ncName && !nodeClasses.has(ncName)) ctx.fail(np, 'nodepool-ready', `references EC2NodeClass ${ncName}, which does not exist`);
      else if (ready === 'True') ctx.pass(np, 'nodepool-ready', `Ready${ncName ? `, node class ${ncName}` : ''}`);
    }

    const clusterMinor = parseVersion(cluster?.version)?.minor ?? ev.serverMinor();
    const configMaps = ev.has(k8s('core/ConfigMap'));
    for (const d of ca) {
      const { ref, at } = asEvidence(d, ctx);
      if (isAvailable(d)) ctx.pass(ref, 'node-autoscaler', `cluster-autoscaler is available${at}`);
      else ctx.fail(ref, 'node-autoscaler', `cluster-autoscaler is not available${at}`);
      const spec = podTemplate(d)?.spec;
      const c = spec ? [...containersOf(spec)].find(({ c: x }) => (x.image ?? '').includes('cluster-autoscaler'))?.c : undefined;
      const tag = (c?.image ?? '').split('@')[0]!.split(':').slice(1).pop();
      const minor = parseVersion(tag)?.minor;
      if (minor !== undefined && clusterMinor !== undefined) {
        if (minor === clusterMinor) ctx.pass(ref, 'autoscaler-version', `image ${tag} matches the cluster minor 1.${clusterMinor}${at}`);
        else ctx.fail(ref, 'autoscaler-version', `image ${tag} does not match the cluster minor 1.${clusterMinor}${at}`);
      }
      if (configMaps) {
        const status = ev.get('core/ConfigMap', d.metadata.namespace ?? 'kube-system', 'cluster-autoscaler-status');
        const text = str(rec(status?.data)?.status) ?? '';
        if (/Health:\s*Unhealthy|status:\s*Unhealthy/i.test(text)) ctx.fail(ref, 'autoscaler-health', `cluster-autoscaler-status reports Unhealthy${at}`);
        else if (/Health:\s*Healthy|status:\s*Healthy/i.test(text)) ctx.pass(ref, 'autoscaler-health', `cluster-autoscaler-status reports Healthy${at}`);
      }
      const args = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
      if (/--node-group-auto-discovery/.test(args) && ev.has(aws('autoscaling:DescribeAutoScalingGroups'))) {
        const groups = ev.aws('autoscaling:DescribeAutoScalingGroups').flatMap((f) => out<{ AutoScalingGroups?: AutoScalingGroup[] }>(f)?.AutoScalingGroups ?? []);
        const name = cluster?.name ?? ctx.clusterName ?? '';
        const tagged = groups.filter((g) => {
          const keys = new Set((g.Tags ?? []).map((t) => t.Key));
          return keys.has('k8s.io/cluster-autoscaler/enabled') && keys.has(`k8s.io/cluster-autoscaler/${name}`);
        });
        if (tagged.length) ctx.pass(ref, 'asg-discovery', `auto-discovery finds ${tagged.length} Auto Scaling group(s): ${tagged.map((g) => g.AutoScalingGroupName).join(', ')}`);
        else ctx.fail(ref, 'asg-discovery', `auto-discovery is configured but no Auto Scaling group carries k8s.io/cluster-autoscaler/enabled and k8s.io/cluster-autoscaler/${name}`);
      }
    }
    if (ca.length && (karpenter.length || autoMode)) {
      ctx.fail(cref, 'single-autoscaler', `cluster-autoscaler runs next to ${karpenter.length ? 'Karpenter' : 'EKS Auto Mode'}: make sure they never manage the same nodes`);
    }
  },
});

// ---------------------------------------------------------------- CC7-CFG-02

const SCALABLE_KINDS = ['apps/Deployment', 'apps/StatefulSet'];
const MUTATING_VPA_MODES = new Set(['Auto', 'Recreate', 'Initial', 'InPlaceOrRecreate']);

/** Resources an HPA scales on: Resource/ContainerResource metrics, v1 CPU target, or the CPU default. */
function hpaResources(hpa: K8sObject): Set<string> {
  const spec = rec(hpa.spec) ?? {};
  const metrics = arr<Rec>(spec.metrics);
  if (!metrics.length) return new Set(['cpu']); // v1 targetCPUUtilizationPercentage, or the v2 default (80 % CPU)
  const res = new Set<string>();
  for (const m of metrics) {
    const name = str(rec(m.resource)?.name) ?? str(rec(m.containerResource)?.name);
    if (name) res.add(name);
  }
  return res;
}

/** Resources a VPA changes, when its mode mutates pods (`Off` changes nothing). */
function vpaResources(vpa: K8sObject): { mode: string; resources: Set<string> } {
  const spec = rec(vpa.spec) ?? {};
  const mode = str(rec(spec.updatePolicy)?.updateMode) ?? 'Auto';
  if (!MUTATING_VPA_MODES.has(mode)) return { mode, resources: new Set() };
  const policies = arr<Rec>(rec(spec.resourcePolicy)?.containerPolicies).filter((p) => p.mode !== 'Off');
  if (!policies.length) return { mode, resources: new Set(['cpu', 'memory']) };
  return { mode, resources: new Set(policies.flatMap((p) => (Array.isArray(p.controlledResources) ? p.controlledResources.map(String) : ['cpu', 'memory']))) };
}

const targetKey = (ns: string | undefined, kind: unknown, name: unknown) => `${ns ?? ''}/${String(kind)}/${String(name)}`;

export const CC7_CFG_02 = defineControl({
  id: 'CC7-CFG-02',
  title: 'Workloads scale with HPA or VPA on a working metrics API',
  section: 'CC7',
  under: 'configurationManagement',
  tsc: ['A1.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    'The resource metrics API (APIService v1beta1.metrics.k8s.io, served by metrics-server) must be available; HorizontalPodAutoscalers ' +
    'must point at an existing workload and report ScalingActive; the share of non-system Deployments and StatefulSets covered by an ' +
    'HPA or a VPA must reach the configured threshold; VPA objects need the recommender (and, to change pods, updater and admission ' +
    'controller). An HPA on CPU or memory and a VPA changing the same resource on the same workload fight each other: warning.',
  requires: [
    need.anyKind(['autoscaling/HorizontalPodAutoscaler', 'autoscaling.k8s.io/VerticalPodAutoscaler'], 'HorizontalPodAutoscalers or VerticalPodAutoscalers'),
    { anyOf: [k8s('apiregistration.k8s.io/APIService'), aws('eks:DescribeAddon')], what: 'the metrics API (APIService v1beta1.metrics.k8s.io, or the metrics-server EKS add-on)', alternatives: true },
    need.anyKind(SCALABLE_KINDS, 'Deployments and StatefulSets'),
  ],
  optional: [k8s('argoproj.io/Rollout')],
  rules: {
    'metrics-api': { title: 'The resource metrics API is available', severity: 'high' },
    'hpa-target': { title: 'The HPA targets an existing workload', severity: 'medium' },
    'hpa-scaling-active': { title: 'The HPA can compute its metrics (ScalingActive)', severity: 'medium' },
    'vpa-components': { title: 'VPA components run when VPA objects exist', severity: 'medium' },
    'hpa-vpa-conflict': { title: 'HPA and VPA do not act on the same resource of one workload', severity: 'low' },
    autoscaled: { title: 'The workload has an HPA or a VPA', severity: 'low' },
    'autoscaling-coverage': { title: 'Enough scalable workloads are autoscaled', severity: 'medium' },
  },
  remediation: {
    summary: 'Install metrics-server (EKS add-on), then create HPAs for stateless services and VPAs (Off or Initial mode where an HPA scales on CPU/memory).',
    commands: [
      'aws eks create-addon --cluster-name $CLUSTER_NAME --addon-name metrics-server',
      'kubectl autoscale deployment <name> -n <namespace> --cpu-percent=70 --min=2 --max=10',
      'kubectl get apiservice v1beta1.metrics.k8s.io',
    ],
  },
  references: [
    { title: 'Kubernetes: Horizontal Pod Autoscaling', url: 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/' },
    { title: 'Kubernetes: Vertical Pod Autoscaling', url: 'https://kubernetes.io/docs/concepts/workloads/autoscaling/vertical-pod-autoscale' },
    { title: 'Amazon EKS: metrics server', url: 'https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html' },
  ],
  check(ev, ctx) {
    // Metrics API.
    if (ev.has(k8s('apiregistration.k8s.io/APIService'))) {
      const svc = ev.get('apiregistration.k8s.io/APIService', '', 'v1beta1.metrics.k8s.io');
      const available = svc ? condition(svc, 'Available') : undefined;
      if (!svc) ctx.fail(clusterScope(ctx), 'metrics-api', 'no APIService v1beta1.metrics.k8s.io: HPAs on CPU or memory cannot scale (install metrics-server)');
      else if (available === 'True') ctx.pass(svc, 'metrics-api', 'v1beta1.metrics.k8s.io is Available');
      else if (available === undefined) ctx.pass(svc, 'metrics-api', 'v1beta1.metrics.k8s.io is registered (no status in the input)');
      else ctx.fail(svc, 'metrics-api', `v1beta1.metrics.k8s.io is not Available (${available}): HPAs on CPU or memory cannot scale`);
    } else {
      const addon = describeAddon(ev, 'metrics-server');
      if (addon?.status === 'ACTIVE') ctx.pass(awsRef('AWS::EKS::Addon', 'metrics-server', { arn: addon.addonArn }), 'metrics-api', `metrics-server EKS add-on ${addon.addonVersion ?? ''} is ACTIVE`.trim());
      else if (addon) ctx.fail(awsRef('AWS::EKS::Addon', 'metrics-server', { arn: addon.addonArn }), 'metrics-api', `metrics-server EKS add-on is ${String(addon.status)}`);
      else ctx.error('metrics API availability unknown: APIServices were not collected and metrics-server is not an EKS add-on');
    }

    // HPAs and VPAs, keyed by target.
    const hpas = ev.objects('autoscaling/HorizontalPodAutoscaler');
    const vpas = ev.objects('autoscaling.k8s.io/VerticalPodAutoscaler');
    const hpaByTarget = new Map<string, K8sObject>();
    const vpaByTarget = new Map<string, K8sObject>();
    const kindKeys: Record<string, string> = { Deployment: 'apps/Deployment', StatefulSet: 'apps/StatefulSet', Rollout: 'argoproj.io/Rollout' };
    for (const h of hpas) {
      const t = rec(rec(h.spec)?.scaleTargetRef);
      const kk = kindKeys[str(t?.kind) ?? ''];
      hpaByTarget.set(targetKey(h.metadata.namespace, t?.kind, t?.name), h);
      if (kk && ev.has(k8s(kk)) && !ev.get(kk, h.metadata.namespace ?? '', str(t?.name) ?? '')) {
        ctx.fail(h, 'hpa-target', `targets ${String(t?.kind)} ${String(t?.name)}, which does not exist in namespace ${h.metadata.namespace ?? 'default'}`);
      } else if (kk && ev.has(k8s(kk))) {
        ctx.pass(h, 'hpa-target', `targets ${String(t?.kind)} ${String(t?.name)}`);
      }
      const active = condition(h, 'ScalingActive');
      const why = arr<Rec>(rec(h.status)?.conditions).find((c) => c.type === 'ScalingActive');
      if (active === 'True') ctx.pass(h, 'hpa-scaling-active', 'ScalingActive');
      else if (active !== undefined) ctx.fail(h, 'hpa-scaling-active', `ScalingActive=${active}${why?.reason ? ` (${String(why.reason)})` : ''}: the HPA cannot read its metrics`);
    }
    for (const v of vpas) {
      const t = rec(rec(v.spec)?.targetRef);
      vpaByTarget.set(targetKey(v.metadata.namespace, t?.kind, t?.name), v);
    }
    if (vpas.length) {
      const has = (c: string) => find(ev, 'apps/Deployment', { names: [c], images: [c] }).length > 0;
      const modes = new Set(vpas.map((v) => vpaResources(v).mode));
      const needed = ['vpa-recommender'];
      if ([...modes].some((m) => MUTATING_VPA_MODES.has(m))) needed.push('vpa-admission-controller');
      if ([...modes].some((m) => m !== 'Off' && m !== 'Initial')) needed.push('vpa-updater');
      const missing = needed.filter((c) => !has(c));
      if (missing.length) ctx.fail(clusterScope(ctx), 'vpa-components', `${vpas.length} VPA object(s) but no ${missing.join(', ')}: their recommendations or updates never happen`);
      else ctx.pass(clusterScope(ctx), 'vpa-components', `VPA components present: ${needed.join(', ')}`);
    }

    // Coverage and conflicts.
    const covered: { obj: K8sObject; message: string }[] = [];
    const uncovered: { obj: K8sObject; message: string }[] = [];
    for (const w of topLevel(ev, ctx, ev.has(k8s('argoproj.io/Rollout')) ? [...SCALABLE_KINDS, 'argoproj.io/Rollout'] : SCALABLE_KINDS)) {
      const key = targetKey(w.metadata.namespace, w.kind, w.metadata.name);
      const h = hpaByTarget.get(key);
      const v = vpaByTarget.get(key);
      if (h && v) {
        const vr = vpaResources(v);
        const overlap = [...hpaResources(h)].filter((r) => vr.resources.has(r));
        if (overlap.length) ctx.fail(w, 'hpa-vpa-conflict', `HPA ${h.metadata.name} scales on ${overlap.join('/')} while VPA ${v.metadata.name} (${vr.mode}) changes the same requests: they fight`);
      }
      if (h || v) covered.push({ obj: w, message: [h ? `HPA ${h.metadata.name}` : '', v ? `VPA ${v.metadata.name} (${vpaResources(v).mode})` : ''].filter(Boolean).join(' + ') });
      else uncovered.push({ obj: w, message: 'no HPA or VPA targets this workload' });
    }
    coverage(ctx, { covered, uncovered, threshold: ctx.config.thresholds.autoscalingCoveragePercent, itemRule: 'autoscaled', rule: 'autoscaling-coverage', what: 'scalable non-system workloads with an HPA or VPA' });
  },
});

// ---------------------------------------------------------------- CC7-CFG-03

const CSI_DRIVER = 'secrets-store.csi.k8s.io';
const SPC = 'secrets-store.csi.x-k8s.io/SecretProviderClass';
const ESO_EXTERNAL = 'external-secrets.io/ExternalSecret';
const ESO_STORES = ['external-secrets.io/SecretStore', 'external-secrets.io/ClusterSecretStore'];
/** Environment variable names that look like credentials (as the collectors' redaction uses). */
const SECRET_ENV = /(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)/i;
/** Names that point at a credential rather than hold it. */
const SECRET_ENV_POINTER = /(_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HOST|_PORT|_ARN)$/i;

/** Secret names referenced by a SecretProviderClass (`spec.parameters.objects` is YAML in a string). */
function spcObjects(spc: K8sObject): { names: string[]; problem?: string } {
  const raw = str(rec(rec(spc.spec)?.parameters)?.objects);
  if (!raw) return { names: [] };
  try {
    const parsed: unknown = parseYaml(raw);
    const names = arr<Rec>(parsed)
      .filter((o) => !o.objectType || String(o.objectType) === 'secretsmanager' || String(o.objectName ?? '').startsWith('arn:aws:secretsmanager:'))
      .map((o) => str(o.objectName))
      .filter((n): n is string => Boolean(n));
    return { names };
  } catch (err) {
    return { names: [], problem: `parameters.objects is not valid YAML (${(err as Error).message.split('\n')[0]})` };
  }
}

function workloadsWithRollouts(ev: Evidence): Workload[] {
  const list = workloads(ev);
  if (ev.has(k8s('argoproj.io/Rollout'))) {
    for (const r of ev.objects('argoproj.io/Rollout')) {
      const tpl = podTemplate(r);
      if (tpl) list.push({ obj: r, spec: tpl.spec, podMeta: {}, namespace: r.metadata.namespace ?? 'default' });
    }
  }
  return list;
}

function secretsStoreVolumes(spec: PodSpec): string[] {
  return arr<{ csi?: { driver?: string; volumeAttributes?: Record<string, string> } }>(spec.volumes)
    .filter((v) => v.csi?.driver === CSI_DRIVER)
    .map((v) => v.csi?.volumeAttributes?.secretProviderClass ?? '');
}

export const CC7_CFG_03 = defineControl({
  id: 'CC7-CFG-03',
  title: 'Application secrets come from AWS Secrets Manager, not from pod specs',
  section: 'CC7',
  under: 'configurationManagement',
  tsc: ['CC6.1', 'C1.1'],
  automation: 'automated',
  attestation: 'that no application secret is kept only in Kubernetes Secrets or baked into images (the tool never reads Secret values), and that secrets without rotation are justified',
  severity: 'high',
  description:
    'Requires a way to deliver Secrets Manager secrets to pods — the Secrets Store CSI driver with the AWS provider (ASCP, manifest or ' +
    'EKS add-on) or the External Secrets Operator with an AWS store — that workloads actually use: pods mounting a SecretProviderClass ' +
    'that exists, ExternalSecrets in sync. Containers with credential-looking environment variables holding a literal value fail ' +
    '(the name is reported, never the value; file input already redacts it). Secrets referenced through SecretProviderClasses and ' +
    'ExternalSecrets are looked up in ListSecrets and should rotate (warning otherwise). ASCP does not run on Fargate; SecretProviderClasses ' +
    'that sync into Kubernetes Secrets are noted, since those copies then depend on etcd encryption (CC9-ENC-01).',
  requires: [
    need.workloads(),
    { anyOf: [k8s('storage.k8s.io/CSIDriver'), k8s(ESO_EXTERNAL), aws('eks:ListAddons')], what: 'secret delivery evidence (CSIDriver objects, ExternalSecrets, or the EKS add-on list)' },
  ],
  optional: [
    k8s(SPC), ...ESO_STORES.map(k8s), k8s('argoproj.io/Rollout'), k8s('core/Node'),
    aws('eks:DescribeAddon'), aws('secretsmanager:ListSecrets'),
  ],
  rules: {
    'secrets-store-driver': { title: 'A Secrets Manager delivery mechanism is installed and healthy', severity: 'high' },
    'secret-provider-class': { title: 'SecretProviderClasses use the AWS provider and are well formed', severity: 'medium' },
    'workload-uses-secrets-manager': { title: 'Workloads consume secrets through the mechanism', severity: 'medium' },
    'external-secret-synced': { title: 'ExternalSecrets are in sync', severity: 'medium' },
    'ascp-fargate': { title: 'ASCP volumes are not used on Fargate', severity: 'high' },
    'no-literal-secret-env': { title: 'No credential-looking environment variable holds a literal value', severity: 'high' },
    'secret-rotation': { title: 'Referenced secrets rotate automatically', severity: 'low' },
  },
  remediation: {
    summary:
      'Install the Secrets Store CSI driver and then the AWS provider (or the EKS add-on that bundles both), move literal credentials ' +
      'into Secrets Manager, mount them through SecretProviderClasses, and turn on rotation.',
    commands: [
      'aws eks create-addon --cluster-name $CLUSTER_NAME --addon-name aws-secrets-store-csi-driver-provider',
      'helm repo add secrets-store-csi-driver https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts && helm install csi-secrets-store secrets-store-csi-driver/secrets-store-csi-driver -n kube-system',
      'kubectl apply -f https://raw.githubusercontent.com/aws/secrets-store-csi-driver-provider-aws/main/deployment/aws-provider-installer.yaml   # only after the driver',
      'aws secretsmanager rotate-secret --secret-id <name> --rotation-lambda-arn <arn> --rotation-rules AutomaticallyAfterDays=30',
    ],
    manifest: `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: { name: app-secrets, namespace: app }
spec:
  provider: aws
  parameters:
    usePodIdentity: "true"
    objects: |
      - objectName: "prod/app/db"
        objectType: "secretsmanager"`,
  },
  references: [
    { title: 'Secrets Manager: use secrets in Amazon EKS', url: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/integrate_eks.html' },
    { title: 'Amazon EKS: manage secrets', url: 'https://docs.aws.amazon.com/eks/latest/userguide/manage-secrets.html' },
    { title: 'ASCP code examples (SecretProviderClass)', url: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/ascp-examples.html' },
  ],
  check(ev, ctx) {
    const cref = clusterScope(ctx);
    const daemonSets = ev.objects('apps/DaemonSet');
    const matchDs = (re: RegExp) => daemonSets.filter((d) => re.test(d.metadata.name ?? '') || (podTemplate(d)?.spec.containers ?? []).some((c) => re.test(c.image ?? '')));
    const driverDs = matchDs(/csi-secrets-store\/driver|secrets-store-csi-driver(?!-provider)|^csi-secrets-store$/);
    const providerDs = matchDs(/secrets-store-csi-driver-provider-aws|csi-secrets-store-provider-aws/);
    const addon = describeAddon(ev, 'aws-secrets-store-csi-driver-provider');
    const addonListed = addon !== undefined || addonNames(ev).includes('aws-secrets-store-csi-driver-provider');
    const csiDriver = ev.get('storage.k8s.io/CSIDriver', '', CSI_DRIVER);
    const eso = find(ev, 'apps/Deployment', { images: ['external-secrets/external-secrets'] });

    // 1. Mechanism.
    let mechanism = false;
    if (csiDriver || driverDs.length || providerDs.length || addonListed) {
      for (const d of [...driverDs, ...providerDs]) {
        const r = daemonSetReady(d);
        const { ref, at } = asEvidence(d, ctx);
        if (r.ok) ctx.pass(ref, 'secrets-store-driver', `ready on ${r.ready}/${r.desired} nodes${at}`);
        else ctx.fail(ref, 'secrets-store-driver', `ready on ${r.ready}/${r.desired} nodes${at}`);
      }
      if (addon) {
        const aref = awsRef('AWS::EKS::Addon', 'aws-secrets-store-csi-driver-provider', { arn: addon.addonArn });
        if (addon.status === 'ACTIVE') ctx.pass(aref, 'secrets-store-driver', `EKS add-on ${addon.addonVersion ?? ''} is ACTIVE (driver and AWS provider)`);
        else ctx.fail(aref, 'secrets-store-driver', `EKS add-on is ${String(addon.status)}`);
      }
      const providerOk = providerDs.some((d) => daemonSetReady(d).ok) || addon?.status === 'ACTIVE' || (addonListed && !addon);
      const driverOk = Boolean(csiDriver) || driverDs.some((d) => daemonSetReady(d).ok) || addonListed;
      if (!providerOk) ctx.fail(cref, 'secrets-store-driver', 'the Secrets Store CSI driver runs without a ready AWS provider (ASCP): it cannot read Secrets Manager');
      if (ev.has(k8s('storage.k8s.io/CSIDriver')) && !csiDriver) ctx.fail(cref, 'secrets-store-driver', `CSIDriver ${CSI_DRIVER} is not registered: pods cannot mount secrets-store volumes`);
      else if (csiDriver) ctx.pass(csiDriver, 'secrets-store-driver', 'CSI driver registered');
      mechanism = providerOk && driverOk;
    }
    if (eso.length) {
      for (const d of eso) {
        const { ref, at } = asEvidence(d, ctx);
        if (isAvailable(d)) ctx.pass(ref, 'secrets-store-driver', `External Secrets Operator is available${at}`);
        else ctx.fail(ref, 'secrets-store-driver', `External Secrets Operator is not available${at}`);
      }
      const awsStores = ESO_STORES.flatMap((k) => ev.objects(k)).filter((s) => rec(rec(rec(s.spec)?.provider)?.aws));
      for (const s of awsStores) ctx.pass(asEvidence(s, ctx).ref, 'secrets-store-driver', `${s.kind} reads AWS ${str(rec(rec(rec(s.spec)?.provider)?.aws)?.service) ?? 'SecretsManager'}`);
      mechanism = mechanism || (eso.some(isAvailable) && (awsStores.length > 0 || !ESO_STORES.some((k) => ev.has(k8s(k)))));
    }
    if (!mechanism && !(csiDriver || driverDs.length || providerDs.length || addonListed || eso.length)) {
      ctx.fail(cref, 'secrets-store-driver', 'no Secrets Store CSI driver with the AWS provider and no External Secrets Operator');
    }

    // 2. SecretProviderClasses and what they reference.
    const referenced = new Set<string>();
    const spcs = ev.objects(SPC);
    for (const spc of spcs) {
      const provider = str(rec(spc.spec)?.provider);
      if (provider !== 'aws') {
        ctx.note(`SecretProviderClass ${nsName(spc)} uses provider ${provider ?? '(none)'}, not aws`);
        continue;
      }
      const { names, problem } = spcObjects(spc);
      names.forEach((n) => referenced.add(n));
      if (problem) ctx.fail(spc, 'secret-provider-class', problem);
      else ctx.pass(spc, 'secret-provider-class', `AWS provider, ${names.length} Secrets Manager object(s)`);
      if (arr(rec(spc.spec)?.secretObjects).length) {
        ctx.note(`SecretProviderClass ${nsName(spc)} syncs into Kubernetes Secrets (secretObjects): those copies live in etcd and rely on KMS envelope encryption (CC9-ENC-01)`);
      }
    }
    for (const es of ev.objects(ESO_EXTERNAL)) {
      const spec = rec(es.spec) ?? {};
      for (const d of arr<Rec>(spec.data)) { const k = str(rec(d.remoteRef)?.key); if (k) referenced.add(k); }
      for (const d of arr<Rec>(spec.dataFrom)) { const k = str(rec(d.extract)?.key); if (k) referenced.add(k); }
      const ready = condition(es, 'Ready');
      if (ready === 'True') ctx.pass(es, 'external-secret-synced', 'Ready: synced from the store');
      else if (ready !== undefined) ctx.fail(es, 'external-secret-synced', `Ready=${ready}: the secret is not synced`);
    }

    // 3. Usage and literal credentials, per workload.
    const fargateNodes = new Set(ev.has(k8s('core/Node')) ? ev.objects('core/Node').filter((n) => computeType(n) === 'fargate').map((n) => n.metadata.name) : []);
    let users = ev.objects(ESO_EXTERNAL).length;
    for (const w of workloadsWithRollouts(ev)) {
      for (const spcName of secretsStoreVolumes(w.spec)) {
        users++;
        if (ev.has(k8s(SPC)) && !ev.get(SPC, w.namespace, spcName)) ctx.fail(w.obj, 'workload-uses-secrets-manager', `mounts SecretProviderClass "${spcName}", which does not exist in namespace ${w.namespace}`);
        else ctx.pass(w.obj, 'workload-uses-secrets-manager', `mounts secrets from SecretProviderClass ${spcName}`);
        const onFargate = (w.obj.kind === 'Pod' && fargateNodes.has(str(rec(w.obj.spec)?.nodeName))) || Boolean(w.podMeta.labels?.['eks.amazonaws.com/fargate-profile'] ?? w.obj.metadata.labels?.['eks.amazonaws.com/fargate-profile']);
        if (onFargate) ctx.fail(w.obj, 'ascp-fargate', 'runs on Fargate, where the Secrets Store CSI driver (a DaemonSet) cannot run: the volume never mounts');
      }
      const literal: string[] = [];
      for (const { c } of containersOf(w.spec)) {
        for (const e of c.env ?? []) {
          if (!e?.name || typeof e.value !== 'string' || e.value === '') continue;
          if (SECRET_ENV.test(e.name) && !SECRET_ENV_POINTER.test(e.name)) literal.push(`${c.name ?? '?'}: ${e.name}`);
        }
      }
      if (literal.length) ctx.fail(w.obj, 'no-literal-secret-env', `credential-looking environment variables with a literal value (value not shown): ${literal.join(', ')}`);
      else ctx.pass(w.obj, 'no-literal-secret-env', 'no credential-looking literal environment variables');
    }
    if (mechanism && users === 0) ctx.fail(cref, 'workload-uses-secrets-manager', 'the mechanism is installed but no workload mounts a SecretProviderClass and no ExternalSecret exists', { severity: 'low' });

    // 4. Rotation of the referenced secrets.
    const listKey = aws('secretsmanager:ListSecrets');
    if (unreadable(ev, listKey)) {
      ctx.error(`secretsmanager:ListSecrets could not be read (${ev.state(listKey)}): rotation of the referenced secrets is unknown`);
      return;
    }
    if (!referenced.size) return;
    if (!ev.has(listKey)) {
      ctx.note('secretsmanager:ListSecrets was not collected: rotation of the referenced secrets was not checked');
      return;
    }
    const secrets = ev.aws('secretsmanager:ListSecrets').flatMap((f) => (out<{ SecretList?: SecretListEntry[] }>(f)?.SecretList ?? []).map((s) => ({ s, f })));
    const unmatched: string[] = [];
    for (const refName of referenced) {
      const hit = secrets.find(({ s }) => s.Name === refName || s.ARN === refName || (refName.startsWith('arn:') && (s.ARN ?? '').startsWith(refName)));
      if (!hit) { unmatched.push(refName); continue; }
      const { s, f } = hit;
      const sref = awsRef('AWS::SecretsManager::Secret', s.Name ?? refName, { arn: s.ARN, region: f.region, accountId: f.accountId });
      const every = s.RotationRules?.AutomaticallyAfterDays ?? s.RotationRules?.ScheduleExpression;
      if (s.RotationEnabled) ctx.pass(sref, 'secret-rotation', `rotation on${every ? ` (${String(every)}${typeof every === 'number' ? ' days' : ''})` : ''}, last rotated ${isoDay(toTime(s.LastRotatedDate))}`);
      else ctx.fail(sref, 'secret-rotation', `rotation is off${s.LastChangedDate ? `; last changed ${isoDay(toTime(s.LastChangedDate))}` : ''} — enable it where the secret type allows, or record why not`);
    }
    if (unmatched.length) ctx.note(`referenced secrets not returned by ListSecrets (another account or region, or deleted): ${unmatched.join(', ')}`);
  },
});

export const controls: ControlDefinition[] = [CC7_CHG_01, CC7_CHG_02, CC7_CHG_03, CC7_CHG_04, CC7_CFG_01, CC7_CFG_02, CC7_CFG_03];

