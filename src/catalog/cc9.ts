/**
 * CC9 — Risk Mitigation: "Data Encryption and Protection".
 */
import type { CheckContext, ControlDefinition, Evidence, K8sObject } from '../model/index.js';
import type { Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Volume } from '@aws-sdk/client-ec2';
import { defineControl } from './define.js';
import { addonNames, awsRef, clusterRef, describeAddon, describeCluster, out } from './lib/aws.js';
import { parseArn, rolePermissions, roleNameFromArn, statementCoversAction } from './lib/iam.js';
import type { RolePermissions } from './lib/iam.js';
import { aws, k8s, need } from './lib/keys.js';
import { MESH_DETECTION_KEYS, detectMesh } from './lib/mesh.js';
import { albScheme, clusterLoadBalancers, clusterLocation, ingressController, isAlbIngress, matchesApproved, serviceScheme, shortList } from './lib/network.js';
import { familyOfController, familyOfService, uncoveredHosts } from './lib/tls.js';
import type { ClusterLb } from './lib/network.js';
import {
  EBS_PROVISIONERS, customerAliases, describeKey, describedKeys, ebsVolumeId, isDefaultClass, isUsableCmk, keyIdOf, kmsKeyForm,
  provisioner, rotationStatus, scEncrypted, scParameters,
} from './lib/storage.js';
import { arr } from './lib/workloads.js';



const KEY_KIND = 'AWS::KMS::Key';

// ============================================================================ CC9-ENC-01

export const CC9_ENC_01 = defineControl({
  id: 'CC9-ENC-01',
  title: 'Kubernetes Secrets are envelope-encrypted with a customer-managed KMS key that is enabled and rotated',
  section: 'CC9',
  under: 'encryption',
  tsc: ['CC6.1', 'C1.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Reads the cluster\'s encryptionConfig for an entry covering "secrets" and describes its KMS key. Required: the key is ' +
    'customer managed, symmetric and Enabled. Recommended (a warning): automatic rotation — the checklist asks for KMS encryption ' +
    'of Secrets, rotation is key hygiene beyond it. Since Kubernetes 1.28 EKS encrypts all API data at rest with an AWS-owned key ' +
    'by default — that default is not this control, which is about a key the organisation owns, audits and can revoke (the same ' +
    'test as the Config rule eks-secrets-encrypted and Security Hub EKS.3). A disabled or pending-deletion key breaks the cluster, ' +
    'so it fails as critical even when its rotation status could not be read; encryption configuration cannot be removed once ' +
    'associated. A key that could not be described (a key in another account must grant kms:DescribeKey in its key policy) ' +
    'leaves the key rules not evaluated.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description')],
  optional: [aws('kms:DescribeKey'), aws('kms:GetKeyRotationStatus')],
  rules: {
    'secrets-cmk': {
      title: 'Secrets are encrypted with a KMS key named in encryptionConfig', severity: 'high', level: 'required',
      basis: 'checklist: "Enable KMS encryption for Kubernetes secrets"', evidence: [aws('eks:DescribeCluster')],
    },
    'key-usable': {
      title: 'The secrets key is enabled', severity: 'critical', level: 'required',
      basis: 'a disabled or pending-deletion key cannot decrypt Secrets: the encryption the checklist asks for is not operating',
      evidence: [aws('eks:DescribeCluster'), aws('kms:DescribeKey')],
    },
    'key-customer-managed': {
      title: 'The secrets key is a symmetric customer-managed key', severity: 'medium', level: 'required',
      basis: 'the control is about a key the organisation owns (AWS-owned default encryption is always on since 1.28)',
      evidence: [aws('eks:DescribeCluster'), aws('kms:DescribeKey')],
    },
    'key-rotation': {
      title: 'Automatic rotation is enabled on the secrets key', severity: 'low', level: 'recommended',
      basis: 'key hygiene beyond the checklist item, which asks for KMS encryption of Secrets; controls.md: "WARN if not"',
      // kms:GetKeyRotationStatus too, but imported key material is judged without it.
      evidence: [aws('eks:DescribeCluster'), aws('kms:DescribeKey')],
    },
  },
  remediation: {
    summary: 'Associate a customer-managed symmetric KMS key with the cluster for secrets and enable automatic key rotation.',
    commands: [
      'aws kms create-key --description "EKS secrets for $CLUSTER_NAME" --key-spec SYMMETRIC_DEFAULT --key-usage ENCRYPT_DECRYPT',
      'aws eks associate-encryption-config --cluster-name $CLUSTER_NAME --encryption-config \'[{"resources":["secrets"],"provider":{"keyArn":"\'$KMS_KEY_ARN\'"}}]\'',
      'aws kms enable-key-rotation --key-id $KMS_KEY_ARN',
    ],
  },
  references: [
    { title: 'Amazon EKS: encrypt Kubernetes secrets with KMS', url: 'https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html' },
    { title: 'eksctl: KMS encryption', url: 'https://docs.aws.amazon.com/eks/latest/eksctl/kms-encryption.html' },
    { title: 'AWS KMS: rotating keys', url: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html' },
  ],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    if (!c) { ctx.error('eks:DescribeCluster was collected but holds no cluster'); return; }
    const ref = clusterRef(c);
    const entry = (c.encryptionConfig ?? []).find((e) => (e.resources ?? []).includes('secrets'));
    const keyArn = entry?.provider?.keyArn;
    if (!keyArn) {
      ctx.fail(ref, 'secrets-cmk', 'no encryptionConfig for "secrets": Secrets are protected only by the default EKS encryption with an AWS-owned key (Kubernetes 1.28+), which the organisation cannot audit, rotate or revoke');
      return;
    }
    ctx.pass(ref, 'secrets-cmk', `Secrets encrypted with KMS key ${keyArn}`, { keyArn });
    const keyRegion = parseArn(keyArn)?.region;
    const loc = clusterLocation(c);
    if (keyRegion && loc.region && keyRegion !== loc.region) ctx.note(`the key is in ${keyRegion} but the cluster in ${loc.region}: EKS requires a key in the cluster's region`);
    const key = describeKey(ev, keyArn);
    if (!key) {
      const why = `the secrets key ${keyArn} was not described (kms:DescribeKey ${ev.state('aws:kms:DescribeKey')}); a key in another account must grant kms:DescribeKey to the auditing role in its key policy`;
      for (const rule of ['key-usable', 'key-customer-managed', 'key-rotation']) ctx.unevaluated(rule, why);
      return;
    }
    const kref = awsRef(KEY_KIND, key.KeyId ?? keyIdOf(keyArn), { arn: key.Arn ?? keyArn, region: keyRegion, accountId: parseArn(keyArn)?.accountId });
    if (key.KeyState === 'Enabled') ctx.pass(kref, 'key-usable', 'key state Enabled');
    else ctx.fail(kref, 'key-usable', `key state ${key.KeyState ?? 'unknown'}: the API server cannot decrypt Secrets and the cluster stops working${key.DeletionDate ? ` (deletion scheduled ${String(key.DeletionDate)})` : ''}`);
    const symmetric = key.KeySpec === undefined || key.KeySpec === 'SYMMETRIC_DEFAULT';
    if (key.KeyManager === 'CUSTOMER' && symmetric) ctx.pass(kref, 'key-customer-managed', 'symmetric customer-managed key');
    else ctx.fail(kref, 'key-customer-managed', key.KeyManager !== 'CUSTOMER' ? `key managed by ${key.KeyManager ?? 'unknown'}, not by the customer` : `key spec ${key.KeySpec}: EKS needs a symmetric key`);
    if (key.KeyManager === 'AWS') return; // AWS-managed keys rotate yearly on their own
    if (key.Origin === 'EXTERNAL') { ctx.fail(kref, 'key-rotation', 'imported key material cannot rotate automatically: rotate it manually and record when'); return; }
    const rot = rotationStatus(ev, key);
    if (!rot) { ctx.unevaluated('key-rotation', `the rotation status of ${keyArn} was not read (kms:GetKeyRotationStatus ${ev.state('aws:kms:GetKeyRotationStatus')})`); return; }
    if (rot.enabled) ctx.pass(kref, 'key-rotation', `automatic rotation every ${rot.periodDays ?? 365} days`);
    else ctx.fail(kref, 'key-rotation', 'automatic key rotation is off');
  },
});

// ============================================================================ CC9-ENC-02

export const CC9_ENC_02 = defineControl({
  id: 'CC9-ENC-02',
  title: 'EBS-backed storage classes and persistent volumes are encrypted',
  section: 'CC9',
  under: 'encryption',
  tsc: ['CC6.1', 'C1.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Every StorageClass that provisions EBS volumes (EBS CSI driver ebs.csi.aws.com, the legacy in-tree kubernetes.io/aws-ebs, EKS Auto ' +
    'Mode ebs.csi.eks.amazonaws.com) must create encrypted volumes: it sets encrypted: "true", or EBS encryption by default is on in ' +
    'the account and region (ec2:GetEbsEncryptionByDefault), which passes with a note. A class that does not ask for encryption while ' +
    'the account default was not read is not evaluated — its volumes are neither proven encrypted nor unencrypted. Existing EBS ' +
    'persistent volumes must be encrypted in EC2, since encryption by default does not encrypt volumes created before it was switched ' +
    'on. The driver itself (add-on or CSIDriver object) must be present for CSI classes. Recommended (warnings): the default class ' +
    'asks for encryption itself, so it does not depend on an account setting (the EKS-created gp2 class does not), and kmsKeyId is a ' +
    'full key ARN, as the driver documents (EC2 also accepts an alias, so the volume is encrypted either way).',
  requires: [need.kind('storage.k8s.io/StorageClass', 'storage classes')],
  optional: [
    k8s('core/PersistentVolume'), k8s('storage.k8s.io/CSIDriver'), aws('ec2:DescribeVolumes'), aws('ec2:GetEbsEncryptionByDefault'),
    aws('ec2:GetEbsDefaultKmsKeyId'), aws('eks:ListAddons'), aws('eks:DescribeAddon'), aws('eks:DescribeCluster'),
  ],
  rules: {
    'storage-encrypted': {
      title: 'EBS StorageClasses create encrypted volumes', severity: 'high', level: 'required',
      basis: 'checklist: "Configure EBS CSI driver with encrypted storage classes"; encryption by default on counts (controls.md)',
      evidence: [],
    },
    'default-class-encrypted': {
      title: 'The default StorageClass sets encrypted: "true" itself', severity: 'low', level: 'recommended',
      basis: 'controls.md: a warning; with encryption by default on its volumes are encrypted anyway, so it is hardening',
      evidence: [],
    },
    'kms-key-arn': {
      title: 'kmsKeyId is a full KMS key ARN', severity: 'low', level: 'recommended',
      basis: 'the driver documents the full ARN (controls.md §2 #7); EC2 accepts an alias too, so volumes are encrypted either way',
      evidence: [],
    },
    'volume-encrypted': {
      title: 'Existing EBS persistent volumes are encrypted', severity: 'high', level: 'required',
      basis: 'data at rest on the cluster\'s volumes is encrypted (CC6.1, C1.1); encryption by default does not encrypt existing volumes',
      evidence: [k8s('core/PersistentVolume'), aws('ec2:DescribeVolumes')],
    },
    'ebs-csi-driver': {
      title: 'The EBS CSI driver is installed for CSI storage classes', severity: 'medium', level: 'required',
      basis: 'checklist: "Configure EBS CSI driver ..."', evidence: [],
    },
  },
  remediation: {
    summary:
      'Set encrypted: "true" (and a key ARN) on every EBS StorageClass, turn on EBS encryption by default, and migrate existing ' +
      'unencrypted volumes (snapshot, copy with encryption, restore).',
    commands: [
      'aws ec2 enable-ebs-encryption-by-default --region $AWS_REGION',
      'aws ec2 modify-ebs-default-kms-key-id --kms-key-id $KMS_KEY_ARN --region $AWS_REGION',
      'kubectl patch storageclass gp2 -p \'{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"false"}}}\'',
    ],
    manifest: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: gp3-encrypted
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: ebs.csi.aws.com
volumeBindingMode: WaitForFirstConsumer
parameters:
  type: gp3
  encrypted: "true"
  kmsKeyId: arn:aws:kms:REGION:ACCOUNT_ID:key/KEY_ID   # the full key ARN, not an alias`,
  },
  references: [
    { title: 'EBS CSI driver: StorageClass parameters', url: 'https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md' },
    { title: 'Amazon EBS encryption by default', url: 'https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html' },
    { title: 'EKS Auto Mode: create a storage class', url: 'https://docs.aws.amazon.com/eks/latest/userguide/create-storage-class.html' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const scs = ev.objects('storage.k8s.io/StorageClass');
    const ebs = scs.filter((s) => EBS_PROVISIONERS.has(provisioner(s)));
    const others = scs.filter((s) => !EBS_PROVISIONERS.has(provisioner(s)));
    const pvs = ev.objects('core/PersistentVolume').filter((p) => ebsVolumeId(p) !== undefined);
    for (const o of others) ctx.report({ rule: 'storage-encrypted', status: 'not-applicable', resource: o, message: `provisioner ${provisioner(o) || '(none)'} is not EBS: not checked here (EFS/FSx encryption is set on the file system)` });
    if (ebs.length === 0 && pvs.length === 0) {
      ctx.notApplicable(`no EBS StorageClass${ev.has('k8s:core/PersistentVolume') ? ' or EBS persistent volume' : ' (PersistentVolumes not read)'}`);
      return;
    }

    // The account default, when it was read: true, false, or undefined (not read).
    const ebdKey = 'aws:ec2:GetEbsEncryptionByDefault';
    const ebdFact = ev.aws('ec2:GetEbsEncryptionByDefault')[0];
    const ebdValue = out<{ EbsEncryptionByDefault?: boolean }>(ebdFact)?.EbsEncryptionByDefault;
    const ebd = ev.has(ebdKey) && typeof ebdValue === 'boolean' ? ebdValue : undefined;
    const ebdUnread = `EBS encryption by default in the account was not read (ec2:GetEbsEncryptionByDefault ${ev.has(ebdKey) ? 'returned no value' : ev.state(ebdKey)})`;
    const defaultKey = out<{ KmsKeyId?: string }>(ev.aws('ec2:GetEbsDefaultKmsKeyId')[0])?.KmsKeyId;
    const region = clusterLocation(cluster).region ?? ebdFact?.region;

    for (const sc of ebs) {
      const p = scParameters(sc);
      const enc = scEncrypted(sc);
      const asked = p.encrypted ? `encrypted: "${p.encrypted}"` : 'no encrypted parameter';
      if (enc) {
        ctx.pass(sc, 'storage-encrypted', `encrypted: "true" with ${p.kmsKeyId ? `key ${p.kmsKeyId}` : `the account's default EBS key${defaultKey ? ` (${defaultKey})` : ' (aws/ebs)'}`}`);
        if (p.kmsKeyId) {
          const form = kmsKeyForm(p.kmsKeyId);
          if (form === 'key-arn') ctx.pass(sc, 'kms-key-arn', 'kmsKeyId is a full key ARN');
          else ctx.fail(sc, 'kms-key-arn', `kmsKeyId "${p.kmsKeyId}" is ${form === 'alias' ? 'an alias' : form === 'key-id' ? 'a bare key id' : 'not a key ARN'}: the EBS CSI driver documents the full key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)`);
        }
      } else if (ebd === true) {
        ctx.pass(sc, 'storage-encrypted', `${asked}, but EBS encryption by default is on${region ? ` in ${region}` : ''}: new volumes are encrypted with ${defaultKey ?? 'the default key'}`);
      } else if (ebd === false) {
        ctx.fail(sc, 'storage-encrypted', `volumes from this class are unencrypted: ${asked} and EBS encryption by default is off${region ? ` in ${region}` : ''}`);
      } else {
        ctx.unevaluated('storage-encrypted', `${asked}, and ${ebdUnread}: whether its volumes are encrypted depends on that setting`, sc);
      }
      if (isDefaultClass(sc)) {
        if (enc) ctx.pass(sc, 'default-class-encrypted', 'the default class asks for encryption itself');
        else {
          const consequence = ebd === true ? 'they rely on the account-level EBS encryption by default (on)'
            : ebd === false ? 'with EBS encryption by default off they get unencrypted volumes'
              : 'they rely on the account-level EBS encryption by default, which was not read';
          ctx.fail(sc, 'default-class-encrypted', `the default StorageClass does not set encrypted: "true" itself: for PVCs without a class ${consequence}`);
        }
      }
      if (provisioner(sc) === 'kubernetes.io/aws-ebs') ctx.note(`${sc.metadata.name} uses the legacy in-tree provisioner kubernetes.io/aws-ebs (served by the EBS CSI driver through CSI migration): move to ebs.csi.aws.com`);
    }

    // The driver behind CSI classes.
    if (ebs.some((s) => provisioner(s) !== 'ebs.csi.eks.amazonaws.com')) ebsDriver(ev, ctx, cluster);
    if (ebs.some((s) => provisioner(s) === 'ebs.csi.eks.amazonaws.com') && cluster && cluster.storageConfig?.blockStorage?.enabled !== true) {
      ctx.note('a class uses the Auto Mode provisioner ebs.csi.eks.amazonaws.com but the cluster\'s storageConfig.blockStorage is not enabled');
    }

    // Existing volumes.
    const vols = new Map<string, Volume>();
    for (const f of ev.aws('ec2:DescribeVolumes')) for (const v of arr<Volume>(out<{ Volumes?: Volume[] }>(f)?.Volumes)) if (v.VolumeId) vols.set(v.VolumeId, v);
    for (const pv of pvs) {
      const id = ebsVolumeId(pv)!;
      const v = vols.get(id);
      const claim = (pv.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
      const forClaim = claim?.name ? ` (claim ${claim.namespace ?? 'default'}/${claim.name})` : '';
      if (!v) ctx.unevaluated('volume-encrypted', `${id}${forClaim} was not returned by ec2:DescribeVolumes (deleted, or in another region or account): its encryption was not read`, pv);
      else if (v.Encrypted === true) ctx.pass(pv, 'volume-encrypted', `${id} encrypted${v.KmsKeyId ? ` with ${v.KmsKeyId}` : ''}${forClaim}`);
      else ctx.fail(pv, 'volume-encrypted', `${id} is not encrypted${forClaim}: copy it to an encrypted volume (snapshot, copy-snapshot --encrypted, restore)`, { details: { volumeId: id } });
    }
  },
});

/** `ebs-csi-driver`: the EKS add-on (status) or a registered CSIDriver; absence only when both were read. */
function ebsDriver(ev: Evidence, ctx: CheckContext, cluster: ReturnType<typeof describeCluster>): void {
  const addon = describeAddon(ev, 'aws-ebs-csi-driver');
  const csiDriver = ev.get('storage.k8s.io/CSIDriver', '', 'ebs.csi.aws.com');
  const ref = clusterRef(cluster, ctx.clusterName ?? 'cluster');
  const aref = awsRef('AWS::EKS::Addon', 'aws-ebs-csi-driver', { ...clusterLocation(cluster), arn: addon?.addonArn });
  const listed = addonNames(ev).includes('aws-ebs-csi-driver');
  if (addon) {
    if (addon.status === 'ACTIVE' || addon.status === 'UPDATING') ctx.pass(aref, 'ebs-csi-driver', `EKS add-on aws-ebs-csi-driver ${addon.addonVersion ?? ''} ${addon.status}`.replace('  ', ' '));
    else ctx.fail(aref, 'ebs-csi-driver', `EKS add-on aws-ebs-csi-driver is ${addon.status ?? 'in an unknown state'}`);
  } else if (csiDriver) {
    ctx.pass(csiDriver, 'ebs-csi-driver', 'CSIDriver ebs.csi.aws.com registered (self-managed install)');
  } else if (listed) {
    ctx.pass(aref, 'ebs-csi-driver', 'EKS add-on aws-ebs-csi-driver is installed (listed; its status was not read)');
  } else if (ev.complete('k8s:storage.k8s.io/CSIDriver')) {
    // The driver registers its CSIDriver object however it is installed (EKS add-on, Helm chart, manifests).
    ctx.fail(ref, 'ebs-csi-driver', `no EBS CSI driver: no CSIDriver ebs.csi.aws.com${ev.has('aws:eks:ListAddons') ? ' and no aws-ebs-csi-driver add-on' : ''}: EBS volumes cannot be provisioned or attached`);
  } else {
    ctx.unevaluated('ebs-csi-driver', `CSIDriver objects were not read as a whole inventory (${ev.has('k8s:storage.k8s.io/CSIDriver') ? 'only those in the input' : ev.state('k8s:storage.k8s.io/CSIDriver')}) and the EKS add-on list ${ev.has('aws:eks:ListAddons') ? 'has no aws-ebs-csi-driver' : `was not read (eks:ListAddons ${ev.state('aws:eks:ListAddons')})`}: whether the EBS CSI driver is installed is unknown`, ref);
  }
}

// ============================================================================ CC9-ENC-03

/** Workload IAM roles: IRSA annotations on ServiceAccounts and EKS Pod Identity associations. */
function workloadRoles(ev: Evidence): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  const add = (arn: string | undefined, who: string) => { if (!arn) return; roles.set(arn, [...(roles.get(arn) ?? []), who]); };
  for (const sa of ev.objects('core/ServiceAccount')) add(sa.metadata.annotations?.['eks.amazonaws.com/role-arn'], `IRSA ${sa.metadata.namespace}/${sa.metadata.name}`);
  for (const f of ev.aws('eks:DescribePodIdentityAssociation')) {
    const a = out<{ association?: { roleArn?: string; namespace?: string; serviceAccount?: string } }>(f)?.association;
    add(a?.roleArn, `Pod Identity ${a?.namespace}/${a?.serviceAccount}`);
  }
  return roles;
}

const DATA_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair'];

function canGenerateDataKeys(perms: RolePermissions): string | undefined {
  const docs = [...perms.attached.map((p) => ({ name: `policy ${p.name}`, doc: p.document })), ...perms.inline.map((p) => ({ name: `inline policy ${p.name}`, doc: p.document }))];
  for (const { name, doc } of docs) {
    for (const s of doc?.statements ?? []) {
      if (s.effect !== 'Allow') continue;
      const a = DATA_KEY_ACTIONS.find((x) => statementCoversAction(s, x));
      if (a) return `${name} allows ${a} on ${s.resources.length ? shortList(s.resources, 2) : 'NotResource'}`;
    }
  }
  return undefined;
}

/** GenerateDataKey events per role name, from `cloudtrail:LookupEvents` (KMS calls are management events). */
function dataKeyEvents(ev: Evidence): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of ev.aws('cloudtrail:LookupEvents')) {
    for (const e of out<{ Events?: { EventName?: string; CloudTrailEvent?: string }[] }>(f)?.Events ?? []) {
      if (!e.EventName?.startsWith('GenerateDataKey') || !e.CloudTrailEvent) continue;
      let role: string | undefined;
      try {
        const rec = JSON.parse(e.CloudTrailEvent) as { userIdentity?: { arn?: string; sessionContext?: { sessionIssuer?: { userName?: string; arn?: string } } } };
        role = rec.userIdentity?.sessionContext?.sessionIssuer?.userName ?? /assumed-role\/([^/]+)\//.exec(rec.userIdentity?.arn ?? '')?.[1];
      } catch {
        role = undefined;
      }
      if (role) counts.set(role.toLowerCase(), (counts.get(role.toLowerCase()) ?? 0) + 1);
    }
  }
  return counts;
}

export const CC9_ENC_03 = defineControl({
  id: 'CC9-ENC-03',
  title: 'Applications protect confidential data with envelope encryption under customer-managed KMS keys',
  section: 'CC9',
  under: 'encryption',
  tsc: ['CC6.1', 'C1.1'],
  automation: 'manual',
  severity: 'medium',
  attestation: 'the data-classification and encryption design shows which confidential fields or stores are envelope-encrypted, with which keys, and a reviewer confirmed the in-scope workloads follow it',
  description:
    'Whether an application encrypts its confidential data is a design question, proven by an uploaded data-classification and ' +
    'encryption design. The check gathers the signals an auditor samples, all recommended (they never fail the control): the ' +
    'customer-managed KMS keys (symmetric, enabled, with rotation — a key without rotation is a warning), the workload roles (IRSA ' +
    'and Pod Identity) whose policies allow kms:GenerateDataKey*, and GenerateDataKey calls by those roles in CloudTrail.',
  requires: [{ anyOf: [aws('kms:ListAliases'), aws('kms:DescribeKey')], what: 'the KMS key inventory', alternatives: true }],
  optional: [
    aws('kms:GetKeyRotationStatus'), k8s('core/ServiceAccount'), aws('eks:DescribePodIdentityAssociation'),
    aws('iam:ListAttachedRolePolicies'), aws('iam:ListRolePolicies'), aws('iam:GetRolePolicy'), aws('iam:GetPolicy'), aws('iam:GetPolicyVersion'),
    aws('cloudtrail:LookupEvents'),
  ],
  rules: {
    'cmk-rotation': {
      title: 'Customer-managed keys rotate automatically', severity: 'low', level: 'recommended',
      basis: 'key hygiene beyond the item (envelope encryption of application data); the same rule is a warning in CC9-ENC-01',
      evidence: [aws('kms:DescribeKey')],
    },
    'workload-data-keys': {
      title: 'Workload roles that may create KMS data keys', severity: 'info', level: 'recommended',
      basis: 'a signal for the reviewer: which workloads can envelope-encrypt; it never fails (the design document decides)',
      evidence: [],
    },
    'data-key-usage': {
      title: 'Workload roles seen creating data keys in CloudTrail', severity: 'info', level: 'recommended',
      basis: 'a signal for the reviewer: data keys in actual use; it never fails', evidence: [aws('cloudtrail:LookupEvents')],
    },
  },
  remediation: {
    summary:
      'Encrypt confidential fields with data keys from KMS GenerateDataKey (or the AWS Encryption SDK) under customer-managed keys with ' +
      'rotation, grant each workload role only its key, and record the design in the data-classification document.',
    commands: ['aws kms enable-key-rotation --key-id $KMS_KEY_ARN', 'aws kms list-aliases --query "Aliases[?!starts_with(AliasName, \'alias/aws/\')]"'],
  },
  references: [
    { title: 'AWS KMS: envelope encryption', url: 'https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#enveloping' },
    { title: 'AWS Encryption SDK', url: 'https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/introduction.html' },
  ],
  check(ev, ctx) {
    const aliases = customerAliases(ev);
    const keys = describedKeys(ev).filter((k) => k.KeyManager === 'CUSTOMER');
    const usable = keys.filter(isUsableCmk);
    for (const k of usable) {
      const names = aliases.get(k.KeyId ?? '') ?? [];
      const ref = awsRef(KEY_KIND, names[0] ?? k.KeyId ?? '?', { arn: k.Arn, region: parseArn(k.Arn)?.region, accountId: k.AWSAccountId });
      if (k.Origin === 'EXTERNAL') { ctx.note(`${names[0] ?? k.KeyId}: imported key material, rotated manually`); continue; }
      const rot = rotationStatus(ev, k);
      if (!rot) ctx.unevaluated('cmk-rotation', `the rotation status of ${names[0] ?? k.KeyId} was not read (kms:GetKeyRotationStatus ${ev.state('aws:kms:GetKeyRotationStatus')})`);
      else if (rot.enabled) ctx.pass(ref, 'cmk-rotation', `customer-managed key${names.length ? ` ${names.join(', ')}` : ''} rotates every ${rot.periodDays ?? 365} days`);
      else ctx.fail(ref, 'cmk-rotation', `customer-managed key${names.length ? ` ${names.join(', ')}` : ''} has automatic rotation off`);
    }
    const undescribed = [...aliases.keys()].filter((id) => !keys.some((k) => k.KeyId === id));
    if (undescribed.length) ctx.note(`${undescribed.length} customer alias target(s) not described (kms:DescribeKey): ${shortList(undescribed.map((id) => aliases.get(id)![0]!))}`);

    const roles = workloadRoles(ev);
    const ops = {
      listAttached: true, listInline: true, getRolePolicy: true, getPolicy: true, getPolicyVersion: true,
    };
    const events = ev.has('aws:cloudtrail:LookupEvents') ? dataKeyEvents(ev) : undefined;
    let withKeys = 0;
    let unread = 0;
    for (const [arn, who] of roles) {
      const name = roleNameFromArn(arn);
      const ref = awsRef('AWS::IAM::Role', name, { arn });
      const perms = rolePermissions(ev, name, ops);
      if (!perms.attachedKnown && !perms.inlineKnown && perms.inline.length === 0) { unread++; continue; }
      const grant = canGenerateDataKeys(perms);
      if (grant) {
        withKeys++;
        ctx.pass(ref, 'workload-data-keys', `${grant} (used by ${shortList(who, 3)})`);
        const n = events?.get(name.toLowerCase());
        if (n) ctx.pass(ref, 'data-key-usage', `${n} GenerateDataKey call(s) in the CloudTrail window`);
      }
    }
    if (unread) ctx.note(`${unread} workload role(s) whose policies were not collected (iam:ListAttachedRolePolicies / iam:ListRolePolicies)`);
    ctx.manual(`signals: ${usable.length} usable customer-managed key(s), ${withKeys} of ${roles.size} workload role(s) may create data keys${events ? '' : ' (CloudTrail events not collected)'}; upload the data-classification and encryption design and attest`);
  },
});

// ============================================================================ CC9-ENC-04

const LISTENER_KIND = 'AWS::ElasticLoadBalancingV2::Listener';
const ALB_CERT = 'alb.ingress.kubernetes.io/certificate-arn';
const SSL_CERT = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert';

function redirectsToHttps(l: Listener): boolean {
  return arr<NonNullable<Listener['DefaultActions']>[number]>(l.DefaultActions).some((a) => a.Type === 'redirect' && a.RedirectConfig?.Protocol === 'HTTPS');
}

function listenPorts(ing: K8sObject): { http: boolean; https: boolean } | undefined {
  const raw = ing.metadata.annotations?.['alb.ingress.kubernetes.io/listen-ports'];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Record<string, number>[];
    return { http: v.some((e) => 'HTTP' in e), https: v.some((e) => 'HTTPS' in e) };
  } catch {
    return undefined;
  }
}

export const CC9_ENC_04 = defineControl({
  id: 'CC9-ENC-04',
  title: 'Traffic is encrypted in transit at the edge and between services',
  section: 'CC9',
  under: 'encryption',
  tsc: ['CC6.7', 'CC6.1'],
  automation: 'partial',
  severity: 'high',
  attestation: 'service-to-service traffic not covered by mesh mutual TLS uses application TLS, and connections to data stores (RDS, ElastiCache, OpenSearch…) require TLS',
  description:
    'Checks what the tool can see at the edge. Required: every listener of the cluster\'s internet-facing load balancers is HTTPS/TLS ' +
    'with an approved security policy (approvedTlsPolicies: TLS 1.0/1.1 are deprecated), or HTTP that only redirects to HTTPS; every ' +
    'Ingress terminates TLS — spec.tls whose hosts cover every rule host (a *.example.com certificate covers one label, as TLS name ' +
    'matching does), an ALB certificate-arn annotation, or an ALB HTTPS listener with certificates discovered from the hosts — and an ' +
    'Ingress that also answers plain HTTP redirects it; every LoadBalancer Service terminates TLS at the load balancer ' +
    '(aws-load-balancer-ssl-cert) or fronts an ingress controller (ingress-nginx, Traefik, HAProxy, Kong, Contour, Istio gateway) that ' +
    'terminates TLS for its Ingresses — the NLB then passes TCP through and the controller decrypts. A TCP listener or Service on 443 ' +
    'without a certificate is TLS passthrough whose encryption cannot be seen: it is left to the attestation. Mesh mutual TLS is ' +
    'reported as the east-west signal (CC6-MESH-02). Application TLS inside the cluster and to data stores cannot be seen from the ' +
    'APIs and needs an attestation. The EKS API endpoint is TLS-only.',
  requires: [{
    anyOf: [aws('elasticloadbalancing:DescribeListeners'), k8s('networking.k8s.io/Ingress'), k8s('core/Service')],
    what: 'load balancer listeners, Ingresses or Services',
  }],
  optional: [
    aws('elasticloadbalancing:DescribeLoadBalancers'), aws('elasticloadbalancing:DescribeTags'), aws('eks:DescribeCluster'),
    k8s('networking.k8s.io/IngressClass'), k8s('security.istio.io/PeerAuthentication'), ...MESH_DETECTION_KEYS,
  ],
  rules: {
    'listener-tls': {
      title: 'Internet-facing listeners use TLS or redirect HTTP to HTTPS', severity: 'high', level: 'required',
      basis: 'checklist: "Enable encryption in transit for all communications"; CC6.7', evidence: [aws('elasticloadbalancing:DescribeListeners')],
    },
    'listener-tls-policy': {
      title: 'TLS listeners use an approved security policy', severity: 'medium', level: 'required',
      basis: 'a policy that still accepts TLS 1.0/1.1 (deprecated, RFC 8996) does not give the protection CC6.7 asks for',
      evidence: [aws('elasticloadbalancing:DescribeListeners')],
    },
    'ingress-tls': { title: 'Ingresses terminate TLS for every host they serve', severity: 'high', level: 'required', basis: 'checklist: "Enable encryption in transit for all communications"', evidence: [] },
    'ingress-http-redirect': {
      title: 'Ingresses that also answer plain HTTP redirect it to HTTPS', severity: 'low', level: 'required',
      basis: 'a plaintext listener that serves content is unencrypted communication (the same fact listener-tls judges on the AWS side)', evidence: [],
    },
    'service-lb-tls': {
      title: 'LoadBalancer Services terminate TLS at the load balancer or in the ingress controller behind it', severity: 'medium', level: 'required',
      basis: 'checklist: "Enable encryption in transit for all communications"', evidence: [],
    },
  },
  remediation: {
    summary:
      'Serve HTTPS listeners with ACM certificates and a TLS 1.2+ policy, redirect HTTP to HTTPS, terminate TLS on every Ingress and ' +
      'LoadBalancer Service, and use mesh STRICT mutual TLS (or application TLS) east-west.',
    commands: [
      'aws elbv2 modify-listener --listener-arn $LISTENER_ARN --ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06',
      'kubectl annotate ingress $INGRESS -n $NAMESPACE alb.ingress.kubernetes.io/ssl-redirect=443 --overwrite',
    ],
    manifest: `metadata:
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:REGION:ACCOUNT_ID:certificate/CERT_ID
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'
    alb.ingress.kubernetes.io/ssl-redirect: "443"
    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06`,
  },
  references: [
    { title: 'ELB: security policies for Application Load Balancers', url: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html' },
    { title: 'AWS Load Balancer Controller: Ingress annotations (TLS)', url: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl' },
    { title: 'AWS Load Balancer Controller: Service annotations (TLS)', url: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#tls' },
  ],
  check(ev, ctx) {
    const cluster = describeCluster(ev, ctx.clusterName);
    const loc = clusterLocation(cluster);
    const approved = ctx.config.approvedTlsPolicies;
    const classes = ev.objects('networking.k8s.io/IngressClass');
    const ingresses = ev.objects('networking.k8s.io/Ingress');

    // LoadBalancer Services that front an ingress controller terminating TLS for its Ingresses.
    const tlsFronts = new Map<string, string>();
    for (const svc of ev.objects('core/Service')) {
      const spec = (svc.spec ?? {}) as { type?: string };
      if (spec.type !== 'LoadBalancer' || svc.metadata.annotations?.[SSL_CERT]) continue;
      const family = familyOfService(svc);
      if (!family) continue;
      const served = ingresses.filter((i) => familyOfController(ingressController(i, classes)) === family);
      const withTls = served.filter((i) => arr((i.spec as { tls?: unknown[] } | undefined)?.tls).length > 0);
      if (withTls.length) tlsFronts.set(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`, `${family.name} terminates TLS for ${withTls.length} Ingress(es): ${shortList(withTls.map((i) => `${i.metadata.namespace ?? 'default'}/${i.metadata.name ?? '?'}`), 3)}`);
    }

    listenersTls(ev, ctx, cluster, loc, approved, tlsFronts);

    // Ingresses (Kubernetes).
    for (const ing of ingresses) {
      const tls = arr((ing.spec as { tls?: unknown[] } | undefined)?.tls);
      const alb = isAlbIngress(ing, classes);
      const cert = ing.metadata.annotations?.[ALB_CERT];
      const ports = alb ? listenPorts(ing) : undefined;
      const open = alb ? albScheme(ing) === 'internet-facing' : true;
      if (alb && (tls.length || cert || ports?.https)) {
        ctx.pass(ing, 'ingress-tls', cert ? `ALB certificate ${cert}` : tls.length ? 'spec.tls (the ALB controller discovers the ACM certificates of its hosts)' : 'ALB HTTPS listener (certificates discovered in ACM from the rule hosts)');
        const redirect = ing.metadata.annotations?.['alb.ingress.kubernetes.io/ssl-redirect'];
        if (ports?.http && !redirect) ctx.fail(ing, 'ingress-http-redirect', 'the ALB also listens on HTTP without alb.ingress.kubernetes.io/ssl-redirect: plaintext requests are served');
        else if (ports?.http) ctx.pass(ing, 'ingress-http-redirect', `HTTP redirected to ${redirect}`);
        if (ing.metadata.annotations?.['alb.ingress.kubernetes.io/backend-protocol'] !== 'HTTPS') ctx.note(`${ing.metadata.namespace}/${ing.metadata.name}: the ALB forwards to pods over HTTP (backend-protocol not HTTPS); in-cluster hop covered by mesh mTLS or the attestation`);
      } else if (tls.length) {
        const { tlsHosts, uncovered } = uncoveredHosts(ing);
        if (uncovered.length) ctx.fail(ing, 'ingress-tls', `spec.tls${tlsHosts.length ? ` (${shortList(tlsHosts)})` : ''} does not cover the rule host(s) ${shortList(uncovered)}: requests for them get no matching certificate`, open ? undefined : { severity: 'medium' });
        else ctx.pass(ing, 'ingress-tls', `spec.tls${tlsHosts.length ? ` for ${shortList(tlsHosts)}` : ' (the controller\'s default certificate)'}`);
        const family = familyOfController(ingressController(ing, classes));
        if (family?.redirect) {
          const a = ing.metadata.annotations ?? {};
          const off = family.redirect.off.some((k) => a[k] === 'false') && !family.redirect.on.some((k) => a[k] === 'true');
          if (off) ctx.fail(ing, 'ingress-http-redirect', `${family.redirect.off.join(', ')}: "false": ${family.name} serves these hosts over plain HTTP too`);
          else ctx.pass(ing, 'ingress-http-redirect', `${family.name} redirects HTTP to HTTPS for hosts with TLS${family.redirect.byDefault ? ' (its default)' : ''}`);
        }
      } else {
        ctx.fail(ing, 'ingress-tls', `no TLS: neither spec.tls nor ${alb ? `${ALB_CERT} or an HTTPS listen port` : 'a TLS annotation'}${alb ? ` (${albScheme(ing)} ALB)` : ''}`, open ? undefined : { severity: 'medium' });
      }
    }

    // LoadBalancer Services (Kubernetes).
    for (const svc of ev.objects('core/Service')) {
      const spec = (svc.spec ?? {}) as { type?: string; ports?: { port?: number }[] };
      if (spec.type !== 'LoadBalancer') continue;
      const cert = svc.metadata.annotations?.[SSL_CERT];
      const scheme = serviceScheme(svc);
      const ports = arr<{ port?: number }>(spec.ports).map((p) => p.port).filter((p): p is number => typeof p === 'number');
      const front = tlsFronts.get(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`);
      const family = familyOfService(svc);
      if (cert) {
        const sslPorts = svc.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-ssl-ports'];
        ctx.pass(svc, 'service-lb-tls', `TLS at the load balancer with ${cert}${sslPorts ? ` on ${sslPorts}` : ''}`);
      } else if (front) {
        ctx.pass(svc, 'service-lb-tls', `TLS passes through the load balancer to the ingress controller: ${front} (each judged by ingress-tls)`);
      } else if (family && !ev.complete('k8s:networking.k8s.io/Ingress')) {
        ctx.unevaluated('service-lb-tls', `fronts ${family.name}, which terminates TLS for its Ingresses, but Ingresses were not read as a whole inventory (${ev.has('k8s:networking.k8s.io/Ingress') ? 'only those in the input, none with TLS' : ev.state('k8s:networking.k8s.io/Ingress')})`, svc);
      } else if (ports.length > 0 && ports.every((p) => p === 443)) {
        ctx.report({ rule: 'service-lb-tls', status: 'manual', resource: svc, message: `${scheme} load balancer on 443 without ${SSL_CERT}: TLS passthrough to the pods, whose encryption cannot be seen from the APIs (attestation)` });
      } else {
        ctx.fail(svc, 'service-lb-tls', `${scheme} load balancer on port(s) ${ports.join(', ') || '?'} without ${SSL_CERT}${family ? ` and no Ingress of ${family.name} with TLS` : ''}: nothing shows the traffic is encrypted across the load balancer`,
          { severity: scheme === 'internet-facing' ? 'medium' : 'low' });
      }
    }

    eastWest(ev, ctx);
  },
});

/**
 * `listener-tls` and `listener-tls-policy` on the cluster's load balancers. Without
 * DescribeLoadBalancers the scheme is unknown, so a plaintext listener is not evaluated (internal
 * plaintext listeners are part of the attestation, internet-facing ones fail).
 */
function listenersTls(ev: Evidence, ctx: CheckContext, cluster: ReturnType<typeof describeCluster>, loc: ReturnType<typeof clusterLocation>, approved: readonly string[], tlsFronts: ReadonlyMap<string, string>): void {
  const haveLbs = ev.has('aws:elasticloadbalancing:DescribeLoadBalancers');
  const lbs = haveLbs ? clusterLoadBalancers(ev, cluster, ctx.clusterName, ev.has('aws:elasticloadbalancing:DescribeTags')).mine : [];
  const byArn = new Map<string, ClusterLb>(lbs.map((m) => [m.arn, m]));
  let internalPlain = 0;
  for (const f of ev.aws('elasticloadbalancing:DescribeListeners')) {
    for (const l of arr<Listener>(out<{ Listeners?: Listener[] }>(f)?.Listeners)) {
      const lbArn = l.LoadBalancerArn ?? (typeof f.params?.LoadBalancerArn === 'string' ? f.params.LoadBalancerArn : '');
      const lb = byArn.get(lbArn);
      if (haveLbs && !lb) continue; // not a load balancer of this cluster
      const lbName = lb?.name ?? /loadbalancer\/(?:app|net|gwy)\/([^/]+)/.exec(lbArn)?.[1] ?? lbArn;
      const ref = awsRef(LISTENER_KIND, `${lbName}:${l.Protocol ?? '?'}${l.Port ?? ''}`, { ...loc, arn: l.ListenerArn });
      const scheme = lb ? lb.lb.Scheme : undefined;
      const on = `${lb?.stack ? ` (${lb.stack})` : ''}`;
      const front = lb?.stack?.startsWith('Service ') ? tlsFronts.get(lb.stack.slice('Service '.length)) : undefined;
      const plain = (what: string, severity?: 'low') => {
        if (scheme === 'internet-facing') ctx.fail(ref, 'listener-tls', `${what} serves traffic from the internet${on}`, severity ? { severity } : undefined);
        else if (scheme === undefined) ctx.unevaluated('listener-tls', `${what}${on}: the load balancer's scheme was not read (elasticloadbalancing:DescribeLoadBalancers ${ev.state('aws:elasticloadbalancing:DescribeLoadBalancers')}), so whether it faces the internet is unknown`, ref);
        else internalPlain++;
      };
      if (l.Protocol === 'HTTPS' || l.Protocol === 'TLS') {
        ctx.pass(ref, 'listener-tls', `${l.Protocol} on port ${l.Port}${on}`);
        const policy = l.SslPolicy ?? '';
        if (matchesApproved(policy, approved)) ctx.pass(ref, 'listener-tls-policy', `security policy ${policy}`);
        else ctx.fail(ref, 'listener-tls-policy', `security policy ${policy || '(none)'} is not on the approved list (it may allow TLS 1.0/1.1 or weak ciphers)${on}`);
      } else if (l.Protocol === 'HTTP') {
        if (redirectsToHttps(l)) ctx.pass(ref, 'listener-tls', `HTTP on port ${l.Port} only redirects to HTTPS${on}`);
        else plain(`plaintext HTTP on port ${l.Port}`);
      } else if (l.Protocol === 'TCP' || l.Protocol === 'UDP' || l.Protocol === 'TCP_UDP') {
        if (front && l.Protocol !== 'UDP') ctx.pass(ref, 'listener-tls', `${l.Protocol} on port ${l.Port} passes through to the ingress controller behind it: ${front} (plain HTTP there is judged by ingress-http-redirect)${on}`);
        else if (l.Port === 443 && l.Protocol !== 'UDP' && scheme !== undefined) ctx.report({ rule: 'listener-tls', status: 'manual', resource: ref, message: `${l.Protocol} on port 443: TLS passthrough to the targets, whose encryption cannot be seen from the APIs (attestation)${on}` });
        else plain(`${l.Protocol} on port ${l.Port} (no TLS at the load balancer; the application's own TLS cannot be seen)`, 'low');
      }
    }
  }
  if (internalPlain) ctx.note(`${internalPlain} listener(s) of internal load balancers without TLS (in-VPC traffic: part of the attestation)`);
}

/** East-west signal: mesh mutual TLS (Istio STRICT mesh-wide, or Linkerd). */
function eastWest(ev: Evidence, ctx: CheckContext): void {
  const mesh = detectMesh(ev);
  if (mesh.istio) {
    const root = mesh.istio.rootNamespace;
    const pa = ev.objects('security.istio.io/PeerAuthentication').find((p) => p.metadata.namespace === root && !(p.spec as { selector?: unknown } | undefined)?.selector);
    const mode = (pa?.spec as { mtls?: { mode?: string } } | undefined)?.mtls?.mode;
    ctx.note(mode === 'STRICT'
      ? `east-west: Istio mesh-wide mutual TLS is STRICT (${root}/${pa!.metadata.name}); pods outside the mesh still need application TLS (CC6-MESH-01)`
      : `east-west: Istio is installed but mesh-wide mutual TLS is ${mode ?? 'not set (PERMISSIVE)'}; see CC6-MESH-02`);
  } else if (mesh.linkerd) {
    ctx.note('east-west: Linkerd encrypts traffic between meshed pods with mutual TLS (coverage in CC6-MESH-01)');
  } else {
    ctx.note('east-west: no service mesh; service-to-service encryption depends on application TLS (attestation)');
  }
}

export const controls: ControlDefinition[] = [CC9_ENC_01, CC9_ENC_02, CC9_ENC_03, CC9_ENC_04];
