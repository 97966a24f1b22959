import type {
  Attestation, AttestationIssue, CheckContext, ControlDefinition, ControlResult, EffectiveConfig, EvidenceGap,
  EvidenceKey, EvidenceRequirement, Finding, FindingInput, FindingStatus, FirstSeenLookup, JsonValue, K8sObject, OwnerRef, PassedGroup, ResourceRef, RuleInfo,
  RuleLevel, RuleMeta, RunFilters, RunResource, RunResult, RunSummary, Severity, Snapshot, Status, StatusCounts, UnevaluatedRule, Waiver, WaiverIssue,
} from '../model/index.js';
import { FINDING_STATUSES, RUN_SCHEMA, SECTIONS, emptyCounts, emptyFindingCounts, isCountedEvidence, severityRank } from '../model/index.js';
import { SnapshotIndex, scopedEvidence, trackUnknownReads } from './evidence.js';
import { IacMapper } from './iac.js';
import { matchWaiver, prepareWaivers, unusedWaiverIssues } from './waivers.js';
import type { WaiverSet } from './waivers.js';
import { prepareAttestations } from './attestations.js';
import { controlSkipped, hasFilters, namespaceKept, ruleSkipped } from './filters.js';

export interface EvaluateOptions {
  config: EffectiveConfig;
  toolVersion: string;
  catalogVersion: string;
  waivers?: readonly Waiver[];
  attestations?: readonly Attestation[];
  /** Problems found while loading the waiver / attestation files (malformed entries). */
  waiverIssues?: readonly WaiverIssue[];
  attestationIssues?: readonly AttestationIssue[];
  /** Evaluation time (waiver expiry, attestation validity, ages). Defaults to now. */
  now?: Date;
  startedAt?: Date;
  /** Limit to these control ids / sections. */
  controls?: readonly string[];
  sections?: readonly string[];
  snapshotDigest?: string;
  /** An index of this snapshot built by the caller, to share with later steps (the filled-in remediation). */
  index?: SnapshotIndex;
  /** Namespace globs, skipped controls and rules (engine/filters.ts); recorded in the run. */
  filters?: RunFilters;
  /** When the evidence store first saw each vulnerability of this cluster (`scan --store`): ages CRITICAL vulnerabilities (CC3-RA-03). */
  firstSeen?: FirstSeenLookup;
}

/** Controls selected by `--control` / `--section` (all when neither is given). */
export function selectControls(
  catalog: readonly ControlDefinition[],
  opts: { controls?: readonly string[]; sections?: readonly string[] },
): ControlDefinition[] {
  const ids = opts.controls?.length ? new Set(opts.controls.map((c) => c.toUpperCase())) : undefined;
  const secs = opts.sections?.length ? new Set(opts.sections.map((s) => s.toUpperCase())) : undefined;
  return catalog.filter((c) => (!ids || ids.has(c.id)) && (!secs || secs.has(c.section)));
}

/** Evaluate the selected controls of the catalog against one snapshot. Pure: no I/O. */
export function evaluate(snapshot: Snapshot, catalog: readonly ControlDefinition[], opts: EvaluateOptions): RunResult {
  const started = opts.startedAt ?? new Date();
  const now = opts.now ?? new Date();
  const index = opts.index?.snapshot === snapshot ? opts.index : new SnapshotIndex(snapshot);
  const known = new Set(catalog.map((c) => c.id));
  const waivers = prepareWaivers(opts.waivers ?? [], known, now);
  const attestations = prepareAttestations(opts.attestations ?? [], known, now);
  const filters = hasFilters(opts.filters) ? opts.filters : undefined;
  const selected = selectControls(catalog, opts).filter((c) => !controlSkipped(filters, c.id));
  const system = new Set(opts.config.systemNamespaces);
  const clusterName = snapshot.cluster.name;
  const iac = snapshot.iac ? new IacMapper(snapshot.iac) : undefined;
  const table = new ResourceTable(system, iac);

  const controls = selected.map((c) => evaluateControl(c, index, snapshot, {
    config: opts.config, now, system, waivers, attested: attestations.inForce.get(c.id), clusterName, table, ...(iac ? { iac } : {}), ...(filters ? { filters } : {}),
    ...(opts.firstSeen ? { firstSeen: opts.firstSeen } : {}),
  }));

  const evaluated = new Set(selected.map((c) => c.id));
  return {
    schema: RUN_SCHEMA,
    tool: { name: 'eks-soc2', version: opts.toolVersion },
    catalogVersion: opts.catalogVersion,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    cluster: snapshot.cluster,
    resources: table.resources,
    sources: { kubernetes: snapshot.kubernetes.source, aws: snapshot.aws.source },
    ...(snapshot.collector.identity ? { collectorIdentity: snapshot.collector.identity } : {}),
    ...(opts.snapshotDigest ? { snapshotDigest: opts.snapshotDigest } : {}),
    summary: summarize(controls),
    controls,
    gaps: snapshot.gaps,
    waivers: {
      applied: controls.reduce((n, c) => n + c.counts.waived + c.systemCounts.waived, 0),
      issues: [...(opts.waiverIssues ?? []), ...waivers.issues, ...unusedWaiverIssues(waivers, evaluated)],
    },
    attestations: {
      inForce: [...attestations.inForce.values()].filter((a) => evaluated.has(a.control)),
      issues: [...(opts.attestationIssues ?? []), ...attestations.issues],
    },
    ...(opts.controls?.length || opts.sections?.length
      ? { selection: { ...(opts.controls?.length ? { controls: [...opts.controls] } : {}), ...(opts.sections?.length ? { sections: [...opts.sections] } : {}) } }
      : {}),
    ...(filters ? { filters: cleanFilters(filters) } : {}),
  };
}

/** The filters as recorded in the run: only the lists that are set. */
function cleanFilters(f: RunFilters): RunFilters {
  return {
    ...(f.namespaces?.length ? { namespaces: [...f.namespaces] } : {}),
    ...(f.excludeNamespaces?.length ? { excludeNamespaces: [...f.excludeNamespaces] } : {}),
    ...(f.skipControls?.length ? { skipControls: [...f.skipControls] } : {}),
    ...(f.skipRules?.length ? { skipRules: [...f.skipRules] } : {}),
  };
}

interface ControlEnv {
  config: EffectiveConfig;
  now: Date;
  system: ReadonlySet<string>;
  waivers: WaiverSet;
  attested: Attestation | undefined;
  clusterName: string | undefined;
  /** Maps findings on resources translated from Terraform to their address and line. */
  iac?: IacMapper;
  filters?: RunFilters;
  firstSeen?: FirstSeenLookup;
  /** The run's resource table: passing findings name their resource by its index. */
  table: ResourceTable;
}

/**
 * The run's resource table (`RunResult.resources`): each resource a passing finding names, once.
 * A Kubernetes object is indexed by identity (one lookup per pass, no new object); a ResourceRef
 * (AWS, Terraform) by its identifying fields, so that refs made afresh by each check share an entry.
 */
export class ResourceTable {
  readonly resources: RunResource[] = [];
  private readonly byObject = new WeakMap<object, number>();
  private readonly byKey = new Map<string, number>();
  /** Whether the resource at an index is in a system namespace (the default of a finding's `system`). */
  private readonly systemAt: boolean[] = [];

  constructor(private readonly systemNamespaces: ReadonlySet<string>, private readonly iac?: IacMapper) {}

  /** The index of a resource, added to the table on first sight. */
  indexOf(r: K8sObject | ResourceRef): number {
    const known = this.byObject.get(r);
    if (known !== undefined) return known;
    let i: number;
    const { resource, source } = resolveResource(r, this.iac);
    if (isK8s(r)) {
      i = this.add(source ? { ...resource, source } : resource, resource);
    } else {
      const key = [resource.provider, resource.kind, resource.apiVersion, resource.namespace, resource.name, resource.uid, resource.arn, resource.region, resource.accountId,
        source?.file, source?.line].join('\u0000');
      const seen = this.byKey.get(key);
      if (seen !== undefined) i = seen;
      else {
        i = this.add(source ? { ...resource, source } : resource, resource);
        this.byKey.set(key, i);
      }
    }
    this.byObject.set(r, i);
    return i;
  }

  /** Whether the finding on the resource at `i` is a system one, unless the check said. */
  isSystem(i: number): boolean {
    return this.systemAt[i]!;
  }

  private add(entry: RunResource, ref: ResourceRef): number {
    const i = this.resources.length;
    this.resources.push(entry);
    this.systemAt.push(inSystemNamespace(ref, this.systemNamespaces));
    return i;
  }
}

/**
 * The reference and source location a finding on `r` reports: a Kubernetes object's ref and file
 * line; a resource translated from Terraform under its address and block line; an AWS resource
 * with its Terraform stand-in name replaced by the address.
 */
function resolveResource(r: K8sObject | ResourceRef, iac: IacMapper | undefined): { resource: ResourceRef; source: Finding['source'] } {
  if (isK8s(r)) return { resource: refOf(r), source: r.$source };
  const tf = iac?.map(r);
  if (tf) return { resource: tf.resource, source: tf.source };
  if (iac && r.provider === 'aws') {
    const name = iac.text(r.name);
    if (name !== r.name) return { resource: { ...r, name }, source: undefined };
  }
  return { resource: r, source: undefined };
}

/** Whether a resource lies in one of the system namespaces (a Namespace: whether it is one). */
function inSystemNamespace(ref: ResourceRef, system: ReadonlySet<string>): boolean {
  const ns = ref.kind === 'Namespace' && ref.provider === 'kubernetes' ? ref.name : ref.namespace;
  return ns !== undefined && system.has(ns);
}

/** Why required evidence is missing, in words a user can act on. */
function missingReason(snapshot: Snapshot, key: EvidenceKey, state: string, gaps: readonly EvidenceGap[]): string {
  const gap = gaps.find((g) => g.key === key.replace(/^(k8s|aws|tool):/, ''));
  const label = key.replace(/^k8s:/, '').replace(/^aws:/, '').replace(/^tool:/, 'tool ');
  if (gap) return `${gap.message.startsWith(label) ? '' : `${label}: `}${gap.message}${gap.fix ? ` (fix: ${gap.fix})` : ''}`;
  if (state !== 'not-collected') return `${label}: collection ${state}`;
  if (key.startsWith('k8s:')) {
    switch (snapshot.kubernetes.source) {
      case 'none': return `${label}: no Kubernetes source in this scan (scan a cluster, pass -f PATH, or use --demo)`;
      case 'files': return `${label}: not in the input files (add them, or pass --complete-inventory if the files are the whole cluster)`;
      default: return `${label}: not collected`;
    }
  }
  if (key.startsWith('aws:')) {
    if (snapshot.aws.source === 'terraform') return `${label}: not in the Terraform input (declared by no resource in it, or a run-time state; add --aws-evidence DIR for it)`;
    return snapshot.aws.source === 'none'
      ? `${label}: no AWS source in this scan (pass --cluster NAME with AWS credentials, or --aws-evidence DIR)`
      : `${label}: not collected`;
  }
  return `${label}: no ${key.slice(5)} report in the input`;
}

/** Whether a rule's evidence was read: `ok`, `partial` (an alternative was not readable) or `missing`. */
interface RuleAccess {
  state: 'ok' | 'partial' | 'missing';
  /** What was not read, in words a user can act on. */
  reason?: string;
  /** The same, one entry per unmet requirement (to tell them apart from the control's own). */
  parts?: string[];
}

/** The state of one evidence requirement: met, met by an alternative with another unreadable, or not met. */
function requirementState(req: EvidenceRequirement, index: SnapshotIndex, snapshot: Snapshot): { state: 'ok' | 'partial' | 'missing' | 'not-collected'; reason?: string } {
  const states = req.anyOf.map((k) => [k, index.state(k)] as const);
  const failed = states.filter(([, s]) => s === 'denied' || s === 'error' || s === 'partial');
  const ok = states.filter(([, s]) => s === 'collected' || s === 'absent');
  const why = (list: readonly (readonly [EvidenceKey, string])[]) => {
    const reasons = [...new Set(list.map(([k, st]) => missingReason(snapshot, k, st, snapshot.gaps)))];
    const text = reasons.length > 3 ? `${reasons.slice(0, 3).join('; ')}; …` : reasons.join('; ');
    // A key no requirement names has no words of its own: its reason already starts with the key.
    return req.what ? `${req.what}: ${text}` : text;
  };
  if (failed.length > 0 && req.alternatives && ok.length > 0) return { state: 'partial', reason: why(failed) };
  if (failed.length > 0) return { state: 'missing', reason: why(failed) };
  if (ok.length === 0) return { state: 'not-collected', reason: why(states) };
  return { state: 'ok' };
}

/** A rule's evidence as requirements: declared keys become one-key requirements named like the control's. */
function ruleRequirements(control: ControlDefinition, rule: RuleMeta | undefined): readonly EvidenceRequirement[] {
  if (!rule?.evidence) return control.requires;
  return rule.evidence.map((e) => {
    if (typeof e !== 'string') return e;
    const named = control.requires.find((r) => r.anyOf.includes(e));
    return { anyOf: [e], what: named?.what ?? '' };
  });
}

function evaluateControl(control: ControlDefinition, index: SnapshotIndex, snapshot: Snapshot, env: ControlEnv): ControlResult {
  // The control's inventory: what a pass needs.
  const missing: string[] = [];
  let anyNotCollected = false;
  /** Requirements met by one alternative while another was unreadable: a pass stands, nothing else. */
  const unreadAlternatives: string[] = [];
  let nothingRead = control.requires.length > 0;
  for (const req of control.requires) {
    const r = requirementState(req, index, snapshot);
    if (r.state === 'missing' || r.state === 'not-collected') missing.push(r.reason!);
    if (r.state === 'not-collected') anyNotCollected = true;
    if (r.state === 'partial') unreadAlternatives.push(r.reason!);
    if (r.state !== 'not-collected') nothingRead = false;
  }

  // Each rule's own evidence: a rule whose evidence was not read is not evaluated.
  const access = new Map<string, RuleAccess>();
  const accessOf = (rule: string): RuleAccess => {
    let a = access.get(rule);
    if (!a) {
      const reasons: string[] = [];
      let partial: string[] = [];
      for (const req of ruleRequirements(control, control.rules?.[rule])) {
        const r = requirementState(req, index, snapshot);
        if (r.state === 'missing' || r.state === 'not-collected') reasons.push(r.reason!);
        else if (r.state === 'partial') partial = [...partial, r.reason!];
      }
      a = reasons.length > 0 ? { state: 'missing', reason: reasons.join(' | '), parts: reasons }
        : partial.length > 0 ? { state: 'partial', reason: partial.join(' | ') }
          : { state: 'ok' };
      access.set(rule, a);
    }
    return a;
  };
  const levelOf = (rule: string): RuleLevel => control.rules?.[rule]?.level ?? 'required';

  // Findings are made as the check reports them, so the check's inputs die young (at 150,000 pods a
  // control reports over a million: kept until the check returned, they all had to be copied by GC).
  const findings: Finding[] = [];
  /**
   * Passing and not-applicable findings, compact: per status, rule and message the indices of their
   * resources (no Finding, ref or string per pass). Messages are interned per control.
   */
  const passed: PassedGroup[] = [];
  const groups = new Map<string, Map<string, PassedGroup>>();
  /** Findings of every status (system ones included), passes too. */
  let total = 0;
  const counts = emptyFindingCounts();
  const systemCounts = emptyFindingCounts();
  let failSeverity: Severity | undefined;
  /** Required failures covered by waivers (a waived warning does not make the control `waived`). */
  let requiredWaived = 0;
  /** Required rules not evaluated on some resource (`error` findings outside system namespaces). */
  let requiredErrors = 0;
  /** The first of them, quoted in the control's message so the cause shows without the findings. */
  let firstRequiredError: Finding | undefined;
  const applied = new Map<string, Finding['waiver']>();
  const notes: string[] = [];
  const unevaluated = new Map<string, UnevaluatedRule>();
  let naReason: string | undefined;
  let manualReason: string | undefined;
  let errorReason: string | undefined;

  /**
   * One instance of each finding message of the control: a check makes its message per resource, and
   * at 150,000 pods hundreds of thousands of failures say the same few thousand things (the findings
   * are kept to the end of the run; the copies die young). Bounded: emptied when full.
   */
  const messages = new Map<string, string>();
  const internMessage = (m: string): string => {
    const known = messages.get(m);
    if (known !== undefined) return known;
    if (messages.size >= 65_536) messages.clear();
    messages.set(m, m);
    return m;
  };

  const markUnevaluated = (rule: string, reason: string) => {
    if (env.filters && ruleSkipped(env.filters, control.id, rule)) return;
    if (!unevaluated.has(rule)) unevaluated.set(rule, { rule, level: levelOf(rule), reason });
  };

  /** The first value known only after apply the check read: nothing it concludes afterwards is a verdict. */
  let unknownRead: string | undefined;

  // With nothing of its evidence read there is nothing to judge (and a check would only see empty lists).
  if (control.check && !nothingRead) {
    const declared = new Set<string>([...control.requires.flatMap((r) => r.anyOf), ...(control.optional ?? [])]);
    const evidence = scopedEvidence(index, control.id, declared);
    const isSystem = (ns: string | undefined) => ns !== undefined && env.system.has(ns);
    /** A pass or not-applicable finding without details or a severity of its own: an index in a group. */
    const compact = (resource: K8sObject | ResourceRef, rule: string, status: 'pass' | 'not-applicable', message: string, system: boolean | undefined) => {
      const a = accessOf(rule);
      if (a.state === 'missing') { markUnevaluated(rule, a.reason!); return; }
      const i = env.table.indexOf(resource);
      const sys = system ?? (isCountedEvidence(resource) ? false : env.table.isSystem(i));
      const key = status === 'pass' ? rule : `${rule}\u0000na`;
      let byMessage = groups.get(key);
      if (!byMessage) { byMessage = new Map(); groups.set(key, byMessage); }
      let g = byMessage.get(message);
      if (!g) {
        g = { rule, status, message: env.iac ? env.iac.text(message) : message, resources: [] };
        byMessage.set(message, g);
        passed.push(g);
      }
      if (sys) (g.system ??= []).push(i);
      else g.resources.push(i);
      (sys ? systemCounts : counts)[status]++;
      total++;
    };
    // Filters (engine/filters.ts): a skipped rule is not evaluated; a namespaced finding outside the namespace filters is not made.
    const filteredOut = (resource: K8sObject | ResourceRef, rule: string) =>
      env.filters !== undefined && (ruleSkipped(env.filters, control.id, rule) || !namespaceKept(env.filters, isK8s(resource) ? resource.metadata.namespace : resource.namespace));
    const report = (input: FindingInput) => {
      if (filteredOut(input.resource, input.rule)) return;
      if ((input.status === 'pass' || input.status === 'not-applicable') && !input.details && !input.severity && !unknownRead) {
        compact(input.resource, input.rule, input.status, input.message, input.system);
        return;
      }
      const a = accessOf(input.rule);
      if (a.state === 'missing') {
        // Whatever the check concluded without the rule's evidence is not a verdict.
        markUnevaluated(input.rule, a.reason!);
        return;
      }
      const f = toFinding(control, input, env.system, env.iac);
      if (unknownRead && f.status !== 'error') {
        f.status = 'error';
        f.message = `not evaluated: ${unknownRead} (with the values that are known: ${f.message})`;
      }
      const level = levelOf(f.rule);
      if (f.status === 'fail' && a.state === 'partial') {
        // A failure seen with one source of the proof unreadable: that source might hold the proof.
        f.status = 'error';
        f.message = `not evaluated: ${a.reason} (with what was read: ${f.message})`;
      }
      if (f.status === 'fail' && level === 'recommended') f.status = 'warn';
      if (f.status === 'fail' || f.status === 'warn') {
        const labels = isK8s(input.resource) ? input.resource.metadata.labels : undefined;
        const w = matchWaiver(env.waivers, control.id, f.rule, f.resource, labels);
        if (w) {
          if (f.status === 'fail' && !f.system) requiredWaived++;
          f.status = 'waived';
          f.waiver = w;
          applied.set(w.id, w);
        }
      }
      if (f.status === 'fail' && !f.system && (!failSeverity || severityRank(f.severity) > severityRank(failSeverity))) failSeverity = f.severity;
      if (f.status === 'error' && !f.system && level === 'required' && requiredErrors++ === 0) firstRequiredError = f;
      (f.system ? systemCounts : counts)[f.status]++;
      f.message = internMessage(f.message);
      findings.push(f);
      total++;
    };
    const ctx: CheckContext = {
      config: env.config,
      now: env.now,
      clusterName: env.clusterName,
      ...(env.firstSeen ? { firstSeen: env.firstSeen } : {}),
      isSystemNamespace: isSystem,
      report,
      pass: (resource, rule, message, details, o) => {
        if (!details && !unknownRead) { if (!filteredOut(resource, rule)) compact(resource, rule, 'pass', message, o?.system); return; }
        const input: FindingInput = { rule, status: 'pass', resource, message };
        if (details) input.details = details;
        if (o?.system !== undefined) input.system = o.system;
        report(input);
      },
      fail: (resource, rule, message, o) => {
        const input: FindingInput = { rule, status: 'fail', resource, message };
        if (o?.severity) input.severity = o.severity;
        if (o?.details) input.details = o.details;
        if (o?.system !== undefined) input.system = o.system;
        report(input);
      },
      unevaluated: (rule, reason, resource) => {
        const a = accessOf(rule);
        if (a.state === 'missing') { markUnevaluated(rule, a.reason!); return; }
        if (resource) report({ rule, status: 'error', resource, message: `not evaluated: ${reason}` });
        else markUnevaluated(rule, reason);
      },
      canEvaluate: (rule) => accessOf(rule).state !== 'missing',
      notApplicable: (reason) => { naReason = reason; },
      manual: (reason) => { manualReason = reason; },
      error: (reason) => { errorReason = reason; },
      note: (text) => { notes.push(text); },
    };
    try {
      const noted = new Set<string>();
      trackUnknownReads({
        read: (what, why) => {
          // Run-time health the configuration cannot hold, read as "no problem": noted, not a reason to withhold the verdict.
          if (why.startsWith('noted: ')) { if (!noted.has(why)) { noted.add(why); notes.push(`${what}: ${why.slice(7)}`); } return; }
          unknownRead ??= `${what} is not known before apply (${why})`;
        },
      }, () => control.check!(evidence, ctx));
    } catch (err) {
      errorReason = `the check failed unexpectedly: ${err instanceof Error ? err.message : String(err)} (please report this as a bug)`;
    }
  }

  // A rule whose evidence is part of the control's missing inventory is listed as not evaluated even
  // when the check did not mention it (the list is then complete; the status is error or fail anyway).
  // A rule that reads optional evidence is the check's to judge: it may not apply at all.
  if (control.check) {
    for (const rule of Object.keys(control.rules ?? {})) {
      const a = accessOf(rule);
      if (a.state === 'missing' && a.parts!.every((p) => missing.includes(p))) markUnevaluated(rule, a.reason!);
    }
  }
  // A value known only after apply was read: that is why whatever followed (an error, a crash on the missing value) happened.
  if (unknownRead) {
    if (errorReason) notes.push(`the check also reported: ${errorReason}`);
    errorReason = `not evaluated: ${unknownRead}`;
  }
  if (env.iac) {
    const iac = env.iac;
    for (let i = 0; i < notes.length; i++) notes[i] = iac.text(notes[i]!);
    if (errorReason) errorReason = iac.text(errorReason);
    if (naReason) naReason = iac.text(naReason);
    if (manualReason) manualReason = iac.text(manualReason);
  }

  const unevaluatedList = [...unevaluated.values()];
  const requiredUnevaluated = unevaluatedList.filter((u) => u.level === 'required');
  for (const u of unevaluatedList) if (u.level === 'recommended') notes.push(`recommended rule ${u.rule} not evaluated: ${u.reason}`);
  /** A rule's missing evidence that the control's own missing inventory does not already name. */
  const beyondInventory = (u: UnevaluatedRule) => {
    const parts = access.get(u.rule)?.parts;
    return parts ? parts.some((p) => !missing.includes(p)) : !missing.includes(u.reason);
  };
  /** Why a verdict could not be reached, cause first: missing inventory, rules not evaluated, the check's own error. */
  const gapsOfVerdict = [
    ...missing,
    ...requiredUnevaluated.filter(beyondInventory).map((u) => `${u.rule}: ${u.reason}`),
    ...(firstRequiredError ? [`${requiredErrors} resource(s) with a required rule not evaluated, e.g. ${firstRequiredError.rule} on ${firstRequiredError.resource.kind} ${firstRequiredError.resource.namespace ? `${firstRequiredError.resource.namespace}/` : ''}${firstRequiredError.resource.name}: ${firstRequiredError.message.replace(/^not evaluated: /, '')}`] : []),
  ];

  let status: Status;
  let message: string;
  const decided = counts.pass + counts.fail + counts.waived;
  const warnings = counts.warn > 0 ? `, ${counts.warn} warning${counts.warn === 1 ? '' : 's'}` : '';
  if (counts.fail > 0) {
    // A required rule failed on evidence that was read: missing evidence elsewhere cannot undo that.
    status = 'fail';
    message = `${counts.fail} failing, ${counts.pass} passing${counts.waived ? `, ${counts.waived} waived` : ''}${warnings}: ${topRules(findings)}`;
    if (gapsOfVerdict.length > 0 || errorReason) {
      notes.push(`failing on the evidence that was read; not evaluated (could only add failures): ${[...gapsOfVerdict, ...(errorReason ? [errorReason] : [])].join(' | ')}`);
    }
  } else if (!control.check && control.automation === 'automated') {
    status = 'error';
    message = 'no check is implemented for this control yet';
  } else if (nothingRead && control.check) {
    status = 'error';
    message = `evidence not collected: ${missing.join(' | ')}`;
  } else if (gapsOfVerdict.length > 0 || errorReason) {
    status = 'error';
    // The missing evidence is the cause: it leads. What the check made of the partial evidence
    // ("the cluster description has no resourcesVpcConfig" when DescribeCluster was denied) follows as a note.
    message = gapsOfVerdict.length > 0 ? `evidence ${anyNotCollected ? 'not collected' : 'incomplete'}: ${gapsOfVerdict.join(' | ')}` : errorReason!;
    if (errorReason && gapsOfVerdict.length > 0) notes.push(`with the evidence that could be read, the check reported: ${errorReason}`);
    if (total > 0) notes.push(`${total} findings below come from incomplete evidence`);
  } else if (naReason && unreadAlternatives.length > 0) {
    // "Nothing in scope" seen with one source unreadable: that source might show something in scope.
    status = 'error';
    message = `evidence incomplete (the unreadable source could change the verdict "not-applicable"): ${unreadAlternatives.join(' | ')}`;
    notes.push(`with the evidence that could be read: ${naReason}`);
  } else if (naReason) {
    status = 'not-applicable';
    message = naReason;
  } else if (requiredWaived > 0 && control.automation === 'automated' && !manualReason) {
    status = 'waived';
    message = `${requiredWaived} failing finding(s) covered by waivers, ${counts.pass} passing${warnings}`;
  } else if (manualReason || control.automation !== 'automated') {
    const why = manualReason ?? (control.check
      ? `automated signals pass (${decided} checked${warnings}); ${control.attestation ?? 'the rest needs a human attestation'}`
      : control.attestation ?? 'needs a human attestation');
    if (env.attested) {
      status = requiredWaived > 0 ? 'waived' : 'pass';
      message = `attested by ${env.attested.attestedBy} on ${env.attested.date} (valid until ${env.attested.validUntil}); ${why}`;
    } else {
      status = 'manual';
      message = why;
    }
  } else if (decided === 0 && counts.warn === 0) {
    status = 'not-applicable';
    message = total > 0
      ? `nothing in scope outside system namespaces (${total} system findings reported separately)`
      : 'nothing in scope to evaluate';
    // Said so when the run's namespace filters may be why (README "Filters").
    if (env.filters?.namespaces?.length || env.filters?.excludeNamespaces?.length) message += ' with the namespace filters of this run';
  } else {
    status = 'pass';
    message = `${counts.pass} passing${counts.waived ? `, ${counts.waived} waived` : ''}${warnings}`;
  }

  if (unreadAlternatives.length > 0 && (status === 'pass' || status === 'manual')) {
    notes.push(`proven from the evidence that was read; not readable: ${unreadAlternatives.join(' | ')}`);
  }

  return {
    id: control.id,
    title: control.title,
    section: control.section,
    sectionTitle: SECTIONS[control.section],
    subheading: control.subheading,
    tsc: control.tsc,
    owners: { primary: ownerRefs(control.owners.primary, env.config), supporting: ownerRefs(control.owners.supporting, env.config) },
    automation: control.automation,
    // The result's severity: the highest among its failing findings, else the catalog's default (resultSeverity).
    severity: failSeverity ?? control.severity,
    defaultSeverity: control.severity,
    status,
    message,
    description: control.description,
    evidence: { required: control.requires.map((r) => r.what), missing: status === 'pass' || status === 'manual' ? [] : [...gapsOfVerdict, ...(status === 'error' ? unreadAlternatives : [])] },
    notes,
    rules: ruleInfos(control),
    unevaluated: unevaluatedList,
    findings,
    passed,
    counts,
    systemCounts,
    ...(failSeverity ? { failSeverity } : {}),
    ...(env.attested && (status === 'pass' || status === 'waived') && control.automation !== 'automated' ? { attestation: env.attested } : {}),
    ...(control.attestation || control.automation !== 'automated' ? { attestationRequired: control.attestation ?? 'a human attestation' } : {}),
    waivers: [...applied.values()].filter((w): w is NonNullable<typeof w> => w !== undefined),
    remediation: control.remediation,
    references: control.references,
  };
}

/** The rules of a control as a run reports them (one array per control, shared by its runs). */
const ruleInfoCache = new WeakMap<ControlDefinition, RuleInfo[]>();
export function ruleInfos(control: ControlDefinition): RuleInfo[] {
  let infos = ruleInfoCache.get(control);
  if (!infos) {
    infos = Object.entries(control.rules ?? {}).map(([id, r]) => ({ id, title: r.title, level: r.level ?? 'required', severity: r.severity }));
    ruleInfoCache.set(control, infos);
  }
  return infos;
}

function isK8s(r: K8sObject | ResourceRef): r is K8sObject {
  return (r as K8sObject).metadata !== undefined;
}

/**
 * The ResourceRef of a Kubernetes object, made once per object and shared by all its findings
 * (a workload has a dozen findings per control; at 150,000 pods that is millions of refs saved).
 * Findings are plain data that renderers never mutate, so sharing is safe.
 */
const refCache = new WeakMap<K8sObject, ResourceRef>();

function refOf(o: K8sObject): ResourceRef {
  let ref = refCache.get(o);
  if (!ref) {
    ref = {
      provider: 'kubernetes',
      apiVersion: o.apiVersion,
      kind: o.kind,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      name: o.metadata.name ?? o.metadata.generateName ?? '(unnamed)',
      ...(o.metadata.uid ? { uid: o.metadata.uid } : {}),
    };
    refCache.set(o, ref);
  }
  return ref;
}

function toFinding(control: ControlDefinition, input: FindingInput, system: ReadonlySet<string>, iac?: IacMapper): Finding {
  const { resource, source } = resolveResource(input.resource, iac);
  const message = iac ? iac.text(input.message) : input.message;
  const severity = input.severity ?? control.rules?.[input.rule]?.severity ?? control.severity;
  const f: Finding = {
    rule: input.rule,
    status: input.status,
    severity,
    resource,
    message,
  };
  if (source) f.source = source;
  if (input.system ?? (isCountedEvidence(input.resource) ? false : inSystemNamespace(resource, system))) f.system = true;
  if (input.details) f.details = input.details as Record<string, JsonValue>;
  return f;
}

function topRules(findings: readonly Finding[]): string {
  const byRule = new Map<string, number>();
  for (const f of findings) if (f.status === 'fail' && !f.system) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  const top = [...byRule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
  return top.map(([r, n]) => `${r} ×${n}`).join(', ') + (byRule.size > 4 ? ', …' : '');
}

function ownerRefs(roles: readonly string[], config: EffectiveConfig): OwnerRef[] {
  return roles.map((role) => (config.owners[role] ? { role, owner: config.owners[role] } : { role }));
}

export function summarize(controls: readonly ControlResult[]): RunSummary {
  const c = emptyCounts();
  const f = emptyFindingCounts();
  const bySection: Record<string, StatusCounts> = {};
  const byTsc: Record<string, StatusCounts> = {};
  let controlsWithWarnings = 0;
  for (const r of controls) {
    c[r.status]++;
    // Stored run@1 results have no `warn` count.
    for (const k of FINDING_STATUSES as readonly FindingStatus[]) f[k] += (r.counts as Partial<Record<FindingStatus, number>>)[k] ?? 0;
    if ((r.counts.warn ?? 0) > 0) controlsWithWarnings++;
    (bySection[r.section] ??= emptyCounts())[r.status]++;
    for (const t of r.tsc) (byTsc[t] ??= emptyCounts())[r.status]++;
  }
  return { controls: c, findings: f, controlsWithWarnings, score: score(c), bySection, byTsc };
}

/** Share of applicable controls that pass or are waived, in percent with one decimal. */
export function score(c: StatusCounts): number {
  const applicable = c.pass + c.fail + c.manual + c.waived + c.error;
  return applicable === 0 ? 100 : Math.round(((c.pass + c.waived) / applicable) * 1000) / 10;
}
