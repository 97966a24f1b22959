import type { JsonValue, ToolReport } from '../../model/index.js';

/**
 * Recognise security-tool reports among file inputs so they become evidence (`snapshot.tools`,
 * evidence key `tool:<name>`) instead of "not a Kubernetes object": kube-bench JSON
 * (`kube-bench --json`), Falco JSON events (`json_output: true`, one per line), Gatekeeper audit
 * log lines. AWS CLI output is recognised too, to point the user at `--aws-evidence`.
 */

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function isKubeBenchControl(v: unknown): boolean {
  return isRec(v) && typeof v.id === 'string' && typeof v.text === 'string' && Array.isArray(v.tests);
}

export type Detected = { tool: ToolReport } | { awsCli: string } | { other: string } | undefined;

/** Tool report or AWS CLI output in one decoded JSON/YAML value, if recognised. */
export function detectTool(value: unknown, file: string): Detected {
  if (Array.isArray(value) && value.length > 0 && value.every(isKubeBenchControl)) {
    return { tool: { tool: 'kube-bench', file, data: { Controls: value as JsonValue[] } } };
  }
  if (!isRec(value)) return undefined;
  if (Array.isArray(value.Controls) && (value.Controls.length === 0 || value.Controls.every(isKubeBenchControl))) {
    return { tool: { tool: 'kube-bench', file, data: value as { [k: string]: JsonValue } } };
  }
  if (typeof value.rule === 'string' && typeof value.priority === 'string' && typeof value.output === 'string') {
    return { tool: { tool: 'falco', file, data: [value as { [k: string]: JsonValue }] } };
  }
  if (value.process === 'audit' && typeof value.event_type === 'string' && typeof value.constraint_kind === 'string') {
    return { tool: { tool: 'gatekeeper-audit', file, data: [value as { [k: string]: JsonValue }] } };
  }
  const aws = awsCliShape(value);
  if (aws) return { awsCli: aws };
  if (typeof value.version === 'string' && Array.isArray(value.groups) && 'controls' in value) return { other: 'a kube-bench benchmark definition (cfg/), not a kube-bench result; run kube-bench with --json and pass its output' };
  return undefined;
}

/** The AWS CLI command whose output this looks like, or undefined. */
function awsCliShape(v: Rec): string | undefined {
  const cluster = v.cluster;
  if (isRec(cluster) && typeof cluster.arn === 'string' && cluster.arn.includes(':eks:')) return 'aws eks describe-cluster';
  if (Array.isArray(v.trailList)) return 'aws cloudtrail describe-trails';
  if (Array.isArray(v.FlowLogs)) return 'aws ec2 describe-flow-logs';
  if (typeof v.Status === 'string' && typeof v.FindingPublishingFrequency === 'string') return 'aws guardduty get-detector';
  if (Array.isArray(v.repositories)) return 'aws ecr describe-repositories';
  if (Array.isArray(v.SecurityGroupRules) || Array.isArray(v.SecurityGroups)) return 'aws ec2 describe-security-groups';
  if (Array.isArray(v.Reservations)) return 'aws ec2 describe-instances';
  return undefined;
}

/** Merge reports of the same tool and file (Falco/Gatekeeper logs arrive one event per line). */
export function mergeTools(reports: ToolReport[]): ToolReport[] {
  const out: ToolReport[] = [];
  const byKey = new Map<string, ToolReport>();
  for (const r of reports) {
    const key = `${r.tool}|${r.file ?? ''}`;
    const prev = byKey.get(key);
    if (prev && Array.isArray(prev.data) && Array.isArray(r.data)) {
      for (const x of r.data) prev.data.push(x);
    } else {
      byKey.set(key, r);
      out.push(r);
    }
  }
  return out;
}
