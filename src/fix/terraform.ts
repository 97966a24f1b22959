import type { Finding, JsonValue } from '../model/index.js';
import type { FixOutcome } from './context.js';
import type { FileEdit } from './apply.js';
import { EditError } from './edit.js';
import { editHclBlock } from './hcl-edit.js';
import type { FixPlan, Risk, TfChange } from './types.js';

/**
 * Findings that come from Terraform (`resource.provider: 'terraform'`, `resource.kind` the resource
 * type, `resource.name` the address, `source` the block's file and line): the attribute change in the
 * resource block, shown as a diff of the `.tf` file (hcl-edit.ts), checked with the official HCL
 * parser. Findings from a plan or on a module call name the attribute to change instead.
 */
export interface AttributeFix {
  /** Terraform resource type the attribute belongs to. */
  type: string;
  /** Attribute path inside the block (`vpc_config.endpoint_private_access`). */
  attribute: string;
  value: JsonValue;
  risk: Risk;
}

export const TERRAFORM_ATTRIBUTES: Readonly<Record<string, readonly AttributeFix[]>> = {
  'CC4-MON-01/log-types-enabled': [{ type: 'aws_eks_cluster', attribute: 'enabled_cluster_log_types', value: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], risk: 'safe' }],
  'CC4-MON-01/log-group-retention': [{ type: 'aws_cloudwatch_log_group', attribute: 'retention_in_days', value: 365, risk: 'safe' }],
  'CC4-MON-02/multi-region-trail': [
    { type: 'aws_cloudtrail', attribute: 'is_multi_region_trail', value: true, risk: 'safe' },
    { type: 'aws_cloudtrail', attribute: 'enable_log_file_validation', value: true, risk: 'safe' },
    { type: 'aws_cloudtrail', attribute: 'enable_logging', value: true, risk: 'safe' },
  ],
  'P1-IAM-01/authentication-mode': [{ type: 'aws_eks_cluster', attribute: 'access_config.authentication_mode', value: 'API_AND_CONFIG_MAP', risk: 'review' }],
  'CC5-IAM-04/endpoint-private-access': [{ type: 'aws_eks_cluster', attribute: 'vpc_config.endpoint_private_access', value: true, risk: 'review' }],
  'CC9-ENC-01/key-rotation': [{ type: 'aws_kms_key', attribute: 'enable_key_rotation', value: true, risk: 'safe' }],
  'CC9-ENC-03/cmk-rotation': [{ type: 'aws_kms_key', attribute: 'enable_key_rotation', value: true, risk: 'safe' }],
  'CC9-ENC-01/key-usable': [{ type: 'aws_kms_key', attribute: 'is_enabled', value: true, risk: 'safe' }],
  'CC4-SEC-01/detector-enabled': [{ type: 'aws_guardduty_detector', attribute: 'enable', value: true, risk: 'safe' }],
  'P1-IAM-07/imds-v2': [{ type: 'aws_launch_template', attribute: 'metadata_options.http_tokens', value: 'required', risk: 'review' }],
  'P1-IAM-07/imds-hop-limit': [{ type: 'aws_launch_template', attribute: 'metadata_options.http_put_response_hop_limit', value: 1, risk: 'review' }],
};

const TF_CAUTIONS: Record<string, string> = {
  'CC5-IAM-04': 'inside the VPC the API server name resolves to private addresses: security groups must allow 443 from nodes and tools',
  'P1-IAM-07': 'pods that used the node role through IMDS lose it: move them to Pod Identity or IRSA first',
  'P1-IAM-01': 'one-way (CONFIG_MAP → API_AND_CONFIG_MAP → API): recreate the aws-auth mappings as access entries next',
};

export function isTerraform(f: Finding): boolean {
  return (f.resource.provider as string) === 'terraform';
}

/**
 * The attribute changes for a Terraform finding: an edit of the resource block when the finding
 * points at a `resource` block of a `.tf` file, else (a plan, a module call, an attribute not in the
 * table) a decision that names the attribute and the block.
 */
export function terraformFix(control: string, f: Finding): FixOutcome[] {
  const where = `${f.resource.name}${f.source ? ` (${f.source.file}:${f.source.line})` : ''}`;
  const attrs = (TERRAFORM_ATTRIBUTES[`${control}/${f.rule}`] ?? []).filter((a) => a.type === f.resource.kind);
  if (!attrs.length) return [{ type: 'decision', decide: `change ${where} so that ${f.rule} holds`, why: `no attribute change is known for ${f.resource.kind}: ${f.message}` }];
  const hcl = attrs.map((a) => `${a.attribute} = ${JSON.stringify(a.value)}`).join('; ');
  // `type.name` or `type.name[key]`: a resource block of this file (not a module call, not a plan).
  const m = /^([a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]*\])?$/.exec(f.resource.name);
  if (!f.source || !/\.tf$/.test(f.source.file) || !m || m[1] !== f.resource.kind) {
    return [{ type: 'decision', decide: `in ${where}, set ${hcl}`, why: f.source && /\.tf$/.test(f.source.file) ? 'the finding is on a module call: set the module input that drives this attribute' : 'the finding comes from a plan: change the .tf source that produced it', hint: hcl }];
  }
  const risk: Risk = attrs.some((a) => a.risk === 'review') ? 'review' : 'safe';
  return [{
    type: 'tf', risk, file: f.source.file, line: f.source.line, blockKind: 'resource', labels: [m[1]!, m[2]!],
    attributes: attrs.map((a) => ({ attribute: a.attribute, value: a.value })),
    summary: `${f.resource.name}: ${hcl}`,
    ...(risk === 'review' ? { caution: TF_CAUTIONS[control] ?? 'review the change with terraform plan' } : {}),
  }];
}

type Hcl2Json = { parse: (file: string, text: string) => Promise<Record<string, unknown>> };

/** The `.tf` edits of a plan: per file, every block's attributes set, re-parsed and compared before it is offered. */
export async function materialiseTerraform(plan: FixPlan, read: (file: string) => string | undefined): Promise<{ files: FileEdit[]; notes: string[] }> {
  const files: FileEdit[] = [];
  const notes: string[] = [];
  const byFile = new Map<string, TfChange[]>();
  for (const c of plan.tfChanges) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  if (byFile.size === 0) return { files, notes };
  const mod = (await import('@cdktn/hcl2json')) as unknown as Hcl2Json & { default?: Hcl2Json };
  const hcl = mod.default ?? mod;
  for (const [file, changes] of byFile) {
    const before = read(file);
    if (before === undefined) { notes.push(`${file}: could not be read again; its Terraform changes are listed as decisions`); addDecisions(plan, changes); continue; }
    try {
      // Bottom-up: an edit never moves the lines of the blocks above it.
      let text = before;
      for (const c of [...changes].sort((a, b) => b.line - a.line)) text = editHclBlock(text, c.line, c.blockKind, c.labels, c.attributes);
      const [was, now] = await Promise.all([hcl.parse(file, before), hcl.parse(file, text)]);
      const expected = JSON.parse(JSON.stringify(was)) as Record<string, unknown>;
      for (const c of changes) for (const a of c.attributes) setParsed(expected, c.labels, a.attribute, a.value);
      if (JSON.stringify(canonical(expected)) !== JSON.stringify(canonical(now))) throw new EditError('the edited file does not hold the intended values');
      files.push({ file, before, after: text, changes });
    } catch (err) {
      notes.push(`${file}: not edited (${(err as Error).message}); its Terraform changes are listed as decisions`);
      addDecisions(plan, changes);
    }
  }
  return { files, notes };
}

function addDecisions(plan: FixPlan, changes: readonly TfChange[]): void {
  for (const c of changes) plan.decisions.push({ control: c.control, rule: c.rule, resource: c.resource, ...(c.source ? { source: c.source } : {}), decide: `in ${c.resource.name} (${c.file}:${c.line}), set ${c.attributes.map((a) => `${a.attribute} = ${JSON.stringify(a.value)}`).join('; ')}`, why: 'the .tf file could not be edited safely' });
}

/** Set an attribute in hcl2json's form of a file (blocks are lists of objects). */
function setParsed(root: Record<string, unknown>, labels: readonly [string, string], attribute: string, value: JsonValue): void {
  const res = ((root.resource as Record<string, Record<string, unknown[]>>)[labels[0]]![labels[1]]![0]) as Record<string, unknown>;
  const path = attribute.split('.');
  let cur = res;
  for (const seg of path.slice(0, -1)) {
    const list = (cur[seg] ??= [{}]) as Record<string, unknown>[];
    cur = list[0]!;
  }
  cur[path[path.length - 1]!] = value;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)]));
  return v;
}
