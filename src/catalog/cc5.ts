/**
 * CC5 — Control Activities: "Access Management and Authentication" and "Kubernetes Security
 * Hardening" (checklist Part 2).
 */
import type { Cluster } from '@aws-sdk/client-eks';
import type { ControlDefinition, Evidence, EvidenceKey, EvidenceRequirement, K8sObject, ResourceRef, Severity } from '../model/index.js';
import { countedEvidence } from '../model/index.js';
import { defineControl } from './define.js';
import { WORKLOAD_KEYS, aws, k8s, need } from './lib/keys.js';
import { POD_SECURITY_RULES, checkPodSecurity, isWindows, resourceGaps } from './lib/pod-security.js';
import type { PodSecurityRule } from './lib/pod-security.js';
import { PSS_LEVELS, psaViolations } from './lib/psa.js';
import type { PssLevel } from './lib/psa.js';
import { arr, workloads } from './lib/workloads.js';
import type { PodSpec, Workload } from './lib/workloads.js';
import { addonNames, awsRef, clusterRef, describeAddon, describeCluster, out, toTime } from './lib/aws.js';
import { computeType, crdNames, daemonSetReady, isAvailable } from './lib/addons.js';
import {
  conditionsFor, credentialReportText, getRole, isAwsManagedPolicy, isIamUserArn, isSsoRoleArn, nodeRoleExtras, nodeRoleNames, parseArn, parsePolicyDocument,
  privilegeSummary, providerHost, roleNameFromArn, rolePermissions, serviceTrustStatements, statementCoversAction,
  webIdentityStatements, parseCredentialReport,
} from './lib/iam.js';
import type { PolicyDocument } from './lib/iam.js';
import { ACCESS_ENTRY_KEYS, AWS_AUTH_KEY, RBAC_REQUIREMENTS, accessEntries, awsAuth, iamPrincipalRef, NODE_ENTRY_TYPES } from './lib/rbac.js';
import {
  RBAC_RULES, awsAuthInEffect, countClusterAdmins, judgeAccessEntries, judgeAnonymousBindings, judgeAwsAuthAdmins, judgeBindings,
  judgeRoleDefinitions, powerfulServiceAccounts, serverMinorOf,
} from './lib/rbac-judge.js';

const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

/** Evidence keys of the IAM role reads used by CC5-IAM-01 (and the node-role check). */
const ROLE_POLICY_KEYS: EvidenceKey[] = [
  aws('iam:GetRole'), aws('iam:ListAttachedRolePolicies'), aws('iam:ListRolePolicies'), aws('iam:GetRolePolicy'),
  aws('iam:GetPolicy'), aws('iam:GetPolicyVersion'),
];

const saName = (spec: PodSpec): string => spec.serviceAccountName ?? spec.serviceAccount ?? 'default';

/** IRSA role ARN of a ServiceAccount, when annotated. */
function irsaRole(sa: K8sObject | undefined): string | undefined {
  const v = sa?.metadata.annotations?.[IRSA_ANNOTATION];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** `namespace/serviceAccount` → association, from ListPodIdentityAssociations (+ Describe for the role). */
interface Association {
  namespace: string;
  serviceAccount: string;
  associationArn?: string;
  associationId?: string;
  roleArn?: string;
  targetRoleArn?: string;
}

function podIdentityAssociations(ev: Evidence, describe: boolean): Association[] {
  const list: Association[] = [];
  const details = new Map<string, { roleArn?: string; targetRoleArn?: string }>();
  if (describe) {
    for (const f of ev.aws('eks:DescribePodIdentityAssociation')) {
      const a = out<{ association?: { associationArn?: string; associationId?: string; roleArn?: string; targetRoleArn?: string } }>(f)?.association;
      if (!a) continue;
      const d = { ...(a.roleArn ? { roleArn: a.roleArn } : {}), ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}) };
      if (a.associationArn) details.set(a.associationArn, d);
      if (a.associationId) details.set(a.associationId, d);
    }
  }
  for (const f of ev.aws('eks:ListPodIdentityAssociations')) {
    for (const a of out<{ associations?: { namespace?: string; serviceAccount?: string; associationArn?: string; associationId?: string }[] }>(f)?.associations ?? []) {
      if (!a.namespace || !a.serviceAccount) continue;
      const d = details.get(a.associationArn ?? '') ?? details.get(a.associationId ?? '') ?? {};
      list.push({
        namespace: a.namespace, serviceAccount: a.serviceAccount,
        ...(a.associationArn ? { associationArn: a.associationArn } : {}), ...(a.associationId ? { associationId: a.associationId } : {}), ...d,
      });
    }
  }
  return list;
}

// ---------------------------------------------------------------------------------------------

/** The Pod Identity agent: an add-on, Auto Mode or a DaemonSet, each an alternative proof. */
const AGENT: EvidenceRequirement = {
  anyOf: [aws('eks:ListAddons'), aws('eks:DescribeCluster'), k8s('apps/DaemonSet')], what: 'the Pod Identity agent (EKS add-ons, cluster description or DaemonSets)', alternatives: true,
};
const ASSOCIATIONS = need.aws('eks:ListPodIdentityAssociations', 'pod identity associations');
/** What judging an association role's permissions reads (customer policies also need GetPolicy/GetPolicyVersion, else they are not judged). */
const ROLE_PERMISSION_EVIDENCE: EvidenceKey[] = [aws('eks:ListPodIdentityAssociations'), aws('iam:GetRole'), aws('iam:ListAttachedRolePolicies'), aws('iam:ListRolePolicies')];

/**
 * A role's permissions judged for administrator (`admin`) and service-wide (`broad`) grants; `unread`
 * names the policies whose documents were not read (customer-managed without GetPolicyVersion, inline
 * without GetRolePolicy), which could hold either.
 */
function judgeRolePermissions(perms: ReturnType<typeof rolePermissions>): { admin: string[]; broad: string[]; unread: string[] } {
  const s = privilegeSummary(perms);
  const unread = [
    ...perms.attached.filter((p) => !p.document && !isAwsManagedPolicy(p.arn)).map((p) => `policy ${p.name}`),
    ...perms.inline.filter((p) => !p.document).map((p) => `inline policy ${p.name}`),
    ...(perms.inlineKnown ? [] : ['the inline policy list (iam:ListRolePolicies)']),
  ];
  return { admin: s.admin, broad: s.broad, unread: [...new Set(unread)] };
}

export const CC5_IAM_01 = defineControl({
  id: 'CC5-IAM-01',
  title: 'Workloads get AWS credentials of their own (Pod Identity, or IRSA), not from the node role',
  section: 'CC5',
  under: 'accessManagement',
  tsc: ['CC6.1', 'CC6.3'],
  automation: 'automated',
  severity: 'high',
  description:
    'Workloads need AWS credentials of their own. Required: a working mechanism — the EKS Pod Identity agent (the ' +
    'eks-pod-identity-agent add-on, a healthy DaemonSet, or built into Auto Mode) or IAM roles for service accounts (IRSA), which ' +
    'the checklist accepts for existing clusters; an installed agent is healthy, and pod identity associations never exist without ' +
    'it; every association role trusts only pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession and grants no ' +
    'administrator access; pods that rely on an association do not run on Fargate or Windows nodes, where Pod Identity does not ' +
    'work. Recommended (warnings): Pod Identity rather than IRSA, association roles without service-wide grants ("s3:*"), and ' +
    'application workloads without an identity of their own not falling back to a node role that can do more than run the node. ' +
    'Roles whose policies were not read are not judged (they are listed as not evaluated), never passed.',
  requires: [AGENT, ASSOCIATIONS],
  optional: [
    aws('eks:DescribeAddon'), aws('eks:DescribePodIdentityAssociation'), aws('eks:DescribeNodegroup'), ...ROLE_POLICY_KEYS,
    k8s('core/ServiceAccount'), k8s('core/Node'), ...WORKLOAD_KEYS,
    k8s('karpenter.k8s.aws/EC2NodeClass'), k8s('eks.amazonaws.com/NodeClass'),
  ],
  rules: {
    'pod-identity-agent': {
      title: 'The Pod Identity agent is healthy (or built into Auto Mode), and runs wherever associations rely on it', severity: 'high', level: 'required', evidence: [AGENT],
      basis: 'Checklist "Enable EKS Pod Identity": an installed agent that is broken, or associations without an agent, leave pods without their credentials',
    },
    'identity-mechanism': {
      title: 'Workloads have a way to get AWS credentials of their own: Pod Identity or IRSA', severity: 'medium', level: 'required', evidence: [AGENT],
      basis: 'Checklist "Enable EKS Pod Identity" and "Configure IRSA for existing clusters": either mechanism meets the item',
    },
    'pod-identity-preferred': {
      title: 'Pod Identity is used rather than IRSA', severity: 'low', level: 'recommended', evidence: [AGENT],
      basis: 'The checklist accepts IRSA for existing clusters and recommends migrating to Pod Identity',
    },
    'pod-identity-trust': {
      title: 'Association roles trust only pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession', severity: 'high', level: 'required',
      evidence: [aws('eks:ListPodIdentityAssociations'), aws('iam:GetRole')],
    },
    'workload-role-admin': { title: 'Association roles do not grant administrator access', severity: 'high', level: 'required', evidence: ROLE_PERMISSION_EVIDENCE },
    'workload-role-broad': {
      title: 'Association roles do not grant service-wide access ("s3:*" on "*")', severity: 'low', level: 'recommended', evidence: ROLE_PERMISSION_EVIDENCE,
      basis: 'Least privilege beyond the item: controls.md fails administrator grants only',
    },
    'workload-identity': {
      title: 'Application workloads without an identity of their own do not fall back to a broad node role', severity: 'low', level: 'recommended',
      evidence: [need.workloads(), k8s('core/ServiceAccount'), aws('eks:ListPodIdentityAssociations'), aws('iam:ListAttachedRolePolicies')],
      basis: 'controls.md: a warning when a workload has neither Pod Identity nor IRSA and the node role is broad',
    },
    'pod-identity-unsupported': {
      title: 'Pods relying on a Pod Identity association do not run on Fargate or Windows nodes (where it does not work)', severity: 'medium', level: 'required',
      evidence: [aws('eks:ListPodIdentityAssociations'), k8s('core/Pod'), k8s('core/Node')],
      basis: 'Pod Identity is not supported on Fargate or Windows: such a pod gets no credentials, or the node role',
    },
  },
  remediation: {
    summary:
      'Install the Pod Identity agent add-on, create one association per service account that calls AWS, with a role of its own ' +
      'that trusts pods.eks.amazonaws.com and grants only what that workload needs (IRSA remains acceptable on existing clusters; ' +
      'Fargate and Windows pods must use IRSA). (The checklist\'s "create-cluster --authentication-mode" line configures access ' +
      'entries, not Pod Identity.)',
    commands: [
      'aws eks create-addon --cluster-name $CLUSTER_NAME --addon-name eks-pod-identity-agent',
      'aws eks create-pod-identity-association --cluster-name $CLUSTER_NAME --namespace $NAMESPACE --service-account $SERVICE_ACCOUNT --role-arn $ROLE_ARN',
      'aws eks list-pod-identity-associations --cluster-name $CLUSTER_NAME',
    ],
    manifest: `# Trust policy of a Pod Identity role
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Service": "pods.eks.amazonaws.com" },
    "Action": ["sts:AssumeRole", "sts:TagSession"]
  }]
}`,
  },
  references: [
    { title: 'Amazon EKS: Set up the Pod Identity agent', url: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html' },
    { title: 'eksctl: Pod Identity associations', url: 'https://docs.aws.amazon.com/eks/latest/eksctl/pod-identity-associations.html' },
    { title: 'Secrets Manager ASCP examples (Pod Identity trust policy)', url: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/ascp-examples.html' },
  ],
  check(ev, ctx) {
    const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const ref = cluster ? clusterRef(cluster) : { provider: 'kubernetes' as const, kind: 'Cluster', name: ctx.clusterName ?? 'cluster' };
    const assocs = ev.has('aws:eks:ListPodIdentityAssociations') ? podIdentityAssociations(ev, ev.has('aws:eks:DescribePodIdentityAssociation')) : [];
    const saRead = ev.has('k8s:core/ServiceAccount');
    const serviceAccounts = saRead ? ev.objects('core/ServiceAccount') : [];
    // "No agent" and "no IRSA" are absence claims: they need the whole inventories, not loose manifests.
    const agentAbsenceKnown = ev.has('aws:eks:DescribeCluster') && ev.has('aws:eks:ListAddons') && ev.complete('k8s:apps/DaemonSet');
    const agentSourcesUnread = [
      ev.has('aws:eks:DescribeCluster') ? '' : 'eks:DescribeCluster (Auto Mode)', ev.has('aws:eks:ListAddons') ? '' : 'eks:ListAddons',
      ev.complete('k8s:apps/DaemonSet') ? '' : 'every DaemonSet of the cluster',
    ].filter(Boolean).join(', ');
    const irsaCount = serviceAccounts.filter((sa) => irsaRole(sa)).length;

    // The agent, and the mechanism (Pod Identity or IRSA).
    const addon = ev.has('aws:eks:ListAddons') && addonNames(ev).includes('eks-pod-identity-agent');
    const ds = ev.objects('apps/DaemonSet').find((d) => d.metadata.name === 'eks-pod-identity-agent');
    let agent = false;
    if (cluster?.computeConfig?.enabled) {
      agent = true;
      ctx.pass(ref, 'pod-identity-agent', 'EKS Auto Mode: the Pod Identity agent is built into the nodes');
    } else if (addon) {
      agent = true;
      const a = ev.has('aws:eks:DescribeAddon') ? describeAddon(ev, 'eks-pod-identity-agent') : undefined;
      const aref = awsRef('AWS::EKS::Addon', 'eks-pod-identity-agent', { arn: a?.addonArn, region: ref.region, accountId: ref.accountId });
      if (!a) ctx.pass(aref, 'pod-identity-agent', 'add-on eks-pod-identity-agent is installed (status not described)');
      else if (a.status === 'ACTIVE') ctx.pass(aref, 'pod-identity-agent', `add-on eks-pod-identity-agent ${a.addonVersion ?? ''} is ACTIVE`.replace('  ', ' '));
      else ctx.fail(aref, 'pod-identity-agent', `add-on eks-pod-identity-agent is ${a.status ?? 'in an unknown state'}${a.health?.issues?.length ? `: ${a.health.issues.map((i) => i.message ?? i.code).join('; ')}` : ''}`);
    } else if (ds) {
      agent = true;
      const r = daemonSetReady(ds);
      if (r.ok) ctx.pass(ref, 'pod-identity-agent', `DaemonSet ${ds.metadata.namespace}/eks-pod-identity-agent ready on ${r.ready}/${r.desired} nodes`);
      else ctx.fail(ref, 'pod-identity-agent', `DaemonSet ${ds.metadata.namespace}/eks-pod-identity-agent ready on ${r.ready}/${r.desired} nodes only`);
    } else if (assocs.length && agentAbsenceKnown) {
      ctx.fail(ref, 'pod-identity-agent', `${assocs.length} pod identity association(s) exist but no Pod Identity agent runs: those pods get no credentials`, { severity: 'high' });
    } else if (assocs.length) {
      ctx.unevaluated('pod-identity-agent', `${assocs.length} pod identity association(s) exist and no agent was found, but not every source of it was read: ${agentSourcesUnread}`);
    }
    if (agent) {
      ctx.pass(ref, 'identity-mechanism', 'EKS Pod Identity is available to workloads');
      ctx.pass(ref, 'pod-identity-preferred', `EKS Pod Identity is enabled${irsaCount ? ` (${irsaCount} service account(s) still use IRSA: see CC5-IAM-02)` : ''}`);
    } else if (!saRead) {
      ctx.unevaluated('identity-mechanism', 'no Pod Identity agent found, and ServiceAccounts were not read, so IRSA use is unknown');
      ctx.unevaluated('pod-identity-preferred', 'ServiceAccounts were not read');
    } else if (irsaCount && !agentAbsenceKnown) {
      ctx.pass(ref, 'identity-mechanism', `${irsaCount} service account(s) use IRSA (accepted for existing clusters)`);
      ctx.unevaluated('pod-identity-preferred', `no Pod Identity agent found, but not every source of it was read: ${agentSourcesUnread}`);
    } else if (irsaCount) {
      ctx.pass(ref, 'identity-mechanism', `${irsaCount} service account(s) use IRSA (accepted for existing clusters)`);
      ctx.fail(ref, 'pod-identity-preferred', `Pod Identity is not enabled; ${irsaCount} service account(s) use IRSA: migrate to Pod Identity where it works (not for Fargate or Windows pods)`);
    } else if (!agentAbsenceKnown || !ev.complete('k8s:core/ServiceAccount')) {
      ctx.unevaluated('identity-mechanism', `neither a Pod Identity agent nor an IRSA service account was found, but the input may not hold everything: ${[agentSourcesUnread, ev.complete('k8s:core/ServiceAccount') ? '' : 'every ServiceAccount of the cluster'].filter(Boolean).join(', ')}`);
    } else {
      ctx.fail(ref, 'identity-mechanism', 'no Pod Identity agent and no service account with IRSA: workloads that call AWS can only use the node role');
    }

    // Association roles: trust and permissions.
    const canGetRole = ev.has('aws:iam:GetRole');
    const crossAccount: string[] = [];
    for (const a of assocs) {
      const aref = awsRef('AWS::EKS::PodIdentityAssociation', `${a.namespace}/${a.serviceAccount}`, { arn: a.associationArn, region: ref.region, accountId: ref.accountId });
      if (!a.roleArn) {
        for (const rule of ['pod-identity-trust', 'workload-role-admin', 'workload-role-broad']) {
          ctx.unevaluated(rule, 'the association\'s role was not described (eks:DescribePodIdentityAssociation not read)', aref);
        }
        continue;
      }
      const roleAccount = parseArn(a.roleArn)?.accountId;
      if (roleAccount && ref.accountId && roleAccount !== ref.accountId) { crossAccount.push(`${a.namespace}/${a.serviceAccount} → ${a.roleArn}`); continue; }
      const role = canGetRole ? getRole(ev, a.roleArn) : undefined;
      if (!role) {
        if (canGetRole) ctx.fail(aref, 'pod-identity-trust', `role ${a.roleArn} was not found: the association cannot work`, { severity: 'medium' });
        else ctx.unevaluated('pod-identity-trust', `the trust policy of ${a.roleArn} was not read`, aref);
        continue;
      }
      const doc = parsePolicyDocument(role.trustPolicy);
      if (!doc) {
        ctx.unevaluated('pod-identity-trust', `the trust policy of ${role.roleName} could not be parsed`, aref);
      } else {
        const stmts = serviceTrustStatements(doc, POD_IDENTITY_SERVICE);
        const ok = stmts.some((s) => statementCoversAction(s, 'sts:AssumeRole') && statementCoversAction(s, 'sts:TagSession'));
        const others = doc.statements.filter((s) => s.effect === 'Allow' && s.principal && !stmts.includes(s));
        if (!ok) ctx.fail(aref, 'pod-identity-trust', `role ${role.roleName} does not trust ${POD_IDENTITY_SERVICE} with sts:AssumeRole and sts:TagSession: the association cannot work`, { severity: 'medium' });
        else if (stmts.some((s) => s.principal?.all)) ctx.fail(aref, 'pod-identity-trust', `role ${role.roleName} trusts every principal ("*")`, { severity: 'critical' });
        else if (others.length) ctx.fail(aref, 'pod-identity-trust', `role ${role.roleName} also trusts ${others.map((s) => [...(s.principal?.aws ?? []), ...(s.principal?.service ?? []), ...(s.principal?.federated ?? [])].join(',')).join('; ')}: more than the pod identity can assume it`, { severity: 'medium' });
        else ctx.pass(aref, 'pod-identity-trust', `role ${role.roleName} trusts only ${POD_IDENTITY_SERVICE} (sts:AssumeRole, sts:TagSession)`);
      }
      if (!ctx.canEvaluate('workload-role-admin')) {
        ctx.unevaluated('workload-role-admin', 'role policies not read');
        ctx.unevaluated('workload-role-broad', 'role policies not read');
        continue;
      }
      const perms = rolePermissions(ev, role.roleName, {
        listAttached: true, listInline: true,
        getRolePolicy: ev.has('aws:iam:GetRolePolicy'), getPolicy: ev.has('aws:iam:GetPolicy'), getPolicyVersion: ev.has('aws:iam:GetPolicyVersion'),
      });
      if (!perms.attachedKnown) {
        ctx.unevaluated('workload-role-admin', `the attached policies of ${role.roleName} were not read`, aref);
        ctx.unevaluated('workload-role-broad', `the attached policies of ${role.roleName} were not read`, aref);
        continue;
      }
      const j = judgeRolePermissions(perms);
      const unread = j.unread.length ? `policies not read: ${j.unread.join(', ')}` : '';
      if (j.admin.length) ctx.fail(aref, 'workload-role-admin', `role ${role.roleName} grants administrator access: ${j.admin.join('; ')}`);
      else if (unread) ctx.unevaluated('workload-role-admin', `role ${role.roleName}: ${unread}`, aref);
      else ctx.pass(aref, 'workload-role-admin', `role ${role.roleName}: no administrator grants`);
      if (j.broad.length) ctx.fail(aref, 'workload-role-broad', `role ${role.roleName} grants service-wide access: ${j.broad.join('; ')}`);
      else if (unread) ctx.unevaluated('workload-role-broad', `role ${role.roleName}: ${unread}`, aref);
      else if (!j.admin.length) ctx.pass(aref, 'workload-role-broad', `role ${role.roleName}: no service-wide grants`);
    }
    if (crossAccount.length) ctx.note(`roles in other accounts not judged (their trust and permission policies are not readable from this account): ${crossAccount.slice(0, 5).join(', ')}${crossAccount.length > 5 ? ', …' : ''}`);

    // Workloads without an identity of their own: do they inherit a broad node role?
    const assocKey = new Set(assocs.map((a) => `${a.namespace}/${a.serviceAccount}`));
    const saByKey = new Map(serviceAccounts.map((sa) => [`${sa.metadata.namespace ?? 'default'}/${sa.metadata.name ?? ''}`, sa]));
    if (ctx.canEvaluate('workload-identity')) {
      const nodeNames = nodeRoleNames(ev, cluster, { nodegroups: ev.has('aws:eks:DescribeNodegroup'), nodeClasses: true });
      const broad: string[] = [];
      const unknownRoles: string[] = [];
      for (const n of nodeNames) {
        const perms = rolePermissions(ev, n, { listAttached: true, listInline: ev.has('aws:iam:ListRolePolicies'), getRolePolicy: ev.has('aws:iam:GetRolePolicy'), getPolicy: false, getPolicyVersion: false });
        if (!perms.attachedKnown) { unknownRoles.push(n); continue; }
        const extra = nodeRoleExtras(perms).filter((e) => e !== 'managed policy AmazonEKS_CNI_Policy');
        if (extra.length) broad.push(`${n} (${extra.join(', ')})`);
      }
      const rolesKnown = nodeNames.length > 0 && unknownRoles.length === 0;
      let unjudged = 0;
      for (const w of workloads(ev)) {
        const key = `${w.namespace}/${saName(w.spec)}`;
        const hasPodIdentity = assocKey.has(key);
        const hasIrsa = Boolean(irsaRole(saByKey.get(key)));
        if (hasPodIdentity || hasIrsa) {
          ctx.pass(w.obj, 'workload-identity', hasPodIdentity ? 'its service account has its own AWS identity (Pod Identity)' : 'its service account has its own AWS identity (IRSA)');
        } else if (!saByKey.has(key) && !ev.complete('k8s:core/ServiceAccount')) {
          unjudged++; // its ServiceAccount is not in the input: an IRSA annotation there is not excluded
        } else if (broad.length) {
          ctx.fail(w.obj, 'workload-identity', `service account ${key} has no AWS identity of its own; if it calls AWS it uses the node role, which grants more than the node needs: ${broad.join('; ')}`);
        } else if (rolesKnown) {
          ctx.pass(w.obj, 'workload-identity', 'no AWS identity of its own; the node role carries only the worker-node baseline');
        } else {
          unjudged++;
        }
      }
      if (unjudged) ctx.unevaluated('workload-identity', `${unjudged} workload(s) without an AWS identity of their own: ${nodeNames.length ? `the permissions of node role(s) ${unknownRoles.join(', ')} were not read` : 'no node role was found (node groups, Auto Mode or NodeClasses not read)'}`);
    } else {
      ctx.unevaluated('workload-identity', 'workloads, ServiceAccounts or node-role policies not read');
    }

    // Pod Identity does not work on Fargate or Windows nodes.
    if (ctx.canEvaluate('pod-identity-unsupported')) {
      const nodes = new Map(ev.objects('core/Node').map((n) => [n.metadata.name ?? '', n]));
      for (const p of ev.objects('core/Pod')) {
        const spec = (p.spec ?? {}) as PodSpec;
        const key = `${p.metadata.namespace ?? 'default'}/${saName(spec)}`;
        if (!assocKey.has(key) || irsaRole(saByKey.get(key))) continue;
        const node = nodes.get(String(spec.nodeName ?? ''));
        const fargate = node && computeType(node) === 'fargate';
        const windows = isWindows(spec) || node?.metadata.labels?.['kubernetes.io/os'] === 'windows';
        if (fargate || windows) {
          ctx.fail(p, 'pod-identity-unsupported', `pod runs on ${fargate ? 'Fargate' : 'a Windows node'}, where Pod Identity is not supported: its association for ${key} gives it no credentials (use IRSA)`);
        } else {
          ctx.pass(p, 'pod-identity-unsupported', `uses the Pod Identity association for ${key} on a node where it works`);
        }
      }
    } else if (assocs.length) {
      ctx.unevaluated('pod-identity-unsupported', 'Pods or Nodes not read');
    }
  },
});

// ---------------------------------------------------------------------------------------------

/** Judge one IRSA trust policy for one service account (controls.md CC5-IAM-02). */
export function irsaTrustVerdict(doc: PolicyDocument, issuerHost: string, namespace: string, serviceAccount: string): { ok: boolean; severity?: Severity; message: string } {
  const stmts = webIdentityStatements(doc, issuerHost);
  if (!stmts.length) return { ok: false, severity: 'high', message: `does not trust this cluster's OIDC provider (${issuerHost}) for sts:AssumeRoleWithWebIdentity` };
  const expected = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const problems: { severity: Severity; text: string }[] = [];
  let namesThis = false;
  for (const s of stmts) {
    const sub = conditionsFor(s, `${issuerHost}:sub`, ['StringEquals', 'StringLike']);
    const aud = conditionsFor(s, `${issuerHost}:aud`, ['StringEquals', 'StringLike']);
    const subValues = sub.flatMap((c) => c.values);
    if (!sub.length) problems.push({ severity: 'high', text: 'no sub condition: every service account of the cluster can assume it' });
    else if (sub.some((c) => c.base === 'StringLike' && c.values.some((v) => /[*?]/.test(v)))) {
      problems.push({ severity: 'high', text: `sub matched with StringLike "${sub.flatMap((c) => c.values).join('", "')}": service accounts other than ${namespace}/${serviceAccount} can assume it` });
    } else if (sub.some((c) => c.ifExists)) problems.push({ severity: 'high', text: 'sub condition uses IfExists: a token without the claim passes' });
    if (subValues.includes(expected)) namesThis = true;
    if (!aud.length || !aud.some((c) => c.values.includes('sts.amazonaws.com'))) problems.push({ severity: 'medium', text: 'aud is not pinned to sts.amazonaws.com' });
  }
  if (problems.length) {
    const worst: Severity = problems.some((p) => p.severity === 'high') ? 'high' : 'medium';
    return { ok: false, severity: worst, message: [...new Set(problems.map((p) => p.text))].join('; ') };
  }
  if (!namesThis) return { ok: false, severity: 'low', message: `trust pins other service accounts, not ${expected}: the annotation cannot work` };
  return { ok: true, message: `trust pins sub = ${expected} and aud = sts.amazonaws.com` };
}

export const CC5_IAM_02 = defineControl({
  id: 'CC5-IAM-02',
  title: 'IRSA roles are reachable only from the service account they belong to',
  section: 'CC5',
  under: 'accessManagement',
  tsc: ['CC6.1', 'CC6.3'],
  automation: 'automated',
  severity: 'high',
  description:
    'For service accounts annotated with eks.amazonaws.com/role-arn, the cluster\'s OIDC issuer is registered as an IAM identity ' +
    'provider with audience sts.amazonaws.com, and every annotated role\'s trust policy pins both the token subject ' +
    '(system:serviceaccount:<namespace>:<name>, exact match) and the audience. A StringLike pattern or a missing sub condition lets ' +
    'any service account in the cluster assume the role. Stale OIDC providers of deleted clusters are a warning (when the region\'s ' +
    'cluster list shows it); migrating to Pod Identity is suggested where it applies. Roles in other accounts are noted, not judged.',
  requires: [
    need.aws('eks:DescribeCluster', 'the EKS cluster description (OIDC issuer)'),
    need.kind('core/ServiceAccount', 'ServiceAccounts'),
    need.aws('iam:ListOpenIDConnectProviders', 'IAM OIDC identity providers'),
  ],
  optional: [aws('iam:GetOpenIDConnectProvider'), aws('iam:GetRole'), aws('eks:ListClusters')],
  rules: {
    'oidc-provider': {
      title: 'The cluster\'s OIDC issuer is an IAM identity provider with audience sts.amazonaws.com', severity: 'high', level: 'required',
      evidence: [aws('eks:DescribeCluster'), k8s('core/ServiceAccount'), aws('iam:ListOpenIDConnectProviders')],
    },
    'oidc-provider-stale': {
      title: 'No stale EKS OIDC provider of a deleted cluster is left in IAM', severity: 'low', level: 'recommended',
      evidence: [aws('eks:DescribeCluster'), aws('iam:ListOpenIDConnectProviders'), aws('eks:ListClusters')],
      basis: 'controls.md: stale providers of deleted clusters are a warning (hygiene beyond the item)',
    },
    'irsa-trust': {
      title: 'IRSA role trust pins sub (exact) and aud', severity: 'high', level: 'required',
      evidence: [aws('eks:DescribeCluster'), k8s('core/ServiceAccount'), aws('iam:GetRole')],
      basis: 'Checklist "Configure IRSA": a role any service account can assume is not a per-workload identity (CC6.3)',
    },
  },
  remediation: {
    summary:
      'Register the cluster\'s OIDC provider, and give each IRSA role a trust policy with StringEquals on both <issuer>:sub ' +
      '(system:serviceaccount:<namespace>:<name>) and <issuer>:aud (sts.amazonaws.com). Consider moving to EKS Pod Identity.',
    commands: [
      'eksctl utils associate-iam-oidc-provider --cluster $CLUSTER_NAME --approve',
      'eksctl create iamserviceaccount --cluster $CLUSTER_NAME --namespace $NAMESPACE --name $SERVICE_ACCOUNT --attach-policy-arn $POLICY_ARN --approve',
      'aws iam get-role --role-name $ROLE_NAME --query Role.AssumeRolePolicyDocument',
    ],
    manifest: `{
  "Effect": "Allow",
  "Principal": { "Federated": "arn:aws:iam::$ACCOUNT_ID:oidc-provider/$OIDC_ISSUER" },
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {
    "StringEquals": {
      "$OIDC_ISSUER:sub": "system:serviceaccount:$NAMESPACE:$SERVICE_ACCOUNT",
      "$OIDC_ISSUER:aud": "sts.amazonaws.com"
    }
  }
}`,
  },
  references: [
    { title: 'Amazon EKS: IAM roles for service accounts', url: 'https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html' },
    { title: 'Amazon EKS: Assign IAM roles to Kubernetes service accounts', url: 'https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const issuer = cluster?.identity?.oidc?.issuer;
    if (!cluster || !issuer) {
      for (const rule of ['oidc-provider', 'oidc-provider-stale', 'irsa-trust']) ctx.unevaluated(rule, 'the cluster description has no OIDC issuer (identity.oidc.issuer)');
      return;
    }
    const host = providerHost(issuer);
    const cref = clusterRef(cluster);
    const accountId = cref.accountId ?? ev.aws('eks:DescribeCluster')[0]?.accountId;
    const providerArns = ev.aws('iam:ListOpenIDConnectProviders').flatMap((f) => (out<{ OpenIDConnectProviderList?: { Arn?: string }[] }>(f)?.OpenIDConnectProviderList ?? []).map((p) => p.Arn).filter((a): a is string => Boolean(a)));
    const providerArn = providerArns.find((a) => providerHost(a) === host);
    const annotated = ev.objects('core/ServiceAccount').filter((sa) => irsaRole(sa));

    // The provider.
    if (providerArn) {
      const pref = awsRef('AWS::IAM::OIDCProvider', host, { arn: providerArn, accountId });
      const detail = ev.has('aws:iam:GetOpenIDConnectProvider')
        ? ev.aws('iam:GetOpenIDConnectProvider').map((f) => ({ f, o: out<{ Url?: string; ClientIDList?: string[] }>(f) })).find(({ f, o }) => f.params?.OpenIDConnectProviderArn === providerArn || (o?.Url && providerHost(o.Url) === host))?.o
        : undefined;
      if (detail && !(detail.ClientIDList ?? []).includes('sts.amazonaws.com')) ctx.fail(pref, 'oidc-provider', `OIDC provider ${host} does not list the audience sts.amazonaws.com (IRSA tokens are rejected)`, { severity: 'medium' });
      else ctx.pass(pref, 'oidc-provider', `OIDC provider for ${host} is registered${detail ? ' with audience sts.amazonaws.com' : ' (its audiences were not read)'}`);
    } else if (annotated.length) {
      ctx.fail(cref, 'oidc-provider', `${annotated.length} service account(s) use IRSA but the issuer ${host} is not an IAM OIDC provider: their pods get no credentials`);
    }

    // Stale providers: EKS issuers of this region that belong to no cluster the region lists.
    const region = cref.region;
    if (region && ev.has('aws:eks:ListClusters')) {
      const regionFacts = ev.aws('eks:ListClusters').filter((f) => (f.region ?? region) === region);
      const listed = regionFacts.flatMap((f) => out<{ clusters?: string[] }>(f)?.clusters ?? []);
      const described = new Map(ev.aws('eks:DescribeCluster').map((f) => out<{ cluster?: Cluster }>(f)?.cluster).filter((c): c is Cluster => Boolean(c?.name)).map((c) => [c.name!, c]));
      const undescribed = listed.filter((n) => !described.has(n));
      if (regionFacts.length && undescribed.length === 0) {
        const live = new Set(listed.map((n) => described.get(n)?.identity?.oidc?.issuer).filter((i): i is string => Boolean(i)).map(providerHost));
        for (const arn of providerArns) {
          const h = providerHost(arn);
          if (!h.startsWith(`oidc.eks.${region}.amazonaws.com/`)) continue;
          const pref = awsRef('AWS::IAM::OIDCProvider', h, { arn, accountId });
          if (live.has(h)) ctx.pass(pref, 'oidc-provider-stale', `OIDC provider ${h} belongs to a cluster of ${region}`);
          else ctx.fail(pref, 'oidc-provider-stale', `OIDC provider ${h} belongs to no cluster in ${region}: a stale trust anchor (delete it, and roles that trust it)`);
        }
      } else if (undescribed.length) {
        ctx.unevaluated('oidc-provider-stale', `the issuers of cluster(s) ${undescribed.slice(0, 3).join(', ')} of ${region} were not read (eks:DescribeCluster)`);
      }
    }

    if (!annotated.length) {
      ctx.notApplicable('no ServiceAccount uses IRSA (annotation eks.amazonaws.com/role-arn)');
      return;
    }
    const crossAccount: string[] = [];
    for (const sa of annotated) {
      const arn = irsaRole(sa)!;
      const ns = sa.metadata.namespace ?? 'default';
      const name = sa.metadata.name ?? '';
      const roleAccount = parseArn(arn)?.accountId;
      if (roleAccount && accountId && roleAccount !== accountId) { crossAccount.push(`${ns}/${name} → ${arn}`); continue; }
      if (!ctx.canEvaluate('irsa-trust')) { ctx.unevaluated('irsa-trust', 'IRSA role trust policies were not read', sa); continue; }
      const role = getRole(ev, arn);
      if (!role) {
        ctx.fail(sa, 'irsa-trust', `annotation points at ${arn}, which iam:GetRole did not return: the role does not exist (the annotation cannot work)`, { severity: 'medium' });
        continue;
      }
      const doc = parsePolicyDocument(role.trustPolicy);
      if (!doc) { ctx.unevaluated('irsa-trust', `the trust policy of ${role.roleName} could not be parsed`, sa); continue; }
      const v = irsaTrustVerdict(doc, host, ns, name);
      if (v.ok) ctx.pass(sa, 'irsa-trust', `role ${role.roleName}: ${v.message}`);
      else ctx.fail(sa, 'irsa-trust', `role ${role.roleName}: ${v.message}`, v.severity ? { severity: v.severity } : undefined);
    }
    if (crossAccount.length) ctx.note(`roles in other accounts not checked (their trust policies are not readable from this account): ${crossAccount.join(', ')}`);
    ctx.note(`${annotated.length} service account(s) use IRSA; EKS Pod Identity needs no OIDC provider per cluster and no trust-policy edits — consider migrating (not for Fargate or Windows pods; see CC5-IAM-01)`);
  },
});

// ---------------------------------------------------------------------------------------------

export const CC5_IAM_03 = defineControl({
  id: 'CC5-IAM-03',
  title: 'Kubernetes access follows least privilege (RBAC, access entries, aws-auth)',
  section: 'CC5',
  under: 'accessManagement',
  tsc: ['CC6.3', 'CC6.1', 'CC6.2'],
  automation: 'partial',
  severity: 'high',
  description:
    'Every RBAC object is judged on its own, as the API server authorizes (ClusterRole aggregation resolved, subresources, ' +
    'resourceNames, RoleBindings of ClusterRoles limited to their namespace, the Kubernetes default roles assumed when the input ' +
    'lacks them). Each Role and ClusterRole, bound or not, and each binding is checked for "*" grants, reading Secrets, ' +
    'escalate/bind/impersonate, minting service-account tokens, nodes/proxy, CSR approval, admission-webhook writes, ' +
    'PersistentVolume creation, Namespace edits, exec/attach/port-forward/ephemeral containers (get counted before Kubernetes ' +
    '1.35) and RBAC writes: required when the grant reaches the whole cluster or escalates, a warning when confined to one ' +
    'namespace. Each ClusterRoleBinding granting cluster-admin (or "*" on "*") fails unless its subjects are in ' +
    'clusterAdminAllowlist, and each other binding passes; so does each EKS access entry with AmazonEKSClusterAdminPolicy or ' +
    'AmazonEKSAdminPolicy at cluster scope, and each aws-auth system:masters mapping, while every access policy association is ' +
    'judged like a binding at its access scope. Subjects are classified by meaning (system:authenticated and ' +
    'system:serviceaccounts are everyone, service accounts of system namespaces are system identities), never by the ' +
    'binding\'s name; bindings to system identities are reported with the system findings. Anonymous and unauthenticated users ' +
    'may get discovery endpoints only. The cluster-admin principals are counted against maxClusterAdmins. The periodic access ' +
    'review itself is attested.',
  requires: [...RBAC_REQUIREMENTS],
  optional: [aws('eks:DescribeCluster'), ...ACCESS_ENTRY_KEYS, AWS_AUTH_KEY],
  rules: RBAC_RULES,
  attestation: 'A periodic (quarterly) access review of cluster-admin principals, access entries and RBAC bindings, signed by the reviewer, with the changes it led to.',
  remediation: {
    summary:
      'Replace wildcard and cluster-wide roles with namespace-scoped roles bound to groups, remove grants on Secrets, nodes/proxy, ' +
      'escalate/bind/impersonate and exec where they are not needed, never bind the default service account, and keep ' +
      'cluster-admin to a short, approved list of break-glass principals.',
    commands: [
      'kubectl get clusterrolebindings -o wide',
      'kubectl auth can-i --list --as=system:serviceaccount:$NAMESPACE:$SERVICE_ACCOUNT',
      'aws eks list-associated-access-policies --cluster-name $CLUSTER_NAME --principal-arn $PRINCIPAL_ARN',
      'aws eks disassociate-access-policy --cluster-name $CLUSTER_NAME --principal-arn $PRINCIPAL_ARN --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    ],
  },
  references: [
    { title: 'Kubernetes: Role Based Access Control good practices', url: 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/' },
    { title: 'Kubernetes: Using RBAC authorization (aggregated ClusterRoles, default roles)', url: 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/' },
    { title: 'Amazon EKS: Access policy permissions', url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html' },
  ],
  check(ev, ctx) {
    const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const minor = serverMinorOf(ev, cluster);
    const inEffect = awsAuthInEffect(cluster);
    const members = { entries: ev.has('aws:eks:ListAccessEntries'), awsAuth: ev.has('k8s:core/ConfigMap') && inEffect !== false };
    const powerful = powerfulServiceAccounts(ev, minor);
    judgeRoleDefinitions(ev, ctx, minor, powerful);
    const b = judgeBindings(ev, ctx, minor, { leastPrivilege: true, members, powerful });
    judgeAnonymousBindings(ev, ctx);
    judgeAccessEntries(ev, ctx, minor, { leastPrivilege: true, powerful });
    judgeAwsAuthAdmins(ev, ctx, cluster);
    countClusterAdmins(ev, ctx, cluster);
    if (b.dangling.length) ctx.note(`${b.dangling.length} binding(s) reference a role that is not in the evidence (they grant nothing until it exists): ${b.dangling.slice(0, 3).join('; ')}${b.dangling.length > 3 ? '; …' : ''}`);
    if (b.creators.length) ctx.note(`${b.creators.length} binding(s) can create workloads, which gives access to every Secret and ServiceAccount of the namespace (expected for deployers): ${b.creators.slice(0, 3).join('; ')}${b.creators.length > 3 ? '; …' : ''}`);
    if (minor === undefined) ctx.note('cluster version unknown: get on pods/exec is counted as exec access (as before Kubernetes 1.35)');
  },
});

// ---------------------------------------------------------------------------------------------

/** Parse an IPv4 or IPv6 CIDR into a bigint range; undefined when invalid. */
function cidrRange(cidr: string): { v: 4 | 6; start: bigint; end: bigint } | undefined {
  const [addr, lenText] = cidr.trim().split('/');
  if (!addr || lenText === undefined || !/^\d+$/.test(lenText)) return undefined;
  const len = Number(lenText);
  let value = 0n;
  let bits: number;
  if (addr.includes(':')) {
    bits = 128;
    const [head, tail] = addr.split('::');
    const parts = (s: string | undefined) => (s ? s.split(':') : []);
    const h = parts(head);
    const t = parts(tail);
    if (addr.split('::').length > 2) return undefined;
    const fill = addr.includes('::') ? 8 - h.length - t.length : 0;
    const groups = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  } else {
    bits = 32;
    const octets = addr.split('.');
    if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) return undefined;
    for (const o of octets) value = (value << 8n) | BigInt(Number(o));
  }
  if (len > bits) return undefined;
  const host = (1n << BigInt(bits - len)) - 1n;
  const start = value & ~host;
  return { v: bits === 32 ? 4 : 6, start, end: start | host };
}

/** True when `inner` lies within `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return Boolean(a && b && a.v === b.v && a.start >= b.start && a.end <= b.end);
}

const isOpenCidr = (c: string) => { const r = cidrRange(c); return Boolean(r && r.start === 0n && r.end === (r.v === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n)); };

export const CC5_IAM_04 = defineControl({
  id: 'CC5-IAM-04',
  title: 'The Kubernetes API endpoint is private, or public only to approved networks',
  section: 'CC5',
  under: 'accessManagement',
  tsc: ['CC6.1', 'CC6.6'],
  automation: 'automated',
  severity: 'high',
  description:
    'The EKS API server endpoint has public access turned off, or public access is limited to a CIDR list that contains neither ' +
    '0.0.0.0/0 nor ::/0 and, when approvedEndpointCidrs is configured, only approved networks. With public access off, the ' +
    'CIDR list EKS still returns (0.0.0.0/0 by default) is ignored. A public endpoint without private access sends node traffic ' +
    'to the API over the internet: a warning (the checklist accepts a restricted public endpoint).',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description')],
  rules: {
    'endpoint-public-access': { title: 'Public endpoint access is off or limited to approved CIDRs', severity: 'high', level: 'required', basis: 'Checklist: "private or restricted public"' },
    'endpoint-private-access': {
      title: 'Private endpoint access is on', severity: 'low', level: 'recommended',
      basis: 'controls.md: a public endpoint without private access is a warning; the checklist accepts a restricted public endpoint',
    },
  },
  remediation: {
    summary: 'Turn public access off (run the tool and kubectl from inside the VPC or over VPN), or restrict it to known CIDRs and keep private access on.',
    commands: [
      'aws eks update-cluster-config --name $CLUSTER_NAME --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true',
      'aws eks update-cluster-config --name $CLUSTER_NAME --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs="203.0.113.0/24",endpointPrivateAccess=true',
    ],
  },
  references: [
    { title: 'Amazon EKS: Cluster API server endpoint', url: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html' },
    { title: 'Security Hub: Amazon EKS controls (EKS.1)', url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html' },
    { title: 'AWS Config: eks-endpoint-no-public-access', url: 'https://docs.aws.amazon.com/config/latest/developerguide/eks-endpoint-no-public-access.html' },
  ],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    const v = c?.resourcesVpcConfig;
    if (!c || !v) {
      for (const rule of ['endpoint-public-access', 'endpoint-private-access']) ctx.unevaluated(rule, 'the cluster description has no resourcesVpcConfig');
      return;
    }
    const ref = clusterRef(c);
    const cidrs = v.publicAccessCidrs ?? [];
    if (v.endpointPublicAccess === false && v.endpointPrivateAccess === false) {
      // EKS does not allow it: the description is not evidence of either setting.
      for (const rule of ['endpoint-public-access', 'endpoint-private-access']) ctx.unevaluated(rule, 'both public and private endpoint access are reported off, which EKS does not allow: the description looks incomplete', ref);
      return;
    }
    if (v.endpointPublicAccess === false) {
      ctx.pass(ref, 'endpoint-public-access', `public endpoint access is off${cidrs.length ? ` (the publicAccessCidrs ${cidrs.join(', ')} EKS still reports do not apply)` : ''}`);
      ctx.pass(ref, 'endpoint-private-access', 'private endpoint access is on');
      return;
    }
    const approved = ctx.config.approvedEndpointCidrs;
    const open = cidrs.filter(isOpenCidr);
    const invalid = cidrs.filter((x) => !cidrRange(x));
    const unapproved = approved.length ? cidrs.filter((x) => !approved.some((a) => cidrWithin(x, a))) : [];
    if (cidrs.length === 0 || open.length) {
      ctx.fail(ref, 'endpoint-public-access', `public endpoint is open to the internet (publicAccessCidrs ${cidrs.length ? open.join(', ') : 'empty, which means everyone'})`);
    } else if (unapproved.length) {
      ctx.fail(ref, 'endpoint-public-access', `public endpoint allows CIDRs outside approvedEndpointCidrs: ${unapproved.join(', ')}`, { severity: 'medium' });
    } else if (invalid.length) {
      ctx.fail(ref, 'endpoint-public-access', `publicAccessCidrs has entries that are not CIDRs: ${invalid.join(', ')}`, { severity: 'medium' });
    } else {
      ctx.pass(ref, 'endpoint-public-access', `public endpoint restricted to ${cidrs.join(', ')}${approved.length ? ' (all approved)' : ''}`);
      ctx.note('AWS Config eks-endpoint-no-public-access and Security Hub EKS.1 report any public endpoint as non-compliant, even a CIDR-restricted one: expect them to differ from this result');
    }
    if (v.endpointPrivateAccess === true) ctx.pass(ref, 'endpoint-private-access', 'private endpoint access is on: nodes reach the API inside the VPC');
    else ctx.fail(ref, 'endpoint-private-access', 'private endpoint access is off: node-to-API traffic leaves the VPC through the public endpoint');
  },
});

// ---------------------------------------------------------------------------------------------

export const CC5_IAM_05 = defineControl({
  id: 'CC5-IAM-05',
  title: 'People sign in with multi-factor authentication',
  section: 'CC5',
  under: 'accessManagement',
  tsc: ['CC6.1', 'CC6.6'],
  automation: 'partial',
  severity: 'high',
  description:
    'The root user has MFA (account summary), every IAM user with a console password has an active MFA device (credential ' +
    'report); IAM users — long-lived credentials — mapped into the cluster through access entries or aws-auth are a warning. People ' +
    'who sign in through IAM Identity Center or an external identity provider do not appear in IAM: their MFA is enforced by the ' +
    'identity provider and attested.',
  requires: [
    need.aws('iam:GetAccountSummary', 'the IAM account summary'),
    need.aws('iam:GetCredentialReport', 'the IAM credential report'),
  ],
  optional: [...ACCESS_ENTRY_KEYS, AWS_AUTH_KEY],
  rules: {
    'root-mfa': { title: 'The root user has MFA', severity: 'critical', level: 'required', evidence: [aws('iam:GetAccountSummary')] },
    'user-mfa': { title: 'IAM users with a console password have MFA', severity: 'high', level: 'required', evidence: [aws('iam:GetCredentialReport')] },
    'iam-user-in-cluster': {
      title: 'No IAM users mapped into the cluster', severity: 'low', level: 'recommended', evidence: [],
      basis: 'controls.md: IAM users mapped into the cluster (long-lived keys) are a warning; MFA itself is judged by root-mfa and user-mfa',
    },
  },
  attestation: 'The identity provider (IAM Identity Center or external IdP) enforces MFA for everyone who can reach the cluster: policy export or screenshot, dated.',
  remediation: {
    summary: 'Enable MFA on the root user, give console users MFA or remove their passwords, map people into the cluster through Identity Center roles rather than IAM users, and enforce MFA in the identity provider.',
    commands: [
      'aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d',
      'aws iam get-account-summary --query "SummaryMap.AccountMFAEnabled"',
      'aws iam delete-login-profile --user-name $USER_NAME',
    ],
  },
  references: [
    { title: 'IAM: Credential reports', url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html' },
    { title: 'IAM: MFA for the root user', url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html' },
    { title: 'IAM Identity Center: MFA', url: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html' },
  ],
  check(ev, ctx) {
    const sumFact = ev.aws('iam:GetAccountSummary')[0];
    const repFact = ev.aws('iam:GetCredentialReport')[0];
    const accountId = sumFact?.accountId ?? repFact?.accountId;
    const acct = awsRef('AWS::::Account', accountId ?? 'account', { accountId });
    const summary = out<{ SummaryMap?: Record<string, number> }>(sumFact)?.SummaryMap;
    if (!summary || typeof summary.AccountMFAEnabled !== 'number') ctx.unevaluated('root-mfa', 'the account summary has no AccountMFAEnabled');
    else if (summary.AccountMFAEnabled === 1) ctx.pass(acct, 'root-mfa', 'root user has MFA (AccountMFAEnabled = 1)');
    else ctx.fail(acct, 'root-mfa', 'root user has no MFA (AccountMFAEnabled = 0)');

    const rep = out<{ Content?: unknown; GeneratedTime?: string }>(repFact);
    const text = credentialReportText(rep?.Content);
    const rows = text ? parseCredentialReport(text) : undefined;
    if (!rows) {
      ctx.unevaluated('user-mfa', 'the credential report could not be read (expected CSV, base64-encoded as IAM returns it)');
    } else {
      let noConsole = 0;
      for (const r of rows) {
        if (r.user === '<root_account>') continue;
        const ref = awsRef('AWS::IAM::User', r.user ?? '?', { arn: r.arn, accountId });
        if (r.password_enabled !== 'true') { noConsole++; continue; }
        if (r.mfa_active === 'true') ctx.pass(ref, 'user-mfa', `IAM user ${r.user} has a console password and MFA`);
        else ctx.fail(ref, 'user-mfa', `IAM user ${r.user} has a console password and no MFA${r.password_last_used && r.password_last_used !== 'N/A' && r.password_last_used !== 'no_information' ? ` (last sign-in ${r.password_last_used})` : ''}`);
      }
      if (noConsole) ctx.note(`${noConsole} IAM user(s) have no console password (access keys only; see the access-key columns of the report)`);
      if (rep?.GeneratedTime) ctx.note(`credential report generated ${rep.GeneratedTime} (IAM caches it for up to 4 hours)`);
    }

    // IAM users mapped into the cluster: each mapping is judged; "none" needs both sources read.
    const mapped = new Map<string, string>();
    const entriesRead = ev.has('aws:eks:ListAccessEntries');
    const awsAuthRead = ev.complete('k8s:core/ConfigMap');
    if (entriesRead) {
      for (const e of accessEntries(ev)) if (isIamUserArn(e.principalArn) && !(e.type && NODE_ENTRY_TYPES.has(e.type))) mapped.set(e.principalArn, 'access entry');
    }
    if (awsAuthRead) {
      for (const m of awsAuth(ev)?.mappings ?? []) if (m.section === 'mapUsers' || isIamUserArn(m.arn)) mapped.set(m.arn, `aws-auth ${m.section}`);
    }
    for (const [arn, via] of mapped) ctx.fail(iamPrincipalRef(arn), 'iam-user-in-cluster', `IAM user ${roleNameFromArn(arn)} is mapped into the cluster (${via}): long-lived credentials outside the identity provider's MFA`);
    if (mapped.size === 0) {
      const unread = [ev.complete('aws:eks:ListAccessEntries') ? '' : entriesRead ? 'every access entry of the cluster (the input holds only those it declares)' : 'access entries (eks:ListAccessEntries)', awsAuthRead ? '' : 'the aws-auth ConfigMap'].filter(Boolean);
      const cref = awsRef('AWS::EKS::Cluster', ctx.clusterName ?? 'cluster', { accountId });
      if (unread.length) ctx.unevaluated('iam-user-in-cluster', `${unread.join(' and ')} not read`);
      else ctx.pass(cref, 'iam-user-in-cluster', 'no IAM user is mapped into the cluster (access entries and aws-auth read)');
    }
    const sso = entriesRead ? accessEntries(ev).filter((e) => isSsoRoleArn(e.principalArn)).length : 0;
    if (sso) ctx.note(`${sso} access entr${sso === 1 ? 'y is' : 'ies are'} IAM Identity Center roles: MFA for those people is enforced in Identity Center (attest it)`);
  },
});

// ---------------------------------------------------------------------------------------------

const PSS = 'pod-security.kubernetes.io';

/**
 * What a pod spec does that Pod Security Admission at `level` forbids, as PSA judges it (`lib/psa.ts`),
 * for policy version `minor` (undefined = latest). Windows pods (`spec.os.name`) are exempt from the
 * Linux-only restricted controls, user-namespace pods from the non-root ones.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export function pssViolations(spec: PodSpec, level: PssLevel, minor?: number, meta: { annotations?: Record<string, string> } = {}): string[] {
  return [...new Set(psaViolations(meta, spec, level, minor).map((v) => `${v.check}: ${v.detail}`))];
}

/** The policy version PSA applies: the pinned enforce-version when valid (clamped to the cluster's), else the cluster's, else latest. */
function policyVersion(version: string | undefined, serverMinor: number | undefined): number | undefined {
  const pinned = version && version !== 'latest' ? /^v1\.(\d+)$/.exec(version) : null;
  const p = pinned ? Number(pinned[1]) : undefined;
  if (p === undefined) return serverMinor;
  return serverMinor === undefined ? p : Math.min(p, serverMinor);
}

export const CC5_HARD_01 = defineControl({
  id: 'CC5-HARD-01',
  title: 'Pod Security Standards are enforced in every application namespace',
  section: 'CC5',
  under: 'hardening',
  tsc: ['CC6.8', 'CC7.1', 'CC5.2'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required: every non-system namespace carries pod-security.kubernetes.io/enforce set to baseline or restricted (an ' +
    'unlabelled namespace gets the admission default, privileged: nothing is enforced). Recommended (warnings): baseline ' +
    'namespaces also audit and warn at restricted; the enforce-version is "latest" or not pinned below the cluster version; and ' +
    'the workloads of labelled namespaces comply with their level — a label does not evict pods admitted before it, and enforce ' +
    'does not check controller templates — judged as Pod Security Admission judges them (exact values, explicit pod-level ' +
    'settings, ephemeral containers, the version-gated checks). System namespaces are reported separately.',
  requires: [need.kind('core/Namespace', 'Namespaces')],
  optional: [...WORKLOAD_KEYS],
  rules: {
    'pss-labels': { title: 'Namespace enforces Pod Security baseline or restricted', severity: 'high', level: 'required', evidence: [], basis: 'Checklist: "Deploy Pod Security Standards" (enforce label per namespace)' },
    'pss-audit-warn': {
      title: 'Baseline namespaces audit and warn at restricted', severity: 'low', level: 'recommended', evidence: [],
      basis: 'The checklist manifest sets audit/warn restricted; enforcement itself is judged by pss-labels',
    },
    'pss-version': {
      title: 'enforce-version is latest or not pinned below the cluster version', severity: 'low', level: 'recommended', evidence: [],
      basis: 'controls.md: an old pinned version weakens the checks (hardening beyond the item)',
    },
    'pss-running-pods': {
      title: 'Workloads comply with their namespace\'s enforced level', severity: 'low', level: 'recommended', evidence: [need.workloads()],
      basis: 'controls.md: running violators (admitted before the label) are a warning',
    },
  },
  remediation: {
    summary: 'Label each application namespace (restricted where possible, baseline with warn/audit at restricted otherwise); fix or move the workloads the warnings name first.',
    commands: [
      'kubectl label --dry-run=server --overwrite ns $NAMESPACE pod-security.kubernetes.io/enforce=restricted',
      'kubectl label --overwrite ns $NAMESPACE pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/audit=restricted pod-security.kubernetes.io/warn=restricted',
    ],
    manifest: `apiVersion: v1
kind: Namespace
metadata:
  name: $NAMESPACE
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
    pod-security.kubernetes.io/audit: restricted
    pod-security.kubernetes.io/warn: restricted`,
  },
  references: [
    { title: 'Kubernetes: Pod Security Admission', url: 'https://kubernetes.io/docs/concepts/security/pod-security-admission/' },
    { title: 'Kubernetes: Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
    { title: 'Kubernetes: Enforce Pod Security Standards with namespace labels', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/' },
    { title: 'EKS Best Practices: Pod security', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html' },
  ],
  check(ev, ctx) {
    const minor = ev.serverMinor();
    const byNs = new Map<string, Workload[]>();
    const workloadsRead = ctx.canEvaluate('pss-running-pods');
    if (!workloadsRead) ctx.unevaluated('pss-running-pods', 'workloads not read');
    for (const w of workloadsRead ? workloads(ev) : []) {
      const list = byNs.get(w.namespace);
      if (list) list.push(w); else byNs.set(w.namespace, [w]);
    }
    const known = new Set<string>();
    for (const ns of ev.objects('core/Namespace')) {
      const name = ns.metadata.name ?? '';
      known.add(name);
      const system = ctx.isSystemNamespace(name);
      const labels = ns.metadata.labels ?? {};
      const enforce = labels[`${PSS}/enforce`];
      const audit = labels[`${PSS}/audit`];
      const warn = labels[`${PSS}/warn`];
      if (enforce === undefined) {
        ctx.fail(ns, 'pss-labels', `no pod-security.kubernetes.io/enforce label: the PodSecurity admission default (privileged) applies, nothing is enforced${system ? ' (system namespace: node agents may need it)' : ''}`);
        continue;
      }
      if (!(PSS_LEVELS as readonly string[]).includes(enforce)) {
        ctx.fail(ns, 'pss-labels', `enforce label "${enforce}" is not a Pod Security level (privileged, baseline, restricted): the API server rejects it on update, and PSA enforces restricted:latest while it stays`, { severity: 'medium' });
        continue;
      }
      const level = enforce as PssLevel;
      if (level === 'privileged') {
        ctx.fail(ns, 'pss-labels', `enforce: privileged — nothing is enforced${system ? ' (system namespace: expected for node agents)' : ' (list the namespace as a system namespace if it really runs node agents)'}`);
        continue;
      }
      ctx.pass(ns, 'pss-labels', `enforce: ${level}`);
      const version = labels[`${PSS}/enforce-version`];
      const pinned = version && version !== 'latest' ? /^v1\.(\d+)$/.exec(version) : null;
      if (version && version !== 'latest' && !pinned) {
        ctx.fail(ns, 'pss-version', `enforce-version "${version}" is not "latest" or v1.<minor> (PSA falls back to latest)`);
      } else if (pinned && minor !== undefined && Number(pinned[1]) < minor) {
        ctx.fail(ns, 'pss-version', `enforce: ${level}, but pinned to ${version} on a 1.${minor} cluster: checks added since are not applied`);
      } else {
        ctx.pass(ns, 'pss-version', `enforce-version ${version ?? 'latest (not set)'}${pinned && minor === undefined ? ' (cluster version unknown)' : ''}`);
      }
      if (level === 'baseline') {
        if (audit !== 'restricted' || warn !== 'restricted') {
          const missing = [audit !== 'restricted' ? 'audit' : '', warn !== 'restricted' ? 'warn' : ''].filter(Boolean).join(' and ');
          ctx.fail(ns, 'pss-audit-warn', `enforce: baseline, but ${missing} not set to restricted: nobody sees what restricted would reject`);
        } else {
          ctx.pass(ns, 'pss-audit-warn', 'enforce: baseline, audit/warn: restricted');
        }
      }
      const policyMinor = policyVersion(version, minor);
      for (const w of byNs.get(name) ?? []) {
        const v = pssViolations(w.spec, level, policyMinor, w.podMeta);
        if (v.length) ctx.fail(w.obj, 'pss-running-pods', `violates the namespace's ${level} level (admitted before the label, or a template the admission does not check): ${v.join('; ')}`);
        else ctx.pass(w.obj, 'pss-running-pods', `complies with ${level}`);
      }
    }
    const unknown = [...byNs.keys()].filter((n) => !known.has(n));
    if (unknown.length) ctx.note(`workloads in namespaces not in the evidence (labels unknown): ${unknown.join(', ')}`);
  },
});

// ---------------------------------------------------------------------------------------------

const GK_CRD = 'constrainttemplates.templates.gatekeeper.sh';

/** A finding ref for a component living in a system namespace whose health is the control's subject. */
function componentRef(o: K8sObject): ResourceRef {
  return { provider: 'kubernetes', apiVersion: o.apiVersion, kind: o.kind, name: `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? '?'}`, ...(o.metadata.uid ? { uid: o.metadata.uid } : {}) };
}

function enforcementOf(c: K8sObject): string {
  const spec = (c.spec ?? {}) as { enforcementAction?: string; scopedEnforcementActions?: { action?: string; enforcementPoints?: { name?: string }[] }[] };
  const a = spec.enforcementAction ?? 'deny';
  if (a === 'scoped') {
    const deny = (spec.scopedEnforcementActions ?? []).some((s) => s.action === 'deny' && (s.enforcementPoints ?? []).some((p) => p.name === 'validation.gatekeeper.sh' || p.name === '*'));
    return deny ? 'deny' : 'scoped (no deny at admission)';
  }
  return a;
}

const GK_WEBHOOKS = k8s('admissionregistration.k8s.io/ValidatingWebhookConfiguration');
const GK_CONSTRAINTS = k8s('constraints.gatekeeper.sh/*');

export const CC5_HARD_02 = defineControl({
  id: 'CC5-HARD-02',
  title: 'A policy engine (OPA Gatekeeper or equivalent) enforces admission policies',
  section: 'CC5',
  under: 'hardening',
  tsc: ['CC5.2', 'CC6.8', 'CC7.1', 'CC8.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required: OPA Gatekeeper is installed (CRDs), its controller and audit Deployments are available and auditing, its validating ' +
    'webhook is registered, and at least one constraint denies at admission. Recommended (warnings): the webhook fails closed ' +
    '(Gatekeeper fails open by default, failurePolicy Ignore), every constraint denies rather than dryrun/warn, constraints report ' +
    'no audit violations, and no application namespace is exempt (admission.gatekeeper.sh/ignore, Config excludedNamespaces). ' +
    'Kyverno ClusterPolicies in Enforce mode with an available admission controller, or ValidatingAdmissionPolicies bound with ' +
    'Deny, are accepted as an equivalent engine.',
  requires: [
    need.kind('apiextensions.k8s.io/CustomResourceDefinition', 'CustomResourceDefinitions'),
    need.kind('apps/Deployment', 'Deployments'),
  ],
  optional: [
    k8s('admissionregistration.k8s.io/ValidatingWebhookConfiguration'), k8s('constraints.gatekeeper.sh/*'), k8s('templates.gatekeeper.sh/ConstraintTemplate'),
    k8s('config.gatekeeper.sh/Config'), k8s('kyverno.io/ClusterPolicy'), k8s('admissionregistration.k8s.io/ValidatingAdmissionPolicy'),
    k8s('admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding'), k8s('core/Namespace'),
  ],
  rules: {
    'policy-engine': { title: 'Gatekeeper (or Kyverno / ValidatingAdmissionPolicy) is installed', severity: 'high', level: 'required', basis: 'Checklist: "Implement OPA Gatekeeper for policy enforcement"' },
    'gatekeeper-healthy': { title: 'Gatekeeper controller and audit are available and auditing', severity: 'high', level: 'required' },
    'gatekeeper-webhook': {
      title: 'The Gatekeeper validating webhook is registered', severity: 'high', level: 'required', evidence: [GK_WEBHOOKS],
      basis: 'Without the webhook nothing is enforced at admission',
    },
    'gatekeeper-fail-closed': {
      title: 'The Gatekeeper webhook fails closed (failurePolicy: Fail)', severity: 'low', level: 'recommended', evidence: [GK_WEBHOOKS],
      basis: 'controls.md: failurePolicy Ignore (the chart default) is a warning',
    },
    'gatekeeper-enforcement': {
      title: 'At least one constraint denies at admission', severity: 'medium', level: 'required', evidence: [GK_CONSTRAINTS],
      basis: 'controls.md: pass needs at least one constraint with enforcementAction deny',
    },
    'gatekeeper-constraint-mode': {
      title: 'Each constraint denies at admission (not dryrun/warn)', severity: 'low', level: 'recommended', evidence: [GK_CONSTRAINTS],
      basis: 'controls.md: dryrun/warn constraints are a warning',
    },
    'gatekeeper-violations': {
      title: 'Constraints report no audit violations', severity: 'medium', level: 'recommended', evidence: [GK_CONSTRAINTS],
      basis: 'The violations are findings about other resources; the enforcement mechanism itself is judged by the required rules',
    },
    'gatekeeper-exemptions': {
      title: 'No application namespace is exempt from Gatekeeper', severity: 'low', level: 'recommended', evidence: [],
      basis: 'controls.md lists exemptions as an edge case to report, not a failure of the item',
    },
  },
  remediation: {
    summary: 'Install a current Gatekeeper release with constraint templates from the Gatekeeper library, move constraints from dryrun to deny once clean, and set the webhook to fail closed after testing.',
    commands: [
      'kubectl apply -f https://raw.githubusercontent.com/open-policy-agent/gatekeeper/v3.23.0/deploy/gatekeeper.yaml',
      'helm upgrade --install gatekeeper gatekeeper/gatekeeper -n gatekeeper-system --create-namespace --set validatingWebhookFailurePolicy=Fail',
      'kubectl get constraints -o custom-columns=KIND:.kind,NAME:.metadata.name,ACTION:.spec.enforcementAction,VIOLATIONS:.status.totalViolations',
    ],
  },
  references: [
    { title: 'Gatekeeper: Customizing admission behavior', url: 'https://open-policy-agent.github.io/gatekeeper/website/docs/customize-admission/' },
    { title: 'Gatekeeper: Failing closed', url: 'https://open-policy-agent.github.io/gatekeeper/website/docs/failing-closed' },
    { title: 'Gatekeeper: Handling constraint violations', url: 'https://open-policy-agent.github.io/gatekeeper/website/docs/violations/' },
  ],
  check(ev, ctx) {
    const crds = crdNames(ev);
    const deps = ev.objects('apps/Deployment');
    const gkDeps = deps.filter((d) => d.metadata.name === 'gatekeeper-controller-manager' || d.metadata.name === 'gatekeeper-audit');
    const gatekeeper = crds.has(GK_CRD) || gkDeps.length > 0;
    const cref: ResourceRef = { provider: 'kubernetes', kind: 'Cluster', name: ctx.clusterName ?? 'cluster' };

    // Equivalent engines.
    const kyvernoPolicies = ev.objects('kyverno.io/ClusterPolicy').filter((p) => {
      const spec = (p.spec ?? {}) as { validationFailureAction?: string; rules?: { validate?: { failureAction?: string } }[] };
      return /^enforce$/i.test(spec.validationFailureAction ?? '') || (spec.rules ?? []).some((r) => /^enforce$/i.test(r.validate?.failureAction ?? ''));
    });
    const kyvernoUp = deps.some((d) => (d.metadata.name === 'kyverno-admission-controller' || d.metadata.name === 'kyverno') && isAvailable(d));
    const vapNames = new Set(ev.objects('admissionregistration.k8s.io/ValidatingAdmissionPolicy').map((p) => p.metadata.name));
    const vapDeny = ev.objects('admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding').filter((b) => {
      const spec = (b.spec ?? {}) as { policyName?: string; validationActions?: string[] };
      return vapNames.has(spec.policyName) && (spec.validationActions ?? []).includes('Deny');
    });

    if (!gatekeeper) {
      // "No engine" is an absence claim: every place one could show must have been read as a whole.
      const unread = ['apiextensions.k8s.io/CustomResourceDefinition', 'apps/Deployment', 'kyverno.io/ClusterPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding'].filter((k) => !ev.complete(`k8s:${k}`));
      if (kyvernoPolicies.length && kyvernoUp) {
        for (const p of kyvernoPolicies) ctx.pass(p, 'policy-engine', 'Kyverno ClusterPolicy in Enforce mode (accepted as equivalent to Gatekeeper)');
      } else if (vapDeny.length) {
        for (const b of vapDeny) ctx.pass(b, 'policy-engine', `ValidatingAdmissionPolicy ${(b.spec as { policyName?: string }).policyName} bound with Deny (accepted as equivalent to Gatekeeper)`);
      } else if (kyvernoPolicies.length && ev.complete('k8s:apps/Deployment')) {
        ctx.fail(cref, 'policy-engine', `${kyvernoPolicies.length} Kyverno ClusterPolicies in Enforce mode, but no available Kyverno admission controller Deployment`);
      } else if (unread.length) {
        ctx.unevaluated('policy-engine', `no admission policy engine found, but the input may not hold everything: ${unread.join(', ')} not read as a whole`);
      } else {
        ctx.fail(cref, 'policy-engine', 'no admission policy engine: no Gatekeeper, no Kyverno ClusterPolicy in Enforce mode, no ValidatingAdmissionPolicy bound with Deny');
      }
      return;
    }
    ctx.pass(cref, 'policy-engine', `OPA Gatekeeper is installed${crds.has(GK_CRD) ? ` (CRD ${GK_CRD})` : ''}`);

    // Health.
    for (const name of ['gatekeeper-controller-manager', 'gatekeeper-audit']) {
      const d = gkDeps.find((x) => x.metadata.name === name);
      const dref: ResourceRef = { provider: 'kubernetes', apiVersion: 'apps/v1', kind: 'Deployment', name };
      if (!d && !ev.complete('k8s:apps/Deployment')) ctx.unevaluated('gatekeeper-healthy', `Deployment ${name} is not in the input`, dref);
      else if (!d) ctx.fail(dref, 'gatekeeper-healthy', `Deployment ${name} not found${name === 'gatekeeper-audit' ? ': nothing audits existing resources' : ': nothing answers the admission webhook'}`);
      else if (isAvailable(d)) ctx.pass(componentRef(d), 'gatekeeper-healthy', `Deployment ${d.metadata.namespace}/${name} is available`);
      else ctx.fail(componentRef(d), 'gatekeeper-healthy', `Deployment ${d.metadata.namespace}/${name} is not available`);
    }

    // Webhook.
    const vwcRef: ResourceRef = { provider: 'kubernetes', apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: 'gatekeeper-validating-webhook-configuration' };
    if (ctx.canEvaluate('gatekeeper-webhook')) {
      const vwc = ev.get('admissionregistration.k8s.io/ValidatingWebhookConfiguration', '', 'gatekeeper-validating-webhook-configuration');
      const hook = arr<{ name?: string; failurePolicy?: string }>(vwc?.webhooks).find((w) => w.name === 'validation.gatekeeper.sh');
      if ((!vwc || !hook) && !ev.complete('k8s:admissionregistration.k8s.io/ValidatingWebhookConfiguration')) {
        ctx.unevaluated('gatekeeper-webhook', 'the Gatekeeper webhook configuration is not in the input', vwcRef);
        ctx.unevaluated('gatekeeper-fail-closed', 'the Gatekeeper webhook configuration is not in the input');
      } else if (!vwc || !hook) {
        ctx.fail(vwcRef, 'gatekeeper-webhook', 'the Gatekeeper validating webhook (validation.gatekeeper.sh) is not registered: constraints are audited but nothing is denied at admission');
      } else {
        ctx.pass(vwc, 'gatekeeper-webhook', 'webhook validation.gatekeeper.sh is registered');
        if ((hook.failurePolicy ?? 'Fail') === 'Fail') ctx.pass(vwc, 'gatekeeper-fail-closed', 'webhook validation.gatekeeper.sh fails closed (failurePolicy: Fail)');
        else ctx.fail(vwc, 'gatekeeper-fail-closed', `webhook validation.gatekeeper.sh has failurePolicy: ${hook.failurePolicy} (fails open: while Gatekeeper is down, everything is admitted)`);
      }
    } else {
      ctx.unevaluated('gatekeeper-webhook', 'ValidatingWebhookConfigurations not read');
      ctx.unevaluated('gatekeeper-fail-closed', 'ValidatingWebhookConfigurations not read');
    }

    // Constraints.
    if (ctx.canEvaluate('gatekeeper-enforcement')) {
      const constraints = ev.objects('constraints.gatekeeper.sh/*');
      let deny = 0;
      let newestAudit: number | undefined;
      for (const c of constraints) {
        const action = enforcementOf(c);
        const label = `${c.kind} ${c.metadata.name}`;
        if (action === 'deny') { deny++; ctx.pass(c, 'gatekeeper-constraint-mode', `${label} denies at admission`); }
        else ctx.fail(c, 'gatekeeper-constraint-mode', `${label} has enforcementAction ${action}: violations are only ${action === 'warn' ? 'warned about' : 'recorded'}`);
        const status = (c.status ?? {}) as { totalViolations?: number; auditTimestamp?: string; violations?: { kind?: string; namespace?: string; name?: string }[] };
        const t = toTime(status.auditTimestamp);
        if (t !== undefined && (newestAudit === undefined || t > newestAudit)) newestAudit = t;
        const total = typeof status.totalViolations === 'number' ? status.totalViolations : Array.isArray(status.violations) ? status.violations.length : undefined;
        if (total === undefined) continue;
        if (total > 0) {
          const sample = (status.violations ?? []).slice(0, 3).map((v) => `${v.kind ?? '?'} ${v.namespace ? `${v.namespace}/` : ''}${v.name ?? '?'}`).join(', ');
          ctx.fail(c, 'gatekeeper-violations', `${label}: ${total} existing resource(s) violate it${sample ? ` (${sample}${total > 3 ? ', …' : ''})` : ''}`, { severity: action === 'deny' ? 'medium' : 'low' });
        } else {
          ctx.pass(c, 'gatekeeper-violations', `${label}: no audit violations`);
        }
      }
      if (constraints.length === 0 && !ev.complete('k8s:constraints.gatekeeper.sh/*')) ctx.unevaluated('gatekeeper-enforcement', 'no constraint in the input: the cluster\'s constraints were not read as a whole');
      else if (deny === 0 && !ev.complete('k8s:constraints.gatekeeper.sh/*')) ctx.unevaluated('gatekeeper-enforcement', `none of the ${constraints.length} constraint(s) in the input denies; the cluster's constraints were not read as a whole`);
      else if (constraints.length === 0) ctx.fail(cref, 'gatekeeper-enforcement', 'Gatekeeper is installed but has no constraints: it enforces nothing');
      else if (deny === 0) ctx.fail(cref, 'gatekeeper-enforcement', `none of the ${constraints.length} constraints denies at admission (all dryrun/warn)`);
      else ctx.pass(cref, 'gatekeeper-enforcement', `${deny} of ${constraints.length} constraint(s) deny at admission`);
      if (constraints.length && newestAudit === undefined) ctx.fail(cref, 'gatekeeper-healthy', 'no constraint carries an audit timestamp: the audit has not run', { severity: 'medium' });
      else if (newestAudit !== undefined && ctx.now.getTime() - newestAudit > 24 * 3600_000) {
        ctx.fail(cref, 'gatekeeper-healthy', `last audit ${new Date(newestAudit).toISOString()}, more than a day ago (default interval 60 s): the audit is stuck`, { severity: 'medium' });
      }
    } else {
      for (const rule of ['gatekeeper-enforcement', 'gatekeeper-constraint-mode', 'gatekeeper-violations']) ctx.unevaluated(rule, 'Gatekeeper constraints (constraints.gatekeeper.sh) not read');
      ctx.note('the audit timestamps of the constraints were not read: the audit run was not checked');
    }

    // Exemptions: each namespace and each Config judged on its own (system namespaces reported separately).
    for (const ns of ev.objects('core/Namespace')) {
      const ignored = ns.metadata.labels?.['admission.gatekeeper.sh/ignore'];
      if (ignored !== undefined) ctx.fail(ns, 'gatekeeper-exemptions', 'labelled admission.gatekeeper.sh/ignore: no constraint applies here');
      else ctx.pass(ns, 'gatekeeper-exemptions', 'not exempt from Gatekeeper');
    }
    for (const cfg of ev.objects('config.gatekeeper.sh/Config')) {
      const match = arr<{ excludedNamespaces?: string[]; processes?: string[] }>((cfg.spec as { match?: unknown } | undefined)?.match);
      const excluded = match.filter((m) => (m.processes ?? []).some((p) => p === '*' || p === 'webhook')).flatMap((m) => m.excludedNamespaces ?? []);
      const app = excluded.filter((n) => !n.includes('*') && !ctx.isSystemNamespace(n));
      const wild = excluded.filter((n) => n.includes('*'));
      const system = excluded.filter((n) => !n.includes('*') && ctx.isSystemNamespace(n));
      if (app.length || wild.length) ctx.fail(countedEvidence(cfg), 'gatekeeper-exemptions', `Config excludes ${[...app, ...wild].join(', ')} from admission checks`);
      else ctx.pass(countedEvidence(cfg), 'gatekeeper-exemptions', system.length ? `Config excludes system namespaces only (${system.join(', ')})` : 'Config excludes no namespace from admission checks');
    }
  },
});

// ---------------------------------------------------------------------------------------------

const HARD_03_RULES: PodSecurityRule[] = [
  'run-as-non-root', 'read-only-root-fs', 'no-privileged', 'no-privilege-escalation', 'drop-capabilities',
  'no-added-capabilities', 'seccomp-profile', 'no-host-path', 'no-host-network', 'no-host-pid', 'no-host-ipc',
];

const REQUIRED_BY_ITEM = 'Checklist: "Configure security contexts for all pods (non-root, read-only filesystem)"; controls.md adds no privilege escalation';
const BEYOND_ITEM = 'PSS restricted / baseline hardening beyond the checklist item (non-root, read-only filesystem); PSS enforcement is CC5-HARD-01';
const HARD_03_LEVELS: Record<PodSecurityRule, { level: 'required' | 'recommended'; basis: string }> = {
  'run-as-non-root': { level: 'required', basis: REQUIRED_BY_ITEM },
  'read-only-root-fs': { level: 'required', basis: REQUIRED_BY_ITEM },
  'no-privilege-escalation': { level: 'required', basis: REQUIRED_BY_ITEM },
  'no-privileged': { level: 'required', basis: 'A privileged container has every capability and escalates by definition: no security context can restrict it' },
  'drop-capabilities': { level: 'recommended', basis: BEYOND_ITEM },
  'no-added-capabilities': { level: 'recommended', basis: BEYOND_ITEM },
  'seccomp-profile': { level: 'recommended', basis: BEYOND_ITEM },
  'no-host-path': { level: 'recommended', basis: BEYOND_ITEM },
  'no-host-network': { level: 'recommended', basis: BEYOND_ITEM },
  'no-host-pid': { level: 'recommended', basis: BEYOND_ITEM },
  'no-host-ipc': { level: 'recommended', basis: BEYOND_ITEM },
};

export const CC5_HARD_03 = defineControl({
  id: 'CC5-HARD-03',
  title: 'Pods run with restrictive security contexts (non-root, read-only root filesystem, no escalation)',
  section: 'CC5',
  under: 'hardening',
  tsc: ['CC6.8', 'CC7.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required of every workload outside the system namespaces (the checklist item: non-root, read-only filesystem): it runs as ' +
    'non-root (runAsNonRoot: true, runAsUser 0 nowhere — a user-namespace pod is accepted, as Pod Security Admission does), has a ' +
    'read-only root filesystem (which no PSS level checks), does not allow privilege escalation and runs no privileged ' +
    'container. Recommended (warnings): the rest of the PSS "restricted" profile — ALL capabilities dropped and none added but ' +
    'NET_BIND_SERVICE, a RuntimeDefault or Localhost seccomp profile — and no host namespaces or hostPath volumes. The PSS ' +
    'controls are judged as Pod Security Admission judges them: exact values ("ALL", case-sensitive), an explicit bad pod-level ' +
    'value fails even when every container overrides it, init and ephemeral containers count; Windows pods (spec.os.name) get ' +
    'not-applicable findings for the Linux-only controls. Reported once per controller, not per replica; system namespaces separately.',
  requires: [need.workloads()],
  // Each workload is judged on its own: a rule needs nothing but the workload it reads.
  rules: Object.fromEntries(HARD_03_RULES.map((r) => [r, { ...POD_SECURITY_RULES[r], ...HARD_03_LEVELS[r], evidence: [] }])),
  remediation: {
    summary:
      'Set the fields in each pod template, then enforce them: PSS "restricted" (CC5-HARD-01) covers everything but the read-only ' +
      'root filesystem, which needs a policy-engine rule (Gatekeeper, Kyverno or a ValidatingAdmissionPolicy).',
    manifest: `spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:            # writable scratch space, if the app needs one
        - { name: tmp, mountPath: /tmp }
  volumes:
    - { name: tmp, emptyDir: {} }`,
  },
  references: [
    { title: 'Kubernetes: Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
    { title: 'EKS Best Practices: Pod security', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html' },
  ],
  check(ev, ctx) {
    for (const w of workloads(ev)) {
      for (const rule of HARD_03_RULES) {
        const v = checkPodSecurity(rule, w.spec);
        if (v.notApplicable) ctx.report({ rule, status: 'not-applicable', resource: w.obj, message: v.message });
        else if (v.ok) ctx.pass(w.obj, rule, v.message);
        else ctx.fail(w.obj, rule, v.message, v.severity ? { severity: v.severity } : undefined);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------

const QUOTA_KEYS: { key: string; aliases: string[] }[] = [
  { key: 'requests.cpu', aliases: ['requests.cpu', 'cpu'] },
  { key: 'requests.memory', aliases: ['requests.memory', 'memory'] },
  { key: 'limits.memory', aliases: ['limits.memory'] },
];

/** What a namespace's ResourceQuotas and LimitRanges provide. */
function namespaceBounds(quotas: readonly K8sObject[], ranges: readonly K8sObject[]): { quota: boolean; quotaMissing: string[]; defaults: { cpuRequest: boolean; memRequest: boolean; memLimit: boolean } } {
  const hard = new Set(quotas.flatMap((q) => Object.keys(((q.spec ?? {}) as { hard?: Record<string, unknown> }).hard ?? {})));
  const quotaMissing = QUOTA_KEYS.filter((k) => !k.aliases.some((a) => hard.has(a))).map((k) => k.key);
  const defaults = { cpuRequest: false, memRequest: false, memLimit: false };
  for (const lr of ranges) {
    for (const l of arr<{ type?: string; default?: Record<string, unknown>; defaultRequest?: Record<string, unknown> }>(((lr.spec ?? {}) as { limits?: unknown }).limits)) {
      if (l.type !== 'Container') continue;
      if (l.defaultRequest?.cpu !== undefined || l.default?.cpu !== undefined) defaults.cpuRequest = true;
      if (l.defaultRequest?.memory !== undefined || l.default?.memory !== undefined) defaults.memRequest = true;
      if (l.default?.memory !== undefined) defaults.memLimit = true;
    }
  }
  return { quota: quotas.length > 0 && quotaMissing.length === 0, quotaMissing, defaults };
}

export const CC5_HARD_04 = defineControl({
  id: 'CC5-HARD-04',
  title: 'Namespaces and workloads have compute quotas, defaults and requests',
  section: 'CC5',
  under: 'hardening',
  tsc: ['A1.1', 'CC5.2'],
  automation: 'automated',
  severity: 'medium',
  description:
    'Every application namespace either has a ResourceQuota that bounds compute (requests.cpu, requests.memory, limits.memory — ' +
    'object-count quotas do not count) together with a LimitRange that gives containers default requests and a memory limit, or ' +
    'all its containers declare CPU and memory requests and a memory limit themselves. CPU limits are not required (they ' +
    'throttle without protecting the node). Each workload is reported once per controller; system namespaces are reported ' +
    'separately. All three rules are required: the checklist item is "Implement resource quotas and limits".',
  requires: [
    need.workloads(),
    need.kind('core/ResourceQuota', 'ResourceQuotas'),
    need.kind('core/LimitRange', 'LimitRanges'),
  ],
  optional: [k8s('core/Namespace')],
  rules: {
    'resource-requests': { title: 'Containers declare CPU and memory requests', severity: 'medium', level: 'required', evidence: [need.workloads(), k8s('core/LimitRange')] },
    'resource-limits': { title: 'Containers declare a memory limit', severity: 'medium', level: 'required', evidence: [need.workloads(), k8s('core/LimitRange')] },
    'namespace-quota': {
      title: 'Namespace has a compute ResourceQuota and a LimitRange with defaults, or all its containers declare their resources', severity: 'medium', level: 'required',
      basis: 'Checklist: "Implement resource quotas and limits"; controls.md accepts complete per-container resources instead',
    },
  },
  remediation: {
    summary: 'Give each namespace a ResourceQuota for requests/limits and a LimitRange with container defaults, and set requests (and a memory limit) in every pod template.',
    manifest: `apiVersion: v1
kind: ResourceQuota
metadata: { name: compute, namespace: $NAMESPACE }
spec:
  hard: { requests.cpu: "8", requests.memory: 16Gi, limits.memory: 32Gi }
---
apiVersion: v1
kind: LimitRange
metadata: { name: defaults, namespace: $NAMESPACE }
spec:
  limits:
    - type: Container
      defaultRequest: { cpu: 100m, memory: 128Mi }
      default: { memory: 512Mi }`,
  },
  references: [
    { title: 'Kubernetes: Resource quotas', url: 'https://kubernetes.io/docs/concepts/policy/resource-quotas/' },
    { title: 'Kubernetes: Limit ranges', url: 'https://kubernetes.io/docs/concepts/policy/limit-range/' },
    { title: 'EKS Best Practices: Resource management', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/windows-resource-mgmt.html' },
  ],
  check(ev, ctx) {
    const byNs = new Map<string, Workload[]>();
    for (const w of workloads(ev)) {
      const list = byNs.get(w.namespace);
      if (list) list.push(w); else byNs.set(w.namespace, [w]);
    }
    // Every namespace is judged; those of system namespaces are reported separately.
    const namespaces = new Set<string>([...byNs.keys(), ...ev.objects('core/Namespace').map((n) => n.metadata.name ?? '')].filter(Boolean));
    const nsState = ev.state('k8s:core/Namespace');
    if (nsState === 'denied' || nsState === 'error' || nsState === 'partial') ctx.note('Namespaces could not be read completely: only namespaces that workloads live in were judged');
    for (const ns of [...namespaces].sort()) {
      const b = namespaceBounds(ev.inNamespace('core/ResourceQuota', ns), ev.inNamespace('core/LimitRange', ns));
      // Without the whole LimitRange inventory, a container's missing request may be covered by a default outside the input.
      const lrKnown = ev.complete('k8s:core/LimitRange');
      let gaps = 0;
      for (const w of byNs.get(ns) ?? []) {
        const g = resourceGaps(w.spec);
        const reqCovered = b.defaults.cpuRequest && b.defaults.memRequest;
        if (g.requests.length === 0) ctx.pass(w.obj, 'resource-requests', 'all containers declare CPU and memory requests');
        else if (reqCovered) ctx.pass(w.obj, 'resource-requests', `requests missing (${g.requests.join(', ')}) but the namespace LimitRange supplies defaults`);
        else if (!lrKnown) { gaps++; ctx.unevaluated('resource-requests', `requests missing (${g.requests.join(', ')}); a LimitRange default outside the input is not excluded`, w.obj); }
        else { gaps++; ctx.fail(w.obj, 'resource-requests', `requests missing: ${g.requests.join(', ')}`); }
        if (g.limits.length === 0) ctx.pass(w.obj, 'resource-limits', 'all containers declare a memory limit');
        else if (b.defaults.memLimit) ctx.pass(w.obj, 'resource-limits', `memory limit missing (${g.limits.join(', ')}) but the namespace LimitRange supplies a default`);
        else if (!lrKnown) { gaps++; ctx.unevaluated('resource-limits', `memory limit missing (${g.limits.join(', ')}); a LimitRange default outside the input is not excluded`, w.obj); }
        else { gaps++; ctx.fail(w.obj, 'resource-limits', `memory limit missing: ${g.limits.join(', ')}`); }
      }
      const nsObj = ev.has('k8s:core/Namespace') ? ev.get('core/Namespace', '', ns) : undefined;
      const ref: K8sObject | ResourceRef = nsObj ?? { provider: 'kubernetes', apiVersion: 'v1', kind: 'Namespace', name: ns };
      const lr = b.defaults.cpuRequest && b.defaults.memRequest && b.defaults.memLimit;
      const count = (byNs.get(ns) ?? []).length;
      if (b.quota && lr) ctx.pass(ref, 'namespace-quota', 'compute ResourceQuota and LimitRange defaults in place');
      else if (gaps === 0) ctx.pass(ref, 'namespace-quota', count ? `no complete quota/LimitRange, but all ${count} workload(s) declare requests and memory limits` : 'no workloads');
      else if (!ev.complete('k8s:core/ResourceQuota') || !lrKnown) ctx.unevaluated('namespace-quota', `${gaps} container resource gap(s); a ResourceQuota or LimitRange outside the input is not excluded`, ref);
      else {
        const missing = [
          b.quota ? '' : b.quotaMissing.length === QUOTA_KEYS.length ? 'no compute ResourceQuota' : `ResourceQuota lacks ${b.quotaMissing.join(', ')}`,
          lr ? '' : 'no LimitRange with container defaults (cpu/memory requests, memory limit)',
        ].filter(Boolean).join('; ');
        ctx.fail(ref, 'namespace-quota', `${missing}, and ${gaps} container resource gap(s) in its workloads`);
      }
    }
  },
});

export const controls: ControlDefinition[] = [CC5_IAM_01, CC5_IAM_02, CC5_IAM_03, CC5_IAM_04, CC5_IAM_05, CC5_HARD_01, CC5_HARD_02, CC5_HARD_03, CC5_HARD_04];
