import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsFact, JsonObject } from '../../src/model/index.js';
import { DEFAULT_THRESHOLDS, defaultConfig } from '../../src/model/index.js';
import {
  CC8_PIPE_01, CC8_PIPE_02, CC8_PIPE_03, CC8_PIPE_04, CC8_VER_01, CC8_VER_02, CC8_VER_03, CC8_VER_04, controls,
} from '../../src/catalog/cc8.js';
import { addMinor, clusterVersions, compareVersions, newestStandard, parseVersion, supportStatusOf } from '../../src/catalog/lib/versions.js';
import { NOW, runCase, testControl } from '../helpers/control-tester.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { expectClassified, expectUnevaluated, expectWarning } from '../helpers/rule-levels.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { evaluate } from '../helpers/evaluate-expanded.js';

const fact = (service: string, operation: string, output: JsonObject, params?: JsonObject, region = 'eu-west-1'): AwsFact =>
  ({ service, operation, region, accountId: '111122223333', ...(params ? { params } : {}), output });
const join3 = (...docs: string[]) => docs.join('\n---\n');
const ATTEST = (control: string) => [{ control, statement: 'reviewed', attestedBy: 'lead@acme.example', date: '2026-11-01', validUntil: '2027-05-01' }];

// ---------------------------------------------------------------- pipelines

type Act = [name: string, category: string, provider: string];
const pipeline = (name: string, stages: [string, Act[]][]) => fact('codepipeline', 'GetPipeline', {
  pipeline: {
    name, roleArn: 'arn:aws:iam::111122223333:role/cp', version: 1,
    stages: stages.map(([stage, actions]) => ({
      name: stage,
      actions: actions.map(([n, category, provider], i) => ({ name: n, runOrder: i + 1, actionTypeId: { category, owner: category === 'Source' ? 'ThirdParty' : 'AWS', provider, version: '1' }, configuration: (provider === 'CodeBuild' ? { ProjectName: n } : {}) as Record<string, string> })),
    })),
  },
  metadata: { pipelineArn: `arn:aws:codepipeline:eu-west-1:111122223333:${name}` },
}, { name });
const SRC: [string, Act[]] = ['Source', [['src', 'Source', 'CodeStarSourceConnection']]];
const BUILD: [string, Act[]] = ['Build', [['build-image', 'Build', 'CodeBuild']]];
const TEST: [string, Act[]] = ['Test', [['integration', 'Test', 'CodeBuild']]];
const APPROVE: [string, Act[]] = ['Approve', [['release-approval', 'Approval', 'Manual']]];
const STAGING: [string, Act[]] = ['Deploy-staging', [['deploy', 'Deploy', 'EKS']]];
const PROD: [string, Act[]] = ['Deploy-prod', [['deploy', 'Deploy', 'EKS']]];

testControl(CC8_PIPE_01, {
  valid: [
    { name: 'a Test action before the first deploy: manual with a clean signal', aws: [pipeline('api', [SRC, BUILD, TEST, PROD])], expect: { passing: ['test-before-deploy', 'test-action-visible'] } },
    {
      name: 'a build action named for tests counts; a separate Test action is recommended',
      aws: [pipeline('api', [SRC, ['Build', [['unit-tests', 'Build', 'CodeBuild']]], PROD])],
      expect: { passing: ['test-before-deploy'], assert: (r) => expectWarning(r, 'test-action-visible') },
    },
    {
      name: 'only a build before deploying: its tests cannot be seen (attestation), a visible Test action is recommended',
      aws: [pipeline('api', [SRC, BUILD, PROD])],
      expect: {
        notFailing: ['test-before-deploy'],
        assert: (r) => { expectWarning(r, 'test-action-visible'); expect(r.findings.find((f) => f.rule === 'test-before-deploy')?.status).toBe('manual'); },
      },
    },
    { name: 'no pipeline: manual', expect: { status: 'manual', message: /upload the pipeline configuration/ } },
  ],
  invalid: [
    { name: 'nothing but the source before the deploy', aws: [pipeline('api', [SRC, PROD, TEST])], expect: { failing: ['test-before-deploy'], assert: (r) => expect(r.failSeverity).toBe('medium') } },
  ],
  other: [
    { name: 'attested with a clean signal: pass', aws: [pipeline('api', [SRC, BUILD, TEST, PROD])], attestations: ATTEST('CC8-PIPE-01'), expect: { status: 'pass' } },
    { name: 'a pipeline without deploy is only noted', aws: [pipeline('lib', [SRC, BUILD])], expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/lib has no Deploy/) } },
  ],
});

// ---------------------------------------------------------------- CC8-PIPE-02

const app = (name: string, policy: string, project = 'default', ns = name) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${name}, namespace: argocd }
spec:
  project: ${project}
  destination: { server: https://kubernetes.default.svc, namespace: ${ns} }
  source: { repoURL: https://github.com/acme/deploy, path: ${name}, targetRevision: main }
  syncPolicy: ${policy}
status: { sync: { status: Synced } }`;
const project = (name: string, windows: string) => `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: { name: ${name}, namespace: argocd }
spec: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], syncWindows: ${windows} }`;
const AUTO = '{ automated: { prune: true, selfHeal: true } }';

testControl(CC8_PIPE_02, {
  valid: [
    { name: 'a Manual approval before the production deploy (after staging)', aws: [pipeline('api', [SRC, BUILD, STAGING, APPROVE, PROD])], expect: { passing: ['pipeline-approval'] } },
    { name: 'an Argo CD Application synced by hand', k8s: app('payments', '{}'), expect: { passing: ['argocd-sync-gate'] } },
    {
      name: 'an auto-synced Application held by a matching AppProject sync window',
      k8s: join3(app('payments', AUTO, 'payments'), project('payments', '[{ kind: allow, schedule: "0 9 * * 1-4", duration: 8h, namespaces: [pay*], manualSync: true }]')),
      expect: { passing: ['argocd-sync-gate'], assert: (r) => expect(r.findings[0]?.message).toMatch(/sync windows: allow/) },
    },
  ],
  invalid: [
    { name: 'production deploy without approval (approval placed after it)', aws: [pipeline('api', [SRC, BUILD, PROD, APPROVE])], expect: { failing: ['pipeline-approval'] } },
    {
      name: 'the last deploy stage is production when no stage says prod',
      aws: [pipeline('web', [SRC, APPROVE, ['Deploy-eu', [['deploy', 'Deploy', 'EKS']]], ['Deploy-us', [['deploy', 'Deploy', 'EKS']]]]), pipeline('api', [SRC, STAGING, ['Release', [['deploy', 'Deploy', 'EKS']]]])],
      expect: { failing: ['pipeline-approval'], passing: ['pipeline-approval'] },
    },
  ],
  other: [
    {
      name: 'auto-sync without windows and Flux: manual, asking for branch protection',
      k8s: join3(app('shop', AUTO), project('default', '[{ kind: deny, schedule: "* * * * *", duration: 1h, applications: [other-*] }]'), `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system }
spec: { interval: 10m, sourceRef: { kind: GitRepository, name: flux-system } }`),
      expect: {
        status: 'manual', message: /branch-protection/,
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'argocd-sync-gate')?.status).toBe('manual');
          expect(r.notes.join(' ')).toMatch(/Flux applies whatever reaches its branch/);
        },
      },
    },
    { name: 'attested branch protection with a visible gate: pass', aws: [pipeline('api', [SRC, APPROVE, PROD])], attestations: ATTEST('CC8-PIPE-02'), expect: { status: 'pass' } },
    { name: 'no pipeline or Argo CD evidence in manifest files: error', k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }', complete: false, expect: { status: 'error', message: /deployment gates/ } },
  ],
});

// ---------------------------------------------------------------- CC8-PIPE-03

const rollout = (name: string, strategy: string, ns = 'shop', extra = '') => `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: 3
  selector: { matchLabels: { app: ${name} } }
  ${extra}
  strategy: ${strategy}`;
const template = (name: string, metric = '{ name: success, successCondition: "result[0] >= 0.99", provider: { prometheus: { query: q } } }', kind = 'AnalysisTemplate', ns = 'shop') => `
apiVersion: argoproj.io/v1alpha1
kind: ${kind}
metadata: { name: ${name}${kind === 'AnalysisTemplate' ? `, namespace: ${ns}` : ''} }
spec: { metrics: [${metric}] }`;
const STEP_ANALYSIS = '{ canary: { steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: success-rate }] } }, { setWeight: 100 }] } }';
const flaggerCanary = (analysis: string) => `
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: api, namespace: shop }
spec: { provider: istio, targetRef: { apiVersion: apps/v1, kind: Deployment, name: api }, analysis: ${analysis} }`;
const dep = (name: string, ns: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: c, image: "repo/${name}:1" }] } } }`;

testControl(CC8_PIPE_03, {
  valid: [
    { name: 'canary step analysis with a template that can fail', k8s: join3(rollout('web', STEP_ANALYSIS), template('success-rate')), expect: { passing: ['automated-rollback', 'analysis-template'] } },
    {
      name: 'background analysis on a ClusterAnalysisTemplate (Job provider)',
      k8s: join3(rollout('web', '{ canary: { analysis: { templates: [{ templateName: smoke, clusterScope: true }] }, steps: [{ setWeight: 50 }, { pause: { duration: 10m } }] } }'), template('smoke', '{ name: smoke, provider: { job: { spec: { template: { spec: { containers: [{ name: t, image: t }] } } } } } }', 'ClusterAnalysisTemplate')),
      expect: { passing: ['automated-rollback'] },
    },
    { name: 'blue-green with pre-promotion analysis', k8s: join3(rollout('web', '{ blueGreen: { activeService: web, prePromotionAnalysis: { templates: [{ templateName: success-rate }] } } }'), template('success-rate')), expect: { passing: ['automated-rollback'] } },
    { name: 'Flagger canary with threshold and metrics', k8s: flaggerCanary('{ interval: 1m, threshold: 5, metrics: [{ name: request-success-rate, thresholdRange: { min: 99 } }] }'), kinds: { 'argoproj.io/Rollout': 'absent' }, expect: { passing: ['automated-rollback'] } },
    {
      name: 'in-scope namespace: the Deployment is released through a Rollout workloadRef',
      k8s: join3(dep('web', 'shop'), rollout('web-rollout', STEP_ANALYSIS, 'shop', 'workloadRef: { apiVersion: apps/v1, kind: Deployment, name: web }'), template('success-rate')),
      config: { progressiveDeliveryNamespaces: ['sh*'] },
      expect: { passing: ['canary-coverage'] },
    },
  ],
  invalid: [
    { name: 'a canary of setWeight and pause only merely pauses', k8s: rollout('web', '{ canary: { steps: [{ setWeight: 20 }, { pause: {} }] } }'), expect: { failing: ['automated-rollback'], assert: (r) => expect(r.findings[0]?.message).toMatch(/only pauses/) } },
    { name: 'the analysis references a template that does not exist', k8s: join3(rollout('web', STEP_ANALYSIS), template('other')), expect: { failing: ['analysis-template'] } },
    { name: 'a template without any condition can never fail (low)', k8s: join3(rollout('web', STEP_ANALYSIS), template('success-rate', '{ name: m, provider: { prometheus: { query: q } } }')), expect: { failing: ['analysis-template'], assert: (r) => expect(r.failSeverity).toBe('low') } },
    { name: 'Flagger canary without threshold', k8s: flaggerCanary('{ interval: 1m, metrics: [{ name: request-success-rate }] }'), kinds: { 'argoproj.io/Rollout': 'absent' }, expect: { failing: ['automated-rollback'] } },
    { name: 'no Rollout and no Canary', k8s: dep('web', 'shop'), kinds: { 'argoproj.io/Rollout': 'absent', 'flagger.app/Canary': 'absent' }, expect: { failing: ['automated-rollback'] } },
    { name: 'a Rollout without strategy', k8s: rollout('web', '{}'), expect: { failing: ['automated-rollback'] } },
    {
      name: 'in-scope Deployment not released by canary',
      k8s: join3(dep('web', 'shop'), dep('tool', 'ops'), rollout('api', STEP_ANALYSIS), template('success-rate')),
      config: { progressiveDeliveryNamespaces: ['shop'] },
      expect: { failing: ['canary-coverage'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'canary-coverage').map((f) => f.resource.name)).toEqual(['web']) },
    },
  ],
  other: [
    { name: 'Rollouts and Canaries not in the input files: error', k8s: dep('web', 'shop'), complete: false, expect: { status: 'error', message: /progressive-delivery objects/ } },
    { name: 'scope configured but Deployments not collected: error naming them', k8s: join3(rollout('web', STEP_ANALYSIS), template('success-rate')), complete: false, config: { progressiveDeliveryNamespaces: ['shop'] }, expect: { status: 'error', message: /canary-coverage: .*apps\/Deployment/ } },
    {
      name: 'analysis templates not in the input: not evaluated, never passed',
      k8s: rollout('web', STEP_ANALYSIS), complete: false,
      expect: { status: 'error', passing: ['automated-rollback'], assert: (r) => expectUnevaluated(r, 'analysis-template', /AnalysisTemplates were not read/) },
    },
    {
      name: 'partial evidence: a pause-only canary fails although the analysis templates were not read',
      k8s: join3(rollout('web', '{ canary: { steps: [{ setWeight: 20 }, { pause: {} }] } }'), rollout('api', STEP_ANALYSIS)), complete: false,
      expect: { status: 'fail', failing: ['automated-rollback'], assert: (r) => expectUnevaluated(r, 'analysis-template') },
    },
    {
      name: 'no Rollout among the files and Canaries not read: not evaluated, never "no automated rollback"',
      k8s: dep('web', 'shop'), kinds: { 'argoproj.io/Rollout': 'collected' }, complete: false,
      expect: { status: 'error', assert: (r) => expect(JSON.stringify(r.findings)).not.toMatch(/releases have no automated rollback/) },
    },
  ],
});

// ---------------------------------------------------------------- CC8-PIPE-04

const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/test-cluster';
const describeCluster = (version = '1.33', extra: JsonObject = {}) => fact('eks', 'DescribeCluster', { cluster: { name: 'test-cluster', arn: CLUSTER_ARN, version, status: 'ACTIVE', upgradePolicy: { supportType: 'EXTENDED' }, ...extra } }, { name: 'test-cluster' });
const recorder = (group: JsonObject = { allSupported: true, includeGlobalResourceTypes: true }, extra: JsonObject = {}, region = 'eu-west-1') =>
  fact('config', 'DescribeConfigurationRecorders', { ConfigurationRecorders: [{ name: 'default', arn: `arn:aws:config:${region}:111122223333:configuration-recorder/default/abc`, roleARN: 'arn:aws:iam::111122223333:role/config', recordingGroup: group, recordingMode: { recordingFrequency: 'CONTINUOUS' }, ...extra }] }, undefined, region);
const recStatus = (recording = true, lastStatus = 'SUCCESS', region = 'eu-west-1') =>
  fact('config', 'DescribeConfigurationRecorderStatus', { ConfigurationRecordersStatus: [{ name: 'default', recording, lastStatus, lastStatusChangeTime: '2026-11-26T10:00:00Z' }] }, undefined, region);
const rules = (...r: [string, string][]) => fact('config', 'DescribeConfigRules', { ConfigRules: r.map(([name, id]) => ({ ConfigRuleName: name, ConfigRuleArn: `arn:aws:config:eu-west-1:111122223333:config-rule/${name}`, Source: { Owner: 'AWS', SourceIdentifier: id }, ConfigRuleState: 'ACTIVE' })) });
const compliance = (...c: [string, string][]) => fact('config', 'DescribeComplianceByConfigRule', { ComplianceByConfigRules: c.map(([name, type]) => ({ ConfigRuleName: name, Compliance: { ComplianceType: type } })) });
const CONFIG_OK = [recorder(), recStatus(), rules(['eks-endpoint-no-public-access', 'EKS_ENDPOINT_NO_PUBLIC_ACCESS'], ['s3-versioning', 'S3_BUCKET_VERSIONING_ENABLED']), compliance(['eks-endpoint-no-public-access', 'COMPLIANT'])];
const SYNCED = app('shop', AUTO);

testControl(CC8_PIPE_04, {
  valid: [
    { name: 'recorder on, EKS rule compliant, Argo CD Synced', aws: CONFIG_OK, k8s: SYNCED, expect: { passing: ['config-recorder', 'recording-frequency', 'eks-config-rules', 'gitops-drift'] } },
    {
      name: 'inclusion recorder with the EKS and network types, EKS conformance pack, Flux Ready; lastStatus spelled as the SDK enum',
      aws: [
        recorder({ allSupported: false, recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' }, resourceTypes: ['AWS::EKS::Cluster', 'AWS::EKS::Addon', 'AWS::EKS::FargateProfile', 'AWS::EKS::IdentityProviderConfig', 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::VPC', 'AWS::EC2::RouteTable'] }),
        recStatus(true, 'Success'), rules(), fact('config', 'DescribeConformancePacks', { ConformancePackDetails: [{ ConformancePackName: 'Security-Best-Practices-for-EKS', ConformancePackArn: 'arn:aws:config:eu-west-1:111122223333:conformance-pack/x', ConformancePackId: 'x' }] }),
      ],
      k8s: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system }
spec: { interval: 10m }
status: { conditions: [{ type: Ready, status: "True" }] }`,
      expect: { passing: ['config-recorder', 'eks-config-rules', 'gitops-drift'] },
    },
    {
      name: 'a Security Hub service-linked EKS rule counts as an EKS rule',
      aws: [recorder(), recStatus(), rules(['securityhub-eks-cluster-logging-enabled-1a2b3c', 'EKS_CLUSTER_LOG_ENABLED'])],
      k8s: SYNCED,
      expect: { passing: ['eks-config-rules'] },
    },
    {
      name: 'warnings only: daily recording, a NON_COMPLIANT rule, a drifted cluster stack and an OutOfSync Application all prove detection works',
      aws: [
        recorder(undefined, { recordingMode: { recordingFrequency: 'DAILY' } }), recStatus(), CONFIG_OK[2]!, compliance(['eks-endpoint-no-public-access', 'NON_COMPLIANT']),
        describeCluster('1.33', { tags: { 'aws:cloudformation:stack-name': 'eks-stack' } }),
        fact('cloudformation', 'DescribeStacks', { Stacks: [{ StackName: 'eks-stack', StackStatus: 'UPDATE_COMPLETE', CreationTime: '2025-01-01T00:00:00Z', DriftInformation: { StackDriftStatus: 'DRIFTED', LastCheckTimestamp: '2026-11-20T00:00:00Z' } }] }),
      ],
      k8s: SYNCED.replace('Synced', 'OutOfSync'),
      expect: {
        passing: ['config-recorder', 'eks-config-rules', 'gitops-drift'],
        assert: (r) => {
          expectWarning(r, 'recording-frequency', 'config-drift', 'gitops-open-drift');
          expect(r.findings.filter((f) => f.rule === 'config-drift' && f.status === 'warn').map((f) => f.resource.kind).sort()).toEqual(['AWS::CloudFormation::Stack', 'AWS::Config::ConfigRule']);
        },
      },
    },
  ],
  invalid: [
    {
      name: 'only a service-linked recorder',
      aws: [recorder(undefined, { name: 'AWSConfigurationRecorderForSecurityHub', servicePrincipal: 'securityhub.amazonaws.com' }), recStatus(), ...CONFIG_OK.slice(2)],
      k8s: SYNCED,
      expect: { failing: ['config-recorder'], assert: (r) => expect(r.notes.join(' ')).toMatch(/service-linked/) },
    },
    { name: 'the recorder is stopped', aws: [recorder(), recStatus(false), ...CONFIG_OK.slice(2)], k8s: SYNCED, expect: { failing: ['config-recorder'] } },
    { name: 'the last recording failed', aws: [recorder(), recStatus(true, 'FAILURE'), ...CONFIG_OK.slice(2)], k8s: SYNCED, expect: { failing: ['config-recorder'] } },
    {
      name: 'EKS clusters excluded from recording',
      aws: [recorder({ allSupported: false, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' }, exclusionByResourceTypes: { resourceTypes: ['AWS::EKS::Cluster'] } }), recStatus(), ...CONFIG_OK.slice(2)],
      k8s: SYNCED,
      expect: { failing: ['config-recorder'], assert: (r) => expect(r.findings.find((f) => f.rule === 'config-recorder')?.message).toMatch(/AWS::EKS::Cluster/) },
    },

    { name: 'no EKS rule and no EKS pack', aws: [recorder(), recStatus(), rules(['s3', 'S3_BUCKET_VERSIONING_ENABLED'])], k8s: SYNCED, expect: { failing: ['eks-config-rules'] } },

    { name: 'an EKS rule never evaluated (low)', aws: [recorder(), recStatus(), CONFIG_OK[2]!, compliance(['eks-endpoint-no-public-access', 'INSUFFICIENT_DATA'])], k8s: SYNCED, expect: { failing: ['eks-config-rules'], assert: (r) => expect(r.failSeverity).toBe('low') } },
    {
      name: 'a suspended Flux Kustomization detects nothing',
      aws: CONFIG_OK,
      k8s: 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: apps, namespace: flux-system }\nspec: { interval: 10m, suspend: true }\nstatus: { conditions: [{ type: Ready, status: "True" }] }',
      expect: { failing: ['gitops-drift'] },
    },
    {
      name: 'partial evidence: a stopped recorder is proven although the GitOps objects were not read',
      aws: [recorder(), recStatus(false), ...CONFIG_OK.slice(2)],
      expect: { failing: ['config-recorder'], assert: (r) => expectUnevaluated(r, 'gitops-drift', /GitOps objects/) },
    },
    { name: 'no GitOps object: in-cluster drift goes unseen', aws: CONFIG_OK, k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }', expect: { failing: ['gitops-drift'] } },
    {
      name: 'a HelmRelease without drift detection (low)',
      aws: CONFIG_OK,
      k8s: 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: api, namespace: shop }\nspec: { interval: 5m }\nstatus: { conditions: [{ type: Ready, status: "True" }] }',
      expect: { failing: ['gitops-drift'], assert: (r) => expect(r.failSeverity).toBe('low') },
    },

    {
      name: "a recorder in another region does not cover the cluster's region",
      aws: [recorder(undefined, {}, 'us-east-1'), recStatus(true, 'SUCCESS', 'us-east-1'), CONFIG_OK[2]!, describeCluster()],
      k8s: SYNCED,
      expect: { failing: ['config-recorder'], assert: (r) => expect(r.findings.find((f) => f.rule === 'config-recorder')?.message).toMatch(/eu-west-1/) },
    },
  ],
  other: [
    { name: 'Config recorders denied: error', aws: CONFIG_OK.slice(1), awsCalls: { 'config:DescribeConfigurationRecorders': 'denied' }, k8s: SYNCED, expect: { status: 'error' } },
    { name: 'no AWS evidence at all: error', k8s: SYNCED, expect: { status: 'error', message: /AWS Config recorders/ } },
    { name: 'AWS side passes, GitOps objects not read: error naming them', aws: CONFIG_OK, expect: { status: 'error', message: /GitOps objects/ } },
  ],
});

// ---------------------------------------------------------------- CC8-VER-01

const calendar = (): JsonObject => {
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/cc8/cluster-versions-2026-11-26.json'), 'utf8')) as JsonObject;
  delete raw._comment;
  return raw;
};
const versionsFact = (output: JsonObject = calendar()) => fact('eks', 'DescribeClusterVersions', output, { clusterType: 'eks', includeAll: true });
/** The §5.2 calendar plus a 1.37 in standard support (the worked example "N = 1.37"). */
const withV137 = (): JsonObject => {
  const c = calendar();
  (c.clusterVersions as JsonObject[]).unshift({ clusterVersion: '1.37', clusterType: 'eks', versionStatus: 'STANDARD_SUPPORT', endOfStandardSupportDate: '2027-12-01T00:00:00Z', endOfExtendedSupportDate: '2028-12-01T00:00:00Z' });
  return c;
};
const nodeAt = (name: string, kubelet: string, labels = '{}') => `
apiVersion: v1
kind: Node
metadata: { name: ${name}, labels: ${labels} }
status: { nodeInfo: { kubeletVersion: ${kubelet} } }`;
const nodegroup = (version: string) => fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'general', clusterName: 'test-cluster', version, releaseVersion: `${version}.5-20251016`, nodegroupArn: 'arn:aws:eks:eu-west-1:111122223333:nodegroup/test-cluster/general/1' } });

testControl(CC8_VER_01, {
  valid: [
    {
      name: '1.35 with N = 1.36: within N-2 and 121 days of standard support left; nodes and node group equal',
      aws: [describeCluster('1.35'), versionsFact(), nodegroup('1.35')],
      k8s: nodeAt('n1', 'v1.35.2-eks-1234567'),
      expect: { passing: ['within-n-2', 'support-status', 'support-runway', 'kubelet-skew', 'nodegroup-version', 'data-plane-current'], assert: (r) => expect(r.notes.join(' ')).toMatch(/within N-2: yes \(N = 1.36\); in standard support: yes/) },
    },
    {
      name: 'only the deprecated lower-case status field is present',
      aws: [describeCluster('1.36'), versionsFact({ clusterVersions: [{ clusterVersion: '1.36', status: 'standard-support', endOfStandardSupportDate: '2027-08-02T00:00:00Z', endOfExtendedSupportDate: '2028-08-02T00:00:00Z' }] })],
      k8s: nodeAt('n1', 'v1.36.0'),
      expect: { passing: ['within-n-2', 'support-status'] },
    },
    {
      name: 'versions compare as integers: N is 1.100 (not 1.99), 1.98 is within N-2',
      aws: [describeCluster('1.98'), versionsFact({ clusterVersions: ['1.100', '1.99', '1.98'].map((v) => ({ clusterVersion: v, versionStatus: 'STANDARD_SUPPORT', endOfStandardSupportDate: '2028-01-01T00:00:00Z' })) })],
      k8s: nodeAt('n1', 'v1.98.1'),
      expect: { passing: ['within-n-2'], assert: (r) => expect(r.findings.find((f) => f.rule === 'within-n-2')?.message).toMatch(/N = 1\.100/) },
    },
    {
      name: 'worked example N = 1.36: 1.34 is within N-2 but leaves standard support in 5 days: a warning',
      aws: [describeCluster('1.34'), versionsFact()],
      k8s: nodeAt('n1', 'v1.34.1'),
      expect: { passing: ['within-n-2', 'support-status'], assert: (r) => { expectWarning(r, 'support-runway'); expect(r.findings.find((f) => f.rule === 'support-runway')?.message).toMatch(/in 5 days \(2026-12-02\)/); } },
    },
    {
      name: 'failOnExtendedSupport: false turns extended support into a warning',
      aws: [describeCluster('1.33'), versionsFact({ clusterVersions: [{ clusterVersion: '1.35', versionStatus: 'STANDARD_SUPPORT' }, { clusterVersion: '1.33', versionStatus: 'EXTENDED_SUPPORT', endOfStandardSupportDate: '2026-07-29T00:00:00Z', endOfExtendedSupportDate: '2027-07-29T00:00:00Z' }] })],
      k8s: nodeAt('n1', 'v1.33.5'),
      config: { thresholds: { ...DEFAULT_THRESHOLDS, failOnExtendedSupport: false } },
      expect: { passing: ['within-n-2', 'support-status'], assert: (r) => expectWarning(r, 'support-runway') },
    },
    {
      name: 'a node one minor behind is allowed by the skew policy: a warning',
      aws: [describeCluster('1.35'), versionsFact(), nodegroup('1.34')],
      k8s: nodeAt('n1', 'v1.34.2'),
      expect: { passing: ['kubelet-skew', 'nodegroup-version'], assert: (r) => { expectWarning(r, 'data-plane-current'); expect(r.counts.warn).toBe(2); } },
    },
  ],
  invalid: [
    {
      name: 'the demo case: 1.33 is N-3 and in extended support; one node one minor behind',
      aws: [describeCluster('1.33'), versionsFact(), nodegroup('1.33')],
      k8s: join3(nodeAt('n1', 'v1.33.5-eks-3025e55'), nodeAt('n2', 'v1.32.9-eks-113cf36')),
      expect: {
        failing: ['within-n-2', 'support-status'],
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'within-n-2')?.message).toMatch(/N-3 \(N = 1.36, allowed 1.34–1.36\)/);
          expectWarning(r, 'data-plane-current');
          expect(r.findings.find((f) => f.rule === 'kubelet-skew' && f.resource.name === 'n2')?.status).toBe('pass');
          expect(r.notes.join(' ')).toMatch(/upgradePolicy.supportType = EXTENDED is the policy/);
        },
      },
    },
    { name: 'worked example N = 1.37: 1.34 is N-3', aws: [describeCluster('1.34'), versionsFact(withV137())], k8s: nodeAt('n1', 'v1.34.1'), expect: { failing: ['within-n-2'] } },
    {
      name: '1.31 on 2026-11-26: end of extended support reached, unsupported although the answer still says extended',
      aws: [describeCluster('1.31'), versionsFact()],
      k8s: nodeAt('n1', 'v1.31.4'),
      expect: { failing: ['support-status', 'within-n-2'], assert: (r) => expect(r.failSeverity).toBe('critical') },
    },
    { name: '1.29 is unsupported', aws: [describeCluster('1.29'), versionsFact()], k8s: nodeAt('n1', 'v1.29.4'), expect: { failing: ['support-status'], assert: (r) => expect(r.findings.find((f) => f.rule === 'support-status')?.severity).toBe('critical') } },
    {
      name: 'extended support within N-2 fails by default (failOnExtendedSupport)',
      aws: [describeCluster('1.33'), versionsFact({ clusterVersions: [{ clusterVersion: '1.35', versionStatus: 'STANDARD_SUPPORT' }, { clusterVersion: '1.33', versionStatus: 'EXTENDED_SUPPORT', endOfStandardSupportDate: '2026-07-29T00:00:00Z', endOfExtendedSupportDate: '2027-07-29T00:00:00Z' }] })],
      k8s: nodeAt('n1', 'v1.33.5'),
      expect: { failing: ['support-status'], passing: ['within-n-2'] },
    },
    {
      name: 'kubelets newer than the control plane or more than three minors behind; Fargate hint',
      aws: [describeCluster('1.35'), versionsFact(), nodegroup('1.31')],
      k8s: join3(nodeAt('new', 'v1.36.0'), nodeAt('old', 'v1.31.9'), nodeAt('fargate-ip-1', 'v1.34.2-eks-1', '{ eks.amazonaws.com/compute-type: fargate }')),
      expect: {
        failing: ['kubelet-skew', 'nodegroup-version'],
        assert: (r) => {
          const by = (n: string, rule = 'kubelet-skew') => r.findings.find((f) => f.rule === rule && f.resource.name === n)!;
          expect(by('new').status).toBe('fail');
          expect(by('old').status).toBe('fail');
          expect(by('fargate-ip-1').status).toBe('pass');
          expect(by('fargate-ip-1', 'data-plane-current')).toMatchObject({ status: 'warn', message: expect.stringMatching(/Fargate: re-create the pods/) });
        },
      },
    },
    {
      name: 'partial evidence: --no-kubernetes still fails an N-3 control plane; the kubelets are not evaluated',
      aws: [describeCluster('1.33'), versionsFact()],
      expect: { failing: ['within-n-2'], assert: (r) => expectUnevaluated(r, 'kubelet-skew', /nodes/) },
    },
  ],
  other: [
    { name: 'DescribeClusterVersions not collected: error (the calendar is never hard-coded)', aws: [describeCluster('1.35')], k8s: nodeAt('n1', 'v1.35.0'), expect: { status: 'error', message: /DescribeClusterVersions/ } },
    {
      name: 'no version in standard support: N-2 not evaluated, the extended-support version still fails',
      aws: [describeCluster('1.33'), versionsFact({ clusterVersions: [{ clusterVersion: '1.33', versionStatus: 'EXTENDED_SUPPORT' }] })], k8s: nodeAt('n1', 'v1.33.0'),
      expect: { status: 'fail', failing: ['support-status'], assert: (r) => expectUnevaluated(r, 'within-n-2', /no version in standard support/) },
    },
    {
      name: 'no version in standard support and nothing else failing: error',
      aws: [describeCluster('1.33'), versionsFact({ clusterVersions: [{ clusterVersion: '1.33', versionStatus: 'EXTENDED_SUPPORT' }] })], k8s: nodeAt('n1', 'v1.33.0'),
      config: { thresholds: { ...DEFAULT_THRESHOLDS, failOnExtendedSupport: false } },
      expect: { status: 'error', message: /no version in standard support/ },
    },
    { name: 'nodes not collected: error naming them', aws: [describeCluster('1.35'), versionsFact()], expect: { status: 'error', message: /nodes/ } },
    {
      name: 'a waiver covers the extended-support finding',
      aws: [describeCluster('1.33'), versionsFact({ clusterVersions: [{ clusterVersion: '1.35', versionStatus: 'STANDARD_SUPPORT' }, { clusterVersion: '1.33', versionStatus: 'EXTENDED_SUPPORT', endOfStandardSupportDate: '2026-07-29T00:00:00Z', endOfExtendedSupportDate: '2027-07-29T00:00:00Z' }] })],
      k8s: nodeAt('n1', 'v1.33.0'),
      waivers: [{ id: 'W-1', control: 'CC8-VER-01', rule: 'support-status', reason: 'upgrade booked for next week', approvedBy: 'ciso@acme.example', expires: '2026-12-31' }],
      expect: { status: 'waived' },
    },
  ],
});

describe('version arithmetic', () => {
  it('parses EKS, kubelet and AMI version strings and compares as integers', () => {
    expect(parseVersion('v1.33.5-eks-3025e55')).toEqual({ major: 1, minor: 33 });
    expect(parseVersion('1.33.5-20251016')).toEqual({ major: 1, minor: 33 });
    expect(parseVersion('1.4')).toEqual({ major: 1, minor: 4 });
    expect(parseVersion('latest')).toBeUndefined();
    expect(compareVersions(parseVersion('1.4')!, parseVersion('1.35')!)).toBeLessThan(0);
    expect(addMinor({ major: 1, minor: 36 }, -2)).toEqual({ major: 1, minor: 34 });
    expect(supportStatusOf({ status: 'extended-support' })).toBe('EXTENDED_SUPPORT');
    expect(supportStatusOf({ versionStatus: 'STANDARD_SUPPORT', status: 'unsupported' })).toBe('STANDARD_SUPPORT');
    expect(supportStatusOf({ status: 'weird' })).toBeUndefined();
  });

  it('finds N in the §5.2 calendar and moves a version to extended support once its standard support has ended', () => {
    const r = runCase(CC8_VER_01, { name: 'n', aws: [describeCluster('1.34'), versionsFact()], k8s: nodeAt('n1', 'v1.34.0'), now: '2026-12-03T00:00:00Z' });
    expect(r.findings.find((f) => f.rule === 'within-n-2')?.message).toMatch(/N = 1.36/);
    expect(r.findings.find((f) => f.rule === 'support-status')?.message).toMatch(/extended support since 2026-12-02/);
    const ev = { aws: () => [versionsFact()] } as unknown as Parameters<typeof clusterVersions>[0];
    expect(newestStandard(clusterVersions(ev), Date.parse(NOW))?.label).toBe('1.36');
  });
});

// ---------------------------------------------------------------- CC8-VER-02

const insights = (...i: [string, string, string, string?][]) => fact('eks', 'ListInsights', {
  insights: i.map(([id, name, status, version]) => ({ id, name, category: 'UPGRADE_READINESS', kubernetesVersion: version ?? '1.36', lastRefreshTime: '2026-11-26T02:00:00Z', insightStatus: { status, reason: `${name} reason` } })),
}, { clusterName: 'test-cluster', filter: { categories: ['UPGRADE_READINESS'] } });

testControl(CC8_VER_02, {
  valid: [
    {
      name: 'passing insights for the next minor and enough runway: manual (the calendar is attested)',
      aws: [describeCluster('1.35'), versionsFact(), insights(['a', 'Deprecated APIs removed in Kubernetes v1.36', 'PASSING'], ['b', 'Kubelet version skew', 'PASSING'])],
      expect: { passing: ['upgrade-insight', 'upgrade-insight-warning', 'upgrade-runway'] },
    },
    {
      name: 'a WARNING insight is a warning: the verdict stays with the attestation',
      aws: [describeCluster('1.35'), versionsFact(), insights(['a', 'EKS add-on version compatibility', 'WARNING'])],
      expect: { passing: ['upgrade-insight'], assert: (r) => { expectWarning(r, 'upgrade-insight-warning'); expect(r.failSeverity).toBeUndefined(); } },
    },
  ],
  invalid: [
    {
      name: 'an ERROR insight for the next minor fails; its recommendation is shown',
      aws: [describeCluster('1.35'), versionsFact(), insights(['a', 'Deprecated APIs removed in Kubernetes v1.36', 'ERROR']), fact('eks', 'DescribeInsight', { insight: { id: 'a', recommendation: 'Move to the v1 API before upgrading' } })],
      expect: { failing: ['upgrade-insight'], assert: (r) => expect(r.findings[0]?.message).toMatch(/Move to the v1 API/) },
    },
    {
      name: 'partial evidence: an ERROR insight fails although DescribeClusterVersions was denied',
      aws: [describeCluster('1.35'), insights(['a', 'Deprecated APIs removed in Kubernetes v1.36', 'ERROR'])], awsCalls: { 'eks:DescribeClusterVersions': 'denied' },
      expect: { failing: ['upgrade-insight'] },
    },
  ],
  other: [
    {
      name: 'insights for another target version are ignored',
      aws: [describeCluster('1.35'), versionsFact(), insights(['x', 'Old', 'ERROR', '1.35'], ['y', 'Fine', 'PASSING'])],
      expect: { status: 'manual', notFailing: ['upgrade-insight'] },
    },
    {
      name: 'standard support ended: the runway asks for the dated plan; CloudTrail upgrade history is listed',
      aws: [describeCluster('1.33'), versionsFact(), insights(['a', 'Kubelet version skew', 'PASSING', '1.34']), fact('cloudtrail', 'LookupEvents', { Events: [{ EventId: 'u1', EventName: 'UpdateClusterVersion', ReadOnly: 'false', EventTime: '2026-09-01T10:00:00Z', EventSource: 'eks.amazonaws.com', CloudTrailEvent: JSON.stringify({ requestParameters: { name: 'test-cluster', version: '1.33' }, userAgent: 'eksctl/0.199.0' }) }] })],
      expect: {
        status: 'manual',
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'upgrade-runway')?.status).toBe('manual');
          expect(r.notes.join(' ')).toMatch(/2026-09-01 to 1.33/);
        },
      },
    },
    { name: 'attested plan: pass', aws: [describeCluster('1.33'), versionsFact(), insights(['a', 'Kubelet version skew', 'PASSING', '1.34'])], attestations: ATTEST('CC8-VER-02'), expect: { status: 'pass' } },
    { name: 'ListInsights denied: error', aws: [describeCluster('1.35')], awsCalls: { 'eks:ListInsights': 'denied' }, expect: { status: 'error', message: /insights/ } },
    {
      name: 'an insight in UNKNOWN status is not evaluated, never passed',
      aws: [describeCluster('1.35'), versionsFact(), insights(['a', 'Kubelet version skew', 'UNKNOWN'])],
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'upgrade-insight', /UNKNOWN/) },
    },
    { name: 'no newer version exists: noted', aws: [describeCluster('1.36'), versionsFact(), insights()], expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/no EKS version newer than 1.36/) } },
  ],
});

// ---------------------------------------------------------------- CC8-VER-03

const listAddons = (...names: string[]) => fact('eks', 'ListAddons', { addons: names }, { clusterName: 'test-cluster' });
const describeAddon = (name: string, version: string) => fact('eks', 'DescribeAddon', { addon: { addonName: name, addonVersion: version, status: 'ACTIVE', addonArn: `arn:aws:eks:eu-west-1:111122223333:addon/test-cluster/${name}/1` } }, { clusterName: 'test-cluster', addonName: name });
const addonVersions = (name: string, k8sVersion: string | undefined, versions: [string, string[], boolean?][]) => fact('eks', 'DescribeAddonVersions', {
  addons: [{ addonName: name, type: 'networking', owner: 'aws', publisher: 'eks', addonVersions: versions.map(([v, cvs, def]) => ({ addonVersion: v, compatibilities: cvs.map((c) => ({ clusterVersion: c, platformVersions: ['*'], defaultVersion: def ?? false })) })) }],
}, { addonName: name, ...(k8sVersion ? { kubernetesVersion: k8sVersion } : {}) });
const CNI = [listAddons('vpc-cni'), describeAddon('vpc-cni', 'v1.19.2-eksbuild.1')];

testControl(CC8_VER_03, {
  valid: [
    {
      name: 'installed version supports 1.35 and a version exists for 1.36',
      aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.19.2-eksbuild.1', ['1.35']]]), addonVersions('vpc-cni', '1.36', [['v1.20.1-eksbuild.1', ['1.36'], true]])],
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { passing: ['current-compatible', 'next-available'], assert: (r) => expect(r.findings.find((f) => f.rule === 'next-available')?.message).toMatch(/default v1.20.1-eksbuild.1/) },
    },
    {
      name: 'a call without kubernetesVersion: compatibilities decide',
      aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', undefined, [['v1.19.2-eksbuild.1', ['1.34', '1.35', '1.36']]])],
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { passing: ['current-compatible', 'next-available'], assert: (r) => expect(r.findings.find((f) => f.rule === 'next-available')?.message).toMatch(/no add-on update needed/) },
    },
    {
      name: 'the next minor does not exist yet: only the current version is checked',
      aws: [describeCluster('1.36'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.36', [['v1.19.2-eksbuild.1', ['1.36']]])],
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { passing: ['current-compatible'], assert: (r) => expect(r.notes.join(' ')).toMatch(/EKS has no 1.37 yet/) },
    },
  ],
  invalid: [
    { name: 'installed version not compatible with the current cluster version', aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.20.0-eksbuild.1', ['1.35']]]), addonVersions('vpc-cni', '1.36', [['v1.20.1-eksbuild.1', ['1.36']]])], k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }', expect: { failing: ['current-compatible'] } },
    { name: 'no version for the next minor (the filtered answer is empty)', aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.19.2-eksbuild.1', ['1.35']]]), fact('eks', 'DescribeAddonVersions', { addons: [] }, { addonName: 'vpc-cni', kubernetesVersion: '1.36' })], k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }', expect: { failing: ['next-available'] } },
    {
      name: 'the add-on is listed for the next minor with no version',
      aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.19.2-eksbuild.1', ['1.35']]]), addonVersions('vpc-cni', '1.36', [])],
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { failing: ['next-available'] },
    },
  ],
  other: [
    {
      name: 'components outside EKS add-ons make it manual, reported with their image',
      aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.19.2-eksbuild.1', ['1.35']]]), addonVersions('vpc-cni', '1.36', [['v1.19.2-eksbuild.1', ['1.36']]])],
      k8s: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: karpenter, namespace: karpenter }
spec: { selector: {}, template: { spec: { containers: [{ name: controller, image: "public.ecr.aws/karpenter/controller:1.6.3" }] } } }`,
      expect: {
        status: 'manual', message: /Karpenter/,
        assert: (r) => {
          const f = r.findings.find((x) => x.rule === 'other-components')!;
          expect(f.message).toMatch(/controller:1.6.3.*1\.36/);
          expect(f.system).toBeUndefined();
        },
      },
    },
    {
      name: 'several components across Deployments, DaemonSets and StatefulSets: one finding each, the first workload running it, in catalog order',
      aws: [describeCluster('1.35'), versionsFact(), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.19.2-eksbuild.1', ['1.35']]]), addonVersions('vpc-cni', '1.36', [['v1.19.2-eksbuild.1', ['1.36']]])],
      k8s: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { selector: {}, template: { spec: { containers: [{ name: app, image: "shop/web:1" }, { name: lb, image: "example/aws-load-balancer-controller:v2.8.0" }] } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: lbc-second, namespace: kube-system }
spec: { selector: {}, template: { spec: { containers: [{ name: c, image: "public.ecr.aws/eks/aws-load-balancer-controller:v2.9.0" }] } } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: falco, namespace: falco }
spec: { selector: {}, template: { spec: { initContainers: [{ name: init, image: "busybox:1" }], containers: [{ name: falco, image: "docker.io/falcosecurity/falco:0.42.1" }] } } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: karpenter, namespace: karpenter }
spec: { selector: {}, template: { spec: { containers: [{ name: controller, image: "public.ecr.aws/karpenter/controller:1.6.3" }] } } }`,
      expect: {
        status: 'manual', message: /3 other component\(s\).*Karpenter, AWS Load Balancer Controller, Falco/,
        assert: (r) => {
          const fs = r.findings.filter((x) => x.rule === 'other-components');
          expect(fs.map((f) => `${f.resource.kind}/${(f.resource as { name?: string }).name}`)).toEqual(['StatefulSet/karpenter', 'Deployment/web', 'DaemonSet/falco']);
          expect(fs[1]!.message).toMatch(/aws-load-balancer-controller:v2\.8\.0/);
        },
      },
    },
    {
      name: 'version data missing for an add-on: not evaluated on it, never a pass',
      aws: [describeCluster('1.35'), versionsFact(), ...CNI], awsCalls: { 'eks:DescribeAddonVersions': 'collected' }, k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { status: 'error', assert: (r) => { expectUnevaluated(r, 'current-compatible', /vpc-cni/); expect(r.findings.find((f) => f.status === 'error')?.resource.name).toBe('vpc-cni'); } },
    },
    {
      name: 'partial evidence: an incompatible add-on fails although another add-on was not described',
      aws: [describeCluster('1.35'), versionsFact(), listAddons('vpc-cni', 'coredns'), describeAddon('vpc-cni', 'v1.19.2-eksbuild.1'), addonVersions('vpc-cni', '1.35', [['v1.20.0-eksbuild.1', ['1.35']]]), addonVersions('vpc-cni', '1.36', [['v1.20.1-eksbuild.1', ['1.36']]])],
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { status: 'fail', failing: ['current-compatible'], assert: (r) => expectUnevaluated(r, 'current-compatible', /coredns/) },
    },
    {
      name: 'the EKS version calendar not read: the next minor is not evaluated',
      aws: [describeCluster('1.35'), ...CNI, addonVersions('vpc-cni', '1.35', [['v1.19.2-eksbuild.1', ['1.35']]])], k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }',
      expect: { status: 'error', passing: ['current-compatible'], assert: (r) => expectUnevaluated(r, 'next-available', /DescribeClusterVersions/) },
    },
    { name: 'DescribeAddonVersions denied: error', aws: [describeCluster('1.35'), ...CNI], awsCalls: { 'eks:DescribeAddonVersions': 'denied' }, expect: { status: 'error' } },
    { name: 'no add-on list: error', aws: [describeCluster('1.35')], expect: { status: 'error', message: /add-on list/ } },
  ],
});

// ---------------------------------------------------------------- CC8-VER-04

testControl(CC8_VER_04, {
  valid: [],
  invalid: [],
  other: [
    { name: 'no attestation: manual', expect: { status: 'manual', message: /upgrade runbook/ } },
    { name: 'attested runbook: pass', attestations: ATTEST('CC8-VER-04'), expect: { status: 'pass', message: /attested by lead@acme.example/ } },
    { name: 'an expired attestation does not count', attestations: [{ control: 'CC8-VER-04', statement: 'old', attestedBy: 'x@acme.example', date: '2025-01-01', validUntil: '2025-12-31' }], expect: { status: 'manual' } },
  ],
});

describe('CC8 catalog file', () => {
  it('classifies every rule of every CC8 control (issue 13)', () => {
    for (const c of controls) expectClassified(c);
  });

  it('lists its controls in checklist order with the §1 automation levels', () => {
    expect(controls.map((c) => `${c.id}:${c.automation}${c.attestation ? '+att' : ''}:${c.check ? 'check' : '-'}`)).toEqual([
      'CC8-PIPE-01:manual+att:check', 'CC8-PIPE-02:partial+att:check', 'CC8-PIPE-03:automated+att:check', 'CC8-PIPE-04:automated:check',
      'CC8-VER-01:automated:check', 'CC8-VER-02:partial+att:check', 'CC8-VER-03:automated+att:check', 'CC8-VER-04:manual+att:-',
    ]);
  });

  it('reads the same AWS Config operations as CC3-RA-04', () => {
    const keys = [...CC8_PIPE_04.requires.flatMap((r) => r.anyOf), ...(CC8_PIPE_04.optional ?? [])];
    for (const op of ['DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus', 'DescribeConfigRules', 'DescribeComplianceByConfigRule', 'DescribeConformancePacks']) {
      expect(keys).toContain(`aws:config:${op}`);
    }
  });
});

// ---------------------------------------------------------------- demo

describe('CC8 in the built-in demo environment', () => {
  const now = new Date(NOW);
  const { waivers, attestations } = demoPolicies(now);
  const run = evaluate(demoSnapshot('test', now), controls, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, waivers, attestations });
  const result = (id: string) => run.controls.find((c) => c.id === id)!;
  const failing = (id: string) => result(id).findings.filter((f) => f.status === 'fail' && !f.system).map((f) => `${f.rule} ${f.resource.name}`);

  it('fails version currency: 1.33 is N-3 and in extended support (N = 1.36 from DescribeClusterVersions)', () => {
    expect(result('CC8-VER-01').status).toBe('fail');
    expect(failing('CC8-VER-01').map((f) => f.split(' ')[0])).toEqual(expect.arrayContaining(['within-n-2', 'support-status']));
    expect(result('CC8-VER-01').findings.some((f) => f.rule === 'data-plane-current' && f.status === 'warn')).toBe(true);
  });

  it('shows the attested runbook and the upgrade plan awaiting attestation', () => {
    expect(result('CC8-VER-04').status).toBe('pass');
    expect(result('CC8-VER-04').attestation?.attestedBy).toBe('platform-lead@acme.example');
    expect(result('CC8-VER-02').status).toBe('manual');
    expect(result('CC8-VER-02').findings.find((f) => f.rule === 'upgrade-runway')?.status).toBe('manual');
  });

  it('flags the pipeline without approval and the pause-only canary; add-ons are ready for 1.34', () => {
    expect(failing('CC8-PIPE-02')).toEqual(['pipeline-approval storefront-web']);
    expect(failing('CC8-PIPE-03')).toEqual(['automated-rollback recommendations']);
    expect(result('CC8-PIPE-01').status).toBe('manual');
    expect(failing('CC8-VER-03')).toEqual([]);
    expect(result('CC8-VER-03').findings.filter((f) => f.rule === 'next-available' && f.status === 'pass').length).toBeGreaterThanOrEqual(8);
  });

  it('reads the AWS Config facts of the shared demo and reports the OutOfSync Application as open drift (a warning: detection works)', () => {
    const r = result('CC8-PIPE-04');
    if (r.status === 'error') expect(r.message).toMatch(/AWS Config/); // until the CC3 fragment provides Config facts
    else {
      expect(failing('CC8-PIPE-04')).not.toContain('gitops-drift storefront');
      expect(r.findings.filter((f) => f.status === 'warn').map((f) => `${f.rule} ${f.resource.name}`)).toContain('gitops-open-drift storefront');
    }
  });
});

// ---------------------------------------------------------------- issue 13 defects

describe('issue 13: CC8 verdicts an auditor can defend', () => {
  it('CC8-PIPE-04 on a Terraform configuration: recorders and rules it does not declare are not "missing" (the account may have them)', () => {
    const snap = makeSnapshot({ aws: [rules(['s3', 'S3_BUCKET_VERSIONING_ENABLED']), fact('config', 'DescribeConfigurationRecorders', { ConfigurationRecorders: [] }), fact('config', 'DescribeConfigurationRecorderStatus', { ConfigurationRecordersStatus: [] })], k8s: SYNCED });
    for (const op of ['DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus', 'DescribeConfigRules']) snap.aws.calls[`config:${op}`]!.detail = 'terraform';
    const r = evaluate(snap, [CC8_PIPE_04], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date(NOW) }).controls[0]!;
    expect(r.status).toBe('error');
    expectUnevaluated(r, 'config-recorder', /declares/);
    expectUnevaluated(r, 'eks-config-rules', /declares/);
  });

  it('CC8-VER-01: --no-kubernetes on an unsupported 1.28 cluster fails (the version is proven); the node rules are not evaluated', () => {
    const r = runCase(CC8_VER_01, { name: 'AWS only', aws: [describeCluster('1.28'), versionsFact()] });
    expect(r.status).toBe('fail');
    expect(r.findings.filter((f) => f.status === 'fail').map((f) => f.rule).sort()).toEqual(['support-status', 'within-n-2']);
    expectUnevaluated(r, 'kubelet-skew', /nodes/);
    expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read/);
  });

  it('CC8-PIPE-04: NON_COMPLIANT AWS Config rules prove detection works; they do not fail drift detection', () => {
    const r = runCase(CC8_PIPE_04, { name: 'non-compliant', aws: [recorder(), recStatus(), CONFIG_OK[2]!, compliance(['eks-endpoint-no-public-access', 'NON_COMPLIANT'])], k8s: SYNCED });
    expect(r.status).toBe('pass');
    expect(r.findings.find((f) => f.rule === 'eks-config-rules')?.status).toBe('pass');
    expectWarning(r, 'config-drift');
  });
});
