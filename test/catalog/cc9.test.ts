import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CC9_ENC_01, CC9_ENC_02, CC9_ENC_03, CC9_ENC_04 } from '../../src/catalog/cc9.js';
import { catalog } from '../../src/catalog/index.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import type { JsonObject } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { runCase, testControl } from '../helpers/control-tester.js';
import { expectClassified, expectUnevaluated, expectWarning } from '../helpers/rule-levels.js';
import { ACCOUNT, REGION, describeAddon, describeCluster, describeLbs, describeTags, fact, lbArn, loadBalancer } from '../fixtures/cc6/aws.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const keyMeta = (over: JsonObject = {}): JsonObject => ({
  AWSAccountId: ACCOUNT, KeyId: KEY_ID, Arn: KEY_ARN, Enabled: true, KeyState: 'Enabled', KeyManager: 'CUSTOMER',
  KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS',
  CreationDate: '2025-01-10T09:00:00.000Z', Description: 'EKS secrets', MultiRegion: false, EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
  ...over,
});
const describeKey = (over: JsonObject = {}, keyId = KEY_ARN) => fact('kms', 'DescribeKey', { KeyMetadata: keyMeta(over) }, { KeyId: keyId });
const rotation = (enabled: boolean, keyId = KEY_ARN) => fact('kms', 'GetKeyRotationStatus', { KeyRotationEnabled: enabled, KeyId: keyId, ...(enabled ? { RotationPeriodInDays: 365, NextRotationDate: '2027-01-10T09:00:00.000Z' } : {}) }, { KeyId: keyId });
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/other`;
const encrypted = { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY_ARN } }] };

// ============================================================================ CC9-ENC-01

testControl(CC9_ENC_01, {
  valid: [
    {
      name: 'customer-managed symmetric key, enabled, rotating yearly',
      aws: [describeCluster(encrypted), describeKey(), rotation(true)],
      expect: { passing: ['secrets-cmk', 'key-usable', 'key-customer-managed', 'key-rotation'] },
    },
    {
      name: 'rotation status named by key id only (older output shape, identified through params)',
      aws: [describeCluster(encrypted), describeKey(), fact('kms', 'GetKeyRotationStatus', { KeyRotationEnabled: true }, { KeyId: KEY_ID })],
      expect: { passing: ['key-rotation'] },
    },
    {
      name: 'rotation off is a warning: the control passes',
      aws: [describeCluster(encrypted), describeKey(), rotation(false)],
      expect: { passing: ['key-usable', 'key-customer-managed'], assert: (r) => { expectWarning(r, 'key-rotation'); expect(r.failSeverity).toBeUndefined(); } },
    },
    {
      name: 'imported key material cannot rotate automatically: a warning',
      aws: [describeCluster(encrypted), describeKey({ Origin: 'EXTERNAL' })],
      expect: { passing: ['key-usable'], assert: (r) => expectWarning(r, 'key-rotation') },
    },
    {
      name: 'rotation status not read: the recommended rule is not evaluated (a note), the control still passes',
      aws: [describeCluster(encrypted), describeKey()],
      expect: { passing: ['key-usable'], assert: (r) => { expectUnevaluated(r, 'key-rotation', /GetKeyRotationStatus/); expect(r.notes.join(' ')).toMatch(/recommended rule key-rotation not evaluated/); } },
    },
  ],
  invalid: [
    {
      name: 'the trap: no encryptionConfig — the default AWS-owned-key encryption since 1.28 is not this control',
      aws: [describeCluster()],
      expect: { failing: ['secrets-cmk'], message: /secrets-cmk/, assert: (r) => expect(r.findings[0]!.message).toMatch(/AWS-owned key/) },
    },
    {
      name: 'key pending deletion is critical',
      aws: [describeCluster(encrypted), describeKey({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: '2026-12-10T00:00:00.000Z' }), rotation(true)],
      expect: { failing: ['key-usable'], assert: (r) => expect(r.failSeverity).toBe('critical') },
    },
    {
      name: 'asymmetric key',
      aws: [describeCluster(encrypted), describeKey({ KeySpec: 'RSA_2048' }), rotation(false)],
      expect: { failing: ['key-customer-managed'] },
    },
    {
      name: 'partial evidence: no encryptionConfig is proven although DescribeKey was denied',
      aws: [describeCluster()],
      awsCalls: { 'kms:DescribeKey': 'denied' },
      expect: { failing: ['secrets-cmk'] },
    },
  ],
  other: [
    { name: 'no cluster description: error', aws: [describeKey()], expect: { status: 'error', message: /evidence not collected/ } },
    {
      name: 'DescribeKey denied (cross-account key policy): error naming it, never a fail',
      aws: [describeCluster(encrypted)],
      awsCalls: { 'kms:DescribeKey': 'denied' },
      expect: {
        status: 'error', message: /kms:DescribeKey/,
        assert: (r) => { expect(r.findings.find((f) => f.rule === 'secrets-cmk')?.status).toBe('pass'); expectUnevaluated(r, 'key-usable', /kms:DescribeKey/); },
      },
    },
    {
      name: 'the key was not among the keys described: the key rules are not evaluated, with the key-policy hint',
      aws: [describeCluster(encrypted), fact('kms', 'DescribeKey', { KeyMetadata: keyMeta({ KeyId: 'other', Arn: OTHER_KEY }) }, { KeyId: OTHER_KEY })],
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'key-usable', /key policy/) },
    },
    {
      name: 'kubescape ClusterDescribe-style input is not AWS evidence: error',
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n',
      expect: { status: 'error', message: /no AWS source/ },
    },
  ],
});

// ============================================================================ CC9-ENC-02

const sc = (name: string, provisioner: string, params: Record<string, string>, isDefault = false) => `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
  ${isDefault ? 'annotations: { storageclass.kubernetes.io/is-default-class: "true" }' : ''}
provisioner: ${provisioner}
parameters: ${JSON.stringify(params)}
volumeBindingMode: WaitForFirstConsumer
`;
const pv = (name: string, volume: string, legacy = false) => `
apiVersion: v1
kind: PersistentVolume
metadata: { name: ${name} }
spec:
  capacity: { storage: 50Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: gp3
  claimRef: { namespace: data, name: pgdata-postgres-0 }
  ${legacy ? `awsElasticBlockStore: { volumeID: "aws://eu-west-1a/${volume}", fsType: ext4 }` : `csi: { driver: ebs.csi.aws.com, volumeHandle: ${volume}, fsType: ext4 }`}
status: { phase: Bound }
`;
const volumes = (...v: [string, boolean][]) => fact('ec2', 'DescribeVolumes', {
  Volumes: v.map(([id, enc]) => ({ VolumeId: id, Encrypted: enc, Size: 50, VolumeType: 'gp3', State: 'in-use', AvailabilityZone: 'eu-west-1a', ...(enc ? { KmsKeyId: KEY_ARN } : {}) })),
}, { VolumeIds: v.map(([id]) => id) });
const ebd = (on: boolean) => fact('ec2', 'GetEbsEncryptionByDefault', { EbsEncryptionByDefault: on, SseType: 'sse-ebs' });
const ebsKey = fact('ec2', 'GetEbsDefaultKmsKeyId', { KmsKeyId: 'alias/aws/ebs' });
const csiDriver = 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: { name: ebs.csi.aws.com }\nspec: { attachRequired: true }\n';
const docs = (...d: string[]) => d.join('\n---\n');

testControl(CC9_ENC_02, {
  valid: [
    {
      name: 'encrypted default gp3 class with a key ARN, encrypted volume, driver registered; EFS class noted',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { type: 'gp3', encrypted: 'true', kmsKeyId: KEY_ARN }, true), sc('efs', 'efs.csi.aws.com', { provisioningMode: 'efs-ap' }), pv('pvc-1', 'vol-0a'), csiDriver),
      aws: [volumes(['vol-0a', true]), ebd(false)],
      expect: {
        passing: ['storage-encrypted', 'default-class-encrypted', 'kms-key-arn', 'volume-encrypted', 'ebs-csi-driver'],
        assert: (r) => expect(r.findings.find((f) => f.resource.name === 'efs')).toMatchObject({ status: 'not-applicable', message: expect.stringMatching(/efs\.csi\.aws\.com is not EBS/) }),
      },
    },
    {
      name: 'a class without the parameter passes with a note when EBS encryption by default is on',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { type: 'gp3' }), csiDriver),
      aws: [ebd(true), ebsKey],
      expect: { passing: ['storage-encrypted'], assert: (r) => expect(r.findings.find((f) => f.rule === 'storage-encrypted')?.message).toMatch(/encryption by default is on in eu-west-1.*alias\/aws\/ebs/) },
    },
    {
      name: 'the add-on proves the driver',
      k8s: sc('gp3', 'ebs.csi.aws.com', { encrypted: 'TRUE' }),
      aws: [describeAddon('aws-ebs-csi-driver', { addonVersion: 'v1.38.1-eksbuild.2' })],
      expect: { passing: ['ebs-csi-driver', 'storage-encrypted'] },
    },
    {
      name: 'warnings only: the default class relies on encryption by default (on); kmsKeyId given as an alias',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { type: 'gp3' }, true), sc('gp3-kms', 'ebs.csi.aws.com', { encrypted: 'true', kmsKeyId: 'alias/ebs-encryption-key' }), csiDriver),
      aws: [ebd(true)],
      expect: {
        passing: ['storage-encrypted'],
        assert: (r) => {
          expectWarning(r, 'default-class-encrypted', 'kms-key-arn');
          expect(r.findings.find((f) => f.rule === 'default-class-encrypted')?.message).toMatch(/rely on the account-level EBS encryption by default \(on\)/);
          expect(r.counts.warn).toBe(2);
        },
      },
    },
  ],
  invalid: [
    {
      name: 'legacy in-tree gp2 default class without encryption, encryption by default off, an unencrypted in-tree volume',
      k8s: docs(sc('gp2', 'kubernetes.io/aws-ebs', { type: 'gp2', fsType: 'ext4' }, true), pv('pvc-old', 'vol-0old', true), csiDriver),
      aws: [ebd(false), volumes(['vol-0old', false])],
      expect: {
        failing: ['storage-encrypted', 'volume-encrypted'],
        assert: (r) => {
          expectWarning(r, 'default-class-encrypted');
          expect(r.findings.find((f) => f.rule === 'default-class-encrypted')?.message).toMatch(/with EBS encryption by default off they get unencrypted volumes/);
          expect(r.notes.join()).toMatch(/legacy in-tree provisioner/);
          expect(r.findings.find((f) => f.rule === 'volume-encrypted')?.message).toMatch(/vol-0old.*claim data\/pgdata-postgres-0/);
        },
      },
    },
    {
      name: 'encryption by default on does not encrypt a pre-existing volume',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), pv('pvc-1', 'vol-0a'), csiDriver),
      aws: [ebd(true), volumes(['vol-0a', false])],
      expect: { failing: ['volume-encrypted'] },
    },
    {
      name: 'CSI classes but no driver installed',
      k8s: sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }),
      kinds: { 'storage.k8s.io/CSIDriver': 'collected' },
      aws: [fact('eks', 'ListAddons', { addons: ['vpc-cni', 'coredns'] }, { clusterName: 'test-cluster' })],
      expect: { failing: ['ebs-csi-driver'] },
    },
    {
      name: 'partial evidence: an unencrypted class is proven although DescribeVolumes was denied',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { type: 'gp3' }), pv('pvc-1', 'vol-0a'), csiDriver),
      aws: [ebd(false)],
      awsCalls: { 'ec2:DescribeVolumes': 'denied' },
      expect: { failing: ['storage-encrypted'], assert: (r) => { expectUnevaluated(r, 'volume-encrypted', /ec2:DescribeVolumes/); expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read/); } },
    },
  ],
  other: [
    { name: 'only EFS classes: not applicable', k8s: sc('efs', 'efs.csi.aws.com', {}), expect: { status: 'not-applicable' } },
    { name: 'storage classes not collected: error', k8s: [], complete: false, expect: { status: 'error', message: /storage classes/ } },
    {
      name: 'Auto Mode class without encryption and the account default not read: not evaluated, no claim about the volumes',
      k8s: sc('auto-ebs', 'ebs.csi.eks.amazonaws.com', { type: 'gp3' }),
      expect: {
        status: 'error',
        assert: (r) => {
          expectUnevaluated(r, 'storage-encrypted', /EBS encryption by default in the account was not read/);
          expect(JSON.stringify(r.findings)).not.toMatch(/unencrypted/);
        },
      },
    },
    {
      name: 'EBS volumes but DescribeVolumes denied: error naming it, with the classes still reported',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), pv('pvc-1', 'vol-0a'), csiDriver),
      awsCalls: { 'ec2:DescribeVolumes': 'denied' },
      expect: { status: 'error', message: /volume-encrypted: .*ec2:DescribeVolumes: denied/, assert: (r) => expect(r.findings.some((f) => f.rule === 'storage-encrypted')).toBe(true) },
    },
    {
      name: 'a volume missing from DescribeVolumes: not evaluated on that volume',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), pv('pvc-1', 'vol-0a'), csiDriver),
      aws: [volumes()],
      expect: { status: 'error', assert: (r) => expect(r.findings.find((f) => f.rule === 'volume-encrypted')).toMatchObject({ status: 'error', message: expect.stringMatching(/vol-0a .*not returned by ec2:DescribeVolumes/) }) },
    },
    {
      name: 'the driver cannot be proven when neither the add-on list nor CSIDriver objects were read',
      k8s: sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }),
      complete: false,
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'ebs-csi-driver', /CSIDriver objects were not read.*eks:ListAddons/) },
    },
    {
      name: 'the CSIDriver objects alone prove the driver missing (every install registers ebs.csi.aws.com)',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: { name: efs.csi.aws.com }\n'),
      expect: { status: 'fail', failing: ['ebs-csi-driver'] },
    },
  ],
});

// ============================================================================ CC9-ENC-03

const aliases = fact('kms', 'ListAliases', {
  Aliases: [
    { AliasName: 'alias/aws/ebs', AliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/ebs`, TargetKeyId: 'aws-owned-ebs' },
    { AliasName: 'alias/payments-data', AliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/payments-data`, TargetKeyId: KEY_ID },
  ],
});
const sa = `
apiVersion: v1
kind: ServiceAccount
metadata: { name: payments-api, namespace: payments, annotations: { eks.amazonaws.com/role-arn: "arn:aws:iam::${ACCOUNT}:role/payments-api" } }
`;
const inlineKms = (actions: string[]) => [
  fact('iam', 'ListRolePolicies', { PolicyNames: ['data-keys'] }, { RoleName: 'payments-api' }),
  fact('iam', 'ListAttachedRolePolicies', { AttachedPolicies: [] }, { RoleName: 'payments-api' }),
  fact('iam', 'GetRolePolicy', {
    RoleName: 'payments-api', PolicyName: 'data-keys',
    PolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: KEY_ARN }] })),
  }, { RoleName: 'payments-api', PolicyName: 'data-keys' }),
];
const trail = fact('cloudtrail', 'LookupEvents', {
  Events: [{
    EventId: 'e1', EventName: 'GenerateDataKey', EventTime: '2026-11-20T10:00:00Z', EventSource: 'kms.amazonaws.com',
    CloudTrailEvent: JSON.stringify({ eventName: 'GenerateDataKey', userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/payments-api/botocore-session-1`, sessionContext: { sessionIssuer: { type: 'Role', userName: 'payments-api', arn: `arn:aws:iam::${ACCOUNT}:role/payments-api` } } } }),
  }],
}, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] });

testControl(CC9_ENC_03, {
  valid: [
    {
      name: 'rotating customer key, an IRSA role allowed to create data keys and seen doing it: manual until attested',
      k8s: sa,
      aws: [aliases, describeKey(), rotation(true), ...inlineKms(['kms:GenerateDataKey*', 'kms:Decrypt']), trail],
      expect: { status: 'manual', passing: ['cmk-rotation', 'workload-data-keys', 'data-key-usage'], message: /1 of 1 workload role/ },
    },
    {
      name: 'attested',
      aws: [aliases, describeKey(), rotation(true)],
      attestations: [{ control: 'CC9-ENC-03', statement: 'design reviewed', attestedBy: 'dpo@example.com', date: '2026-10-01', validUntil: '2027-04-01', evidence: 'https://wiki.example.com/encryption-design' }],
      expect: { status: 'pass', message: /attested by dpo@example.com/ },
    },
  ],
  invalid: [
    {
      name: 'a customer-managed key with rotation off is a warning: the verdict stays with the attestation',
      aws: [aliases, describeKey(), rotation(false)],
      expect: { status: 'manual', assert: (r) => expectWarning(r, 'cmk-rotation') },
    },
  ],
  other: [
    { name: 'no key inventory: error', aws: [trail], expect: { status: 'error', message: /KMS key inventory/ } },
    {
      name: 'rotation status denied: the recommended signal is not evaluated (a note)',
      aws: [aliases, describeKey()], awsCalls: { 'kms:GetKeyRotationStatus': 'denied' },
      expect: { status: 'manual', assert: (r) => expectUnevaluated(r, 'cmk-rotation', /GetKeyRotationStatus/) },
    },
    {
      name: 'a role without KMS data-key permissions is not a signal, and the count says so',
      k8s: sa,
      aws: [aliases, describeKey(), rotation(true), ...inlineKms(['s3:GetObject'])],
      expect: { status: 'manual', message: /0 of 1 workload role/, notFailing: ['workload-data-keys'] },
    },
  ],
});

// ============================================================================ CC9-ENC-04

const listener = (lb: string, protocol: string, port: number, extra: JsonObject = {}, type: 'app' | 'net' = 'app'): JsonObject => ({
  ListenerArn: `${lbArn(lb, type).replace(':loadbalancer/', ':listener/')}/${port}`, LoadBalancerArn: lbArn(lb, type), Port: port, Protocol: protocol,
  DefaultActions: [{ Type: 'forward', TargetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/k8s-tg/1` }],
  ...extra,
});
const listeners = (lb: string, ...l: JsonObject[]) => fact('elasticloadbalancing', 'DescribeListeners', { Listeners: l }, { LoadBalancerArn: lbArn(lb) });
const redirect = { DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301', Host: '#{host}', Path: '/#{path}', Query: '#{query}' } }] };
const https = (policy = 'ELBSecurityPolicy-TLS13-1-2-2021-06') => ({ SslPolicy: policy, Certificates: [{ CertificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/abc` }] });
const ingress = (name: string, annotations: Record<string, string>, tls = false) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name}, namespace: shop, annotations: ${JSON.stringify(annotations)} }
spec:
  ingressClassName: alb
  ${tls ? 'tls: [{ hosts: [shop.example.com] }]' : ''}
  rules: [{ host: shop.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]
`;
const NGINX_CLASS = 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: nginx }\nspec: { controller: k8s.io/ingress-nginx }\n';
/** The ingress-nginx controller Service as its Helm chart renders it, fronted by an NLB (no certificate: nginx terminates TLS). */
const NGINX_SERVICE = `
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  labels: { app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/instance: ingress-nginx, app.kubernetes.io/component: controller }
  annotations: { service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip, service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing }
spec:
  type: LoadBalancer
  selector: { app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/instance: ingress-nginx, app.kubernetes.io/component: controller }
  ports: [{ name: http, port: 80, targetPort: http, protocol: TCP }, { name: https, port: 443, targetPort: https, protocol: TCP }]
`;
const nginxIngress = (name: string, tlsHosts: string[], ruleHosts: string[]) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name}, namespace: shop }
spec:
  ingressClassName: nginx
  tls: [{ hosts: ${JSON.stringify(tlsHosts)}, secretName: ${name}-tls }]
  rules: ${JSON.stringify(ruleHosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } })))}
`;
const albClass = 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: alb }\nspec: { controller: ingress.k8s.aws/alb }\n';
const lbService = (name: string, annotations: Record<string, string>, port: number) => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop, annotations: ${JSON.stringify(annotations)} }
spec: { type: LoadBalancer, selector: { app: ${name} }, ports: [{ port: ${port}, targetPort: 8080, protocol: TCP }] }
`;
const cert = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/abc`;

testControl(CC9_ENC_04, {
  valid: [
    {
      name: 'HTTPS with a TLS 1.2+ policy and HTTP redirect; Ingress and Service terminate TLS: manual until attested',
      k8s: docs(albClass, ingress('web', { 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'alb.ingress.kubernetes.io/certificate-arn': cert, 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]', 'alb.ingress.kubernetes.io/ssl-redirect': '443' }),
        lbService('api', { 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': cert, 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443' }, 443)),
      aws: [describeCluster(), describeLbs(loadBalancer('web'), loadBalancer('internal', { Scheme: 'internal' })), listeners('web', listener('web', 'HTTPS', 443, https()), listener('web', 'HTTP', 80, redirect)), listeners('internal', listener('internal', 'HTTP', 8080))],
      expect: {
        status: 'manual',
        passing: ['listener-tls', 'listener-tls-policy', 'ingress-tls', 'ingress-http-redirect', 'service-lb-tls'],
        assert: (r) => {
          const notes = r.notes.join('\n');
          expect(notes).toMatch(/1 listener\(s\) of internal load balancers/);
          expect(notes).toMatch(/forwards to pods over HTTP/);
          expect(notes).toMatch(/no service mesh/);
        },
      },
    },
    {
      name: 'attested, with Istio STRICT noted as the east-west signal',
      k8s: docs(ingress('web', {}, true), `
apiVersion: apps/v1
kind: Deployment
metadata: { name: istiod, namespace: istio-system }
spec: { selector: {}, template: { spec: { containers: [{ name: discovery, image: istio/pilot }] } } }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
`),
      attestations: [{ control: 'CC9-ENC-04', statement: 'app TLS to RDS verified', attestedBy: 'sec@example.com', date: '2026-11-01', validUntil: '2027-05-01' }],
      expect: { status: 'pass', passing: ['ingress-tls'], assert: (r) => expect(r.notes.join()).toMatch(/mutual TLS is STRICT/) },
    },
    {
      name: 'an ALB Ingress with an HTTPS listen port and no certificate annotation: certificates discovered from the hosts',
      k8s: docs(albClass, ingress('web', { 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS": 443}]' })),
      expect: { status: 'manual', passing: ['ingress-tls'] },
    },
    {
      name: 'ingress-nginx redirects plain HTTP for hosts with TLS by default',
      k8s: docs(NGINX_CLASS, nginxIngress('shop', ['*.example.com'], ['shop.example.com'])),
      expect: { status: 'manual', passing: ['ingress-tls', 'ingress-http-redirect'] },
    },
  ],
  invalid: [
    {
      name: 'plaintext HTTP listener on an internet-facing ALB and an old TLS policy',
      aws: [describeCluster(), describeLbs(loadBalancer('web')), describeTags({ [lbArn('web')]: { 'elbv2.k8s.aws/cluster': 'test-cluster', 'ingress.k8s.aws/stack': 'shop/web' } }), listeners('web', listener('web', 'HTTP', 80), listener('web', 'HTTPS', 443, https('ELBSecurityPolicy-2016-08')))],
      expect: { failing: ['listener-tls', 'listener-tls-policy'], assert: (r) => expect(r.findings.find((f) => f.rule === 'listener-tls' && f.status === 'fail')?.message).toMatch(/Ingress shop\/web/) },
    },
    {
      name: 'Ingress without TLS; ALB with a certificate still serving HTTP without redirect',
      k8s: docs(albClass, ingress('plain', { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' }), ingress('half', { 'alb.ingress.kubernetes.io/certificate-arn': cert, 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]' })),
      expect: { failing: ['ingress-tls', 'ingress-http-redirect'] },
    },
    {
      name: 'internet-facing LoadBalancer Service without a certificate; TCP listener on an NLB is a warning',
      k8s: lbService('billing', { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' }, 8080),
      aws: [describeLbs(loadBalancer('billing', { Type: 'network' })), fact('elasticloadbalancing', 'DescribeListeners', { Listeners: [listener('billing', 'TCP', 8080, {}, 'net')] }, { LoadBalancerArn: lbArn('billing', 'net') })],
      expect: {
        failing: ['service-lb-tls', 'listener-tls'],
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'service-lb-tls')?.severity).toBe('medium');
          expect(r.findings.find((f) => f.rule === 'listener-tls')?.severity).toBe('low');
        },
      },
    },
    {
      name: 'a custom approved list rejects an otherwise modern policy',
      aws: [describeCluster(), describeLbs(loadBalancer('web')), listeners('web', listener('web', 'HTTPS', 443, https('ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06')))],
      config: { approvedTlsPolicies: ['ELBSecurityPolicy-TLS13-1-3-*'] },
      expect: { failing: ['listener-tls-policy'] },
    },
    {
      name: 'ingress-nginx with ssl-redirect "false" serves the TLS hosts over plain HTTP too',
      k8s: docs(NGINX_CLASS, nginxIngress('shop', ['shop.example.com'], ['shop.example.com']).replace('metadata: { name: shop, namespace: shop }', 'metadata: { name: shop, namespace: shop, annotations: { nginx.ingress.kubernetes.io/ssl-redirect: "false" } }')),
      expect: { failing: ['ingress-http-redirect'], passing: ['ingress-tls'] },
    },
    {
      name: 'the ingress controller behind the NLB serves no Ingress with TLS: its Service fails',
      k8s: docs(NGINX_CLASS, NGINX_SERVICE, ingress('plain', {}).replace('ingressClassName: alb', 'ingressClassName: nginx')),
      expect: { failing: ['service-lb-tls', 'ingress-tls'], assert: (r) => expect(r.findings.find((f) => f.rule === 'service-lb-tls')?.message).toMatch(/no Ingress of ingress-nginx with TLS/) },
    },
    {
      name: 'partial evidence: an Ingress without TLS is proven although the load balancer listeners were denied',
      k8s: docs(albClass, ingress('plain', { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' })),
      awsCalls: { 'elasticloadbalancing:DescribeListeners': 'denied' },
      expect: { failing: ['ingress-tls'], assert: (r) => expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read.*DescribeListeners/) },
    },
  ],
  other: [
    { name: 'nothing to check: error', k8s: [], complete: false, expect: { status: 'error', message: /evidence not collected/ } },
    {
      name: 'a 443 passthrough Service is left to the attestation (its TLS cannot be seen)',
      k8s: lbService('tls-app', {}, 443),
      expect: { status: 'manual', notFailing: ['service-lb-tls'], assert: (r) => expect(r.findings.find((f) => f.rule === 'service-lb-tls')?.status).toBe('manual') },
    },
    {
      name: 'partial evidence: nothing failed but the listeners were denied: error naming them',
      k8s: docs(ingress('web', {}, true)),
      awsCalls: { 'elasticloadbalancing:DescribeListeners': 'denied' },
      expect: { status: 'error', message: /DescribeListeners/ },
    },
    {
      name: 'load balancers not described: a plaintext listener is not evaluated (its scheme is unknown), never called internet-facing',
      aws: [listeners('web', listener('web', 'HTTP', 80))],
      expect: { status: 'error', assert: (r) => { expectUnevaluated(r, 'listener-tls', /scheme was not read/); expect(JSON.stringify(r.findings)).not.toMatch(/from the internet/); } },
    },
    {
      name: 'a TCP listener on 443 of an internet-facing NLB is passthrough left to the attestation',
      aws: [describeLbs(loadBalancer('tcp', { Type: 'network' })), fact('elasticloadbalancing', 'DescribeListeners', { Listeners: [listener('tcp', 'TCP', 443, {}, 'net')] }, { LoadBalancerArn: lbArn('tcp', 'net') })],
      expect: { status: 'manual', notFailing: ['listener-tls'], assert: (r) => expect(r.findings.find((f) => f.rule === 'listener-tls')?.status).toBe('manual') },
    },
    {
      name: 'an ingress controller Service whose Ingresses were not read is not evaluated',
      k8s: NGINX_SERVICE,
      kinds: { 'networking.k8s.io/Ingress': 'denied' },
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'service-lb-tls', /Ingresses were not read/) },
    },
  ],
});

// ============================================================================ corpus

describe.skipIf(!existsSync('/work/shared/corpus'))('CC9 on public fixtures', () => {
  const run = async (paths: string[], control = CC9_ENC_04) => {
    const snap = await collectFiles(paths, { toolVersion: 'test', completeInventory: true });
    return evaluate(snap, [control], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date('2026-11-26T12:00:00Z') }).controls[0]!;
  };

  it('kubescape ingress-no-tls and polaris tlsSettingsMissing: spec.tls decides', async () => {
    const verdict = async (p: string) => (await run([p])).findings.find((f) => f.rule === 'ingress-tls')?.status;
    expect(await verdict('/work/shared/corpus/kubescape-regolibrary/ingress-no-tls/case-01')).toBe('fail');
    expect(await verdict('/work/shared/corpus/kubescape-regolibrary/ingress-no-tls/case-02')).toBe('pass');
    expect(await verdict('/work/shared/corpus/polaris/tlsSettingsMissing/case-01.yaml')).toBe('fail');
    expect(await verdict('/work/shared/corpus/polaris/tlsSettingsMissing/case-02.yaml')).toBe('pass');
  });

  it('kyverno require-ingress-https: every Ingress with a tls block terminates TLS, the one without fails', async () => {
    const r = await run(['/work/shared/corpus/kyverno-policies/other/require-ingress-https/resource.yaml']);
    const byName = Object.fromEntries(r.findings.filter((f) => f.rule === 'ingress-tls').map((f) => [f.resource.name, f.status]));
    expect(byName).toEqual({ 'ingress-392897': 'pass', 'ingress-204047': 'pass', 'ingress-460319': 'fail', 'ingress-149551': 'pass', 'ingress-828908': 'pass', 'ingress-367311': 'pass' });
  });

  it('kubescape pv-without-encryption: the gp3 class decides when it asks for encryption; otherwise the account default is needed', async () => {
    const enc = await run(['/work/shared/corpus/kubescape-regolibrary/pv-without-encryption/case-01'], CC9_ENC_02);
    expect(enc.findings.find((f) => f.rule === 'storage-encrypted')?.status).toBe('pass');
    // Without the account's EBS encryption by default (no AWS evidence) the class is flagged but not judged: its volumes may be encrypted.
    const plain = await run(['/work/shared/corpus/kubescape-regolibrary/pv-without-encryption/case-02'], CC9_ENC_02);
    expect(plain.findings.find((f) => f.rule === 'storage-encrypted')).toMatchObject({ status: 'error', message: expect.stringMatching(/no encrypted parameter.*not read/) });
    // The PVs name no volume handle: nothing to look up in EC2, so no volume finding.
    expect(plain.findings.some((f) => f.rule === 'volume-encrypted')).toBe(false);
  });
});

describe('CC9 in the built-in demo', () => {
  it('shows the intended mix: CMK for secrets, unencrypted legacy storage, attested envelope design, plaintext legacy edge', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { waivers, attestations } = demoPolicies(now);
    const run = evaluate(demoSnapshot('test', now), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, sections: ['CC9'], waivers, attestations });
    expect(Object.fromEntries(run.controls.map((c) => [c.id, c.status]))).toEqual({ 'CC9-ENC-01': 'pass', 'CC9-ENC-02': 'fail', 'CC9-ENC-03': 'pass', 'CC9-ENC-04': 'fail' });
    const enc02 = run.controls.find((c) => c.id === 'CC9-ENC-02')!;
    expect(enc02.findings.filter((f) => f.status === 'fail').map((f) => f.rule).sort()).toEqual(['storage-encrypted', 'volume-encrypted']);
    expect(enc02.findings.filter((f) => f.status === 'warn').map((f) => f.rule)).toEqual(['default-class-encrypted']);
  });
});

// ============================================================================ issue 13 defects

describe('issue 13: CC9 verdicts follow the evidence that was read', () => {
  it('a loose set of manifests proves no absence: the EBS CSI driver and an ingress controller\'s TLS Ingresses may be elsewhere', () => {
    const driver = runCase(CC9_ENC_02, { name: 'chart', k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: { name: efs.csi.aws.com }\n'), complete: false });
    expect(driver.status).toBe('error');
    expectUnevaluated(driver, 'ebs-csi-driver', /only those in the input/);
    const front = runCase(CC9_ENC_04, { name: 'chart', k8s: docs(NGINX_SERVICE, ingress('other', {})), complete: false });
    expectUnevaluated(front, 'service-lb-tls', /only those in the input/);
  });

  it('classifies every rule of every CC9 control', () => {
    for (const c of [CC9_ENC_01, CC9_ENC_02, CC9_ENC_03, CC9_ENC_04]) expectClassified(c);
  });

  it('CC9-ENC-01: a key pending deletion fails although its rotation status could not be read; rotation is only recommended', () => {
    const r = runCase(CC9_ENC_01, {
      name: 'pending deletion, rotation call failed',
      aws: [describeCluster(encrypted), describeKey({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: '2026-12-10T00:00:00.000Z' })],
      awsCalls: { 'kms:GetKeyRotationStatus': 'error' },
    });
    expect(r.status).toBe('fail');
    expect(r.findings.find((f) => f.rule === 'key-usable')?.status).toBe('fail');
    expect(r.rules.find((x) => x.id === 'key-rotation')?.level).toBe('recommended');
    expectUnevaluated(r, 'key-rotation', /GetKeyRotationStatus/);
  });

  it('CC9-ENC-02: with EBS encryption by default on, the EKS-created default gp2 class does not fail the control', () => {
    const r = runCase(CC9_ENC_02, {
      name: 'gp2 default class, encryption by default on',
      k8s: docs(sc('gp2', 'kubernetes.io/aws-ebs', { type: 'gp2', fsType: 'ext4' }, true), csiDriver),
      aws: [ebd(true)],
    });
    expect(r.status).toBe('pass');
    expect(r.findings.find((f) => f.rule === 'storage-encrypted')?.status).toBe('pass');
    expectWarning(r, 'default-class-encrypted');
  });

  it('CC9-ENC-02: without the account default, no message claims the volumes are unencrypted', () => {
    const r = runCase(CC9_ENC_02, {
      name: 'gp2 default class, account default not read',
      k8s: docs(sc('gp2', 'kubernetes.io/aws-ebs', { type: 'gp2', fsType: 'ext4' }, true), csiDriver),
      awsCalls: { 'ec2:GetEbsEncryptionByDefault': 'denied' },
    });
    expect(r.status).toBe('error');
    expect(JSON.stringify(r.findings)).not.toMatch(/unencrypted|gets an unencrypted/);
    expectUnevaluated(r, 'storage-encrypted', /not read/);
  });

  it('CC9-ENC-04: TLS terminated in the ingress controller behind an NLB is encryption in transit', () => {
    const r = runCase(CC9_ENC_04, {
      name: 'ingress-nginx behind an NLB',
      k8s: docs(NGINX_CLASS, NGINX_SERVICE, nginxIngress('shop', ['shop.example.com'], ['shop.example.com'])),
      aws: [describeLbs(loadBalancer('nginx', { Type: 'network' })), describeTags({ [lbArn('nginx', 'net')]: { 'service.k8s.aws/stack': 'ingress-nginx/ingress-nginx-controller', 'elbv2.k8s.aws/cluster': 'test-cluster' } }),
        fact('elasticloadbalancing', 'DescribeListeners', { Listeners: [listener('nginx', 'TCP', 443, {}, 'net'), listener('nginx', 'TCP', 80, {}, 'net')] }, { LoadBalancerArn: lbArn('nginx', 'net') })],
    });
    expect(r.status, JSON.stringify(r.findings.filter((f) => f.status === 'fail'))).toBe('manual');
    expect(r.findings.find((f) => f.rule === 'service-lb-tls')?.status).toBe('pass');
    expect(r.findings.find((f) => f.rule === 'ingress-tls')?.status).toBe('pass');
  });

  it('CC9-ENC-04: ingress-tls requires the TLS hosts to cover the rule hosts (wildcards cover one label)', () => {
    const verdict = (tls: string[], hosts: string[]) => runCase(CC9_ENC_04, { name: 'hosts', k8s: docs(NGINX_CLASS, nginxIngress('shop', tls, hosts)) }).findings.find((f) => f.rule === 'ingress-tls')!;
    expect(verdict(['shop.example.com'], ['shop.example.com', 'api.example.com']).status).toBe('fail');
    expect(verdict(['shop.example.com'], ['shop.example.com', 'api.example.com']).message).toMatch(/api\.example\.com/);
    expect(verdict(['*.example.com'], ['shop.example.com', 'api.example.com']).status).toBe('pass');
    expect(verdict(['*.example.com'], ['a.shop.example.com']).status).toBe('fail');
    expect(verdict(['*.example.com'], ['example.com']).status).toBe('fail');
    expect(verdict(['SHOP.example.com'], ['shop.EXAMPLE.com']).status).toBe('pass');
    expect(verdict(['shop.example.com'], ['*.example.com']).status).toBe('fail');
    expect(verdict(['*.example.com'], ['*.example.com']).status).toBe('pass');
  });
});
