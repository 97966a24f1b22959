import type { Finding, JsonValue } from '../model/index.js';
import type { FixOutcome } from './context.js';

/**
 * Findings that come from Terraform (`resource.provider: 'terraform'`, `resource.kind` the resource
 * type, `resource.name` the address, `source` the block's file and line — the contract of the
 * infrastructure-as-code input, issue 14). Until that input and an HCL editor are in, the fix is the
 * attribute to set, named exactly, at the block's file and line: reviewable, but not yet a `.tf` diff.
 * The table is the extension point the diff will use.
 */
export interface AttributeFix {
  /** Terraform resource type the attribute belongs to. */
  type: string;
  /** Attribute path inside the block (`vpc_config.endpoint_private_access`). */
  attribute: string;
  value: JsonValue;
}

export const TERRAFORM_ATTRIBUTES: Readonly<Record<string, readonly AttributeFix[]>> = {
  'CC4-MON-01/log-types-enabled': [{ type: 'aws_eks_cluster', attribute: 'enabled_cluster_log_types', value: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] }],
  'CC4-MON-01/log-group-retention': [{ type: 'aws_cloudwatch_log_group', attribute: 'retention_in_days', value: 365 }],
  'CC4-MON-02/multi-region-trail': [
    { type: 'aws_cloudtrail', attribute: 'is_multi_region_trail', value: true },
    { type: 'aws_cloudtrail', attribute: 'enable_log_file_validation', value: true },
    { type: 'aws_cloudtrail', attribute: 'enable_logging', value: true },
  ],
  'CC5-IAM-04/endpoint-private-access': [{ type: 'aws_eks_cluster', attribute: 'vpc_config.endpoint_private_access', value: true }],
  'CC9-ENC-01/key-rotation': [{ type: 'aws_kms_key', attribute: 'enable_key_rotation', value: true }],
  'CC9-ENC-01/key-usable': [{ type: 'aws_kms_key', attribute: 'is_enabled', value: true }],
  'CC4-SEC-01/detector-enabled': [{ type: 'aws_guardduty_detector', attribute: 'enable', value: true }],
  'P1-IAM-07/imds-v2': [{ type: 'aws_launch_template', attribute: 'metadata_options.http_tokens', value: 'required' }],
  'P1-IAM-07/imds-hop-limit': [{ type: 'aws_launch_template', attribute: 'metadata_options.http_put_response_hop_limit', value: 1 }],
  'CC3-RA-02/registry-scan-rule': [{ type: 'aws_ecr_registry_scanning_configuration', attribute: 'scan_type', value: 'ENHANCED' }],
};

export function isTerraform(f: Finding): boolean {
  return (f.resource.provider as string) === 'terraform';
}

/** The attribute changes for a Terraform finding, as a decision to apply in the named block. */
export function terraformFix(control: string, f: Finding): FixOutcome[] {
  const where = `${f.resource.name}${f.source ? ` (${f.source.file}:${f.source.line})` : ''}`;
  const attrs = (TERRAFORM_ATTRIBUTES[`${control}/${f.rule}`] ?? []).filter((a) => a.type === f.resource.kind);
  if (!attrs.length) return [{ type: 'decision', decide: `change ${where} so that ${f.rule} holds`, why: `no attribute change is known for ${f.resource.kind}: ${f.message}` }];
  const hcl = attrs.map((a) => `${a.attribute} = ${JSON.stringify(a.value)}`).join('; ');
  return [{ type: 'decision', decide: `in ${where}, set ${hcl}`, why: 'findings from Terraform are fixed in the .tf file (an automatic .tf diff is not available yet); apply it with terraform plan / apply', hint: hcl }];
}
