import { createHash } from 'node:crypto';

/**
 * Stand-ins for the ids AWS assigns at apply (ARNs, `sg-…`, key ids, the OIDC issuer). Terraform
 * links resources by reference, not by these values; giving each computed id one stable value
 * derived from the resource address, and resolving every reference to it to the same value, lets the
 * checks link facts (the cluster's key, its VPC's flow log) exactly as they do for AWS evidence.
 * They are shaped like the real values so that the checks' parsing works, and recorded so that
 * messages naming one show the address instead.
 */
export interface IdContext {
  partition: string;
  /** The provider's region when known. */
  region?: string;
  /** The account when the configuration names it (provider `allowed_account_ids`, an ARN literal). */
  accountId?: string;
  /** Every stand-in made, and the `address.attribute` it stands for. */
  placeholders: Map<string, string>;
}

export const UNKNOWN_ACCOUNT = '000000000000';
export const UNKNOWN_REGION = 'region-unknown';

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

function uuidOf(s: string): string {
  const h = hex(s, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The ARN-style prefix and id shape of the computed ids of each resource type. */
const SHAPES: Record<string, { service?: string; arn?: (id: string, name: string) => string; id?: (h: (n: number) => string, address: string) => string; global?: boolean }> = {
  aws_eks_cluster: { service: 'eks', arn: (_id, name) => `cluster/${name}` },
  aws_eks_node_group: { service: 'eks', arn: (id) => `nodegroup/${id}` },
  aws_eks_addon: { service: 'eks', arn: (id) => `addon/${id}` },
  aws_eks_access_entry: { service: 'eks', arn: (id) => `access-entry/${id}` },
  aws_eks_pod_identity_association: { service: 'eks', arn: (id) => `podidentityassociation/${id}`, id: (h) => `a-${h(17)}` },
  aws_kms_key: { service: 'kms', arn: (id) => `key/${id}`, id: (_h, a) => uuidOf(a) },
  aws_kms_alias: { service: 'kms', arn: (_id, name) => name },
  aws_security_group: { service: 'ec2', arn: (id) => `security-group/${id}`, id: (h) => `sg-${h(17)}` },
  aws_security_group_rule: { id: (h) => `sgrule-${h(17)}` },
  aws_vpc_security_group_ingress_rule: { service: 'ec2', arn: (id) => `security-group-rule/${id}`, id: (h) => `sgr-${h(17)}` },
  aws_vpc_security_group_egress_rule: { service: 'ec2', arn: (id) => `security-group-rule/${id}`, id: (h) => `sgr-${h(17)}` },
  aws_vpc: { service: 'ec2', arn: (id) => `vpc/${id}`, id: (h) => `vpc-${h(17)}` },
  aws_subnet: { service: 'ec2', arn: (id) => `subnet/${id}`, id: (h) => `subnet-${h(17)}` },
  aws_flow_log: { service: 'ec2', arn: (id) => `vpc-flow-log/${id}`, id: (h) => `fl-${h(17)}` },
  aws_launch_template: { service: 'ec2', arn: (id) => `launch-template/${id}`, id: (h) => `lt-${h(17)}` },
  aws_lb: { service: 'elasticloadbalancing', arn: (id, name) => `loadbalancer/app/${name}/${id}`, id: (h) => h(16) },
  aws_alb: { service: 'elasticloadbalancing', arn: (id, name) => `loadbalancer/app/${name}/${id}`, id: (h) => h(16) },
  aws_lb_listener: { service: 'elasticloadbalancing', arn: (id) => `listener/app/lb/${id}`, id: (h) => h(16) },
  aws_cloudtrail: { service: 'cloudtrail', arn: (_id, name) => `trail/${name}` },
  aws_cloudwatch_log_group: { service: 'logs', arn: (_id, name) => `log-group:${name}` },
  aws_guardduty_detector: { id: (h) => h(32) },
  aws_iam_role: { service: 'iam', global: true, arn: (_id, name) => `role/${name}` },
  aws_iam_policy: { service: 'iam', global: true, arn: (_id, name) => `policy/${name}` },
  aws_iam_openid_connect_provider: { service: 'iam', global: true, arn: (id) => `oidc-provider/${id}` },
  aws_securityhub_account: { service: 'securityhub', arn: () => 'hub/default' },
  aws_config_configuration_recorder: { service: 'config', arn: (id) => `config-recorder/${id}` },
  aws_config_config_rule: { service: 'config', arn: (id) => `config-rule/config-rule-${id}` },
  aws_ecr_repository: { service: 'ecr', arn: (_id, name) => `repository/${name}` },
  aws_s3_bucket: { service: 's3', global: true, arn: (_id, name) => name },
  aws_sns_topic: { service: 'sns', arn: (_id, name) => name },
  aws_wafv2_web_acl: { service: 'wafv2', arn: (id, name) => `regional/webacl/${name}/${id}`, id: (_h, a) => uuidOf(a) },
};

export class Ids {
  constructor(readonly ctx: IdContext) {}

  private remember(value: string, what: string): string {
    if (!this.ctx.placeholders.has(value)) this.ctx.placeholders.set(value, what);
    return value;
  }

  /** The stand-in id of a resource (`id` attribute) when AWS assigns it. */
  id(type: string, address: string, name?: string): string {
    const shape = SHAPES[type];
    const h = (n: number) => hex(address, n);
    if (shape?.id) return this.remember(shape.id(h, address), `${address}.id`);
    // Many ids are the name (clusters, log groups, trails, roles): a name that is known is the id.
    if (name) return name;
    return this.remember(`tf-${h(12)}`, `${address}.id`);
  }

  /** The stand-in ARN of a resource; `name` is its (known) name when the ARN is built from it. */
  arn(type: string, address: string, name?: string, region = this.ctx.region): string {
    const shape = SHAPES[type];
    const service = shape?.service ?? type.replace(/^aws_/, '').split('_')[0]!;
    const id = shape?.id ? this.id(type, address) : hex(address, 12);
    const resource = shape?.arn ? shape.arn(id, name ?? `tf-${hex(address, 8)}`) : `${type}/${id}`;
    const arn = `arn:${this.ctx.partition}:${service}:${shape?.global ? '' : region ?? UNKNOWN_REGION}:${this.ctx.accountId ?? UNKNOWN_ACCOUNT}:${resource}`;
    return name && this.ctx.accountId && region ? arn : this.remember(arn, `${address}.arn`);
  }

  /** Any other computed value that links resources (the OIDC issuer, the cluster security group). */
  value(address: string, attr: string, make: (h: (n: number) => string) => string): string {
    return this.remember(make((n) => hex(`${address}.${attr}`, n)), `${address}.${attr}`);
  }

  oidcIssuer(address: string, region = this.ctx.region): string {
    return this.value(address, 'identity[0].oidc[0].issuer', (h) => `https://oidc.eks.${region ?? UNKNOWN_REGION}.amazonaws.com/id/${h(32).toUpperCase()}`);
  }

  clusterSecurityGroup(address: string): string {
    return this.value(address, 'vpc_config[0].cluster_security_group_id', (h) => `sg-${h(17)}`);
  }
}
