import type { Attestation, AwsFact, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj, owned } from './build.js';

/**
 * Demo fragment for CC4 (monitoring, security event correlation): the CloudWatch observability
 * agents, Falco with falcosidekick, the GuardDuty agent, and the AWS facts of CloudWatch Logs,
 * CloudTrail, VPC flow logs, CloudWatch metrics/alarms/dashboards, GuardDuty, Security Hub and
 * Amazon Managed Grafana.
 *
 * The story: control-plane logging misses controllerManager and scheduler (as DescribeCluster in the
 * core says); the CloudTrail trail is multi-region but not KMS-encrypted (warning); Falco does not
 * tolerate the Karpenter node's taint and is missing there; GuardDuty, Security Hub, flow logs and
 * Container Insights are in order; the metric filters are attested by the SOC, while the dashboards
 * (a Grafana workspace whose content AWS APIs cannot show) still await their attestation.
 */

const R = DEMO.region;
const A = DEMO.accountId;
const C = DEMO.cluster;
const NODES = ['ip-10-0-1-10.eu-west-1.compute.internal', 'ip-10-0-2-11.eu-west-1.compute.internal', 'ip-10-0-3-12.eu-west-1.compute.internal'];
const SNS = `arn:aws:sns:${R}:${A}:security-oncall`;
const TRAIL = `arn:aws:cloudtrail:${R}:${A}:trail/acme-management-events`;
const TRAIL_GROUP = 'aws-cloudtrail-logs-acme';
const EKS_GROUP = `/aws/eks/${C}/cluster`;

const ns = (name: string, labels: Record<string, string> = {}) => obj('v1', 'Namespace', name, undefined, {}, { labels: { 'kubernetes.io/metadata.name': name, ...labels } });

function daemonSet(name: string, namespace: string, image: string, labels: Record<string, string>, status: { desired: number; ready: number }, tolerations: unknown[] = [{ operator: 'Exists' }]): K8sObject {
  return obj('apps/v1', 'DaemonSet', name, namespace, {
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          tolerations,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate', 'hybrid'] }] }] } } },
          containers: [{ name, image, resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } } }],
        },
      },
    },
    status: { desiredNumberScheduled: status.desired, currentNumberScheduled: status.desired, numberReady: status.ready, numberAvailable: status.ready, updatedNumberScheduled: status.desired, numberMisscheduled: 0, observedGeneration: 4 },
  }, { labels });
}

function cloudwatch(): K8sObject[] {
  const labels = { 'app.kubernetes.io/name': 'amazon-cloudwatch-observability', 'app.kubernetes.io/managed-by': 'EKS' };
  return [
    ns('amazon-cloudwatch'),
    obj('apps/v1', 'Deployment', 'amazon-cloudwatch-observability-controller-manager', 'amazon-cloudwatch', {
      spec: { replicas: 1, selector: { matchLabels: { ...labels, 'control-plane': 'controller-manager' } }, template: { metadata: { labels: { ...labels, 'control-plane': 'controller-manager' } }, spec: { serviceAccountName: 'amazon-cloudwatch-observability-controller-manager', containers: [{ name: 'manager', image: `602401143452.dkr.ecr.${R}.amazonaws.com/cloudwatch-agent-operator:2.6.0` }] } } },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    }, { labels: { ...labels, 'control-plane': 'controller-manager' } }),
    obj('cloudwatch.aws.amazon.com/v1alpha1', 'AmazonCloudWatchAgent', 'cloudwatch-agent', 'amazon-cloudwatch', { spec: { mode: 'daemonset', serviceAccount: 'cloudwatch-agent' } }),
    daemonSet('cloudwatch-agent', 'amazon-cloudwatch', `602401143452.dkr.ecr.${R}.amazonaws.com/cloudwatch-agent:1.300050.0b1056`, { 'app.kubernetes.io/name': 'cloudwatch-agent', 'app.kubernetes.io/component': 'amazon-cloudwatch-agent' }, { desired: 3, ready: 3 }),
    daemonSet('fluent-bit', 'amazon-cloudwatch', `602401143452.dkr.ecr.${R}.amazonaws.com/aws-for-fluent-bit:2.32.5`, { 'k8s-app': 'fluent-bit', 'app.kubernetes.io/name': 'fluent-bit' }, { desired: 3, ready: 3 }),
  ];
}

function falco(now: Date): K8sObject[] {
  const labels = { 'app.kubernetes.io/name': 'falco', 'app.kubernetes.io/instance': 'falco' };
  // Tolerates control-plane style taints only, not Karpenter's dedicated-workload taint: the c7g node gets no Falco.
  const ds = daemonSet('falco', 'falco', 'docker.io/falcosecurity/falco:0.42.1', labels, { desired: 2, ready: 2 },
    [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
  const pods = NODES.slice(0, 2).map((node, i) => owned(obj('v1', 'Pod', `falco-${['7x2kq', 'm4p9d'][i]}`, 'falco', {
    spec: { nodeName: node, serviceAccountName: 'falco', containers: [{ name: 'falco', image: 'docker.io/falcosecurity/falco:0.42.1', securityContext: { privileged: true } }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(now, 12) }], containerStatuses: [{ name: 'falco', ready: true, restartCount: 0, image: 'docker.io/falcosecurity/falco:0.42.1', imageID: 'docker.io/falcosecurity/falco@sha256:5a1c0e7d9b3f2a4c6e8d0b1a3c5e7f9d2b4a6c8e0f1d3b5a7c9e2f4d6b8a0c1e3' }] },
  }, { labels }), ds));
  const skLabels = { 'app.kubernetes.io/name': 'falcosidekick', 'app.kubernetes.io/instance': 'falco' };
  return [
    ns('falco', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
    ds, ...pods,
    obj('apps/v1', 'Deployment', 'falco-falcosidekick', 'falco', {
      spec: {
        replicas: 2, selector: { matchLabels: skLabels },
        template: { metadata: { labels: skLabels }, spec: { containers: [{ name: 'falcosidekick', image: 'docker.io/falcosecurity/falcosidekick:2.31.1', env: [{ name: 'AWS_SECURITYLAKE_REGION', value: R }, { name: 'SLACK_MINIMUMPRIORITY', value: 'warning' }] }] } },
      },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    }, { labels: skLabels }),
  ];
}

function guardDutyAgent(): K8sObject[] {
  return [
    ns('amazon-guardduty'),
    daemonSet('aws-guardduty-agent', 'amazon-guardduty', `602401143452.dkr.ecr.${R}.amazonaws.com/aws-guardduty-agent:v1.8.1`, { 'app.kubernetes.io/name': 'aws-guardduty-agent' }, { desired: 3, ready: 3 }),
  ];
}

export function objects(now: Date): K8sObject[] {
  return [...cloudwatch(), ...falco(now), ...guardDutyAgent()];
}

// ───────────────────────── AWS facts ─────────────────────────

function logsFacts(now: Date): AwsFact[] {
  const group = (name: string, days: number | undefined, kms?: string, filters = 0) => ({
    logGroupName: name, creationTime: Date.parse(ago(now, 690)), ...(days !== undefined ? { retentionInDays: days } : {}), metricFilterCount: filters,
    arn: `arn:aws:logs:${R}:${A}:log-group:${name}:*`, logGroupArn: `arn:aws:logs:${R}:${A}:log-group:${name}`, storedBytes: 48_392_117_304, logGroupClass: 'STANDARD',
    ...(kms ? { kmsKeyId: kms } : {}),
  });
  const kms = `arn:aws:kms:${R}:${A}:key/0c1d2e3f-logs-4a5b-8c9d-0e1f2a3b4c5d`;
  const filter = (groupName: string, name: string, pattern: string, metric: string) => ({
    filterName: name, filterPattern: pattern, logGroupName: groupName, creationTime: Date.parse(ago(now, 200)),
    metricTransformations: [{ metricName: metric, metricNamespace: 'Security/EKS', metricValue: '1', defaultValue: 0 }],
  });
  return [
    fact('logs', 'DescribeLogGroups', { logGroups: [group(EKS_GROUP, 365, kms, 4)] }, { logGroupNamePrefix: EKS_GROUP }),
    fact('logs', 'DescribeLogGroups', { logGroups: [group(`/aws/containerinsights/${C}/application`, 30), group(`/aws/containerinsights/${C}/dataplane`, 30), group(`/aws/containerinsights/${C}/host`, 30), group(`/aws/containerinsights/${C}/performance`, 30)] }, { logGroupNamePrefix: `/aws/containerinsights/${C}/` }),
    fact('logs', 'DescribeMetricFilters', {
      metricFilters: [
        filter(EKS_GROUP, 'eks-anonymous-requests', '{ $.user.username = "system:anonymous" }', 'EksAnonymousRequests'),
        filter(EKS_GROUP, 'eks-authorization-failures', '{ $.responseStatus.code = 403 }', 'EksForbiddenRequests'),
        filter(EKS_GROUP, 'eks-rbac-changes', '{ ($.objectRef.resource = "clusterrolebindings" || $.objectRef.resource = "rolebindings") && ($.verb = "create" || $.verb = "update" || $.verb = "patch" || $.verb = "delete") }', 'EksRbacChanges'),
        filter(EKS_GROUP, 'eks-exec-into-pods', '{ $.objectRef.subresource = "exec" }', 'EksPodExec'),
      ],
    }, { logGroupName: EKS_GROUP }),
    fact('logs', 'DescribeMetricFilters', {
      metricFilters: [
        { ...filter(TRAIL_GROUP, 'unauthorized-api-calls', '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', 'UnauthorizedAPICalls'), metricTransformations: [{ metricName: 'UnauthorizedAPICalls', metricNamespace: 'Security/CloudTrail', metricValue: '1', defaultValue: 0 }] },
        { ...filter(TRAIL_GROUP, 'cloudtrail-config-changes', '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }', 'CloudTrailChanges'), metricTransformations: [{ metricName: 'CloudTrailChanges', metricNamespace: 'Security/CloudTrail', metricValue: '1', defaultValue: 0 }] },
      ],
    }, { logGroupName: TRAIL_GROUP }),
  ];
}

function cloudtrailFacts(now: Date): AwsFact[] {
  return [
    fact('cloudtrail', 'DescribeTrails', {
      trailList: [{
        Name: 'acme-management-events', S3BucketName: `acme-cloudtrail-${A}`, S3KeyPrefix: 'management', IncludeGlobalServiceEvents: true, IsMultiRegionTrail: true,
        HomeRegion: R, TrailARN: TRAIL, LogFileValidationEnabled: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:${R}:${A}:log-group:${TRAIL_GROUP}:*`, CloudWatchLogsRoleArn: `arn:aws:iam::${A}:role/CloudTrailRoleForCloudWatchLogs`,
        HasCustomEventSelectors: true, HasInsightSelectors: false, IsOrganizationTrail: false,
      }],
    }, { includeShadowTrails: true }),
    fact('cloudtrail', 'GetTrailStatus', {
      IsLogging: true, LatestDeliveryTime: ago(now, 0, 0.1), StartLoggingTime: ago(now, 690), LatestCloudWatchLogsDeliveryTime: ago(now, 0, 0.1),
      LatestDigestDeliveryTime: ago(now, 0, 1), LatestDeliveryAttemptTime: ago(now, 0, 0.1), LatestDeliveryAttemptSucceeded: ago(now, 0, 0.1), TimeLoggingStarted: ago(now, 690),
    }, { Name: TRAIL }),
    fact('cloudtrail', 'GetEventSelectors', {
      TrailARN: TRAIL,
      AdvancedEventSelectors: [
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        { Name: 'S3 data events for the evidence bucket', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }, { Field: 'resources.ARN', StartsWith: [`arn:aws:s3:::acme-soc2-evidence-${A}/`] }] },
      ],
    }, { TrailName: TRAIL }),
  ];
}

function networkAndMetrics(now: Date): AwsFact[] {
  const m = (name: string, dims: Record<string, string> = {}) => ({ Namespace: 'ContainerInsights', MetricName: name, Dimensions: [{ Name: 'ClusterName', Value: C }, ...Object.entries(dims).map(([Name, Value]) => ({ Name, Value }))] });
  return [
    fact('ec2', 'DescribeFlowLogs', {
      FlowLogs: [{
        CreationTime: ago(now, 680), DeliverLogsPermissionArn: `arn:aws:iam::${A}:role/vpc-flow-logs`, DeliverLogsStatus: 'SUCCESS', FlowLogId: 'fl-0a9b8c7d6e5f40312',
        FlowLogStatus: 'ACTIVE', LogGroupName: `/vpc/flow-logs/${C}`, ResourceId: DEMO.vpcId, TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs',
        LogDestination: `arn:aws:logs:${R}:${A}:log-group:/vpc/flow-logs/${C}`, MaxAggregationInterval: 60,
        LogFormat: '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${pkt-srcaddr} ${pkt-dstaddr}',
        Tags: [{ Key: 'cluster', Value: C }],
      }],
    }, { Filters: [{ Name: 'resource-id', Values: [DEMO.vpcId, 'subnet-0private1a000001', 'subnet-0private1b000002', 'subnet-0private1c000003'] }] }),
    fact('cloudwatch', 'ListMetrics', {
      Metrics: [
        m('cluster_node_count'), m('cluster_failed_node_count'), m('node_cpu_utilization'), m('node_memory_utilization'), m('node_filesystem_utilization'),
        m('pod_cpu_utilization', { Namespace: 'payments', PodName: 'payments-api' }), m('pod_memory_utilization', { Namespace: 'payments', PodName: 'payments-api' }),
        m('pod_number_of_container_restarts', { Namespace: 'storefront', PodName: 'web' }), m('namespace_number_of_running_pods', { Namespace: 'legacy' }),
      ],
    }, { Namespace: 'ContainerInsights', Dimensions: [{ Name: 'ClusterName', Value: C }] }),
  ];
}

function alarmsAndDashboards(now: Date): AwsFact[] {
  const alarm = (name: string, metric: string, namespace: string, threshold = 1) => ({
    AlarmName: name, AlarmArn: `arn:aws:cloudwatch:${R}:${A}:alarm:${name}`, AlarmDescription: `Security alarm for ${metric}`,
    AlarmConfigurationUpdatedTimestamp: ago(now, 150), ActionsEnabled: true, OKActions: [], AlarmActions: [SNS], InsufficientDataActions: [],
    StateValue: 'OK', StateReason: 'Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (1.0).', StateUpdatedTimestamp: ago(now, 2),
    MetricName: metric, Namespace: namespace, Statistic: 'Sum', Dimensions: [], Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
  });
  const body = (widgets: { title: string; metrics: unknown[][] }[]) => JSON.stringify({
    widgets: widgets.map((w, i) => ({ type: 'metric', x: (i % 2) * 12, y: Math.floor(i / 2) * 6, width: 12, height: 6, properties: { title: w.title, region: R, stat: 'Sum', period: 300, view: 'timeSeries', metrics: w.metrics } })),
  });
  return [
    fact('cloudwatch', 'DescribeAlarms', {
      MetricAlarms: [
        alarm('eks-anonymous-requests', 'EksAnonymousRequests', 'Security/EKS'),
        alarm('eks-authorization-failures', 'EksForbiddenRequests', 'Security/EKS', 20),
        alarm('eks-rbac-changes', 'EksRbacChanges', 'Security/EKS'),
        alarm('eks-exec-into-pods', 'EksPodExec', 'Security/EKS'),
        alarm('unauthorized-api-calls', 'UnauthorizedAPICalls', 'Security/CloudTrail', 5),
        alarm('cloudtrail-config-changes', 'CloudTrailChanges', 'Security/CloudTrail'),
        { ...alarm('acme-prod-node-cpu-high', 'node_cpu_utilization', 'ContainerInsights', 85), Statistic: 'Average', Dimensions: [{ Name: 'ClusterName', Value: C }], AlarmActions: [`arn:aws:sns:${R}:${A}:platform-oncall`] },
      ],
      CompositeAlarms: [],
    }),
    fact('cloudwatch', 'ListDashboards', {
      DashboardEntries: [
        { DashboardName: `${C}-security`, DashboardArn: `arn:aws:cloudwatch::${A}:dashboard/${C}-security`, LastModified: ago(now, 12), Size: 3120 },
        { DashboardName: `${C}-capacity`, DashboardArn: `arn:aws:cloudwatch::${A}:dashboard/${C}-capacity`, LastModified: ago(now, 40), Size: 2630 },
        { DashboardName: 'billing-overview', DashboardArn: `arn:aws:cloudwatch::${A}:dashboard/billing-overview`, LastModified: ago(now, 90), Size: 910 },
      ],
    }),
    fact('cloudwatch', 'GetDashboard', {
      DashboardName: `${C}-security`, DashboardArn: `arn:aws:cloudwatch::${A}:dashboard/${C}-security`,
      DashboardBody: body([
        { title: 'Anonymous and forbidden API requests', metrics: [['Security/EKS', 'EksAnonymousRequests'], ['Security/EKS', 'EksForbiddenRequests']] },
        { title: 'RBAC changes and exec into pods', metrics: [['Security/EKS', 'EksRbacChanges'], ['Security/EKS', 'EksPodExec']] },
        { title: 'Unauthorized AWS API calls', metrics: [['Security/CloudTrail', 'UnauthorizedAPICalls']] },
      ]),
    }, { DashboardName: `${C}-security` }),
    fact('cloudwatch', 'GetDashboard', {
      DashboardName: `${C}-capacity`, DashboardArn: `arn:aws:cloudwatch::${A}:dashboard/${C}-capacity`,
      DashboardBody: body([{ title: 'Node CPU', metrics: [['ContainerInsights', 'node_cpu_utilization', 'ClusterName', C]] }, { title: 'Failed nodes', metrics: [['ContainerInsights', 'cluster_failed_node_count', 'ClusterName', C]] }]),
    }, { DashboardName: `${C}-capacity` }),
    fact('cloudwatch', 'GetDashboard', {
      DashboardName: 'billing-overview', DashboardArn: `arn:aws:cloudwatch::${A}:dashboard/billing-overview`,
      DashboardBody: body([{ title: 'Estimated charges', metrics: [['AWS/Billing', 'EstimatedCharges', 'Currency', 'USD']] }]),
    }, { DashboardName: 'billing-overview' }),
    fact('grafana', 'ListWorkspaces', {
      workspaces: [{
        id: 'g-4f2a9c1e7b', name: 'acme-observability', description: 'SOC and platform dashboards', status: 'ACTIVE', endpoint: 'g-4f2a9c1e7b.grafana-workspace.eu-west-1.amazonaws.com',
        grafanaVersion: '10.4', created: ago(now, 400), modified: ago(now, 20), notificationDestinations: ['SNS'], authentication: { providers: ['AWS_SSO'] }, licenseType: 'ENTERPRISE_FREE_TRIAL', tags: { team: 'soc' },
      }],
    }),
  ];
}

function guardDutyAndSecurityHub(now: Date): AwsFact[] {
  const detectorId = '6ab6e6ee780ed494f3b7ca56acdc74df';
  const FSBP = `arn:aws:securityhub:${R}::standards/aws-foundational-security-best-practices/v/1.0.0`;
  const CIS = `arn:aws:securityhub:${R}::standards/cis-aws-foundations-benchmark/v/3.0.0`;
  const controlTitles: Record<string, string> = {
    'EKS.1': 'EKS cluster endpoints should not be publicly accessible',
    'EKS.2': 'EKS clusters should run on a supported Kubernetes version',
    'EKS.3': 'EKS clusters should use encrypted Kubernetes secrets',
    'EKS.8': 'EKS clusters should have audit logging enabled',
  };
  return [
    fact('guardduty', 'ListDetectors', { DetectorIds: [detectorId] }),
    fact('guardduty', 'GetDetector', {
      CreatedAt: ago(now, 700), FindingPublishingFrequency: 'FIFTEEN_MINUTES', ServiceRole: `arn:aws:iam::${A}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      Status: 'ENABLED', UpdatedAt: ago(now, 60), Tags: {},
      Features: [
        { Name: 'CLOUD_TRAIL', Status: 'ENABLED', UpdatedAt: ago(now, 700) },
        { Name: 'DNS_LOGS', Status: 'ENABLED', UpdatedAt: ago(now, 700) },
        { Name: 'FLOW_LOGS', Status: 'ENABLED', UpdatedAt: ago(now, 700) },
        { Name: 'S3_DATA_EVENTS', Status: 'ENABLED', UpdatedAt: ago(now, 500) },
        { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED', UpdatedAt: ago(now, 500) },
        { Name: 'EBS_MALWARE_PROTECTION', Status: 'DISABLED', UpdatedAt: ago(now, 500) },
        { Name: 'RDS_LOGIN_EVENTS', Status: 'DISABLED', UpdatedAt: ago(now, 500) },
        { Name: 'EKS_RUNTIME_MONITORING', Status: 'DISABLED', UpdatedAt: ago(now, 60), AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'DISABLED', UpdatedAt: ago(now, 60) }] },
        { Name: 'LAMBDA_NETWORK_LOGS', Status: 'DISABLED', UpdatedAt: ago(now, 500) },
        { Name: 'RUNTIME_MONITORING', Status: 'ENABLED', UpdatedAt: ago(now, 60), AdditionalConfiguration: [
          { Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED', UpdatedAt: ago(now, 60) },
          { Name: 'ECS_FARGATE_AGENT_MANAGEMENT', Status: 'DISABLED', UpdatedAt: ago(now, 60) },
          { Name: 'EC2_AGENT_MANAGEMENT', Status: 'DISABLED', UpdatedAt: ago(now, 60) },
        ] },
      ],
    }, { DetectorId: detectorId }),
    fact('guardduty', 'ListCoverage', {
      Resources: [{
        ResourceId: C, DetectorId: detectorId, AccountId: A, CoverageStatus: 'HEALTHY', UpdatedAt: ago(now, 0, 1),
        ResourceDetails: { ResourceType: 'EKS', EksClusterDetails: { ClusterName: C, CoveredNodes: 3, CompatibleNodes: 3, AddonDetails: { AddonVersion: 'v1.8.1-eksbuild.2', AddonStatus: 'ACTIVE' }, ManagementType: 'AUTO_MANAGED' } },
      }],
    }, { DetectorId: detectorId, FilterCriteria: { FilterCriterion: [{ CriterionKey: 'EKS_CLUSTER_NAME', FilterCondition: { Equals: [C] } }] } }),
    fact('securityhub', 'DescribeHub', { HubArn: `arn:aws:securityhub:${R}:${A}:hub/default`, SubscribedAt: ago(now, 650), AutoEnableControls: true, ControlFindingGenerator: 'SECURITY_CONTROL' }),
    fact('securityhub', 'GetEnabledStandards', {
      StandardsSubscriptions: [
        { StandardsSubscriptionArn: `arn:aws:securityhub:${R}:${A}:subscription/aws-foundational-security-best-practices/v/1.0.0`, StandardsArn: FSBP, StandardsInput: {}, StandardsStatus: 'READY', StandardsControlsUpdatable: 'READY_FOR_UPDATES' },
        { StandardsSubscriptionArn: `arn:aws:securityhub:${R}:${A}:subscription/cis-aws-foundations-benchmark/v/3.0.0`, StandardsArn: CIS, StandardsInput: {}, StandardsStatus: 'READY', StandardsControlsUpdatable: 'READY_FOR_UPDATES' },
      ],
    }),
    ...Object.entries(controlTitles).map(([id, title]) => fact('securityhub', 'ListStandardsControlAssociations', {
      StandardsControlAssociationSummaries: [{
        StandardsArn: FSBP, SecurityControlId: id, SecurityControlArn: `arn:aws:securityhub:${R}:${A}:security-control/${id}`, AssociationStatus: 'ENABLED',
        RelatedRequirements: ['NIST.800-53.r5 AC-3', 'NIST.800-53.r5 SC-7'], UpdatedAt: ago(now, 300), StandardsControlTitle: title,
      }],
    }, { SecurityControlId: id })),
    fact('securityhub', 'GetFindings', {
      Findings: [{
        SchemaVersion: '2018-10-08', Id: `arn:aws:guardduty:${R}:${A}:detector/${detectorId}/finding/d2c7b4e1a9f0`, ProductArn: `arn:aws:securityhub:${R}::product/aws/guardduty`,
        ProductName: 'GuardDuty', CompanyName: 'Amazon', GeneratorId: `arn:aws:guardduty:${R}:${A}:detector/${detectorId}`, AwsAccountId: A,
        Types: ['TTPs/Execution/Execution:Runtime-NewBinaryExecuted'], CreatedAt: ago(now, 6), UpdatedAt: ago(now, 6),
        Severity: { Label: 'MEDIUM', Normalized: 50 }, Title: 'A newly created or recently modified binary file has been executed in a container in the legacy namespace.',
        Description: 'A newly created binary was executed in pod debug-shell.', Resources: [{ Type: 'AwsEksCluster', Id: DEMO.arn, Partition: 'aws', Region: R }],
        RecordState: 'ACTIVE', Workflow: { Status: 'NOTIFIED' },
      }],
    }, { Filters: { ProductName: [{ Value: 'GuardDuty', Comparison: 'EQUALS' }], ResourceId: [{ Value: DEMO.arn, Comparison: 'EQUALS' }] } }),
  ];
}

export function facts(now: Date): AwsFact[] {
  return [...logsFacts(now), ...cloudtrailFacts(now), ...networkAndMetrics(now), ...alarmsAndDashboards(now), ...guardDutyAndSecurityHub(now)];
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  // DescribeStandardsControls is not needed once ListStandardsControlAssociations answers.
  return ['securityhub:DescribeStandardsControls'];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
  return {
    waivers: [],
    attestations: [
      {
        control: 'CC4-SEC-03',
        statement: 'The SOC reviewed the EKS audit-log and CloudTrail metric filters against the detection catalogue (anonymous access, 403 bursts, RBAC changes, exec into pods, unauthorized API calls, trail changes); every alarm pages the security on-call rota through SNS security-oncall.',
        attestedBy: 'soc-lead@acme.example', date: day(-20), evidence: 'https://wiki.acme.example/security/detections/eks-2026-q4', validUntil: day(70),
      },
    ],
  };
}
