/**
 * CC6 — Logical and Physical Access Controls: "Network Security Configuration" and "Service Mesh Implementation (optional)".
 */
import type { CheckContext, ControlDefinition, Evidence, EvidenceRequirement, K8sObject, ResourceRef } from '../model/index.js';
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
import { allowsAllEgress, allowsAllIngress, allowsDns, isDefaultDenyEgress, isDefaultDenyIngress, npSpec, openScopeWords, selectsAllPods } from './lib/netpol.js';
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
    'VPC) get not-applicable findings. Required: no public IP on nodes or in NodeClasses, no internet-gateway default route, and ' +
    'the NAT gateway used for egress available (the checklist names it). Recommended (a warning): private node subnets do not ' +
    'auto-assign public IPs.',
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
    'node-no-public-ip': { title: 'Node instances have no public IP address', severity: 'high', level: 'required', evidence: [k8s('core/Node'), aws('ec2:DescribeInstances')] },
    'node-subnet-private': {
      title: 'Node subnets have no default route to an internet gateway', severity: 'high', level: 'required', evidence: [aws('ec2:DescribeRouteTables')],
      basis: 'Checklist: "Deploy worker nodes in private subnets"',
    },
    'nat-gateway-available': {
      title: 'The NAT gateway used for egress is available', severity: 'medium', level: 'required', evidence: [aws('ec2:DescribeRouteTables'), aws('ec2:DescribeNatGateways')],
      basis: 'Checklist: "with NAT gateway for outbound access"',
    },
    'subnet-auto-public-ip': {
      title: 'Private node subnets do not auto-assign public IPs', severity: 'low', level: 'recommended', evidence: [aws('ec2:DescribeRouteTables'), aws('ec2:DescribeSubnets')],
      basis: 'controls.md: harmless without an internet-gateway route, a warning',
    },
    'nodeclass-no-public-ip': { title: 'NodeClasses do not ask for public IP addresses', severity: 'high', level: 'required', evidence: [] },
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
    for (const n of nodes) {
      const t = computeType(n);
      if (t === 'fargate') ctx.report({ rule: 'node-no-public-ip', status: 'not-applicable', resource: n, message: 'Fargate node: Fargate profiles accept private subnets only, and the pod gets no public IP' });
      else if (t === 'hybrid') ctx.report({ rule: 'node-no-public-ip', status: 'not-applicable', resource: n, message: 'hybrid node: it runs outside the VPC (its network is the on-premises one)' });
    }

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
    const instancesRead = ev.has('aws:ec2:DescribeInstances');
    if (!instancesRead && ec2Nodes.length) {
      ctx.unevaluated('node-no-public-ip', 'ec2:DescribeInstances not read');
      ctx.unevaluated('node-subnet-private', `the subnets of ${ec2Nodes.length} node(s) are not known: ec2:DescribeInstances not read`);
    }
    for (const n of instancesRead ? ec2Nodes : []) {
      const name = n.metadata.name ?? '?';
      const id = instanceIdOf(n);
      const inst = id ? instances.get(id) : undefined;
      if (!inst) {
        // Unmatched evidence: the instance behind this node is not in what was read.
        const why = id ? `instance ${id} of node ${name} is not in ec2:DescribeInstances` : `node ${name}: its providerID is not an EC2 instance`;
        ctx.unevaluated('node-no-public-ip', why, n);
        ctx.unevaluated('node-subnet-private', `${why}: its subnet is not known`, n);
        continue;
      }
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
      else ctx.pass(nc, 'nodeclass-no-public-ip', `${nc.kind} ${nc.metadata.name} does not ask for public IPs (its subnets' MapPublicIpOnLaunch decides: judged on each subnet)`);
      const sel = selectSubnets(spec.subnetSelectorTerms, subnets);
      for (const s of sel.ids) use(s, `${nc.kind} ${nc.metadata.name}`, cluster?.resourcesVpcConfig?.vpcId);
      if (sel.unresolved) ctx.note(`${nc.kind} ${nc.metadata.name}: ${sel.unresolved} subnet selector term(s) could not be resolved (tag selectors need ec2:DescribeSubnets)`);
    }

    if (ec2Nodes.length === 0 && uses.size === 0) {
      if (!ev.complete('k8s:core/Node')) ctx.unevaluated('node-no-public-ip', 'no EC2 node in the input, and the Nodes were not read as a whole inventory');
      else ctx.notApplicable(nodes.length ? 'no EC2 nodes: the cluster runs on Fargate and/or hybrid nodes only' : 'the cluster has no nodes');
      return;
    }

    const tables = routeTables(ev);
    const nats = natGateways(ev);
    const natsKnown = ev.has('aws:ec2:DescribeNatGateways');
    for (const [subnetId, u] of uses) {
      const sub = subnets.get(subnetId);
      const ref = awsRef('AWS::EC2::Subnet', subnetId, { ...loc, ...(sub?.SubnetArn ? { arn: sub.SubnetArn } : {}) });
      const usedBy = `used by ${shortList(u.by, 4)}`;
      const rt = routeTableFor(tables, subnetId, sub?.VpcId ?? u.vpc);
      if (!rt) {
        const shared = sub?.OwnerId && loc.accountId && sub.OwnerId !== loc.accountId ? ` (shared subnet owned by ${sub.OwnerId}: read its route tables in the owner account)` : '';
        ctx.unevaluated('node-subnet-private', `no route table for ${subnetId} in ec2:DescribeRouteTables${shared}; ${usedBy}`, ref);
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
        else if (sub) ctx.pass(ref, 'subnet-auto-public-ip', 'MapPublicIpOnLaunch is false');
        else ctx.unevaluated('subnet-auto-public-ip', `${subnetId} is not in ec2:DescribeSubnets`);
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
          ctx.unevaluated('nat-gateway-available', `${d.ipv4Target} (default route of ${tableId}) is not in the ec2:DescribeNatGateways evidence`, natRef);
        } else {
          ctx.unevaluated('nat-gateway-available', 'ec2:DescribeNatGateways not read');
        }
      }
    }
  },
});

// ============================================================================ CC6-NET-02

type SgRole = 'cluster' | 'node' | 'lb-public' | 'lb-internal';

/** All traffic, or a port range that includes SSH (22) or RDP (3389). */
function opensAdminPorts(r: SgRule): boolean {
  return opensPortsOtherThan(r, []) && (r.IpProtocol === '-1' || r.IpProtocol === 'all' || [22, 3389].some((p) => (r.FromPort ?? -1) === -1 || ((r.FromPort ?? 0) <= p && (r.ToPort ?? 0) >= p)));
}

const SG_RULES: EvidenceRequirement = { anyOf: [aws('ec2:DescribeSecurityGroupRules'), aws('ec2:DescribeSecurityGroups')], what: 'security group rules', alternatives: true };

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
    'groups (AWS then opens port 22 to the internet); a group whose rules were not read is not evaluated. All-traffic ingress from ' +
    'CIDRs wider than the VPC is a warning (recommended). The cluster ' +
    'security group\'s rule admitting itself is expected; 0.0.0.0/0 egress is the common default and only noted. Whether the rest is ' +
    'truly least privilege is a reviewer\'s judgement.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (security group ids)'),
    SG_RULES,
  ],
  optional: [
    aws('ec2:DescribeInstances'), k8s('core/Node'), aws('ec2:DescribeLaunchTemplateVersions'), aws('elasticloadbalancing:DescribeLoadBalancers'),
    aws('elasticloadbalancing:DescribeTags'), aws('eks:DescribeNodegroup'), aws('ec2:GetManagedPrefixListEntries'), aws('ec2:DescribeVpcs'),
  ],
  rules: {
    'no-open-ingress': { title: 'Cluster and node security groups admit no traffic from 0.0.0.0/0 or ::/0', severity: 'high', level: 'required', evidence: [SG_RULES] },
    'lb-open-ports': { title: 'Load balancer security groups open to the world only on 80/443', severity: 'high', level: 'required', evidence: [SG_RULES, aws('elasticloadbalancing:DescribeLoadBalancers')] },
    'all-traffic-wide-cidr': {
      title: 'No all-traffic ingress from CIDRs wider than the VPC', severity: 'low', level: 'recommended', evidence: [SG_RULES],
      basis: 'controls.md: a warning (least-privilege judgement beyond the clear violations)',
    },
    'nodegroup-ssh-source': {
      title: 'Node-group SSH access is limited to source security groups', severity: 'high', level: 'required', evidence: [aws('eks:DescribeNodegroup')],
      basis: 'Without source groups EKS opens port 22 to 0.0.0.0/0 on the nodes',
    },
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
    let openEgress = 0;
    let selfRefs = 0;
    const unexpanded = new Set<string>();

    if (!ev.has('aws:eks:DescribeCluster')) ctx.unevaluated('no-open-ingress', 'the cluster security groups are not known: eks:DescribeCluster not read');
    if (!ev.has('aws:ec2:DescribeInstances')) ctx.note('ec2:DescribeInstances not read: the security groups of the node instances were not looked for (launch templates and the cluster groups were)');
    for (const [sg, info] of roles) {
      const ref = awsRef('AWS::EC2::SecurityGroup', sg, loc);
      if (!queried.has(sg) && !queriedAll) {
        for (const r of ['no-open-ingress', 'lb-open-ports']) {
          if (r === 'no-open-ingress' ? info.roles.has('cluster') || info.roles.has('node') : info.roles.has('lb-public') || info.roles.has('lb-internal')) {
            ctx.unevaluated(r, `the rules of ${sg} (${shortList(info.from, 3)}) were not read (ec2:DescribeSecurityGroupRules with a group-id filter)`, ref);
          }
        }
        continue;
      }
      const g = names.get(sg) as { GroupName?: string } | undefined;
      const label = `${g?.GroupName ? `${g.GroupName}, ` : ''}${shortList(info.from, 3)}`;
      const guardsNodes = info.roles.has('cluster') || info.roles.has('node');
      const lbOnly = !guardsNodes;
      const openHits: string[] = [];
      let severe = false;
      const lbHits: string[] = [];
      const wide: string[] = [];
      const unexpandedHere: string[] = [];
      for (const r of rulesBy.get(sg) ?? []) {
        if (r.IsEgress) {
          if (r.CidrIpv4 === '0.0.0.0/0' || r.CidrIpv6 === '::/0') openEgress++;
          continue;
        }
        const src = ruleSources(r, prefixLists);
        if (src.group === sg) { selfRefs++; continue; }
        if (src.unexpanded) { unexpanded.add(src.unexpanded); unexpandedHere.push(src.unexpanded); }
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
        } else if (unexpandedHere.length) {
          ctx.unevaluated('no-open-ingress', `the entries of prefix list(s) ${[...new Set(unexpandedHere)].join(', ')} were not read (ec2:GetManagedPrefixListEntries) (${label})`, ref);
        } else {
          ctx.pass(ref, 'no-open-ingress', `no ingress from 0.0.0.0/0 or ::/0 (${label})`);
        }
      }
      if (info.roles.has('lb-public') || info.roles.has('lb-internal')) {
        if (lbHits.length) ctx.fail(ref, 'lb-open-ports', `load balancer group open to the world beyond 80/443: ${lbHits.join('; ')} (${label})`, info.roles.has('lb-public') ? undefined : { severity: 'medium' });
        else if (lbOnly) ctx.pass(ref, 'lb-open-ports', `world-open ingress limited to 80/443 (${label})`);
      }
      if (wide.length) ctx.fail(ref, 'all-traffic-wide-cidr', `all-traffic ingress from CIDRs wider than the VPC (${shortList(wideBase)}): ${wide.join(', ')} (${label})`);
      else ctx.pass(ref, 'all-traffic-wide-cidr', `no all-traffic ingress from CIDRs wider than the VPC (${label})`);
    }

    if (!ctx.canEvaluate('nodegroup-ssh-source')) ctx.unevaluated('nodegroup-ssh-source', 'eks:DescribeNodegroup not read');
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
    if (unexpanded.size) ctx.note(`prefix list(s) ${[...unexpanded].join(', ')} not expanded (ec2:GetManagedPrefixListEntries not collected): their entries were not checked for 0.0.0.0/0`);
    if (lbs.mine.length === 0 && ev.has('aws:elasticloadbalancing:DescribeLoadBalancers')) ctx.note('no load balancer of the cluster found');
    if (isAutoMode(cluster, ev.objects('core/Node'))) ctx.note('EKS Auto Mode: nodes use the eks-cluster-sg-* group; custom node security groups need extra IAM permissions for Auto Mode to manage them');
    if (roles.size === 0) ctx.unevaluated('no-open-ingress', 'no security group found in the cluster description, node instances or load balancers');
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
  /** Where this engine would declare a cluster-wide default deny, when that evidence was not read. */
  defaultDenyUnread?: string;
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
      ...(ev.has('k8s:eks.amazonaws.com/NodeClass') ? {} : { defaultDenyUnread: 'Auto Mode NodeClasses (networkPolicy) not read' }),
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
      ...(ev.has('k8s:crd.projectcalico.org/GlobalNetworkPolicy') || ev.has('k8s:projectcalico.org/GlobalNetworkPolicy') ? {} : { defaultDenyUnread: 'Calico GlobalNetworkPolicies not read' }),
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
      ...(ev.has('k8s:cilium.io/CiliumClusterwideNetworkPolicy') ? {} : { defaultDenyUnread: 'CiliumClusterwideNetworkPolicies not read' }),
    });
  }
  return engines;
}

function fargateSelectors(ev: Evidence): FargateSelector[] {
  return ev.aws('eks:DescribeFargateProfile').flatMap((f) => arr<FargateSelector>(out<{ fargateProfile?: { selectors?: FargateSelector[] } }>(f)?.fargateProfile?.selectors));
}

const NP_ENGINE: EvidenceRequirement = {
  anyOf: [k8s('apps/DaemonSet'), aws('eks:DescribeAddon')], what: 'the network-policy engine (aws-node, calico-node or cilium DaemonSets, or the vpc-cni add-on)', alternatives: true,
};

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
    'ConfigMap, Calico or Cilium. Then every namespace — with or without workloads — must deny ingress by default: a policy with ' +
    'an empty podSelector, Ingress in policyTypes and no ingress rules, or a cluster-wide default deny (VPC CNI strict mode, Auto ' +
    'Mode DefaultDeny, a Calico GlobalNetworkPolicy or a Cilium clusterwide policy). NetworkPolicies are additive, so a policy in ' +
    'the namespace that allows every source, or every pod of every namespace, on every port to all its pods cancels the default deny. System namespaces are ' +
    'reported separately. Recommended (warnings): a default deny for egress too (with a DNS allow), and workloads running where ' +
    'policies are enforced — not host-network pods, and, when the VPC CNI is the only engine, not pods on Fargate, hybrid or ' +
    'Windows nodes.',
  requires: [need.kind('networking.k8s.io/NetworkPolicy', 'network policies'), NP_ENGINE],
  optional: [
    k8s('core/ConfigMap'), k8s('core/Namespace'), k8s('core/Node'), k8s('apiextensions.k8s.io/CustomResourceDefinition'),
    k8s('eks.amazonaws.com/NodeClass'), k8s('crd.projectcalico.org/GlobalNetworkPolicy'), k8s('projectcalico.org/GlobalNetworkPolicy'),
    k8s('cilium.io/CiliumClusterwideNetworkPolicy'), aws('eks:DescribeCluster'), aws('eks:DescribeFargateProfile'), ...WORKLOAD_KEYS,
  ],
  rules: {
    'policy-engine': { title: 'A network-policy engine is installed and enforcing', severity: 'high', level: 'required', evidence: [NP_ENGINE] },
    'netpol-default-deny': {
      title: 'Each namespace denies ingress by default, and no policy there allows everything', severity: 'high', level: 'required',
      evidence: [k8s('networking.k8s.io/NetworkPolicy')], basis: 'Checklist: the deny-all-default NetworkPolicy, per namespace',
    },
    'netpol-default-deny-egress': {
      title: 'Each namespace denies egress by default, and no policy there allows everything', severity: 'low', level: 'recommended',
      evidence: [k8s('networking.k8s.io/NetworkPolicy')], basis: 'controls.md: missing default-deny egress is a warning',
    },
    'netpol-not-enforced': {
      title: 'Workloads run where network policies are enforced', severity: 'low', level: 'recommended', evidence: [need.workloads(), NP_ENGINE],
      basis: 'controls.md: a warning (host-network pods, and pods the VPC CNI does not enforce on)',
    },
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
    if (engines.length === 0 && !ev.complete('k8s:apps/DaemonSet')) {
      ctx.unevaluated('policy-engine', 'no network-policy engine in the input, and the DaemonSets were not read as a whole inventory (aws-node, calico-node or cilium may run in the cluster)');
    } else if (engines.length === 0) {
      ctx.fail(clusterRef(cluster, ctx.clusterName ?? 'cluster'), 'policy-engine',
        `no network-policy engine found (VPC CNI with enableNetworkPolicy, Auto Mode, Calico or Cilium): ${policies.length ? `the ${policies.length} NetworkPolicy object(s) in the cluster do nothing` : 'NetworkPolicy objects would do nothing'}`);
    } else if (enforcing.length === 0 && policies.length) {
      ctx.note(`the ${policies.length} NetworkPolicy object(s) below are not enforced by anything`);
    }
    const clusterDeny = enforcing.find((e) => e.defaultDeny)?.defaultDeny;
    // A cluster-wide default deny comes from the engine: with the engine unread, whether one exists is unknown.
    const clusterDenyUnread = clusterDeny ? undefined
      : !ctx.canEvaluate('policy-engine') ? 'the network-policy engine (aws-node / calico-node / cilium DaemonSets or the vpc-cni add-on) was not read'
        : enforcing.find((e) => e.defaultDenyUnread)?.defaultDenyUnread;
    const vpcCniOnly = enforcing.length > 0 && enforcing.every((e) => e.vpcCniOnly);

    const haveWorkloads = ctx.canEvaluate('netpol-not-enforced');
    const all = haveWorkloads ? workloads(ev) : [];
    // Objects read from files may carry no namespace: they belong to "default".
    const policiesByNs = groupBy(policies, (p) => p.metadata.namespace ?? 'default');
    const namespaces = [...new Set([...ev.namespaces(), ...all.map((w) => w.namespace), ...policiesByNs.keys()])].sort();
    const nsState = ev.state('k8s:core/Namespace');
    if (nsState === 'denied' || nsState === 'error' || nsState === 'partial') {
      ctx.unevaluated('netpol-default-deny', 'Namespaces could not be read completely: namespaces without any object in the evidence were not judged');
    } else if (nsState === 'not-collected') {
      ctx.note('Namespace objects are not in the input: only the namespaces that objects live in were judged');
    }
    const names = (ps: readonly K8sObject[]) => ps.map((p) => p.metadata.name ?? '?').join(', ');
    // "No default deny in this namespace" is an absence claim: loose manifests may not hold the cluster's policies.
    const policiesComplete = ev.complete('k8s:networking.k8s.io/NetworkPolicy');
    const loose = 'the NetworkPolicies were not read as a whole inventory: a default deny outside the input is not excluded';
    for (const ns of namespaces) {
      const nsPolicies = policiesByNs.get(ns) ?? [];
      const ref = namespaceRef(ev, ns);
      // Policies are additive: a policy allowing every source to all pods undoes any default deny.
      const denyIn = nsPolicies.find(isDefaultDenyIngress);
      const openIn = nsPolicies.filter((p) => selectsAllPods(npSpec(p)) && allowsAllIngress(p));
      const someOpenIn = nsPolicies.filter((p) => !selectsAllPods(npSpec(p)) && allowsAllIngress(p));
      if (openIn.length) {
        ctx.fail(ref, 'netpol-default-deny', `NetworkPolicy ${names(openIn)} allows ${openScopeWords(openIn, 'from')} on every port to all pods${denyIn || clusterDeny ? `, which cancels the default deny (${denyIn ? `NetworkPolicy ${denyIn.metadata.name}` : clusterDeny}): policies are additive` : ''}`);
      } else if (denyIn) {
        ctx.pass(ref, 'netpol-default-deny', `default-deny ingress: NetworkPolicy ${denyIn.metadata.name}`);
      } else if (clusterDeny) {
        ctx.pass(ref, 'netpol-default-deny', `covered by a cluster-wide default deny: ${clusterDeny}`);
      } else if (clusterDenyUnread) {
        ctx.unevaluated('netpol-default-deny', `no default-deny NetworkPolicy in ${ns}, and a cluster-wide default deny could not be looked for: ${clusterDenyUnread}`, ref);
      } else if (!policiesComplete) {
        ctx.unevaluated('netpol-default-deny', `no default-deny NetworkPolicy for ${ns} in the input; ${loose}`, ref);
      } else {
        ctx.fail(ref, 'netpol-default-deny', nsPolicies.length
          ? `${nsPolicies.length} NetworkPolicy object(s) but none denies ingress by default: pods they do not select accept traffic from anywhere`
          : 'no NetworkPolicy: every pod accepts traffic from anywhere in the cluster');
      }
      if (someOpenIn.length && !openIn.length) ctx.note(`${ns}: NetworkPolicy ${names(someOpenIn)} allows ${openScopeWords(someOpenIn, 'from')} on every port to the pods it selects`);

      const denyEg = nsPolicies.find(isDefaultDenyEgress);
      const openEg = nsPolicies.filter((p) => selectsAllPods(npSpec(p)) && allowsAllEgress(p));
      if (openEg.length) {
        ctx.fail(ref, 'netpol-default-deny-egress', `NetworkPolicy ${names(openEg)} allows all pods to reach ${openScopeWords(openEg, 'to')} on every port${denyEg ? `, which cancels the default deny (NetworkPolicy ${denyEg.metadata.name})` : ''}`);
      } else if (denyEg) {
        ctx.pass(ref, 'netpol-default-deny-egress', `default-deny egress: NetworkPolicy ${denyEg.metadata.name}`);
        if (!allowsDns(nsPolicies)) ctx.note(`${ns}: egress is denied by default but no policy allows DNS (port 53): name resolution will fail`);
      } else if (clusterDeny) {
        ctx.pass(ref, 'netpol-default-deny-egress', `covered by a cluster-wide default deny: ${clusterDeny}`);
      } else if (clusterDenyUnread) {
        ctx.unevaluated('netpol-default-deny-egress', `a cluster-wide default deny could not be looked for: ${clusterDenyUnread}`);
      } else if (!policiesComplete) {
        ctx.unevaluated('netpol-default-deny-egress', loose);
      } else {
        ctx.fail(ref, 'netpol-default-deny-egress', 'no default-deny egress policy: pods may connect anywhere');
      }
    }

    if (haveWorkloads) {
      const nodes = new Map(ev.objects('core/Node').map((n) => [n.metadata.name ?? '', n] as const));
      const pods = ev.has('k8s:core/Pod') ? podsByWorkload(ev) : new Map<string, K8sObject[]>();
      const fargate = fargateSelectors(ev);
      for (const w of all) {
        if (w.spec.hostNetwork === true) {
          ctx.fail(w.obj, 'netpol-not-enforced', 'hostNetwork: true — NetworkPolicy does not apply to host-network pods');
          continue;
        }
        if (enforcing.length === 0) continue; // nothing enforces anywhere: policy-engine fails
        const place = vpcCniOnly ? unenforcedPlacement(w, w.obj.kind === 'Pod' ? [w.obj] : (pods.get(workloadKey(w.obj)) ?? []), nodes, fargate) : undefined;
        if (place) ctx.fail(w.obj, 'netpol-not-enforced', `runs on ${place === 'windows' ? 'Windows' : place} nodes, where VPC CNI network policies are not enforced (EC2 Linux nodes only)`);
        else ctx.pass(w.obj, 'netpol-not-enforced', `runs where ${enforcing.map((e) => e.name).join(' and ')} enforce${enforcing.length === 1 ? 's' : ''} network policies`);
      }
    } else {
      ctx.unevaluated('netpol-not-enforced', 'workloads not read');
    }
  },
});

// ============================================================================ CC6-NET-04

interface SgpSpec {
  podSelector?: LabelSelector;
  serviceAccountSelector?: LabelSelector;
  securityGroups?: { groupIds?: string[] };
}

const VPC_CNI: EvidenceRequirement = { anyOf: [k8s('apps/DaemonSet'), aws('eks:DescribeAddon')], what: 'the VPC CNI configuration (aws-node DaemonSet or vpc-cni add-on)', alternatives: true };

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
    'requirePodSecurityGroups: false). A SecurityGroupPolicy that selects no workload is a warning.',
  requires: [VPC_CNI],
  optional: [
    k8s('vpcresources.k8s.aws/SecurityGroupPolicy'), k8s('core/ServiceAccount'), k8s('core/Node'), aws('eks:DescribeCluster'),
    aws('ec2:DescribeSecurityGroupRules'), aws('ec2:GetManagedPrefixListEntries'), ...WORKLOAD_KEYS,
  ],
  rules: {
    'pod-eni-enabled': { title: 'ENABLE_POD_ENI is true on the VPC CNI', severity: 'high', level: 'required', basis: 'Checklist: "Enable security groups for pods using AWS CNI"' },
    'sgp-present': {
      title: 'At least one SecurityGroupPolicy selects running workloads', severity: 'medium', level: 'required', evidence: [VPC_CNI, k8s('vpcresources.k8s.aws/SecurityGroupPolicy')],
      basis: 'controls.md: the feature enabled and at least one SecurityGroupPolicy selecting the workloads in scope',
    },
    'sgp-selects': {
      title: 'Each SecurityGroupPolicy selects at least one workload', severity: 'low', level: 'recommended', evidence: [k8s('vpcresources.k8s.aws/SecurityGroupPolicy'), need.workloads()],
      basis: 'A policy that selects nothing is stale configuration, not a gap in the control',
    },
    'sgp-namespace-coverage': {
      title: 'Every workload of the configured namespaces has pod security groups', severity: 'medium', level: 'required', evidence: [k8s('vpcresources.k8s.aws/SecurityGroupPolicy'), need.workloads()],
      basis: 'The organisation\'s scope (podSecurityGroupNamespaces) of the checklist item',
    },
    'sgp-groups-open': {
      title: 'Security groups assigned to pods admit nothing from 0.0.0.0/0', severity: 'high', level: 'required', evidence: [k8s('vpcresources.k8s.aws/SecurityGroupPolicy'), aws('ec2:DescribeSecurityGroupRules')],
      basis: 'controls.md: the referenced groups are judged as CC6-NET-02 judges node groups (world-open ingress fails)',
    },
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
        ctx.unevaluated('pod-eni-enabled', 'the Amazon VPC CNI configuration was not found (no kube-system/aws-node DaemonSet and no vpc-cni add-on in the evidence)');
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

    if (!ctx.canEvaluate('sgp-present')) {
      for (const r of ['sgp-present', 'sgp-selects', 'sgp-namespace-coverage', 'sgp-groups-open']) ctx.unevaluated(r, 'SecurityGroupPolicies not read');
      return;
    }
    const sgps = ev.objects('vpcresources.k8s.aws/SecurityGroupPolicy');
    const haveWorkloads = ctx.canEvaluate('sgp-selects');
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
    const cref = clusterRef(cluster, ctx.clusterName ?? 'cluster');
    const sgpsComplete = ev.complete('k8s:vpcresources.k8s.aws/SecurityGroupPolicy');
    if (sgps.length === 0 && !sgpsComplete) ctx.unevaluated('sgp-present', 'no SecurityGroupPolicy in the input, and they were not read as a whole inventory');
    else if (sgps.length === 0) ctx.fail(cref, 'sgp-present', 'no SecurityGroupPolicy objects: every pod shares the node security groups');
    else if (!haveWorkloads) ctx.unevaluated('sgp-present', `${sgps.length} SecurityGroupPolicy object(s), but the workloads they would select were not read`);
    else if (selecting > 0) ctx.pass(cref, 'sgp-present', `${selecting} SecurityGroupPolicy object(s) select running workloads`);
    else if (!sgpsComplete || !WORKLOAD_KEYS.every((k) => ev.complete(k))) ctx.unevaluated('sgp-present', 'no SecurityGroupPolicy in the input selects a workload in the input; the inventories were not read as a whole');
    else ctx.fail(cref, 'sgp-present', 'no SecurityGroupPolicy selects any workload');
    if (!haveWorkloads) {
      ctx.unevaluated('sgp-selects', 'workloads not read');
      if (ctx.config.podSecurityGroupNamespaces.length) ctx.unevaluated('sgp-namespace-coverage', 'workloads not read');
    }
    for (const ns of ctx.config.podSecurityGroupNamespaces) {
      for (const w of allByNs.get(ns) ?? []) {
        if (w.spec.hostNetwork === true) continue;
        const by = selected.get(workloadKey(w.obj));
        if (by) ctx.pass(w.obj, 'sgp-namespace-coverage', `security groups from ${by.join(', ')}`);
        else if (!sgpsComplete) ctx.unevaluated('sgp-namespace-coverage', 'no SecurityGroupPolicy in the input selects it; the SecurityGroupPolicies were not read as a whole inventory', w.obj);
        else ctx.fail(w.obj, 'sgp-namespace-coverage', `namespace ${ns} requires pod security groups but no SecurityGroupPolicy selects this workload`);
      }
    }

    if (ctx.canEvaluate('sgp-groups-open')) {
      const rules = securityGroupRules(ev, { rules: true, groups: false });
      const pls = prefixListEntries(ev);
      for (const p of sgps) {
        const open: string[] = [];
        const unseen: string[] = [];
        const unexpanded = new Set<string>();
        const groups = ((p.spec ?? {}) as SgpSpec).securityGroups?.groupIds ?? [];
        for (const g of groups) {
          if (!rules.has(g)) { unseen.push(g); continue; }
          for (const r of (rules.get(g) ?? []) as SgRule[]) {
            if (r.IsEgress) continue;
            const src = ruleSources(r, pls);
            if (src.unexpanded) unexpanded.add(src.unexpanded);
            if (src.cidrs.some((c) => OPEN_CIDRS.has(c))) open.push(`${g} ${portLabel(r)}`);
          }
        }
        if (open.length) ctx.fail(p, 'sgp-groups-open', `pod security group(s) admit the internet: ${open.join('; ')}`);
        else if (unseen.length || unexpanded.size) {
          ctx.unevaluated('sgp-groups-open', [unseen.length ? `no rules read for ${shortList(unseen)}` : '', unexpanded.size ? `prefix list(s) ${[...unexpanded].join(', ')} not expanded` : ''].filter(Boolean).join('; '), p);
        } else ctx.pass(p, 'sgp-groups-open', groups.length ? `${groups.join(', ')} admit nothing from 0.0.0.0/0 or ::/0` : 'assigns no security group');
      }
    } else if (sgps.length) {
      ctx.unevaluated('sgp-groups-open', 'the rules of the pod security groups were not read');
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
    '(classic WAF, Shield) are a warning. Internal ALBs and Network Load Balancers (which cannot carry WAF) are noted, not ' +
    'failed; an ALB without a WAF answer is not evaluated.',
  requires: [need.aws('elasticloadbalancing:DescribeLoadBalancers', 'the load balancers')],
  optional: [
    aws('wafv2:GetWebACLForResource'), aws('elasticloadbalancing:DescribeTags'), aws('eks:DescribeCluster'),
    k8s('networking.k8s.io/Ingress'), k8s('networking.k8s.io/IngressClass'),
  ],
  rules: {
    'alb-waf': {
      title: 'Each internet-facing ALB has a WAFv2 web ACL', severity: 'high', level: 'required',
      evidence: [aws('elasticloadbalancing:DescribeLoadBalancers'), aws('wafv2:GetWebACLForResource')], basis: 'Checklist: "Configure Application Load Balancer with AWS WAF"',
    },
    'ingress-waf-annotation': {
      title: 'WAF annotations are ones the Ingress controller honours', severity: 'low', level: 'recommended', evidence: [],
      basis: 'The AWS-side association (alb-waf) is authoritative; an ignored annotation is a configuration warning',
    },
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
      else ctx.pass(ing, 'ingress-waf-annotation', 'no WAF annotation EKS Auto Mode ignores');
    }

    if (publicAlbs.length === 0) {
      ctx.notApplicable(mine.length ? 'no internet-facing Application Load Balancer serves the cluster' : 'no load balancer serves the cluster');
      return;
    }
    if (!ctx.canEvaluate('alb-waf')) {
      ctx.unevaluated('alb-waf', `WAF associations not read for ${publicAlbs.length} internet-facing ALB(s)`);
      return;
    }
    const acls = new Map<string, { Name?: string; ARN?: string } | null>();
    for (const f of ev.aws('wafv2:GetWebACLForResource')) {
      const arn = typeof f.params?.ResourceArn === 'string' ? f.params.ResourceArn : undefined;
      if (arn) acls.set(arn, out<{ WebACL?: { Name?: string; ARN?: string } }>(f)?.WebACL ?? null);
    }
    for (const m of publicAlbs) {
      const ref = awsRef(LB_KIND, m.name, { ...loc, arn: m.arn });
      const annotated = m.stack?.startsWith('Ingress ') ? annotatedAcl(ingresses, m.stack.slice(8)) : undefined;
      const ctxText = `${m.stack ? `for ${m.stack}, ` : ''}${m.why}`;
      if (!acls.has(m.arn)) { ctx.unevaluated('alb-waf', `no wafv2:GetWebACLForResource answer for ${m.name}`, ref); continue; }
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
const MESH_DETECTION: EvidenceRequirement = { anyOf: MESH_DETECTION_KEYS, what: 'mesh detection (CRDs, control-plane Deployments or namespaces)' };

/** The rules of the common opening (`meshGate`) of every mesh control. */
const MESH_GATE_RULES = (severity: 'medium' | 'high') => ({
  'mesh-installed': {
    title: 'A service mesh is installed when the mesh is in scope', severity, level: 'required' as const,
    basis: 'The checklist marks the mesh section optional: required only when configuration scope.serviceMesh is true',
  },
  'app-mesh-discontinued': { title: 'AWS App Mesh is not used (discontinued)', severity: 'high' as const, level: 'required' as const, basis: 'AWS ended App Mesh support on 2026-09-30' },
});

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
  requires: [MESH_DETECTION],
  optional: MESH_OPTIONAL,
  rules: {
    ...MESH_GATE_RULES('medium'),
    'mesh-control-plane': { title: 'The mesh control plane is available', severity: 'high', level: 'required' },
    'mesh-coverage': {
      title: 'Enough application workloads are in the mesh', severity: 'medium', level: 'required', evidence: [MESH_DETECTION, need.workloads()],
      basis: 'controls.md: at least meshCoveragePercent of the in-scope pods meshed',
    },
    'workload-meshed': { title: 'Workload runs with a mesh proxy or in ambient mode (judged when coverage is below the threshold)', severity: 'medium', level: 'required', evidence: [MESH_DETECTION, need.workloads()] },
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
    if (!ctx.canEvaluate('mesh-coverage')) {
      ctx.unevaluated('mesh-coverage', 'workloads not read');
      ctx.unevaluated('workload-meshed', 'workloads not read');
      return;
    }
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
    'skipped by the proxy are a warning (recommended). Rules whose policies were not read are not evaluated.',
  requires: [MESH_DETECTION],
  optional: [k8s('security.istio.io/PeerAuthentication'), k8s('networking.istio.io/DestinationRule'), ...MESH_OPTIONAL],
  rules: {
    ...MESH_GATE_RULES('high'),
    'mesh-wide-strict': { title: 'Istio mesh-wide PeerAuthentication is STRICT', severity: 'high', level: 'required', evidence: [MESH_DETECTION, k8s('security.istio.io/PeerAuthentication')] },
    'namespace-mtls': { title: 'Meshed namespaces require mutual TLS', severity: 'high', level: 'required', evidence: [MESH_DETECTION, need.workloads()] },
    'mtls-override': { title: 'No workload or port weakens mutual TLS', severity: 'medium', level: 'required', evidence: [k8s('security.istio.io/PeerAuthentication')] },
    'destinationrule-tls': {
      title: 'No DestinationRule disables TLS', severity: 'medium', level: 'required', evidence: [k8s('networking.istio.io/DestinationRule')],
      basis: 'A client-side DISABLE sends plaintext whatever the server accepts',
    },
    'linkerd-skip-ports': {
      title: 'No inbound ports bypass the Linkerd proxy', severity: 'low', level: 'recommended', evidence: [need.workloads()],
      basis: 'The description calls skipped inbound ports a warning (controls.md: annotation semantics not re-verified)',
    },
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
    const workloadsRead = ctx.canEvaluate('namespace-mtls');
    if (!workloadsRead) {
      ctx.unevaluated('namespace-mtls', 'workloads not read: the meshed namespaces are not known');
      ctx.unevaluated('linkerd-skip-ports', 'workloads not read');
    }
    const cov = workloadsRead ? meshCoverage(ev, mesh, ctx) : [];
    const namespaces = meshNamespaces(cov);
    if (mesh.istio && !ev.has('k8s:security.istio.io/PeerAuthentication')) {
      for (const r of ['mesh-wide-strict', 'namespace-mtls', 'mtls-override']) ctx.unevaluated(r, `Istio is installed but PeerAuthentication policies were not read (${ev.state('k8s:security.istio.io/PeerAuthentication')})`);
    }
    if (mesh.istio && ctx.canEvaluate('destinationrule-tls')) {
      for (const dr of ev.objects('networking.istio.io/DestinationRule')) {
        const tp = (dr.spec as { trafficPolicy?: { tls?: { mode?: string }; portLevelSettings?: { port?: { number?: number }; tls?: { mode?: string } }[] } } | undefined)?.trafficPolicy;
        const off: string[] = [];
        if (tp?.tls?.mode === 'DISABLE') off.push('all ports');
        for (const s of arr<{ port?: { number?: number }; tls?: { mode?: string } }>(tp?.portLevelSettings)) if (s.tls?.mode === 'DISABLE') off.push(`port ${s.port?.number ?? '?'}`);
        if (off.length) ctx.fail(dr, 'destinationrule-tls', `tls.mode DISABLE on ${off.join(', ')}: clients send plaintext to ${(dr.spec as { host?: string } | undefined)?.host ?? 'the host'}`);
        else ctx.pass(dr, 'destinationrule-tls', 'does not disable TLS');
      }
    } else if (mesh.istio) {
      ctx.unevaluated('destinationrule-tls', 'DestinationRules not read');
    }
    if (mesh.istio && ev.has('k8s:security.istio.io/PeerAuthentication')) {
      const root = mesh.istio.rootNamespace;
      const pas = ev.objects('security.istio.io/PeerAuthentication');
      const meshWide = pas.find((p) => p.metadata.namespace === root && !hasWorkloadSelector(p.spec as Record<string, unknown>));
      const meshMode = paMode(meshWide);
      const effectiveMesh: Mode = meshMode === 'UNSET' ? 'PERMISSIVE' : meshMode;
      const mref = meshWide ? clusterScoped(meshWide) : { provider: 'kubernetes' as const, apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', name: `${root}/default` };
      // Without a mesh-wide policy in the input, its absence is a fact only when every PeerAuthentication was read.
      const paComplete = ev.complete('k8s:security.istio.io/PeerAuthentication');
      if (effectiveMesh === 'STRICT') ctx.pass(mref, 'mesh-wide-strict', `mesh-wide PeerAuthentication ${meshWide!.metadata.name} in ${root}: STRICT`);
      else if (!meshWide && !paComplete) ctx.unevaluated('mesh-wide-strict', `no mesh-wide PeerAuthentication in ${root} in the input; the PeerAuthentications were not read as a whole inventory`);
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
        if (m === 'UNSET' && !meshWide && !paComplete) { ctx.unevaluated('namespace-mtls', `no PeerAuthentication for ${ns} or the mesh in the input; the PeerAuthentications were not read as a whole inventory`, ref); continue; }
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
        else if (c.meshed) ctx.pass(c.w.obj, 'linkerd-skip-ports', 'no inbound port bypasses the proxy');
      }
    }
    if (workloadsRead && namespaces.length === 0) ctx.note('no application namespace is in the mesh yet (see CC6-MESH-01)');
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
    'Optional section (see CC6-MESH-01). Required: every namespace in the mesh denies by default. Istio: an AuthorizationPolicy ' +
    'with an empty spec (ALLOW with no rules) in the namespace, or in the root namespace for the whole mesh, denies everything not ' +
    'allowed elsewhere — and since ALLOW policies are additive, a namespace-wide or mesh-wide rule "{}" that allows every request ' +
    'cancels it. Linkerd: a default inbound policy (namespace annotation config.linkerd.io/default-inbound-policy, else the ' +
    'install default in linkerd-config) of audit fails. Recommended (warnings): explicit allow policies in each namespace, no ' +
    'workload-scoped allow-everything rule, and a Linkerd default inbound policy other than the all-unauthenticated default. ' +
    'Whether the allow rules are right is a reviewer\'s judgement.',
  requires: [MESH_DETECTION],
  optional: [k8s('security.istio.io/AuthorizationPolicy'), k8s('policy.linkerd.io/*'), k8s('core/ConfigMap'), ...MESH_OPTIONAL],
  rules: {
    ...MESH_GATE_RULES('medium'),
    'authz-default-deny': {
      title: 'Each meshed namespace denies by default, and no namespace-wide policy allows every request', severity: 'medium', level: 'required',
      evidence: [MESH_DETECTION, need.workloads()], basis: 'Checklist: "Configure traffic policies and access controls" (controls.md: a default-deny posture per namespace)',
    },
    'authz-allow-policies': {
      title: 'Each meshed namespace has explicit allow policies', severity: 'low', level: 'recommended', evidence: [MESH_DETECTION, need.workloads()],
      basis: 'A namespace that denies everything is stricter than the item asks; missing allows are an operational warning',
    },
    'authz-allow-all': {
      title: 'No workload-scoped AuthorizationPolicy allows every request', severity: 'medium', level: 'recommended', evidence: [k8s('security.istio.io/AuthorizationPolicy')],
      basis: 'An allow-all for selected workloads may be deliberate (a public frontend): reviewed in the attestation',
    },
    'linkerd-default-inbound': {
      title: 'The Linkerd default inbound policy is not all-unauthenticated', severity: 'low', level: 'recommended', evidence: [MESH_DETECTION, need.workloads()],
      basis: 'The description and controls.md call the all-unauthenticated default a warning',
    },
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
    if (!ctx.canEvaluate('authz-default-deny')) {
      for (const r of ['authz-default-deny', 'authz-allow-policies', 'linkerd-default-inbound']) ctx.unevaluated(r, 'workloads not read: the meshed namespaces are not known');
    }
    const cov = ctx.canEvaluate('authz-default-deny') ? meshCoverage(ev, mesh, ctx) : [];
    const namespaces = meshNamespaces(cov);
    if (ctx.canEvaluate('authz-default-deny') && namespaces.length === 0) ctx.note('no application namespace is in the mesh yet (see CC6-MESH-01)');
    if (mesh.istio) {
      if (!ev.has('k8s:security.istio.io/AuthorizationPolicy')) {
        for (const r of ['authz-default-deny', 'authz-allow-policies', 'authz-allow-all']) ctx.unevaluated(r, `Istio is installed but AuthorizationPolicies were not read (${ev.state('k8s:security.istio.io/AuthorizationPolicy')})`);
      } else {
        const aps = ev.objects('security.istio.io/AuthorizationPolicy');
        const root = mesh.istio.rootNamespace;
        const isAllow = (p: K8sObject) => { const a = ((p.spec ?? {}) as AuthzSpec).action; return a === undefined || a === 'ALLOW'; };
        const allowsEverything = (p: K8sObject) => isAllow(p) && arr<Record<string, unknown>>(((p.spec ?? {}) as AuthzSpec).rules).some((r) => Object.keys(r ?? {}).length === 0);
        const meshDeny = aps.find((p) => p.metadata.namespace === root && allowsNothing(p));
        // ALLOW policies are additive: a namespace-wide (or mesh-wide) rule "{}" allows every request and undoes the deny.
        const meshOpen = aps.filter((p) => p.metadata.namespace === root && !hasWorkloadSelector(p.spec as Record<string, unknown>) && allowsEverything(p));
        const apsByNs = groupBy(aps, (p) => p.metadata.namespace);
        for (const ns of namespaces) {
          const ref = namespaceRef(ev, ns);
          const inNs = apsByNs.get(ns) ?? [];
          const deny = inNs.find(allowsNothing) ?? meshDeny;
          const open = [...inNs.filter((p) => !hasWorkloadSelector(p.spec as Record<string, unknown>) && allowsEverything(p)), ...meshOpen];
          if (!open.length && !deny && !ev.complete('k8s:security.istio.io/AuthorizationPolicy')) { ctx.unevaluated('authz-default-deny', `no allow-nothing AuthorizationPolicy for ${ns} in the input; the AuthorizationPolicies were not read as a whole inventory`, ref); continue; }
          if (open.length) ctx.fail(ref, 'authz-default-deny', `AuthorizationPolicy ${open.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')} allows every request to every workload${deny ? `, which cancels the allow-nothing policy ${deny.metadata.namespace}/${deny.metadata.name}` : ''}`);
          else if (deny) ctx.pass(ref, 'authz-default-deny', `deny by default: AuthorizationPolicy ${deny.metadata.namespace}/${deny.metadata.name} allows nothing`);
          else ctx.fail(ref, 'authz-default-deny', inNs.length ? `${inNs.length} AuthorizationPolicy object(s) but no allow-nothing policy: workloads they do not select accept every caller` : 'no AuthorizationPolicy: every meshed caller is allowed');
          const allows = inNs.filter((p) => isAllow(p) && arr(((p.spec ?? {}) as AuthzSpec).rules).length > 0);
          if (allows.length) ctx.pass(ref, 'authz-allow-policies', `${allows.length} explicit ALLOW polic${allows.length === 1 ? 'y' : 'ies'}: ${shortList(allows.map((p) => p.metadata.name ?? '?'))}`);
          else if (deny) ctx.fail(ref, 'authz-allow-policies', 'default deny without any explicit ALLOW policy: every call to the namespace is refused (intended?)');
        }
        for (const p of aps) {
          const s = (p.spec ?? {}) as AuthzSpec;
          if (hasWorkloadSelector(s as Record<string, unknown>)) {
            if (allowsEverything(p)) ctx.fail(p, 'authz-allow-all', 'a rule "{}" matches every request: the policy allows everything to the workloads it selects');
            else ctx.pass(p, 'authz-allow-all', 'no rule that matches every request');
          }
          if (s.action === 'AUDIT' || s.action === 'CUSTOM') ctx.note(`AuthorizationPolicy ${p.metadata.namespace}/${p.metadata.name} uses action ${s.action} (not an allow/deny decision by itself)`);
        }
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
        if (LINKERD_DENYING.has(eff)) {
          ctx.pass(ref, 'authz-default-deny', `default inbound policy ${eff} (${source})`);
          ctx.pass(ref, 'linkerd-default-inbound', `default inbound policy ${eff} (${source})`);
        } else if (eff === 'audit') {
          ctx.fail(ref, 'authz-default-deny', `default inbound policy audit (${source}): requests are only audited, nothing is denied`);
        } else {
          ctx.fail(ref, 'linkerd-default-inbound', `default inbound policy ${eff} (${source}): unauthenticated callers are allowed`);
        }
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
