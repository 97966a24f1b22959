import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GrafanaClient } from '@aws-sdk/client-grafana';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SignerClient } from '@aws-sdk/client-signer';
import { STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';

/** What the collector needs of an SDK client: `send` and the middleware stack (read-only guard). */
export interface SdkClient {
  send(command: unknown, options?: unknown): Promise<unknown>;
  middlewareStack: { add(mw: unknown, options: Record<string, unknown>): void };
  config: { region: () => Promise<string> };
  destroy(): void;
}

export type ClientCtor = new (config: Record<string, unknown>) => SdkClient;

export interface ServiceInfo {
  /** SDK v3 client class. */
  client: ClientCtor;
  /** Package name, for messages. */
  pkg: string;
  /** Human name for progress and docs. */
  title: string;
  /** Global services (IAM) are read once, not per region; facts carry no region. */
  global?: boolean;
  /** AWS CLI command name, when it differs from the IAM prefix (offline file names accept both). */
  cli?: string;
}

/** Every AWS service the collector reads, keyed by IAM service prefix (the prefix of evidence keys). */
export const SERVICES = {
  eks: { client: EKSClient as unknown as ClientCtor, pkg: '@aws-sdk/client-eks', title: 'Amazon EKS' },
  ecr: { client: ECRClient as unknown as ClientCtor, pkg: '@aws-sdk/client-ecr', title: 'Amazon ECR' },
  inspector2: { client: Inspector2Client as unknown as ClientCtor, pkg: '@aws-sdk/client-inspector2', title: 'Amazon Inspector' },
  signer: { client: SignerClient as unknown as ClientCtor, pkg: '@aws-sdk/client-signer', title: 'AWS Signer' },
  config: { client: ConfigServiceClient as unknown as ClientCtor, pkg: '@aws-sdk/client-config-service', title: 'AWS Config', cli: 'configservice' },
  cloudtrail: { client: CloudTrailClient as unknown as ClientCtor, pkg: '@aws-sdk/client-cloudtrail', title: 'AWS CloudTrail' },
  ec2: { client: EC2Client as unknown as ClientCtor, pkg: '@aws-sdk/client-ec2', title: 'Amazon EC2' },
  logs: { client: CloudWatchLogsClient as unknown as ClientCtor, pkg: '@aws-sdk/client-cloudwatch-logs', title: 'Amazon CloudWatch Logs' },
  cloudwatch: { client: CloudWatchClient as unknown as ClientCtor, pkg: '@aws-sdk/client-cloudwatch', title: 'Amazon CloudWatch' },
  grafana: { client: GrafanaClient as unknown as ClientCtor, pkg: '@aws-sdk/client-grafana', title: 'Amazon Managed Grafana' },
  guardduty: { client: GuardDutyClient as unknown as ClientCtor, pkg: '@aws-sdk/client-guardduty', title: 'Amazon GuardDuty' },
  securityhub: { client: SecurityHubClient as unknown as ClientCtor, pkg: '@aws-sdk/client-securityhub', title: 'AWS Security Hub' },
  iam: { client: IAMClient as unknown as ClientCtor, pkg: '@aws-sdk/client-iam', title: 'AWS IAM', global: true },
  elasticloadbalancing: { client: ElasticLoadBalancingV2Client as unknown as ClientCtor, pkg: '@aws-sdk/client-elastic-load-balancing-v2', title: 'Elastic Load Balancing', cli: 'elbv2' },
  wafv2: { client: WAFV2Client as unknown as ClientCtor, pkg: '@aws-sdk/client-wafv2', title: 'AWS WAF' },
  kms: { client: KMSClient as unknown as ClientCtor, pkg: '@aws-sdk/client-kms', title: 'AWS KMS' },
  secretsmanager: { client: SecretsManagerClient as unknown as ClientCtor, pkg: '@aws-sdk/client-secrets-manager', title: 'AWS Secrets Manager' },
  cloudformation: { client: CloudFormationClient as unknown as ClientCtor, pkg: '@aws-sdk/client-cloudformation', title: 'AWS CloudFormation' },
  codepipeline: { client: CodePipelineClient as unknown as ClientCtor, pkg: '@aws-sdk/client-codepipeline', title: 'AWS CodePipeline' },
  autoscaling: { client: AutoScalingClient as unknown as ClientCtor, pkg: '@aws-sdk/client-auto-scaling', title: 'Amazon EC2 Auto Scaling' },
  sts: { client: STSClient as unknown as ClientCtor, pkg: '@aws-sdk/client-sts', title: 'AWS STS' },
} satisfies Record<string, ServiceInfo>;

export type ServiceId = keyof typeof SERVICES;

export function isServiceId(s: string): s is ServiceId {
  return Object.hasOwn(SERVICES, s);
}

/** The service of an offline file name prefix: IAM prefix or AWS CLI command name (`elbv2`, `configservice`). */
export function serviceFromCliName(name: string): ServiceId | undefined {
  const n = name.toLowerCase();
  if (isServiceId(n)) return n;
  for (const [id, info] of Object.entries(SERVICES) as [ServiceId, ServiceInfo][]) if (info.cli === n) return id;
  if (n === 'cloudwatch-logs') return 'logs';
  if (n === 'elb' || n === 'elasticloadbalancingv2') return 'elasticloadbalancing';
  return undefined;
}
