import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsFact, JsonObject } from '../../src/model/index.js';
import {
  CC7_CFG_01, CC7_CFG_02, CC7_CFG_03, CC7_CHG_01, CC7_CHG_02, CC7_CHG_03, CC7_CHG_04, controls,
} from '../../src/catalog/cc7.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { DEFAULT_THRESHOLDS, defaultConfig } from '../../src/model/index.js';
import { NOW, runCase, testControl } from '../helpers/control-tester.js';
import { expectClassified, expectNoFinding, expectUnevaluated, expectWarning } from '../helpers/rule-levels.js';

const FIX = join(import.meta.dirname, '../fixtures/cc7');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
const ARGO = fixture('argocd.yaml');
const FLUX = fixture('flux.yaml');
const KARPENTER = fixture('karpenter.yaml');
const SSCSI = fixture('secrets-store.yaml');
const join3 = (...docs: string[]) => docs.join('\n---\n');

/** An AWS fact as the AWS collector records it. */
const fact = (service: string, operation: string, output: JsonObject, params?: JsonObject): AwsFact =>
  ({ service, operation, region: 'eu-west-1', accountId: '111122223333', ...(params ? { params } : {}), output });

const ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/test-cluster';
const describeCluster = (extra: JsonObject = {}) => fact('eks', 'DescribeCluster', {
  cluster: {
    name: 'test-cluster', arn: ARN, version: '1.33', status: 'ACTIVE',
    resourcesVpcConfig: { clusterSecurityGroupId: 'sg-0cluster', securityGroupIds: ['sg-0extra'] },
    ...extra,
  },
}, { name: 'test-cluster' });

const deployment = (name: string, ns: string, meta = '', extraSpec = '', status = 'status: { replicas: 1, availableReplicas: 1 }') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns}${meta ? `, ${meta}` : ''} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  ${extraSpec}
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: app, image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/${name}:1.0" }] }
${status}`;

const tracked = (name: string, ns: string) => deployment(name, ns, `annotations: { argocd.argoproj.io/tracking-id: "shop:apps/Deployment:${ns}/${name}" }`);

const application = (name: string, sync = 'Synced', policy = '{ automated: { prune: true, selfHeal: true } }', resources = '[]', project = 'default') => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${name}, namespace: argocd }
spec:
  project: ${project}
  source: { repoURL: https://github.com/acme/deploy, path: apps/${name}, targetRevision: main }
  destination: { server: https://kubernetes.default.svc, namespace: ${name} }
  syncPolicy: ${policy}
status:
  sync: { status: ${sync} }
  health: { status: Healthy }
  resources: ${resources}`;

// ---------------------------------------------------------------- CC7-CHG-01

testControl(CC7_CHG_01, {
  valid: [
    {
      name: 'Argo CD healthy, every workload tracked, Application Synced with selfHeal',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop')),
      expect: { passing: ['gitops-controller', 'gitops-managed', 'gitops-coverage', 'app-synced', 'drift-correction'] },
    },
    {
      name: 'Flux controllers, Kustomization Ready, workload labelled by the kustomize controller',
      k8s: join3(FLUX, deployment('api', 'shop', 'labels: { kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system }'), `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system }
spec: { interval: 10m, path: ./apps, prune: true, sourceRef: { kind: GitRepository, name: flux-system } }
status: { conditions: [{ type: Ready, status: "True" }] }`),
      expect: { passing: ['gitops-controller', 'gitops-managed', 'app-synced', 'drift-correction'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'gitops-controller').map((f) => f.resource.name).sort()).toEqual(['helm-controller', 'kustomize-controller', 'source-controller']) },
    },
    {
      name: 'EKS-managed Argo CD capability (no controller in the cluster)',
      k8s: join3(tracked('api', 'shop'), application('shop')),
      aws: [
        fact('eks', 'ListCapabilities', { capabilities: [{ capabilityName: 'argocd', type: 'ARGOCD', status: 'ACTIVE', arn: 'arn:aws:eks:eu-west-1:111122223333:capability/test-cluster/argocd/1' }] }, { clusterName: 'test-cluster' }),
        fact('eks', 'ListCapabilities', { capabilities: [{ capabilityName: 'ack', type: 'ACK', status: 'ACTIVE' }] }, { clusterName: 'test-cluster' }),
      ],
      expect: { passing: ['gitops-controller'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'gitops-controller').map((f) => f.resource.kind)).toEqual(['AWS::EKS::Capability']) },
    },
    {
      name: 'label-mode Argo CD: a workload listed in Application.status.resources counts although it has only the instance label',
      k8s: join3(ARGO, deployment('api', 'shop', 'labels: { app.kubernetes.io/instance: shop }'), application('shop', 'Synced', '{ automated: { selfHeal: true } }', '[{ group: apps, version: v1, kind: Deployment, namespace: shop, name: api, status: Synced }]')),
      expect: { passing: ['gitops-managed'], assert: (r) => expect(r.findings.find((f) => f.rule === 'gitops-managed' && f.status === 'pass')?.message).toMatch(/listed in Argo CD Application shop/) },
    },
    {
      name: 'coverage at the configured threshold passes; the unmanaged workload is a warning',
      k8s: join3(ARGO, tracked('api', 'shop'), deployment('legacy', 'shop'), application('shop')),
      config: { thresholds: { ...DEFAULT_THRESHOLDS, gitopsCoveragePercent: 50 } },
      expect: { passing: ['gitops-coverage'], notFailing: ['gitops-managed'], assert: (r) => { expectWarning(r, 'gitops-managed'); expect(r.findings.find((f) => f.status === 'warn')?.resource.name).toBe('legacy'); } },
    },
    {
      name: 'automated sync without selfHeal is a warning',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'Synced', '{ automated: { prune: true } }')),
      expect: { passing: ['app-synced'], assert: (r) => { expectWarning(r, 'drift-correction'); expect(r.failSeverity).toBeUndefined(); } },
    },
    {
      name: 'Argo CD 3 automated.enabled: false counts as manual sync: drift correction does not apply',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'Synced', '{ automated: { enabled: false, selfHeal: true } }')),
      expect: { notFailing: ['drift-correction'], assert: (r) => expect(r.findings.find((f) => f.rule === 'drift-correction')).toMatchObject({ status: 'not-applicable', message: expect.stringMatching(/manual sync/) }) },
    },
    {
      name: 'manual sync, OutOfSync only because a newer revision awaits approval: not drift',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'OutOfSync', '{}').replace('sync: { status: OutOfSync }', 'sync: { status: OutOfSync, revision: b2c3d4e }\n  history: [{ id: 4, revision: a1b2c3d, deployedAt: "2026-11-20T10:00:00Z" }]')),
      expect: { passing: ['app-synced'], assert: (r) => expect(r.findings.find((f) => f.rule === 'app-synced')?.message).toMatch(/awaits its manual sync/) },
    },
    {
      name: 'system workloads are judged and reported separately; generated workloads are judged through their owner',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop'), deployment('coredns', 'kube-system'), deployment('kafka-0', 'shop', 'ownerReferences: [{ apiVersion: kafka.strimzi.io/v1beta2, kind: Kafka, name: events, uid: u1, controller: true }]')),
      expect: {
        passing: ['gitops-coverage'],
        assert: (r) => {
          expect(r.findings.find((f) => f.resource.name === 'coredns')).toMatchObject({ rule: 'gitops-managed', status: 'warn', system: true });
          expect(r.findings.find((f) => f.resource.name === 'kafka-0')).toMatchObject({ rule: 'gitops-managed', status: 'not-applicable', message: expect.stringMatching(/Kafka events/) });
          expect(r.counts.warn).toBe(0);
        },
      },
    },
    {
      name: 'workloads in system namespaces and EKS add-on workloads are not held against coverage',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop'), deployment('coredns', 'kube-system'), deployment('cwagent', 'tools', 'labels: { app.kubernetes.io/managed-by: EKS }')),
      expect: { passing: ['gitops-coverage'], assert: (r) => expect(r.findings.find((f) => f.resource.name === 'cwagent')?.message).toMatch(/EKS add-on/) },
    },
  ],
  invalid: [
    {
      name: 'an OutOfSync Application fails',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'OutOfSync')),
      expect: { failing: ['app-synced'], notFailing: ['drift-correction'] },
    },
    {
      name: 'manual sync, OutOfSync at the revision it synced: the live objects drifted',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'OutOfSync', '{}').replace('sync: { status: OutOfSync }', 'sync: { status: OutOfSync, revision: a1b2c3d }\n  operationState: { phase: Succeeded, syncResult: { revision: a1b2c3d } }')),
      expect: { failing: ['app-synced'], assert: (r) => expect(r.findings.find((f) => f.rule === 'app-synced')?.message).toMatch(/changed outside Git/) },
    },
    {
      name: 'app.kubernetes.io/instance alone (set by Helm) is not Argo CD ownership',
      k8s: join3(ARGO, deployment('api', 'shop', 'labels: { app.kubernetes.io/instance: shop }'), application('shop')),
      expect: { failing: ['gitops-coverage'], assert: (r) => { expectWarning(r, 'gitops-managed'); expect(r.findings.find((f) => f.rule === 'gitops-managed')?.message).toMatch(/Helm/); } },
    },
    {
      name: 'no GitOps controller at all',
      k8s: join3(deployment('api', 'shop')),
      kinds: { 'argoproj.io/Application': 'absent' },
      expect: { failing: ['gitops-controller', 'gitops-coverage'] },
    },
    {
      name: 'Argo CD repo server not available',
      k8s: join3(ARGO.replace('status: { replicas: 1, availableReplicas: 1, readyReplicas: 1 }', 'status: { replicas: 1, availableReplicas: 0 }'), tracked('api', 'shop'), application('shop')),
      expect: { failing: ['gitops-controller'], assert: (r) => expect(r.findings.find((f) => f.rule === 'gitops-controller' && f.status === 'fail')?.resource.name).toBe('argocd-repo-server') },
    },
    {
      name: 'Argo CD without its application controller',
      k8s: join3(ARGO.split('---')[1]!, tracked('api', 'shop'), application('shop')),
      expect: { failing: ['gitops-controller'], message: /gitops-controller/ },
    },
    {
      name: 'partial evidence: an OutOfSync automated Application fails although the EKS capability list was denied',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'OutOfSync')),
      awsCalls: { 'eks:ListCapabilities': 'denied' },
      expect: { failing: ['app-synced'], assert: (r) => expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read.*ListCapabilities/) },
    },
    {
      name: 'the EKS Argo CD capability is not ACTIVE',
      k8s: join3(tracked('api', 'shop')),
      kinds: { 'argoproj.io/Application': 'absent' },
      aws: [fact('eks', 'ListCapabilities', { capabilities: [{ capabilityName: 'argocd', type: 'ARGOCD', status: 'CREATE_FAILED' }] }, { clusterName: 'test-cluster' })],
      expect: { failing: ['gitops-controller'] },
    },
    {
      name: 'a suspended Kustomization and a HelmRelease without drift detection',
      k8s: join3(FLUX, deployment('api', 'shop', 'labels: { helm.toolkit.fluxcd.io/name: api, helm.toolkit.fluxcd.io/namespace: shop }'), `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system }
spec: { interval: 10m, suspend: true, sourceRef: { kind: GitRepository, name: flux-system } }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: api, namespace: shop }
spec: { interval: 5m, chart: { spec: { chart: api, sourceRef: { kind: HelmRepository, name: acme } } } }
status: { conditions: [{ type: Ready, status: "False", reason: UpgradeFailed }] }`),
      expect: { failing: ['app-synced'], assert: (r) => expectWarning(r, 'drift-correction') },
    },
  ],
  other: [
    {
      name: 'tracking-ids but no Argo CD here and no capability: a remote Argo CD is left to the attestation',
      k8s: join3(tracked('api', 'shop')),
      kinds: { 'argoproj.io/Application': 'absent' },
      expect: { status: 'manual', assert: (r) => expect(r.findings.find((f) => f.rule === 'gitops-controller')).toMatchObject({ status: 'manual', message: expect.stringMatching(/Argo CD elsewhere/) }) },
    },
    {
      name: 'manual sync, OutOfSync, and the status does not say why: not evaluated',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'OutOfSync', '{}')),
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'app-synced', /does not say whether a newer revision awaits approval/) },
    },
    {
      name: 'the EKS capability list is denied: error, never a pass',
      k8s: join3(ARGO, tracked('api', 'shop'), application('shop')),
      awsCalls: { 'eks:ListCapabilities': 'denied' },
      expect: { status: 'error', message: /eks:ListCapabilities/ },
    },
    {
      name: 'Applications but no in-cluster Argo CD and no AWS evidence: it may be the EKS capability, so error',
      k8s: join3(tracked('api', 'shop'), application('shop')),
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'gitops-controller', /may be the EKS-managed Argo CD capability/) },
    },
    {
      name: 'manifests without any GitOps object: evidence not collected',
      k8s: deployment('api', 'shop'),
      complete: false,
      expect: { status: 'error', message: /evidence not collected: GitOps objects/ },
    },
  ],
});

// ---------------------------------------------------------------- CC7-CHG-02

const stack = (name: string, drift = 'IN_SYNC', status = 'UPDATE_COMPLETE', tags: JsonObject[] = []) => ({
  StackName: name, StackId: `arn:aws:cloudformation:eu-west-1:111122223333:stack/${name}/0b1c`, StackStatus: status,
  CreationTime: '2025-01-10T10:00:00Z', Tags: tags,
  DriftInformation: { StackDriftStatus: drift, ...(drift !== 'NOT_CHECKED' ? { LastCheckTimestamp: '2026-11-20T08:00:00Z' } : {}) },
});
const eksctlTags = [{ Key: 'alpha.eksctl.io/cluster-name', Value: 'test-cluster' }, { Key: 'alpha.eksctl.io/eksctl-version', Value: '0.199.0' }];
const trailEvent = (name: string, userAgent: string, extra: JsonObject = {}, id = name) => ({
  EventId: id, EventName: name, ReadOnly: 'false', EventTime: '2026-11-01T10:00:00Z', EventSource: 'eks.amazonaws.com', Username: 'someone',
  Resources: [], CloudTrailEvent: JSON.stringify({ eventSource: 'eks.amazonaws.com', userAgent, requestParameters: { name: 'test-cluster' }, ...extra }),
});
const lookup = (...events: JsonObject[]) => fact('cloudtrail', 'LookupEvents', { Events: events }, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'eks.amazonaws.com' }] });
const stacks = (...s: JsonObject[]) => fact('cloudformation', 'DescribeStacks', { Stacks: s });
const TF_UA = 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 aws-sdk-go-v2/1.32.6';

testControl(CC7_CHG_02, {
  valid: [
    {
      name: 'eksctl stack in sync and changes by eksctl and CloudFormation: automated part passes, manual remains',
      aws: [
        describeCluster({ tags: { 'aws:cloudformation:stack-name': 'eksctl-test-cluster-cluster' } }),
        stacks(stack('eksctl-test-cluster-cluster', 'IN_SYNC', 'UPDATE_COMPLETE', eksctlTags), stack('unrelated-website')),
        lookup(trailEvent('UpdateClusterConfig', 'cloudformation.amazonaws.com'), trailEvent('UpdateNodegroupVersion', 'eksctl/0.199.0 (aws-sdk-go-v2)')),
      ],
      expect: {
        passing: ['iac-evidence', 'stack-status', 'stack-drift', 'change-origin'],
        assert: (r) => expect(r.findings.filter((f) => f.resource.kind === 'AWS::CloudFormation::Stack').map((f) => f.resource.name)).not.toContain('unrelated-website'),
      },
    },
    {
      name: 'Terraform recognised from the CloudTrail user agent (no stack)',
      aws: [describeCluster(), stacks(), lookup(trailEvent('UpdateAddon', TF_UA))],
      expect: { passing: ['change-origin', 'iac-evidence'], assert: (r) => expect(r.findings.find((f) => f.rule === 'change-origin')?.message).toMatch(/Terraform/) },
    },
    {
      name: 'read-only events, other clusters and AWS service calls are ignored; a managed-by tag counts',
      aws: [
        describeCluster({ tags: { 'managed-by': 'terraform' } }),
        lookup(
          { ...trailEvent('DescribeCluster', 'console.amazonaws.com', {}, 'r1'), ReadOnly: 'true' },
          trailEvent('UpdateClusterConfig', 'console.amazonaws.com', { requestParameters: { name: 'other-cluster' } }, 'o1'),
          trailEvent('UpdateNodegroupConfig', 'autoscaling.amazonaws.com', {}, 's1'),
        ),
      ],
      expect: { passing: ['iac-evidence'], notFailing: ['console-change'] },
    },
    {
      name: 'warnings only: drift never checked and a rolled-back stack',
      aws: [describeCluster(), stacks(stack('eksctl-test-cluster-cluster', 'NOT_CHECKED', 'UPDATE_ROLLBACK_COMPLETE', eksctlTags))],
      expect: { passing: ['iac-evidence'], notFailing: ['stack-drift'], assert: (r) => expectWarning(r, 'stack-drift-checked', 'stack-status') },
    },
    {
      name: 'a change made from the AWS console (session credentials from the console) is a warning',
      aws: [describeCluster(), stacks(stack('eksctl-test-cluster-cluster', 'IN_SYNC', 'CREATE_COMPLETE', eksctlTags)), lookup(trailEvent('UpdateNodegroupConfig', 'AWS Internal', { userIdentity: { sessionContext: { sessionCredentialFromConsole: 'true' } } }))],
      expect: { passing: ['iac-evidence', 'stack-drift-checked'], assert: (r) => expectWarning(r, 'console-change') },
    },
    {
      name: 'a security-group change on the cluster security group from the console is a warning',
      aws: [describeCluster({ tags: { 'aws:cloudformation:stack-name': 's' } }), stacks(stack('s')), lookup({
        EventId: 'sg1', EventName: 'AuthorizeSecurityGroupIngress', ReadOnly: 'false', EventSource: 'ec2.amazonaws.com', Resources: [{ ResourceType: 'AWS::EC2::SecurityGroup', ResourceName: 'sg-0cluster' }],
        CloudTrailEvent: JSON.stringify({ userAgent: 'console.ec2.amazonaws.com', requestParameters: { groupId: 'sg-0cluster' } }),
      })],
      expect: { assert: (r) => expectWarning(r, 'console-change') },
    },
  ],
  invalid: [
    {
      name: 'a drifted cluster stack',
      aws: [describeCluster({ tags: { 'aws:cloudformation:stack-name': 'cdk-eks' } }), stacks(stack('cdk-eks', 'DRIFTED'))],
      expect: { failing: ['stack-drift'], passing: ['iac-evidence'] },
    },
    {
      name: 'no IaC marker and the recent changes came from the console and the CLI',
      aws: [describeCluster(), stacks(), lookup(trailEvent('UpdateClusterConfig', 'Mozilla/5.0 (Macintosh)'), trailEvent('UpdateAddon', 'aws-cli/2.22.0 Python/3.12', {}, 'cli'))],
      expect: { failing: ['iac-evidence'], assert: (r) => expectWarning(r, 'console-change') },
    },
    {
      name: 'partial evidence: a drifted stack fails although CloudTrail was denied',
      aws: [describeCluster({ tags: { 'aws:cloudformation:stack-name': 'cdk-eks' } }), stacks(stack('cdk-eks', 'DRIFTED'))],
      awsCalls: { 'cloudtrail:LookupEvents': 'denied' },
      expect: { failing: ['stack-drift'] },
    },
  ],
  other: [
    {
      name: 'no marker and no change in the window: manual, asking for the IaC repository',
      aws: [describeCluster(), stacks(), lookup()],
      expect: { status: 'manual', message: /no AWS-side IaC marker/ },
    },
    {
      name: 'attested: the manual part is covered',
      aws: [describeCluster({ tags: { 'aws:cloudformation:stack-name': 's' } }), stacks(stack('s'))],
      attestations: [{ control: 'CC7-CHG-02', statement: 'Terraform repo reviewed', attestedBy: 'lead@acme.example', date: '2026-11-01', validUntil: '2027-05-01' }],
      expect: { status: 'pass', message: /attested by lead@acme.example/ },
    },
    { name: 'no cluster description: error', aws: [stacks()], expect: { status: 'error', message: /evidence not collected: the EKS cluster description/ } },
    {
      name: 'DescribeStacks denied and no change in CloudTrail: still manual (a stack could only add a marker), the gap noted',
      aws: [describeCluster(), lookup()], awsCalls: { 'cloudformation:DescribeStacks': 'denied' },
      expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/not readable: .*DescribeStacks/) },
    },
    {
      name: 'people changed the cluster, no IaC tag or agent, stacks not read: not evaluated, never "no IaC"',
      aws: [describeCluster(), lookup(trailEvent('UpdateAddon', 'aws-cli/2.22.0 Python/3.12'))],
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'iac-evidence', /CloudFormation stacks were not read/) },
    },
    {
      name: 'a malformed CloudTrailEvent record is tolerated',
      aws: [describeCluster(), stacks(), lookup({ EventId: 'x', EventName: 'UpdateClusterConfig', ReadOnly: 'false', EventSource: 'eks.amazonaws.com', Resources: [{ ResourceName: 'test-cluster' }], CloudTrailEvent: '{not json' })],
      expect: { status: 'fail', failing: ['iac-evidence'] },
    },
  ],
});

// ---------------------------------------------------------------- CC7-CHG-03

const pipeline = (name: string, stages: [string, [string, string, string][]][]) => fact('codepipeline', 'GetPipeline', {
  pipeline: {
    name, roleArn: 'arn:aws:iam::111122223333:role/cp', version: 3,
    stages: stages.map(([stage, actions]) => ({ name: stage, actions: actions.map(([n, category, provider], i) => ({ name: n, runOrder: i + 1, actionTypeId: { category, owner: category === 'Source' ? 'ThirdParty' : 'AWS', provider, version: '1' }, configuration: (provider === 'CodeBuild' ? { ProjectName: n } : {}) as Record<string, string> })) })),
  },
  metadata: { pipelineArn: `arn:aws:codepipeline:eu-west-1:111122223333:${name}` },
}, { name });
const SCANNED = pipeline('api', [['Source', [['src', 'Source', 'CodeStarSourceConnection']]], ['Build', [['build', 'Build', 'CodeBuild'], ['image-scan', 'Invoke', 'InspectorScan']]], ['Deploy', [['deploy', 'Deploy', 'EKS']]]]);

testControl(CC7_CHG_03, {
  valid: [
    { name: 'an Inspector scan runs before the deploy: manual, signals clean', aws: [SCANNED], expect: { passing: ['pipeline-security-scan'] } },
    { name: 'a CodeBuild action named after a scanner counts', aws: [pipeline('web', [['Build', [['trivy-scan', 'Build', 'CodeBuild']]], ['Prod', [['deploy', 'Deploy', 'EKS']]]])], expect: { passing: ['pipeline-security-scan'] } },
    { name: 'no CodePipeline at all: manual', aws: [fact('codepipeline', 'ListPipelines', { pipelines: [] })], expect: { status: 'manual', message: /upload the pipeline definitions/ } },
    { name: 'no AWS evidence: manual, and the note says pipelines were not read', expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/CodePipeline was not read/) } },
    {
      name: 'a generic build before the deploy may scan: left to the attestation, a recognisable scan action recommended',
      aws: [pipeline('web', [['Build', [['build', 'Build', 'CodeBuild']]], ['Deploy', [['deploy', 'Deploy', 'EKS']]]])],
      expect: { notFailing: ['pipeline-security-scan'], assert: (r) => { expectWarning(r, 'scan-action-visible'); expect(r.findings.find((f) => f.rule === 'pipeline-security-scan')?.status).toBe('manual'); } },
    },
  ],
  invalid: [
    { name: 'a pipeline deploys straight from its source', aws: [pipeline('web', [['Source', [['src', 'Source', 'CodeStarSourceConnection']]], ['Deploy', [['deploy', 'Deploy', 'EKS']]]])], expect: { failing: ['pipeline-security-scan'] } },
    {
      name: 'a scan after the deploy does not count',
      aws: [pipeline('web', [['Deploy', [['deploy', 'Deploy', 'EKS']]], ['After', [['image-scan', 'Invoke', 'InspectorScan']]]])],
      expect: { failing: ['pipeline-security-scan'] },
    },
  ],
  other: [
    { name: 'attested with clean signals: pass', aws: [SCANNED], attestations: [{ control: 'CC7-CHG-03', statement: 'pipeline runs reviewed', attestedBy: 'a@acme.example', date: '2026-11-01', validUntil: '2027-05-01' }], expect: { status: 'pass' } },
    {
      name: 'a pipeline listed but not described is noted',
      aws: [SCANNED, fact('codepipeline', 'ListPipelines', { pipelines: [{ name: 'api' }, { name: 'ghost' }] })],
      expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/ghost/) },
    },
    { name: 'GetPipeline denied is noted, not a pass', awsCalls: { 'codepipeline:GetPipeline': 'denied' }, expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/could not be read \(denied\)/) } },
  ],
});

// ---------------------------------------------------------------- CC7-CHG-04

const rollout = (name: string, ns: string, steps = '[{ setWeight: 20 }, { pause: {} }]') => `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: 3
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: app, image: "repo/${name}:1" }] }
  strategy: { canary: { steps: ${steps} } }`;

testControl(CC7_CHG_04, {
  valid: [
    { name: 'revision history kept and a Rollout in use: manual (runbook)', k8s: join3(deployment('api', 'shop'), rollout('web', 'shop')), expect: { passing: ['revision-history', 'progressive-delivery', 'stalled-rollout'] } },
    {
      name: 'a Flagger Canary counts',
      k8s: join3(deployment('api', 'shop', '', 'revisionHistoryLimit: 3'), `
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: api, namespace: shop }
spec: { targetRef: { apiVersion: apps/v1, kind: Deployment, name: api }, analysis: { interval: 1m, threshold: 5, metrics: [{ name: request-success-rate, thresholdRange: { min: 99 } }] } }`),
      kinds: { 'argoproj.io/Rollout': 'absent' },
      expect: { passing: ['progressive-delivery'] },
    },
    {
      name: 'a Deployment stuck past its progress deadline is a warning',
      k8s: join3(deployment('api', 'shop', '', '', 'status: { conditions: [{ type: Progressing, status: "False", reason: ProgressDeadlineExceeded }] }'), rollout('web', 'shop')),
      expect: { passing: ['revision-history'], assert: (r) => expectWarning(r, 'stalled-rollout') },
    },
  ],
  invalid: [
    { name: 'revisionHistoryLimit: 0 leaves nothing to roll back to', k8s: join3(deployment('api', 'shop', '', 'revisionHistoryLimit: 0'), rollout('web', 'shop')), expect: { failing: ['revision-history'] } },
    { name: 'no progressive delivery outside system namespaces', k8s: join3(deployment('api', 'shop'), rollout('sys', 'kube-system')), expect: { failing: ['progressive-delivery'] } },
    {
      name: 'partial evidence: revisionHistoryLimit 0 fails although Canaries were denied',
      k8s: join3(deployment('api', 'shop', '', 'revisionHistoryLimit: 0'), rollout('web', 'shop')),
      kinds: { 'flagger.app/Canary': 'denied' },
      expect: { failing: ['revision-history'] },
    },
  ],
  other: [
    {
      name: 'attested runbook with clean signals: pass',
      k8s: join3(deployment('api', 'shop'), rollout('web', 'shop')),
      attestations: [{ control: 'CC7-CHG-04', statement: 'runbook v3 rehearsed', attestedBy: 'sre@acme.example', date: '2026-10-01', validUntil: '2027-04-01' }],
      expect: { status: 'pass' },
    },
    { name: 'manifest files without Rollout/Canary kinds: not collected', k8s: deployment('api', 'shop'), complete: false, expect: { status: 'error', message: /progressive-delivery objects/ } },
    {
      name: 'no Rollout in the files and Canaries not read: progressive delivery not evaluated',
      k8s: join3(deployment('api', 'shop'), rollout('sys', 'kube-system')), complete: false,
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'progressive-delivery', /flagger\.app\/Canary/) },
    },
  ],
});

// ---------------------------------------------------------------- CC7-CFG-01

const node = (name: string, labels = '{}') => `
apiVersion: v1
kind: Node
metadata: { name: ${name}, labels: ${labels} }
status: { nodeInfo: { kubeletVersion: v1.33.5-eks-3025e55 } }`;
const EC2_NODE = node('ip-10-0-1-10');
const ca = (tag: string, args = '[--cloud-provider=aws]', status = 'status: { replicas: 1, availableReplicas: 1 }') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: cluster-autoscaler, namespace: kube-system }
spec:
  replicas: 1
  selector: { matchLabels: { app: cluster-autoscaler } }
  template:
    metadata: { labels: { app: cluster-autoscaler } }
    spec: { containers: [{ name: cluster-autoscaler, image: "registry.k8s.io/autoscaling/cluster-autoscaler:${tag}", command: [./cluster-autoscaler], args: ${args} }] }
${status}`;
const asg = (tags: string[]) => fact('autoscaling', 'DescribeAutoScalingGroups', {
  AutoScalingGroups: [{ AutoScalingGroupName: 'eks-general-1', MinSize: 1, MaxSize: 5, DesiredCapacity: 2, Tags: tags.map((Key) => ({ Key, Value: 'true', ResourceId: 'eks-general-1', ResourceType: 'auto-scaling-group', PropagateAtLaunch: true })) }],
});
/** The cluster-autoscaler-status ConfigMap with the given status text. */
const caStatus = (text: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: cluster-autoscaler-status, namespace: kube-system }
data: { status: ${JSON.stringify(text)} }`;
const DISCOVERY = '[--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/test-cluster]';

testControl(CC7_CFG_01, {
  valid: [
    { name: 'Karpenter with a limited, Ready NodePool and its EC2NodeClass', k8s: join3(KARPENTER, EC2_NODE), expect: { passing: ['node-autoscaler', 'nodepool-limits', 'nodepool-ready'] } },
    {
      name: 'EKS Auto Mode with built-in node pools',
      k8s: join3(deployment('api', 'shop'), node('i-auto', '{ eks.amazonaws.com/compute-type: auto }')),
      aws: [describeCluster({ computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: 'arn:aws:iam::111122223333:role/auto' } })],
      expect: { passing: ['node-autoscaler'], assert: (r) => expect(r.findings[0]?.message).toMatch(/general-purpose, system/) },
    },
    {
      name: 'cluster-autoscaler matching the cluster minor, healthy, with tagged Auto Scaling groups',
      k8s: join3(ca('v1.33.1', DISCOVERY), EC2_NODE, caStatus('Cluster-autoscaler status at 2026-11-26 10:00:00 +0000 UTC:\nCluster-wide:\n  Health:      Healthy (ready=3 unready=0)')),
      aws: [describeCluster(), asg(['k8s.io/cluster-autoscaler/enabled', 'k8s.io/cluster-autoscaler/test-cluster'])],
      expect: { passing: ['node-autoscaler', 'autoscaler-version', 'autoscaler-health', 'asg-discovery'] },
    },
    { name: 'a NodePool without limits is a warning', k8s: join3(KARPENTER.replace('  limits: { cpu: "1000", memory: 1000Gi }\n', ''), EC2_NODE), expect: { passing: ['nodepool-ready'], assert: (r) => { expectWarning(r, 'nodepool-limits'); expect(r.failSeverity).toBeUndefined(); } } },
    { name: 'cluster-autoscaler next to Karpenter is a warning', k8s: join3(KARPENTER, ca('v1.33.0'), EC2_NODE), expect: { passing: ['node-autoscaler'], assert: (r) => expectWarning(r, 'single-autoscaler') } },
  ],
  invalid: [
    { name: 'no autoscaler on EC2 nodes', k8s: join3(deployment('api', 'shop'), EC2_NODE), expect: { failing: ['node-autoscaler'] } },
    {
      name: 'cluster-autoscaler of another minor, auto-discovery finding no tagged group, reporting Unhealthy',
      k8s: join3(ca('v1.30.2', DISCOVERY), EC2_NODE, caStatus('Cluster-wide:\n  Health: Unhealthy (ready=1 unready=2)')),
      aws: [describeCluster(), asg(['eks:cluster-name'])],
      expect: { failing: ['asg-discovery', 'autoscaler-health'], assert: (r) => expectWarning(r, 'autoscaler-version') },
    },
    {
      name: 'partial evidence: an unhealthy cluster-autoscaler fails although the Auto Scaling groups were denied',
      k8s: join3(ca('v1.33.1', DISCOVERY), EC2_NODE, caStatus('Cluster-wide:\n  Health: Unhealthy (ready=1 unready=2)')),
      aws: [describeCluster()], awsCalls: { 'autoscaling:DescribeAutoScalingGroups': 'denied' },
      expect: { failing: ['autoscaler-health'] },
    },
    { name: 'a NodePool pointing at a missing EC2NodeClass', k8s: join3(KARPENTER.replace('metadata: { name: default }\nspec:\n  amiSelectorTerms', 'metadata: { name: other }\nspec:\n  amiSelectorTerms'), EC2_NODE), expect: { failing: ['nodepool-ready'] } },
    { name: 'Karpenter without any NodePool', k8s: join3(KARPENTER.split('---')[0]!, EC2_NODE), kinds: { 'karpenter.sh/NodePool': 'collected' }, expect: { failing: ['node-autoscaler'] } },
    { name: 'an unavailable Karpenter controller', k8s: join3(KARPENTER.replace('status: { replicas: 2, availableReplicas: 2 }', 'status: { replicas: 2, availableReplicas: 0 }'), EC2_NODE), expect: { failing: ['node-autoscaler'] } },
  ],
  other: [
    { name: 'Fargate-only cluster: not applicable', k8s: join3(deployment('api', 'shop'), node('fargate-1', '{ eks.amazonaws.com/compute-type: fargate }')), expect: { status: 'not-applicable', message: /Fargate-only/ } },
    { name: 'NodePools denied: error naming them', k8s: join3(KARPENTER.split('---')[0]!, EC2_NODE), kinds: { 'karpenter.sh/NodePool': 'denied' }, expect: { status: 'error', message: /NodePool/, assert: (r) => expectUnevaluated(r, 'nodepool-ready', /NodePool/) } },
    { name: 'nodes not collected: error', k8s: KARPENTER.split('---')[0]!, complete: false, expect: { status: 'error', message: /nodes/ } },
  ],
});

// ---------------------------------------------------------------- CC7-CFG-02

const METRICS_OK = `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1beta1.metrics.k8s.io }
spec: { service: { name: metrics-server, namespace: kube-system }, group: metrics.k8s.io, version: v1beta1 }
status: { conditions: [{ type: Available, status: "True" }] }`;
const hpa = (name: string, target: string, metrics = '[{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]', active = 'True') => `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ${name}, namespace: shop }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }, minReplicas: 2, maxReplicas: 10, metrics: ${metrics} }
status: { conditions: [{ type: ScalingActive, status: "${active}", reason: ${active === 'True' ? 'ValidMetricFound' : 'FailedGetResourceMetric'} }] }`;
const vpa = (name: string, target: string, mode: string, policy = '') => `
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: { name: ${name}, namespace: shop }
spec: { targetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }, updatePolicy: { updateMode: ${mode} }${policy} }`;
const VPA_COMPONENTS = ['recommender', 'updater', 'admission-controller'].map((c) => deployment(`vpa-${c}`, 'kube-system')).join('\n---\n');

testControl(CC7_CFG_02, {
  valid: [
    { name: 'metrics API available, HPA active on the only Deployment', k8s: join3(METRICS_OK, deployment('api', 'shop'), hpa('api', 'api')), expect: { passing: ['metrics-api', 'hpa-target', 'hpa-scaling-active', 'autoscaled', 'autoscaling-coverage'] } },
    {
      name: 'metrics-server EKS add-on when APIServices could not be read',
      k8s: join3(deployment('api', 'shop'), hpa('api', 'api')),
      kinds: { 'apiregistration.k8s.io/APIService': 'denied' },
      aws: [fact('eks', 'DescribeAddon', { addon: { addonName: 'metrics-server', status: 'ACTIVE', addonVersion: 'v0.7.2-eksbuild.1' } })],
      expect: { passing: ['metrics-api'] },
    },
    { name: 'HPA on CPU with a VPA in Off mode does not conflict', k8s: join3(METRICS_OK, VPA_COMPONENTS, deployment('api', 'shop'), hpa('api', 'api'), vpa('api', 'api', 'Off')), expect: { notFailing: ['hpa-vpa-conflict'] } },
    {
      name: 'HPA on CPU with a VPA controlling memory only does not conflict',
      k8s: join3(METRICS_OK, VPA_COMPONENTS, deployment('api', 'shop'), hpa('api', 'api'), vpa('api', 'api', 'Recreate', ', resourcePolicy: { containerPolicies: [{ containerName: "*", controlledResources: [memory] }] }')),
      expect: { notFailing: ['hpa-vpa-conflict'], passing: ['vpa-components', 'hpa-vpa-conflict'] },
    },
    {
      name: 'HPA on CPU and a VPA in Recreate mode on the same workload fight: a warning',
      k8s: join3(METRICS_OK, VPA_COMPONENTS, deployment('api', 'shop'), hpa('api', 'api'), vpa('api', 'api', 'Recreate')),
      expect: { passing: ['autoscaling-coverage'], assert: (r) => { expectWarning(r, 'hpa-vpa-conflict'); expect(r.failSeverity).toBeUndefined(); } },
    },
    {
      name: 'an HPA without metrics defaults to CPU and conflicts with a VPA in the deprecated Auto mode: a warning',
      k8s: join3(METRICS_OK, VPA_COMPONENTS, deployment('api', 'shop'), hpa('api', 'api', '[]'), vpa('api', 'api', 'Auto')),
      expect: { assert: (r) => expectWarning(r, 'hpa-vpa-conflict') },
    },
  ],
  invalid: [
    { name: 'metrics API registered but not Available', k8s: join3(METRICS_OK.replace('status: "True"', 'status: "False"'), deployment('api', 'shop'), hpa('api', 'api')), expect: { failing: ['metrics-api'] } },
    {
      name: 'no metrics APIService at all (other APIServices collected)',
      k8s: join3(`
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1.apps }
spec: { group: apps, version: v1 }`, deployment('api', 'shop'), hpa('api', 'api')),
      expect: { failing: ['metrics-api'] },
    },
    { name: 'HPA targeting a Deployment that does not exist', k8s: join3(METRICS_OK, deployment('api', 'shop'), hpa('api', 'api'), hpa('gone', 'gone')), expect: { failing: ['hpa-target'] } },
    { name: 'HPA that cannot read its metrics', k8s: join3(METRICS_OK, deployment('api', 'shop'), hpa('api', 'api', undefined, 'False')), expect: { failing: ['hpa-scaling-active'] } },
    { name: 'coverage below the threshold; each uncovered workload is a warning', k8s: join3(METRICS_OK, deployment('api', 'shop'), deployment('b', 'shop'), deployment('c', 'shop'), hpa('api', 'api')), expect: { failing: ['autoscaling-coverage'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'autoscaled' && f.status === 'warn').map((f) => f.resource.name).sort()).toEqual(['b', 'c']) } },
    {
      name: 'partial evidence: an HPA that cannot read its metrics fails although the metrics API is unknown',
      k8s: join3(deployment('api', 'shop'), hpa('api', 'api', undefined, 'False')), complete: false,
      expect: { failing: ['hpa-scaling-active'], assert: (r) => expectUnevaluated(r, 'metrics-api') },
    },
    { name: 'VPA objects without the VPA components', k8s: join3(METRICS_OK, deployment('api', 'shop'), vpa('api', 'api', 'Initial')), expect: { failing: ['vpa-components'] } },
  ],
  other: [
    {
      name: 'metrics API unknown (APIServices not collected, metrics-server not an add-on): error',
      k8s: join3(deployment('api', 'shop'), hpa('api', 'api')),
      complete: false,
      aws: [fact('eks', 'DescribeAddon', { addon: { addonName: 'vpc-cni', status: 'ACTIVE' } })],
      expect: { status: 'error', message: /metrics-api: .*self-installed metrics-server cannot be seen/ },
    },
    {
      name: 'HPAs forbidden: error',
      k8s: join3(METRICS_OK, deployment('api', 'shop')),
      kinds: { 'autoscaling/HorizontalPodAutoscaler': 'denied' },
      expect: { status: 'error' },
    },
  ],
});

describe.skipIf(!existsSync('/work/shared/corpus/kubescape-regolibrary/hpa-has-target'))('CC7-CFG-02 on kubescape hpa-has-target inputs', () => {
  const base = '/work/shared/corpus/kubescape-regolibrary/hpa-has-target';
  // case-01/05: the target exists; case-02/03/06: it does not (missing, or in another namespace); case-04: a custom kind.
  const expected: Record<string, 'pass' | 'fail' | 'skip'> = { 'case-01': 'pass', 'case-02': 'fail', 'case-03': 'fail', 'case-04': 'skip', 'case-05': 'pass', 'case-06': 'fail' };
  for (const c of readdirSync(base).sort()) {
    it(`${c}: hpa-target ${expected[c] ?? '?'}`, async () => {
      const snap = await collectFiles([join(base, c)], { toolVersion: 'test', completeInventory: true });
      snap.kubernetes.objects.push({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' } });
      snap.kubernetes.kinds['apiregistration.k8s.io/APIService'] = { state: 'collected', count: 1 };
      for (const k of ['apps/Deployment', 'apps/StatefulSet']) snap.kubernetes.kinds[k] ??= { state: 'collected', count: 0 };
      const run = evaluate(snap, [CC7_CFG_02], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date(NOW) });
      const target = run.controls[0]!.findings.filter((f) => f.rule === 'hpa-target');
      const want = expected[c];
      if (want === 'skip') expect(target).toHaveLength(0);
      else expect(target.map((f) => f.status)).toEqual([want]);
    });
  }
});

// ---------------------------------------------------------------- CC7-CFG-03

const spc = (name: string, ns: string, objects = '- objectName: "prod/shop/db"\n  objectType: "secretsmanager"', extra = '') => `
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: { name: ${name}, namespace: ${ns} }
spec:
  provider: aws
  parameters:
    usePodIdentity: "true"
    objects: |
${objects.split('\n').map((l) => `      ${l}`).join('\n')}
${extra}`;
const mounting = (name: string, ns: string, spcName: string, env = '[]') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: app, image: "repo/${name}:1", env: ${env}, volumeMounts: [{ name: secrets, mountPath: /mnt/secrets, readOnly: true }] }]
      volumes: [{ name: secrets, csi: { driver: secrets-store.csi.k8s.io, readOnly: true, volumeAttributes: { secretProviderClass: ${spcName} } } }]`;
const listSecrets = (rotation: boolean, name = 'prod/shop/db') => fact('secretsmanager', 'ListSecrets', {
  SecretList: [{
    ARN: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`, Name: name, RotationEnabled: rotation,
    ...(rotation ? { RotationRules: { AutomaticallyAfterDays: 30 }, LastRotatedDate: '2026-11-10T00:00:00Z' } : {}), LastChangedDate: '2026-01-01T00:00:00Z',
  }],
});

testControl(CC7_CFG_03, {
  valid: [
    {
      name: 'driver and AWS provider ready, workload mounts an AWS SecretProviderClass, secret rotates',
      k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'db', '[{ name: DB_PASSWORD_FILE, value: /mnt/secrets/prod_shop_db }]')),
      aws: [listSecrets(true)],
      expect: { passing: ['secrets-store-driver', 'secret-provider-class', 'workload-uses-secrets-manager', 'no-literal-secret-env', 'secret-rotation'] },
    },
    {
      name: 'the EKS add-on provides driver and provider; a full secret ARN in objectName matches ListSecrets',
      k8s: join3(SSCSI.split('---')[0]!, spc('db', 'shop', '- objectName: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/shop/db-AbCdEf"'), mounting('api', 'shop', 'db')),
      aws: [
        fact('eks', 'ListAddons', { addons: ['aws-secrets-store-csi-driver-provider'] }),
        fact('eks', 'DescribeAddon', { addon: { addonName: 'aws-secrets-store-csi-driver-provider', status: 'ACTIVE', addonVersion: 'v2.1.0-eksbuild.1' } }),
        listSecrets(true),
      ],
      expect: { passing: ['secrets-store-driver', 'secret-rotation'] },
    },
    {
      name: 'External Secrets Operator with an AWS ClusterSecretStore and a synced ExternalSecret',
      k8s: join3(deployment('external-secrets', 'external-secrets').replace('/external-secrets:1.0', '/x').replace('"111122223333.dkr.ecr.eu-west-1.amazonaws.com/x"', 'ghcr.io/external-secrets/external-secrets:v0.16.2'), `
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: aws }
spec: { provider: { aws: { service: SecretsManager, region: eu-west-1 } } }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db, namespace: shop }
spec: { secretStoreRef: { kind: ClusterSecretStore, name: aws }, data: [{ secretKey: password, remoteRef: { key: prod/shop/db, property: password } }] }
status: { conditions: [{ type: Ready, status: "True" }] }`),
      aws: [listSecrets(true)],
      expect: { passing: ['secrets-store-driver', 'external-secret-synced', 'secret-rotation'] },
    },
  ],
  invalid: [
    {
      name: 'a credential-looking env var with a literal value fails, and its value is never echoed',
      k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'db', '[{ name: DB_PASSWORD, value: hunter2 }, { name: STRIPE_API_KEY, value: "[redacted by eks-soc2]" }, { name: LOG_LEVEL, value: info }]')),
      expect: {
        failing: ['no-literal-secret-env'],
        assert: (r) => {
          const f = r.findings.find((x) => x.rule === 'no-literal-secret-env')!;
          expect(f.message).toMatch(/DB_PASSWORD/);
          expect(f.message).toMatch(/STRIPE_API_KEY/);
          expect(JSON.stringify(r)).not.toContain('hunter2');
        },
      },
    },
    { name: 'the CSI driver without the AWS provider', k8s: join3(SSCSI.split('---').slice(0, 2).join('---'), spc('db', 'shop'), mounting('api', 'shop', 'db')), expect: { failing: ['secrets-store-driver'] } },
    { name: 'a workload mounting a SecretProviderClass that does not exist', k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'dbx')), expect: { failing: ['workload-uses-secrets-manager'] } },
    {
      name: 'partial evidence: a literal credential fails although ListSecrets was denied',
      k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'db', '[{ name: DB_PASSWORD, value: hunter2 }]')),
      awsCalls: { 'secretsmanager:ListSecrets': 'denied' },
      expect: { failing: ['no-literal-secret-env'], assert: (r) => expectUnevaluated(r, 'secret-rotation', /ListSecrets/) },
    },
  ],
  other: [
    {
      name: 'a referenced secret without rotation is a warning',
      k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'db')), aws: [listSecrets(false)],
      expect: { status: 'pass', assert: (r) => { expectWarning(r, 'secret-rotation'); expect(r.failSeverity).toBeUndefined(); } },
    },
    {
      name: 'a Fargate pod mounting an ASCP volume is a warning (the pod never starts; no secret is exposed)',
      k8s: join3(SSCSI, spc('db', 'batch'), `
apiVersion: v1
kind: Pod
metadata: { name: job-1, namespace: batch, labels: { eks.amazonaws.com/fargate-profile: batch } }
spec:
  nodeName: fargate-ip-10-0-4-20
  containers: [{ name: c, image: repo/job:1 }]
  volumes: [{ name: s, csi: { driver: secrets-store.csi.k8s.io, volumeAttributes: { secretProviderClass: db } } }]`),
      expect: { status: 'pass', assert: (r) => expectWarning(r, 'ascp-fargate') },
    },
    {
      name: 'an Argo Rollout is judged once (Rollouts are workloads already)',
      k8s: join3(SSCSI, spc('db', 'shop'), rollout('web', 'shop').replace('spec: { containers: [{ name: app, image: "repo/web:1" }] }', 'spec: { containers: [{ name: app, image: "repo/web:1", env: [{ name: API_TOKEN, value: abc }] }] }')),
      expect: { status: 'fail', assert: (r) => expect(r.findings.filter((f) => f.rule === 'no-literal-secret-env' && f.resource.name === 'web')).toHaveLength(1) },
    },
    { name: 'no delivery mechanism at all', k8s: join3(deployment('api', 'shop'), 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: { name: ebs.csi.aws.com }'), expect: { status: 'fail', failing: ['secrets-store-driver'] } },
    { name: 'a SecretProviderClass whose objects are not YAML', k8s: join3(SSCSI, spc('db', 'shop', '- objectName: [unclosed'), mounting('api', 'shop', 'db')), expect: { status: 'fail', failing: ['secret-provider-class'] } },
    {
      name: 'an ExternalSecret that does not sync',
      k8s: join3(deployment('external-secrets', 'external-secrets').replace('"111122223333.dkr.ecr.eu-west-1.amazonaws.com/external-secrets:1.0"', 'ghcr.io/external-secrets/external-secrets:v0.16.2'), `
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db, namespace: shop }
spec: { secretStoreRef: { kind: ClusterSecretStore, name: aws }, data: [{ secretKey: password, remoteRef: { key: prod/shop/db } }] }
status: { conditions: [{ type: Ready, status: "False", reason: SecretSyncedError }] }`),
      expect: { status: 'fail', failing: ['external-secret-synced'] },
    },
    { name: 'installed but nothing uses it (low)', k8s: join3(SSCSI, deployment('api', 'shop')), expect: { status: 'fail', failing: ['workload-uses-secrets-manager'] } },
    {
      name: 'syncing into Kubernetes Secrets is noted (CC9-ENC-01 then matters)',
      k8s: join3(SSCSI, spc('db', 'shop', undefined, '  secretObjects: [{ secretName: db, type: Opaque, data: [{ objectName: "prod/shop/db", key: password }] }]'), mounting('api', 'shop', 'db')),
      expect: { status: 'pass', assert: (r) => expect(r.notes.join(' ')).toMatch(/syncs into Kubernetes Secrets/) },
    },
    { name: 'ListSecrets denied: rotation (recommended) not evaluated, noted', k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'db')), awsCalls: { 'secretsmanager:ListSecrets': 'denied' }, expect: { status: 'pass', assert: (r) => expect(r.notes.join(' ')).toMatch(/recommended rule secret-rotation not evaluated: .*ListSecrets/) } },
    {
      name: 'a referenced secret missing from ListSecrets is noted',
      k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'db')),
      aws: [listSecrets(true, 'other')],
      expect: { status: 'pass', assert: (r) => expect(r.notes.join(' ')).toMatch(/prod\/shop\/db/) },
    },
    { name: 'no secret-delivery evidence in manifest files: not collected', k8s: deployment('api', 'shop'), complete: false, expect: { status: 'error', message: /secret delivery evidence/ } },
  ],
});

// ---------------------------------------------------------------- catalog wiring

describe('CC7 catalog file', () => {
  it('lists its controls in checklist order with the §1 automation levels', () => {
    expect(controls.map((c) => `${c.id}:${c.automation}${c.attestation ? '+att' : ''}:${c.check ? 'check' : '-'}`)).toEqual([
      'CC7-CHG-01:automated+att:check', 'CC7-CHG-02:partial+att:check', 'CC7-CHG-03:manual+att:check', 'CC7-CHG-04:partial+att:check',
      'CC7-CFG-01:automated:check', 'CC7-CFG-02:automated:check', 'CC7-CFG-03:automated+att:check',
    ]);
  });

  it('never offers the write-starting DetectStackDrift or a broken command', () => {
    for (const c of controls) {
      for (const cmd of c.remediation.commands ?? []) expect(cmd).not.toMatch(/kubectl logs job\/kube-bench-eks|--authentication-mode/);
    }
    expect(JSON.stringify(controls.flatMap((c) => [...c.requires.flatMap((r) => r.anyOf), ...(c.optional ?? [])]))).not.toMatch(/DetectStackDrift|GetSecretValue/);
  });

  it('evaluates a warning-only run to a pass with its warnings counted (issue 13: recommended rules never fail a control)', () => {
    const r = runCase(CC7_CFG_01, { name: 'warn', k8s: join3(KARPENTER.replace('  limits: { cpu: "1000", memory: 1000Gi }\n', ''), EC2_NODE) });
    expect(r.status).toBe('pass');
    expect(r.counts.warn).toBe(1);
    expect(r.failSeverity).toBeUndefined();
  });

  it('classifies every rule of every CC7 control', () => {
    for (const c of controls) expectClassified(c);
  });
});

// ---------------------------------------------------------------- demo

describe('CC7 in the built-in demo environment', () => {
  const now = new Date(NOW);
  const { waivers, attestations } = demoPolicies(now);
  const run = evaluate(demoSnapshot('test', now), controls, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, waivers, attestations });
  const result = (id: string) => run.controls.find((c) => c.id === id)!;
  const failing = (id: string) => result(id).findings.filter((f) => f.status === 'fail' && !f.system).map((f) => `${f.rule} ${f.resource.name}`);

  it('fails GitOps on the OutOfSync storefront Application and the unmanaged legacy workload', () => {
    expect(result('CC7-CHG-01').status).toBe('fail');
    expect(failing('CC7-CHG-01').sort()).toEqual(['app-synced storefront', 'gitops-coverage acme-prod']);
    const warnings = result('CC7-CHG-01').findings.filter((f) => f.status === 'warn' && !f.system).map((f) => `${f.rule} ${f.resource.name}`);
    expect(warnings.sort()).toEqual(['drift-correction storefront', 'gitops-managed billing-monolith']);
  });

  it('shows the IaC signals passing and the attested CI/CD control', () => {
    expect(result('CC7-CHG-02').status).toBe('manual');
    expect(result('CC7-CHG-02').findings.filter((f) => f.rule === 'iac-evidence').map((f) => f.status)).toEqual(['pass']);
    expect(result('CC7-CHG-03').status).toBe('pass');
    expect(result('CC7-CHG-03').attestation?.attestedBy).toBe('appsec-lead@acme.example');
  });

  it('flags revision history 0, the NodePool without limits and the literal DB_PASSWORD', () => {
    expect(failing('CC7-CHG-04')).toContain('revision-history billing-monolith');
    // batch-spot's missing limits are an accepted risk in the demo (waiver RISK-2026-019); a waived warning leaves the control passing.
    expect(result('CC7-CFG-01').status).toBe('pass');
    expect(result('CC7-CFG-01').findings.filter((f) => f.status === 'waived').map((f) => `${f.rule} ${f.resource.name}`)).toEqual(['nodepool-limits batch-spot']);
    expect(failing('CC7-CFG-03')).toEqual(expect.arrayContaining(['no-literal-secret-env billing-monolith']));
    expect(result('CC7-CFG-03').findings.find((f) => f.rule === 'secret-rotation' && f.status === 'warn')?.resource.name).toBe('prod/payments/stripe-api-key');
  });

  it('scales on a working metrics API without HPA/VPA conflicts', () => {
    expect(result('CC7-CFG-02').findings.find((f) => f.rule === 'metrics-api')?.status).toBe('pass');
    expect(failing('CC7-CFG-02').filter((f) => f.startsWith('hpa-') || f.startsWith('vpa-'))).toEqual([]);
  });
});

// ---------------------------------------------------------------- issue 13 defects

describe('issue 13: CC7 verdicts an auditor can defend', () => {
  it('a loose set of manifests (a Helm chart) proves no absence: no GitOps controller, HPA target, VPA component or SecretProviderClass is "missing"', () => {
    const gitops = runCase(CC7_CHG_01, { name: 'chart', k8s: deployment('api', 'shop'), kinds: { 'argoproj.io/Application': 'collected' }, complete: false });
    expect(gitops.status).toBe('error');
    expectUnevaluated(gitops, 'gitops-controller', /may not hold every workload/);
    const hpaChart = runCase(CC7_CFG_02, { name: 'chart', k8s: join3(METRICS_OK, deployment('api', 'shop'), hpa('gone', 'gone'), vpa('api', 'api', 'Recreate')), complete: false });
    expect(hpaChart.findings.some((f) => f.status === 'fail' && (f.rule === 'hpa-target' || f.rule === 'vpa-components'))).toBe(false);
    expectUnevaluated(hpaChart, 'hpa-target', /not in the input/);
    expectUnevaluated(hpaChart, 'vpa-components', /may not hold every Deployment/);
    const spcChart = runCase(CC7_CFG_03, { name: 'chart', k8s: join3(SSCSI, spc('db', 'shop'), mounting('api', 'shop', 'dbx')), complete: false });
    expect(spcChart.findings.some((f) => f.status === 'fail' && f.rule === 'workload-uses-secrets-manager')).toBe(false);
    expectUnevaluated(spcChart, 'workload-uses-secrets-manager', /not in the input/);
  });

  it('CC7-CHG-01 vs CC8-PIPE-02: a manual sync (the approval gate) does not fail GitOps; selfHeal off is only recommended', () => {
    const manual = runCase(CC7_CHG_01, { name: 'manual sync', k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'Synced', '{}')) });
    expect(manual.status).toBe('pass');
    expectNoFinding(manual, 'drift-correction');
    const noHeal = runCase(CC7_CHG_01, { name: 'no selfHeal', k8s: join3(ARGO, tracked('api', 'shop'), application('shop', 'Synced', '{ automated: { prune: true } }')) });
    expect(noHeal.status).toBe('pass');
    expectWarning(noHeal, 'drift-correction');
  });
});
