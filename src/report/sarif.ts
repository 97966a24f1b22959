import { createHash } from 'node:crypto';
import type { ControlResult, Finding, PeriodControl, PeriodResult, ResourceRef, RunResult, Severity, Verdict } from '../model/index.js';
import { clusterLabel, VERDICT_LABEL } from './markdown.js';
import { periodSummary } from './junit.js';
import { resourceLabel } from './terminal.js';
import { writeJson } from './json-writer.js';
import { verificationText } from './verification.js';
import { PERIOD_LEFT_OUT, RUN_LEFT_OUT, leftOutText, periodLeftOut, runLeftOut } from './filters.js';
import type { LeftOutItem } from './filters.js';

/** GitHub code scanning upload limits (docs: "SARIF support for code scanning"). */
export const SARIF_LIMITS = { resultsPerRun: 25_000, locationsPerResult: 1_000, tagsPerRule: 20, runsPerFile: 20 } as const;

export interface SarifOptions {
  /** Absolute paths under this directory become relative URIs (GitHub wants paths relative to the checkout). */
  baseDir?: string;
  /** Override the results limit (tests). */
  maxResults?: number;
}

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * What the run (or period report) left out, one run-level notification per filter: `warning` for
 * skipped controls and rules (a verdict not made or not shown), `note` for a namespace filter.
 */
function leftOutNotes(heading: string, items: LeftOutItem[]): Json[] {
  return items.map((i) => ({
    level: i.level,
    message: { text: `${heading}: ${leftOutText(i)}` },
    properties: { filter: i.kind, values: [...i.values] },
  }));
}

/** `properties.filters` of a SARIF run: the filters as recorded (arrays of ids and globs). */
function filtersProperty(f: { [k: string]: string[] | undefined } | undefined): { filters?: Json } {
  if (!f) return {};
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(f)) if (v?.length) out[k] = [...v];
  return Object.keys(out).length ? { filters: out } : {};
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Stable identity of a finding: control, rule and resource — never the line, which moves. */
export function findingFingerprint(controlId: string, f: Finding): string {
  const r = f.resource;
  return sha256([controlId, f.rule, r.provider, r.apiVersion?.split('/')[0] ?? '', r.kind, r.namespace ?? '', r.name, r.arn ?? ''].join('\u0000'));
}

function toUri(file: string, baseDir: string | undefined): string {
  let p = file.replace(/\\/g, '/');
  const base = baseDir?.replace(/\\/g, '/').replace(/\/+$/, '');
  if (base && p.startsWith(`${base}/`)) p = p.slice(base.length + 1);
  p = p.replace(/^\.\//, '');
  const abs = p.startsWith('/');
  const encoded = p.split('/').map((seg) => encodeURIComponent(seg)).join('/');
  return abs ? `file://${encoded}` : encoded;
}

function ruleHelp(c: ControlResult): { text: string; markdown: string } {
  const cmds = c.remediation.commands ?? [];
  const text = [c.description, '', `Fix: ${c.remediation.summary}`, ...cmds.map((x) => `  $ ${x}`)].join('\n');
  const fence = (body: string, lang: string) => {
    const n = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length)) + 1;
    return `${'`'.repeat(n)}${lang}\n${body}\n${'`'.repeat(n)}`;
  };
  const markdown = [
    `**${c.id} — ${c.title}**`, '', c.description, '', `**Fix:** ${c.remediation.summary}`,
    ...(cmds.length ? ['', fence(cmds.join('\n'), 'sh')] : []),
    ...(c.remediation.manifest ? ['', fence(c.remediation.manifest, 'yaml')] : []),
    ...(c.references.length ? ['', ...c.references.map((r) => `- [${r.title.replace(/[[\]]/g, '')}](${r.url})`)] : []),
    '', `TSC: ${c.tsc.join(', ')} · checklist ${c.section} ${c.subheading}`,
  ].join('\n');
  return { text, markdown };
}

/** A path segment of a synthetic artifact URI: `::` of AWS types becomes `.`, the rest percent-encoded. */
function seg(s: string | undefined, fallback: string): string {
  const t = (s ?? '').trim();
  return encodeURIComponent(t ? t.replace(/::/g, '.') : fallback);
}

/**
 * The artifact a finding without a file points at (GitHub code scanning needs a physical location
 * per result): `eks-soc2/<cluster>/<namespace or _cluster>/<kind>/<name>` for a Kubernetes object,
 * `eks-soc2/aws/<account>/<region>/<type>/<name>` for an AWS resource and
 * `eks-soc2/terraform/<type>/<address>` for a Terraform resource. Relative and stable: the same
 * resource always gets the same path, so the alert stays put between runs.
 */
export function resourceArtifactUri(r: ResourceRef, cluster: Pick<RunResult['cluster'], 'name' | 'context' | 'accountId' | 'region'>): string {
  if (r.provider === 'aws') {
    return ['eks-soc2', 'aws', seg(r.accountId ?? cluster.accountId, '_account'), seg(r.region ?? cluster.region, '_region'), seg(r.kind, '_type'), seg(r.name, '_unnamed')].join('/');
  }
  if (r.provider === 'terraform') return ['eks-soc2', 'terraform', seg(r.kind, '_type'), seg(r.name, '_unnamed')].join('/');
  return ['eks-soc2', seg(cluster.name ?? cluster.context, '_cluster'), seg(r.namespace, '_cluster'), seg(r.kind, '_kind'), seg(r.name, '_unnamed')].join('/');
}

/** The artifact of a result about a control as a whole (aggregated results, period verdicts). */
export function controlArtifactUri(clusterName: string, controlId: string): string {
  return ['eks-soc2', seg(clusterName, '_cluster'), 'controls', seg(controlId, '_control')].join('/');
}

function syntheticLocation(uri: string): Json {
  return { artifactLocation: { uri }, region: { startLine: 1 } };
}

function logicalLocation(r: ResourceRef): Json {
  const fqn = r.provider === 'aws' ? (r.arn ?? `${r.kind}/${r.name}`) : `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
  return { name: r.name, fullyQualifiedName: fqn, kind: 'resource' };
}

/**
 * SARIF 2.1.0 for file scans in CI (GitHub code scanning): one rule per check
 * (`CONTROL/rule`), only failing findings become results, with a file and line when the finding
 * came from a file and a logical location (the resource) otherwise. Beyond GitHub's limits the
 * results of a rule are summarised into one aggregated result and a run-level note says so.
 */
export function renderSarif(run: RunResult, write: (chunk: string) => void, opts: SarifOptions = {}): void {
  const maxResults = opts.maxResults ?? SARIF_LIMITS.resultsPerRun;
  const clusterName = run.cluster.name ?? run.cluster.context ?? 'files';
  const rules: Json[] = [];
  const ruleIndex = new Map<string, number>();
  const perRule = new Map<string, { control: ControlResult; findings: Finding[] }>();

  /** Findings that could not be judged (error) and rules not evaluated: notifications, never alerts. */
  const notEvaluated: Json[] = [];
  const addRule = (c: ControlResult, rid: string) => {
    const id = `${c.id}/${rid}`;
    if (ruleIndex.has(id)) return;
    const info = c.rules.find((r) => r.id === rid);
    // A stored run@1 has no rule levels: a rule with a warn finding is recommended (never there), else required.
    const recommended = info ? info.level === 'recommended' : c.findings.some((f) => f.rule === rid && f.status === 'warn');
    const sev = info?.severity ?? c.findings.find((f) => f.rule === rid && (f.status === 'fail' || f.status === 'warn'))?.severity ?? c.severity;
    // GitHub fails a pull request's check on a security alert of High or above whatever its level, so a
    // recommended rule is no security alert: its results are warnings a check run does not fail on
    // (code scanning's default threshold for other alerts is "error").
    const tags = [...new Set([...(recommended ? ['recommended'] : ['security']), 'soc2', c.section, ...c.tsc.map((t) => `TSC ${t}`), c.automation])].slice(0, SARIF_LIMITS.tagsPerRule);
    const level = recommended ? 'warning' : LEVEL[sev];
    ruleIndex.set(id, rules.length);
    rules.push({
      id,
      name: `${c.id}-${rid}`.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
      shortDescription: { text: `${info?.title ?? c.title} (${rid})` },
      fullDescription: { text: c.description },
      help: ruleHelp(c),
      ...(c.references[0] ? { helpUri: c.references[0].url } : {}),
      defaultConfiguration: { level },
      properties: {
        tags, ...(recommended ? {} : { 'security-severity': SECURITY_SEVERITY[sev] }), precision: 'high',
        'problem.severity': level === 'note' ? 'recommendation' : level, level: recommended ? 'recommended' : 'required', severity: sev,
      },
    });
  };

  for (const c of run.controls) {
    for (const rid of new Set([...c.findings.map((f) => f.rule), ...(c.passed ?? []).map((g) => g.rule)])) addRule(c, rid);
    for (const u of c.unevaluated) addRule(c, u.rule);
    for (const f of c.findings) {
      if (f.system || (f.status !== 'fail' && f.status !== 'warn')) continue;
      const id = `${c.id}/${f.rule}`;
      const entry = perRule.get(id) ?? { control: c, findings: [] };
      entry.findings.push(f);
      perRule.set(id, entry);
    }
    // A rule not evaluated on some resources: one notification per rule (the resources are in the JSON and CSV reports).
    const errors = new Map<string, Finding[]>();
    for (const f of c.findings) if (f.status === 'error' && !f.system) errors.set(f.rule, [...(errors.get(f.rule) ?? []), f]);
    for (const [rid, list] of errors) {
      const id = `${c.id}/${rid}`;
      notEvaluated.push({
        level: 'warning',
        message: { text: `${id} not evaluated on ${list.length} resource(s): ${list.slice(0, 3).map((f) => `${resourceLabel(f.resource)}: ${f.message}`).join('; ')}${list.length > 3 ? '; …' : ''}` },
        associatedRule: { id, index: ruleIndex.get(id)! },
        properties: { control: c.id, count: list.length },
      });
    }
    for (const u of c.unevaluated) {
      const id = `${c.id}/${u.rule}`;
      notEvaluated.push({
        level: 'warning',
        message: { text: `${id} (${u.level} rule) not evaluated: ${u.reason}` },
        associatedRule: { id, index: ruleIndex.get(id)! },
        properties: { control: c.id, level: u.level },
      });
    }
  }

  const total = [...perRule.values()].reduce((n, e) => n + e.findings.length, 0);
  const over = total > maxResults;
  const results: Json[] = [];
  let omitted = 0;
  const aggregate = (id: string, control: ControlResult, count: number, text: string): Json => ({
    ruleId: id,
    ruleIndex: ruleIndex.get(id)!,
    level: resultLevel(perRule.get(id)!.findings[0]!),
    message: { text },
    locations: [{ physicalLocation: syntheticLocation(controlArtifactUri(clusterName, control.id)), logicalLocations: [{ name: control.id, fullyQualifiedName: id, kind: 'module' }] }],
    partialFingerprints: { 'eksSoc2Aggregate/v1': sha256(`aggregate\u0000${id}`) },
    properties: { aggregated: true, count },
  });
  let entries = [...perRule];
  let tail: typeof entries = [];
  let budget = maxResults;
  if (over && entries.length > maxResults) {
    // More rules than slots: the last slot summarises every remaining rule.
    tail = entries.slice(Math.max(0, maxResults - 1));
    entries = entries.slice(0, Math.max(0, maxResults - 1));
    budget = Math.max(0, maxResults - 1);
  }
  entries.forEach(([id, { control, findings }], i) => {
    // Keep at least one slot for each later rule, so every rule is represented.
    const avail = budget - (entries.length - i - 1);
    if (findings.length <= avail) {
      for (const f of findings) results.push(result(id, control, f, ruleIndex.get(id)!, opts.baseDir, run.cluster));
      budget -= findings.length;
      return;
    }
    const shown = findings.slice(0, Math.max(0, avail - 1));
    for (const f of shown) results.push(result(id, control, f, ruleIndex.get(id)!, opts.baseDir, run.cluster));
    const rest = findings.length - shown.length;
    omitted += rest;
    results.push(aggregate(id, control, rest, `${rest} more ${findings[0]!.status === 'warn' ? 'resources with warnings' : 'failing resources'} for ${id} are not listed individually (GitHub accepts ${maxResults} results per run); run \`eks-soc2 scan --control ${control.id} --format csv\` for the full list.`));
    budget -= shown.length + 1;
  });
  if (tail.length) {
    const count = tail.reduce((n, [, e]) => n + e.findings.length, 0);
    omitted += count;
    const [id, { control }] = tail[0]!;
    results.push(aggregate(id, control, count, `${count} more failing or warning findings across ${tail.length} rules (${tail.map(([r]) => r).slice(0, 20).join(', ')}${tail.length > 20 ? ', …' : ''}) are not listed (GitHub accepts ${maxResults} results per run); see the CSV or JSON report.`));
  }

  const notes: Json[] = [
    ...leftOutNotes(RUN_LEFT_OUT, runLeftOut(run.filters)),
    ...(over ? [{ level: 'warning', message: { text: `${total} failing and warning findings exceed GitHub's limit of ${maxResults} results per run: ${omitted} were summarised into one aggregated result per rule.` } }] : []),
    ...notEvaluated,
  ];
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'eks-soc2',
          version: run.tool.version,
          semanticVersion: run.tool.version,
          informationUri: 'https://github.com/eks-soc2/eks-soc2',
          rules,
        },
      },
      automationDetails: { id: `eks-soc2/${run.cluster.name ?? run.cluster.context ?? 'files'}/` },
      invocations: [{
        executionSuccessful: true,
        startTimeUtc: run.startedAt,
        endTimeUtc: run.finishedAt,
        ...(notes.length ? { toolExecutionNotifications: notes } : {}),
      }],
      results,
      properties: {
        catalogVersion: run.catalogVersion, score: run.summary.score, reportSchema: run.schema,
        findings: { fail: run.summary.findings.fail, warn: run.summary.findings.warn, error: run.summary.findings.error },
        ...(run.runId ? { runId: run.runId } : {}),
        ...filtersProperty(run.filters as { [k: string]: string[] | undefined } | undefined),
      },
    }],
  };
  writeJson(log, write);
  write('\n');
}

function result(ruleId: string, c: ControlResult, f: Finding, index: number, baseDir: string | undefined, cluster: RunResult['cluster']): Json {
  const location: Json = {
    physicalLocation: f.source
      ? { artifactLocation: { uri: toUri(f.source.file, baseDir) }, region: { startLine: Math.max(1, f.source.line) } }
      : syntheticLocation(resourceArtifactUri(f.resource, cluster)),
    logicalLocations: [logicalLocation(f.resource)],
  };
  return {
    ruleId,
    ruleIndex: index,
    level: resultLevel(f),
    message: { text: `${resourceLabel(f.resource)}: ${f.status === 'warn' ? 'warning (recommended rule): ' : ''}${f.message}` },
    locations: [location],
    partialFingerprints: { 'eksSoc2Finding/v1': findingFingerprint(c.id, f) },
    properties: { control: c.id, severity: f.severity, status: f.status, ...(f.resource.arn ? { arn: f.resource.arn } : {}) },
  };
}

/** A failure keeps its severity's level; a warning (failed recommended rule) is always `warning`. */
function resultLevel(f: Finding): 'error' | 'warning' | 'note' {
  return f.status === 'warn' ? 'warning' : LEVEL[f.severity];
}

const PERIOD_LEVEL: Record<Exclude<Verdict, 'operated-effectively'>, 'error' | 'warning' | 'note'> = {
  'not-operating': 'error', 'exceptions-noted': 'warning', 'insufficient-evidence': 'note',
};

/**
 * SARIF 2.1.0 of a period: one SARIF run per cluster, one rule per control, and one result for each
 * control that did not operate effectively over the window (error: not operating; warning:
 * exceptions noted; note: insufficient evidence), located at the cluster and the control. The
 * fingerprint is the cluster and the control, so a code-scanning alert follows the control from one
 * period to the next.
 */
export function renderPeriodSarif(p: PeriodResult, write: (chunk: string) => void): void {
  const runs = p.clusters.map((cl): PeriodRun => {
    const label = clusterLabel(cl);
    const rules: Json[] = cl.controls.map((pc) => {
      const tags = [...new Set(['security', 'soc2', 'period', pc.section, ...pc.tsc.map((t) => `TSC ${t}`), pc.automation])].slice(0, SARIF_LIMITS.tagsPerRule);
      return {
        id: pc.id,
        name: pc.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
        shortDescription: { text: pc.title },
        fullDescription: { text: `${pc.title} — checklist ${pc.section} ${pc.subheading}; TSC ${pc.tsc.join(', ')}. Judged over the audit window from every stored run of the cluster.` },
        help: { text: `How ${pc.id} operated between ${p.from.slice(0, 10)} and ${p.to.slice(0, 10)}: \`eks-soc2 report --from ${p.from.slice(0, 10)} --to ${p.to.slice(0, 10)}\` lists every sample with its run id and snapshot digest; \`eks-soc2 scan --run RUN_ID\` re-performs one.` },
        defaultConfiguration: { level: LEVEL[pc.severity] },
        properties: { tags, 'security-severity': SECURITY_SEVERITY[pc.severity], precision: 'high' },
      };
    });
    const results: Json[] = [];
    cl.controls.forEach((pc: PeriodControl, i) => {
      if (pc.verdict === 'operated-effectively') return;
      results.push({
        ruleId: pc.id,
        ruleIndex: i,
        level: PERIOD_LEVEL[pc.verdict],
        message: { text: `${label}: ${periodSummary(pc)}` },
        locations: [{ physicalLocation: syntheticLocation(controlArtifactUri(cl.key, pc.id)), logicalLocations: [{ name: pc.id, fullyQualifiedName: `${cl.key}/${pc.id}`, kind: 'module' }] }],
        partialFingerprints: { 'eksSoc2PeriodControl/v1': sha256(`period\u0000${cl.key}\u0000${pc.id}`) },
        properties: {
          verdict: pc.verdict, verdictLabel: VERDICT_LABEL[pc.verdict], passRate: pc.passRate, samples: pc.samples,
          failIntervals: pc.failIntervals.length, severity: pc.severity,
          ...(pc.timeline.length ? { latestRunId: pc.timeline[pc.timeline.length - 1]!.runId } : {}),
        },
      });
    });
    return {
      tool: { driver: { name: 'eks-soc2', version: p.tool.version, semanticVersion: p.tool.version, informationUri: 'https://github.com/eks-soc2/eks-soc2', rules } },
      automationDetails: { id: `eks-soc2-period/${cl.key}/` },
      invocations: [{ executionSuccessful: true, endTimeUtc: p.generatedAt, ...verificationNotes(p) }],
      results,
      properties: { from: p.from, to: p.to, clusterKey: cl.key, runs: cl.runs, coverage: cl.coverage, summary: cl.summary, ...verificationProperty(p, cl.key), ...filtersProperty(p.filters) },
    };
  });
  writeJson({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: runs.length > SARIF_LIMITS.runsPerFile ? [mergeRuns(runs, p)] : runs }, write);
  write('\n');
}

/**
 * The store's chain check as a run-level notification (an error when it does not verify), then
 * what the report left out (`report --skip-control` / `--skip-rule`).
 */
function verificationNotes(p: PeriodResult): { toolExecutionNotifications?: Json[] } {
  const ev = verificationText(p);
  const notes: Json[] = [];
  if (ev) notes.push({ level: ev.ok ? 'note' : 'error', message: { text: [ev.headline, ...ev.heads, ...ev.problems].join('\n') }, descriptor: { id: 'evidence-verification' } });
  notes.push(...leftOutNotes(PERIOD_LEFT_OUT, periodLeftOut(p.filters)));
  return notes.length ? { toolExecutionNotifications: notes } : {};
}

function verificationProperty(p: PeriodResult, key: string): { evidenceVerification?: Json } {
  const v = p.verification;
  if (!v) return {};
  const c = v.clusters.find((x) => x.key === key);
  return { evidenceVerification: { ok: v.ok && (c?.ok ?? true), store: v.store, checkedAt: v.checkedAt, problems: v.problemCount, ...(c?.head ? { head: c.head } : {}) } };
}

interface PeriodRun { tool: { driver: { rules: Json[] } & Record<string, Json> }; results: Json[]; properties: Record<string, Json>; [k: string]: Json }

/**
 * GitHub accepts at most 20 runs per file: a period of more clusters becomes one run with every
 * control once as a rule and every cluster's results (each names its cluster in the message, the
 * location and the fingerprint).
 */
function mergeRuns(runs: PeriodRun[], p: PeriodResult): Json {
  const rules: Json[] = [];
  const index = new Map<string, number>();
  const results: Json[] = [];
  for (const r of runs) {
    for (const rule of r.tool.driver.rules) {
      const id = (rule as { id: string }).id;
      if (!index.has(id)) { index.set(id, rules.length); rules.push(rule); }
    }
    for (const res of r.results) {
      const x = res as Record<string, Json>;
      results.push({ ...x, ruleIndex: index.get(x.ruleId as string)! });
    }
  }
  return {
    tool: { driver: { ...runs[0]!.tool.driver, rules } },
    automationDetails: { id: 'eks-soc2-period/all-clusters/' },
    invocations: [{ executionSuccessful: true, endTimeUtc: p.generatedAt, ...verificationNotes(p) }],
    results,
    properties: { from: p.from, to: p.to, clusters: runs.map((r) => r.properties), ...filtersProperty(p.filters) },
  };
}
