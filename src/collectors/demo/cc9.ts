import type { Attestation, AwsFact, JsonObject, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj, uid } from './build.js';
import { CERT_ARN, LBS } from './cc6.js';

/**
 * Demo fragment for CC9 (encryption): StorageClasses, the EBS CSI driver, persistent volumes and
 * claims; KMS keys, EBS account defaults and volumes, and the listeners of the load balancers that
 * the CC6 fragment declares.
 *
 * What it shows: Secrets encrypted with a rotating customer-managed key (pass); the legacy gp2
 * default class is unencrypted and EBS encryption by default is off, so the legacy volume is
 * unencrypted while PostgreSQL's gp3 volume is (fail); the envelope-encryption design attested
 * (pass); TLS at the storefront edge but plaintext HTTP and TCP on the legacy load balancers (fail).
 */

const A = DEMO.accountId;
const R = DEMO.region;

export const KEYS = {
  secrets: { id: '1234abcd-12ab-34cd-56ef-1234567890ab', alias: 'alias/acme-prod-eks-secrets', description: 'acme-prod: envelope encryption of Kubernetes Secrets' },
  data: { id: '0987dcba-09fe-47dc-85ba-ba0987654321', alias: 'alias/acme-payments-data', description: 'payments: data keys for card tokens and PostgreSQL volumes' },
} as const;
const AWS_EBS_KEY = '7f3e2d1c-0b9a-4877-a665-5443322110ff';
const keyArn = (id: string) => `arn:aws:kms:${R}:${A}:key/${id}`;

const VOLUMES = {
  postgres: 'vol-0d1a2b3c4d5e6f701',
  legacy: 'vol-0e9f8a7b6c5d4e302',
} as const;

function storageClass(name: string, provisioner: string, parameters: Record<string, string>, isDefault: boolean, extra: Record<string, unknown> = {}): K8sObject {
  return obj('storage.k8s.io/v1', 'StorageClass', name, undefined, {
    provisioner, parameters, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true, ...extra,
  }, isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {});
}

function claim(name: string, namespace: string, storageClassName: string, size: string, volumeName: string, labels: Record<string, string>, now: Date): K8sObject {
  return obj('v1', 'PersistentVolumeClaim', name, namespace, {
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } }, volumeName, volumeMode: 'Filesystem' },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } },
  }, { labels, creationTimestamp: ago(now, 300) });
}

export function objects(now: Date): K8sObject[] {
  // PV names follow the provisioner's pvc-<claim uid> convention (obj() derives uids the same way).
  const pgPv = `pvc-${uid('PersistentVolumeClaim', 'data', 'pgdata-postgres-0')}`;
  const legacyPv = `pvc-${uid('PersistentVolumeClaim', 'legacy', 'billing-data')}`;
  const pgClaim = claim('pgdata-postgres-0', 'data', 'gp3-encrypted', '50Gi', pgPv, { app: 'postgres' }, now);
  const legacyClaim = claim('billing-data', 'legacy', 'gp2', '20Gi', legacyPv, { app: 'billing' }, now);
  return [
    // gp2 is what old clusters were created with: in-tree provisioner, no encryption, still the default.
    storageClass('gp2', 'kubernetes.io/aws-ebs', { type: 'gp2', fsType: 'ext4' }, true, { volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false }),
    storageClass('gp3-encrypted', 'ebs.csi.aws.com', { type: 'gp3', encrypted: 'true', kmsKeyId: keyArn(KEYS.data.id), 'csi.storage.k8s.io/fstype': 'ext4' }, false),
    obj('storage.k8s.io/v1', 'CSIDriver', 'ebs.csi.aws.com', undefined, {
      spec: { attachRequired: true, podInfoOnMount: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'] },
    }, { labels: { 'app.kubernetes.io/name': 'aws-ebs-csi-driver', 'app.kubernetes.io/managed-by': 'EKS' } }),
    pgClaim,
    legacyClaim,
    obj('v1', 'PersistentVolume', pgPv, undefined, {
      spec: {
        capacity: { storage: '50Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'gp3-encrypted', volumeMode: 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'data', name: 'pgdata-postgres-0', uid: pgClaim.metadata.uid },
        csi: { driver: 'ebs.csi.aws.com', volumeHandle: VOLUMES.postgres, fsType: 'ext4', volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': '1730000000000-8081-ebs.csi.aws.com' } },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] }] } },
      },
      status: { phase: 'Bound' },
    }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' }, creationTimestamp: ago(now, 300) }),
    obj('v1', 'PersistentVolume', legacyPv, undefined, {
      spec: {
        capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'gp2', volumeMode: 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'legacy', name: 'billing-data', uid: legacyClaim.metadata.uid },
        awsElasticBlockStore: { volumeID: `aws://eu-west-1b/${VOLUMES.legacy}`, fsType: 'ext4' },
      },
      status: { phase: 'Bound' },
    }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'kubernetes.io/aws-ebs', 'pv.kubernetes.io/migrated-to': 'ebs.csi.aws.com' }, creationTimestamp: ago(now, 640) }),
  ];
}

function keyMetadata(now: Date, id: string, description: string, manager: 'CUSTOMER' | 'AWS', createdDaysAgo: number): JsonObject {
  return {
    AWSAccountId: A, KeyId: id, Arn: keyArn(id), CreationDate: ago(now, createdDaysAgo), Enabled: true, Description: description,
    KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled', Origin: 'AWS_KMS', KeyManager: manager, CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false,
  };
}

function listener(lb: { arn: string }, protocol: string, port: number, extra: JsonObject = {}): JsonObject {
  const id = `${port}${protocol.length}a1b2c3d4e5f6`.slice(0, 16);
  return {
    ListenerArn: `${lb.arn.replace(':loadbalancer/', ':listener/')}/${id}`, LoadBalancerArn: lb.arn, Port: port, Protocol: protocol,
    DefaultActions: [{ Type: 'forward', TargetGroupArn: `arn:aws:elasticloadbalancing:${R}:${A}:targetgroup/k8s-${port}-${id.slice(0, 10)}/${id}`, Order: 1 }],
    ...extra,
  };
}

const tls = { SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{ CertificateArn: CERT_ARN }] };

export function facts(now: Date): AwsFact[] {
  const out: AwsFact[] = [];
  // KMS: the Secrets key (named in the core DescribeCluster), the payments data key, the AWS-managed EBS key.
  out.push(
    fact('kms', 'DescribeKey', { KeyMetadata: keyMetadata(now, KEYS.secrets.id, KEYS.secrets.description, 'CUSTOMER', 700) }, { KeyId: keyArn(KEYS.secrets.id) }),
    fact('kms', 'DescribeKey', { KeyMetadata: keyMetadata(now, KEYS.data.id, KEYS.data.description, 'CUSTOMER', 420) }, { KeyId: keyArn(KEYS.data.id) }),
    fact('kms', 'DescribeKey', { KeyMetadata: keyMetadata(now, AWS_EBS_KEY, 'Default key that protects my EBS volumes when no other key is defined', 'AWS', 900) }, { KeyId: 'alias/aws/ebs' }),
  );
  for (const k of [KEYS.secrets, KEYS.data]) {
    out.push(fact('kms', 'GetKeyRotationStatus', { KeyRotationEnabled: true, KeyId: keyArn(k.id), RotationPeriodInDays: 365, NextRotationDate: ago(now, -120) }, { KeyId: keyArn(k.id) }));
  }
  out.push(fact('kms', 'ListAliases', {
    Aliases: [
      { AliasName: KEYS.secrets.alias, AliasArn: `arn:aws:kms:${R}:${A}:${KEYS.secrets.alias}`, TargetKeyId: KEYS.secrets.id, CreationDate: ago(now, 700) },
      { AliasName: KEYS.data.alias, AliasArn: `arn:aws:kms:${R}:${A}:${KEYS.data.alias}`, TargetKeyId: KEYS.data.id, CreationDate: ago(now, 420) },
      { AliasName: 'alias/aws/ebs', AliasArn: `arn:aws:kms:${R}:${A}:alias/aws/ebs`, TargetKeyId: AWS_EBS_KEY },
    ],
  }));

  // EBS: encryption by default was never switched on in this region; the legacy volume predates gp3.
  out.push(
    fact('ec2', 'GetEbsEncryptionByDefault', { EbsEncryptionByDefault: false, SseType: 'sse-ebs' }),
    fact('ec2', 'GetEbsDefaultKmsKeyId', { KmsKeyId: 'alias/aws/ebs' }),
    fact('ec2', 'DescribeVolumes', {
      Volumes: [
        { VolumeId: VOLUMES.postgres, Size: 50, VolumeType: 'gp3', Iops: 3000, Throughput: 125, State: 'in-use', AvailabilityZone: 'eu-west-1a', CreateTime: ago(now, 300), Encrypted: true, KmsKeyId: keyArn(KEYS.data.id), Attachments: [{ VolumeId: VOLUMES.postgres, InstanceId: 'i-0a1b2c3d4e5f00001', Device: '/dev/xvdba', State: 'attached', DeleteOnTermination: false }], Tags: [{ Key: 'kubernetes.io/created-for/pvc/namespace', Value: 'data' }, { Key: 'kubernetes.io/created-for/pvc/name', Value: 'pgdata-postgres-0' }, { Key: 'ebs.csi.aws.com/cluster', Value: 'true' }] },
        { VolumeId: VOLUMES.legacy, Size: 20, VolumeType: 'gp2', Iops: 100, State: 'in-use', AvailabilityZone: 'eu-west-1b', CreateTime: ago(now, 640), Encrypted: false, Attachments: [{ VolumeId: VOLUMES.legacy, InstanceId: 'i-0a1b2c3d4e5f00002', Device: '/dev/xvdbb', State: 'attached', DeleteOnTermination: false }], Tags: [{ Key: 'kubernetes.io/created-for/pvc/namespace', Value: 'legacy' }, { Key: 'kubernetes.io/created-for/pvc/name', Value: 'billing-data' }, { Key: `kubernetes.io/cluster/${DEMO.cluster}`, Value: 'owned' }] },
      ],
    }, { VolumeIds: [VOLUMES.postgres, VOLUMES.legacy] }),
  );

  // Listeners of the CC6 load balancers.
  const listeners = (lb: { arn: string }, ...l: JsonObject[]) => fact('elasticloadbalancing', 'DescribeListeners', { Listeners: l }, { LoadBalancerArn: lb.arn });
  out.push(
    listeners(LBS.storefront,
      listener(LBS.storefront, 'HTTPS', 443, tls),
      listener(LBS.storefront, 'HTTP', 80, { DefaultActions: [{ Type: 'redirect', Order: 1, RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }] })),
    listeners(LBS.payments, listener(LBS.payments, 'HTTPS', 443, tls)),
    listeners(LBS.legacy, listener(LBS.legacy, 'HTTP', 80)),
    listeners(LBS.legacyTcp, listener(LBS.legacyTcp, 'TCP', 8080)),
  );
  return out;
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  return [];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (d: number) => new Date(now.getTime() + d * 86400_000).toISOString().slice(0, 10);
  return {
    waivers: [],
    attestations: [{
      control: 'CC9-ENC-03',
      statement: 'Data-classification and encryption design v3 reviewed: card tokens and bank details are envelope-encrypted by payments-api with data keys under alias/acme-payments-data; no other service stores confidential fields.',
      attestedBy: 'dpo@acme.example',
      date: day(-45),
      evidence: 'https://wiki.acme.example/security/encryption-design-v3.pdf',
      sha256: '9f2b5c1d7e3a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
      validUntil: day(320),
      source: { file: '<demo>' },
    }],
  };
}
