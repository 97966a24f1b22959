import type { Command } from 'commander';
import type { EvidenceGap, Snapshot } from '../../model/index.js';
import type { CredentialProvider } from '../../collectors/aws/credentials.js';
import { EXIT, UserError } from '../errors.js';
import { startPhase } from '../progress.js';

/** Flags of AWS evidence collection (owned by the AWS evidence work, issue 3). */
export interface AwsOptions {
  cluster?: string;
  region?: string;
  profile?: string;
  awsEvidence?: string;
  /** `--no-aws` sets this to false. */
  aws?: boolean;
  ecrReferrers?: boolean;
  /** Read from the Kubernetes flags to infer the cluster (src/cli/sources/kubernetes.ts). */
  kubeconfig?: string;
  context?: string;
  quiet?: boolean;
}

export function addAwsOptions(cmd: Command): Command {
  return cmd
    .option('--cluster <name>', 'EKS cluster whose AWS evidence to read (default: the kubeconfig context\'s cluster when it is an EKS cluster)')
    .option('--region <region>', 'the cluster\'s AWS region (default: from the cluster ARN, then AWS_REGION or the profile\'s region)')
    .option('--profile <name>', 'AWS named profile from ~/.aws/config (default: AWS_PROFILE, then the standard credential chain)')
    .option('--aws-evidence <dir>', 'read AWS evidence offline from a directory of AWS CLI JSON outputs, <service>-<operation>[.<target>].json (docs/aws.md)')
    .option('--no-aws', 'do not collect AWS evidence (controls that need it report "evidence not collected")')
    .option('--ecr-referrers', 'also list OCI signatures with ecr:ListImageReferrers (needs ecr:BatchGetImage, not in the default IAM policy)');
}

const awsKeysOf = (keys: ReadonlySet<string>) => [...keys].filter((k) => k.startsWith('aws:'));

/** Record the same gap for every AWS evidence key (no cluster identified, ...). */
function gapAll(snapshot: Snapshot, keys: string[], gap: Omit<EvidenceGap, 'key' | 'target' | 'source'>): void {
  for (const k of keys) {
    const op = k.slice(4);
    snapshot.aws.calls[op] = { state: 'error', count: 0 };
    snapshot.gaps.push({ source: 'aws', key: op, target: op, ...gap, message: `${op}: ${gap.message}` });
  }
}

/**
 * Add AWS evidence for `keys` to the snapshot when asked for (or inferable); returns it.
 * - `--aws-evidence DIR`: offline, from the directory.
 * - live: with `--cluster`, or when the live Kubernetes context (or the snapshot) names an EKS cluster.
 * - `-f` scans: only with `--cluster` or `--aws-evidence`. `--no-aws`: never.
 * `extra.credentials` replaces the standard credential chain (fleet scans of assumed roles).
 */
export async function collectAws(opts: AwsOptions, snapshot: Snapshot, keys: ReadonlySet<string>,
  extra: { credentials?: CredentialProvider; liveKubernetes?: boolean } = {}): Promise<Snapshot> {
  if (opts.aws === false) return snapshot;
  const awsKeys = awsKeysOf(keys);
  if (awsKeys.length === 0) return snapshot;
  const explicit = Boolean(opts.cluster || opts.awsEvidence);
  // Only a cluster read live just now implies reading its AWS account; a bundle given with -f
  // (even one collected live) keeps the AWS evidence it carries unless --cluster/--aws-evidence ask.
  const live = extra.liveKubernetes === true;
  if (!explicit && !live) return snapshot;
  // Operations answered by Terraform input (-f): the declared configuration wins over what the account holds now.
  const tfKeys = new Set(Object.entries(snapshot.aws.calls).filter(([, c]) => c.detail === 'terraform').map(([k]) => k));
  const tfFacts = snapshot.aws.facts.filter((f) => tfKeys.has(`${f.service}:${f.operation}`));
  const tfCalls = Object.fromEntries(Object.entries(snapshot.aws.calls).filter(([k]) => tfKeys.has(k)));
  if (explicit && snapshot.aws.facts.length > 0) {
    // Fresh evidence replaces the AWS part of a bundle read with -f.
    snapshot.aws = { source: 'none', calls: {}, facts: [] };
    snapshot.gaps = snapshot.gaps.filter((g) => g.source !== 'aws');
  }
  const withTerraform = (s: Snapshot): Snapshot => {
    if (tfKeys.size === 0) return s;
    s.aws.facts = [...s.aws.facts.filter((f) => !tfKeys.has(`${f.service}:${f.operation}`)), ...tfFacts];
    Object.assign(s.aws.calls, tfCalls);
    s.gaps = s.gaps.filter((g) => !(g.source === 'aws' && g.key && tfKeys.has(g.key)));
    return s;
  };

  if (opts.awsEvidence) {
    const { loadAwsEvidence, AwsEvidenceDirError } = await import('../../collectors/aws/offline.js');
    try {
      return withTerraform(await loadAwsEvidence(snapshot, {
        dir: opts.awsEvidence, keys: new Set(awsKeys), ...(opts.cluster ? { cluster: opts.cluster } : {}), ...(opts.region ? { region: opts.region } : {}),
        ...(opts.ecrReferrers ? { imageReferrers: true } : {}),
      }));
    } catch (err) {
      if (err instanceof AwsEvidenceDirError) throw new UserError(err.message, EXIT.USAGE, 'pass a directory of AWS CLI JSON outputs (docs/aws.md "Offline evidence")');
      throw err;
    }
  }

  const { inferEksCluster, parseEksArn } = await import('../../collectors/aws/kubeconfig.js');
  let cluster = opts.cluster;
  let region = opts.region;
  let profile = opts.profile;
  const known = snapshot.cluster.arn ? parseEksArn(snapshot.cluster.arn) : undefined;
  if (known && (!cluster || cluster === known.name)) { cluster ??= known.name; region ??= known.region; }
  // The live Kubernetes collector names the EKS cluster (ARN context or `aws eks get-token --cluster-name`).
  if (live && snapshot.cluster.name && (!cluster || cluster === snapshot.cluster.name)) { cluster ??= snapshot.cluster.name; region ??= snapshot.cluster.region; }
  if (!cluster || !region || !profile) {
    const ctx = await inferEksCluster({ ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}), ...(opts.context ? { context: opts.context } : {}) });
    if (ctx && (!cluster || cluster === ctx.name)) {
      cluster ??= ctx.name;
      region ??= ctx.region;
      profile ??= ctx.profile;
    }
  }
  if (!cluster) {
    gapAll(snapshot, awsKeys, {
      reason: 'not-found',
      message: 'not collected: no EKS cluster identified (the kubeconfig context is not an EKS cluster ARN and --cluster was not given)',
      fix: 'pass --cluster NAME (and --region REGION), or --aws-evidence DIR, or --no-aws to skip AWS evidence',
    });
    return snapshot;
  }

  const { collectAwsLive } = await import('../../collectors/aws/collect.js');
  const tty = process.stderr.isTTY === true && !opts.quiet && !process.env.CI;
  let last = 0;
  const totals = new Map<string, { done: number; total: number }>();
  const sum = () => {
    let done = 0; let total = 0;
    for (const t of totals.values()) { done += t.done; total += t.total; }
    return { done, total };
  };
  // Not a terminal (CI): a plain line every few seconds instead (src/cli/progress.ts).
  const phase = tty ? undefined : startPhase('reading AWS evidence', () => {
    const s = sum();
    return `${s.done} of ${s.total} calls done, ${totals.size} service(s)`;
  }, { quiet: opts.quiet });
  const result = await collectAwsLive(snapshot, {
    keys: new Set(awsKeys), cluster, ...(region ? { region } : {}), ...(profile ? { profile } : {}),
    ...(opts.ecrReferrers ? { imageReferrers: true } : {}),
    ...(extra.credentials ? { credentials: extra.credentials } : {}),
    ...(tty || !opts.quiet ? {
      onProgress: (p: { service: string; done: number; total: number }) => {
        totals.set(p.service, { done: p.done, total: p.total });
        if (!tty) return;
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        let done = 0; let total = 0;
        for (const t of totals.values()) { done += t.done; total += t.total; }
        process.stderr.write(`\r\x1b[2Kreading AWS evidence: ${p.service} (${done}/${total} calls)`);
      },
    } : {}),
  });
  phase?.end();
  if (tty) process.stderr.write('\r\x1b[2K');
  if (result.problem) {
    process.stderr.write(`eks-soc2: AWS evidence not collected: ${result.problem.message}\n  fix: ${result.problem.fix}\n`);
  }
  return withTerraform(result.snapshot);
}
