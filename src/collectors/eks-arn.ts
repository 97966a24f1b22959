const EKS_ARN = /^arn:(aws[a-z-]*):eks:([a-z0-9-]+):(\d{12}):cluster\/([^/]+)$/;

/**
 * Partition, region, account and name of an EKS cluster ARN
 * (`arn:aws:eks:<region>:<account>:cluster/<name>`; contexts made by `aws eks update-kubeconfig`
 * are such ARNs). Shared by the Kubernetes and AWS collectors.
 */
export function parseEksArn(s: string | undefined): { arn: string; partition: string; region: string; accountId: string; name: string } | undefined {
  const arn = s?.trim();
  const m = arn ? EKS_ARN.exec(arn) : null;
  return m ? { arn: arn!, partition: m[1]!, region: m[2]!, accountId: m[3]!, name: m[4]! } : undefined;
}
