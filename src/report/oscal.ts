import { createHash } from 'node:crypto';
import type { ControlResult, Finding, PeriodControl, PeriodResult, RunResult, Status } from '../model/index.js';
import { SECTIONS } from '../model/index.js';
import { eachFinding } from '../model/findings.js';
import { VERDICT_LABEL, clusterLabel } from './markdown.js';
import { resourceLabel } from './terminal.js';
import { writeJson } from './json-writer.js';
import { verificationText } from './verification.js';
import { PERIOD_LEFT_OUT, RUN_LEFT_OUT, leftOutText, periodLeftOut, runLeftOut } from './filters.js';
import type { LeftOutItem } from './filters.js';

/** OSCAL version the output declares and is validated against (vendored schema, src/report/schemas/oscal). */
export const OSCAL_VERSION = '1.1.3';
/** Namespace of this tool's OSCAL properties. */
export const OSCAL_NS = 'https://eks-soc2.dev/ns/oscal';
/**
 * There is no separate assessment plan document: the catalog is the plan. `import-ap` points at
 * this stable placeholder (docs/reports.md), one per catalog version.
 */
export function assessmentPlanHref(catalogVersion: string): string {
  return `urn:eks-soc2:assessment-plan:catalog-${encodeURIComponent(catalogVersion)}`;
}

// Namespace for the name-based (v5) UUIDs of this tool's OSCAL documents.
const UUID_NAMESPACE = '6f1d7c1e-2a55-4d3b-9b0e-5e2f8a9c4b71';

/** RFC 4122 version 5 (SHA-1, name-based) UUID: the same name always gives the same UUID. */
export function uuidV5(name: string, namespace = UUID_NAMESPACE): string {
  const h = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Json = string | number | boolean | Json[] | { [k: string]: Json };
interface Prop { name: string; value: string; ns?: string; class?: string }

/** OSCAL StringDatatype: non-empty, no leading/trailing whitespace, one line. */
function str(v: string, max = 1000): string {
  const s = v.replace(/\s+/g, ' ').trim().slice(0, max).trim();
  return s || '-';
}

function prop(name: string, value: string): Prop {
  return { name, ns: OSCAL_NS, value: str(value) };
}

/** An evidence link is kept only when it is an absolute http(s) URL (uri-reference must hold). */
function safeHref(s: string | undefined): string | undefined {
  if (!s || /\s/.test(s)) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const SATISFIED: Record<Status, { state: 'satisfied' | 'not-satisfied'; reason: 'pass' | 'fail' | 'other' }> = {
  pass: { state: 'satisfied', reason: 'pass' },
  waived: { state: 'satisfied', reason: 'other' },
  'not-applicable': { state: 'satisfied', reason: 'other' },
  fail: { state: 'not-satisfied', reason: 'fail' },
  error: { state: 'not-satisfied', reason: 'other' },
  manual: { state: 'not-satisfied', reason: 'other' },
};

function resourceIdentity(f: Finding): string {
  const r = f.resource;
  return [r.provider, r.accountId ?? '', r.region ?? '', r.kind, r.namespace ?? '', r.name, r.arn ?? ''].join('|');
}

/** A resource described by props: provider, kind, name, namespace and ARN when it has them. */
function resourceProps(f: Finding): Prop[] {
  return [
    prop('provider', f.resource.provider), prop('kind', f.resource.kind), prop('name', f.resource.name),
    ...(f.resource.namespace ? [prop('namespace', f.resource.namespace)] : []),
    ...(f.resource.arn ? [prop('arn', f.resource.arn)] : []),
  ];
}

function toolParts(seed: string, version: string): { componentUuid: string; platformUuid: string; localDefinitions: Json } {
  const componentUuid = uuidV5(`tool|eks-soc2|${version}`);
  const platformUuid = uuidV5(`platform|${seed}`);
  return {
    componentUuid,
    platformUuid,
    localDefinitions: {
      components: [{
        uuid: componentUuid, type: 'software', title: `eks-soc2 ${version}`,
        description: 'Open-source CLI that collects Kubernetes and AWS evidence read-only and evaluates SOC 2 controls for Amazon EKS.',
        status: { state: 'operational' },
      }],
      'assessment-assets': {
        'assessment-platforms': [{ uuid: platformUuid, title: `eks-soc2 ${version}`, 'uses-components': [{ 'component-uuid': componentUuid }] }],
      },
    },
  };
}

function controlProps(c: Pick<ControlResult, 'section' | 'tsc' | 'automation' | 'severity' | 'owners'>): Prop[] {
  return [
    prop('section', `${c.section} ${SECTIONS[c.section]}`),
    ...c.tsc.map((t) => ({ ...prop('tsc', t), class: 'soc2-tsc' })),
    prop('automation', c.automation),
    prop('severity', c.severity),
    ...c.owners.primary.map((o) => prop('owner', o.owner ? `${o.role} (${o.owner})` : o.role)),
  ];
}

/**
 * OSCAL 1.1.x assessment-results (JSON) for one run: reviewed controls; one observation per group of
 * findings alike but for their resource (rule, status, severity, message; system ones apart), whose
 * subjects are those resources, each described once as an inventory item of the result's local
 * definitions; a finding with a waiver or details is an observation of its own with its resource
 * inline; one finding per control with its TSC mapping and satisfied / not-satisfied. UUIDs are
 * name-based, so rendering the same run twice gives the same document.
 */
export function renderOscal(run: RunResult, write: (chunk: string) => void): void {
  const seed = `${run.runId ?? run.snapshotDigest ?? run.startedAt}|${run.cluster.arn ?? run.cluster.name ?? run.cluster.context ?? ''}`;
  const tool = toolParts(seed, run.tool.version);
  const origins: Json = [{ actors: [{ type: 'assessment-platform', 'actor-uuid': tool.platformUuid }] }];
  const evidence = (extra: Prop[] = []): Json => [{
    description: `eks-soc2 run ${run.runId ?? '(not stored)'}${run.snapshotDigest ? `, snapshot sha256 ${run.snapshotDigest}` : ''}, collected ${run.finishedAt}`,
    props: [
      ...(run.runId ? [prop('run-id', run.runId)] : []),
      ...(run.snapshotDigest ? [prop('snapshot-digest', run.snapshotDigest)] : []),
      ...extra,
    ] as unknown as Json,
  }].map((e) => ((e.props as Json[]).length ? e : { description: e.description }));

  const observations: Json[] = [];
  const findings: Json[] = [];
  // The resources of grouped findings, each described once as an inventory item of the result; the
  // observations name them by UUID (at 150,000 pods a run has two million findings, 350,000 failing).
  // A subject reference per resource, shared by every observation that names it.
  const inventory = new Map<string, { subject: Json; item: Json }>();
  const subjectOf = (f: Finding): Json => {
    const id = resourceIdentity(f);
    let known = inventory.get(id);
    if (!known) {
      const uuid = uuidV5(`resource|${id}`);
      known = {
        subject: { 'subject-uuid': uuid, type: 'inventory-item' },
        item: {
          uuid,
          description: resourceLabel(f.resource),
          props: [...resourceProps(f), ...(f.source ? [prop('source', `${f.source.file}:${f.source.line}`)] : [])] as unknown as Json,
        },
      };
      inventory.set(id, known);
    }
    return known.subject;
  };
  /** The props of an observation of a control's findings: control, rule, status, severity, rule level (from the control's `levels`), system namespace. */
  const findingProps = (controlId: string, f: Finding, levels: ReadonlyMap<string, string>): Prop[] => [
    prop('control', controlId), prop('rule', f.rule), prop('status', f.status), prop('severity', f.severity),
    ...(levels.has(f.rule) ? [prop('rule-level', levels.get(f.rule)!)] : []),
    ...(f.system ? [prop('system-namespace', 'true')] : []),
  ];
  for (const c of run.controls) {
    const related: string[] = [];
    const levels = new Map(c.rules.map((r) => [r.id, r.level]));
    /** Findings alike but for their resource (no waiver, no details): one observation each, with every resource as a subject. */
    const groups = new Map<string, { f: Finding; subjects: Json[] }>();
    let i = 0;
    for (const f of eachFinding(run, c)) {
      const k = i++;
      if (!f.waiver && f.details === undefined) {
        const key = `${f.rule}\u0000${f.status}\u0000${f.severity}\u0000${f.system ? 1 : 0}\u0000${f.message}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { f, subjects: [] }));
        g.subjects.push(subjectOf(f));
        continue;
      }
      const uuid = uuidV5(`${seed}|obs|${c.id}|${f.rule}|${resourceIdentity(f)}|${k}`);
      related.push(uuid);
      observations.push({
        uuid,
        title: `${c.id} ${f.rule}: ${resourceLabel(f.resource)}`,
        description: `${f.status}: ${f.message}`,
        props: [
          ...findingProps(c.id, f, levels),
          ...(f.waiver ? [prop('waiver', `${f.waiver.id} approved by ${f.waiver.approvedBy}, expires ${f.waiver.expires}`)] : []),
        ] as unknown as Json,
        methods: ['TEST'],
        types: ['control-objective'],
        origins,
        subjects: [{
          'subject-uuid': uuidV5(`resource|${resourceIdentity(f)}`),
          type: 'resource',
          title: resourceLabel(f.resource),
          props: resourceProps(f) as unknown as Json,
        }],
        'relevant-evidence': evidence(f.source ? [prop('source', `${f.source.file}:${f.source.line}`)] : []),
        collected: run.finishedAt,
      });
    }
    for (const [key, { f, subjects }] of groups) {
      const uuid = uuidV5(`${seed}|obs|${c.id}|group|${key}`);
      related.push(uuid);
      const n = subjects.length;
      observations.push({
        uuid,
        title: `${c.id} ${f.rule}: ${n.toLocaleString('en-US')} resource${n === 1 ? '' : 's'}`,
        description: `${f.status}: ${f.message}`,
        props: [...findingProps(c.id, f, levels), prop('resources', String(n))] as unknown as Json,
        methods: ['TEST'],
        types: ['control-objective'],
        origins,
        subjects,
        'relevant-evidence': evidence(),
        collected: run.finishedAt,
      });
    }
    if (i === 0 || c.attestation) {
      const uuid = uuidV5(`${seed}|obs|${c.id}|control`);
      related.push(uuid);
      const a = c.attestation;
      const href = safeHref(a?.evidence);
      observations.push({
        uuid,
        title: `${c.id} ${c.title}`,
        description: `${c.status}: ${c.message}`,
        props: [prop('control', c.id), prop('status', c.status)] as unknown as Json,
        methods: [a || c.automation === 'manual' ? 'EXAMINE' : 'TEST'],
        types: ['control-objective'],
        origins,
        'relevant-evidence': a
          ? [{
              ...(href ? { href } : {}),
              description: `Attestation by ${a.attestedBy} on ${a.date}, valid until ${a.validUntil}: ${a.statement}${a.evidence && !href ? ` (evidence: ${a.evidence})` : ''}`,
              ...(a.sha256 ? { props: [prop('evidence-sha256', a.sha256)] as unknown as Json } : {}),
            }]
          : evidence(c.evidence.missing.length ? [prop('missing-evidence', c.evidence.missing.join(', '))] : []),
        collected: run.finishedAt,
      });
    }
    // A rule not evaluated as a whole has no resource: it is an observation of the control itself.
    for (const u of c.unevaluated) {
      const uuid = uuidV5(`${seed}|obs|${c.id}|unevaluated|${u.rule}`);
      related.push(uuid);
      observations.push({
        uuid,
        title: `${c.id} ${u.rule}: not evaluated`,
        description: `not evaluated (${u.level} rule): ${u.reason}`,
        props: [prop('control', c.id), prop('rule', u.rule), prop('status', 'not-evaluated'), prop('rule-level', u.level)] as unknown as Json,
        methods: ['TEST'],
        types: ['control-objective'],
        origins,
        'relevant-evidence': evidence([prop('missing-evidence', u.reason)]),
        collected: run.finishedAt,
      });
    }
    // The state follows the control's status only: warnings (failed recommended rules) never make it not-satisfied.
    const st = SATISFIED[c.status];
    const remarks = [
      ...(c.waivers.length ? [`Waived: ${c.waivers.map((w) => `${w.id} (${w.reason}; approved by ${w.approvedBy}; expires ${w.expires})`).join('; ')}`] : []),
      ...(c.counts.warn ? [`${c.counts.warn} warning(s): recommended rules that failed (${[...new Set(c.findings.filter((f) => f.status === 'warn' && !f.system).map((f) => f.rule))].join(', ')}); observations, not a failure of the control.`] : []),
      ...(c.unevaluated.length ? [`Not evaluated: ${c.unevaluated.map((u) => `${u.rule} (${u.level})`).join(', ')}.`] : []),
    ];
    findings.push({
      uuid: uuidV5(`${seed}|finding|${c.id}`),
      title: `${c.id} ${c.title}`,
      description: c.message || c.status,
      props: [...controlProps(c), prop('status', c.status), ...(c.counts.warn ? [prop('warnings', String(c.counts.warn))] : [])] as unknown as Json,
      origins,
      target: {
        type: 'objective-id',
        'target-id': c.id,
        status: { state: st.state, reason: st.reason, ...(c.status === 'error' ? { remarks: `Evidence could not be collected: ${c.evidence.missing.join(', ') || c.message}` } : {}) },
        ...(c.status === 'not-applicable' ? { 'implementation-status': { state: 'not-applicable', remarks: c.message } } : {}),
      },
      ...(related.length ? { 'related-observations': related.map((u) => ({ 'observation-uuid': u })) } : {}),
      ...(remarks.length ? { remarks: remarks.join('\n') } : {}),
    });
  }

  const leftOut = runLeftOut(run.filters);
  const doc = {
    'assessment-results': {
      uuid: uuidV5(`${seed}|assessment-results`),
      metadata: {
        title: `eks-soc2 assessment results — ${clusterLabel(run)}`,
        published: run.finishedAt,
        'last-modified': run.finishedAt,
        version: str(run.catalogVersion),
        'oscal-version': OSCAL_VERSION,
        props: [
          prop('tool-version', run.tool.version),
          ...(run.runId ? [prop('run-id', run.runId)] : []),
          ...(run.snapshotDigest ? [prop('snapshot-digest', run.snapshotDigest)] : []),
        ],
      },
      'import-ap': { href: assessmentPlanHref(run.catalogVersion), remarks: 'The eks-soc2 control catalog is the assessment plan; no separate plan document exists.' },
      results: [{
        uuid: uuidV5(`${seed}|result`),
        title: `SOC 2 controls for ${clusterLabel(run)}`,
        description: `Automated evaluation of ${run.controls.length} controls; score ${run.summary.score}% (sources: kubernetes ${run.sources.kubernetes}, aws ${run.sources.aws}).`,
        start: run.startedAt,
        end: run.finishedAt,
        props: [
          prop('cluster', clusterLabel(run)),
          ...(run.cluster.arn ? [prop('cluster-arn', run.cluster.arn)] : []),
          ...(run.cluster.accountId ? [prop('account-id', run.cluster.accountId)] : []),
          ...(run.cluster.region ? [prop('region', run.cluster.region)] : []),
          prop('score', String(run.summary.score)),
          ...leftOutProps(leftOut),
        ],
        'local-definitions': inventory.size ? { ...(tool.localDefinitions as Record<string, Json>), 'inventory-items': [...inventory.values()].map((x) => x.item) } : tool.localDefinitions,
        'reviewed-controls': { 'control-selections': [reviewed(run.controls.map((c) => c.id), RUN_LEFT_OUT, leftOut)] },
        ...(observations.length ? { observations } : {}),
        ...(findings.length ? { findings } : {}),
        ...leftOutRemarks(RUN_LEFT_OUT, leftOut),
      }],
    },
  };
  writeJson(doc, write);
  write('\n');
}

/** A window bound given as a date becomes the start or end of that day (UTC). */
function toDateTime(s: string, edge: 'start' | 'end'): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T${edge === 'start' ? '00:00:00' : '23:59:59'}Z` : s;
}

/** OSCAL `TokenDatatype`, which a control-id must be. */
const TOKEN = /^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u;

/**
 * The control selection of the result: the evaluated controls, and the controls the run (or the
 * report) left out as `exclude-controls` with a remark saying why.
 */
function reviewed(ids: string[], heading?: string, items: LeftOutItem[] = []): Json {
  const unique = [...new Set(ids)];
  const skipped = [...new Set(items.find((i) => i.kind === 'skipControls')?.values ?? [])].filter((id) => TOKEN.test(id));
  return {
    ...(unique.length ? { 'include-controls': unique.map((id) => ({ 'control-id': id })) } : { 'include-all': {} }),
    ...(skipped.length ? { 'exclude-controls': skipped.map((id) => ({ 'control-id': id })), remarks: `${heading}: ${leftOutText(items.find((i) => i.kind === 'skipControls')!)}.` } : {}),
  };
}

/** Result props naming what was left out (`skipped-control`, `skipped-rule`, `namespace`, `excluded-namespace`), one per value. */
const LEFT_OUT_PROP: Record<LeftOutItem['kind'], string> = {
  skipControls: 'skipped-control', skipRules: 'skipped-rule', namespaces: 'namespace', excludeNamespaces: 'excluded-namespace',
};
function leftOutProps(items: LeftOutItem[]): Prop[] {
  return items.flatMap((i) => i.values.map((v) => ({ ...prop(LEFT_OUT_PROP[i.kind], v), class: 'filter' })));
}

/** The result's remarks: every filter in the tool's words. */
function leftOutRemarks(heading: string, items: LeftOutItem[]): { remarks?: string } {
  return items.length ? { remarks: `${heading}:\n${items.map((i) => `- ${leftOutText(i)}`).join('\n')}` } : {};
}

const VERDICT_STATE: Record<PeriodControl['verdict'], { state: 'satisfied' | 'not-satisfied'; reason: 'pass' | 'fail' | 'other' }> = {
  'operated-effectively': { state: 'satisfied', reason: 'pass' },
  'exceptions-noted': { state: 'not-satisfied', reason: 'fail' },
  'not-operating': { state: 'not-satisfied', reason: 'fail' },
  'insufficient-evidence': { state: 'not-satisfied', reason: 'other' },
};

/** OSCAL assessment-results for an audit period: results[0] spans the window, one finding per control and cluster. */
export function renderPeriodOscal(period: PeriodResult, write: (chunk: string) => void): void {
  const seed = `period|${period.from}|${period.to}|${period.clusters.map((c) => c.key).join(',')}`;
  const tool = toolParts(seed, period.tool.version);
  const origins: Json = [{ actors: [{ type: 'assessment-platform', 'actor-uuid': tool.platformUuid }] }];
  const observations: Json[] = [];
  const findings: Json[] = [];
  // First: the evidence store's chain check. A broken chain is a finding of its own, not satisfied.
  const ev = verificationText(period);
  if (ev && period.verification) {
    const v = period.verification;
    const obsUuid = uuidV5(`${seed}|obs|evidence-verification`);
    observations.push({
      uuid: obsUuid,
      title: 'Evidence store hash chain verification',
      description: [ev.headline, ...ev.heads, ...ev.problems].join('\n'),
      props: [prop('evidence-chain', v.ok ? 'verified' : 'broken'), prop('runs-checked', String(v.runsChecked)),
        ...v.clusters.flatMap((c) => (c.head ? [prop('chain-head', `${c.key} #${c.head.seq} ${c.head.hash}`)] : []))] as unknown as Json,
      methods: ['TEST'],
      types: ['historic'],
      origins,
      collected: v.checkedAt,
    });
    findings.push({
      uuid: uuidV5(`${seed}|finding|evidence-verification`),
      title: v.ok ? 'The evidence behind this period verifies' : 'EVIDENCE NOT VERIFIED: the stored runs behind this period were altered',
      description: ev.headline,
      props: [prop('evidence-chain', v.ok ? 'verified' : 'broken'), prop('problems', String(v.problemCount))] as unknown as Json,
      origins,
      target: { type: 'objective-id', 'target-id': 'evidence-chain', status: { state: v.ok ? 'satisfied' : 'not-satisfied', ...(v.ok ? {} : { reason: 'other' }) } },
      'related-observations': [{ 'observation-uuid': obsUuid }],
    });
  }
  for (const cl of period.clusters) {
    for (const c of cl.controls) {
      const obsUuid = uuidV5(`${seed}|obs|${cl.key}|${c.id}`);
      const samples = c.timeline.map((s) => ({
        description: `run ${s.runId} at ${s.at}: ${s.status}${s.failing ? ` (${s.failing} failing)` : ''}${s.warnings ? ` (${s.warnings} warning(s))` : ''}`,
        props: [prop('run-id', s.runId), prop('status', s.status), ...(s.snapshotDigest ? [prop('snapshot-digest', s.snapshotDigest)] : [])],
      }));
      const attest = c.attestations.map((a) => {
        const href = safeHref(a.evidence);
        return { ...(href ? { href } : {}), description: `Attestation by ${a.attestedBy} on ${a.date}, valid until ${a.validUntil}: ${a.statement}` };
      });
      const ev = [...samples, ...attest];
      observations.push({
        uuid: obsUuid,
        title: `${c.id} over ${period.from.slice(0, 10)} — ${period.to.slice(0, 10)} (${clusterLabel(cl)})`,
        description: `${c.samples} samples, pass rate ${Math.round(c.passRate * 1000) / 10}%, ${c.failIntervals.length} fail intervals; ${c.verdictReason}`
          + (c.warnings ? `; observation: warnings (recommended rules, not exceptions) in ${c.warnings.samples} sample(s): ${c.warnings.rules.map((r) => r.rule).join(', ')}` : '')
          + (c.evidenceGaps?.length ? `; evidence not read: ${c.evidenceGaps.map((g) => `${g.reason} (${g.samples} sample(s), ${g.failing} failing)`).join('; ')}` : ''),
        props: [
          prop('control', c.id), prop('cluster', cl.key), prop('verdict', c.verdict),
          ...(c.warnings ? [prop('samples-with-warnings', String(c.warnings.samples))] : []),
        ] as unknown as Json,
        methods: [c.automation === 'manual' ? 'EXAMINE' : 'TEST'],
        types: ['control-objective', 'historic'],
        origins,
        ...(ev.length ? { 'relevant-evidence': ev as unknown as Json } : {}),
        collected: c.timeline.at(-1)?.at ?? period.generatedAt,
      });
      const st = VERDICT_STATE[c.verdict];
      findings.push({
        uuid: uuidV5(`${seed}|finding|${cl.key}|${c.id}`),
        title: `${c.id} ${c.title} (${clusterLabel(cl)})`,
        description: `${VERDICT_LABEL[c.verdict]}: ${c.verdictReason}`,
        props: [...controlProps(c), prop('verdict', c.verdict), prop('pass-rate', String(Math.round(c.passRate * 1000) / 10)), prop('cluster', cl.key)] as unknown as Json,
        origins,
        target: { type: 'objective-id', 'target-id': c.id, status: { state: st.state, reason: st.reason } },
        'related-observations': [{ 'observation-uuid': obsUuid }],
      });
    }
  }
  const ids = period.clusters.flatMap((cl) => cl.controls.map((c) => c.id));
  const leftOut = periodLeftOut(period.filters);
  const resultProps = [
    ...(period.verification ? [prop('evidence-chain', period.verification.ok ? 'verified' : 'broken')] : []),
    ...period.clusters.map((cl) => prop('cluster', cl.key)),
    ...leftOutProps(leftOut),
  ];
  const doc = {
    'assessment-results': {
      uuid: uuidV5(`${seed}|assessment-results`),
      metadata: {
        title: `eks-soc2 audit period ${period.from.slice(0, 10)} — ${period.to.slice(0, 10)}`,
        published: period.generatedAt,
        'last-modified': period.generatedAt,
        version: str(period.tool.version),
        'oscal-version': OSCAL_VERSION,
        props: [prop('tool-version', period.tool.version)],
      },
      'import-ap': { href: assessmentPlanHref('period'), remarks: 'The eks-soc2 control catalog is the assessment plan; no separate plan document exists.' },
      results: [{
        uuid: uuidV5(`${seed}|result`),
        title: `SOC 2 Type II period ${period.from.slice(0, 10)} — ${period.to.slice(0, 10)}`,
        description: `How ${new Set(ids).size} controls operated over the window across ${period.clusters.length} cluster(s).`,
        start: toDateTime(period.from, 'start'),
        end: toDateTime(period.to, 'end'),
        ...(resultProps.length ? { props: resultProps } : {}),
        'local-definitions': tool.localDefinitions,
        'reviewed-controls': { 'control-selections': [reviewed(ids, PERIOD_LEFT_OUT, leftOut)] },
        ...(observations.length ? { observations } : {}),
        ...(findings.length ? { findings } : {}),
        ...leftOutRemarks(PERIOD_LEFT_OUT, leftOut),
      }],
    },
  };
  writeJson(doc, write);
  write('\n');
}
