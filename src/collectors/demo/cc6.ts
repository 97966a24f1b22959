import type { Attestation, AwsFact, JsonObject, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj } from './build.js';

/**
 * Demo fragment for CC6 (network and service mesh): the VPC CNI (aws-node with the network-policy
 * agent, its ConfigMap), NetworkPolicies, SecurityGroupPolicies, ALB Ingresses and LoadBalancer
 * Services, Istio; and the AWS side — EC2 instances, subnets, route tables, NAT, security groups,
 * load balancers and WAF.
 *
 * What it shows: nodes in private subnets (pass); the node group's SSH remote access open to the
 * world and a legacy NLB open on 8080 (fail); network policies enforced, with default deny in
 * payments and data but not in storefront (allow rules only) or legacy (none) (fail); security
 * groups for pods on payments and data (pass); the storefront ALB behind WAF but the legacy ALB
 * not (fail); Istio installed with STRICT mutual TLS but payments' pods started before injection
 * was enabled (MESH-01 fail, MESH-02 pass, MESH-03 attested).
 */

const A = DEMO.accountId;
const R = DEMO.region;

export const SUBNETS = {
  privateA: 'subnet-0private1a000001',
  privateB: 'subnet-0private1b000002',
  privateC: 'subnet-0private1c000003',
  publicA: 'subnet-0public1a0000004',
  publicB: 'subnet-0public1b0000005',
} as const;

export const SG = {
  cluster: 'sg-0eksclustersg00001',
  controlPlane: 'sg-0controlplane00001',
  remoteAccess: 'sg-0remoteaccess0001',
  albStorefront: 'sg-0albstorefront001',
  albPayments: 'sg-0albpayments00001',
  albLegacy: 'sg-0alblegacy0000001',
  nlbLegacy: 'sg-0nlblegacy0000001',
  paymentsPods: 'sg-0paymentspods0001',
  dataPods: 'sg-0datapods00000001',
} as const;

const lbArn = (kind: 'app' | 'net', name: string, id: string) => `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/${kind}/${name}/${id}`;

/** The cluster's load balancers (the CC9 fragment adds their listeners). */
export const LBS = {
  storefront: { name: 'k8s-storefro-web-6f1c2a9b3e', arn: lbArn('app', 'k8s-storefro-web-6f1c2a9b3e', '8e1d1f0c2b3a4c5d'), type: 'application', scheme: 'internet-facing', sg: SG.albStorefront, stack: 'storefront/web' },
  payments: { name: 'k8s-payments-paymenta-2b7d4e1f0a', arn: lbArn('app', 'k8s-payments-paymenta-2b7d4e1f0a', '1a2b3c4d5e6f7a8b'), type: 'application', scheme: 'internal', sg: SG.albPayments, stack: 'payments/payments-api' },
  legacy: { name: 'k8s-legacy-billing-9c3e5a7d1b', arn: lbArn('app', 'k8s-legacy-billing-9c3e5a7d1b', '9f8e7d6c5b4a3f2e'), type: 'application', scheme: 'internet-facing', sg: SG.albLegacy, stack: 'legacy/billing' },
  legacyTcp: { name: 'k8s-legacy-billingt-4d2f6b8a0c', arn: lbArn('net', 'k8s-legacy-billingt-4d2f6b8a0c', '0c1d2e3f4a5b6c7d'), type: 'network', scheme: 'internet-facing', sg: SG.nlbLegacy, stack: 'legacy/billing-tcp' },
} as const;

export const CERT_ARN = `arn:aws:acm:${R}:${A}:certificate/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
export const WEB_ACL_ARN = `arn:aws:wafv2:${R}:${A}:regional/webacl/acme-edge/3c2b1a09-8f7e-6d5c-4b3a-2f1e0d9c8b7a`;

// ------------------------------------------------------------------------------------------ Kubernetes

const ns = (name: string, labels: Record<string, string> = {}) => obj('v1', 'Namespace', name, undefined, {}, { labels: { 'kubernetes.io/metadata.name': name, ...labels } });

const crd = (name: string, kind: string) => {
  const [plural, ...group] = name.split('.');
  return obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name, undefined, {
    spec: { group: group.join('.'), names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] },
    status: { conditions: [{ type: 'Established', status: 'True' }] },
  });
};

function netpol(name: string, namespace: string, spec: Record<string, unknown>): K8sObject {
  return obj('networking.k8s.io/v1', 'NetworkPolicy', name, namespace, { spec });
}

const dnsEgress = { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] };

function awsNode(): K8sObject {
  return obj('apps/v1', 'DaemonSet', 'aws-node', 'kube-system', {
    spec: {
      selector: { matchLabels: { 'k8s-app': 'aws-node' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'aws-node', 'k8s-app': 'aws-node' } },
        spec: {
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'aws-node',
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate', 'hybrid', 'auto'] },
          ] }] } } },
          initContainers: [{ name: 'aws-vpc-cni-init', image: `602401143452.dkr.ecr.${R}.amazonaws.com/amazon-k8s-cni-init:v1.19.2-eksbuild.1`, securityContext: { privileged: true } }],
          containers: [
            {
              name: 'aws-node',
              image: `602401143452.dkr.ecr.${R}.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1`,
              env: [
                { name: 'ENABLE_POD_ENI', value: 'true' },
                { name: 'POD_SECURITY_GROUP_ENFORCING_MODE', value: 'standard' },
                { name: 'NETWORK_POLICY_ENFORCING_MODE', value: 'standard' },
                { name: 'ENABLE_PREFIX_DELEGATION', value: 'false' },
                { name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'false' },
                { name: 'VPC_CNI_VERSION', value: 'v1.19.2' },
              ],
              securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
              resources: { requests: { cpu: '25m' } },
            },
            {
              name: 'aws-eks-nodeagent',
              image: `602401143452.dkr.ecr.${R}.amazonaws.com/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1`,
              args: ['--enable-ipv6=false', '--enable-network-policy=true', '--enable-cloudwatch-logs=false', '--enable-policy-event-logs=false', '--metrics-bind-addr=:8162', '--health-probe-bind-addr=:8163', '--conntrack-cache-cleanup-period=300'],
              securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } },
              resources: { requests: { cpu: '25m' } },
            },
          ],
        },
      },
    },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3 },
  }, { labels: { 'k8s-app': 'aws-node', 'app.kubernetes.io/managed-by': 'eks' } });
}

function ingress(name: string, namespace: string, annotations: Record<string, string>, backend: { service: string; port: number }, host: string, tls = false): K8sObject {
  return obj('networking.k8s.io/v1', 'Ingress', name, namespace, {
    spec: {
      ingressClassName: 'alb',
      ...(tls ? { tls: [{ hosts: [host] }] } : {}),
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend.service, port: { number: backend.port } } } }] } }],
    },
    status: { loadBalancer: { ingress: [{ hostname: `${name}.elb.example` }] } },
  }, { annotations });
}

function service(name: string, namespace: string, selector: Record<string, string>, port: number, targetPort: number, extra: Record<string, unknown> = {}, annotations?: Record<string, string>): K8sObject {
  return obj('v1', 'Service', name, namespace, {
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }], ...extra },
  }, annotations ? { annotations } : {});
}

export function objects(now: Date): K8sObject[] {
  const out: K8sObject[] = [];

  // Amazon VPC CNI: network policy on (node agent + controller), security groups for pods on.
  out.push(awsNode());
  out.push(obj('v1', 'ConfigMap', 'amazon-vpc-cni', 'kube-system', {
    data: { 'enable-network-policy-controller': 'true', 'enable-windows-ipam': 'false', 'enable-windows-prefix-delegation': 'false' },
  }, { labels: { 'app.kubernetes.io/managed-by': 'eks' } }));
  out.push(
    crd('policyendpoints.networking.k8s.aws', 'PolicyEndpoint'),
    crd('securitygrouppolicies.vpcresources.k8s.aws', 'SecurityGroupPolicy'),
  );

  // NetworkPolicies: payments and data deny by default; storefront has allow rules only; legacy none.
  out.push(
    netpol('default-deny', 'payments', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    netpol('allow-dns', 'payments', dnsEgress),
    netpol('allow-api-from-storefront-and-alb', 'payments', {
      podSelector: { matchLabels: { app: 'payments-api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } }, podSelector: { matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 8443 }] }],
    }),
    netpol('allow-api-to-postgres', 'payments', {
      podSelector: { matchLabels: { app: 'payments-api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
    netpol('default-deny', 'data', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    netpol('allow-dns', 'data', dnsEgress),
    netpol('allow-postgres-from-payments', 'data', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } }, podSelector: { matchLabels: { app: 'payments-api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
    netpol('allow-web', 'storefront', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
    }),
  );

  // Security groups for pods: payments-api and postgres get their own groups.
  out.push(
    obj('vpcresources.k8s.aws/v1beta1', 'SecurityGroupPolicy', 'payments-api', 'payments', {
      spec: { podSelector: { matchLabels: { app: 'payments-api' } }, securityGroups: { groupIds: [SG.paymentsPods] } },
    }),
    obj('vpcresources.k8s.aws/v1beta1', 'SecurityGroupPolicy', 'postgres', 'data', {
      spec: { podSelector: { matchLabels: { app: 'postgres' } }, securityGroups: { groupIds: [SG.dataPods] } },
    }),
  );

  // ALB ingress class, Ingresses and Services.
  out.push(obj('networking.k8s.io/v1', 'IngressClass', 'alb', undefined, { spec: { controller: 'ingress.k8s.aws/alb' } }, { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }));
  out.push(
    ingress('web', 'storefront', {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/certificate-arn': CERT_ARN,
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/wafv2-acl-arn': WEB_ACL_ARN,
    }, { service: 'web', port: 80 }, 'shop.acme.example'),
    ingress('payments-api', 'payments', {
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/certificate-arn': CERT_ARN,
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS": 443}]',
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    }, { service: 'payments-api', port: 8443 }, 'payments.internal.acme.example', true),
    ingress('billing', 'legacy', {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'instance',
    }, { service: 'billing', port: 80 }, 'billing.acme.example'),
  );
  out.push(
    service('web', 'storefront', { app: 'web' }, 80, 8080),
    service('payments-api', 'payments', { app: 'payments-api' }, 8443, 8443),
    service('billing', 'legacy', { app: 'billing' }, 80, 8080, { type: 'NodePort' }),
    service('billing-tcp', 'legacy', { app: 'billing' }, 8080, 8080, { type: 'LoadBalancer' }, {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    }),
  );

  // Istio: control plane in istio-system; payments is labelled for injection in the base namespaces.
  out.push(ns('istio-system', { 'topology.istio.io/network': 'network1' }));
  out.push(obj('apps/v1', 'Deployment', 'istiod', 'istio-system', {
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'istiod', istio: 'pilot' } },
      template: {
        metadata: { labels: { app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default' } },
        spec: {
          serviceAccountName: 'istiod',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'discovery', image: 'docker.io/istio/pilot:1.27.1',
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '500m', memory: '2Gi' } },
          }],
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, conditions: [{ type: 'Available', status: 'True', lastTransitionTime: ago(now, 12) }] },
  }, { labels: { app: 'istiod', 'istio.io/rev': 'default', 'install.operator.istio.io/owning-resource': 'installed-state' } }));
  out.push(
    crd('peerauthentications.security.istio.io', 'PeerAuthentication'),
    crd('authorizationpolicies.security.istio.io', 'AuthorizationPolicy'),
    crd('requestauthentications.security.istio.io', 'RequestAuthentication'),
    crd('destinationrules.networking.istio.io', 'DestinationRule'),
    crd('virtualservices.networking.istio.io', 'VirtualService'),
    crd('gateways.networking.istio.io', 'Gateway'),
  );
  out.push(
    obj('security.istio.io/v1', 'PeerAuthentication', 'default', 'istio-system', { spec: { mtls: { mode: 'STRICT' } } }),
    obj('security.istio.io/v1', 'PeerAuthentication', 'default', 'payments', { spec: { mtls: { mode: 'STRICT' } } }),
    obj('security.istio.io/v1', 'AuthorizationPolicy', 'allow-nothing', 'payments', { spec: {} }),
    obj('security.istio.io/v1', 'AuthorizationPolicy', 'allow-storefront-charges', 'payments', {
      spec: {
        selector: { matchLabels: { app: 'payments-api' } },
        action: 'ALLOW',
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/storefront/sa/default'] } }],
          to: [{ operation: { methods: ['POST'], paths: ['/v1/charges', '/v1/refunds'] } }],
        }],
      },
    }),
    obj('networking.istio.io/v1', 'DestinationRule', 'payments-api', 'payments', {
      spec: { host: 'payments-api.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    }),
  );
  return out;
}

// ------------------------------------------------------------------------------------------ AWS

interface Perm { proto: string; from?: number; to?: number; cidr?: string; cidr6?: string; group?: string; egress?: boolean; description?: string }

const GROUPS: { id: string; name: string; description: string; perms: Perm[] }[] = [
  {
    id: SG.cluster, name: `eks-cluster-sg-${DEMO.cluster}-1928374650`, description: 'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
    perms: [
      { proto: '-1', group: SG.cluster, description: 'Allows EFA traffic, which is not matched by CIDR rules.' },
      { proto: 'tcp', from: 443, to: 443, group: SG.controlPlane },
      { proto: '-1', egress: true, cidr: '0.0.0.0/0' },
    ],
  },
  {
    id: SG.controlPlane, name: `eksctl-${DEMO.cluster}-cluster-ControlPlaneSecurityGroup`, description: 'Communication between the control plane and worker nodegroups',
    perms: [{ proto: 'tcp', from: 443, to: 443, cidr: '10.0.0.0/16', description: 'API from inside the VPC' }, { proto: '-1', egress: true, cidr: '0.0.0.0/0' }],
  },
  {
    id: SG.remoteAccess, name: `eks-remoteAccess-4ec9d1a2-0000-0000-0000-000000000000`, description: 'Security group for all nodes in the nodeGroup to allow SSH access',
    perms: [{ proto: 'tcp', from: 22, to: 22, cidr: '0.0.0.0/0' }, { proto: '-1', egress: true, cidr: '0.0.0.0/0' }],
  },
  {
    id: SG.albStorefront, name: 'k8s-storefro-web-7d1c0e5a2f', description: '[k8s] Managed SecurityGroup for LoadBalancer',
    perms: [{ proto: 'tcp', from: 443, to: 443, cidr: '0.0.0.0/0' }, { proto: 'tcp', from: 80, to: 80, cidr: '0.0.0.0/0' }, { proto: '-1', egress: true, cidr: '0.0.0.0/0' }],
  },
  {
    id: SG.albPayments, name: 'k8s-payments-paymenta-3a9f1b7c2d', description: '[k8s] Managed SecurityGroup for LoadBalancer',
    perms: [{ proto: 'tcp', from: 443, to: 443, cidr: '10.0.0.0/16' }, { proto: '-1', egress: true, cidr: '0.0.0.0/0' }],
  },
  {
    id: SG.albLegacy, name: 'k8s-legacy-billing-5e2c8a1d4b', description: '[k8s] Managed SecurityGroup for LoadBalancer',
    perms: [{ proto: 'tcp', from: 80, to: 80, cidr: '0.0.0.0/0' }, { proto: '-1', egress: true, cidr: '0.0.0.0/0' }],
  },
  {
    id: SG.nlbLegacy, name: 'k8s-legacy-billingt-8b4d2f6a1c', description: '[k8s] Managed SecurityGroup for LoadBalancer',
    perms: [{ proto: 'tcp', from: 8080, to: 8080, cidr: '0.0.0.0/0' }, { proto: '-1', egress: true, cidr: '0.0.0.0/0' }],
  },
  {
    id: SG.paymentsPods, name: 'acme-prod-payments-pods', description: 'payments-api pods (security groups for pods)',
    perms: [{ proto: 'tcp', from: 8443, to: 8443, group: SG.albPayments }, { proto: 'tcp', from: 8443, to: 8443, group: SG.cluster }, { proto: 'tcp', from: 5432, to: 5432, egress: true, group: SG.dataPods }, { proto: 'udp', from: 53, to: 53, egress: true, group: SG.cluster }],
  },
  {
    id: SG.dataPods, name: 'acme-prod-data-pods', description: 'postgres pods (security groups for pods)',
    perms: [{ proto: 'tcp', from: 5432, to: 5432, group: SG.paymentsPods }, { proto: 'udp', from: 53, to: 53, egress: true, group: SG.cluster }],
  },
];

function securityGroupFacts(): AwsFact[] {
  const rules: JsonObject[] = [];
  const groups: JsonObject[] = [];
  for (const g of GROUPS) {
    const ingress: JsonObject[] = [];
    const egress: JsonObject[] = [];
    g.perms.forEach((p, i) => {
      const ports = p.proto === '-1' ? { FromPort: -1, ToPort: -1 } : { FromPort: p.from ?? -1, ToPort: p.to ?? -1 };
      rules.push({
        SecurityGroupRuleId: `sgr-${g.id.slice(3, 15)}${String(i).padStart(5, '0')}`,
        GroupId: g.id, GroupOwnerId: A, IsEgress: p.egress === true, IpProtocol: p.proto, ...ports,
        ...(p.cidr ? { CidrIpv4: p.cidr } : {}), ...(p.cidr6 ? { CidrIpv6: p.cidr6 } : {}),
        ...(p.group ? { ReferencedGroupInfo: { GroupId: p.group, UserId: A } } : {}),
        ...(p.description ? { Description: p.description } : {}),
        SecurityGroupRuleArn: `arn:aws:ec2:${R}:${A}:security-group-rule/sgr-${g.id.slice(3, 15)}${String(i).padStart(5, '0')}`,
        Tags: [],
      });
      const perm: JsonObject = {
        IpProtocol: p.proto, ...(p.proto === '-1' ? {} : ports),
        IpRanges: p.cidr ? [{ CidrIp: p.cidr, ...(p.description ? { Description: p.description } : {}) }] : [],
        Ipv6Ranges: p.cidr6 ? [{ CidrIpv6: p.cidr6 }] : [],
        PrefixListIds: [],
        UserIdGroupPairs: p.group ? [{ GroupId: p.group, UserId: A }] : [],
      };
      (p.egress ? egress : ingress).push(perm);
    });
    groups.push({ GroupId: g.id, GroupName: g.name, Description: g.description, OwnerId: A, VpcId: DEMO.vpcId, IpPermissions: ingress, IpPermissionsEgress: egress, SecurityGroupArn: `arn:aws:ec2:${R}:${A}:security-group/${g.id}` });
  }
  const filter = { Filters: [{ Name: 'group-id', Values: GROUPS.map((g) => g.id) }] };
  return [
    fact('ec2', 'DescribeSecurityGroups', { SecurityGroups: groups }, { GroupIds: GROUPS.map((g) => g.id) }),
    fact('ec2', 'DescribeSecurityGroupRules', { SecurityGroupRules: rules }, filter),
  ];
}

function instance(now: Date, id: string, subnet: string, az: string, ip: string, type: string, extra: { groups: string[]; tokens: 'required' | 'optional'; hop: number; tags: Record<string, string>; launchDays: number; profile: string }): JsonObject {
  return {
    InstanceId: id, ImageId: 'ami-0c1d2e3f4a5b6c7d8', InstanceType: type, ...(extra.tags['eks:nodegroup-name'] ? { KeyName: 'ops-legacy' } : {}),
    LaunchTime: ago(now, extra.launchDays), Placement: { AvailabilityZone: az, Tenancy: 'default' },
    PrivateDnsName: `ip-${ip.replace(/\./g, '-')}.${R}.compute.internal`, PrivateIpAddress: ip, PublicDnsName: '',
    State: { Code: 16, Name: 'running' }, SubnetId: subnet, VpcId: DEMO.vpcId, Architecture: type.startsWith('c7g') ? 'arm64' : 'x86_64',
    IamInstanceProfile: { Arn: `arn:aws:iam::${A}:instance-profile/${extra.profile}`, Id: 'AIPA0000000000EXAMPLE' },
    SecurityGroups: extra.groups.map((g) => ({ GroupId: g, GroupName: GROUPS.find((x) => x.id === g)?.name ?? g })),
    NetworkInterfaces: [{
      NetworkInterfaceId: `eni-${id.slice(2)}`, SubnetId: subnet, VpcId: DEMO.vpcId, PrivateIpAddress: ip, Status: 'in-use', InterfaceType: 'interface',
      Attachment: { DeviceIndex: 0, Status: 'attached', AttachTime: ago(now, extra.launchDays) },
      Groups: extra.groups.map((g) => ({ GroupId: g, GroupName: GROUPS.find((x) => x.id === g)?.name ?? g })),
    }],
    MetadataOptions: { State: 'applied', HttpTokens: extra.tokens, HttpPutResponseHopLimit: extra.hop, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' },
    Tags: Object.entries(extra.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function routeTable(id: string, subnets: string[], routes: JsonObject[], main = false): JsonObject {
  return {
    RouteTableId: id, VpcId: DEMO.vpcId, OwnerId: A,
    Associations: [
      ...subnets.map((s, i) => ({ Main: false, RouteTableAssociationId: `rtbassoc-${id.slice(4, 12)}${i}`, RouteTableId: id, SubnetId: s, AssociationState: { State: 'associated' } })),
      ...(main ? [{ Main: true, RouteTableAssociationId: `rtbassoc-${id.slice(4, 12)}m`, RouteTableId: id, AssociationState: { State: 'associated' } }] : []),
    ],
    Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }, ...routes],
    PropagatingVgws: [],
    Tags: [{ Key: 'Name', Value: id }],
  };
}

function subnet(id: string, az: string, cidr: string, isPublic: boolean): JsonObject {
  return {
    SubnetId: id, SubnetArn: `arn:aws:ec2:${R}:${A}:subnet/${id}`, VpcId: DEMO.vpcId, OwnerId: A, AvailabilityZone: az, CidrBlock: cidr,
    MapPublicIpOnLaunch: isPublic, State: 'available', AvailableIpAddressCount: 4000, DefaultForAz: false,
    Tags: isPublic
      ? [{ Key: 'Name', Value: `acme-prod-public-${az}` }, { Key: 'kubernetes.io/role/elb', Value: '1' }]
      : [{ Key: 'Name', Value: `acme-prod-private-${az}` }, { Key: 'kubernetes.io/role/internal-elb', Value: '1' }, { Key: 'karpenter.sh/discovery', Value: DEMO.cluster }],
  };
}

export function facts(now: Date): AwsFact[] {
  const out: AwsFact[] = [];
  const ng = { 'eks:cluster-name': DEMO.cluster, 'eks:nodegroup-name': 'general', [`kubernetes.io/cluster/${DEMO.cluster}`]: 'owned', 'aws:eks:cluster-name': DEMO.cluster };
  out.push(fact('ec2', 'DescribeInstances', {
    Reservations: [
      { ReservationId: 'r-0a1b2c3d4e5f00001', OwnerId: A, Instances: [instance(now, 'i-0a1b2c3d4e5f00001', SUBNETS.privateA, 'eu-west-1a', '10.0.1.10', 'm6i.xlarge', { groups: [SG.cluster, SG.remoteAccess], tokens: 'required', hop: 1, tags: { ...ng, Name: 'acme-prod-general-Node' }, launchDays: 20, profile: 'eks-general-node-profile' })] },
      // The second node-group node was launched before the launch template required IMDSv2.
      { ReservationId: 'r-0a1b2c3d4e5f00002', OwnerId: A, Instances: [instance(now, 'i-0a1b2c3d4e5f00002', SUBNETS.privateB, 'eu-west-1b', '10.0.2.11', 'm6i.xlarge', { groups: [SG.cluster, SG.remoteAccess], tokens: 'optional', hop: 2, tags: { ...ng, Name: 'acme-prod-general-Node' }, launchDays: 190, profile: 'eks-general-node-profile' })] },
      { ReservationId: 'r-0a1b2c3d4e5f00003', OwnerId: A, Instances: [instance(now, 'i-0a1b2c3d4e5f00003', SUBNETS.privateC, 'eu-west-1c', '10.0.3.12', 'c7g.2xlarge', { groups: [SG.cluster], tokens: 'required', hop: 1, tags: { 'eks:cluster-name': DEMO.cluster, 'karpenter.sh/nodepool': 'default', 'karpenter.k8s.aws/ec2nodeclass': 'default', [`kubernetes.io/cluster/${DEMO.cluster}`]: 'owned', Name: 'default' }, launchDays: 3, profile: `${DEMO.cluster}_karpenter-node` })] },
    ],
  }, { InstanceIds: ['i-0a1b2c3d4e5f00001', 'i-0a1b2c3d4e5f00002', 'i-0a1b2c3d4e5f00003'] }));

  const vpcFilter = { Filters: [{ Name: 'vpc-id', Values: [DEMO.vpcId] }] };
  out.push(fact('ec2', 'DescribeVpcs', { Vpcs: [{ VpcId: DEMO.vpcId, CidrBlock: '10.0.0.0/16', CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }], State: 'available', OwnerId: A, IsDefault: false }] }, vpcFilter));
  out.push(fact('ec2', 'DescribeSubnets', {
    Subnets: [
      subnet(SUBNETS.privateA, 'eu-west-1a', '10.0.1.0/24', false), subnet(SUBNETS.privateB, 'eu-west-1b', '10.0.2.0/24', false), subnet(SUBNETS.privateC, 'eu-west-1c', '10.0.3.0/24', false),
      subnet(SUBNETS.publicA, 'eu-west-1a', '10.0.101.0/24', true), subnet(SUBNETS.publicB, 'eu-west-1b', '10.0.102.0/24', true),
    ],
  }, vpcFilter));
  const nat = 'nat-0a1b2c3d4e5f60001';
  out.push(fact('ec2', 'DescribeRouteTables', {
    RouteTables: [
      routeTable('rtb-0main00000000001', [], [], true),
      routeTable('rtb-0privateab000002', [SUBNETS.privateA, SUBNETS.privateB], [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat, Origin: 'CreateRoute', State: 'active' }]),
      // The Karpenter subnet egresses through the shared network account's transit gateway.
      routeTable('rtb-0privatec0000003', [SUBNETS.privateC], [{ DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0f1e2d3c4b5a69788', Origin: 'CreateRoute', State: 'active' }]),
      routeTable('rtb-0public000000004', [SUBNETS.publicA, SUBNETS.publicB], [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0a1b2c3d4e5f60718', Origin: 'CreateRoute', State: 'active' }]),
    ],
  }, vpcFilter));
  out.push(fact('ec2', 'DescribeNatGateways', {
    NatGateways: [{
      NatGatewayId: nat, State: 'available', SubnetId: SUBNETS.publicA, VpcId: DEMO.vpcId, ConnectivityType: 'public', CreateTime: ago(now, 700),
      NatGatewayAddresses: [{ AllocationId: 'eipalloc-0a1b2c3d4e5f60001', NetworkInterfaceId: 'eni-0nat00000000001', PrivateIp: '10.0.101.50', PublicIp: '198.51.100.23', IsPrimary: true, Status: 'succeeded' }],
    }],
  }, { Filter: [{ Name: 'vpc-id', Values: [DEMO.vpcId] }] }));
  out.push(...securityGroupFacts());

  // Load balancers created by the AWS Load Balancer Controller, with their tags and WAF associations.
  const lbs = Object.values(LBS);
  out.push(fact('elasticloadbalancing', 'DescribeLoadBalancers', {
    LoadBalancers: lbs.map((l) => ({
      LoadBalancerArn: l.arn, LoadBalancerName: l.name, DNSName: `${l.name}-1234567890.${R}.elb.amazonaws.com`, CanonicalHostedZoneId: 'Z32O12XQLNTSW2',
      CreatedTime: ago(now, 200), Scheme: l.scheme, VpcId: DEMO.vpcId, State: { Code: 'active' }, Type: l.type, IpAddressType: 'ipv4', SecurityGroups: [l.sg],
      AvailabilityZones: (l.scheme === 'internet-facing' ? [SUBNETS.publicA, SUBNETS.publicB] : [SUBNETS.privateA, SUBNETS.privateB]).map((s, i) => ({ ZoneName: `eu-west-1${'ab'[i]}`, SubnetId: s })),
    })),
  }));
  out.push(fact('elasticloadbalancing', 'DescribeTags', {
    TagDescriptions: lbs.map((l) => ({
      ResourceArn: l.arn,
      Tags: [
        { Key: 'elbv2.k8s.aws/cluster', Value: DEMO.cluster },
        ...(l.type === 'network'
          ? [{ Key: 'service.k8s.aws/stack', Value: l.stack }, { Key: 'service.k8s.aws/resource', Value: 'LoadBalancer' }]
          : [{ Key: 'ingress.k8s.aws/stack', Value: l.stack }, { Key: 'ingress.k8s.aws/resource', Value: 'LoadBalancer' }]),
      ],
    })),
  }, { ResourceArns: lbs.map((l) => l.arn) }));
  for (const l of lbs.filter((x) => x.type === 'application')) {
    out.push(fact('wafv2', 'GetWebACLForResource', l === LBS.storefront
      ? { WebACL: { Name: 'acme-edge', Id: '3c2b1a09-8f7e-6d5c-4b3a-2f1e0d9c8b7a', ARN: WEB_ACL_ARN, DefaultAction: { Allow: {} }, Description: 'Managed rule groups: common, known bad inputs, IP reputation', Rules: [{ Name: 'AWS-AWSManagedRulesCommonRuleSet', Priority: 0, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } }, OverrideAction: { None: {} }, VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'common' } }], VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'acme-edge' }, Capacity: 700 } }
      : {}, { ResourceArn: l.arn }));
  }
  return out;
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  // No launch templates on the node group and no prefix lists in any security group rule.
  return ['ec2:DescribeLaunchTemplateVersions', 'ec2:GetManagedPrefixListEntries'];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (d: number) => new Date(now.getTime() + d * 86400_000).toISOString().slice(0, 10);
  return {
    waivers: [],
    attestations: [{
      control: 'CC6-MESH-03',
      statement: 'Reviewed the Istio AuthorizationPolicies of payments: deny-all by default, storefront may only POST charges and refunds; no other callers.',
      attestedBy: 'appsec@acme.example',
      date: day(-21),
      evidence: 'https://wiki.acme.example/security/reviews/2026-q4-mesh-authz',
      validUntil: day(69),
      source: { file: '<demo>' },
    }],
  };
}
