import type { AwsFact, Evidence, JsonObject, ResourceRef } from '../../model/index.js';
import type { Addon, Cluster, Nodegroup } from '@aws-sdk/client-eks';

/**
 * Typed access to AWS facts. A fact's `output` is the AWS SDK for JavaScript v3 output of the
 * operation (paginated operations: all pages merged, list members concatenated), with timestamps as
 * ISO strings; `params` is the SDK request input minus pagination members. Checks identify a
 * resource from the output when the output names it, and from `params` (SDK input member names)
 * otherwise — offline evidence (`--aws-evidence`) may carry no params for operations whose output
 * names the resource.
 *
 * The SDK types are used for shape only: dates are strings at run time (use `toTime`).
 */

export function out<T = JsonObject>(f: AwsFact | undefined): T | undefined {
  return f ? (f.output as unknown as T) : undefined;
}

/** Epoch milliseconds of an SDK date (Date, ISO string, or epoch seconds as the JSON protocol sends). */
export function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** The cluster from `eks:DescribeCluster` (the one named in the snapshot identity when several). */
export function describeCluster(ev: Evidence, name?: string): Cluster | undefined {
  const facts = ev.aws('eks:DescribeCluster');
  const pick = (name ? facts.find((f) => out<{ cluster?: Cluster }>(f)?.cluster?.name === name) : undefined) ?? facts[0];
  return out<{ cluster?: Cluster }>(pick)?.cluster;
}

/** Add-on names from `eks:ListAddons`. */
export function addonNames(ev: Evidence): string[] {
  return ev.aws('eks:ListAddons').flatMap((f) => out<{ addons?: string[] }>(f)?.addons ?? []);
}

/** One add-on from `eks:DescribeAddon`. */
export function describeAddon(ev: Evidence, addonName: string): Addon | undefined {
  for (const f of ev.aws('eks:DescribeAddon')) {
    const a = out<{ addon?: Addon }>(f)?.addon;
    if (a?.addonName === addonName) return a;
  }
  return undefined;
}

/** Managed node groups from `eks:DescribeNodegroup`. */
export function nodegroups(ev: Evidence): Nodegroup[] {
  return ev.aws('eks:DescribeNodegroup').map((f) => out<{ nodegroup?: Nodegroup }>(f)?.nodegroup).filter((n): n is Nodegroup => Boolean(n));
}

/** A ResourceRef for an AWS resource; `kind` is the CloudFormation type (AWS::EKS::Cluster). */
export function awsRef(kind: string, name: string, extra: { arn?: string | undefined; region?: string | undefined; accountId?: string | undefined } = {}): ResourceRef {
  return {
    provider: 'aws', kind, name,
    ...(extra.arn ? { arn: extra.arn } : {}),
    ...(extra.region ? { region: extra.region } : {}),
    ...(extra.accountId ? { accountId: extra.accountId } : {}),
  };
}

/** ResourceRef of the EKS cluster itself. */
export function clusterRef(c: Cluster | undefined, fallbackName = 'cluster'): ResourceRef {
  const arn = c?.arn;
  const m = arn ? /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):/.exec(arn) : null;
  return awsRef('AWS::EKS::Cluster', c?.name ?? fallbackName, { arn, region: m?.[1], accountId: m?.[2] });
}
