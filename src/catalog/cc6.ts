/**
 * CC6 — Logical and Physical Access Controls: "Network Security Configuration" and "Service Mesh Implementation (optional)".
 */
import type { CheckContext, ControlDefinition, Evidence, K8sObject, ResourceRef } from '../model/index.js';
import type { Addon, Cluster } from '@aws-sdk/client-eks';
import { defineControl } from './define.js';
import { computeType, crdNames, daemonSetReady, isAvailable } from './lib/addons.js';
import { awsRef, clusterRef, describeAddon, describeCluster, nodegroups, out } from './lib/aws.js';
import { WORKLOAD_KEYS, aws, k8s, need } from './lib/keys.js';
import {
  MESH_DETECTION_KEYS, clusterScoped, hasWorkloadSelector, meshCoverage, meshGate, meshNamespaces, namespaceRef,
} from './lib/mesh.js';
import type { MeshInfo } from './lib/mesh.js';
import {
  OPEN_CIDRS, RFC1918, albScheme, clusterLocation, isAlbIngress, shortList, cidrWithin, clusterLoadBalancers, defaultRoute, ingressController, instanceIdOf,
  instancesById, isAutoMode, launchTemplateGroups, LB_KIND, natGateways, opensPortsOtherThan, podsByWorkload, portLabel,
  prefixListEntries, publicIps, routeTableFor, routeTables, ruleSources, securityGroupRules, securityGroups, selectSubnets,
  subnetsById, unenforcedPlacement, vpcCidrs, workloadKey,
} from './lib/network.js';
import type { FargateSelector, SgRule } from './lib/network.js';
import { matchesSelector } from './lib/selectors.js';
import type { LabelSelector } from './lib/selectors.js';
import { arr, workloads } from './lib/workloads.js';
import type { Container, Workload } from './lib/workloads.js';



// ============================================================================ CC6-NET-01

export const CC6_NET_01 = defineControl({
  id: 'CC6-NET-01',
  title: 'Worker nodes run in private subnets and reach the internet only through NAT or a central egress',
  section: 'CC6',
  under: 'network',
  tsc: ['CC6.6', 'CC6.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Follows every EC2 node from its providerID to the instance, its subnet and the route table that governs that subnet (the ' +
    'explicit association, else the VPC main table). A node passes when it has no public IPv4 address and its subnet\'s default ' +
    'route does not point at an internet gateway: NAT gateway, transit gateway (central egress) and no default route at all ' +
    '("isolated", VPC endpoints only) are accepted; IPv6 egress through an egress-only internet gateway is private-equivalent. ' +
    'Subnets of managed node groups and Karpenter / Auto Mode NodeClasses are checked the same way, so a public subnet waiting ' +
    'for the next scale-out is caught too. Fargate nodes (profiles accept private subnets only) and hybrid nodes (outside the ' +
    'VPC) are not checked here.',
  requires: [
    need.kind('core/Node', 'nodes'),
    need.aws('ec2:DescribeInstances', 'the EC2 instances behind the nodes'),
    need.aws('ec2:DescribeRouteTables', 'the route tables of the cluster VPC'),
  ],
  optional: [
    aws('ec2:DescribeSubnets'), aws('ec2:DescribeNatGateways'), aws('eks:DescribeCluster'), aws('eks:DescribeNodegroup'),
    k8s('karpenter.k8s.aws/EC2NodeClass'), k8s('eks.amazonaws.com/NodeClass'),
  ],
  rules: {
    'node-no-public-ip': { title: 'Node instances have no public IP address', severity: 'high' },
    'node-subnet-private': { title: 'Node subnets have no default route to an internet gateway', severity: 'high' },
    'nat-gateway-available': { title: 'The NAT gateway used for egress is available', severity: 'medium' },
    'subnet-auto-public-ip': { title: 'Private node subnets do not auto-assign public IPs', severity: 'low' },
    'nodeclass-no-public-ip': { title: 'NodeClasses do not ask for public IP addresses', severity: 'high' },
  },
  remediation: {
    summary:
      'Move node groups and NodeClasses to private subnets whose default route goes to a NAT gateway (or a transit gateway for ' +
      'central egress), and stop assigning public IPs to nodes.',
    commands: [
      'aws ec2 create-nat-gateway --subnet-id $PUBLIC_SUBNET_ID --allocation-id $EIP_ALLOCATION_ID',
      'aws ec2 replace-route --route-table-id $PRIVATE_ROUTE_TABLE_ID --destination-cidr-block 0.0.0.0/0 --nat-gateway-id $NAT_GATEWAY_ID',
      'aws ec2 modify-subnet-attribute --subnet-id $PRIVATE_SUBNET_ID --no-map-public-ip-on-launch',
    ],
  },
  references: [
    { title: 'Amazon EKS: VPC and subnet requirements', url: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html' },
    { title: 'EKS Best Practices: network security', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html' },
    { title: 'Amazon VPC: NAT gateways', url: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const loc = clusterLocation(cluster);
    const nodes = ev.objects('core/Node');
    const ec2Nodes = nodes.filter((n) => { const t = computeType(n); return t === 'ec2' || t === 'auto'; });
    const fargate = nodes.filter((n) => computeType(n) === 'fargate').length;
    const hybrid = nodes.filter((n) => computeType(n) === 'hybrid').length;
    if (fargate) ctx.note(`${fargate} Fargate node(s) not checked: Fargate profiles accept private subnets only`);
    if (hybrid) ctx.note(`${hybrid} hybrid node(s) not checked: they run outside the VPC`);

    const subnets = subnetsById(ev);
    // subnet id → what uses it
    const uses = new Map<string, { by: string[]; vpc?: string }>();
    const use = (subnet: string, by: string, vpc?: string) => {
      const u = uses.get(subnet) ?? { by: [] };
      u.by.push(by);
      if (vpc && !u.vpc) u.vpc = vpc;
      uses.set(subnet, u);
    };

    const instances = instancesById(ev);
    const missing: string[] = [];
    for (const n of ec2Nodes) {
      const name = n.metadata.name ?? '?';
      const id = instanceIdOf(n);
      const inst = id ? instances.get(id) : undefined;
      if (!inst) { missing.push(id ? `${name} (${id})` : `${name} (providerID not an EC2 instance)`); continue; }
      const ips = publicIps(inst);
      if (ips.length) ctx.fail(n, 'node-no-public-ip', `instance ${id} has public IP ${ips.join(', ')}: the node is addressable from the internet`, { details: { instanceId: id!, publicIps: ips } });
      else ctx.pass(n, 'node-no-public-ip', `instance ${id} has no public IP`);
      if (inst.SubnetId) use(inst.SubnetId, `node ${name}`, inst.VpcId);
    }

    for (const ng of nodegroups(ev)) for (const s of ng.subnets ?? []) use(s, `node group ${ng.nodegroupName ?? '?'}`, cluster?.resourcesVpcConfig?.vpcId);

    const nodeClasses: [K8sObject, 'karpenter' | 'auto'][] = [
      ...ev.objects('karpenter.k8s.aws/EC2NodeClass').map((o) => [o, 'karpenter'] as [K8sObject, 'karpenter']),
      ...ev.objects('eks.amazonaws.com/NodeClass').map((o) => [o, 'auto'] as [K8sObject, 'auto']),
    ];
    for (const [nc, kind] of nodeClasses) {
      const spec = (nc.spec ?? {}) as { subnetSelectorTerms?: unknown; associatePublicIPAddress?: boolean; advancedNetworking?: { associatePublicIPAddress?: boolean } };
      const publicIp = kind === 'karpenter' ? spec.associatePublicIPAddress : spec.advancedNetworking?.associatePublicIPAddress;
      if (publicIp === true) ctx.fail(nc, 'nodeclass-no-public-ip', `${nc.kind} ${nc.metadata.name} sets associatePublicIPAddress: true: every node it launches gets a public IP`);
      else if (publicIp === false) ctx.pass(nc, 'nodeclass-no-public-ip', `${nc.kind} ${nc.metadata.name} sets associatePublicIPAddress: false`);
      const sel = selectSubnets(spec.subnetSelectorTerms, subnets);
      for (const s of sel.ids) use(s, `${nc.kind} ${nc.metadata.name}`, cluster?.resourcesVpcConfig?.vpcId);
      if (sel.unresolved) ctx.note(`${nc.kind} ${nc.metadata.name}: ${sel.unresolved} subnet selector term(s) could not be resolved (tag selectors need ec2:DescribeSubnets)`);
    }

    if (ec2Nodes.length === 0 && uses.size === 0) {
      ctx.notApplicable(nodes.length ? 'no EC2 nodes: the cluster runs on Fargate and/or hybrid nodes only' : 'the cluster has no nodes');
      return;
    }

    const tables = routeTables(ev);
    const nats = natGateways(ev);
    const natsKnown = ev.has('aws:ec2:DescribeNatGateways');
    const unrouted: string[] = [];
    for (const [subnetId, u] of uses) {
      const sub = subnets.get(subnetId);
      const ref = awsRef('AWS::EC2::Subnet', subnetId, { ...loc, ...(sub?.SubnetArn ? { arn: sub.SubnetArn } : {}) });
      const usedBy = `used by ${shortList(u.by, 4)}`;
      const rt = routeTableFor(tables, subnetId, sub?.VpcId ?? u.vpc);
      if (!rt) {
        const shared = sub?.OwnerId && loc.accountId && sub.OwnerId !== loc.accountId ? ` (shared subnet owned by ${sub.OwnerId}: read its route tables in the owner account)` : '';
        unrouted.push(`${subnetId}${shared}`);
        continue;
      }
      const tableId = rt.table.RouteTableId ?? '?';
      const via = `${tableId}${rt.implicit ? ' (VPC main route table)' : ''}`;
      const d = defaultRoute(rt.table);
      const details = { routeTable: tableId, usedBy: u.by, ipv4Egress: d.ipv4, ipv6Egress: d.ipv6 };
      if (d.ipv4 === 'igw' || d.ipv6 === 'igw') {
        const what = d.ipv4 === 'igw' ? `0.0.0.0/0 → ${d.ipv4Target}` : `::/0 → ${d.ipv6Target}`;
        ctx.fail(ref, 'node-subnet-private', `public subnet: ${via} routes ${what}; ${usedBy}`, { details });
      } else {
        const how = d.ipv4 === 'nat' ? `egress through NAT gateway ${d.ipv4Target}`
          : d.ipv4 === 'tgw' ? `egress through transit gateway ${d.ipv4Target} (central egress)`
            : d.ipv4 === 'none' ? 'isolated: no IPv4 default route (VPC endpoints only)'
              : `IPv4 default route via ${d.ipv4} ${d.ipv4Target ?? ''}`.trim();
        const v6 = d.ipv6 === 'eigw' ? `; IPv6 egress-only via ${d.ipv6Target}` : '';
        ctx.pass(ref, 'node-subnet-private', `private subnet (${via}): ${how}${v6}; ${usedBy}`, details);
        if (sub?.MapPublicIpOnLaunch === true) ctx.fail(ref, 'subnet-auto-public-ip', `MapPublicIpOnLaunch is true: instances launched here get a public IP (harmless without an internet gateway route, but a misconfiguration waiting to happen); ${usedBy}`);
      }
      if (d.blackhole) ctx.note(`${subnetId}: ${tableId} has a blackhole default route (its target was deleted)`);
      if (d.ipv4 === 'nat' && d.ipv4Target) {
        const nat = nats.get(d.ipv4Target);
        const natRef = awsRef('AWS::EC2::NatGateway', d.ipv4Target, loc);
        if (nat) {
          if (nat.State !== 'available') ctx.fail(natRef, 'nat-gateway-available', `NAT gateway state is ${nat.State ?? 'unknown'}: nodes in ${subnetId} have no working egress`);
          else ctx.pass(natRef, 'nat-gateway-available', `available ${nat.ConnectivityType ?? 'public'} NAT gateway in ${nat.SubnetId ?? '?'}`);
          if (nat.ConnectivityType === 'private') ctx.note(`${d.ipv4Target} is a private NAT gateway: internet egress needs a further hop (transit gateway or another NAT)`);
        } else if (natsKnown) {
          ctx.note(`${d.ipv4Target} (default route of ${tableId}) is not in the ec2:DescribeNatGateways evidence`);
        }
      }
    }
    const problems: string[] = [];
    if (missing.length) problems.push(`node instances not found in ec2:DescribeInstances: ${shortList(missing)}`);
    if (unrouted.length) problems.push(`no route table found for subnet(s) ${shortList(unrouted)} in ec2:DescribeRouteTables`);
    if (problems.length) ctx.error(problems.join('; '));
  },
});

// ============================================================================ CC6-NET-02

type SgRole = 'cluster' | 'node' | 'lb-public' | 'lb-internal';

/** All traffic, or a port range that includes SSH (22) or RDP (3389). */
function opensAdminPorts(r: SgRule): boolean {
  return opensPortsOtherThan(r, []) && (r.IpProtocol === '-1' || r.IpProtocol === 'all' || [22, 3389].some((p) => (r.FromPort ?? -1) === -1 || ((r.FromPort ?? 0) <= p && (r.ToPort ?? 0) >= p)));
}

export const CC6_NET_02 = defineControl({
  id: 'CC6-NET-02',
  title: 'Security groups of the cluster, nodes and load balancers follow least privilege',
  section: 'CC6',
  under: 'network',
  tsc: ['CC6.6', 'CC6.1'],
  automation: 'automated',
  severity: 'high',
  attestation: 'the remaining rules (port ranges, security-group references, prefix lists) were reviewed as least privilege for each group',
  description:
    'Gathers the security groups that guard the cluster — the EKS cluster security group and additional control-plane groups, the ' +
    'node instances\' groups, launch-template groups and the groups of the cluster\'s load balancers — and reads their rules. ' +
    'Clear violations fail: ingress from 0.0.0.0/0 or ::/0 to a cluster or node group (prefix lists expanded), an internet-facing ' +
    'load balancer open to the world on ports other than 80/443, and a managed node group with an SSH key but no source security ' +
    'groups (AWS then opens port 22 to the internet). All-traffic ingress from CIDRs wider than the VPC is a warning. The cluster ' +
    'security group\'s rule admitting itself is expected; 0.0.0.0/0 egress is the common default and only noted. Whether the rest is ' +
    'truly least privilege is a reviewer\'s judgement.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (security group ids)'),
    { anyOf: [aws('ec2:DescribeSecurityGroupRules'), aws('ec2:DescribeSecurityGroups')], what: 'security group rules', alternatives: true },
  ],
  optional: [
    aws('ec2:DescribeInstances'), k8s('core/Node'), aws('ec2:DescribeLaunchTemplateVersions'), aws('elasticloadbalancing:DescribeLoadBalancers'),
    aws('elasticloadbalancing:DescribeTags'), aws('eks:DescribeNodegroup'), aws('ec2:GetManagedPrefixListEntries'), aws('ec2:DescribeVpcs'),
  ],
  rules: {
    'no-open-ingress': { title: 'Cluster and node security groups admit no traffic from 0.0.0.0/0 or ::/0', severity: 'high' },
    'lb-open-ports': { title: 'Load balancer security groups open to the world only on 80/443', severity: 'high' },
    'all-traffic-wide-cidr': { title: 'No all-traffic ingress from CIDRs wider than the VPC', severity: 'low' },
    'nodegroup-ssh-source': { title: 'Node-group SSH access is limited to source security groups', severity: 'high' },
  },
  remediation: {
    summary:
      'Remove world-open ingress from cluster and node security groups, restrict load balancer groups to 80/443, and give node-group ' +
      'SSH a source security group — or drop SSH and use SSM Session Manager.',
    commands: [
      'aws ec2 describe-security-group-rules --filters Name=group-id,Values=$SG_ID',
      'aws ec2 revoke-security-group-ingress --group-id $SG_ID --security-group-rule-ids $RULE_ID',
      'aws eks create-nodegroup ... --remote-access ec2SshKey=$KEY_NAME,sourceSecurityGroups=$BASTION_SG_ID   # remote access is fixed at creation: replace the node group',
    ],
  },
  references: [
    { title: 'Amazon EKS: security group requirements', url: 'https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html' },
    { title: 'Amazon EKS: create a managed node group (remote access)', url: 'https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html' },
    { title: 'EKS Auto Mode networking (eks-cluster-sg-*)', url: 'https://docs.aws.amazon.com/eks/latest/userguide/auto-networking.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const loc = clusterLocation(cluster);
    const roles = new Map<string, { roles: Set<SgRole>; from: string[] }>();
    const add = (sg: string | undefined, role: SgRole, from: string) => {
      if (!sg) return;
      const r = roles.get(sg) ?? { roles: new Set<SgRole>(), from: [] };
      r.roles.add(role);
      if (!r.from.includes(from)) r.from.push(from);
      roles.set(sg, r);
    };
    const vpc = cluster?.resourcesVpcConfig;
    add(vpc?.clusterSecurityGroupId, 'cluster', 'EKS cluster security group');
    for (const g of vpc?.securityGroupIds ?? []) add(g, 'cluster', 'additional control-plane security group');

    const nodeIds = new Set(ev.objects('core/Node').map(instanceIdOf).filter((x): x is string => Boolean(x)));
    for (const [id, inst] of instancesById(ev)) {
      if (nodeIds.size > 0 && !nodeIds.has(id)) continue;
      for (const g of inst.SecurityGroups ?? []) add(g.GroupId, 'node', `node instance ${id}`);
    }
    for (const [g, label] of launchTemplateGroups(ev)) add(g, 'node', label);
    const lbs = clusterLoadBalancers(ev, cluster, ctx.clusterName, ev.has('aws:elasticloadbalancing:DescribeTags'));
    for (const { lb, name } of lbs.mine) {
      for (const g of lb.SecurityGroups ?? []) add(g, lb.Scheme === 'internet-facing' ? 'lb-public' : 'lb-internal', `${lb.Scheme ?? ''} load balancer ${name}`.replace('  ', ' '));
    }

    const sources = { rules: ev.has('aws:ec2:DescribeSecurityGroupRules'), groups: ev.has('aws:ec2:DescribeSecurityGroups') };
    const rulesBy = securityGroupRules(ev, sources);
    const names = sources.groups ? securityGroups(ev) : new Map();
    const queriedAll = ev.aws('ec2:DescribeSecurityGroupRules').some((f) => !f.params || !JSON.stringify(f.params).includes('sg-'));
    const queried = new Set<string>(rulesBy.keys());
    for (const f of ev.aws('ec2:DescribeSecurityGroupRules')) for (const m of JSON.stringify(f.params ?? {}).matchAll(/sg-[0-9a-f]+/g)) queried.add(m[0]);
    const prefixLists = prefixListEntries(ev);
    const vpcRanges = vpcCidrs(ev, vpc?.vpcId);
    const wideBase = vpcRanges.length ? vpcRanges : RFC1918;
    const notCollected: string[] = [];
    let openEgress = 0;
    let selfRefs = 0;
    const unexpanded = new Set<string>();

    for (const [sg, info] of roles) {
      if (!queried.has(sg) && !queriedAll) { notCollected.push(sg); continue; }
      const g = names.get(sg) as { GroupName?: string } | undefined;
      const ref = awsRef('AWS::EC2::SecurityGroup', sg, loc);
      const label = `${g?.GroupName ? `${g.GroupName}, ` : ''}${shortList(info.from, 3)}`;
      const guardsNodes = info.roles.has('cluster') || info.roles.has('node');
      const lbOnly = !guardsNodes;
      const openHits: string[] = [];
      let severe = false;
      const lbHits: string[] = [];
      const wide: string[] = [];
      for (const r of rulesBy.get(sg) ?? []) {
        if (r.IsEgress) {
          if (r.CidrIpv4 === '0.0.0.0/0' || r.CidrIpv6 === '::/0') openEgress++;
          continue;
        }
        const src = ruleSources(r, prefixLists);
        if (src.group === sg) { selfRefs++; continue; }
        if (src.unexpanded) unexpanded.add(src.unexpanded);
        const open = src.cidrs.filter((c) => OPEN_CIDRS.has(c));
        const port = portLabel(r);
        const via = r.PrefixListId ? ` via prefix list ${r.PrefixListId}` : '';
        if (open.length) {
          if (guardsNodes) {
            openHits.push(`${port} from ${open.join(', ')}${via}`);
            if (opensAdminPorts(r)) severe = true;
          }
          else if (opensPortsOtherThan(r, [80, 443])) lbHits.push(`${port} from ${open.join(', ')}${via}`);
          continue;
        }
        if (r.IpProtocol === '-1' || r.IpProtocol === 'all') {
          for (const c of src.cidrs) if (!c.includes(':') && !cidrWithin(c, wideBase)) wide.push(`${c}${via}`);
        }
      }
      if (guardsNodes) {
        if (openHits.length) {
          ctx.fail(ref, 'no-open-ingress', `ingress open to the internet: ${openHits.join('; ')} (${label})`, { ...(severe ? { severity: 'critical' as const } : {}), details: { rules: openHits } });
        } else {
          ctx.pass(ref, 'no-open-ingress', `no ingress from 0.0.0.0/0 or ::/0 (${label})`);
        }
      }
      if (info.roles.has('lb-public') || info.roles.has('lb-internal')) {
        if (lbHits.length) ctx.fail(ref, 'lb-open-ports', `load balancer group open to the world beyond 80/443: ${lbHits.join('; ')} (${label})`, info.roles.has('lb-public') ? undefined : { severity: 'medium' });
        else if (lbOnly) ctx.pass(ref, 'lb-open-ports', `world-open ingress limited to 80/443 (${label})`);
      }
      if (wide.length) ctx.fail(ref, 'all-traffic-wide-cidr', `all-traffic ingress from CIDRs wider than the VPC (${shortList(wideBase)}): ${wide.join(', ')} (${label})`);
    }

    for (const ng of nodegroups(ev)) {
      const ref = awsRef('AWS::EKS::Nodegroup', ng.nodegroupName ?? '?', { ...loc, arn: ng.nodegroupArn });
      const ra = ng.remoteAccess;
      if (ra?.ec2SshKey && !(ra.sourceSecurityGroups?.length)) {
        ctx.fail(ref, 'nodegroup-ssh-source', `SSH key ${ra.ec2SshKey} with no source security groups: EKS opens port 22 to 0.0.0.0/0 on these nodes`);
      } else if (ra?.ec2SshKey) {
        ctx.pass(ref, 'nodegroup-ssh-source', `SSH limited to ${ra.sourceSecurityGroups!.join(', ')}`);
      } else {
        ctx.pass(ref, 'nodegroup-ssh-source', 'no SSH remote access configured');
      }
    }

    if (selfRefs) ctx.note(`${selfRefs} self-referencing rule(s) (a group admitting its own members, as the EKS cluster security group does) are expected and not flagged`);
    if (openEgress) ctx.note(`${openEgress} egress rule(s) to 0.0.0.0/0 or ::/0 (the AWS default; informational)`);
    if (unexpanded.size) ctx.note(`prefix shortList(s) ${[...unexpanded].join(', ')} not expanded (ec2:GetManagedPrefixListEntries not collected): their entries were not checked for 0.0.0.0/0`);
    if (lbs.mine.length === 0 && ev.has('aws:elasticloadbalancing:DescribeLoadBalancers')) ctx.note('no load balancer of the cluster found');
    if (isAutoMode(cluster, ev.objects('core/Node'))) ctx.note('EKS Auto Mode: nodes use the eks-cluster-sg-* group; custom node security groups need extra IAM permissions for Auto Mode to manage them');
    if (roles.size === 0) ctx.error('no security group found in the cluster description, node instances or load balancers');
    else if (notCollected.length) ctx.error(`rules of security group(s) ${shortList(notCollected)} were not collected (ec2:DescribeSecurityGroupRules with a group-id filter)`);
  },
});

// ============================================================================ CC6-NET-03

interface Engine {
  name: string;
  enforcing: boolean;
  resource: K8sObject | ResourceRef;
  message: string;
  /** A cluster-wide default deny this engine provides, in words. */
  defaultDeny?: string;
  vpcCniOnly?: boolean;
}

function container(ds: K8sObject | undefined, name: string): Container | undefined {
  const spec = (ds?.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec;
  return arr<Container>(spec?.containers).find((c) => c.name === name);
}

function envOf(c: Container | undefined, name: string): string | undefined {
  return arr<{ name?: string; value?: string }>(c?.env).find((e) => e.name === name)?.value;
}

/** Parse an add-on's configurationValues (JSON, or the YAML subset EKS accepts when it is flat JSON-like). */
function addonConfig(a: Addon | undefined): Record<string, unknown> | undefined {
  if (!a?.configurationValues) return undefined;
  try {
    const v = JSON.parse(a.configurationValues) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const truthy = (v: unknown) => v === true || v === 'true';

function addonRef(a: Addon, cluster: Cluster | undefined): ResourceRef {
  return awsRef('AWS::EKS::Addon', a.addonName ?? 'vpc-cni', { ...clusterLocation(cluster), arn: a.addonArn });
}

/** The network-policy engines of the cluster and whether each enforces. */
function policyEngines(ev: Evidence, cluster: Cluster | undefined, ctx: CheckContext): Engine[] {
  const engines: Engine[] = [];
  const dss = ev.objects('apps/DaemonSet');
  const awsNode = dss.find((d) => d.metadata.name === 'aws-node' && d.metadata.namespace === 'kube-system');
  const addon = describeAddon(ev, 'vpc-cni');
  const cm = ev.get('core/ConfigMap', 'kube-system', 'amazon-vpc-cni');
  const cmValue = (cm?.data as Record<string, string> | undefined)?.['enable-network-policy-controller'];
  const cmOn = cmValue === undefined ? undefined : cmValue === 'true';
  const auto = isAutoMode(cluster, ev.objects('core/Node'));

  if (awsNode || addon) {
    const agent = container(awsNode, 'aws-eks-nodeagent');
    const argOn = agent ? arr<string>(agent.args).some((a) => a === '--enable-network-policy=true') : undefined;
    const cfg = addonConfig(addon);
    if (addon?.configurationValues && !cfg) ctx.note('vpc-cni configurationValues are not JSON; read from the aws-node DaemonSet instead');
    const addonOn = cfg ? truthy(cfg.enableNetworkPolicy) : undefined;
    const agentOn = awsNode ? (argOn ?? false) : addonOn === true;
    if (awsNode && addonOn !== undefined && addonOn !== agentOn) ctx.note(`vpc-cni add-on configuration says enableNetworkPolicy=${addonOn} but the running aws-node DaemonSet says ${agentOn}: the DaemonSet decides (is an add-on update pending?)`);
    const enforcing = agentOn && cmOn !== false;
    const strict = envOf(container(awsNode, 'aws-node'), 'NETWORK_POLICY_ENFORCING_MODE') ?? (cfg?.env as Record<string, unknown> | undefined)?.NETWORK_POLICY_ENFORCING_MODE;
    const ready = awsNode ? daemonSetReady(awsNode) : undefined;
    const src = awsNode ? 'aws-node DaemonSet (aws-eks-nodeagent --enable-network-policy=true)' : 'vpc-cni add-on configuration (enableNetworkPolicy)';
    let message = enforcing
      ? `Amazon VPC CNI enforces network policies: ${src}${cmOn ? ', controller enabled in ConfigMap amazon-vpc-cni' : ''}`
      : agentOn && cmOn === false
        ? 'the VPC CNI node agent has network policy enabled but ConfigMap kube-system/amazon-vpc-cni sets enable-network-policy-controller: "false": policies are never translated, nothing is enforced'
        : `the Amazon VPC CNI is installed with network policy off (${awsNode ? (agent ? 'aws-eks-nodeagent runs without --enable-network-policy=true' : 'no aws-eks-nodeagent container') : 'add-on configurationValues lack enableNetworkPolicy: "true"'}); the chart default is "false"`;
    if (enforcing && ready && !ready.ok) message += ` — but aws-node is ready on ${ready.ready} of ${ready.desired} nodes`;
    engines.push({
      name: 'Amazon VPC CNI', enforcing: enforcing && (!ready || ready.ok || ready.desired === 0), resource: awsNode ? clusterScoped(awsNode) : addonRef(addon!, cluster), message, vpcCniOnly: true,
      ...(enforcing && strict === 'strict' ? { defaultDeny: 'VPC CNI strict enforcing mode (NETWORK_POLICY_ENFORCING_MODE=strict)' } : {}),
    });
  } else if (auto) {
    const classes = ev.objects('eks.amazonaws.com/NodeClass');
    const deny = classes.length > 0 && classes.every((c) => (c.spec as { networkPolicy?: string } | undefined)?.networkPolicy === 'DefaultDeny');
    engines.push({
      name: 'EKS Auto Mode', enforcing: cmOn === true, resource: cm ? clusterScoped(cm) : clusterRef(cluster, ctx.clusterName),
      message: cmOn === true ? 'EKS Auto Mode network policy enabled (ConfigMap amazon-vpc-cni enable-network-policy-controller: "true")' : 'EKS Auto Mode without network policy: create ConfigMap kube-system/amazon-vpc-cni with enable-network-policy-controller: "true"',
      vpcCniOnly: true,
      ...(cmOn === true && deny ? { defaultDeny: 'Auto Mode NodeClass networkPolicy: DefaultDeny' } : {}),
    });
  }

  const crds = [...crdNames(ev)];
  const calico = dss.find((d) => d.metadata.name === 'calico-node');
  if (calico || crds.some((c) => c.endsWith('.crd.projectcalico.org'))) {
    const ready = calico ? daemonSetReady(calico) : undefined;
    const gnp = [...ev.objects('crd.projectcalico.org/GlobalNetworkPolicy'), ...ev.objects('projectcalico.org/GlobalNetworkPolicy')].find((p) => {
      const s = (p.spec ?? {}) as { types?: string[]; ingress?: { action?: string }[] };
      return (s.types ?? []).includes('Ingress') && arr<{ action?: string }>(s.ingress).every((r) => r.action === 'Deny' || r.action === 'Log');
    });
    engines.push({
      name: 'Calico', enforcing: Boolean(calico) && (ready?.ok ?? false), resource: calico ? clusterScoped(calico) : clusterRef(cluster, ctx.clusterName),
      message: calico ? `Calico enforces network policies (calico-node ready ${ready!.ready}/${ready!.desired})` : 'Calico CRDs are installed but no calico-node DaemonSet runs: nothing enforces Calico policies',
      ...(gnp ? { defaultDeny: `Calico GlobalNetworkPolicy ${gnp.metadata.name}` } : {}),
    });
  }
  const cilium = dss.find((d) => d.metadata.name === 'cilium');
  if (cilium || crds.includes('ciliumnetworkpolicies.cilium.io')) {
    const ready = cilium ? daemonSetReady(cilium) : undefined;
    const ccnp = ev.objects('cilium.io/CiliumClusterwideNetworkPolicy').find((p) => {
      const s = (p.spec ?? {}) as { endpointSelector?: LabelSelector; ingress?: Record<string, unknown>[]; ingressDeny?: unknown[] };
      const all = s.endpointSelector && Object.keys(s.endpointSelector.matchLabels ?? {}).length === 0 && (s.endpointSelector.matchExpressions ?? []).length === 0;
      return all && Array.isArray(s.ingress) && s.ingress.every((r) => Object.keys(r ?? {}).length === 0);
    });
    engines.push({
      name: 'Cilium', enforcing: Boolean(cilium) && (ready?.ok ?? false), resource: cilium ? clusterScoped(cilium) : clusterRef(cluster, ctx.clusterName),
      message: cilium ? `Cilium enforces network policies (cilium ready ${ready!.ready}/${ready!.desired})` : 'Cilium CRDs are installed but no cilium DaemonSet runs',
      ...(ccnp ? { defaultDeny: `CiliumClusterwideNetworkPolicy ${ccnp.metadata.name}` } : {}),
    });
  }
  return engines;
}

interface NpSpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: { ports?: { port?: number | string; protocol?: string }[]; to?: unknown[] }[];
}

function npSpec(p: K8sObject): NpSpec {
  return (p.spec ?? {}) as NpSpec;
}

function selectsAllPods(s: NpSpec): boolean {
  const sel = s.podSelector ?? {};
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

function policyTypes(s: NpSpec): string[] {
  return s.policyTypes ?? ['Ingress', ...(s.egress !== undefined ? ['Egress'] : [])];
}

export function isDefaultDenyIngress(p: K8sObject): boolean {
  const s = npSpec(p);
  return selectsAllPods(s) && policyTypes(s).includes('Ingress') && arr(s.ingress).length === 0;
}

export function isDefaultDenyEgress(p: K8sObject): boolean {
  const s = npSpec(p);
  return selectsAllPods(s) && policyTypes(s).includes('Egress') && arr(s.egress).length === 0;
}

function allowsDns(policies: readonly K8sObject[]): boolean {
  return policies.some((p) => arr<NonNullable<NpSpec['egress']>[number]>(npSpec(p).egress).some((r) => {
    const ports = arr<{ port?: number | string }>(r?.ports);
    if (ports.length === 0) return true; // all ports to its destinations
    return ports.some((x) => x.port === 53 || x.port === '53' || x.port === 'dns' || x.port === 'dns-tcp');
  }));
}

function fargateSelectors(ev: Evidence): FargateSelector[] {
  return ev.aws('eks:DescribeFargateProfile').flatMap((f) => arr<FargateSelector>(out<{ fargateProfile?: { selectors?: FargateSelector[] } }>(f)?.fargateProfile?.selectors));
}

export const CC6_NET_03 = defineControl({
  id: 'CC6-NET-03',
  title: 'Network policies are enforced and every application namespace denies ingress by default',
  section: 'CC6',
  under: 'network',
  tsc: ['CC6.1', 'CC6.6'],
  automation: 'automated',
  severity: 'high',
  description:
    'NetworkPolicy objects do nothing unless something enforces them, and the Amazon VPC CNI ships with network policy off. The ' +
    'control first proves an enforcing engine: the VPC CNI with enableNetworkPolicy (add-on configuration, the aws-eks-nodeagent ' +
    'argument on the aws-node DaemonSet, and the controller switch in ConfigMap amazon-vpc-cni), EKS Auto Mode with the same ' +
    'ConfigMap, Calico or Cilium. Then every application namespace must hold a default-deny ingress policy (empty podSelector, ' +
    'Ingress in policyTypes, no ingress rules) unless a cluster-wide default deny covers it (VPC CNI strict mode, Auto Mode ' +
    'DefaultDeny, a Calico GlobalNetworkPolicy or a Cilium clusterwide policy). Missing default-deny egress is a warning. Workloads ' +
    'that policies cannot reach are warned about: host-network pods, and — when the VPC CNI is the only engine — pods on Fargate, ' +
    'hybrid or Windows nodes.',
  requires: [
    need.kind('networking.k8s.io/NetworkPolicy', 'network policies'),
    { anyOf: [k8s('apps/DaemonSet'), aws('eks:DescribeAddon')], what: 'the network-policy engine (aws-node, calico-node or cilium DaemonSets, or the vpc-cni add-on)', alternatives: true },
  ],
  optional: [
    k8s('core/ConfigMap'), k8s('core/Namespace'), k8s('core/Node'), k8s('apiextensions.k8s.io/CustomResourceDefinition'),
    k8s('eks.amazonaws.com/NodeClass'), k8s('crd.projectcalico.org/GlobalNetworkPolicy'), k8s('projectcalico.org/GlobalNetworkPolicy'),
    k8s('cilium.io/CiliumClusterwideNetworkPolicy'), aws('eks:DescribeCluster'), aws('eks:DescribeFargateProfile'), ...WORKLOAD_KEYS,
  ],
  rules: {
    'policy-engine': { title: 'A network-policy engine is installed and enforcing', severity: 'high' },
    'netpol-default-deny': { title: 'Each application namespace has a default-deny ingress NetworkPolicy', severity: 'high' },
    'netpol-default-deny-egress': { title: 'Each application namespace has a default-deny egress NetworkPolicy', severity: 'low' },
    'netpol-not-enforced': { title: 'Workloads run where network policies are enforced', severity: 'low' },
  },
  remediation: {
    summary:
      'Turn on network policy in the VPC CNI add-on (or install Calico/Cilium), then apply a default-deny policy in every application ' +
      'namespace, with an explicit DNS egress allow when egress is denied, and add allow rules per service.',
    commands: [
      'aws eks update-addon --cluster-name $CLUSTER_NAME --addon-name vpc-cni --configuration-values \'{"enableNetworkPolicy":"true"}\'',
      'kubectl apply -n $NAMESPACE -f default-deny.yaml',
    ],
    manifest: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: my-namespace      # one per namespace
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: my-namespace
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels: { kubernetes.io/metadata.name: kube-system }
          podSelector:
            matchLabels: { k8s-app: kube-dns }
      ports:
        - { protocol: UDP, port: 53 }
        - { protocol: TCP, port: 53 }`,
  },
  references: [
    { title: 'Amazon EKS: limit pod traffic with Kubernetes network policies', url: 'https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html' },
    { title: 'Amazon VPC CNI network policy FAQ', url: 'https://aws.github.io/amazon-vpc-cni-k8s/docs/network-policy-faq.html' },
    { title: 'EKS Auto Mode: network policies', url: 'https://docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html' },
    { title: 'Kubernetes: network policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const engines = policyEngines(ev, cluster, ctx);
    const policies = ev.objects('networking.k8s.io/NetworkPolicy');
    const enforcing = engines.filter((e) => e.enforcing);
    for (const e of engines) {
      if (e.enforcing) ctx.pass(e.resource, 'policy-engine', e.message);
      else if (enforcing.length === 0) ctx.fail(e.resource, 'policy-engine', e.message);
      else ctx.note(`${e.name}: ${e.message}`);
    }
    if (engines.length === 0) {
      ctx.fail(clusterRef(cluster, ctx.clusterName ?? 'cluster'), 'policy-engine',
        `no network-policy engine found (VPC CNI with enableNetworkPolicy, Auto Mode, Calico or Cilium): ${policies.length ? `the ${policies.length} NetworkPolicy object(s) in the cluster do nothing` : 'NetworkPolicy objects would do nothing'}`);
    } else if (enforcing.length === 0 && policies.length) {
      ctx.note(`the ${policies.length} NetworkPolicy object(s) below are not enforced by anything`);
    }
    const clusterDeny = enforcing.find((e) => e.defaultDeny)?.defaultDeny;
    const vpcCniOnly = enforcing.length > 0 && enforcing.every((e) => e.vpcCniOnly);

    const haveWorkloads = WORKLOAD_KEYS.some((k) => ev.has(k));
    const all = haveWorkloads ? workloads(ev) : [];
    const byNs = new Map<string, Workload[]>();
    for (const w of all) { const l = byNs.get(w.namespace); if (l) l.push(w); else byNs.set(w.namespace, [w]); }
    // Objects read from files may carry no namespace: they belong to "default".
    const policiesByNs = new Map<string, K8sObject[]>();
    for (const p of policies) { const n = p.metadata.namespace ?? 'default'; policiesByNs.set(n, [...(policiesByNs.get(n) ?? []), p]); }
    const namespaces = [...new Set([...ev.namespaces(), ...byNs.keys(), ...policiesByNs.keys()])].filter((ns) => !ctx.isSystemNamespace(ns)).sort();
    const skipped: string[] = [];
    for (const ns of namespaces) {
      const nsPolicies = policiesByNs.get(ns) ?? [];
      if (haveWorkloads && !byNs.has(ns) && nsPolicies.length === 0) { skipped.push(ns); continue; }
      const ref = namespaceRef(ev, ns);
      const denyIn = nsPolicies.find(isDefaultDenyIngress);
      const denyEg = nsPolicies.find(isDefaultDenyEgress);
      if (denyIn) ctx.pass(ref, 'netpol-default-deny', `default-deny ingress: NetworkPolicy ${denyIn.metadata.name}`);
      else if (clusterDeny) ctx.pass(ref, 'netpol-default-deny', `covered by a cluster-wide default deny: ${clusterDeny}`);
      else ctx.fail(ref, 'netpol-default-deny', nsPolicies.length
        ? `${nsPolicies.length} NetworkPolicy object(s) but none denies ingress by default: pods they do not select accept traffic from anywhere`
        : 'no NetworkPolicy: every pod accepts traffic from anywhere in the cluster');
      if (denyEg) {
        ctx.pass(ref, 'netpol-default-deny-egress', `default-deny egress: NetworkPolicy ${denyEg.metadata.name}`);
        if (!allowsDns(nsPolicies)) ctx.note(`${ns}: egress is denied by default but no policy allows DNS (port 53): name resolution will fail`);
      } else if (clusterDeny) {
        ctx.pass(ref, 'netpol-default-deny-egress', `covered by a cluster-wide default deny: ${clusterDeny}`);
      } else if (denyIn || nsPolicies.length) {
        ctx.fail(ref, 'netpol-default-deny-egress', 'no default-deny egress policy: pods may connect anywhere');
      }
    }
    if (skipped.length) ctx.note(`namespaces without workloads or policies not evaluated: ${shortList(skipped)}`);

    if (haveWorkloads) {
      const nodes = new Map(ev.objects('core/Node').map((n) => [n.metadata.name ?? '', n] as const));
      const pods = ev.has('k8s:core/Pod') ? podsByWorkload(ev) : new Map<string, K8sObject[]>();
      const fargate = fargateSelectors(ev);
      for (const w of all) {
        if (ctx.isSystemNamespace(w.namespace)) continue;
        if (w.spec.hostNetwork === true) {
          ctx.fail(w.obj, 'netpol-not-enforced', 'hostNetwork: true — NetworkPolicy does not apply to host-network pods');
          continue;
        }
        if (!vpcCniOnly) continue;
        const place = unenforcedPlacement(w, w.obj.kind === 'Pod' ? [w.obj] : (pods.get(workloadKey(w.obj)) ?? []), nodes, fargate);
        if (place) ctx.fail(w.obj, 'netpol-not-enforced', `runs on ${place === 'windows' ? 'Windows' : place} nodes, where VPC CNI network policies are not enforced (EC2 Linux nodes only)`);
      }
    }
  },
});

// ============================================================================ CC6-NET-04

interface SgpSpec {
  podSelector?: LabelSelector;
  serviceAccountSelector?: LabelSelector;
  securityGroups?: { groupIds?: string[] };
}

export const CC6_NET_04 = defineControl({
  id: 'CC6-NET-04',
  title: 'Security groups for pods are enabled and applied to the workloads in scope',
  section: 'CC6',
  under: 'network',
  tsc: ['CC6.1', 'CC6.6'],
  automation: 'automated',
  severity: 'medium',
  description:
    'Security groups for pods give selected pods their own branch network interface and security groups, so that AWS resources ' +
    '(RDS, ElastiCache) can admit exactly those pods. The control reads ENABLE_POD_ENI on the aws-node DaemonSet (or the vpc-cni add-on ' +
    'configuration), the SecurityGroupPolicy objects and which workloads they select (by pod labels and service-account labels), and ' +
    'checks the referenced groups for world-open ingress. With `podSecurityGroupNamespaces` configured, every workload of those ' +
    'namespaces must be selected. Not applicable on EKS Auto Mode (not supported there; Auto Mode offers podSecurityGroupSelectorTerms ' +
    'in the NodeClass instead), without the VPC CNI, or when the organisation relies on NetworkPolicies only (threshold ' +
    'requirePodSecurityGroups: false).',
  requires: [
    { anyOf: [k8s('apps/DaemonSet'), aws('eks:DescribeAddon')], what: 'the VPC CNI configuration (aws-node DaemonSet or vpc-cni add-on)', alternatives: true },
  ],
  optional: [
    k8s('vpcresources.k8s.aws/SecurityGroupPolicy'), k8s('core/ServiceAccount'), k8s('core/Node'), aws('eks:DescribeCluster'),
    aws('ec2:DescribeSecurityGroupRules'), aws('ec2:GetManagedPrefixListEntries'), ...WORKLOAD_KEYS,
  ],
  rules: {
    'pod-eni-enabled': { title: 'ENABLE_POD_ENI is true on the VPC CNI', severity: 'high' },
    'sgp-present': { title: 'At least one SecurityGroupPolicy selects running workloads', severity: 'medium' },
    'sgp-selects': { title: 'Each SecurityGroupPolicy selects at least one workload', severity: 'low' },
    'sgp-namespace-coverage': { title: 'Every workload of the configured namespaces has pod security groups', severity: 'medium' },
    'sgp-groups-open': { title: 'Security groups assigned to pods admit nothing from 0.0.0.0/0', severity: 'high' },
  },
  remediation: {
    summary:
      'Enable pod ENIs on the VPC CNI (the cluster role needs AmazonEKSVPCResourceController) and create SecurityGroupPolicy objects ' +
      'for the workloads that reach AWS data stores.',
    commands: [
      'aws eks update-addon --cluster-name $CLUSTER_NAME --addon-name vpc-cni --configuration-values \'{"env":{"ENABLE_POD_ENI":"true"}}\'',
      'kubectl set env daemonset aws-node -n kube-system ENABLE_POD_ENI=true   # self-managed VPC CNI only',
      'aws iam attach-role-policy --role-name $CLUSTER_ROLE --policy-arn arn:aws:iam::aws:policy/AmazonEKSVPCResourceController',
    ],
    manifest: `apiVersion: vpcresources.k8s.aws/v1beta1
kind: SecurityGroupPolicy
metadata:
  name: payments-db-access
  namespace: payments
spec:
  podSelector:
    matchLabels: { app: payments-api }
  securityGroups:
    groupIds: [sg-0123456789abcdef0]`,
  },
  references: [
    { title: 'Amazon EKS: security groups for pods', url: 'https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html' },
    { title: 'EKS Auto Mode networking (SGPP not supported)', url: 'https://docs.aws.amazon.com/eks/latest/userguide/auto-networking.html' },
    { title: 'Amazon VPC CNI: ENABLE_POD_ENI', url: 'https://github.com/aws/amazon-vpc-cni-k8s#enable_pod_eni-v170' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    if (!ctx.config.thresholds.requirePodSecurityGroups) {
      ctx.notApplicable('security groups for pods are not used by policy (threshold requirePodSecurityGroups: false); pod traffic is segmented with NetworkPolicies (CC6-NET-03)');
      return;
    }
    const nodes = ev.objects('core/Node');
    if (isAutoMode(cluster, nodes)) {
      ctx.notApplicable('EKS Auto Mode does not support security groups for pods (use NodeClass podSecurityGroupSelectorTerms instead)');
      return;
    }
    const dss = ev.objects('apps/DaemonSet');
    const awsNode = dss.find((d) => d.metadata.name === 'aws-node' && d.metadata.namespace === 'kube-system');
    const addon = describeAddon(ev, 'vpc-cni');
    if (!awsNode && !addon) {
      const other = dss.find((d) => d.metadata.name === 'cilium' || d.metadata.name === 'calico-node');
      if (other && !ev.has('aws:eks:DescribeAddon')) {
        ctx.notApplicable(`the cluster network is ${other.metadata.name === 'cilium' ? 'Cilium' : 'Calico'}, not the Amazon VPC CNI: security groups for pods need the VPC CNI`);
      } else {
        ctx.error('the Amazon VPC CNI configuration was not found (no kube-system/aws-node DaemonSet and no vpc-cni add-on in the evidence)');
      }
      return;
    }
    const cfgEnv = (addonConfig(addon)?.env ?? {}) as Record<string, unknown>;
    const dsValue = envOf(container(awsNode, 'aws-node'), 'ENABLE_POD_ENI');
    const enabled = awsNode ? dsValue === 'true' : truthy(cfgEnv.ENABLE_POD_ENI);
    const where = awsNode ? 'the aws-node DaemonSet' : 'the vpc-cni add-on configuration';
    const res = awsNode ? clusterScoped(awsNode) : addonRef(addon!, cluster);
    if (enabled) ctx.pass(res, 'pod-eni-enabled', `ENABLE_POD_ENI=true on ${where}`);
    else ctx.fail(res, 'pod-eni-enabled', `ENABLE_POD_ENI is ${awsNode ? (dsValue ?? 'not set (default false)') : 'not set'} on ${where}: SecurityGroupPolicy objects have no effect`);

    if (enabled) {
      const linux = nodes.filter((n) => computeType(n) === 'ec2' && n.metadata.labels?.['kubernetes.io/os'] !== 'windows');
      const trunk = linux.filter((n) => n.metadata.labels?.['vpc.amazonaws.com/has-trunk-attached'] === 'true');
      if (linux.length && trunk.length < linux.length) ctx.note(`${linux.length - trunk.length} of ${linux.length} EC2 Linux node(s) do not report a trunk interface (label vpc.amazonaws.com/has-trunk-attached=true): pods with security groups cannot be placed there (Nitro instance types with trunk capacity only)`);
    }

    const sgps = ev.objects('vpcresources.k8s.aws/SecurityGroupPolicy');
    const haveWorkloads = WORKLOAD_KEYS.some((k) => ev.has(k));
    const all = haveWorkloads ? workloads(ev) : [];
    const allByNs = groupBy(all, (w) => w.namespace);
    const saCollected = ev.has('k8s:core/ServiceAccount');
    const selected = new Map<string, string[]>(); // workload key → policies
    let selecting = 0;
    let saUnknown = 0;
    for (const p of sgps) {
      const ns = p.metadata.namespace ?? 'default';
      const spec = (p.spec ?? {}) as SgpSpec;
      const hits: Workload[] = [];
      if (spec.podSelector || spec.serviceAccountSelector) {
        for (const w of allByNs.get(ns) ?? []) {
          if (spec.podSelector && !matchesSelector(spec.podSelector, w.podMeta.labels)) continue;
          if (spec.serviceAccountSelector) {
            if (!saCollected) { saUnknown++; continue; }
            const sa = ev.get('core/ServiceAccount', ns, w.spec.serviceAccountName ?? w.spec.serviceAccount ?? 'default');
            if (!matchesSelector(spec.serviceAccountSelector, sa?.metadata.labels)) continue;
          }
          hits.push(w);
          const k = workloadKey(w.obj);
          selected.set(k, [...(selected.get(k) ?? []), p.metadata.name ?? '?']);
        }
      }
      const groups = spec.securityGroups?.groupIds ?? [];
      if (!haveWorkloads) continue;
      if (hits.length) {
        selecting++;
        ctx.pass(p, 'sgp-selects', `assigns ${groups.join(', ') || 'no group'} to ${shortList(hits.map((w) => `${w.obj.kind}/${w.obj.metadata.name}`))}`);
        const odd = hits.filter((w) => w.spec.hostNetwork === true || w.spec.os?.name === 'windows' || w.spec.nodeSelector?.['kubernetes.io/os'] === 'windows');
        if (odd.length) ctx.note(`${p.metadata.namespace}/${p.metadata.name} selects ${shortList(odd.map((w) => w.obj.metadata.name ?? '?'))}: host-network and Windows pods never get pod security groups`);
      } else {
        ctx.fail(p, 'sgp-selects', `selects no workload in namespace ${ns}${spec.podSelector || spec.serviceAccountSelector ? '' : ' (no podSelector or serviceAccountSelector)'}`);
      }
    }
    if (saUnknown) ctx.note('service accounts were not collected: serviceAccountSelector policies could not be resolved');
    if (haveWorkloads) {
      if (selecting > 0) ctx.pass(clusterRef(cluster, ctx.clusterName ?? 'cluster'), 'sgp-present', `${selecting} SecurityGroupPolicy object(s) select running workloads`);
      else ctx.fail(clusterRef(cluster, ctx.clusterName ?? 'cluster'), 'sgp-present', sgps.length ? 'no SecurityGroupPolicy selects any workload' : 'no SecurityGroupPolicy objects: every pod shares the node security groups');
    } else if (sgps.length === 0) {
      ctx.fail(clusterRef(cluster, ctx.clusterName ?? 'cluster'), 'sgp-present', 'no SecurityGroupPolicy objects: every pod shares the node security groups');
    }
    for (const ns of ctx.config.podSecurityGroupNamespaces) {
      for (const w of allByNs.get(ns) ?? []) {
        if (w.spec.hostNetwork === true) continue;
        const by = selected.get(workloadKey(w.obj));
        if (by) ctx.pass(w.obj, 'sgp-namespace-coverage', `security groups from ${by.join(', ')}`);
        else ctx.fail(w.obj, 'sgp-namespace-coverage', `namespace ${ns} requires pod security groups but no SecurityGroupPolicy selects this workload`);
      }
    }

    if (ev.has('aws:ec2:DescribeSecurityGroupRules')) {
      const rules = securityGroupRules(ev, { rules: true, groups: false });
      const pls = prefixListEntries(ev);
      const unseen = new Set<string>();
      for (const p of sgps) {
        const open: string[] = [];
        for (const g of ((p.spec ?? {}) as SgpSpec).securityGroups?.groupIds ?? []) {
          if (!rules.has(g)) unseen.add(g);
          for (const r of (rules.get(g) ?? []) as SgRule[]) {
            if (r.IsEgress) continue;
            if (ruleSources(r, pls).cidrs.some((c) => OPEN_CIDRS.has(c))) open.push(`${g} ${portLabel(r)}`);
          }
        }
        if (open.length) ctx.fail(p, 'sgp-groups-open', `pod security group(s) admit the internet: ${open.join('; ')}`);
      }
      if (unseen.size) ctx.note(`no rules collected for pod security group(s) ${shortList([...unseen])}: not checked for world-open ingress`);
    }
  },
});

// ============================================================================ CC6-NET-05

const AUTO_MODE_UNSUPPORTED_WAF = ['alb.ingress.kubernetes.io/waf-acl-id', 'alb.ingress.kubernetes.io/web-acl-id', 'alb.ingress.kubernetes.io/shield-advanced-protection'];

export const CC6_NET_05 = defineControl({
  id: 'CC6-NET-05',
  title: 'Internet-facing Application Load Balancers of the cluster are protected by AWS WAF',
  section: 'CC6',
  under: 'network',
  tsc: ['CC6.6', 'CC7.2'],
  automation: 'automated',
  severity: 'high',
  description:
    'Lists the load balancers that serve the cluster — tagged for it by the AWS Load Balancer Controller (elbv2.k8s.aws/cluster) or ' +
    'EKS Auto Mode (eks:eks-cluster-name), or living in the cluster VPC — and asks AWS WAF which web ACL protects each ' +
    'internet-facing Application Load Balancer. The AWS-side association is authoritative (Firewall Manager may attach the ACL ' +
    'without any annotation); Ingress annotations are shown as supporting evidence, and annotations EKS Auto Mode ignores ' +
    '(classic WAF, Shield) are flagged. Internal ALBs and Network Load Balancers (which cannot carry WAF) are noted, not failed.',
  requires: [need.aws('elasticloadbalancing:DescribeLoadBalancers', 'the load balancers')],
  optional: [
    aws('wafv2:GetWebACLForResource'), aws('elasticloadbalancing:DescribeTags'), aws('eks:DescribeCluster'),
    k8s('networking.k8s.io/Ingress'), k8s('networking.k8s.io/IngressClass'),
  ],
  rules: {
    'alb-waf': { title: 'Each internet-facing ALB has a WAFv2 web ACL', severity: 'high' },
    'ingress-waf-annotation': { title: 'WAF annotations are ones the Ingress controller honours', severity: 'low' },
  },
  remediation: {
    summary:
      'Associate a WAFv2 web ACL with every internet-facing ALB — with the Ingress annotation alb.ingress.kubernetes.io/wafv2-acl-arn, ' +
      'Firewall Manager, or directly. CloudFront with WAF in front of an ALB restricted to the CloudFront prefix list is an ' +
      'alternative this tool does not see: waive it with that evidence.',
    commands: [
      'aws wafv2 associate-web-acl --web-acl-arn $WEB_ACL_ARN --resource-arn $ALB_ARN',
      'kubectl annotate ingress $INGRESS -n $NAMESPACE alb.ingress.kubernetes.io/wafv2-acl-arn=$WEB_ACL_ARN',
    ],
  },
  references: [
    { title: 'AWS WAF: GetWebACLForResource', url: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_GetWebACLForResource.html' },
    { title: 'AWS Load Balancer Controller: Ingress annotations', url: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/' },
    { title: 'EKS Auto Mode: configure an ALB', url: 'https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const loc = clusterLocation(cluster);
    const { mine, others } = clusterLoadBalancers(ev, cluster, ctx.clusterName, ev.has('aws:elasticloadbalancing:DescribeTags'));
    if (others) ctx.note(`${others} load balancer(s) outside the cluster (other VPC, not tagged for it) were not evaluated`);
    const ingresses = ev.objects('networking.k8s.io/Ingress');
    const classes = ev.objects('networking.k8s.io/IngressClass');
    const publicAlbs = mine.filter((m) => m.lb.Type === 'application' && m.lb.Scheme === 'internet-facing');
    const internal = mine.filter((m) => m.lb.Type === 'application' && m.lb.Scheme !== 'internet-facing');
    const nlbs = mine.filter((m) => m.lb.Type !== 'application' && m.lb.Scheme === 'internet-facing');
    if (internal.length) ctx.note(`${internal.length} internal ALB(s) not required to have WAF: ${shortList(internal.map((m) => m.name))}`);
    if (nlbs.length) ctx.note(`${nlbs.length} internet-facing ${nlbs.map((m) => m.lb.Type).join('/')} load balancer(s) cannot carry WAF: ${shortList(nlbs.map((m) => m.name))} — protect them upstream or keep them internal`);

    for (const ing of ingresses) {
      const c = ingressController(ing, classes);
      if (c !== 'eks.amazonaws.com/alb') continue;
      const bad = AUTO_MODE_UNSUPPORTED_WAF.filter((a) => ing.metadata.annotations?.[a] !== undefined);
      if (bad.length) ctx.fail(ing, 'ingress-waf-annotation', `EKS Auto Mode ignores ${bad.join(', ')}: use alb.ingress.kubernetes.io/wafv2-acl-arn`);
    }

    if (publicAlbs.length === 0) {
      ctx.notApplicable(mine.length ? 'no internet-facing Application Load Balancer serves the cluster' : 'no load balancer serves the cluster');
      return;
    }
    const wafState = ev.state('aws:wafv2:GetWebACLForResource');
    if (wafState !== 'collected' && wafState !== 'absent') {
      ctx.error(`WAF associations were not collected (wafv2:GetWebACLForResource: ${wafState}) for ${publicAlbs.length} internet-facing ALB(s)`);
      return;
    }
    const acls = new Map<string, { Name?: string; ARN?: string } | null>();
    for (const f of ev.aws('wafv2:GetWebACLForResource')) {
      const arn = typeof f.params?.ResourceArn === 'string' ? f.params.ResourceArn : undefined;
      if (arn) acls.set(arn, out<{ WebACL?: { Name?: string; ARN?: string } }>(f)?.WebACL ?? null);
    }
    const unknown: string[] = [];
    for (const m of publicAlbs) {
      const ref = awsRef(LB_KIND, m.name, { ...loc, arn: m.arn });
      const annotated = m.stack?.startsWith('Ingress ') ? annotatedAcl(ingresses, m.stack.slice(8)) : undefined;
      const ctxText = `${m.stack ? `for ${m.stack}, ` : ''}${m.why}`;
      if (!acls.has(m.arn)) { unknown.push(m.name); continue; }
      const acl = acls.get(m.arn);
      if (acl) ctx.pass(ref, 'alb-waf', `web ACL ${acl.Name ?? acl.ARN ?? '?'} (${ctxText})`, { webAcl: acl.ARN ?? acl.Name ?? '' });
      else ctx.fail(ref, 'alb-waf', `internet-facing ALB without a WAF web ACL (${ctxText})${annotated ? `; the Ingress asks for ${annotated} — is the controller's enableWafv2 flag off?` : ''}`);
    }
    for (const ing of ingresses) {
      if (!isAlbIngress(ing, classes) || albScheme(ing) !== 'internet-facing') continue;
      const key = `${ing.metadata.namespace ?? 'default'}/${ing.metadata.name}`;
      const group = ing.metadata.annotations?.['alb.ingress.kubernetes.io/group.name'];
      if (!publicAlbs.some((m) => m.stack === `Ingress ${key}` || (group && m.stack === `Ingress ${group}`))) {
        ctx.note(`internet-facing ALB Ingress ${key} has no matching load balancer in the AWS evidence (not provisioned yet, or not tagged with ingress.k8s.aws/stack)`);
      }
    }
    if (unknown.length) ctx.error(`no wafv2:GetWebACLForResource answer for ${shortList(unknown)}`);
  },
});

function annotatedAcl(ingresses: readonly K8sObject[], stack: string): string | undefined {
  for (const i of ingresses) {
    const key = `${i.metadata.namespace ?? 'default'}/${i.metadata.name}`;
    const group = i.metadata.annotations?.['alb.ingress.kubernetes.io/group.name'];
    if (key !== stack && group !== stack) continue;
    const acl = i.metadata.annotations?.['alb.ingress.kubernetes.io/wafv2-acl-arn'];
    if (acl) return acl;
  }
  return undefined;
}

// ============================================================================ Service mesh

const MESH_OPTIONAL = [k8s('core/Node'), ...WORKLOAD_KEYS];

function meshCluster(ctx: CheckContext): ResourceRef {
  return { provider: 'kubernetes', kind: 'Cluster', name: ctx.clusterName ?? 'cluster' };
}

export const CC6_MESH_01 = defineControl({
  id: 'CC6-MESH-01',
  title: 'A service mesh (Istio or Linkerd) runs and carries the application workloads',
  section: 'CC6',
  under: 'serviceMesh',
  tsc: ['CC6.7', 'CC6.1'],
  automation: 'automated',
  severity: 'medium',
  optionalScope: 'service-mesh',
  description:
    'Optional section: not applicable when no mesh is installed and the mesh is out of scope. Otherwise the mesh control plane must ' +
    'be available (istiod, or the Linkerd destination, identity and proxy-injector Deployments) and at least meshCoveragePercent of ' +
    'the application workloads must be in the mesh. Running pods are the proof, since sidecars are injected at admission: a proxy ' +
    'container (istio-proxy, linkerd-proxy) or a native sidecar (an init container with restartPolicy Always), or Istio ambient mode ' +
    'through ztunnel. A namespace labelled for injection whose pods started before the label is caught. Host-network pods and batch ' +
    'jobs are left out of the figure. AWS App Mesh fails: AWS ended its support on 2026-09-30.',
  requires: [{ anyOf: MESH_DETECTION_KEYS, what: 'mesh detection (CRDs, control-plane Deployments or namespaces)' }],
  optional: MESH_OPTIONAL,
  rules: {
    'mesh-installed': { title: 'A service mesh is installed when the mesh is in scope', severity: 'medium' },
    'app-mesh-discontinued': { title: 'AWS App Mesh is not used (discontinued)', severity: 'high' },
    'mesh-control-plane': { title: 'The mesh control plane is available', severity: 'high' },
    'mesh-coverage': { title: 'Enough application workloads are in the mesh', severity: 'medium' },
    'workload-meshed': { title: 'Workload runs with a mesh proxy or in ambient mode', severity: 'medium' },
  },
  remediation: {
    summary: 'Install Istio (or Linkerd), enable injection per namespace and restart the workloads so their pods get the proxy.',
    commands: [
      'istioctl install --set profile=default -y',
      'kubectl label namespace $NAMESPACE istio-injection=enabled --overwrite',
      'kubectl rollout restart deployment -n $NAMESPACE',
    ],
  },
  references: [
    { title: 'Istio: sidecar injection', url: 'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/' },
    { title: 'Linkerd: automatic proxy injection', url: 'https://linkerd.io/2/features/proxy-injection/' },
    { title: 'AWS App Mesh end of support', url: 'https://docs.aws.amazon.com/eks/latest/userguide/appmesh-getting-started.html' },
  ],
  check(ev, ctx) {
    const mesh = meshGate(ev, ctx, meshCluster(ctx));
    if (!mesh) return;
    controlPlane(mesh, ctx);
    const cov = meshCoverage(ev, mesh, ctx);
    const inScope = cov.filter((c) => !c.excluded);
    const excluded = cov.filter((c) => c.excluded);
    if (excluded.length) ctx.note(`left out of the coverage figure: ${shortList(excluded.map((c) => `${c.w.obj.kind}/${c.w.namespace}/${c.w.obj.metadata.name} (${c.excluded})`))}`);
    if (inScope.length === 0) { ctx.note('no application workloads to measure mesh coverage on'); return; }
    const meshed = inScope.filter((c) => c.meshed);
    const pct = Math.round((meshed.length / inScope.length) * 1000) / 10;
    const threshold = ctx.config.thresholds.meshCoveragePercent;
    const below = pct < threshold;
    for (const c of inScope) {
      if (c.meshed) ctx.pass(c.w.obj, 'workload-meshed', c.how);
      else if (below) ctx.fail(c.w.obj, 'workload-meshed', c.how);
    }
    const summary = `${meshed.length} of ${inScope.length} application workloads in the mesh (${pct}%, threshold ${threshold}%)`;
    const ref = meshCluster(ctx);
    if (below) ctx.fail(ref, 'mesh-coverage', summary);
    else {
      ctx.pass(ref, 'mesh-coverage', summary);
      const out = inScope.filter((c) => !c.meshed);
      if (out.length) ctx.note(`outside the mesh, within the tolerance: ${shortList(out.map((c) => `${c.w.namespace}/${c.w.obj.metadata.name}`))}`);
    }
  },
});

function controlPlane(mesh: MeshInfo, ctx: CheckContext): void {
  if (mesh.istio) {
    if (mesh.istio.controlPlane.length === 0) ctx.fail({ provider: 'kubernetes', kind: 'Deployment', name: `${mesh.istio.rootNamespace}/istiod` }, 'mesh-control-plane', 'Istio CRDs or namespace present but no istiod Deployment: sidecars cannot get certificates or configuration');
    for (const d of mesh.istio.controlPlane) {
      if (isAvailable(d)) ctx.pass(clusterScoped(d), 'mesh-control-plane', 'istiod available');
      else ctx.fail(clusterScoped(d), 'mesh-control-plane', 'istiod is not available');
    }
  }
  if (mesh.linkerd) {
    for (const d of mesh.linkerd.controlPlane) {
      if (isAvailable(d)) ctx.pass(clusterScoped(d), 'mesh-control-plane', `${d.metadata.name} available`);
      else ctx.fail(clusterScoped(d), 'mesh-control-plane', `${d.metadata.name} is not available`);
    }
    if (mesh.linkerd.missing.length) ctx.fail({ provider: 'kubernetes', kind: 'Deployment', name: `linkerd/${mesh.linkerd.missing[0]!}` }, 'mesh-control-plane', `Linkerd control plane incomplete: missing ${mesh.linkerd.missing.join(', ')}`);
  }
}

type Mode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';

function paMode(pa: K8sObject | undefined): Mode {
  const m = (pa?.spec as { mtls?: { mode?: string } } | undefined)?.mtls?.mode;
  return m === 'STRICT' || m === 'PERMISSIVE' || m === 'DISABLE' ? m : 'UNSET';
}

function portModes(pa: K8sObject): [string, Mode][] {
  const pl = (pa.spec as { portLevelMtls?: Record<string, { mode?: string }> } | undefined)?.portLevelMtls ?? {};
  return Object.entries(pl).map(([port, v]) => [port, (v?.mode === 'STRICT' || v?.mode === 'PERMISSIVE' || v?.mode === 'DISABLE' ? v.mode : 'UNSET') as Mode]);
}

const LINKERD_SKIP = 'config.linkerd.io/skip-inbound-ports';

export const CC6_MESH_02 = defineControl({
  id: 'CC6-MESH-02',
  title: 'Service-to-service traffic in the mesh requires mutual TLS',
  section: 'CC6',
  under: 'serviceMesh',
  tsc: ['CC6.7', 'CC6.1'],
  automation: 'automated',
  severity: 'high',
  optionalScope: 'service-mesh',
  description:
    'Optional section (see CC6-MESH-01). Istio accepts plaintext by default: a mesh-wide PeerAuthentication with an unset mode means ' +
    'PERMISSIVE. The control requires a mesh-wide STRICT policy in the root namespace (without a selector: selector policies are ' +
    'ignored there), checks the effective mode of every namespace with meshed workloads (ambient namespaces are mutual TLS through ' +
    'ztunnel), and fails workload- or port-level PERMISSIVE/DISABLE overrides and DestinationRules that switch client TLS off. With ' +
    'Linkerd mutual TLS is automatic between meshed pods: every workload of a meshed namespace must be in the mesh, and inbound ports ' +
    'skipped by the proxy are warned about.',
  requires: [{ anyOf: MESH_DETECTION_KEYS, what: 'mesh detection (CRDs, control-plane Deployments or namespaces)' }],
  optional: [k8s('security.istio.io/PeerAuthentication'), k8s('networking.istio.io/DestinationRule'), ...MESH_OPTIONAL],
  rules: {
    'mesh-installed': { title: 'A service mesh is installed when the mesh is in scope', severity: 'high' },
    'app-mesh-discontinued': { title: 'AWS App Mesh is not used (discontinued)', severity: 'high' },
    'mesh-wide-strict': { title: 'Istio mesh-wide PeerAuthentication is STRICT', severity: 'high' },
    'namespace-mtls': { title: 'Meshed namespaces require mutual TLS', severity: 'high' },
    'mtls-override': { title: 'No workload or port weakens mutual TLS', severity: 'medium' },
    'destinationrule-tls': { title: 'No DestinationRule disables TLS', severity: 'medium' },
    'linkerd-skip-ports': { title: 'No inbound ports bypass the Linkerd proxy', severity: 'low' },
  },
  remediation: {
    summary: 'Apply a mesh-wide STRICT PeerAuthentication in the Istio root namespace and remove PERMISSIVE/DISABLE exceptions.',
    manifest: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT`,
  },
  references: [
    { title: 'Istio: PeerAuthentication reference', url: 'https://istio.io/latest/docs/reference/config/security/peer_authentication/' },
    { title: 'Linkerd: automatic mTLS', url: 'https://linkerd.io/2/features/automatic-mtls/' },
  ],
  check(ev, ctx) {
    const mesh = meshGate(ev, ctx, meshCluster(ctx));
    if (!mesh) return;
    const cov = meshCoverage(ev, mesh, ctx);
    const namespaces = meshNamespaces(cov);
    if (mesh.istio) {
      if (!ev.has('k8s:security.istio.io/PeerAuthentication')) {
        ctx.error(`Istio is installed but PeerAuthentication policies were not collected (${ev.state('k8s:security.istio.io/PeerAuthentication')})`);
        return;
      }
      const root = mesh.istio.rootNamespace;
      const pas = ev.objects('security.istio.io/PeerAuthentication');
      const meshWide = pas.find((p) => p.metadata.namespace === root && !hasWorkloadSelector(p.spec as Record<string, unknown>));
      const meshMode = paMode(meshWide);
      const effectiveMesh: Mode = meshMode === 'UNSET' ? 'PERMISSIVE' : meshMode;
      const mref = meshWide ? clusterScoped(meshWide) : { provider: 'kubernetes' as const, apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', name: `${root}/default` };
      if (effectiveMesh === 'STRICT') ctx.pass(mref, 'mesh-wide-strict', `mesh-wide PeerAuthentication ${meshWide!.metadata.name} in ${root}: STRICT`);
      else ctx.fail(mref, 'mesh-wide-strict', meshWide
        ? `mesh-wide PeerAuthentication ${meshWide.metadata.name} is ${meshMode}${meshMode === 'UNSET' ? ' (an unset mode means PERMISSIVE)' : ''}: plaintext is accepted`
        : `no mesh-wide PeerAuthentication in ${root}: Istio defaults to PERMISSIVE and accepts plaintext`, meshMode === 'DISABLE' ? { severity: 'critical' } : undefined);
      for (const p of pas) {
        if (p.metadata.namespace === root && hasWorkloadSelector(p.spec as Record<string, unknown>)) ctx.note(`PeerAuthentication ${root}/${p.metadata.name} has a workload selector in the root namespace and is ignored by Istio`);
      }
      const pasByNs = groupBy(pas, (p) => p.metadata.namespace);
      const ambientNs = new Set(cov.filter((c) => c.ambient).map((c) => c.w.namespace));
      for (const ns of namespaces) {
        const nsPa = (pasByNs.get(ns) ?? []).find((p) => !hasWorkloadSelector(p.spec as Record<string, unknown>));
        const m = paMode(nsPa);
        const eff: Mode = m === 'UNSET' ? effectiveMesh : m;
        const source = m === 'UNSET' ? 'mesh-wide default' : `PeerAuthentication ${ns}/${nsPa!.metadata.name}`;
        const ambient = ambientNs.has(ns);
        const ref = namespaceRef(ev, ns);
        if (eff === 'STRICT') ctx.pass(ref, 'namespace-mtls', `STRICT (${source})`);
        else if (ambient && eff !== 'DISABLE') ctx.pass(ref, 'namespace-mtls', `ambient mode: ztunnel encrypts pod-to-pod traffic with mutual TLS (${source} is ${eff})`);
        else ctx.fail(ref, 'namespace-mtls', `${eff} (${source}): meshed services accept plaintext`, eff === 'DISABLE' ? { severity: 'critical' } : undefined);
      }
      for (const p of pas) {
        if (p.metadata.namespace === root || ctx.isSystemNamespace(p.metadata.namespace)) continue;
        const weak: string[] = [];
        if (hasWorkloadSelector(p.spec as Record<string, unknown>)) {
          const m = paMode(p);
          if (m === 'PERMISSIVE' || m === 'DISABLE') weak.push(`mode ${m}`);
        }
        for (const [port, m] of portModes(p)) if (m === 'PERMISSIVE' || m === 'DISABLE') weak.push(`port ${port} ${m}`);
        if (weak.length) ctx.fail(p, 'mtls-override', `weakens mutual TLS: ${weak.join(', ')}`);
        else if (hasWorkloadSelector(p.spec as Record<string, unknown>) || portModes(p).length) ctx.pass(p, 'mtls-override', 'workload/port-level settings keep mutual TLS');
      }
      for (const dr of ev.objects('networking.istio.io/DestinationRule')) {
        if (ctx.isSystemNamespace(dr.metadata.namespace)) continue;
        const tp = (dr.spec as { trafficPolicy?: { tls?: { mode?: string }; portLevelSettings?: { port?: { number?: number }; tls?: { mode?: string } }[] } } | undefined)?.trafficPolicy;
        const off: string[] = [];
        if (tp?.tls?.mode === 'DISABLE') off.push('all ports');
        for (const s of arr<{ port?: { number?: number }; tls?: { mode?: string } }>(tp?.portLevelSettings)) if (s.tls?.mode === 'DISABLE') off.push(`port ${s.port?.number ?? '?'}`);
        if (off.length) ctx.fail(dr, 'destinationrule-tls', `tls.mode DISABLE on ${off.join(', ')}: clients send plaintext to ${(dr.spec as { host?: string } | undefined)?.host ?? 'the host'}`);
      }
    }
    if (mesh.linkerd) {
      const covByNs = groupBy(cov, (c) => c.w.namespace);
      for (const ns of namespaces) {
        const inNs = (covByNs.get(ns) ?? []).filter((c) => !c.excluded);
        const out = inNs.filter((c) => !c.meshed);
        const ref = namespaceRef(ev, ns);
        if (out.length) ctx.fail(ref, 'namespace-mtls', `${out.length} workload(s) outside the mesh talk plaintext: ${shortList(out.map((c) => c.w.obj.metadata.name ?? '?'))}`, { severity: 'medium' });
        else if (!mesh.istio) ctx.pass(ref, 'namespace-mtls', `all ${inNs.length} workload(s) meshed: Linkerd encrypts their traffic with mutual TLS`);
      }
      for (const c of cov) {
        const skip = c.w.podMeta.annotations?.[LINKERD_SKIP] ?? (ev.get('core/Namespace', '', c.w.namespace)?.metadata.annotations?.[LINKERD_SKIP]);
        if (skip) ctx.fail(c.w.obj, 'linkerd-skip-ports', `inbound ports ${skip} bypass the proxy (${LINKERD_SKIP}): traffic to them is not encrypted by the mesh`);
      }
    }
    if (namespaces.length === 0) ctx.note('no application namespace is in the mesh yet (see CC6-MESH-01)');
  },
});

interface AuthzSpec {
  action?: string;
  rules?: Record<string, unknown>[];
  selector?: unknown;
  targetRef?: unknown;
  targetRefs?: unknown;
}

function allowsNothing(ap: K8sObject): boolean {
  const s = (ap.spec ?? {}) as AuthzSpec;
  return (s.action === undefined || s.action === 'ALLOW') && arr(s.rules).length === 0 && !hasWorkloadSelector(s as Record<string, unknown>);
}

const LINKERD_POLICY = 'config.linkerd.io/default-inbound-policy';
const LINKERD_DENYING = new Set(['deny', 'all-authenticated', 'cluster-authenticated']);

export const CC6_MESH_03 = defineControl({
  id: 'CC6-MESH-03',
  title: 'Mesh traffic is denied by default and allowed by explicit authorization policies',
  section: 'CC6',
  under: 'serviceMesh',
  tsc: ['CC6.1', 'CC6.3', 'CC6.6'],
  automation: 'partial',
  severity: 'medium',
  optionalScope: 'service-mesh',
  attestation: 'the allow rules were reviewed and each grants only the callers and operations the service needs',
  description:
    'Optional section (see CC6-MESH-01). Every namespace in the mesh needs a default-deny posture plus explicit allow policies. Istio: ' +
    'an AuthorizationPolicy with an empty spec (ALLOW with no rules) in the namespace, or in the root namespace for the whole mesh, ' +
    'denies everything not allowed elsewhere; ALLOW policies with rules are the explicit allows, and a rule "{}" that allows every ' +
    'request fails. Linkerd: the default inbound policy (namespace annotation config.linkerd.io/default-inbound-policy, else the ' +
    'install default in linkerd-config) must be deny or an *-authenticated policy — the default all-unauthenticated is a warning — ' +
    'with Server/AuthorizationPolicy objects as the allows. Whether the allow rules are right is a reviewer\'s judgement.',
  requires: [{ anyOf: MESH_DETECTION_KEYS, what: 'mesh detection (CRDs, control-plane Deployments or namespaces)' }],
  optional: [k8s('security.istio.io/AuthorizationPolicy'), k8s('policy.linkerd.io/*'), k8s('core/ConfigMap'), ...MESH_OPTIONAL],
  rules: {
    'mesh-installed': { title: 'A service mesh is installed when the mesh is in scope', severity: 'medium' },
    'app-mesh-discontinued': { title: 'AWS App Mesh is not used (discontinued)', severity: 'high' },
    'authz-default-deny': { title: 'Each meshed namespace denies by default', severity: 'medium' },
    'authz-allow-policies': { title: 'Each meshed namespace has explicit allow policies', severity: 'low' },
    'authz-allow-all': { title: 'No AuthorizationPolicy allows every request', severity: 'medium' },
  },
  remediation: {
    summary: 'Add a deny-all AuthorizationPolicy per namespace (or mesh-wide) and explicit ALLOW policies per service; for Linkerd set the default inbound policy to deny and add AuthorizationPolicies.',
    commands: ['kubectl annotate namespace $NAMESPACE config.linkerd.io/default-inbound-policy=deny --overwrite'],
    manifest: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: my-namespace
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-frontend
  namespace: my-namespace
spec:
  selector:
    matchLabels: { app: api }
  action: ALLOW
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/frontend/sa/web"]
      to:
        - operation:
            methods: ["GET", "POST"]`,
  },
  references: [
    { title: 'Istio: AuthorizationPolicy reference', url: 'https://istio.io/latest/docs/reference/config/security/authorization-policy/' },
    { title: 'Linkerd: authorization policy', url: 'https://linkerd.io/2/reference/authorization-policy' },
  ],
  check(ev, ctx) {
    const mesh = meshGate(ev, ctx, meshCluster(ctx));
    if (!mesh) return;
    const cov = meshCoverage(ev, mesh, ctx);
    const namespaces = meshNamespaces(cov);
    if (namespaces.length === 0) ctx.note('no application namespace is in the mesh yet (see CC6-MESH-01)');
    if (mesh.istio) {
      if (!ev.has('k8s:security.istio.io/AuthorizationPolicy')) {
        ctx.error(`Istio is installed but AuthorizationPolicies were not collected (${ev.state('k8s:security.istio.io/AuthorizationPolicy')})`);
        return;
      }
      const aps = ev.objects('security.istio.io/AuthorizationPolicy');
      const root = mesh.istio.rootNamespace;
      const meshDeny = aps.find((p) => p.metadata.namespace === root && allowsNothing(p));
      const apsByNs = groupBy(aps, (p) => p.metadata.namespace);
      for (const ns of namespaces) {
        const ref = namespaceRef(ev, ns);
        const inNs = apsByNs.get(ns) ?? [];
        const deny = inNs.find(allowsNothing) ?? meshDeny;
        if (deny) ctx.pass(ref, 'authz-default-deny', `deny by default: AuthorizationPolicy ${deny.metadata.namespace}/${deny.metadata.name} allows nothing`);
        else ctx.fail(ref, 'authz-default-deny', inNs.length ? `${inNs.length} AuthorizationPolicy object(s) but no allow-nothing policy: workloads they do not select accept every caller` : 'no AuthorizationPolicy: every meshed caller is allowed');
        const allows = inNs.filter((p) => { const s = (p.spec ?? {}) as AuthzSpec; return (s.action === undefined || s.action === 'ALLOW') && arr(s.rules).length > 0; });
        if (allows.length) ctx.pass(ref, 'authz-allow-policies', `${allows.length} explicit ALLOW polic${allows.length === 1 ? 'y' : 'ies'}: ${shortList(allows.map((p) => p.metadata.name ?? '?'))}`);
        else if (deny) ctx.fail(ref, 'authz-allow-policies', 'default deny without any explicit ALLOW policy: every call to the namespace is refused (intended?)');
      }
      for (const p of aps) {
        if (ctx.isSystemNamespace(p.metadata.namespace) && p.metadata.namespace !== root) continue;
        const s = (p.spec ?? {}) as AuthzSpec;
        if ((s.action === undefined || s.action === 'ALLOW') && arr<Record<string, unknown>>(s.rules).some((r) => Object.keys(r ?? {}).length === 0)) {
          ctx.fail(p, 'authz-allow-all', 'a rule "{}" matches every request: the policy allows everything it selects');
        }
        if (s.action === 'AUDIT' || s.action === 'CUSTOM') ctx.note(`AuthorizationPolicy ${p.metadata.namespace}/${p.metadata.name} uses action ${s.action} (not an allow/deny decision by itself)`);
      }
    }
    if (mesh.linkerd) {
      const cm = ev.get('core/ConfigMap', 'linkerd', 'linkerd-config');
      const values = (cm?.data as Record<string, string> | undefined)?.values ?? '';
      const installDefault = /defaultInboundPolicy:\s*"?([a-z-]+)"?/.exec(values)?.[1] ?? 'all-unauthenticated';
      const policies = ev.objects('policy.linkerd.io/*').filter((o) => o.kind === 'AuthorizationPolicy' || o.kind === 'ServerAuthorization' || o.kind === 'Server');
      const linkerdByNs = groupBy(policies, (p) => p.metadata.namespace);
      for (const ns of namespaces) {
        const ref = namespaceRef(ev, ns);
        const nsPolicy = ev.get('core/Namespace', '', ns)?.metadata.annotations?.[LINKERD_POLICY];
        const eff = nsPolicy ?? installDefault;
        const source = nsPolicy ? `namespace annotation ${LINKERD_POLICY}` : cm ? 'install default (linkerd-config)' : 'Linkerd default';
        if (LINKERD_DENYING.has(eff)) ctx.pass(ref, 'authz-default-deny', `default inbound policy ${eff} (${source})`);
        else ctx.fail(ref, 'authz-default-deny', `default inbound policy ${eff} (${source}): ${eff.endsWith('unauthenticated') ? 'unauthenticated callers are allowed' : 'requests are only audited'}`, { severity: 'low' });
        const inNs = linkerdByNs.get(ns) ?? [];
        if (inNs.length) ctx.pass(ref, 'authz-allow-policies', `${inNs.length} Linkerd policy object(s): ${shortList(inNs.map((p) => `${p.kind}/${p.metadata.name}`))}`);
        else ctx.fail(ref, 'authz-allow-policies', 'no Linkerd Server/AuthorizationPolicy objects: access follows the default policy only');
      }
    }
  },
});

export const controls: ControlDefinition[] = [
  CC6_NET_01, CC6_NET_02, CC6_NET_03, CC6_NET_04, CC6_NET_05, CC6_MESH_01, CC6_MESH_02, CC6_MESH_03,
];

/** Items grouped by a key, in their order: per-namespace lookups without rescanning every item (linear at 10,000 namespaces). */
function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = map.get(k);
    if (list) list.push(t);
    else map.set(k, [t]);
  }
  return map;
}
