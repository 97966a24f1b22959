import type { Evidence, K8sObject } from '../../model/index.js';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import { out } from './aws.js';

/**
 * Storage and key evidence for the CC9 encryption controls: EBS StorageClasses and volumes, and the
 * KMS key facts (`kms:DescribeKey`, `kms:GetKeyRotationStatus`, `kms:ListAliases`).
 */

/** Provisioners that create EBS volumes: the EBS CSI driver, the legacy in-tree plugin, EKS Auto Mode. */
export const EBS_PROVISIONERS: ReadonlySet<string> = new Set(['ebs.csi.aws.com', 'kubernetes.io/aws-ebs', 'ebs.csi.eks.amazonaws.com']);
export const EBS_CSI_DRIVERS: ReadonlySet<string> = new Set(['ebs.csi.aws.com', 'ebs.csi.eks.amazonaws.com']);

export function provisioner(sc: K8sObject): string {
  return typeof sc.provisioner === 'string' ? sc.provisioner : '';
}

export function scParameters(sc: K8sObject): Record<string, string> {
  const p = sc.parameters;
  if (!p || typeof p !== 'object') return {};
  return Object.fromEntries(Object.entries(p as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** The StorageClass asks for encrypted volumes (`parameters.encrypted: "true"`, case-insensitive). */
export function scEncrypted(sc: K8sObject): boolean {
  return scParameters(sc).encrypted?.toLowerCase() === 'true';
}

/** Marked as the cluster default (GA annotation or the old beta one). */
export function isDefaultClass(sc: K8sObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/**
 * The form of a `kmsKeyId` parameter. The EBS CSI driver documents it as the full key ARN; an
 * alias (`alias/x`, `arn:…:alias/x`) or a bare key id is not the documented form.
 */
export function kmsKeyForm(v: string): 'key-arn' | 'alias' | 'key-id' | 'other' {
  if (/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/.test(v)) return 'key-arn';
  if (/^alias\//.test(v) || /^arn:aws[\w-]*:kms:[\w-]+:\d{12}:alias\//.test(v)) return 'alias';
  if (/^(mrk-)?[0-9a-f]{8}-?[0-9a-f-]*$/i.test(v)) return 'key-id';
  return 'other';
}

/** The EBS volume id of a PersistentVolume (CSI volumeHandle or in-tree awsElasticBlockStore). */
export function ebsVolumeId(pv: K8sObject): string | undefined {
  const spec = (pv.spec ?? {}) as { csi?: { driver?: string; volumeHandle?: string }; awsElasticBlockStore?: { volumeID?: string } };
  if (spec.csi?.driver && EBS_CSI_DRIVERS.has(spec.csi.driver) && spec.csi.volumeHandle) return spec.csi.volumeHandle;
  const legacy = spec.awsElasticBlockStore?.volumeID;
  if (legacy) return /(vol-[0-9a-zA-Z]+)/.exec(legacy)?.[1] ?? legacy;
  return undefined;
}

/** The key id part of a key ARN (`arn:aws:kms:r:a:key/<id>` → `<id>`); other forms unchanged. */
export function keyIdOf(keyArnOrId: string): string {
  const m = /:key\/([\w-]+)$/.exec(keyArnOrId);
  return m ? m[1]! : keyArnOrId;
}

/** `kms:DescribeKey` metadata for a key given by ARN, id or alias (aliases matched through params). */
export function describeKey(ev: Evidence, key: string): KeyMetadata | undefined {
  const id = keyIdOf(key);
  for (const f of ev.aws('kms:DescribeKey')) {
    const m = out<{ KeyMetadata?: KeyMetadata }>(f)?.KeyMetadata;
    if (!m) continue;
    if (m.Arn === key || m.KeyId === id || f.params?.KeyId === key) return m;
  }
  return undefined;
}

/** All keys described by `kms:DescribeKey`. */
export function describedKeys(ev: Evidence): KeyMetadata[] {
  const seen = new Map<string, KeyMetadata>();
  for (const f of ev.aws('kms:DescribeKey')) {
    const m = out<{ KeyMetadata?: KeyMetadata }>(f)?.KeyMetadata;
    if (m?.KeyId && !seen.has(m.KeyId)) seen.set(m.KeyId, m);
  }
  return [...seen.values()];
}

/** `kms:GetKeyRotationStatus` for a key (matched by the output KeyId — ARN or id — or the request). */
export function rotationStatus(ev: Evidence, key: KeyMetadata): { enabled: boolean; periodDays?: number } | undefined {
  for (const f of ev.aws('kms:GetKeyRotationStatus')) {
    const o = out<{ KeyRotationEnabled?: boolean; KeyId?: string; RotationPeriodInDays?: number }>(f);
    const named = o?.KeyId ?? (typeof f.params?.KeyId === 'string' ? f.params.KeyId : undefined);
    if (!named || !(named === key.Arn || named === key.KeyId || keyIdOf(named) === key.KeyId)) continue;
    return { enabled: o?.KeyRotationEnabled === true, ...(typeof o?.RotationPeriodInDays === 'number' ? { periodDays: o.RotationPeriodInDays } : {}) };
  }
  return undefined;
}

/** Customer aliases (not `alias/aws/…`) by target key id, from `kms:ListAliases`. */
export function customerAliases(ev: Evidence): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const f of ev.aws('kms:ListAliases')) {
    for (const a of out<{ Aliases?: { AliasName?: string; TargetKeyId?: string }[] }>(f)?.Aliases ?? []) {
      if (!a.AliasName || !a.TargetKeyId || a.AliasName.startsWith('alias/aws/')) continue;
      map.set(a.TargetKeyId, [...(map.get(a.TargetKeyId) ?? []), a.AliasName]);
    }
  }
  return map;
}

/** A symmetric, enabled, customer-managed key usable for envelope encryption. */
export function isUsableCmk(k: KeyMetadata): boolean {
  return k.KeyManager === 'CUSTOMER' && k.KeyState === 'Enabled' && (k.KeySpec === undefined || k.KeySpec === 'SYMMETRIC_DEFAULT') && (k.KeyUsage === undefined || k.KeyUsage === 'ENCRYPT_DECRYPT');
}

