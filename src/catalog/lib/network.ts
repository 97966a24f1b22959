import type { Evidence, K8sObject } from '../../model/index.js';
import type { Cluster } from '@aws-sdk/client-eks';
import type {
  Instance, LaunchTemplateVersion, NatGateway, Reservation, RouteTable, SecurityGroup, SecurityGroupRule, Subnet, Vpc,
} from '@aws-sdk/client-ec2';
import type { LoadBalancer, TagDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { computeType } from './addons.js';
import { clusterRef, out } from './aws.js';
import { arr, podTemplate } from './workloads.js';
import type { PodSpec, Workload } from './workloads.js';

/**
 * Network evidence shared by the CC6 network controls and CC9-ENC-04: EC2 instances, subnets,
 * route tables, security-group rules, load balancers and the Kubernetes objects that front them.
 * Every function here reads only the evidence its caller passes in or names in its doc comment;
 * the calling control must declare those keys.
 */

/** Region and account of the cluster (from its ARN), for AWS resource refs. */
export function clusterLocation(c: Cluster | undefined): { region?: string; accountId?: string } {
  const r = clusterRef(c);
  return { ...(r.region ? { region: r.region } : {}), ...(r.accountId ? { accountId: r.accountId } : {}) };
}

/** A short, comma-separated list for messages ("a, b and 3 more"). */
export function shortList(items: readonly string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

// ---------------------------------------------------------------- nodes and instances

/** EC2 instance id from a node's `spec.providerID` (`aws:///eu-west-1a/i-0123…`). */
export function instanceIdOf(node: K8sObject): string | undefined {
  const id = (node.spec as { providerID?: unknown } | undefined)?.providerID;
  if (typeof id !== 'string') return undefined;
  const m = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(id);
  return m?.[1];
}

/** Every instance in `ec2:DescribeInstances` facts (reservations flattened), by instance id. */
export function instancesById(ev: Evidence): Map<string, Instance> {
  const map = new Map<string, Instance>();
  for (const f of ev.aws('ec2:DescribeInstances')) {
    for (const r of arr<Reservation>(out<{ Reservations?: Reservation[] }>(f)?.Reservations)) {
      for (const i of arr<Instance>(r.Instances)) if (i.InstanceId) map.set(i.InstanceId, i);
    }
  }
  return map;
}

/** Public IPv4 addresses of an instance (primary and on any attached interface). */
export function publicIps(i: Instance): string[] {
  const ips = new Set<string>();
  if (i.PublicIpAddress) ips.add(i.PublicIpAddress);
  for (const n of arr<NonNullable<Instance['NetworkInterfaces']>[number]>(i.NetworkInterfaces)) {
    if (n.Association?.PublicIp) ips.add(n.Association.PublicIp);
  }
  return [...ips];
}

/** True when the node runs on EC2 Auto Mode or the cluster has Auto Mode compute enabled. */
export function isAutoMode(cluster: Cluster | undefined, nodes: readonly K8sObject[]): boolean {
  if (cluster?.computeConfig?.enabled === true) return true;
  return nodes.length > 0 && nodes.every((n) => computeType(n) === 'auto');
}

// ---------------------------------------------------------------- subnets and routes

export function subnetsById(ev: Evidence): Map<string, Subnet> {
  const map = new Map<string, Subnet>();
  for (const f of ev.aws('ec2:DescribeSubnets')) for (const s of arr<Subnet>(out<{ Subnets?: Subnet[] }>(f)?.Subnets)) if (s.SubnetId) map.set(s.SubnetId, s);
  return map;
}

export function routeTables(ev: Evidence): RouteTable[] {
  return ev.aws('ec2:DescribeRouteTables').flatMap((f) => arr<RouteTable>(out<{ RouteTables?: RouteTable[] }>(f)?.RouteTables));
}

export function natGateways(ev: Evidence): Map<string, NatGateway> {
  const map = new Map<string, NatGateway>();
  for (const f of ev.aws('ec2:DescribeNatGateways')) for (const n of arr<NatGateway>(out<{ NatGateways?: NatGateway[] }>(f)?.NatGateways)) if (n.NatGatewayId) map.set(n.NatGatewayId, n);
  return map;
}

/**
 * The route table that governs a subnet: the one explicitly associated with it, else the main
 * table of its VPC (when the VPC is known).
 */
export function routeTableFor(tables: readonly RouteTable[], subnetId: string, vpcId: string | undefined): { table: RouteTable; implicit: boolean } | undefined {
  const explicit = tables.find((t) => arr<{ SubnetId?: string }>(t.Associations).some((a) => a.SubnetId === subnetId));
  if (explicit) return { table: explicit, implicit: false };
  const main = tables.find((t) => (!vpcId || t.VpcId === vpcId) && arr<{ Main?: boolean }>(t.Associations).some((a) => a.Main === true));
  return main ? { table: main, implicit: true } : undefined;
}

export type EgressKind = 'igw' | 'nat' | 'tgw' | 'eigw' | 'nat-instance' | 'peering' | 'other' | 'none';

export interface DefaultRoute {
  /** How the IPv4 default route (0.0.0.0/0) leaves the subnet. */
  ipv4: EgressKind;
  ipv4Target?: string;
  /** How the IPv6 default route (::/0) leaves the subnet. */
  ipv6: EgressKind;
  ipv6Target?: string;
  /** A route with state `blackhole` for a default destination. */
  blackhole: boolean;
}

type AnyRoute = NonNullable<RouteTable['Routes']>[number];

function routeKind(r: AnyRoute): { kind: EgressKind; target?: string } {
  const gw = r.GatewayId ?? '';
  if (gw.startsWith('igw-')) return { kind: 'igw', target: gw };
  if (r.NatGatewayId) return { kind: 'nat', target: r.NatGatewayId };
  if (r.TransitGatewayId) return { kind: 'tgw', target: r.TransitGatewayId };
  if (r.EgressOnlyInternetGatewayId) return { kind: 'eigw', target: r.EgressOnlyInternetGatewayId };
  if (r.InstanceId || r.NetworkInterfaceId) return { kind: 'nat-instance', target: r.InstanceId ?? r.NetworkInterfaceId };
  if (r.VpcPeeringConnectionId) return { kind: 'peering', target: r.VpcPeeringConnectionId };
  const other = gw || r.CoreNetworkArn || r.LocalGatewayId || r.CarrierGatewayId;
  return { kind: 'other', ...(other ? { target: other } : {}) };
}

/** Where the default routes of a route table point. */
export function defaultRoute(table: RouteTable): DefaultRoute {
  const res: DefaultRoute = { ipv4: 'none', ipv6: 'none', blackhole: false };
  for (const r of arr<AnyRoute>(table.Routes)) {
    const v4 = r.DestinationCidrBlock === '0.0.0.0/0';
    const v6 = r.DestinationIpv6CidrBlock === '::/0';
    if (!v4 && !v6) continue;
    if (r.State === 'blackhole') { res.blackhole = true; continue; }
    const k = routeKind(r);
    if (v4) { res.ipv4 = k.kind; if (k.target) res.ipv4Target = k.target; }
    if (v6) { res.ipv6 = k.kind; if (k.target) res.ipv6Target = k.target; }
  }
  return res;
}

/** Subnet ids chosen by Karpenter / Auto Mode `subnetSelectorTerms` (`id` or `tags` terms). */
export function selectSubnets(terms: unknown, subnets: ReadonlyMap<string, Subnet>): { ids: string[]; unresolved: number } {
  const ids = new Set<string>();
  let unresolved = 0;
  for (const t of arr<{ id?: string; tags?: Record<string, string> }>(terms)) {
    if (!t || typeof t !== 'object') continue;
    if (typeof t.id === 'string') { ids.add(t.id); continue; }
    if (t.tags && typeof t.tags === 'object') {
      const want = Object.entries(t.tags);
      const hits = [...subnets.values()].filter((s) => want.every(([k, v]) => arr<{ Key?: string; Value?: string }>(s.Tags).some((tag) => tag.Key === k && (v === '*' || tag.Value === v))));
      if (hits.length === 0) unresolved++;
      for (const s of hits) if (s.SubnetId) ids.add(s.SubnetId);
    } else {
      unresolved++;
    }
  }
  return { ids: [...ids], unresolved };
}

// ---------------------------------------------------------------- security groups

/** A security-group rule in the shape of `DescribeSecurityGroupRules`, whichever operation it came from. */
export type SgRule = Pick<SecurityGroupRule, 'SecurityGroupRuleId' | 'GroupId' | 'IsEgress' | 'IpProtocol' | 'FromPort' | 'ToPort' | 'CidrIpv4' | 'CidrIpv6' | 'PrefixListId' | 'ReferencedGroupInfo' | 'Description'>;

/**
 * Security-group rules by group id, from `ec2:DescribeSecurityGroupRules` and/or
 * `ec2:DescribeSecurityGroups` (whose `IpPermissions` are split into one rule per source).
 * `keys` says which of the two operations the caller declared.
 */
export function securityGroupRules(ev: Evidence, keys: { rules: boolean; groups: boolean }): Map<string, SgRule[]> {
  const map = new Map<string, SgRule[]>();
  const add = (r: SgRule) => { if (!r.GroupId) return; const l = map.get(r.GroupId); if (l) l.push(r); else map.set(r.GroupId, [r]); };
  const fromRules = keys.rules ? ev.aws('ec2:DescribeSecurityGroupRules') : [];
  for (const f of fromRules) for (const r of arr<SecurityGroupRule>(out<{ SecurityGroupRules?: SecurityGroupRule[] }>(f)?.SecurityGroupRules)) add(r);
  if (!keys.groups) return map;
  for (const g of securityGroups(ev).values()) {
    if (!g.GroupId || map.has(g.GroupId)) continue; // the rules operation is the more precise source
    map.set(g.GroupId, []);
    const perms: [boolean, NonNullable<SecurityGroup['IpPermissions']>][] = [[false, g.IpPermissions ?? []], [true, g.IpPermissionsEgress ?? []]];
    for (const [egress, list] of perms) {
      for (const p of list) {
        const base = { GroupId: g.GroupId, IsEgress: egress, IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort };
        for (const r of arr<{ CidrIp?: string }>(p.IpRanges)) add({ ...base, CidrIpv4: r.CidrIp });
        for (const r of arr<{ CidrIpv6?: string }>(p.Ipv6Ranges)) add({ ...base, CidrIpv6: r.CidrIpv6 });
        for (const r of arr<{ PrefixListId?: string }>(p.PrefixListIds)) add({ ...base, PrefixListId: r.PrefixListId });
        for (const r of arr<{ GroupId?: string; UserId?: string }>(p.UserIdGroupPairs)) add({ ...base, ReferencedGroupInfo: { GroupId: r.GroupId, UserId: r.UserId } });
      }
    }
  }
  return map;
}

/** `ec2:DescribeSecurityGroups` groups by id (callers must declare the operation). */
export function securityGroups(ev: Evidence): Map<string, SecurityGroup> {
  const map = new Map<string, SecurityGroup>();
  for (const f of ev.aws('ec2:DescribeSecurityGroups')) for (const g of arr<SecurityGroup>(out<{ SecurityGroups?: SecurityGroup[] }>(f)?.SecurityGroups)) if (g.GroupId) map.set(g.GroupId, g);
  return map;
}

/** Prefix-list entries from `ec2:GetManagedPrefixListEntries` (params `PrefixListId`). */
export function prefixListEntries(ev: Evidence): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const f of ev.aws('ec2:GetManagedPrefixListEntries')) {
    const id = typeof f.params?.PrefixListId === 'string' ? f.params.PrefixListId : undefined;
    if (!id) continue;
    const cidrs = arr<{ Cidr?: string }>(out<{ Entries?: { Cidr?: string }[] }>(f)?.Entries).map((e) => e.Cidr).filter((c): c is string => typeof c === 'string');
    map.set(id, [...(map.get(id) ?? []), ...cidrs]);
  }
  return map;
}

export const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);

/** Human form of a rule's ports: `tcp/443`, `tcp/1024-65535`, `all traffic`. */
export function portLabel(r: SgRule): string {
  const proto = r.IpProtocol === '-1' || r.IpProtocol === 'all' ? 'all' : r.IpProtocol === '6' ? 'tcp' : r.IpProtocol === '17' ? 'udp' : (r.IpProtocol ?? '?');
  if (proto === 'all') return 'all traffic';
  if (r.FromPort === undefined || r.FromPort === -1) return `${proto}/all ports`;
  return r.FromPort === r.ToPort ? `${proto}/${r.FromPort}` : `${proto}/${r.FromPort}-${r.ToPort}`;
}

/** True when the rule admits any port outside `allowed` (all-protocol rules admit everything). */
export function opensPortsOtherThan(r: SgRule, allowed: readonly number[]): boolean {
  if (r.IpProtocol === '-1' || r.IpProtocol === 'all') return true;
  if (r.IpProtocol === 'icmp' || r.IpProtocol === '1' || r.IpProtocol === 'icmpv6' || r.IpProtocol === '58') return false;
  const from = r.FromPort ?? -1;
  const to = r.ToPort ?? -1;
  if (from === -1 || to === -1) return true;
  for (let p = from; p <= to; p++) if (!allowed.includes(p)) return true;
  return false;
}

/** The source of a rule, with prefix lists expanded when their entries are known. */
export function ruleSources(r: SgRule, prefixLists: ReadonlyMap<string, string[]>): { cidrs: string[]; unexpanded?: string; group?: string } {
  if (r.CidrIpv4) return { cidrs: [r.CidrIpv4] };
  if (r.CidrIpv6) return { cidrs: [r.CidrIpv6] };
  if (r.PrefixListId) {
    const entries = prefixLists.get(r.PrefixListId);
    return entries ? { cidrs: entries } : { cidrs: [], unexpanded: r.PrefixListId };
  }
  if (r.ReferencedGroupInfo?.GroupId) return { cidrs: [], group: r.ReferencedGroupInfo.GroupId };
  return { cidrs: [] };
}

/** Parse an IPv4 CIDR; undefined for IPv6 or malformed input. */
function v4(cidr: string): { base: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  if (parts.some((p) => p > 255) || Number(m[5]) > 32) return undefined;
  const base = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  return { base, bits: Number(m[5]) };
}

/** True when IPv4 `inner` lies within one of `outers` (IPv6 and malformed CIDRs are never inside). */
export function cidrWithin(inner: string, outers: readonly string[]): boolean {
  const i = v4(inner);
  if (!i) return false;
  return outers.some((o) => {
    const c = v4(o);
    if (!c || c.bits > i.bits) return false;
    const mask = c.bits === 0 ? 0 : (~0 << (32 - c.bits)) >>> 0;
    return ((i.base & mask) >>> 0) === ((c.base & mask) >>> 0);
  });
}

export const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** IPv4 CIDR blocks of the VPCs in `ec2:DescribeVpcs` (callers must declare the operation). */
export function vpcCidrs(ev: Evidence, vpcId: string | undefined): string[] {
  const cidrs: string[] = [];
  for (const f of ev.aws('ec2:DescribeVpcs')) {
    for (const v of arr<Vpc>(out<{ Vpcs?: Vpc[] }>(f)?.Vpcs)) {
      if (vpcId && v.VpcId !== vpcId) continue;
      if (v.CidrBlock) cidrs.push(v.CidrBlock);
      for (const a of arr<{ CidrBlock?: string }>(v.CidrBlockAssociationSet)) if (a.CidrBlock && !cidrs.includes(a.CidrBlock)) cidrs.push(a.CidrBlock);
    }
  }
  return cidrs;
}

/** Security-group ids named in launch-template versions (`ec2:DescribeLaunchTemplateVersions`). */
export function launchTemplateGroups(ev: Evidence): Map<string, string> {
  const map = new Map<string, string>();
  for (const f of ev.aws('ec2:DescribeLaunchTemplateVersions')) {
    for (const v of arr<LaunchTemplateVersion>(out<{ LaunchTemplateVersions?: LaunchTemplateVersion[] }>(f)?.LaunchTemplateVersions)) {
      const label = `launch template ${v.LaunchTemplateName ?? v.LaunchTemplateId ?? '?'} v${v.VersionNumber ?? '?'}`;
      const d = v.LaunchTemplateData;
      for (const g of arr<string>(d?.SecurityGroupIds)) map.set(g, label);
      for (const n of arr<{ Groups?: string[] }>(d?.NetworkInterfaces)) for (const g of arr<string>(n.Groups)) map.set(g, label);
    }
  }
  return map;
}

// ---------------------------------------------------------------- load balancers

export const LB_KIND = 'AWS::ElasticLoadBalancingV2::LoadBalancer';

/** Tags by resource ARN from `elasticloadbalancing:DescribeTags`. */
export function lbTags(ev: Evidence): Map<string, Record<string, string>> {
  const map = new Map<string, Record<string, string>>();
  for (const f of ev.aws('elasticloadbalancing:DescribeTags')) {
    for (const d of arr<TagDescription>(out<{ TagDescriptions?: TagDescription[] }>(f)?.TagDescriptions)) {
      if (!d.ResourceArn) continue;
      const tags: Record<string, string> = {};
      for (const t of arr<{ Key?: string; Value?: string }>(d.Tags)) if (t.Key) tags[t.Key] = t.Value ?? '';
      map.set(d.ResourceArn, tags);
    }
  }
  return map;
}

/** Why a load balancer is considered part of the cluster, or undefined when it is not. */
export function lbOwnership(lb: LoadBalancer, tags: Record<string, string> | undefined, clusterName: string | undefined, vpcId: string | undefined): string | undefined {
  if (tags && clusterName) {
    if (tags['elbv2.k8s.aws/cluster'] === clusterName) return 'tag elbv2.k8s.aws/cluster (AWS Load Balancer Controller)';
    if (tags['eks:eks-cluster-name'] === clusterName) return 'tag eks:eks-cluster-name (EKS Auto Mode)';
    if (tags['ingress.k8s.aws/cluster'] === clusterName) return 'tag ingress.k8s.aws/cluster (legacy ALB ingress controller)';
    if (`kubernetes.io/cluster/${clusterName}` in tags) return `tag kubernetes.io/cluster/${clusterName}`;
    if (tags['kubernetes.io/cluster-name'] === clusterName) return 'tag kubernetes.io/cluster-name';
  }
  if (vpcId && lb.VpcId === vpcId) return 'in the cluster VPC';
  if (!vpcId && !tags) return 'cluster VPC and tags unknown: evaluated';
  return undefined;
}

/** The Kubernetes object an AWS Load Balancer Controller / Auto Mode load balancer was created for (from its stack tag). */
export function lbStack(tags: Record<string, string> | undefined): string | undefined {
  if (!tags) return undefined;
  const ing = tags['ingress.k8s.aws/stack'] ?? tags['ingress.eks.amazonaws.com/stack'];
  if (ing) return `Ingress ${ing}`;
  const svc = tags['service.k8s.aws/stack'] ?? tags['service.eks.amazonaws.com/stack'];
  if (svc) return `Service ${svc}`;
  if (tags['kubernetes.io/service-name']) return `Service ${tags['kubernetes.io/service-name']}`;
  if (tags['kubernetes.io/ingress-name']) return `Ingress ${tags['kubernetes.io/namespace'] ? `${tags['kubernetes.io/namespace']}/` : ''}${tags['kubernetes.io/ingress-name']}`;
  return undefined;
}

export interface ClusterLb {
  lb: LoadBalancer;
  arn: string;
  name: string;
  why: string;
  stack?: string;
  tags?: Record<string, string>;
}

/**
 * Load balancers of the cluster from `elasticloadbalancing:DescribeLoadBalancers` (+ `DescribeTags`
 * when `withTags`): those tagged for the cluster by the AWS Load Balancer Controller or Auto Mode,
 * or living in the cluster VPC.
 */
export function clusterLoadBalancers(ev: Evidence, cluster: Cluster | undefined, clusterName: string | undefined, withTags: boolean): { mine: ClusterLb[]; others: number } {
  const tags = withTags ? lbTags(ev) : new Map<string, Record<string, string>>();
  const name = cluster?.name ?? clusterName;
  const vpc = cluster?.resourcesVpcConfig?.vpcId;
  const mine: ClusterLb[] = [];
  let others = 0;
  const seen = new Set<string>();
  for (const f of ev.aws('elasticloadbalancing:DescribeLoadBalancers')) {
    for (const lb of arr<LoadBalancer>(out<{ LoadBalancers?: LoadBalancer[] }>(f)?.LoadBalancers)) {
      const arn = lb.LoadBalancerArn ?? lb.LoadBalancerName ?? '';
      if (!arn || seen.has(arn)) continue;
      seen.add(arn);
      const t = tags.get(arn);
      const why = lbOwnership(lb, t, name, vpc);
      if (!why) { others++; continue; }
      const stack = lbStack(t);
      mine.push({ lb, arn, name: lb.LoadBalancerName ?? arn, why, ...(stack ? { stack } : {}), ...(t ? { tags: t } : {}) });
    }
  }
  return { mine, others };
}

// ---------------------------------------------------------------- ingresses and services

export const ALB_CONTROLLERS = new Set(['ingress.k8s.aws/alb', 'eks.amazonaws.com/alb']);

/** The controller of an Ingress: from its IngressClass, or `alb` for the legacy annotation / class name. */
export function ingressController(ing: K8sObject, classes: readonly K8sObject[]): string | undefined {
  const spec = (ing.spec ?? {}) as { ingressClassName?: string };
  const cls = spec.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  const byName = (n: string) => classes.find((c) => c.metadata.name === n);
  const defaultClass = classes.find((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  const c = cls ? byName(cls) : defaultClass;
  const controller = (c?.spec as { controller?: string } | undefined)?.controller;
  if (controller) return controller;
  if (cls === 'alb') return 'ingress.k8s.aws/alb';
  return cls;
}

export function isAlbIngress(ing: K8sObject, classes: readonly K8sObject[]): boolean {
  const c = ingressController(ing, classes);
  return c !== undefined && ALB_CONTROLLERS.has(c);
}

/** ALB scheme of an Ingress: the `alb.ingress.kubernetes.io/scheme` annotation; the controllers default to internal. */
export function albScheme(ing: K8sObject): 'internet-facing' | 'internal' {
  return ing.metadata.annotations?.['alb.ingress.kubernetes.io/scheme'] === 'internet-facing' ? 'internet-facing' : 'internal';
}

/**
 * Scheme of a `LoadBalancer` Service: the AWS Load Balancer Controller defaults to internal and reads
 * `aws-load-balancer-scheme`; the legacy in-tree controller defaults to internet-facing unless
 * `aws-load-balancer-internal` is set.
 */
export function serviceScheme(svc: K8sObject): 'internet-facing' | 'internal' {
  const a = svc.metadata.annotations ?? {};
  const scheme = a['service.beta.kubernetes.io/aws-load-balancer-scheme'];
  if (scheme) return scheme === 'internet-facing' ? 'internet-facing' : 'internal';
  const internal = a['service.beta.kubernetes.io/aws-load-balancer-internal'];
  if (internal !== undefined) return internal === 'false' ? 'internet-facing' : 'internal';
  const spec = (svc.spec ?? {}) as { loadBalancerClass?: string };
  const lbcType = a['service.beta.kubernetes.io/aws-load-balancer-type'];
  const managedByLbc = spec.loadBalancerClass === 'service.k8s.aws/nlb' || spec.loadBalancerClass === 'eks.amazonaws.com/nlb' || lbcType === 'external' || lbcType === 'nlb-ip';
  return managedByLbc ? 'internal' : 'internet-facing';
}

// ---------------------------------------------------------------- pods, nodes, placement

/** The top controller of a Pod (Pod → ReplicaSet → Deployment), or the Pod itself. */
export function topOwner(ev: Evidence, o: K8sObject): K8sObject {
  let cur = o;
  for (let i = 0; i < 4; i++) {
    const owner = ev.owner(cur);
    if (!owner) break;
    cur = owner;
  }
  return cur;
}

/**
 * Pods grouped by the uid (or kind/namespace/name) of the workload that `workloads()` reports for
 * them. The caller must declare `k8s:core/Pod`.
 */
export function podsByWorkload(ev: Evidence): Map<string, K8sObject[]> {
  const map = new Map<string, K8sObject[]>();
  for (const p of ev.objects('core/Pod')) {
    const key = workloadKey(topOwner(ev, p));
    const l = map.get(key);
    if (l) l.push(p);
    else map.set(key, [p]);
  }
  return map;
}

export function workloadKey(o: K8sObject): string {
  return o.metadata.uid ?? `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

export type Placement = 'fargate' | 'hybrid' | 'windows';

export interface FargateSelector { namespace?: string; labels?: Record<string, string> }

/**
 * Where a workload's pods run when that is somewhere VPC CNI network policies are not enforced
 * (Fargate, hybrid nodes, Windows), from its running pods' nodes or, without pods, from its
 * template (node selector, OS, Fargate scheduler, a matching Fargate profile).
 */
export function unenforcedPlacement(w: Workload, pods: readonly K8sObject[], nodes: ReadonlyMap<string, K8sObject>, fargate: readonly FargateSelector[]): Placement | undefined {
  const fromSpec = (spec: PodSpec, labels: Record<string, string> | undefined, nodeName?: string): Placement | undefined => {
    if (nodeName) {
      const n = nodes.get(nodeName);
      if (n) {
        const t = computeType(n);
        if (t === 'fargate' || t === 'hybrid') return t;
        if (n.metadata.labels?.['kubernetes.io/os'] === 'windows') return 'windows';
        return undefined;
      }
    }
    if (spec.schedulerName === 'fargate-scheduler') return 'fargate';
    const sel = spec.nodeSelector ?? {};
    if (sel['eks.amazonaws.com/compute-type'] === 'fargate' || sel['eks.amazonaws.com/compute-type'] === 'hybrid') return sel['eks.amazonaws.com/compute-type'] as Placement;
    if (spec.os?.name === 'windows' || sel['kubernetes.io/os'] === 'windows') return 'windows';
    if (!nodeName && fargate.some((f) => f.namespace === w.namespace && Object.entries(f.labels ?? {}).every(([k, v]) => labels?.[k] === v))) return 'fargate';
    return undefined;
  };
  if (pods.length > 0) {
    for (const p of pods) {
      const spec = (p.spec ?? {}) as PodSpec & { nodeName?: string };
      const where = fromSpec(spec, p.metadata.labels, spec.nodeName);
      if (where) return where;
    }
    return undefined;
  }
  const tpl = podTemplate(w.obj);
  return tpl ? fromSpec(tpl.spec, w.podMeta.labels) : undefined;
}

/** Approved-list match with a trailing `*` as prefix wildcard (TLS security policy names). */
export function matchesApproved(value: string, approved: readonly string[]): boolean {
  return approved.some((p) => (p.endsWith('*') ? value.startsWith(p.slice(0, -1)) : value === p));
}
