/** Default system namespaces (controls.md §3); always reported separately, never silently dropped. */
export const DEFAULT_SYSTEM_NAMESPACES: readonly string[] = [
  'kube-system', 'kube-public', 'kube-node-lease',
  'amazon-cloudwatch', 'amazon-guardduty', 'gatekeeper-system', 'kyverno', 'trivy-system', 'falco',
  'istio-system', 'linkerd', 'flux-system', 'argocd', 'karpenter', 'calico-system', 'tigera-operator', 'cert-manager',
];

export interface Thresholds {
  /** CC8-VER-01: warn when end of standard support is closer than this. */
  versionSupportWarningDays: number;
  /** CC8-VER-01: fail (true) or warn (false) for a version in extended support. */
  failOnExtendedSupport: boolean;
  /** CC5-IAM-03 / P1-IAM-03: maximum number of cluster-admin principals. */
  maxClusterAdmins: number;
  /** CC3-RA-01: a kube-bench run must be younger than this. */
  kubeBenchMaxAgeDays: number;
  /** CC3-RA-03: share of workloads with a recent vulnerability report. */
  trivyCoveragePercent: number;
  trivyReportMaxAgeDays: number;
  /** CC6-MESH-01: share of in-scope pods in the mesh. */
  meshCoveragePercent: number;
  /** CC7-CHG-01: share of workloads managed by GitOps. */
  gitopsCoveragePercent: number;
  /** CC7-CFG-02: share of scalable workloads with an HPA or VPA. */
  autoscalingCoveragePercent: number;
  /** CC3-IMG-02: share of running ECR images with a signature. */
  signedImagesPercent: number;
  /** CC4-MON-01: minimum CloudWatch log retention in days. */
  logRetentionDays: number;
  /** CC3-IMG-01: maximum age of an image scan in days. */
  imageScanMaxAgeDays: number;
  /** CC4-SEC-03: minimum number of security metric filters with alarms. */
  minSecurityMetricFilters: number;
  /** CC3-RA-03 / CC3-IMG-01: days a CRITICAL vulnerability may stay open in a running image (remediation SLA). */
  criticalVulnSlaDays: number;
  /** CC4-MON-05: accept GuardDuty Runtime Monitoring with full coverage in place of Falco. */
  acceptGuardDutyRuntimeAsFalco: boolean;
  /** CC6-NET-04: security groups for pods are required (false = the organisation relies on NetworkPolicies only: not applicable). */
  requirePodSecurityGroups: boolean;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  versionSupportWarningDays: 90,
  failOnExtendedSupport: true,
  maxClusterAdmins: 3,
  kubeBenchMaxAgeDays: 31,
  trivyCoveragePercent: 95,
  trivyReportMaxAgeDays: 7,
  meshCoveragePercent: 95,
  gitopsCoveragePercent: 90,
  autoscalingCoveragePercent: 50,
  signedImagesPercent: 95,
  logRetentionDays: 365,
  imageScanMaxAgeDays: 30,
  minSecurityMetricFilters: 1,
  criticalVulnSlaDays: 15,
  acceptGuardDutyRuntimeAsFalco: false,
  requirePodSecurityGroups: true,
};

/** The configuration after defaults are applied (from `eks-soc2.yaml`). */
export interface EffectiveConfig {
  systemNamespaces: string[];
  thresholds: Thresholds;
  /** CC5-IAM-04: CIDRs allowed to reach a public API endpoint. Empty = any non-open CIDR list passes. */
  approvedEndpointCidrs: string[];
  /** Optional checklist sections in scope. */
  scope: { serviceMesh: boolean };
  /** Checklist role → real owner (team name, e-mail). */
  owners: Record<string, string>;
  /** P1-IAM-03 / CC5-IAM-03: subjects allowed to hold cluster-admin (names or `kind:name`). */
  clusterAdminAllowlist: string[];
  /** CC3-IMG-04: approved image registries / repository prefixes. */
  approvedRegistries: string[];
  /** P1-INV-01: the EKS clusters the organisation knows of (names or ARNs, globs allowed). Empty = every cluster found is inventoried. */
  knownClusters: string[];
  /**
   * CC8-PIPE-03: namespaces (globs allowed) whose Deployments must be released by an Argo Rollouts
   * Rollout or a Flagger Canary with analysis. Empty = only the existing Rollouts/Canaries are judged.
   */
  progressiveDeliveryNamespaces: string[];
  /** CC9-ENC-04: ELB TLS security policies accepted on HTTPS/TLS listeners (exact names, or a prefix ending in `*`). */
  approvedTlsPolicies: string[];
  /** CC6-NET-04: namespaces whose workloads must each be selected by a SecurityGroupPolicy (empty: at least one policy in use). */
  podSecurityGroupNamespaces: string[];
  /**
   * Exit policy, read by the CLI only (never by a check): warnings outside the system namespaces
   * make `scan` exit 1 (`--fail-on-warn`; `--no-fail-on-warn` overrides). Default false.
   */
  failOnWarn?: boolean;
  /**
   * Run filters, read by the CLI only (README "Filters"; the flags --namespace, --exclude-namespace,
   * --skip-control, --skip-rule replace them): namespace globs, controls and rules to skip.
   */
  filters?: { namespaces?: string[]; excludeNamespaces?: string[]; skipControls?: string[]; skipRules?: string[] };
}

/** CC9-ENC-04 default: ELB policies that negotiate TLS 1.2 or newer only. */
export const DEFAULT_TLS_POLICIES: readonly string[] = [
  'ELBSecurityPolicy-TLS13-1-3-*', 'ELBSecurityPolicy-TLS13-1-2-*', 'ELBSecurityPolicy-TLS-1-2-*', 'ELBSecurityPolicy-FS-1-2-*',
];

export function defaultConfig(): EffectiveConfig {
  return {
    systemNamespaces: [...DEFAULT_SYSTEM_NAMESPACES],
    thresholds: { ...DEFAULT_THRESHOLDS },
    approvedEndpointCidrs: [],
    scope: { serviceMesh: false },
    owners: {},
    clusterAdminAllowlist: [],
    approvedRegistries: [],
    knownClusters: [],
    progressiveDeliveryNamespaces: [],
    approvedTlsPolicies: [...DEFAULT_TLS_POLICIES],
    podSecurityGroupNamespaces: [],
  };
}
