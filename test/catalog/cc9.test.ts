import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CC9_ENC_01, CC9_ENC_02, CC9_ENC_03, CC9_ENC_04 } from '../../src/catalog/cc9.js';
import { catalog } from '../../src/catalog/index.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../../src/engine/index.js';
import type { JsonObject } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { testControl } from '../helpers/control-tester.js';
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
      name: 'rotation off is a warning',
      aws: [describeCluster(encrypted), describeKey(), rotation(false)],
      expect: { failing: ['key-rotation'], passing: ['key-usable'], assert: (r) => expect(r.failSeverity).toBe('low') },
    },
    {
      name: 'imported key material cannot rotate automatically',
      aws: [describeCluster(encrypted), describeKey({ Origin: 'EXTERNAL' })],
      expect: { failing: ['key-rotation'] },
    },
    {
      name: 'asymmetric key',
      aws: [describeCluster(encrypted), describeKey({ KeySpec: 'RSA_2048' }), rotation(false)],
      expect: { failing: ['key-customer-managed'] },
    },
  ],
  other: [
    { name: 'no cluster description: error', aws: [describeKey()], expect: { status: 'error', message: /evidence not collected/ } },
    {
      name: 'DescribeKey denied (cross-account key policy): error, never a fail',
      aws: [describeCluster(encrypted)],
      awsCalls: { 'kms:DescribeKey': 'denied' },
      expect: { status: 'error', message: /kms:DescribeKey denied.*key policy/, assert: (r) => expect(r.findings.find((f) => f.rule === 'secrets-cmk')?.status).toBe('pass') },
    },
    {
      name: 'rotation status not collected: error',
      aws: [describeCluster(encrypted), describeKey()],
      expect: { status: 'error', message: /GetKeyRotationStatus/ },
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
  ],
  invalid: [
    {
      name: 'legacy in-tree gp2 default class without encryption, encryption by default off, an unencrypted in-tree volume',
      k8s: docs(sc('gp2', 'kubernetes.io/aws-ebs', { type: 'gp2', fsType: 'ext4' }, true), pv('pvc-old', 'vol-0old', true), csiDriver),
      aws: [ebd(false), volumes(['vol-0old', false])],
      expect: {
        failing: ['storage-encrypted', 'default-class-encrypted', 'volume-encrypted'],
        assert: (r) => {
          expect(r.notes.join()).toMatch(/legacy in-tree provisioner/);
          expect(r.findings.find((f) => f.rule === 'volume-encrypted')?.message).toMatch(/vol-0old.*claim data\/pgdata-postgres-0/);
        },
      },
    },
    {
      name: 'default class relying on the account default is a warning; kmsKeyId given as an alias',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { type: 'gp3' }, true), sc('gp3-kms', 'ebs.csi.aws.com', { encrypted: 'true', kmsKeyId: 'alias/ebs-encryption-key' }), csiDriver),
      aws: [ebd(true)],
      expect: { failing: ['default-class-encrypted', 'kms-key-arn'], passing: ['storage-encrypted'], assert: (r) => expect(r.failSeverity).toBe('low') },
    },
    {
      name: 'encryption by default on does not encrypt a pre-existing volume',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), pv('pvc-1', 'vol-0a'), csiDriver),
      aws: [ebd(true), volumes(['vol-0a', false])],
      expect: { failing: ['volume-encrypted'] },
    },
    {
      name: 'Auto Mode class without encryption and the account default unknown',
      k8s: sc('auto-ebs', 'ebs.csi.eks.amazonaws.com', { type: 'gp3' }),
      expect: { failing: ['storage-encrypted'], assert: (r) => expect(r.findings[0]!.message).toMatch(/not collected/) },
    },
    {
      name: 'CSI classes but no driver installed',
      k8s: sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }),
      kinds: { 'storage.k8s.io/CSIDriver': 'collected' },
      aws: [fact('eks', 'ListAddons', { addons: ['vpc-cni', 'coredns'] }, { clusterName: 'test-cluster' })],
      expect: { failing: ['ebs-csi-driver'] },
    },
  ],
  other: [
    { name: 'only EFS classes: not applicable', k8s: sc('efs', 'efs.csi.aws.com', {}), expect: { status: 'not-applicable' } },
    { name: 'storage classes not collected: error', k8s: [], complete: false, expect: { status: 'error', message: /storage classes/ } },
    {
      name: 'EBS volumes but DescribeVolumes denied: error with the classes still reported',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), pv('pvc-1', 'vol-0a'), csiDriver),
      awsCalls: { 'ec2:DescribeVolumes': 'denied' },
      expect: { status: 'error', message: /could not be checked: ec2:DescribeVolumes denied/, assert: (r) => expect(r.findings.some((f) => f.rule === 'storage-encrypted')).toBe(true) },
    },
    {
      name: 'a volume missing from DescribeVolumes: error',
      k8s: docs(sc('gp3', 'ebs.csi.aws.com', { encrypted: 'true' }), pv('pvc-1', 'vol-0a'), csiDriver),
      aws: [volumes()],
      expect: { status: 'error', message: /not found in ec2:DescribeVolumes/ },
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
      name: 'a customer-managed key with rotation off fails the signal',
      aws: [aliases, describeKey(), rotation(false)],
      expect: { failing: ['cmk-rotation'] },
    },
  ],
  other: [
    { name: 'no key inventory: error', aws: [trail], expect: { status: 'error', message: /KMS key inventory/ } },
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
  ],
  other: [
    { name: 'nothing to check: error', k8s: [], complete: false, expect: { status: 'error', message: /evidence not collected/ } },
    {
      name: 'a 443 passthrough Service is only a warning',
      k8s: lbService('tls-app', {}, 443),
      expect: { status: 'fail', failing: ['service-lb-tls'], assert: (r) => expect(r.failSeverity).toBe('low') },
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

  it('kubescape pv-without-encryption: the gp3 class decides (no AWS volume evidence: error for the volume)', async () => {
    const enc = await run(['/work/shared/corpus/kubescape-regolibrary/pv-without-encryption/case-01'], CC9_ENC_02);
    expect(enc.findings.find((f) => f.rule === 'storage-encrypted')?.status).toBe('pass');
    const plain = await run(['/work/shared/corpus/kubescape-regolibrary/pv-without-encryption/case-02'], CC9_ENC_02);
    expect(plain.findings.find((f) => f.rule === 'storage-encrypted')?.status).toBe('fail');
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
    expect(enc02.findings.filter((f) => f.status === 'fail').map((f) => f.rule).sort()).toEqual(['default-class-encrypted', 'storage-encrypted', 'volume-encrypted']);
  });
});
