import type { K8sObject } from '../../model/index.js';

/**
 * AWS resources the Kubernetes side of the snapshot points at: the call targets of operations
 * whose resources are chosen from the cluster (node instances, ECR images, IRSA roles, EBS volumes,
 * KMS keys of StorageClasses, security groups of SecurityGroupPolicies).
 */

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** EC2 instance ids of nodes: `spec.providerID` = `aws:///<az>/<instance-id>`. Fargate and hybrid nodes have none. */
export function nodeInstanceIds(objects: readonly K8sObject[]): string[] {
  const ids = new Set<string>();
  for (const n of objects) {
    if (n.kind !== 'Node') continue;
    const pid = asStr(asObj(n.spec)?.providerID);
    const m = pid ? /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(pid) : null;
    if (m) ids.add(m[1]!);
  }
  return [...ids].sort();
}

/** IAM role ARNs of IRSA service accounts (annotation `eks.amazonaws.com/role-arn`). */
export function irsaRoleArns(objects: readonly K8sObject[]): string[] {
  const arns = new Set<string>();
  for (const sa of objects) {
    if (sa.kind !== 'ServiceAccount') continue;
    const arn = asStr(sa.metadata.annotations?.['eks.amazonaws.com/role-arn'])?.trim();
    if (arn && /^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(arn)) arns.add(arn);
  }
  return [...arns].sort();
}

const EBS_CSI = new Set(['ebs.csi.aws.com', 'ebs.csi.eks.amazonaws.com']);

/** EBS volume ids of PersistentVolumes: CSI volumeHandle (`ebs.csi.aws.com`, Auto Mode `ebs.csi.eks.amazonaws.com`), or the in-tree `awsElasticBlockStore.volumeID`. */
export function ebsVolumeIds(objects: readonly K8sObject[]): string[] {
  const ids = new Set<string>();
  for (const pv of objects) {
    if (pv.kind !== 'PersistentVolume') continue;
    const spec = asObj(pv.spec);
    const csi = asObj(spec?.csi);
    const handle = csi && EBS_CSI.has(asStr(csi.driver) ?? '') ? asStr(csi.volumeHandle) : asStr(asObj(spec?.awsElasticBlockStore)?.volumeID);
    const m = handle ? /(vol-[0-9a-f]+)$/.exec(handle) : null;
    if (m) ids.add(m[1]!);
  }
  return [...ids].sort();
}

/** KMS key ids/ARNs named by StorageClass parameters (`kmsKeyId`, EBS CSI and in-tree). */
export function storageClassKmsKeys(objects: readonly K8sObject[]): string[] {
  const keys = new Set<string>();
  for (const sc of objects) {
    if (sc.kind !== 'StorageClass') continue;
    const params = asObj(sc.parameters);
    const k = asStr(params?.kmsKeyId) ?? asStr(params?.kmskeyid);
    if (k) keys.add(k);
  }
  return [...keys].sort();
}

/** Security group ids referenced by SecurityGroupPolicy objects (security groups for pods). */
export function podSecurityGroupIds(objects: readonly K8sObject[]): string[] {
  const ids = new Set<string>();
  for (const p of objects) {
    if (p.kind !== 'SecurityGroupPolicy') continue;
    for (const g of asArr(asObj(asObj(p.spec)?.securityGroups)?.groupIds)) if (typeof g === 'string' && g.startsWith('sg-')) ids.add(g);
  }
  return [...ids].sort();
}

/** One ECR image a workload runs or declares. */
export interface EcrImage {
  registryId: string;
  region: string;
  repositoryName: string;
  imageDigest?: string;
  imageTag?: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Parse an image reference or a container status imageID when it names a private ECR registry. */
export function parseEcrImage(ref: string): EcrImage | undefined {
  let rest = ref.trim().replace(/^[a-z-]+:\/\//, '');
  const slash = rest.indexOf('/');
  if (slash === -1) return undefined;
  const m = ECR_HOST.exec(rest.slice(0, slash));
  if (!m) return undefined;
  rest = rest.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  if (!rest) return undefined;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) digest = undefined;
  return { registryId: m[1]!, region: m[2]!, repositoryName: rest, ...(digest ? { imageDigest: digest } : tag ? { imageTag: tag } : { imageTag: 'latest' }) };
}

function podSpecs(o: K8sObject): Obj[] {
  const spec = asObj(o.spec);
  if (!spec) return [];
  if (o.kind === 'Pod') return [spec];
  if (o.kind === 'CronJob') {
    const s = asObj(asObj(asObj(asObj(spec.jobTemplate)?.spec)?.template)?.spec);
    return s ? [s] : [];
  }
  const t = asObj(asObj(spec.template)?.spec);
  return t ? [t] : [];
}

const WORKLOADS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);

/**
 * ECR images of the cluster's workloads: digests from running pods (`status.containerStatuses[].imageID`),
 * plus tags from pod specs and controller templates when no pod reports a digest for that reference.
 * Sorted and de-duplicated.
 */
export function ecrImages(objects: readonly K8sObject[]): EcrImage[] {
  const byDigest = new Map<string, EcrImage>();
  const resolved = new Set<string>(); // image references whose digest a running pod reported
  const tagged = new Map<string, EcrImage>();
  for (const o of objects) {
    if (!WORKLOADS.has(o.kind)) continue;
    if (o.kind === 'Pod') {
      const status = asObj(o.status);
      for (const list of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
        for (const cs of asArr(status?.[list])) {
          const c = asObj(cs);
          const image = asStr(c?.image);
          const imageId = asStr(c?.imageID);
          let parsed = imageId ? parseEcrImage(imageId) : undefined;
          if (!parsed && imageId && image && /^sha256:[a-f0-9]{64}$/.test(imageId)) {
            const base = parseEcrImage(image);
            if (base) parsed = { registryId: base.registryId, region: base.region, repositoryName: base.repositoryName, imageDigest: imageId };
          }
          if (parsed?.imageDigest) {
            byDigest.set(`${parsed.registryId}/${parsed.region}/${parsed.repositoryName}@${parsed.imageDigest}`, parsed);
            if (image) resolved.add(image);
          }
        }
      }
    }
    for (const spec of podSpecs(o)) {
      for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
        for (const c of asArr(spec[list])) {
          const image = asStr(asObj(c)?.image);
          const parsed = image ? parseEcrImage(image) : undefined;
          if (!parsed || !image) continue;
          if (parsed.imageDigest) byDigest.set(`${parsed.registryId}/${parsed.region}/${parsed.repositoryName}@${parsed.imageDigest}`, parsed);
          else tagged.set(image, parsed);
        }
      }
    }
  }
  const out = [...byDigest.values()];
  for (const [image, p] of tagged) if (!resolved.has(image)) out.push(p);
  const key = (i: EcrImage) => `${i.region}/${i.registryId}/${i.repositoryName}/${i.imageDigest ?? ''}/${i.imageTag ?? ''}`;
  const seen = new Set<string>();
  return out.filter((i) => (seen.has(key(i)) ? false : (seen.add(key(i)), true))).sort((a, b) => key(a).localeCompare(key(b)));
}
