/**
 * CC3 — Risk Assessment: "EKS-Specific Risk Assessment" and "Container Image Security".
 */
import type { AwsFact, CheckContext, ControlDefinition, Evidence, EvidenceRequirement, K8sObject, ResourceRef, ToolReport } from '../model/index.js';
import { IMAGE_SIGHTING, sightingKey } from '../model/index.js';
import type {
  BatchGetRepositoryScanningConfigurationResponse, DescribeImageScanFindingsResponse, DescribeImageSigningStatusResponse,
  DescribeImagesResponse, DescribeRepositoriesResponse, GetAccountSettingResponse, GetRegistryScanningConfigurationResponse,
  GetSigningConfigurationResponse, ImageDetail, ListImageReferrersResponse, Repository,
} from '@aws-sdk/client-ecr';
import type { BatchGetAccountStatusResponse, GetConfigurationResponse, ListCoverageResponse } from '@aws-sdk/client-inspector2';
import type { ListSigningProfilesResponse, SigningProfile } from '@aws-sdk/client-signer';
import type {
  ConfigRule, ConfigurationRecorder, ConfigurationRecorderStatus, DescribeComplianceByConfigRuleResponse,
  DescribeConfigRulesResponse, DescribeConfigurationAggregatorsResponse, DescribeConfigurationRecorderStatusResponse,
  DescribeConfigurationRecordersResponse, DescribeConformancePacksResponse, DescribeDeliveryChannelsResponse,
} from '@aws-sdk/client-config-service';
import type { AwsSecurityFinding, GetFindingsResponse } from '@aws-sdk/client-securityhub';
import { defineControl } from './define.js';
import { aws, k8s, need, WORKLOAD_KEYS } from './lib/keys.js';
import { awsRef, out, toTime } from './lib/aws.js';
import { parseImage } from './lib/pod-security.js';
import { allContainers, arr, containersOf, imagesOf, podTemplate, workloads } from './lib/workloads.js';
import type { Workload } from './lib/workloads.js';
import { matchesSelector } from './lib/selectors.js';
import type { LabelSelector } from './lib/selectors.js';
import { isAvailable } from './lib/addons.js';
import { readFailed, unread } from './lib/read.js';
import { judgeCoverage } from './lib/coverage.js';
import type { CoverageItem } from './lib/coverage.js';
import { deployedAt, openSince, withFirstSight } from './lib/vuln-age.js';
import {
  ageDays, clusterRegion, clusterScope, inRegion, listSome, registryKey, resolveTagDigests, runningImages, wildcardMatch, workloadLabel,
} from './lib/scanners.js';
import type { RunningImage } from './lib/scanners.js';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const lc = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');

// ───────────────────────────── CC3-RA-01 kube-bench ─────────────────────────────

const KUBE_BENCH_PRODUCT = /^arn:aws[\w-]*:securityhub:[\w-]+::product\/aqua-security\/kube-bench$/;
const MANUAL_REASON = 'Test marked as a manual test';

function isKubeBench(o: K8sObject): boolean {
  if ((o.metadata.name ?? '').startsWith('kube-bench')) return true;
  const spec = podTemplate(o)?.spec;
  return spec ? imagesOf(spec).some((i) => parseImage(i).repository.split('/').pop() === 'kube-bench') : false;
}

/** `--benchmark eks-1.5.0` / `--benchmark=eks-1.5.0` in the kube-bench container's command or args. */
export function kubeBenchBenchmark(o: K8sObject): string | undefined {
  const spec = podTemplate(o)?.spec;
  if (!spec) return undefined;
  for (const { c } of containersOf(spec)) {
    const words = [...arr<string>(c.command), ...arr<string>(c.args)].join(' ');
    const m = /--benchmark[= ]+([\w.-]+)/.exec(words);
    if (m) return m[1];
  }
  return undefined;
}

/** Compares `eks-1.5.0`-style benchmark ids; undefined for a non-EKS benchmark. */
export function eksBenchmarkAtLeast(bench: string, min: [number, number, number]): boolean | undefined {
  const m = /^eks-(\d+)\.(\d+)(?:\.(\d+))?$/.exec(bench);
  if (!m) return undefined;
  const v = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}

function lastJobSuccess(job: K8sObject): number | undefined {
  const st = asObj(job.status) ?? {};
  if (num(st.succeeded) >= 1) {
    const t = toTime(st.completionTime);
    if (t !== undefined) return t;
  }
  const complete = arr<Obj>(st.conditions).find((c) => c?.type === 'Complete' && c.status === 'True');
  return complete ? toTime(complete.lastTransitionTime) : undefined;
}

interface KbFinding { checkId: string; benchmark?: string; title: string; created?: number; manual: boolean; id?: string }

/** kube-bench findings imported into Security Hub (ASFF): FAIL and WARN results of the latest run. */
export function kubeBenchFindings(facts: readonly AwsFact[], clusterName: string | undefined): { latest?: number; findings: KbFinding[] } {
  const all: KbFinding[] = [];
  for (const f of facts) {
    for (const x of out<GetFindingsResponse>(f)?.Findings ?? []) {
      const finding = x as AwsSecurityFinding;
      if (!KUBE_BENCH_PRODUCT.test(finding.ProductArn ?? '')) continue;
      if (finding.RecordState === 'ARCHIVED') continue;
      const wf = finding.Workflow?.Status;
      if (wf === 'RESOLVED' || wf === 'SUPPRESSED') continue;
      if (clusterName && (finding.Resources ?? []).length > 0 && !(finding.Resources ?? []).some((r) => (r.Id ?? '').endsWith(`:cluster/${clusterName}`) || r.Id === clusterName)) continue;
      // GeneratorId: <product-arn>/cis-kubernetes-benchmark/<benchmark>/<check id>
      const parts = (finding.GeneratorId ?? '').split('/');
      const checkId = parts.at(-1) || (finding.Title ?? '').split(' ')[0] || '?';
      const benchmark = parts.length >= 3 && parts.at(-3) === 'cis-kubernetes-benchmark' ? parts.at(-2) : undefined;
      all.push({
        checkId, title: finding.Title ?? checkId, created: toTime(finding.CreatedAt ?? finding.UpdatedAt),
        manual: finding.ProductFields?.Reason === MANUAL_REASON, ...(benchmark ? { benchmark } : {}), ...(finding.Id ? { id: finding.Id } : {}),
      });
    }
  }
  if (all.length === 0) return { findings: [] };
  // Every kube-bench run creates new findings (the Id carries the run time): keep the latest run only.
  const latest = Math.max(...all.map((f) => f.created ?? 0));
  const byCheck = new Map<string, KbFinding>();
  for (const f of all) if ((f.created ?? 0) === latest && !byCheck.has(f.checkId)) byCheck.set(f.checkId, f);
  return { latest: latest || undefined, findings: [...byCheck.values()] };
}

/** A kube-bench `--json` report given as a file input (`snapshot.tools`). */
interface KubeBenchReport {
  file: string;
  versions: string[];
  failed: { id: string; desc: string }[];
  /** FAIL count from kube-bench's totals (can exceed the listed results). */
  totalFail: number;
  warned: number;
  passed: number;
}

export function parseKubeBenchReport(t: ToolReport): KubeBenchReport {
  const data = asObj(t.data) ?? {};
  const controls = Array.isArray(data.Controls) ? data.Controls : [];
  const rep: KubeBenchReport = { file: t.file ?? 'kube-bench report', versions: [], failed: [], totalFail: 0, warned: 0, passed: 0 };
  const totals = asObj(data.Totals);
  let summed = 0;
  for (const c of controls) {
    const ctl = asObj(c) ?? {};
    if (typeof ctl.total_fail === 'number') summed += ctl.total_fail;
    const v = str(ctl.version);
    if (v && !rep.versions.includes(v)) rep.versions.push(v);
    for (const test of Array.isArray(ctl.tests) ? ctl.tests : []) {
      for (const r of Array.isArray(asObj(test)?.results) ? (asObj(test)!.results as unknown[]) : []) {
        const res = asObj(r) ?? {};
        const status = str(res.status);
        if (status === 'FAIL' && str(res.type) !== 'manual') rep.failed.push({ id: str(res.test_number) ?? '?', desc: str(res.test_desc) ?? '' });
        else if (status === 'WARN') rep.warned++;
        else if (status === 'PASS') rep.passed++;
      }
    }
  }
  rep.totalFail = Math.max(rep.failed.length, typeof totals?.total_fail === 'number' ? totals.total_fail : summed);
  return rep;
}

function reportKubeBenchFile(rep: KubeBenchReport, ctx: CheckContext): void {
  const ref: ResourceRef = { provider: 'kubernetes', kind: 'KubeBenchReport', name: rep.file };
  if (rep.totalFail === 0) ctx.pass(ref, 'no-failed-checks', `${rep.file}: no failed check (${rep.passed} passed, ${rep.warned} warnings to review)`);
  else {
    const listed = rep.failed.length ? `: ${listSome(rep.failed.map((f) => `${f.id} ${f.desc}`), 8)}` : '';
    const partial = rep.failed.length < rep.totalFail ? ` (${rep.failed.length} listed in the report)` : '';
    ctx.fail(ref, 'no-failed-checks', `${rep.file}: ${rep.totalFail} failed check(s)${partial}${listed}`);
  }
  const eks = rep.versions.filter((v) => /^eks-/.test(v));
  if (eks.length === 0) {
    ctx.fail(ref, 'eks-benchmark', `${rep.file}: benchmark version ${rep.versions.join(', ') || 'unknown'} is not an EKS benchmark (run kube-bench with --benchmark eks-1.8.0)`);
  } else {
    ctx.pass(ref, 'eks-benchmark', `${rep.file}: runs ${eks.join(', ')}`);
    const old = eks.filter((v) => !eksBenchmarkAtLeast(v, [1, 5, 0]));
    if (old.length) ctx.fail(ref, 'benchmark-current', `${rep.file}: runs ${old.join(', ')}; use eks-1.5.0 or newer`);
    else ctx.pass(ref, 'benchmark-current', `${rep.file}: runs ${eks.join(', ')}`);
  }
  ctx.note(`${rep.file} carries no date: the attestation must state when it was produced`);
}

export const CC3_RA_01 = defineControl({
  id: 'CC3-RA-01',
  title: 'The cluster is assessed regularly against the CIS EKS benchmark with kube-bench',
  section: 'CC3',
  under: 'riskAssessment',
  tsc: ['CC7.1', 'CC3.2', 'CC4.1'],
  automation: 'partial',
  severity: 'medium',
  description:
    'Finds kube-bench Jobs and CronJobs (image aquasec/kube-bench or a name starting with kube-bench), kube-bench results imported ' +
    'into Security Hub (--asff) and kube-bench JSON reports given as input. Required: a run completed successfully within the policy ' +
    'window (a stale run fails only when nothing is recent, and only when every source of runs was read), it assessed an EKS ' +
    'benchmark (the generic CIS benchmark checks a self-managed control plane), and the latest results have no failed check, or ' +
    'each is covered by a waiver. Recommended (warnings): kube-bench runs from an active CronJob (finished Jobs are ' +
    'garbage-collected, a CronJob keeps evidence over the audit period) and is pinned to eks-1.5.0 or newer. Manual CIS checks are ' +
    'listed, not failed.',
  requires: [{ anyOf: [k8s('batch/Job'), k8s('batch/CronJob'), 'tool:kube-bench'], what: 'kube-bench runs (Jobs and CronJobs) or a kube-bench JSON report' }],
  optional: [k8s('core/Namespace'), aws('securityhub:GetFindings')],
  rules: {
    'recent-run': {
      title: 'kube-bench completed successfully within the policy window', severity: 'medium', level: 'required',
      basis: 'the checklist item "Conduct regular security assessments using kube-bench"',
      // Any source of runs proves a recent one; a stale run is a failure only when no unread source could hold a recent one.
      evidence: [{ anyOf: [k8s('batch/Job'), k8s('batch/CronJob'), aws('securityhub:GetFindings')], what: 'kube-bench runs (Jobs, CronJobs or their Security Hub import)', alternatives: true }],
    },
    'recurring-schedule': {
      title: 'kube-bench runs from an active CronJob', severity: 'low', level: 'recommended',
      basis: 'beyond the item: recent-run proves each sample; a CronJob is how the evidence stays available over the audit period',
      evidence: [k8s('batch/CronJob')],
    },
    'eks-benchmark': {
      title: 'kube-bench assesses an EKS benchmark, not the generic CIS Kubernetes benchmark', severity: 'medium', level: 'required',
      basis: 'the checklist runs kube-bench\'s job-eks.yaml (the EKS benchmark); the generic benchmark mis-reports on EKS', evidence: [],
    },
    'benchmark-current': {
      title: 'kube-bench is pinned to eks-1.5.0 or newer', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: older or auto-detected benchmark versions still assess EKS', evidence: [],
    },
    'no-failed-checks': {
      title: 'The latest kube-bench run has no failed check (or each has an approved exception)', severity: 'medium', level: 'required',
      basis: 'an assessment whose failures are neither fixed nor accepted is not an operating control (CC4.2; exceptions are waivers)', evidence: [],
    },
  },
  attestation:
    'the latest kube-bench report was reviewed, every FAIL/WARN is fixed or covered by an approved exception, and the benchmark\'s manual checks were assessed',
  remediation: {
    summary:
      'Run kube-bench with the EKS benchmark from a CronJob in a namespace labelled pod-security.kubernetes.io/enforce=privileged ' +
      '(it needs hostPID and hostPath), send results to Security Hub with --asff, and review failures. The Job in job-eks.yaml is ' +
      'named kube-bench (not kube-bench-eks).',
    commands: [
      'kubectl apply -f https://raw.githubusercontent.com/aquasecurity/kube-bench/main/job-eks.yaml',
      'kubectl logs job/kube-bench',
    ],
    manifest: `apiVersion: batch/v1
kind: CronJob
metadata: { name: kube-bench, namespace: kube-bench }   # namespace labelled pod-security.kubernetes.io/enforce: privileged
spec:
  schedule: "0 4 * * 1"
  jobTemplate:
    spec:
      template:
        spec:
          hostPID: true
          restartPolicy: Never
          containers:
            - name: kube-bench
              image: docker.io/aquasec/kube-bench:v0.15.6
              command: ["kube-bench", "run", "--targets", "node", "--benchmark", "eks-1.8.0"]
              volumeMounts:
                - { name: var-lib-kubelet, mountPath: /var/lib/kubelet, readOnly: true }
                - { name: etc-systemd, mountPath: /etc/systemd, readOnly: true }
                - { name: etc-kubernetes, mountPath: /etc/kubernetes, readOnly: true }
          volumes:
            - { name: var-lib-kubelet, hostPath: { path: /var/lib/kubelet } }
            - { name: etc-systemd, hostPath: { path: /etc/systemd } }
            - { name: etc-kubernetes, hostPath: { path: /etc/kubernetes } }`,
  },
  references: [
    { title: 'kube-bench: running on EKS (job-eks.yaml)', url: 'https://github.com/aquasecurity/kube-bench/blob/main/job-eks.yaml' },
    { title: 'kube-bench: AWS Security Hub integration (job-eks-asff.yaml)', url: 'https://github.com/aquasecurity/kube-bench/blob/main/docs/asff.md' },
    { title: 'CIS Amazon EKS Benchmark', url: 'https://www.cisecurity.org/benchmark/kubernetes' },
  ],
  check(ev, ctx) {
    const maxAge = ctx.config.thresholds.kubeBenchMaxAgeDays;
    const cronJobs = ev.objects('batch/CronJob').filter(isKubeBench);
    const jobs = ev.objects('batch/Job').filter(isKubeBench);
    const runs: { obj: K8sObject; last?: number }[] = [];
    for (const cj of cronJobs) {
      const st = asObj(cj.status) ?? {};
      let last = toTime(st.lastSuccessfulTime);
      for (const j of jobs) {
        if (ev.owner(j) !== cj) continue;
        const t = lastJobSuccess(j);
        if (t !== undefined && (last === undefined || t > last)) last = t;
      }
      runs.push({ obj: cj, ...(last !== undefined ? { last } : {}) });
    }
    for (const j of jobs) {
      const owner = ev.owner(j);
      if (owner && cronJobs.includes(owner)) continue;
      const last = lastJobSuccess(j);
      runs.push({ obj: j, ...(last !== undefined ? { last } : {}) });
    }
    const sh = ev.has('aws:securityhub:GetFindings') ? kubeBenchFindings(ev.aws('securityhub:GetFindings'), ctx.clusterName) : { findings: [] as KbFinding[] };

    const reports = ev.state('tool:kube-bench') === 'collected' ? ev.tools('kube-bench').map(parseKubeBenchReport) : [];
    for (const rep of reports) reportKubeBenchFile(rep, ctx);

    if (runs.length === 0 && sh.findings.length === 0 && reports.length === 0) {
      const notRead = (['k8s:batch/Job', 'k8s:batch/CronJob', 'aws:securityhub:GetFindings'] as const).filter((k) => readFailed(ev, k));
      const seen = [
        ev.complete('k8s:batch/Job') && ev.complete('k8s:batch/CronJob') ? 'no kube-bench Job or CronJob in the cluster' : 'no kube-bench Job or CronJob among those read',
        ev.has('aws:securityhub:GetFindings') ? 'no kube-bench results in Security Hub' : undefined,
      ].filter(Boolean).join(' and ');
      ctx.manual(
        `${seen}${notRead.length ? ` (not read: ${notRead.map((k) => unread(ev, k)).join(', ')})` : ''}: upload the latest kube-bench report ` +
        '(kube-bench run --benchmark eks-1.8.0 --json) with an attestation, or schedule the CronJob',
      );
      return;
    }

    // recent-run: one recent successful run is enough; stale leftovers only fail when nothing is recent.
    const isRecent = (t: number | undefined) => t !== undefined && (ctx.now.getTime() - t) / 86_400_000 <= maxAge;
    const anyRecent = runs.some((r) => isRecent(r.last)) || isRecent(sh.latest);
    // A stale run fails only when no recent one can exist outside the input: every Job and CronJob was read.
    const runsWhole = ev.complete('k8s:batch/Job') && ev.complete('k8s:batch/CronJob');
    const notWhole = 'the input may not hold every kube-bench Job and CronJob of the cluster (a recent run may be elsewhere); scan the live cluster or pass --complete-inventory';
    for (const r of runs) {
      const where = `${r.obj.kind} ${r.obj.metadata.namespace ?? ''}/${r.obj.metadata.name ?? ''}`;
      if (isRecent(r.last)) {
        ctx.pass(r.obj, 'recent-run', `${where} last succeeded ${ageDays(r.last, ctx.now)} day(s) ago (window ${maxAge} days)`);
        continue;
      }
      const why = r.last === undefined ? 'has never completed successfully' : `last succeeded ${ageDays(r.last, ctx.now)} days ago (window ${maxAge} days)`;
      const nsLabels = ev.has('k8s:core/Namespace') ? ev.get('core/Namespace', '', r.obj.metadata.namespace ?? '')?.metadata.labels ?? {} : {};
      const enforce = nsLabels['pod-security.kubernetes.io/enforce'];
      const hint = r.last === undefined && (enforce === 'baseline' || enforce === 'restricted')
        ? `; its namespace enforces Pod Security "${enforce}", which rejects kube-bench's hostPID/hostPath pods — run it in a namespace labelled enforce=privileged`
        : '';
      if (anyRecent) ctx.note(`${where} ${why} (another run is recent)`);
      else if (!runsWhole) ctx.unevaluated('recent-run', `${where} ${why}${hint}, but ${notWhole}`, r.obj);
      else ctx.fail(r.obj, 'recent-run', `${where} ${why}${hint}`);
    }
    if (sh.latest !== undefined) {
      const msg = `kube-bench results imported into Security Hub ${ageDays(sh.latest, ctx.now)} day(s) ago`;
      if (isRecent(sh.latest)) ctx.pass(clusterScope(ctx), 'recent-run', msg);
      else if (!anyRecent && !runsWhole) ctx.unevaluated('recent-run', `${msg} (window ${maxAge} days), but ${notWhole}`);
      else if (!anyRecent) ctx.fail(clusterScope(ctx), 'recent-run', `${msg} (window ${maxAge} days)`);
    }

    // recurring-schedule
    const active = cronJobs.filter((cj) => asObj(cj.spec)?.suspend !== true);
    for (const cj of cronJobs) {
      const spec = asObj(cj.spec) ?? {};
      if (spec.suspend === true) ctx.fail(cj, 'recurring-schedule', `CronJob is suspended (schedule "${str(spec.schedule) ?? '?'}")`);
      else ctx.pass(cj, 'recurring-schedule', `runs on schedule "${str(spec.schedule) ?? '?'}"`);
    }
    if (cronJobs.length === 0 && !ev.complete('k8s:batch/CronJob')) {
      if (ev.has('k8s:batch/CronJob')) ctx.unevaluated('recurring-schedule', 'no kube-bench CronJob in the input, which may not hold every CronJob of the cluster; scan the live cluster or pass --complete-inventory');
    } else if (cronJobs.length === 0 && runs.length === 0) {
      // Recommended, on the CronJobs alone: the engine leaves it unevaluated when they were not read.
      ctx.fail(clusterScope(ctx), 'recurring-schedule', 'no kube-bench CronJob: the results found are point-in-time evidence; schedule kube-bench as a CronJob to keep evidence over the audit period');
    } else if (cronJobs.length === 0) {
      ctx.fail(clusterScope(ctx), 'recurring-schedule', 'kube-bench only runs as a one-off Job; finished Jobs are garbage-collected, so schedule it as a CronJob to keep evidence over the audit period');
    } else if (active.length === 0) ctx.note('every kube-bench CronJob is suspended');

    // eks-benchmark (required: an EKS benchmark) and benchmark-current (recommended: pinned, eks-1.5.0 or newer)
    for (const r of runs) {
      const bench = kubeBenchBenchmark(r.obj);
      if (!bench) {
        ctx.pass(r.obj, 'eks-benchmark', 'no --benchmark argument: kube-bench selects the benchmark of the detected platform (an eks-* benchmark on EKS)');
        ctx.fail(r.obj, 'benchmark-current', 'no --benchmark argument: pin --benchmark eks-1.8.0 (or newer) so that runs stay comparable');
        continue;
      }
      const ok = eksBenchmarkAtLeast(bench, [1, 5, 0]);
      if (ok === undefined) {
        ctx.fail(r.obj, 'eks-benchmark', `runs benchmark ${bench}, which is not an EKS benchmark (the generic CIS benchmark checks a self-managed control plane and mis-reports on EKS)`);
        continue;
      }
      ctx.pass(r.obj, 'eks-benchmark', `runs ${bench}`);
      if (!ok) ctx.fail(r.obj, 'benchmark-current', `runs ${bench}; use eks-1.5.0 or newer (eks-1.7.0 and eks-1.8.0 exist)`);
      else ctx.pass(r.obj, 'benchmark-current', `runs ${bench}`);
    }

    // no-failed-checks, from the Security Hub import of the latest run
    if (sh.findings.length > 0) {
      const failed = sh.findings.filter((f) => !f.manual);
      const manual = sh.findings.filter((f) => f.manual);
      const bench = sh.findings.find((f) => f.benchmark)?.benchmark;
      if (runs.length === 0 && bench) {
        const ok = eksBenchmarkAtLeast(bench, [1, 5, 0]);
        if (ok === undefined) ctx.fail(clusterScope(ctx), 'eks-benchmark', `Security Hub results come from benchmark ${bench}, which is not an EKS benchmark`);
        else {
          ctx.pass(clusterScope(ctx), 'eks-benchmark', `Security Hub results come from benchmark ${bench}`);
          if (ok) ctx.pass(clusterScope(ctx), 'benchmark-current', `Security Hub results come from benchmark ${bench}`);
          else ctx.fail(clusterScope(ctx), 'benchmark-current', `Security Hub results come from benchmark ${bench}; use eks-1.5.0 or newer`);
        }
      }
      for (const f of failed) {
        ctx.fail(awsRef('AWS::SecurityHub::Finding', `kube-bench ${f.checkId}`), 'no-failed-checks', `kube-bench ${bench ?? ''} check failed: ${f.title}`.replace('  ', ' '), f.id ? { details: { findingId: f.id } } : undefined);
      }
      if (failed.length === 0) ctx.pass(clusterScope(ctx), 'no-failed-checks', `the latest kube-bench run reported no failed check (${manual.length} manual checks to review)`);
      if (manual.length > 0) ctx.note(`${manual.length} manual CIS checks need a human review: ${listSome(manual.map((m) => m.checkId), 12)}`);
    } else if (reports.length === 0) {
      ctx.note(`${ev.has('aws:securityhub:GetFindings') ? 'kube-bench results are not in Security Hub (run it with --asff)' : `kube-bench results in Security Hub were not read (${unread(ev, 'aws:securityhub:GetFindings')})`}, so the FAIL count of the latest run must be reviewed from the Job log (kubectl logs job/kube-bench) or given as a kube-bench --json report`);
    }
  },
});

// ───────────────────────────── CC3-RA-02 ECR registry scanning ─────────────────────────────

function registryOf(f: AwsFact, registryId: string | undefined): { accountId: string | undefined; region: string | undefined } {
  return { accountId: registryId ?? f.accountId, region: f.region };
}

function reposOf(ev: Evidence, accountId: string | undefined, region: string | undefined): Repository[] | undefined {
  if (!ev.has('aws:ecr:DescribeRepositories')) return undefined;
  const facts = ev.aws('ecr:DescribeRepositories', (f) => inRegion(f, region));
  return facts.flatMap((f) => out<DescribeRepositoriesResponse>(f)?.repositories ?? []).filter((r) => !accountId || !r.registryId || r.registryId === accountId);
}

const INSPECTOR_RESCAN: Record<string, string> = { LIFETIME: 'for the lifetime of the image', DAYS_180: '180 days', DAYS_90: '90 days', DAYS_60: '60 days', DAYS_30: '30 days', DAYS_14: '14 days', DAYS_7: '7 days', DAYS_3: '3 days' };

export const CC3_RA_02 = defineControl({
  id: 'CC3-RA-02',
  title: 'Amazon ECR scans every repository of each registry the cluster pulls from',
  section: 'CC3',
  under: 'riskAssessment',
  tsc: ['CC7.1', 'CC3.2'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required: for each ECR registry (account and region) in the evidence, the registry scanning configuration has a rule that is ' +
    'not MANUAL and whose filters match every repository (filters other than * are checked against the repository list; without ' +
    'it the rule is not evaluated), and enhanced scanning has Amazon Inspector ECR scanning enabled for the account. Recommended ' +
    '(a warning): basic scanning uses the AWS-native engine rather than the legacy Clair one. Running images are mapped to ' +
    'registries from their URIs, so registries the cluster pulls from but whose configuration was not read are named, and images ' +
    'from registries ECR cannot scan (Docker Hub, quay.io, public.ecr.aws) are counted.',
  requires: [need.aws('ecr:GetRegistryScanningConfiguration', 'the ECR registry scanning configuration')],
  optional: [
    aws('ecr:DescribeRepositories'), aws('inspector2:BatchGetAccountStatus'), aws('inspector2:GetConfiguration'), aws('ecr:GetAccountSetting'),
    ...WORKLOAD_KEYS,
  ],
  rules: {
    'registry-scan-rule': {
      title: 'A scan-on-push or continuous rule covers every repository of the registry', severity: 'high', level: 'required',
      basis: 'the checklist item "Implement vulnerability scanning with Amazon ECR scanning"; filters narrower than * are proven to cover every repository only when the repositories were listed',
      evidence: [aws('ecr:GetRegistryScanningConfiguration')],
    },
    'inspector-ecr-enabled': {
      title: 'Enhanced scanning: Amazon Inspector ECR scanning is enabled for the account', severity: 'high', level: 'required',
      basis: 'with enhanced scanning Amazon Inspector does the scanning: switched off, no image is scanned', evidence: [aws('ecr:GetRegistryScanningConfiguration'), aws('inspector2:BatchGetAccountStatus')],
    },
    'basic-scan-engine': {
      title: 'Basic scanning uses the AWS-native engine, not legacy Clair', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: the Clair engine still scans, with an older vulnerability source', evidence: [aws('ecr:GetRegistryScanningConfiguration'), aws('ecr:GetAccountSetting')],
    },
  },
  remediation: {
    summary: 'Turn on enhanced (Inspector) scanning with a registry-wide continuous rule, in every account and region that hosts images the cluster runs.',
    commands: [
      'aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules \'[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]\'',
      'aws inspector2 enable --resource-types ECR',
      'aws ecr put-account-setting --name BASIC_SCAN_TYPE_VERSION --value AWS_NATIVE   # when staying on basic scanning',
    ],
  },
  references: [
    { title: 'Amazon ECR: Scan images for software vulnerabilities', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html' },
    { title: 'Amazon ECR API: GetAccountSetting', url: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAccountSetting.html' },
    { title: 'Amazon Inspector: Scanning Amazon ECR container images', url: 'https://docs.aws.amazon.com/inspector/latest/user/scanning-ecr.html' },
  ],
  check(ev, ctx) {
    const facts = ev.aws('ecr:GetRegistryScanningConfiguration');
    if (facts.length === 0) {
      ctx.error('the registry scanning configuration was read but no registry answered: check the collector output for ecr:GetRegistryScanningConfiguration');
      return;
    }
    const evaluated = new Set<string>();
    for (const f of facts) {
      const o = out<GetRegistryScanningConfigurationResponse>(f) ?? {};
      const { accountId, region } = registryOf(f, o.registryId);
      const key = registryKey(accountId, region);
      if (evaluated.has(key)) continue;
      evaluated.add(key);
      const ref = awsRef('AWS::ECR::RegistryScanningConfiguration', `${accountId ?? '?'} ${region ?? ''}`.trim(), { region, accountId });
      const scanType = o.scanningConfiguration?.scanType ?? 'BASIC';
      const rules = (o.scanningConfiguration?.rules ?? []).filter((r) => r.scanFrequency && r.scanFrequency !== 'MANUAL');
      const filters = rules.flatMap((r) => (r.repositoryFilters ?? []).map((x) => x.filter ?? '')).filter(Boolean);
      const repos = reposOf(ev, accountId, region);
      const freq = [...new Set(rules.map((r) => r.scanFrequency))].join('/');
      if (rules.length === 0) {
        ctx.fail(ref, 'registry-scan-rule', `${scanType} scanning with no scan-on-push or continuous rule: images are only scanned when someone asks`);
      } else if (repos) {
        const uncovered = repos.filter((r) => !filters.some((p) => wildcardMatch(p, r.repositoryName ?? '')));
        if (uncovered.length === 0 && filters.includes('*')) ctx.pass(ref, 'registry-scan-rule', `${scanType} ${freq} rule with the registry-wide filter *`);
        // "Every repository is covered" needs every repository: a Terraform configuration declares some of them.
        else if (uncovered.length === 0 && !ev.complete('aws:ecr:DescribeRepositories')) ctx.unevaluated('registry-scan-rule', `${scanType} ${freq} filters ${filters.join(', ')} cover the ${repos.length} repositories in the input, which holds only the repositories it declares (not the registry's); read them from the account, or use the filter *`, ref);
        else if (uncovered.length === 0) ctx.pass(ref, 'registry-scan-rule', `${scanType} ${freq} rule(s) with filters ${filters.join(', ')} cover all ${repos.length} repositories`);
        else ctx.fail(ref, 'registry-scan-rule', `${scanType} ${freq} filters ${filters.join(', ')} leave ${uncovered.length} of ${repos.length} repositories unscanned: ${listSome(uncovered.map((r) => r.repositoryName ?? '?'))}`, { details: { uncovered: uncovered.map((r) => r.repositoryName ?? '?') } });
      } else if (filters.includes('*')) {
        ctx.pass(ref, 'registry-scan-rule', `${scanType} ${freq} rule with the registry-wide filter *`);
      } else {
        ctx.unevaluated('registry-scan-rule', `${scanType} ${freq} rules cover repositories matching ${filters.join(', ')}; the repositories were not read (${unread(ev, 'aws:ecr:DescribeRepositories')}), so full coverage is not proven (or use the filter *)`, ref);
      }

      if (scanType === 'ENHANCED') {
        if (!ev.has('aws:inspector2:BatchGetAccountStatus')) {
          ctx.unevaluated('inspector-ecr-enabled', `registry ${key} uses enhanced scanning but the Amazon Inspector account status was not read (${unread(ev, 'aws:inspector2:BatchGetAccountStatus')})`, ref);
        } else {
          const states = ev.aws('inspector2:BatchGetAccountStatus', (x) => inRegion(x, region)).flatMap((x) => out<BatchGetAccountStatusResponse>(x)?.accounts ?? []);
          const st = states.find((a) => !accountId || a.accountId === accountId);
          const ecr = st?.resourceState?.ecr?.status;
          const iref = awsRef('AWS::Inspector2::Account', `${accountId ?? '?'} ${region ?? ''}`.trim(), { region, accountId });
          if (ecr === 'ENABLED') ctx.pass(iref, 'inspector-ecr-enabled', 'Amazon Inspector ECR scanning is ENABLED');
          else ctx.fail(iref, 'inspector-ecr-enabled', `registry is set to ENHANCED but Inspector ECR scanning is ${ecr ?? 'not enabled for this account'}: no image is scanned${st?.resourceState?.ecr?.errorMessage ? ` (${st.resourceState.ecr.errorMessage})` : ''}`);
        }
        const conf = ev.has('aws:inspector2:GetConfiguration') ? ev.aws('inspector2:GetConfiguration', (x) => inRegion(x, region)).map((x) => out<GetConfigurationResponse>(x)).find(Boolean) : undefined;
        const dur = conf?.ecrConfiguration?.rescanDurationState?.rescanDuration;
        if (dur) ctx.note(`registry ${key}: Inspector keeps images under continuous scanning ${INSPECTOR_RESCAN[dur] ?? dur} after push (older images become SCAN_ELIGIBILITY_EXPIRED)`);
      } else {
        const setting = ev.has('aws:ecr:GetAccountSetting')
          ? ev.aws('ecr:GetAccountSetting', (x) => inRegion(x, region) && (!accountId || !x.accountId || x.accountId === accountId)).map((x) => out<GetAccountSettingResponse>(x)).find((s) => s?.name === 'BASIC_SCAN_TYPE_VERSION')
          : undefined;
        if (setting?.value === 'CLAIR') ctx.fail(ref, 'basic-scan-engine', 'basic scanning still uses the legacy Clair engine; switch BASIC_SCAN_TYPE_VERSION to AWS_NATIVE');
        else if (setting?.value) ctx.pass(ref, 'basic-scan-engine', `basic scanning uses ${setting.value}`);
        else ctx.unevaluated('basic-scan-engine', `registry ${key}: the basic scanning engine (ecr:GetAccountSetting BASIC_SCAN_TYPE_VERSION) was not read`);
        if (rules.length > 0) ctx.note(`registry ${key}: basic scanning scans on push only; continuous rescanning needs ENHANCED`);
      }
    }

    // Which registries do running images come from?
    const images = runningImages(ev).filter((i) => !ctx.isSystemNamespace(i.workload.namespace));
    if (images.length > 0) {
      const ecrImgs = images.filter((i) => i.ecr);
      const missing = new Map<string, number>();
      for (const i of ecrImgs) {
        const k = registryKey(i.ecr!.accountId, i.ecr!.region);
        if (!evaluated.has(k)) missing.set(k, (missing.get(k) ?? 0) + 1);
      }
      for (const [k, n] of missing) ctx.note(`registry ${k} hosts ${n} running image(s) but its scanning configuration was not read (grant ecr:GetRegistryScanningConfiguration in that account/region)`);
      const other = images.filter((i) => !i.ecr);
      if (other.length > 0) ctx.note(`${ecrImgs.length} of ${images.length} workload images come from private ECR registries; ${other.length} come from registries ECR scanning cannot cover (${listSome(other.map((i) => parseImage(i.image).registry))})`);
    }
  },
});

// ───────────────────────────── CC3-RA-03 Trivy operator ─────────────────────────────

const TRIVY_CRDS = ['vulnerabilityreports.aquasecurity.github.io', 'configauditreports.aquasecurity.github.io', 'exposedsecretreports.aquasecurity.github.io'];

function isTrivyOperator(d: K8sObject): boolean {
  const l = d.metadata.labels ?? {};
  return l['app.kubernetes.io/name'] === 'trivy-operator' || d.metadata.name === 'trivy-operator';
}

interface VulnReport { obj: K8sObject; kind: string; name: string; namespace: string; container: string; updated?: number; created?: number; critical: number; eosl: boolean }

export function vulnerabilityReports(ev: Evidence): VulnReport[] {
  return ev.objects('aquasecurity.github.io/VulnerabilityReport').map((o) => {
    const l = o.metadata.labels ?? {};
    const report = asObj(o.report) ?? {};
    const summary = asObj(report.summary) ?? {};
    return {
      obj: o,
      kind: l['trivy-operator.resource.kind'] ?? '',
      name: l['trivy-operator.resource.name'] ?? '',
      namespace: l['trivy-operator.resource.namespace'] ?? o.metadata.namespace ?? '',
      container: l['trivy-operator.container.name'] ?? '',
      updated: toTime(report.updateTimestamp) ?? toTime(o.metadata.creationTimestamp),
      created: toTime(o.metadata.creationTimestamp),
      critical: num(summary.criticalCount),
      eosl: asObj(report.os)?.eosl === true,
    };
  });
}

/** The reports that describe a workload: Deployments (and Argo Rollouts) are scanned through their ReplicaSets. */
/** Reports of ReplicaSets by namespace: `[ReplicaSet name, its reports]`, for the name-prefix fallback. */
type RsReportsByNs = Map<string, [string, VulnReport[]][]>;

function reportsOfWorkload(w: Workload, byTarget: Map<string, VulnReport[]>, rsByOwner: Map<K8sObject, string[]>, rsReports: RsReportsByNs): VulnReport[] {
  const ns = w.namespace;
  const name = w.obj.metadata.name ?? '';
  const direct = byTarget.get(`${ns}|${w.obj.kind}|${name}`) ?? [];
  if (w.obj.kind !== 'Deployment' && w.obj.kind !== 'Rollout') return direct;
  const rsNames = rsByOwner.get(w.obj) ?? [];
  const out = [...direct];
  if (rsNames.length > 0) for (const rs of rsNames) out.push(...(byTarget.get(`${ns}|ReplicaSet|${rs}`) ?? []));
  else for (const [rs, list] of rsReports.get(ns) ?? []) if (rs.startsWith(`${name}-`)) out.push(...list);
  return out;
}

const REPORTS = k8s('aquasecurity.github.io/VulnerabilityReport');

/** The age of a report's CRITICAL vulnerabilities against the SLA (see lib/vuln-age.ts for the dates used). */
function judgeCriticals(ev: Evidence, ctx: CheckContext, r: VulnReport): void {
  const sla = ctx.config.thresholds.criticalVulnSlaDays;
  if (r.critical === 0) { ctx.pass(r.obj, 'no-critical-past-sla', 'no CRITICAL vulnerabilities'); return; }
  const where = `${r.kind} ${r.name}, container ${r.container}`;
  const now = ctx.now.getTime();
  const deployed = deployedAt(ev, r.obj, r);
  const listed = arr<Obj>(asObj(r.obj.report)?.vulnerabilities).filter((v) => str(v.severity) === 'CRITICAL');
  // First sight in the evidence store (scan --store): of the image, and of each vulnerability in it.
  const key = ctx.firstSeen ? sightingKey(r.obj) : undefined;
  const seen = (vuln: string) => (key ? toTime(ctx.firstSeen!(key.workload, key.image, vuln)) : undefined);
  const imageSeen = seen(IMAGE_SIGHTING);
  // One entry per CRITICAL vulnerability; a summary-only report has a count and no list.
  const vulns = (listed.length > 0 ? listed : [{}]).map((v) => {
    const id = str(v.vulnerabilityID);
    const published = toTime(v.publishedDate);
    const since = withFirstSight(openSince(deployed, published, r.created, now, sla), id ? seen(id) : undefined, imageSeen, published, now, sla);
    return { id, since, days: since ? Math.floor((now - since.time) / 86_400_000) : undefined };
  });
  const ids = vulns.map((v) => v.id).filter((x): x is string => Boolean(x));
  const dated = vulns.filter((v) => v.since !== undefined);
  const oldest = dated.reduce<(typeof dated)[number] | undefined>((a, b) => (!a || b.days! > a.days! ? b : a), undefined);
  const label = (v: (typeof vulns)[number]) => v.id ?? 'the oldest';
  const details = {
    criticals: ids.slice(0, 50),
    ...(oldest ? { oldest: oldest.id ?? '', openSince: new Date(oldest.since!.time).toISOString(), dateSource: oldest.since!.source, ageFrom: oldest.since!.source === 'store' ? 'store' : 'report' } : {}),
  };
  const count = `${r.critical} CRITICAL vulnerabilit${r.critical === 1 ? 'y' : 'ies'}${ids.length ? ` (${listSome(ids, 4)})` : ''}`;
  if (oldest && oldest.days! > sla) {
    ctx.fail(r.obj, 'no-critical-past-sla', `${count} in ${where}: ${label(oldest)} open for at least ${oldest.days} days (SLA ${sla} days), since ${oldest.since!.why}`, { details });
    return;
  }
  const undecided = vulns.filter((v) => !v.since || !v.since.decisive);
  if (undecided.length > 0) {
    const why = !r.created && !deployed ? 'no date at all' : `the only date is ${undecided[0]!.since?.why ?? 'missing'}`;
    const sight = ctx.firstSeen ? '' : '; first sight unknown: scan with --store, so that the evidence store dates each vulnerability from the first run that saw it';
    ctx.unevaluated('no-critical-past-sla', `${count} in ${where}: their age is unknown (${why}); the running image's deployment date (ReplicaSet or pods) and each CVE's publishedDate are needed${sight}`, r.obj);
    return;
  }
  ctx.pass(r.obj, 'no-critical-past-sla', `${count} in ${where}: ${label(oldest!)} open for ${oldest!.days} day(s), within the ${sla}-day SLA, since ${oldest!.since!.why}`, details);
}

export const CC3_RA_03 = defineControl({
  id: 'CC3-RA-03',
  title: 'The Trivy operator continuously scans running workloads for vulnerabilities',
  section: 'CC3',
  under: 'riskAssessment',
  tsc: ['CC7.1', 'CC3.2', 'CC4.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required: the Trivy operator is installed (an available trivy-operator Deployment), a recent VulnerabilityReport exists for the ' +
    'configured share of running non-system workload containers (reports attach to ReplicaSets, so Deployments are mapped through ' +
    'their ReplicaSets), and no report shows a CRITICAL vulnerability open longer than the remediation SLA. The age of a CRITICAL ' +
    'vulnerability is never taken from the report\'s creation alone, which the operator renews every 24 h: it runs from when the image was ' +
    'deployed (the ReplicaSet\'s creation, or the oldest pod running it), or from the CVE\'s publication when that is later, or from ' +
    'the first stored run that showed the vulnerability for that workload\'s image (scan --store) when that is earlier; the finding ' +
    'names the date used and whether it came from the store or the report. A first sight is decisive within the SLA when the store had ' +
    'seen the image without the vulnerability; otherwise, with neither a deployment nor a publication date, an age within the SLA is ' +
    'only a lower bound and is not evaluated. Recommended (a warning): every workload, ' +
    'whatever the ratio, has a recent report for each container. System-namespace workloads and reports are judged and reported ' +
    'separately.',
  requires: [
    need.workloads(),
    need.kind('apps/Deployment', 'Deployments (the Trivy operator)'),
    need.kind('aquasecurity.github.io/VulnerabilityReport', 'Trivy VulnerabilityReports'),
  ],
  optional: [k8s('apiextensions.k8s.io/CustomResourceDefinition'), k8s('core/Namespace')],
  rules: {
    'operator-available': {
      title: 'The Trivy operator is installed and available', severity: 'high', level: 'required',
      basis: 'the checklist item "Deploy Trivy operator for comprehensive vulnerability assessment"', evidence: [k8s('apps/Deployment')],
    },
    'report-coverage': {
      title: 'Running workload containers have a recent vulnerability report (threshold)', severity: 'medium', level: 'required',
      basis: '"comprehensive" assessment: the configured share (trivyCoveragePercent) of workloads is scanned', evidence: [need.workloads(), REPORTS],
    },
    'workload-scanned': {
      title: 'The workload has a recent vulnerability report for each container', severity: 'medium', level: 'recommended',
      basis: 'every workload judged on its own; the threshold rule decides the control', evidence: [REPORTS],
    },
    'no-critical-past-sla': {
      title: 'No CRITICAL vulnerability open longer than the remediation SLA', severity: 'high', level: 'required',
      basis: 'vulnerabilities found are remediated within the policy (criticalVulnSlaDays; CC7.1, CC3.2)', evidence: [REPORTS],
    },
  },
  remediation: {
    summary:
      'Install the operator, give its service account ECR pull permissions (IRSA or Pod Identity) so private images are scanned, and ' +
      'fix or rebuild images with CRITICAL findings within the SLA.',
    commands: [
      'helm repo add aqua https://aquasecurity.github.io/helm-charts/ && helm repo update',
      'helm install trivy-operator aqua/trivy-operator -n trivy-system --create-namespace',
      'kubectl get vulnerabilityreports -A -o wide',
    ],
  },
  references: [
    { title: 'Trivy operator: VulnerabilityReport', url: 'https://aquasecurity.github.io/trivy-operator/latest/docs/crds/vulnerability-report' },
    { title: 'Trivy operator: metrics', url: 'https://aquasecurity.github.io/trivy-operator/latest/tutorials/integrations/metrics/' },
  ],
  check(ev, ctx) {
    const t = ctx.config.thresholds;
    const ops = ev.objects('apps/Deployment').filter(isTrivyOperator);
    const crds = ev.has('k8s:apiextensions.k8s.io/CustomResourceDefinition') ? new Set(ev.objects('apiextensions.k8s.io/CustomResourceDefinition').map((c) => c.metadata.name ?? '')) : undefined;
    const available = ops.find(isAvailable);
    if (available) {
      ctx.pass(clusterScope(ctx), 'operator-available', `Deployment ${available.metadata.namespace}/${available.metadata.name} is available`, { namespace: available.metadata.namespace ?? '', deployment: available.metadata.name ?? '' });
    } else if (ops.length > 0) {
      const d = ops[0]!;
      const st = asObj(d.status) ?? {};
      ctx.fail(clusterScope(ctx), 'operator-available', `Deployment ${d.metadata.namespace}/${d.metadata.name} has ${num(st.availableReplicas)} available replica(s): reports are not being refreshed`);
    } else if (!ev.complete('k8s:apps/Deployment')) {
      // Absence is concluded only from every Deployment of the cluster: a loose set of manifests has Deployments, but not the operator's.
      ctx.unevaluated('operator-available', 'no trivy-operator Deployment in the input, which may not hold every Deployment of the cluster; scan the live cluster or pass --complete-inventory');
    } else {
      const crdNote = crds && TRIVY_CRDS.some((c) => crds.has(c)) ? ' (its CRDs are installed, the operator is not)' : '';
      ctx.fail(clusterScope(ctx), 'operator-available', `no trivy-operator Deployment found${crdNote}`);
    }
    if (crds && ev.complete('k8s:apiextensions.k8s.io/CustomResourceDefinition') && !crds.has(TRIVY_CRDS[0]!) && ops.length > 0) ctx.note('CRD vulnerabilityreports.aquasecurity.github.io is missing: the operator cannot store reports');

    const reports = vulnerabilityReports(ev);
    const byTarget = new Map<string, VulnReport[]>();
    // Reports of ReplicaSets per namespace, so a Deployment without ReplicaSets in the input looks
    // only at its own namespace's (not every report of the cluster per Deployment).
    const rsReports: RsReportsByNs = new Map();
    for (const r of reports) {
      const k = `${r.namespace}|${r.kind}|${r.name}`;
      const list = byTarget.get(k);
      if (list) list.push(r);
      else {
        const fresh = [r];
        byTarget.set(k, fresh);
        if (r.kind === 'ReplicaSet') {
          const inNs = rsReports.get(r.namespace);
          if (inNs) inNs.push([r.name, fresh]);
          else rsReports.set(r.namespace, [[r.name, fresh]]);
        }
      }
    }
    const rsByOwner = new Map<K8sObject, string[]>();
    for (const rs of ev.objects('apps/ReplicaSet')) {
      const o = ev.owner(rs);
      if (!o) continue;
      const names = rsByOwner.get(o);
      if (names) names.push(rs.metadata.name ?? '');
      else rsByOwner.set(o, [rs.metadata.name ?? '']);
    }
    const maxAge = t.trivyReportMaxAgeDays;
    const covered: CoverageItem[] = [];
    const missing: CoverageItem[] = [];
    const unknown: (CoverageItem & { reason: string })[] = [];
    // "No report" for a container needs every report of the cluster; a stale report in the input is a fact.
    const reportsWhole = ev.complete(REPORTS);
    let ecrMissing = 0;
    let ecrTotal = 0;
    const coveredMessage = `every container has a vulnerability report younger than ${maxAge} days`;
    for (const w of workloads(ev)) {
      const system = ctx.isSystemNamespace(w.namespace);
      const mine = reportsOfWorkload(w, byTarget, rsByOwner, rsReports);
      // Init and regular containers (ephemeral ones are not scanned).
      const containers = allContainers(w.spec, false);
      if (containers.length === 0) continue;
      const gaps: string[] = [];
      const unseen: string[] = [];
      for (const c of containers) {
        const name = c.name ?? '';
        const rs = mine.filter((r) => r.container === name || (!r.container && containers.length === 1));
        const fresh = rs.filter((r) => r.updated !== undefined && (ctx.now.getTime() - r.updated) / 86_400_000 <= maxAge);
        const isEcr = !system && typeof c.image === 'string' && /\.dkr\.ecr[.-]/.test(c.image);
        if (isEcr) ecrTotal++;
        if (fresh.length > 0) continue;
        if (rs.length === 0 && !reportsWhole) { unseen.push(name); continue; }
        if (isEcr) ecrMissing++;
        gaps.push(rs.length > 0 ? `${name} (report ${ageDays(Math.max(...rs.map((r) => r.updated ?? 0)), ctx.now)} days old)` : `${name} (no report)`);
      }
      const label = workloadLabel(w);
      if (gaps.length === 0 && unseen.length > 0) unknown.push({ resource: w.obj, label, system, message: '', reason: `no vulnerability report in the input for ${unseen.join(', ')}, which may not hold every VulnerabilityReport of the cluster; scan the live cluster or pass --complete-inventory` });
      else if (gaps.length === 0) covered.push({ resource: w.obj, label, system, message: coveredMessage });
      else missing.push({ resource: w.obj, label, system, message: `not scanned recently: ${gaps.join(', ')}` });
    }
    judgeCoverage(ctx, { rule: 'report-coverage', itemRule: 'workload-scanned', what: 'non-system workloads with recent vulnerability reports', threshold: t.trivyCoveragePercent, covered, missing, unknown });
    if (ecrTotal > 0 && ecrMissing === ecrTotal && covered.some((c) => !c.system)) {
      ctx.note('no container from a private ECR registry has a report while others do: the operator\'s service account probably lacks ECR pull permissions (IRSA/Pod Identity with ecr:GetAuthorizationToken, BatchGetImage); missing reports are not clean results');
    }
    const ns = ev.has('k8s:core/Namespace') && available ? ev.get('core/Namespace', '', available.metadata.namespace ?? '') : undefined;
    const enforce = ns?.metadata.labels?.['pod-security.kubernetes.io/enforce'];
    if (enforce === 'restricted' && missing.length > 0) ctx.note(`namespace ${ns?.metadata.name} enforces Pod Security "restricted": scan jobs run there and may be rejected`);

    for (const r of reports) judgeCriticals(ev, ctx, r);
  },
});

// ───────────────────────────── CC3-RA-04 AWS Config ─────────────────────────────

const CONFIG_REQUIRED_TYPES = ['AWS::EKS::Cluster', 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::VPC', 'AWS::EC2::RouteTable'];
const CONFIG_RECOMMENDED_TYPES = ['AWS::EKS::Addon', 'AWS::EKS::FargateProfile', 'AWS::EKS::IdentityProviderConfig'];

/** An AWS managed Config rule about EKS (including the Security Hub service-linked ones). */
export function isEksConfigRule(r: ConfigRule): boolean {
  const id = r.Source?.SourceIdentifier ?? '';
  return r.Source?.Owner === 'AWS' && (id.startsWith('EKS_') || id.startsWith('GUARDDUTY_EKS_')) ||
    /^securityhub-eks-/i.test(r.ConfigRuleName ?? '');
}

/** Resource types a recorder records, given its recording group: `all`, or the explicit set and what it excludes. */
export function recordedTypes(rec: ConfigurationRecorder): { all: boolean; included: Set<string>; excluded: Set<string> } {
  const g = rec.recordingGroup ?? {};
  const strategy = g.recordingStrategy?.useOnly;
  const excluded = new Set<string>(strategy === 'EXCLUSION_BY_RESOURCE_TYPES' ? (g.exclusionByResourceTypes?.resourceTypes ?? []) : []);
  if (strategy === 'EXCLUSION_BY_RESOURCE_TYPES') return { all: true, included: new Set(), excluded };
  if (strategy === 'INCLUSION_BY_RESOURCE_TYPES' || (g.allSupported === false && (g.resourceTypes ?? []).length > 0)) return { all: false, included: new Set(g.resourceTypes ?? []), excluded };
  return { all: g.allSupported !== false, included: new Set(g.resourceTypes ?? []), excluded };
}

export const CC3_RA_04 = defineControl({
  id: 'CC3-RA-04',
  title: 'AWS Config records the cluster\'s resources and evaluates EKS rules continuously',
  section: 'CC3',
  under: 'riskAssessment',
  tsc: ['CC4.1', 'CC7.1', 'CC8.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required, in the cluster\'s region: a customer-managed AWS Config recorder (not only a service-linked one) is recording ' +
    'successfully, covers the EKS cluster and its network resource types (all supported types, or at least AWS::EKS::Cluster, ' +
    'security groups, subnets, VPCs and route tables, none of them excluded), delivers to a delivery channel, and at least one AWS ' +
    'managed EKS rule (or the EKS conformance pack) is active. Recommended (warnings): the recorder also records EKS add-ons, ' +
    'Fargate profiles and identity provider configurations, and records the EKS and network types continuously rather than daily. ' +
    'The rules\' current compliance is shown as supporting evidence (non-compliance is judged by the controls the rules test).',
  requires: [
    need.aws('config:DescribeConfigurationRecorders', 'the AWS Config recorders'),
    need.aws('config:DescribeConfigurationRecorderStatus', 'the AWS Config recorder status'),
    need.aws('config:DescribeDeliveryChannels', 'the AWS Config delivery channels'),
    need.aws('config:DescribeConfigRules', 'the AWS Config rules'),
  ],
  optional: [aws('config:DescribeConformancePacks'), aws('config:DescribeComplianceByConfigRule'), aws('config:DescribeConfigurationAggregators'), aws('eks:DescribeCluster')],
  rules: {
    'recorder-recording': {
      title: 'A customer-managed recorder is recording and its last delivery succeeded', severity: 'high', level: 'required',
      basis: 'the checklist item "Configure AWS Config for continuous compliance monitoring"',
      evidence: [aws('config:DescribeConfigurationRecorders'), aws('config:DescribeConfigurationRecorderStatus')],
    },
    'recorder-scope': {
      title: 'The recorder covers the EKS cluster and its network resource types', severity: 'high', level: 'required',
      basis: 'monitoring the cluster\'s compliance needs its configuration recorded (CC7.1 change detection, CC8.1 baseline)', evidence: [aws('config:DescribeConfigurationRecorders')],
    },
    'recorder-extra-types': {
      title: 'The recorder also records EKS add-ons, Fargate profiles and identity provider configurations', severity: 'low', level: 'recommended',
      basis: 'beyond the item: the cluster and its network types are the required scope', evidence: [aws('config:DescribeConfigurationRecorders')],
    },
    'recording-continuous': {
      title: 'The EKS and network resource types are recorded continuously, not daily', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: daily recording still records every change, up to a day late', evidence: [aws('config:DescribeConfigurationRecorders')],
    },
    'delivery-channel': {
      title: 'A delivery channel is configured', severity: 'medium', level: 'required',
      basis: 'configuration history and snapshots reach no one without it (evidence over the audit period)', evidence: [aws('config:DescribeDeliveryChannels')],
    },
    'eks-rules': {
      title: 'At least one active AWS managed EKS rule or the EKS conformance pack', severity: 'medium', level: 'required',
      basis: '"continuous compliance monitoring": rules evaluate the recorded configuration',
      evidence: [{ anyOf: [aws('config:DescribeConfigRules'), aws('config:DescribeConformancePacks')], what: 'AWS Config rules or conformance packs', alternatives: true }],
    },
  },
  remediation: {
    summary: 'Record all supported resource types (or at least the EKS and VPC types) in the cluster\'s region and deploy the "Security Best Practices for EKS" conformance pack.',
    commands: [
      'aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=$CONFIG_ROLE_ARN --recording-group allSupported=true,includeGlobalResourceTypes=true',
      'aws configservice start-configuration-recorder --configuration-recorder-name default',
      'aws configservice put-conformance-pack --conformance-pack-name Security-Best-Practices-for-EKS --template-s3-uri s3://$BUCKET/Security-Best-Practices-for-EKS.yaml',
    ],
  },
  references: [
    { title: 'AWS Config: Security Best Practices for EKS conformance pack', url: 'https://docs.aws.amazon.com/config/latest/developerguide/security-best-practices-for-EKS.html' },
    { title: 'AWS Config rule eks-cluster-secrets-encrypted', url: 'https://docs.aws.amazon.com/config/latest/developerguide/eks-cluster-secrets-encrypted.html' },
    { title: 'AWS Config rule eks-endpoint-no-public-access', url: 'https://docs.aws.amazon.com/config/latest/developerguide/eks-endpoint-no-public-access.html' },
    { title: 'AWS Config rule guardduty-eks-protection-runtime-enabled', url: 'https://docs.aws.amazon.com/config/latest/developerguide/guardduty-eks-protection-runtime-enabled.html' },
  ],
  check(ev, ctx) {
    const { region, accountId } = clusterRegion(ev, ctx.clusterName);
    const here = (f: AwsFact) => inRegion(f, region);
    const recorders = ev.aws('config:DescribeConfigurationRecorders', here).flatMap((f) => (out<DescribeConfigurationRecordersResponse>(f)?.ConfigurationRecorders ?? []).map((r) => ({ r, f })));
    const statuses: ConfigurationRecorderStatus[] = ev.aws('config:DescribeConfigurationRecorderStatus', here).flatMap((f) => out<DescribeConfigurationRecorderStatusResponse>(f)?.ConfigurationRecordersStatus ?? []);
    const regionLabel = region ?? recorders[0]?.f.region ?? '';
    const regionRef = (kind: string, name: string) => awsRef(kind, name, { region: regionLabel || undefined, accountId });

    const customer = recorders.filter(({ r }) => !r.servicePrincipal);
    // A Terraform configuration declares some recorders, channels and rules, not the account's: absence needs the account's answer.
    const declaredOnly = (what: string) => `no ${what} in the input, which holds only those it declares (not the account's); read them from the account`;
    if (customer.length === 0 && ev.has('aws:config:DescribeConfigurationRecorders') && !ev.complete('aws:config:DescribeConfigurationRecorders')) {
      ctx.unevaluated('recorder-recording', declaredOnly('customer-managed AWS Config recorder'));
    } else if (customer.length === 0 && ev.has('aws:config:DescribeConfigurationRecorders')) {
      const linked = recorders.map(({ r }) => r.name ?? '?');
      ctx.fail(regionRef('AWS::Config::ConfigurationRecorder', regionLabel || 'recorder'), 'recorder-recording',
        linked.length > 0 ? `only service-linked recorder(s) (${linked.join(', ')}) in ${regionLabel || 'the region'}: they record for one AWS service, not for your compliance monitoring` : `no AWS Config recorder in ${regionLabel || 'the region'}`);
    }
    for (const { r, f } of customer) {
      const ref = awsRef('AWS::Config::ConfigurationRecorder', r.name ?? 'default', { arn: r.arn, region: f.region, accountId: f.accountId });
      const st = statuses.find((s) => s.name === r.name);
      if (!ev.has('aws:config:DescribeConfigurationRecorderStatus')) ctx.unevaluated('recorder-recording', 'the recorder status was not read', ref);
      else if (!st && !ev.complete('aws:config:DescribeConfigurationRecorderStatus')) ctx.unevaluated('recorder-recording', declaredOnly('status for this recorder'), ref);
      else if (!st) ctx.fail(ref, 'recorder-recording', 'no status for this recorder: it has never been started');
      else if (st.recording !== true) ctx.fail(ref, 'recorder-recording', `recorder is stopped${st.lastStopTime ? ` since ${String(st.lastStopTime).slice(0, 10)}` : ''}`);
      else if (st.lastStatus === 'Failure') ctx.fail(ref, 'recorder-recording', `recording, but the last delivery failed: ${st.lastErrorCode ?? ''} ${st.lastErrorMessage ?? ''}`.trim());
      else if (st.lastStatus === 'Pending') ctx.fail(ref, 'recorder-recording', 'recording, first delivery still pending', { severity: 'low' });
      else ctx.pass(ref, 'recorder-recording', `recording, last status ${st.lastStatus ?? 'Success'}`);

      const types = recordedTypes(r);
      const missing = CONFIG_REQUIRED_TYPES.filter((t) => (types.all ? types.excluded.has(t) : !types.included.has(t)));
      const missingRec = CONFIG_RECOMMENDED_TYPES.filter((t) => (types.all ? types.excluded.has(t) : !types.included.has(t)));
      if (missing.length > 0) {
        ctx.fail(ref, 'recorder-scope', `${types.all ? 'excludes' : 'does not record'} ${missing.join(', ')}: changes to the cluster or its network are not tracked`);
      } else {
        ctx.pass(ref, 'recorder-scope', types.all ? `records all supported resource types${types.excluded.size ? ` except ${[...types.excluded].join(', ')}` : ''}` : `records ${types.included.size} resource types including the EKS and VPC types`);
      }
      if (missingRec.length > 0) ctx.fail(ref, 'recorder-extra-types', `does not record ${missingRec.join(', ')}`);
      else ctx.pass(ref, 'recorder-extra-types', 'records the EKS add-on, Fargate profile and identity provider types');
      const daily = r.recordingMode?.recordingFrequency === 'DAILY' || (r.recordingMode?.recordingModeOverrides ?? []).some((o) => o.recordingFrequency === 'DAILY' && (o.resourceTypes ?? []).some((t) => CONFIG_REQUIRED_TYPES.includes(t)));
      if (daily) ctx.fail(ref, 'recording-continuous', 'daily recording frequency for EKS/VPC types delays change detection by up to a day; use CONTINUOUS');
      else ctx.pass(ref, 'recording-continuous', 'the EKS and network types are recorded continuously');
    }

    const channels = ev.aws('config:DescribeDeliveryChannels', here).flatMap((f) => out<DescribeDeliveryChannelsResponse>(f)?.DeliveryChannels ?? []);
    if (channels.length > 0) for (const c of channels) ctx.pass(regionRef('AWS::Config::DeliveryChannel', c.name ?? 'default'), 'delivery-channel', `delivers to s3://${c.s3BucketName ?? '?'}${c.s3KeyPrefix ? `/${c.s3KeyPrefix}` : ''}`);
    else if (ev.has('aws:config:DescribeDeliveryChannels') && !ev.complete('aws:config:DescribeDeliveryChannels')) ctx.unevaluated('delivery-channel', declaredOnly('delivery channel'));
    else if (ev.has('aws:config:DescribeDeliveryChannels')) ctx.fail(regionRef('AWS::Config::DeliveryChannel', regionLabel || 'delivery-channel'), 'delivery-channel', 'no delivery channel: configuration history and snapshots are not delivered');

    const rules = ev.aws('config:DescribeConfigRules', here).flatMap((f) => out<DescribeConfigRulesResponse>(f)?.ConfigRules ?? []);
    const eks = rules.filter(isEksConfigRule);
    const activeEks = eks.filter((r) => (r.ConfigRuleState ?? 'ACTIVE') === 'ACTIVE');
    const packs = ev.has('aws:config:DescribeConformancePacks') ? ev.aws('config:DescribeConformancePacks', here).flatMap((f) => out<DescribeConformancePacksResponse>(f)?.ConformancePackDetails ?? []) : [];
    const eksPack = packs.find((p) => /eks/i.test(p.ConformancePackName ?? ''));
    const compliance = new Map<string, string>();
    if (ev.has('aws:config:DescribeComplianceByConfigRule')) {
      for (const f of ev.aws('config:DescribeComplianceByConfigRule', here)) for (const c of out<DescribeComplianceByConfigRuleResponse>(f)?.ComplianceByConfigRules ?? []) if (c.ConfigRuleName) compliance.set(c.ConfigRuleName, c.Compliance?.ComplianceType ?? 'INSUFFICIENT_DATA');
    }
    for (const r of activeEks) {
      const c = compliance.get(r.ConfigRuleName ?? '');
      ctx.pass(awsRef('AWS::Config::ConfigRule', r.ConfigRuleName ?? '?', { arn: r.ConfigRuleArn, region: regionLabel || undefined, accountId }), 'eks-rules',
        `${r.Source?.SourceIdentifier ?? 'rule'} is active${c ? `; current compliance ${c}` : ''}${r.CreatedBy ? ` (created by ${r.CreatedBy})` : ''}`);
    }
    if (activeEks.length === 0) {
      if (eksPack) ctx.pass(awsRef('AWS::Config::ConformancePack', eksPack.ConformancePackName ?? '?', { arn: eksPack.ConformancePackArn, region: regionLabel || undefined }), 'eks-rules', 'EKS conformance pack deployed');
      else if (!ev.has('aws:config:DescribeConfigRules')) ctx.unevaluated('eks-rules', `no EKS conformance pack, and the Config rules were not read (${unread(ev, 'aws:config:DescribeConfigRules')})`);
      else if (!ev.complete('aws:config:DescribeConfigRules')) ctx.unevaluated('eks-rules', declaredOnly('active AWS managed EKS rule'));
      else ctx.fail(regionRef('AWS::Config::ConfigRule', regionLabel || 'rules'), 'eks-rules', `${eks.length > 0 ? `${eks.length} EKS rule(s) exist but none is ACTIVE` : `no AWS managed EKS rule among ${rules.length} Config rules (e.g. EKS_CLUSTER_LOG_ENABLED, EKS_ENDPOINT_NO_PUBLIC_ACCESS, EKS_CLUSTER_SECRETS_ENCRYPTED)`}${ev.has('aws:config:DescribeConformancePacks') ? ' and no EKS conformance pack' : ''}`);
    }
    const nonCompliant = activeEks.filter((r) => compliance.get(r.ConfigRuleName ?? '') === 'NON_COMPLIANT').map((r) => r.ConfigRuleName ?? '?');
    if (nonCompliant.length > 0) ctx.note(`EKS rules currently NON_COMPLIANT (judged by the specific controls, not here): ${nonCompliant.join(', ')}`);
    if (ev.has('aws:config:DescribeConfigurationAggregators')) {
      const aggs = ev.aws('config:DescribeConfigurationAggregators').flatMap((f) => out<DescribeConfigurationAggregatorsResponse>(f)?.ConfigurationAggregators ?? []);
      if (aggs.length > 0) ctx.note(`aggregated by ${aggs.map((a) => a.ConfigurationAggregatorName ?? '?').join(', ')}${aggs.some((a) => a.OrganizationAggregationSource) ? ' (organization-wide)' : ''}`);
    }
  },
});

// ───────────────────────────── CC3-IMG-01 ECR scanning of repositories and running images ─────────────────────────────

interface ImageMatch { detail?: ImageDetail; fact?: AwsFact }

/** The DescribeImages detail of a running ECR image, by digest (preferred) or tag. */
function findImageDetail(facts: readonly AwsFact[], img: RunningImage): ImageMatch {
  const e = img.ecr!;
  for (const f of facts) {
    if (f.region && f.region !== e.region) continue;
    for (const d of out<DescribeImagesResponse>(f)?.imageDetails ?? []) {
      if (d.repositoryName !== e.repository) continue;
      if (d.registryId && d.registryId !== e.accountId) continue;
      if (img.digests.length > 0 ? img.digests.includes((d.imageDigest ?? '').toLowerCase()) : img.tag !== undefined && (d.imageTags ?? []).includes(img.tag)) return { detail: d, fact: f };
    }
  }
  return {};
}

const ECR_ACCOUNT_OF_EKS = /^(602401143452|800184023465|558608220178|900612956339|296578399912|936069915134|151742754352|013241004608)$/;

export const CC3_IMG_01 = defineControl({
  id: 'CC3-IMG-01',
  title: 'Every ECR repository is scanned and every running ECR image has a recent clean scan',
  section: 'CC3',
  under: 'imageSecurity',
  tsc: ['CC7.1', 'CC6.8'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required: each ECR repository has an effective scan frequency of SCAN_ON_PUSH or CONTINUOUS_SCAN from the registry\'s filters ' +
    '(the legacy repository-level scanOnPush flag does not decide). Each image running in the cluster from a private ECR registry — ' +
    'tags resolved to digests through the pods\' container statuses — has a COMPLETE or ACTIVE scan (no older than the maximum age ' +
    'under enhanced scanning) and no CRITICAL finding open longer than the remediation SLA: the age runs from Inspector\'s ' +
    'firstObservedAt, else from the completion of the scan that found it. Unsupported images and expired scan eligibility are not ' +
    'passes; a scan still in progress, an image whose scan status is not in the evidence and a CRITICAL of unknown age are not ' +
    'evaluated. Images from Amazon EKS\'s own registries and system-namespace images are reported separately.',
  requires: [
    need.aws('ecr:DescribeRepositories', 'the ECR repositories'),
    need.aws('ecr:BatchGetRepositoryScanningConfiguration', 'the effective scanning configuration of each repository'),
    need.workloads(),
    need.aws('ecr:DescribeImages', 'the scan status of running ECR images'),
  ],
  optional: [aws('ecr:DescribeImageScanFindings'), aws('inspector2:ListCoverage')],
  rules: {
    'repository-scan-frequency': {
      title: 'The repository is scanned on push or continuously', severity: 'high', level: 'required',
      basis: 'the checklist item "Enable ECR vulnerability scanning on all repositories"',
      evidence: [aws('ecr:DescribeRepositories'), aws('ecr:BatchGetRepositoryScanningConfiguration')],
    },
    'running-image-scanned': {
      title: 'The running image has a completed, recent scan', severity: 'high', level: 'required',
      basis: 'scanning that does not reach the images that run proves nothing about them (CC7.1 vulnerability scans)', evidence: [aws('ecr:DescribeImages')],
    },
    'no-critical-past-sla': {
      title: 'The running image has no CRITICAL finding older than the SLA', severity: 'high', level: 'required',
      basis: 'vulnerabilities found are remediated within the policy (criticalVulnSlaDays; CC7.1)', evidence: [aws('ecr:DescribeImages')],
    },
  },
  remediation: {
    summary: 'Apply a registry-wide scanning rule (CC3-RA-02), rebuild images whose scan is unsupported or expired, and patch CRITICAL findings within the SLA.',
    commands: [
      'aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules \'[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]\'',
      'aws ecr describe-image-scan-findings --repository-name $REPO --image-id imageDigest=$DIGEST',
    ],
  },
  references: [
    { title: 'Amazon ECR: enhanced scanning', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html' },
    { title: 'Amazon ECR: image scanning', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html' },
  ],
  check(ev, ctx) {
    const t = ctx.config.thresholds;
    // Repositories and their effective scanning configuration.
    const cfgs = ev.aws('ecr:BatchGetRepositoryScanningConfiguration').flatMap((f) => (out<BatchGetRepositoryScanningConfigurationResponse>(f)?.scanningConfigurations ?? []).map((c) => ({ c, f })));
    const failures = ev.aws('ecr:BatchGetRepositoryScanningConfiguration').flatMap((f) => out<BatchGetRepositoryScanningConfigurationResponse>(f)?.failures ?? []);
    let repoCount = 0;
    for (const f of ev.aws('ecr:DescribeRepositories')) {
      for (const r of out<DescribeRepositoriesResponse>(f)?.repositories ?? []) {
        repoCount++;
        const ref = awsRef('AWS::ECR::Repository', r.repositoryName ?? '?', { arn: r.repositoryArn, region: f.region, accountId: r.registryId ?? f.accountId });
        const c = cfgs.find(({ c: x, f: g }) => (x.repositoryArn && x.repositoryArn === r.repositoryArn) || (x.repositoryName === r.repositoryName && (!g.region || !f.region || g.region === f.region)))?.c;
        if (!c) {
          const fail = failures.find((x) => x.repositoryName === r.repositoryName);
          ctx.unevaluated('repository-scan-frequency', `no effective scanning configuration in the evidence${fail ? ` (${fail.failureCode}: ${fail.failureReason})` : ''}`, ref);
          continue;
        }
        const legacy = r.imageScanningConfiguration?.scanOnPush === true ? ' (the legacy repository-level scanOnPush flag is set, but the registry configuration decides)' : '';
        if ((c.scanFrequency === 'SCAN_ON_PUSH' || c.scanFrequency === 'CONTINUOUS_SCAN') && (c.appliedScanFilters ?? []).length > 0) {
          ctx.pass(ref, 'repository-scan-frequency', `${c.scanFrequency} (filter ${(c.appliedScanFilters ?? []).map((x) => x.filter).join(', ')})`);
        } else {
          ctx.fail(ref, 'repository-scan-frequency', `effective scan frequency ${c.scanFrequency ?? 'MANUAL'}, no registry filter matches this repository${legacy}`);
        }
      }
    }
    if (repoCount === 0) ctx.note('no ECR repository in the evidence');

    // Running images from private ECR registries.
    const imgFacts = ev.aws('ecr:DescribeImages');
    const coverage = ev.has('aws:inspector2:ListCoverage') ? ev.aws('inspector2:ListCoverage').flatMap((f) => out<ListCoverageResponse>(f)?.coveredResources ?? []) : [];
    const findingFacts = ev.has('aws:ecr:DescribeImageScanFindings') ? ev.aws('ecr:DescribeImageScanFindings') : [];
    let nonEcr = 0;
    const seen = new Set<string>();
    for (const img of runningImages(ev)) {
      const ecr = img.ecr;
      if (!ecr) { if (!ctx.isSystemNamespace(img.workload.namespace)) nonEcr++; continue; }
      const dedupe = `${img.workload.obj.metadata.uid ?? workloadLabel(img.workload)}|${img.image}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const label = `${img.container}: ${img.image}`;
      if (ECR_ACCOUNT_OF_EKS.test(ecr.accountId)) {
        // Amazon EKS's own images (VPC CNI, kube-proxy, CoreDNS, add-ons): AWS scans them, not this account's ECR.
        ctx.report({ rule: 'running-image-scanned', status: 'not-applicable', resource: img.workload.obj, message: `${label}: an Amazon EKS image from AWS's registry ${ecr.accountId}, outside this account's ECR scanning` });
        continue;
      }
      const { detail } = findImageDetail(imgFacts, img);
      if (!detail) {
        const cov = img.digests.length > 0 ? coverage.find((c) => c.resourceType === 'AWS_ECR_CONTAINER_IMAGE' && img.digests.some((d) => (c.resourceId ?? '').endsWith(`/${d}`)) && (c.resourceId ?? '').includes(`repository/${ecr.repository}/`)) : undefined;
        if (cov) {
          const active = cov.scanStatus?.statusCode === 'ACTIVE';
          const age = ageDays(cov.lastScannedAt, ctx.now);
          if (active && (age === undefined || age <= t.imageScanMaxAgeDays)) ctx.pass(img.workload.obj, 'running-image-scanned', `${label}: Inspector coverage ACTIVE${age !== undefined ? `, last scanned ${age} day(s) ago` : ''}`);
          else ctx.fail(img.workload.obj, 'running-image-scanned', `${label}: Inspector coverage ${cov.scanStatus?.statusCode ?? '?'} (${cov.scanStatus?.reason ?? `last scan ${age} days ago`})`);
        } else {
          const why = `${label}: no scan status in the evidence (${ev.has('aws:ecr:DescribeImages') ? `the image was deleted from the repository, or its registry ${ecr.accountId}/${ecr.region} was not read` : `not read: ${unread(ev, 'aws:ecr:DescribeImages')}`})`;
          ctx.unevaluated('running-image-scanned', why, img.workload.obj);
          ctx.unevaluated('no-critical-past-sla', why, img.workload.obj);
        }
        continue;
      }
      const status = detail.imageScanStatus?.status ?? 'NONE';
      const summary = detail.imageScanFindingsSummary ?? {};
      const scanned = toTime(summary.imageScanCompletedAt);
      const age = ageDays(scanned, ctx.now);
      const enhanced = status === 'ACTIVE' || cfgs.some(({ c }) => c.repositoryName === ecr.repository && c.scanFrequency === 'CONTINUOUS_SCAN');
      const digest = detail.imageDigest ?? img.digests[0] ?? '';
      const desc = detail.imageScanStatus?.description ? ` (${detail.imageScanStatus.description})` : '';
      if (status === 'COMPLETE' || status === 'ACTIVE') {
        if (enhanced && age !== undefined && age > t.imageScanMaxAgeDays) ctx.fail(img.workload.obj, 'running-image-scanned', `${label}: last scan ${age} days ago (maximum ${t.imageScanMaxAgeDays})`);
        else ctx.pass(img.workload.obj, 'running-image-scanned', `${label}: scan ${status}${age !== undefined ? `, ${age} day(s) old` : ''}`);
      } else if (status === 'UNSUPPORTED_IMAGE') {
        ctx.fail(img.workload.obj, 'running-image-scanned', `${label}: ECR cannot scan this image (UNSUPPORTED_IMAGE${desc}); cover it with the Trivy operator (CC3-RA-03)`, { severity: 'medium' });
      } else if (status === 'SCAN_ELIGIBILITY_EXPIRED') {
        ctx.fail(img.workload.obj, 'running-image-scanned', `${label}: SCAN_ELIGIBILITY_EXPIRED — older than the Inspector rescan duration, no longer rescanned for new CVEs; rebuild/re-push or extend the duration`);
      } else if (status === 'IN_PROGRESS' || status === 'PENDING') {
        ctx.unevaluated('running-image-scanned', `${label}: scan ${status}, its result is not known yet; re-check later`, img.workload.obj);
      } else {
        ctx.fail(img.workload.obj, 'running-image-scanned', `${label}: scan status ${status}${desc}`);
      }

      const critical = summary.findingSeverityCounts?.CRITICAL ?? 0;
      if (status !== 'COMPLETE' && status !== 'ACTIVE') continue;
      if (critical === 0) { ctx.pass(img.workload.obj, 'no-critical-past-sla', `${label}: no CRITICAL findings`); continue; }
      // Age of the oldest CRITICAL finding: Inspector's firstObservedAt (enhanced scanning), else the scan that found it
      // (a basic scan runs on push and is not repeated, so its completion is when the finding was first known).
      const fs = findingFacts.map((f) => out<DescribeImageScanFindingsResponse>(f)).find((f) => f?.repositoryName === ecr.repository && (f.imageId?.imageDigest ?? '') === digest);
      const firstSeen = (fs?.imageScanFindings?.enhancedFindings ?? []).filter((x) => x.severity === 'CRITICAL').map((x) => toTime(x.firstObservedAt)).filter((x): x is number => x !== undefined);
      const sla = t.criticalVulnSlaDays;
      if (firstSeen.length > 0) {
        const oldest = ageDays(Math.min(...firstSeen), ctx.now)!;
        if (oldest <= sla) ctx.pass(img.workload.obj, 'no-critical-past-sla', `${label}: ${critical} CRITICAL finding(s), oldest first observed ${oldest} day(s) ago (SLA ${sla} days)`);
        else ctx.fail(img.workload.obj, 'no-critical-past-sla', `${label}: ${critical} CRITICAL finding(s), oldest open for ${oldest} days since Inspector first observed it (SLA ${sla} days)`);
      } else if (!enhanced && scanned !== undefined) {
        if (age! <= sla) ctx.pass(img.workload.obj, 'no-critical-past-sla', `${label}: ${critical} CRITICAL finding(s) found by the basic scan ${age} day(s) ago (SLA ${sla} days)`);
        else ctx.fail(img.workload.obj, 'no-critical-past-sla', `${label}: ${critical} CRITICAL finding(s) known since the basic scan ${age} days ago (SLA ${sla} days)`);
      } else if (enhanced && age !== undefined && age > sla) {
        // Continuous scanning renews imageScanCompletedAt: a lower bound, decisive only beyond the SLA.
        ctx.fail(img.workload.obj, 'no-critical-past-sla', `${label}: ${critical} CRITICAL finding(s) open at least since the last scan ${age} days ago (SLA ${sla} days)`);
      } else {
        ctx.unevaluated('no-critical-past-sla', `${label}: ${critical} CRITICAL finding(s) of unknown age (collect ecr:DescribeImageScanFindings for Inspector's firstObservedAt to apply the ${sla}-day SLA)`, img.workload.obj);
      }
    }
    if (nonEcr > 0) ctx.note(`${nonEcr} workload container image(s) come from outside private ECR and are not covered by ECR scanning (see CC3-RA-03 for Trivy coverage)`);
  },
});

// ───────────────────────────── CC3-IMG-02 image signing ─────────────────────────────

const NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature';

/** Signatures of running images: ECR managed-signing status or OCI referrers; either proves a signature. */
const SIGNATURES: EvidenceRequirement = {
  anyOf: [aws('ecr:DescribeImageSigningStatus'), aws('ecr:ListImageReferrers')], what: 'the signing status or signature referrers of running ECR images', alternatives: true,
};

type Signed = { state: 'signed' | 'failed' | 'pending' | 'unsigned' | 'unknown'; why: string };

function signatureOf(ev: Evidence, img: RunningImage, profiles: Map<string, SigningProfile>): Signed {
  const e = img.ecr!;
  const sameImage = (repo: string | undefined, registry: string | undefined, region: string | undefined, digest: string | undefined, tag: string | undefined) =>
    repo === e.repository && (!registry || registry === e.accountId) && (!region || region === e.region) &&
    (img.digests.length > 0 ? digest !== undefined && img.digests.includes(digest.toLowerCase()) : tag !== undefined && tag === img.tag);
  const statuses = ev.has('aws:ecr:DescribeImageSigningStatus')
    ? ev.aws('ecr:DescribeImageSigningStatus').map((f) => ({ f, o: out<DescribeImageSigningStatusResponse>(f) }))
      .filter(({ f, o }) => o && sameImage(o.repositoryName ?? str(f.params?.repositoryName), o.registryId, f.region, o.imageId?.imageDigest ?? str(asObj(f.params?.imageId)?.imageDigest), o.imageId?.imageTag ?? str(asObj(f.params?.imageId)?.imageTag)))
      .flatMap(({ o }) => o!.signingStatuses ?? [])
    : [];
  const referrers = ev.has('aws:ecr:ListImageReferrers')
    ? ev.aws('ecr:ListImageReferrers').filter((f) => sameImage(str(f.params?.repositoryName), str(f.params?.registryId), f.region, str(asObj(f.params?.subjectId)?.imageDigest), undefined))
    : [];
  const complete = statuses.filter((s) => s.status === 'COMPLETE');
  const good = complete.filter((s) => {
    const p = profiles.get(s.signingProfileArn ?? '');
    return !p || p.status === 'Active';
  });
  if (good.length > 0) return { state: 'signed', why: `managed signing COMPLETE with ${good.map((s) => (s.signingProfileArn ?? '').split('/').pop()).join(', ')}` };
  const notation = referrers.flatMap((f) => out<ListImageReferrersResponse>(f)?.referrers ?? []).filter((r) => r.artifactType === NOTARY_SIGNATURE && (r.artifactStatus ?? 'ACTIVE') === 'ACTIVE');
  if (notation.length > 0) return { state: 'signed', why: `${notation.length} Notation signature(s) attached (referrers API)` };
  const failed = statuses.find((s) => s.status === 'FAILED');
  if (failed) return { state: 'failed', why: `managed signing FAILED: ${failed.failureCode ?? ''} ${failed.failureReason ?? ''}`.trim() };
  if (complete.length > 0) return { state: 'unsigned', why: `signed only with revoked/cancelled profile(s) ${complete.map((s) => (s.signingProfileArn ?? '').split('/').pop()).join(', ')}: the signature is no longer trusted` };
  if (statuses.some((s) => s.status === 'IN_PROGRESS')) return { state: 'pending', why: 'managed signing IN_PROGRESS; re-check later' };
  if (referrers.length > 0) return { state: 'unsigned', why: 'no Notation signature among the image\'s referrers' };
  if (img.digests.length === 0 && img.tag === undefined) return { state: 'unknown', why: 'no tag or digest to look the image up' };
  return { state: 'unknown', why: statuses.length === 0 && ev.has('aws:ecr:DescribeImageSigningStatus') ? 'no managed-signing status (images pushed before signing was configured have none); client-side signatures were not listed (ecr:ListImageReferrers)' : 'no signing evidence for this image' };
}

export const CC3_IMG_02 = defineControl({
  id: 'CC3-IMG-02',
  title: 'Running images are signed with AWS Signer (Notation)',
  section: 'CC3',
  under: 'imageSecurity',
  tsc: ['CC6.8', 'CC8.1', 'CC7.1'],
  automation: 'partial',
  severity: 'high',
  description:
    'Required: the configured share of images running from private ECR carries a signature for their digest — an ECR ' +
    'managed-signing status COMPLETE from a profile that is not revoked, or an active Notation (Notary v2) signature among the ' +
    'image\'s OCI referrers; a failed managed signing counts as unsigned. An empty managed-signing status is not proof of an ' +
    'unsigned image (client-side signatures do not appear there): such images are not known either way, and the ratio is decided ' +
    'only when they cannot change it. Recommended (warnings): an active AWS Signer profile on a Notation platform exists (the ' +
    'checklist accepts AWS Signer or Notary v2), and every running ECR image, whatever the ratio, is signed. System-namespace images ' +
    'are reported separately, images from outside ECR are not applicable. Having signatures is not verifying them: that admission ' +
    'controllers enforce them is CC3-IMG-03.',
  requires: [
    need.aws('signer:ListSigningProfiles', 'the AWS Signer signing profiles'),
    need.workloads(),
    SIGNATURES,
  ],
  optional: [aws('ecr:GetSigningConfiguration'), aws('ecr:DescribeImages')],
  rules: {
    'signed-coverage': {
      title: 'Running ECR images with a signature (threshold)', severity: 'high', level: 'required',
      basis: 'the checklist item "Implement image signing with AWS Signer or Notary v2": the images that run are signed (signedImagesPercent)',
      evidence: [need.workloads(), SIGNATURES],
    },
    'running-image-signed': {
      title: 'The running image is signed', severity: 'high', level: 'recommended',
      basis: 'every image judged on its own; the threshold rule decides the control', evidence: [SIGNATURES],
    },
    'signing-profile': {
      title: 'An active AWS Signer profile on a Notation platform exists', severity: 'medium', level: 'recommended',
      basis: 'the item accepts AWS Signer or Notary v2: signatures on the running images are the requirement, an AWS Signer profile one way to make them',
      evidence: [aws('signer:ListSigningProfiles')],
    },
    'managed-signing': {
      title: 'ECR managed signing is configured for the registry', severity: 'low', level: 'recommended',
      basis: 'beyond the item: signing in CI (notation sign) is equally valid', evidence: [aws('ecr:GetSigningConfiguration')],
    },
  },
  attestation: 'signing keys are protected, the signing step cannot be bypassed in CI/CD, and images from outside ECR are accepted by a documented exception',
  remediation: {
    summary: 'Create a Notation signing profile and sign every image at push time — with ECR managed signing or `notation sign` and the AWS Signer plugin in CI.',
    commands: [
      'aws signer put-signing-profile --profile-name acme_images --platform-id Notation-OCI-SHA384-ECDSA',
      'aws ecr put-signing-configuration --signing-configuration \'{"rules":[{"signingProfileArn":"arn:aws:signer:REGION:ACCOUNT:/signing-profiles/acme_images"}]}\'',
      'notation sign --plugin com.amazonaws.signer.notation.plugin --id arn:aws:signer:REGION:ACCOUNT:/signing-profiles/acme_images $IMAGE@$DIGEST',
    ],
  },
  references: [
    { title: 'Amazon ECR: managed signing', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html' },
    { title: 'Amazon ECR API: DescribeImageSigningStatus', url: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageSigningStatus.html' },
    { title: 'Amazon ECR API: ListImageReferrers', url: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImageReferrers.html' },
    { title: 'Amazon ECR: signing images', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-signing.html' },
    { title: 'AWS Signer: container image signing', url: 'https://docs.aws.amazon.com/signer/latest/developerguide/image-verification.html' },
  ],
  check(ev, ctx) {
    const profiles = new Map<string, SigningProfile>();
    const all = ev.aws('signer:ListSigningProfiles').flatMap((f) => (out<ListSigningProfilesResponse>(f)?.profiles ?? []).map((p) => ({ p, f })));
    for (const { p } of all) {
      if (p.arn) profiles.set(p.arn, p);
      if (p.profileVersionArn) profiles.set(p.profileVersionArn, p);
    }
    const notation = all.filter(({ p }) => (p.platformId ?? '').startsWith('Notation-OCI'));
    const active = notation.filter(({ p }) => p.status === 'Active');
    for (const { p, f } of notation) {
      const ref = awsRef('AWS::Signer::SigningProfile', p.profileName ?? '?', { arn: p.arn, region: f.region, accountId: f.accountId });
      if (p.status === 'Active') ctx.pass(ref, 'signing-profile', `${p.platformId} profile is Active${p.signatureValidityPeriod ? ` (signatures valid ${p.signatureValidityPeriod.value} ${p.signatureValidityPeriod.type})` : ''}`);
      else if (active.length === 0) ctx.fail(ref, 'signing-profile', `${p.platformId} profile is ${p.status}: its signatures are no longer trusted`);
      else ctx.note(`signing profile ${p.profileName} is ${p.status}`);
    }
    if (notation.length === 0) ctx.fail(clusterScope(ctx), 'signing-profile', all.length > 0 ? `no Signer profile on a Notation platform (found ${all.map(({ p }) => p.platformId).join(', ')})` : 'no AWS Signer signing profile (signatures from another Notary v2 signer are judged on the images)');

    if (ev.has('aws:ecr:GetSigningConfiguration')) {
      for (const f of ev.aws('ecr:GetSigningConfiguration')) {
        const o = out<GetSigningConfigurationResponse>(f);
        const ref = awsRef('AWS::ECR::SigningConfiguration', `${o?.registryId ?? f.accountId ?? '?'} ${f.region ?? ''}`.trim(), { region: f.region, accountId: o?.registryId ?? f.accountId });
        const rules = o?.signingConfiguration?.rules ?? [];
        if (rules.length > 0) ctx.pass(ref, 'managed-signing', `${rules.length} managed-signing rule(s): ${rules.map((r) => `${(r.signingProfileArn ?? '').split('/').pop()}${r.repositoryFilters?.length ? ` for ${r.repositoryFilters.map((x) => x.filter).join(', ')}` : ' for every repository'}`).join('; ')}`);
        else ctx.note('ECR managed signing is not configured; signatures must come from CI (notation sign)');
      }
    }

    const covered: CoverageItem[] = [];
    const missing: CoverageItem[] = [];
    const unknown: (CoverageItem & { reason: string })[] = [];
    let nonEcr = 0;
    const imageFacts = ev.has('aws:ecr:DescribeImages') ? ev.aws('ecr:DescribeImages') : [];
    for (const found of runningImages(ev)) {
      const system = ctx.isSystemNamespace(found.workload.namespace);
      if (!found.ecr) {
        if (!system) nonEcr++;
        ctx.report({ rule: 'running-image-signed', status: 'not-applicable', resource: found.workload.obj, message: `${found.container} (${found.image}): not in a private ECR registry, its signatures cannot be checked through ECR` });
        continue;
      }
      if (ECR_ACCOUNT_OF_EKS.test(found.ecr.accountId)) {
        ctx.report({ rule: 'running-image-signed', status: 'not-applicable', resource: found.workload.obj, message: `${found.container} (${found.image}): an Amazon EKS image from AWS's registry ${found.ecr.accountId}, not signed with this account's signer` });
        continue;
      }
      const img = { ...found, digests: resolveTagDigests(imageFacts, found) };
      const s = signatureOf(ev, img, profiles);
      const item = { resource: img.workload.obj, label: `${workloadLabel(img.workload)} ${img.container}`, system, message: `${img.container} (${img.image}): ${s.why}` };
      if (s.state === 'signed') covered.push(item);
      else if (s.state === 'unknown') unknown.push({ ...item, reason: `${item.message}; enable the referrers lookup (ecr:ListImageReferrers, needs ecr:BatchGetImage) to see client-side Notation signatures` });
      else missing.push(item);
    }
    if (covered.length + missing.length + unknown.length > 0) {
      judgeCoverage(ctx, { rule: 'signed-coverage', itemRule: 'running-image-signed', what: 'running ECR images with a signature', threshold: ctx.config.thresholds.signedImagesPercent, covered, missing, unknown });
    } else {
      ctx.note('no workload runs an image from private ECR');
    }
    if (nonEcr > 0) ctx.note(`${nonEcr} container image(s) come from outside private ECR; their signatures cannot be checked through ECR`);
  },
});

// ───────────────────────────── CC3-IMG-03 admission blocks unsigned / vulnerable images ─────────────────────────────

interface ImagePolicy {
  obj: K8sObject;
  engine: 'kyverno' | 'gatekeeper';
  enforce: boolean;
  failClosed: boolean;
  verifyDigest: boolean;
  vulnerability: boolean;
  imageRefs: string[];
  /** Namespaces the policy applies to (undefined = all). */
  covers: (ns: string, labels: Record<string, string>) => boolean;
  why: string;
}

function kyvernoMatchCovers(rule: Obj): (ns: string, labels: Record<string, string>) => boolean {
  const blocks = (m: unknown): Obj[] => {
    const o = asObj(m);
    if (!o) return [];
    const res = [...arr<Obj>(o.any), ...arr<Obj>(o.all)].map((x) => asObj(x.resources) ?? {});
    if (asObj(o.resources)) res.push(asObj(o.resources)!);
    return res;
  };
  const match = blocks(rule.match);
  const exclude = blocks(rule.exclude);
  const hits = (r: Obj, ns: string, labels: Record<string, string>) => {
    const names = arr<string>(r.namespaces);
    if (names.length > 0 && !names.some((p) => wildcardMatch(p, ns))) return false;
    const sel = asObj(r.namespaceSelector);
    if (sel && !matchesSelector(sel as LabelSelector, labels)) return false;
    return true;
  };
  return (ns, labels) => {
    const included = match.length === 0 || match.some((r) => hits(r, ns, labels) && (arr<string>(r.kinds).length === 0 || arr<string>(r.kinds).some((k) => /(^|\/)Pod$/.test(k) || k === '*')));
    const excluded = exclude.some((r) => (arr<string>(r.namespaces).length > 0 || asObj(r.namespaceSelector)) && hits(r, ns, labels));
    return included && !excluded;
  };
}

function kyvernoPolicies(ev: Evidence): ImagePolicy[] {
  const out: ImagePolicy[] = [];
  const kinds = ['kyverno.io/ClusterPolicy', 'kyverno.io/Policy'];
  for (const kind of kinds) {
    if (!ev.has(`k8s:${kind}`)) continue;
    for (const p of ev.objects(kind)) {
      const spec = asObj(p.spec) ?? {};
      const policyAction = lc(spec.validationFailureAction);
      const failClosed = str(spec.failurePolicy) !== 'Ignore';
      for (const rule of arr<Obj>(spec.rules)) {
        const vis = arr<Obj>(rule.verifyImages);
        const extension = arr<Obj>(rule.context).some((c) => /notation|checkimages/i.test(str(asObj(asObj(asObj(c.apiCall)?.service))?.url) ?? ''));
        if (vis.length === 0 && !extension) continue;
        const actions = vis.map((v) => lc(v.failureAction) || lc(rule.failureAction) || policyAction || 'audit');
        const enforce = vis.length > 0 ? actions.every((a) => a === 'enforce') : policyAction === 'enforce';
        const covers = kyvernoMatchCovers(rule);
        const scope = p.metadata.namespace;
        out.push({
          obj: p, engine: 'kyverno', enforce, failClosed,
          verifyDigest: vis.every((v) => v.verifyDigest !== false),
          vulnerability: vis.some((v) => arr(v.attestations).length > 0) || extension && JSON.stringify(rule.context ?? '').includes('attestations'),
          imageRefs: vis.flatMap((v) => arr<string>(v.imageReferences)),
          covers: scope ? (ns, l) => ns === scope && covers(ns, l) : covers,
          why: `${kind.split('/')[1]} ${scope ? `${scope}/` : ''}${p.metadata.name} rule ${str(rule.name) ?? '?'}${vis.length ? ` (${vis.map((v) => str(v.type) ?? 'Cosign').join(', ')})` : ' (kyverno-notation-aws extension call)'}`,
        });
      }
    }
  }
  if (ev.has('k8s:policies.kyverno.io/ImageValidatingPolicy')) {
    for (const p of ev.objects('policies.kyverno.io/ImageValidatingPolicy')) {
      const spec = asObj(p.spec) ?? {};
      const actions = arr<string>(spec.validationActions);
      const mc = asObj(spec.matchConstraints) ?? {};
      const sel = asObj(mc.namespaceSelector);
      const vc = asObj(spec.validationConfigurations) ?? {};
      out.push({
        obj: p, engine: 'kyverno',
        enforce: actions.length === 0 || actions.includes('Deny'),
        failClosed: str(spec.failurePolicy) !== 'Ignore',
        verifyDigest: vc.verifyDigest !== false,
        vulnerability: arr(spec.attestations).length > 0,
        imageRefs: arr<Obj>(spec.matchImageReferences).map((m) => str(m.glob) ?? str(m.expression) ?? '').filter(Boolean),
        covers: (_ns, labels) => !sel || matchesSelector(sel as LabelSelector, labels),
        why: `ImageValidatingPolicy ${p.metadata.name}`,
      });
    }
  }
  return out;
}

function gatekeeperRatifyPolicies(ev: Evidence): ImagePolicy[] {
  const providers = ev.has('k8s:externaldata.gatekeeper.sh/Provider') ? ev.objects('externaldata.gatekeeper.sh/Provider').filter((p) => /ratify/i.test(p.metadata.name ?? '') || /ratify/i.test(str(asObj(p.spec)?.url) ?? '')) : [];
  if (!ev.has('k8s:constraints.gatekeeper.sh/*')) return [];
  const templates = ev.has('k8s:templates.gatekeeper.sh/ConstraintTemplate') ? ev.objects('templates.gatekeeper.sh/ConstraintTemplate') : [];
  const providerNames = providers.map((p) => p.metadata.name ?? '');
  const ratifyKinds = new Set<string>();
  for (const t of templates) {
    const text = JSON.stringify(asObj(t.spec)?.targets ?? '');
    const kind = str(asObj(asObj(asObj(asObj(t.spec)?.crd)?.spec)?.names)?.kind);
    if (kind && (providerNames.some((n) => n && text.includes(n)) || /ratify/i.test(text))) ratifyKinds.add(kind);
  }
  const webhook = gatekeeperWebhook(ev);
  const out: ImagePolicy[] = [];
  for (const c of ev.objects('constraints.gatekeeper.sh/*')) {
    if (!/ratify/i.test(c.kind) && !ratifyKinds.has(c.kind)) continue;
    const spec = asObj(c.spec) ?? {};
    const action = str(spec.enforcementAction) ?? 'deny';
    const match = asObj(spec.match) ?? {};
    const names = arr<string>(match.namespaces);
    const excluded = arr<string>(match.excludedNamespaces);
    const sel = asObj(match.namespaceSelector);
    out.push({
      obj: c, engine: 'gatekeeper', enforce: action === 'deny', failClosed: webhook?.failClosed ?? false, verifyDigest: true,
      vulnerability: /vuln/i.test(JSON.stringify(spec.parameters ?? '')),
      imageRefs: [],
      covers: (ns, labels) => (names.length === 0 || names.some((p) => wildcardMatch(p, ns))) && !excluded.some((p) => wildcardMatch(p, ns)) && (!sel || matchesSelector(sel as LabelSelector, labels)) && labels['admission.gatekeeper.sh/ignore'] === undefined,
      why: `Gatekeeper constraint ${c.kind}/${c.metadata.name} (Ratify${providers.length ? ` provider ${providerNames.join(', ')}` : ''}, enforcementAction ${action})`,
    });
  }
  return out;
}

interface EngineWebhook { obj: K8sObject; failClosed: boolean; selectors: { namespaceSelector?: Obj; failurePolicy: string; name: string }[] }

function webhooksOf(ev: Evidence, test: (w: K8sObject, hook: Obj) => boolean): EngineWebhook[] {
  const res: EngineWebhook[] = [];
  for (const kind of ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration']) {
    if (!ev.has(`k8s:${kind}`)) continue;
    for (const w of ev.objects(kind)) {
      const hooks = arr<Obj>(w.webhooks).filter((h) => test(w, h));
      if (hooks.length === 0) continue;
      const selectors = hooks.map((h) => ({ ...(asObj(h.namespaceSelector) ? { namespaceSelector: asObj(h.namespaceSelector)! } : {}), failurePolicy: str(h.failurePolicy) ?? 'Fail', name: str(h.name) ?? '?' }));
      res.push({ obj: w, failClosed: selectors.some((s) => s.failurePolicy === 'Fail'), selectors });
    }
  }
  return res;
}

function gatekeeperWebhook(ev: Evidence): EngineWebhook | undefined {
  return webhooksOf(ev, (w, h) => /gatekeeper/.test(w.metadata.name ?? '') && w.kind === 'ValidatingWebhookConfiguration' && /validation\.gatekeeper\.sh/.test(str(h.name) ?? 'validation.gatekeeper.sh'))[0];
}

const serviceNs = (h: Obj) => str(asObj(asObj(h.clientConfig)?.service)?.namespace);

export const CC3_IMG_03 = defineControl({
  id: 'CC3-IMG-03',
  title: 'Admission control blocks unsigned (and vulnerable) images in every workload namespace',
  section: 'CC3',
  under: 'imageSecurity',
  tsc: ['CC6.8', 'CC7.1', 'CC8.1'],
  automation: 'partial',
  severity: 'high',
  description:
    'Looks for image-verification admission policies — Kyverno verifyImages rules or the kyverno-notation-aws extension, Kyverno ' +
    'ImageValidatingPolicies, Gatekeeper constraints backed by Ratify. Required: at least one enforces (not audit) and is served ' +
    'by its engine\'s admission webhook — a Kyverno policy with no Kyverno webhook registered enforces nothing — the webhook fails ' +
    'closed, every non-system namespace is covered (policy match, webhook namespaceSelector, Gatekeeper\'s ignore label), and the ' +
    'policy reports of those policies show no failing running workload. Recommended (warnings): every image policy enforces rather ' +
    'than audits, and requires digests. System namespaces are judged and reported separately. Scanners (Trivy, ECR) do not block ' +
    'anything by themselves; whether the rules match the organisation\'s vulnerability threshold is judged by a person.',
  requires: [
    {
      anyOf: [k8s('kyverno.io/ClusterPolicy'), k8s('kyverno.io/Policy'), k8s('policies.kyverno.io/ImageValidatingPolicy'), k8s('constraints.gatekeeper.sh/*')],
      what: 'image admission policies (Kyverno policies or Gatekeeper constraints)',
    },
    need.kind('admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'validating webhook configurations'),
    need.kind('core/Namespace', 'namespaces'),
  ],
  optional: [
    k8s('kyverno.io/ClusterPolicy'), k8s('kyverno.io/Policy'), k8s('policies.kyverno.io/ImageValidatingPolicy'), k8s('constraints.gatekeeper.sh/*'),
    k8s('templates.gatekeeper.sh/ConstraintTemplate'), k8s('externaldata.gatekeeper.sh/Provider'), k8s('config.ratify.deislabs.io/*'),
    k8s('admissionregistration.k8s.io/MutatingWebhookConfiguration'), k8s('wgpolicyk8s.io/PolicyReport'), k8s('wgpolicyk8s.io/ClusterPolicyReport'),
  ],
  rules: {
    'image-policy-enforced': {
      title: 'An image-verification policy enforces (blocks) and an admission webhook serves it', severity: 'high', level: 'required',
      basis: 'the checklist item "Configure admission controllers to block vulnerable images": blocking needs an enforcing policy the API server calls',
    },
    'webhook-fail-closed': {
      title: 'The policy engine\'s webhook fails closed (failurePolicy: Fail)', severity: 'medium', level: 'required',
      basis: 'a fail-open webhook admits every image whenever the engine is unavailable: nothing is blocked then',
      evidence: [k8s('admissionregistration.k8s.io/ValidatingWebhookConfiguration')],
    },
    'namespace-covered': {
      title: 'The namespace is covered by an enforcing image policy', severity: 'high', level: 'required',
      basis: 'images are blocked in every workload namespace, not only some',
    },
    'policy-mode': {
      title: 'The image policy enforces rather than audits', severity: 'low', level: 'recommended',
      basis: 'an auditing policy beside an enforcing one reports without blocking; image-policy-enforced decides the control', evidence: [],
    },
    'verify-digest': {
      title: 'The policy requires digests, so a tag cannot change after admission', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: tags can be moved after admission', evidence: [],
    },
    'running-images-compliant': {
      title: 'Policy reports show no running workload violating the image policies', severity: 'medium', level: 'required',
      basis: 'images admitted before the policy, or while it failed open, still run: the background scan shows them (controls.md pass condition)',
      // Each report judges its own results; an unreadable report kind leaves the rule not evaluated (checked in the check).
      evidence: [],
    },
  },
  attestation: 'the verified signers and attestations (e.g. a signed vulnerability scan with a severity threshold) match the organisation\'s image policy, and exemptions are approved',
  remediation: {
    summary:
      'Enforce signature verification at admission — Kyverno verifyImages (Notary + AWS Signer through kyverno-notation-aws) or ' +
      'Gatekeeper with Ratify — with failurePolicy Fail, no namespace exemptions for workloads, and digests required. Blocking on ' +
      'vulnerabilities needs a signed scan attestation verified by the same policy.',
    manifest: `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: verify-image-signatures }
spec:
  webhookTimeoutSeconds: 30
  failurePolicy: Fail
  background: true
  rules:
    - name: verify-notation-signature
      match: { any: [ { resources: { kinds: [Pod] } } ] }
      verifyImages:
        - type: Notary
          failureAction: Enforce
          imageReferences: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/*"]
          verifyDigest: true
          mutateDigest: true
          required: true
          attestors:
            - entries:
                - certificates:
                    cert: |-
                      -----BEGIN CERTIFICATE-----
                      <AWS Signer root certificate>
                      -----END CERTIFICATE-----`,
  },
  references: [
    { title: 'Kyverno: verify images', url: 'https://kyverno.io/docs/writing-policies/verify-images/' },
    { title: 'Kyverno: ImageValidatingPolicy', url: 'https://kyverno.io/docs/policy-types/image-validating-policy/' },
    { title: 'Amazon EKS: validate container image signatures during deployment', url: 'https://docs.aws.amazon.com/eks/latest/userguide/image-verification.html' },
    { title: 'kyverno-notation-aws', url: 'https://github.com/nirmata/kyverno-notation-aws' },
    { title: 'Gatekeeper: failing closed', url: 'https://open-policy-agent.github.io/gatekeeper/website/docs/failing-closed' },
  ],
  check(ev, ctx) {
    const policies = [...kyvernoPolicies(ev), ...gatekeeperRatifyPolicies(ev)];
    const kyvernoHooks = webhooksOf(ev, (w, h) => serviceNs(h) === 'kyverno' || /^kyverno-resource/.test(w.metadata.name ?? ''));
    const gk = gatekeeperWebhook(ev);
    // "Not registered" needs every webhook configuration of the cluster (a loose set of manifests holds some).
    const validatingRead = ev.complete('k8s:admissionregistration.k8s.io/ValidatingWebhookConfiguration');
    const mutatingRead = ev.complete('k8s:admissionregistration.k8s.io/MutatingWebhookConfiguration');
    // "No (enforcing) image policy" needs every policy of the cluster.
    const policyKeys = ['k8s:kyverno.io/ClusterPolicy', 'k8s:kyverno.io/Policy', 'k8s:policies.kyverno.io/ImageValidatingPolicy', 'k8s:constraints.gatekeeper.sh/*'] as const;
    const policiesWhole = policyKeys.every((k) => ev.complete(k));
    const policiesNotWhole = `the input may not hold every image policy of the cluster (${policyKeys.filter((k) => !ev.complete(k)).map((k) => k.slice(4)).join(', ')}); scan the live cluster or pass --complete-inventory`;
    // Whether the engine's admission webhook is registered: true, false (proven: the kinds that could hold it were read whole), or unknown.
    // Kyverno verifies images in its mutating and its validating webhooks; Gatekeeper validates only.
    const kyvernoServed = kyvernoHooks.length > 0 ? true : validatingRead && mutatingRead ? false : undefined;
    const gatekeeperServed = gk ? true : validatingRead ? false : undefined;
    const served = (p: ImagePolicy) => (p.engine === 'kyverno' ? kyvernoServed : gatekeeperServed);
    const notServed = (p: ImagePolicy) => (p.engine === 'kyverno'
      ? 'no Kyverno admission webhook is registered: the API server never calls Kyverno, so nothing is enforced (is Kyverno running?)'
      : 'no Gatekeeper validating webhook is registered: constraints are audited, not enforced at admission');
    const hooksNotWhole = (['k8s:admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'k8s:admissionregistration.k8s.io/MutatingWebhookConfiguration'] as const)
      .filter((k) => !ev.complete(k)).map((k) => (ev.has(k) ? `${k.slice(4)} (only those in the input)` : unread(ev, k)));
    const unknownServed = `whether the engine's admission webhook is registered is not known: the webhook configurations were not read as a whole (${hooksNotWhole.join(', ')})`;

    // Each policy on its own: its mode and digest requirement (recommended).
    for (const p of policies) {
      if (p.enforce) ctx.pass(p.obj, 'policy-mode', `${p.why} enforces`);
      else ctx.fail(p.obj, 'policy-mode', `${p.why} is in audit mode: violations are reported, not blocked`);
      if (!p.verifyDigest) ctx.fail(p.obj, 'verify-digest', `${p.why} sets verifyDigest: false — a tag such as :latest can point to another image after admission`);
      else if (p.engine === 'kyverno') ctx.pass(p.obj, 'verify-digest', 'digests are required for matching images');
    }

    // Something blocks: an enforcing policy that an admission webhook serves.
    const enforcing = policies.filter((p) => p.enforce);
    const blocking = enforcing.filter((p) => served(p) === true);
    if (policies.length === 0 && !policiesWhole) {
      ctx.unevaluated('image-policy-enforced', `no image admission policy in the input, but ${policiesNotWhole}`);
    } else if (policies.length === 0) {
      const hint = ev.has('k8s:config.ratify.deislabs.io/*') && ev.objects('config.ratify.deislabs.io/*').length > 0 ? ' (Ratify is installed, but no Gatekeeper constraint uses it)' : '';
      ctx.fail(clusterScope(ctx), 'image-policy-enforced', `no admission policy verifies image signatures or attestations${hint}; vulnerability scanners alone do not block images`);
    } else if (blocking.length > 0) {
      for (const p of blocking) ctx.pass(p.obj, 'image-policy-enforced', `${p.why} enforces${p.vulnerability ? ' signatures and attestations' : ' signatures (no vulnerability attestation checked)'}`);
    } else if (enforcing.some((p) => served(p) === undefined)) {
      ctx.unevaluated('image-policy-enforced', `${enforcing.filter((p) => served(p) === undefined).map((p) => p.why).join('; ')} enforce, but ${unknownServed}`);
    } else if (enforcing.length === 0 && !policiesWhole) {
      ctx.unevaluated('image-policy-enforced', `every image policy in the input is in audit mode (${listSome(policies.map((p) => p.why), 3)}), but ${policiesNotWhole}`);
    } else {
      const why = enforcing.length === 0
        ? `every image policy is in audit mode (${listSome(policies.map((p) => p.why), 3)}): nothing is blocked`
        : `${listSome(enforcing.map((p) => p.why), 3)} enforce, but ${[...new Set(enforcing.map(notServed))].join('; ')}`;
      ctx.fail(clusterScope(ctx), 'image-policy-enforced', why);
    }

    // Fail-closed webhooks of the engines the policies use.
    const usedEngines = new Set(policies.map((p) => p.engine));
    if (usedEngines.has('kyverno')) {
      for (const p of policies.filter((x) => x.engine === 'kyverno' && !x.failClosed)) ctx.fail(p.obj, 'webhook-fail-closed', `${p.why} sets failurePolicy: Ignore — images are admitted unverified whenever Kyverno is unavailable`);
      const failHooks = kyvernoHooks.filter((h) => h.failClosed);
      if (kyvernoServed === undefined) ctx.unevaluated('webhook-fail-closed', `no Kyverno webhook among the validating webhook configurations, and ${unknownServed}`);
      else if (!kyvernoServed) ctx.fail(clusterScope(ctx), 'webhook-fail-closed', 'no Kyverno admission webhook is registered, so none can fail closed');
      else if (failHooks.length === 0) ctx.fail(kyvernoHooks[0]!.obj, 'webhook-fail-closed', 'every Kyverno webhook has failurePolicy Ignore');
      else ctx.pass(failHooks[0]!.obj, 'webhook-fail-closed', `Kyverno webhook ${failHooks[0]!.obj.metadata.name} fails closed`);
    }
    if (usedEngines.has('gatekeeper')) {
      if (!gk && gatekeeperServed === undefined) ctx.unevaluated('webhook-fail-closed', `no Gatekeeper validating webhook in the input, and ${unknownServed}`);
      else if (!gk) ctx.fail(clusterScope(ctx), 'webhook-fail-closed', 'no Gatekeeper validating webhook found: constraints are audited, not enforced at admission');
      else if (gk.failClosed) ctx.pass(gk.obj, 'webhook-fail-closed', 'Gatekeeper webhook failurePolicy: Fail');
      else ctx.fail(gk.obj, 'webhook-fail-closed', 'Gatekeeper webhook failurePolicy: Ignore (the default): it fails open when Gatekeeper is unavailable');
    }

    // Namespace coverage: an enforcing policy whose match and webhook selectors include the namespace. System
    // namespaces are judged too and reported separately (their findings never count in the status).
    const hookCovers = (p: ImagePolicy, labels: Record<string, string>): boolean | undefined => {
      const hooks = p.engine === 'gatekeeper' ? (gk ? [gk] : []) : kyvernoHooks;
      if (hooks.length === 0) return served(p);
      return hooks.some((h) => h.selectors.some((sel) => !sel.namespaceSelector || matchesSelector(sel.namespaceSelector as LabelSelector, labels)));
    };
    for (const ns of ev.objects('core/Namespace')) {
      const labels = ns.metadata.labels ?? {};
      const name = ns.metadata.name ?? '';
      const matching = enforcing.filter((p) => p.covers(name, labels));
      const by = matching.filter((p) => hookCovers(p, labels) === true);
      const unsure = matching.filter((p) => hookCovers(p, labels) === undefined);
      if (by.length > 0) ctx.pass(ns, 'namespace-covered', `covered by ${by.map((p) => p.why).join('; ')}`);
      else if (unsure.length > 0) ctx.unevaluated('namespace-covered', `matched by ${unsure.map((p) => p.why).join('; ')}, but ${unknownServed}`, ns);
      else if (!policiesWhole) ctx.unevaluated('namespace-covered', `no enforcing image policy in the input covers it, but ${policiesNotWhole}`, ns);
      else if (labels['admission.gatekeeper.sh/ignore'] !== undefined && enforcing.some((p) => p.engine === 'gatekeeper')) ctx.fail(ns, 'namespace-covered', 'labelled admission.gatekeeper.sh/ignore: exempt from every Gatekeeper constraint');
      else if (enforcing.length === 0) ctx.fail(ns, 'namespace-covered', 'no enforcing image policy exists');
      else if (matching.length > 0) ctx.fail(ns, 'namespace-covered', `matched by ${matching.map((p) => p.why).join('; ')}, but ${matching.some((p) => served(p) === false) ? [...new Set(matching.filter((p) => served(p) === false).map(notServed))].join('; ') : 'the webhook namespaceSelector leaves the namespace out'}`);
      else ctx.fail(ns, 'namespace-covered', 'excluded by the policies\' match/exclude rules');
    }

    // Running workloads against the policies (Kyverno background scans write policy reports).
    const names = new Set(policies.map((p) => p.obj.metadata.name ?? ''));
    for (const kind of ['wgpolicyk8s.io/PolicyReport', 'wgpolicyk8s.io/ClusterPolicyReport']) {
      if (!ev.has(`k8s:${kind}`)) continue;
      for (const r of ev.objects(kind)) {
        const results = arr<Obj>(r.results).filter((x) => names.has(str(x.policy) ?? ''));
        if (results.length === 0) continue;
        const failing = results.filter((x) => x.result === 'fail' || x.result === 'error');
        const subjects = (x: Obj) => arr<Obj>(x.resources).map((s) => `${str(s.kind) ?? ''}/${str(s.name) ?? ''}`).join(', ') || str(asObj(r.scope)?.name) || '';
        if (failing.length > 0) ctx.fail(r, 'running-images-compliant', `${failing.length} running resource(s) fail image verification: ${listSome(failing.map((x) => `${subjects(x)} (${str(x.policy)})`))}`);
        else ctx.pass(r, 'running-images-compliant', `${results.length} result(s) of the image policies pass`);
      }
    }
    const reportKinds = ['k8s:wgpolicyk8s.io/PolicyReport', 'k8s:wgpolicyk8s.io/ClusterPolicyReport'] as const;
    if (policies.length > 0 && reportKinds.some((k) => readFailed(ev, k))) {
      ctx.unevaluated('running-images-compliant', `policy reports not read: ${reportKinds.filter((k) => readFailed(ev, k)).map((k) => unread(ev, k)).join(', ')}`);
    }
    if (blocking.length > 0 && !policies.some((p) => p.vulnerability)) {
      ctx.note('the policies verify signatures only; blocking vulnerable images needs a signed vulnerability-scan attestation (or an external-data lookup) checked by the same policy');
    }
  },
});

// ───────────────────────────── CC3-IMG-04 base image standards ─────────────────────────────

/** `image-tag-pinned`: a digest pins; otherwise a tag other than `latest` is required. */
export function tagVerdict(image: string): { ok: boolean; why: string } {
  const p = parseImage(image);
  if (p.digest) return { ok: true, why: 'pinned by digest' };
  if (p.tag === undefined) return { ok: false, why: 'no tag (pulls :latest)' };
  if (p.tag.toLowerCase() === 'latest') return { ok: false, why: 'uses :latest' };
  return { ok: true, why: `tag ${p.tag}` };
}

/** Gatekeeper K8sAllowedRepos-style constraints and Kyverno rules restricting image registries, with whether they block. */
function registryPolicies(ev: Evidence): { obj: K8sObject; enforce: boolean; mode: string }[] {
  const found: { obj: K8sObject; enforce: boolean; mode: string }[] = [];
  if (ev.has('k8s:constraints.gatekeeper.sh/*')) {
    for (const c of ev.objects('constraints.gatekeeper.sh/*')) {
      const action = str(asObj(c.spec)?.enforcementAction) ?? 'deny';
      if (/allowedrepos|allowedimages|trustedregistr|allowedregistr/i.test(c.kind)) found.push({ obj: c, enforce: action === 'deny', mode: `enforcementAction ${action}` });
    }
  }
  for (const kind of ['kyverno.io/ClusterPolicy', 'kyverno.io/Policy']) {
    if (!ev.has(`k8s:${kind}`)) continue;
    for (const p of ev.objects(kind)) {
      const spec = asObj(p.spec) ?? {};
      const rules = arr<Obj>(spec.rules);
      const restricts = rules.some((r) => {
        const v = asObj(r.validate);
        if (!v) return false;
        const text = JSON.stringify(v);
        return /registr/i.test(`${str(r.name) ?? ''} ${p.metadata.name ?? ''}`) || /"image":"[^"*!][^"]*\*"/.test(text);
      });
      const enforce = lc(spec.validationFailureAction) === 'enforce' || rules.some((r) => lc(asObj(r.validate)?.failureAction) === 'enforce');
      if (restricts) found.push({ obj: p, enforce, mode: enforce ? 'Enforce' : 'Audit' });
    }
  }
  return found;
}

export const CC3_IMG_04 = defineControl({
  id: 'CC3-IMG-04',
  title: 'Base images follow an approved hardening standard',
  section: 'CC3',
  under: 'imageSecurity',
  tsc: ['CC7.1', 'CC8.1', 'CC5.3'],
  automation: 'manual',
  severity: 'medium',
  description:
    'The standard itself (approved base images, update cadence, non-root, minimal packages) and its approval are a document a person ' +
    'attests to. Required automated signals fail the control when they find a breach of it: base operating systems past end of life ' +
    'in Trivy reports, and images from registries outside the approved list (when approvedRegistries is configured, it is the ' +
    'standard\'s list). Recommended (warnings): workload images are pinned (a version tag or a digest, never :latest or no tag), and ' +
    'an admission policy restricts images to approved registries. Running as non-root is checked by CC5-HARD-03.',
  requires: [need.workloads()],
  optional: [
    k8s('aquasecurity.github.io/VulnerabilityReport'), k8s('kyverno.io/ClusterPolicy'), k8s('kyverno.io/Policy'), k8s('constraints.gatekeeper.sh/*'),
  ],
  rules: {
    'base-os-supported': {
      title: 'The image\'s base operating system is not end-of-life', severity: 'high', level: 'required',
      basis: 'a base image that no longer receives security fixes breaches any hardening standard (the checklist item "Establish base image hardening standards")',
      evidence: [k8s('aquasecurity.github.io/VulnerabilityReport')],
    },
    'approved-registry': {
      title: 'Images come from an approved registry or repository prefix', severity: 'medium', level: 'required',
      basis: 'the configured approvedRegistries list is the standard\'s own list of approved sources', evidence: [],
    },
    'image-tag-pinned': {
      title: 'Images are pinned: a version tag (not latest) or a digest', severity: 'medium', level: 'recommended',
      basis: 'deployment hygiene beyond the base-image standard: a mutable tag hides which image runs', evidence: [],
    },
    'registry-policy': {
      title: 'An admission policy restricts images to allowed registries', severity: 'low', level: 'recommended',
      basis: 'enforcement beyond the item, which asks for the standard', evidence: [],
    },
  },
  attestation: 'a base-image hardening standard (approved base images, patch cadence, non-root, minimal packages) is written, approved and reviewed at least yearly',
  remediation: {
    summary:
      'Write and approve the standard, build from the approved minimal base images, pin images by digest (or at least an immutable ' +
      'version tag), and enforce the approved registries at admission (Gatekeeper K8sAllowedRepos or a Kyverno registry rule).',
    manifest: `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: { name: approved-registries }
spec:
  enforcementAction: deny
  match:
    kinds: [ { apiGroups: [""], kinds: ["Pod"] } ]
    excludedNamespaces: ["kube-system"]
  parameters:
    repos: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/"]`,
  },
  references: [
    { title: 'EKS Best Practices: image security', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html' },
    { title: 'Trivy operator: VulnerabilityReport (os.eosl)', url: 'https://aquasecurity.github.io/trivy-operator/latest/docs/crds/vulnerability-report' },
  ],
  check(ev, ctx) {
    const approved = ctx.config.approvedRegistries;
    for (const w of workloads(ev)) {
      // Every container's image (init, regular, ephemeral); the lists are made only for a workload that fails.
      let images = 0;
      let unpinned: string[] | undefined;
      let outside: string[] | undefined;
      for (const c of allContainers(w.spec)) {
        const image = c.image;
        if (typeof image !== 'string') continue;
        images++;
        const v = tagVerdict(image);
        if (!v.ok) (unpinned ??= []).push(`${c.name ?? '?'} ${image} (${v.why})`);
        if (approved.length > 0 && !approved.some((a) => image.startsWith(a) || `${parseImage(image).registry}/${parseImage(image).repository}`.startsWith(a))) (outside ??= []).push(image);
      }
      if (images === 0) continue;
      if (!unpinned) ctx.pass(w.obj, 'image-tag-pinned', 'all images pinned (by digest, or a tag other than latest)');
      else ctx.fail(w.obj, 'image-tag-pinned', `not pinned: ${unpinned.join(', ')}`);
      if (approved.length > 0) {
        if (!outside) ctx.pass(w.obj, 'approved-registry', 'all images from approved registries');
        else ctx.fail(w.obj, 'approved-registry', `images from unapproved registries: ${outside.join(', ')}`);
      }
    }
    if (approved.length === 0) ctx.note('no approved registries configured (approvedRegistries in eks-soc2.yaml): the registry signal is not evaluated per image');

    if (ev.has('k8s:aquasecurity.github.io/VulnerabilityReport')) {
      for (const r of vulnerabilityReports(ev)) {
        const os = asObj(asObj(r.obj.report)?.os) ?? {};
        const osName = `${str(os.family) ?? 'OS'} ${str(os.name) ?? ''}`.trim();
        if (r.eosl) ctx.fail(r.obj, 'base-os-supported', `${r.kind} ${r.name} container ${r.container}: base OS ${osName} is end-of-life (no more security fixes)`);
        else if (os.family !== undefined) ctx.pass(r.obj, 'base-os-supported', `base OS ${osName} is supported`);
      }
    } else {
      ctx.note('no Trivy VulnerabilityReports: end-of-life base images cannot be detected automatically');
    }

    const regPolicies = registryPolicies(ev);
    const blocking = regPolicies.filter((p) => p.enforce);
    for (const p of blocking) ctx.pass(p.obj, 'registry-policy', `${p.obj.kind} ${p.obj.metadata.name} restricts image registries at admission (${p.mode})`);
    if (blocking.length === 0) {
      const policySources = ['k8s:constraints.gatekeeper.sh/*', 'k8s:kyverno.io/ClusterPolicy', 'k8s:kyverno.io/Policy'] as const;
      // Absence (of any blocking policy) is only proven when every policy kind was read whole (a manifest scan usually has none of them).
      const whole = policySources.every((k) => ev.complete(k));
      if (regPolicies.length > 0 && whole) for (const p of regPolicies) ctx.fail(p.obj, 'registry-policy', `${p.obj.kind} ${p.obj.metadata.name} restricts registries but only reports (${p.mode}): unapproved images are still admitted`);
      else if (regPolicies.length > 0) for (const p of regPolicies) ctx.unevaluated('registry-policy', `${p.obj.kind} ${p.obj.metadata.name} restricts registries but only reports (${p.mode}); whether another policy blocks is not known: the input may not hold every admission policy of the cluster`, p.obj);
      else if (whole) ctx.fail(clusterScope(ctx), 'registry-policy', 'no admission policy restricts images to approved registries (Gatekeeper K8sAllowedRepos or a Kyverno registry rule)');
      else if (policySources.some((k) => readFailed(ev, k))) ctx.unevaluated('registry-policy', `admission policies not read: ${policySources.filter((k) => readFailed(ev, k)).map((k) => unread(ev, k)).join(', ')}`);
      else ctx.unevaluated('registry-policy', `no admission policy in the input restricts registries, but the policies (${policySources.filter((k) => !ev.complete(k)).map((k) => k.slice(4)).join(', ')}) were not read as a whole inventory; scan the live cluster or pass --complete-inventory`);
    }
  },
});

export const controls: ControlDefinition[] = [CC3_RA_01, CC3_RA_02, CC3_RA_03, CC3_RA_04, CC3_IMG_01, CC3_IMG_02, CC3_IMG_03, CC3_IMG_04];
