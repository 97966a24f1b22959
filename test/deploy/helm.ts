/**
 * A tiny renderer for the Go-template subset deploy/helm/eks-soc2 uses — Helm is not installable
 * here. It knows `{{ .Values.a.b }}`, `.Release.Name/Namespace/Service`, `.Chart.Name/Version/AppVersion`,
 * string and number literals, `{{ if X }}`/`{{ else }}`/`{{ end }}` (with `eq A B` and `not X`),
 * pipelines into `quote`, `toYaml`, `nindent N` and `indent N`, `fail "message"` (the render fails
 * with it, as Helm's does), and Go's whitespace trimming (`{{-`, `-}}`). Anything else is an error,
 * so the chart cannot use a construct this renderer would silently get wrong. A value that does not
 * exist is an error when printed (Helm would print nothing), which catches typos in the templates.
 *
 * Like Helm, it validates the merged values against the chart's values.schema.json first (Helm
 * 3.18+ validates JSON Schema draft-07 with santhosh-tekuri/jsonschema; here ajv) and refuses
 * values that do not satisfy it.
 *
 * Output follows `helm template`: documents ordered by Helm's install order of kinds (then name),
 * each preceded by `---` and `# Source: <chart>/templates/<file>`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, stringify } from 'yaml';

type Val = unknown;
type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; expr: string }
  | { t: 'if'; cond: string; then: Node[]; else: Node[] };

interface Scope { Values: Val; Release: Record<string, string>; Chart: Record<string, string> }

function tokenize(src: string, file: string): Node[] {
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  const flat: ({ t: 'text'; s: string } | { t: 'action'; body: string })[] = [];
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1] === '-') text = text.replace(/\s+$/, '');
    flat.push({ t: 'text', s: text });
    flat.push({ t: 'action', body: m[2]! });
    trimNext = m[3] === '-';
    last = re.lastIndex;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  flat.push({ t: 'text', s: tail });

  const root: Node[] = [];
  const stack: { node: Extract<Node, { t: 'if' }>; inElse: boolean }[] = [];
  const push = (n: Node) => {
    const top = stack.at(-1);
    (top ? (top.inElse ? top.node.else : top.node.then) : root).push(n);
  };
  for (const f of flat) {
    if (f.t === 'text') { if (f.s) push(f); continue; }
    const b = f.body.trim();
    if (b.startsWith('/*')) continue;
    if (/^if\s/.test(b)) {
      const node = { t: 'if' as const, cond: b.slice(3).trim(), then: [], else: [] };
      push(node);
      stack.push({ node, inElse: false });
    } else if (b === 'else') {
      if (!stack.length) throw new Error(`${file}: else without if`);
      stack.at(-1)!.inElse = true;
    } else if (b === 'end') {
      if (!stack.pop()) throw new Error(`${file}: end without if`);
    } else if (/^(range|with|define|template|include|block|else if)\b/.test(b)) {
      throw new Error(`${file}: "${b}" is outside the template subset the test renderer supports`);
    } else {
      push({ t: 'out', expr: b });
    }
  }
  if (stack.length) throw new Error(`${file}: if without end`);
  return root;
}

const MISSING = Symbol('missing');

function lookup(scope: Scope, path: string): Val {
  const parts = path.slice(1).split('.');
  let v: Val = scope as unknown as Record<string, Val>;
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || !(p in (v as Record<string, Val>))) return MISSING;
    v = (v as Record<string, Val>)[p];
  }
  return v;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[0]);
  return out;
}

function operand(scope: Scope, tok: string): Val {
  if (tok.startsWith('"')) return JSON.parse(tok) as string;
  if (/^-?\d+$/.test(tok)) return Number(tok);
  if (tok === 'true' || tok === 'false') return tok === 'true';
  if (tok.startsWith('.')) return lookup(scope, tok);
  throw new Error(`unsupported operand "${tok}"`);
}

const truthy = (v: Val) => !(v === MISSING || v === undefined || v === null || v === false || v === '' || v === 0
  || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0));

function toYaml(v: Val): string {
  return stringify(v, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, '');
}

function goString(v: Val): string {
  if (v === MISSING) throw new Error('value does not exist');
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') throw new Error('printing a map or list: use toYaml');
  return String(v);
}

const FUNCS: Record<string, (args: Val[]) => Val> = {
  quote: (a) => JSON.stringify(goString(a[0])),
  toYaml: (a) => toYaml(a[0] === MISSING ? null : a[0]),
  nindent: (a) => `\n${goString(a[1]).split('\n').map((l) => `${' '.repeat(Number(a[0]))}${l}`).join('\n')}`,
  indent: (a) => goString(a[1]).split('\n').map((l) => `${' '.repeat(Number(a[0]))}${l}`).join('\n'),
  eq: (a) => a[0] === a[1],
  not: (a) => !truthy(a[0]),
  fail: (a) => { throw new HelmFail(goString(a[0])); },
};

/** `{{ fail "…" }}`: Helm stops with "execution error at (…): MESSAGE". */
export class HelmFail extends Error {}

function evalPipeline(scope: Scope, expr: string): Val {
  let value: Val = MISSING;
  let first = true;
  for (const cmd of expr.split('|').map((s) => s.trim())) {
    const toks = splitArgs(cmd);
    const [head, ...rest] = toks;
    if (!head) throw new Error(`empty command in "${expr}"`);
    const fn = FUNCS[head];
    if (fn) {
      const args = rest.map((t) => operand(scope, t));
      if (!first) args.push(value);
      value = fn(args);
    } else {
      if (!first || rest.length) throw new Error(`unsupported function "${head}" in "${expr}"`);
      value = operand(scope, head);
    }
    first = false;
  }
  return value;
}

function render(nodes: Node[], scope: Scope, file: string): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.s;
    else if (n.t === 'if') out += render(truthy(evalPipeline(scope, n.cond)) ? n.then : n.else, scope, file);
    else {
      try {
        out += goString(evalPipeline(scope, n.expr));
      } catch (err) {
        if (err instanceof HelmFail) throw new HelmFail(`execution error at (${file}): ${err.message}`);
        throw new Error(`${file}: {{ ${n.expr} }}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return out;
}

/** Helm's value merge: maps merge recursively, everything else (lists included) is replaced. */
export function mergeValues(base: Val, over: Val): Val {
  if (over === undefined) return base;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, Val> = { ...(base as Record<string, Val>) };
    for (const [k, v] of Object.entries(over as Record<string, Val>)) out[k] = mergeValues(out[k], v);
    return out;
  }
  return over;
}

/** Helm's InstallOrder (pkg/release/util/kind_sorter.go). */
const INSTALL_ORDER = ['PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition',
  'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service',
  'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** What the chart's values.schema.json (if any) finds wrong with `values`, one line each; [] when they satisfy it. */
export function valuesProblems(chartDir: string, values: unknown): string[] {
  const file = join(chartDir, 'values.schema.json');
  if (!existsSync(file)) return [];
  const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => `at '${e.instancePath || '/'}': ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
}

export interface RenderOptions {
  releaseName: string;
  namespace: string;
  /** Value files applied over values.yaml, in order (like `-f a.yaml -f b.yaml`). */
  valueFiles?: string[];
  values?: Record<string, unknown>;
  /** `--skip-schema-validation`. */
  skipSchemaValidation?: boolean;
}

/** `helm template RELEASE CHART --namespace NS [-f …]`. */
export function helmTemplate(chartDir: string, o: RenderOptions): string {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion?: string };
  let values: Val = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {};
  for (const f of o.valueFiles ?? []) values = mergeValues(values, parse(readFileSync(f, 'utf8')) ?? {});
  if (o.values) values = mergeValues(values, o.values);
  const problems = o.skipSchemaValidation ? [] : valuesProblems(chartDir, values);
  if (problems.length) throw new Error(`values don't meet the specifications of the schema(s) in the following chart(s):\n${chart.name}:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  const scope: Scope = {
    Values: values,
    Release: { Name: o.releaseName, Namespace: o.namespace, Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion ?? '' },
  };
  const docs: { kind: string; name: string; source: string; text: string; i: number }[] = [];
  const files = readdirSync(join(chartDir, 'templates')).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_')).sort();
  for (const f of files) {
    const rendered = render(tokenize(readFileSync(join(chartDir, 'templates', f), 'utf8'), f), scope, f);
    for (const part of rendered.split(/^---\s*$/m)) {
      const text = part.replace(/^\n+/, '').replace(/\s+$/, '');
      if (!text) continue;
      const obj = parse(text) as { kind?: string; metadata?: { name?: string } } | null;
      if (!obj) continue; // comments only: Helm drops it
      docs.push({ kind: String(obj.kind), name: obj.metadata?.name ?? '', source: `${chart.name}/templates/${f}`, text, i: docs.length });
    }
  }
  const rank = (k: string) => { const i = INSTALL_ORDER.indexOf(k); return i < 0 ? INSTALL_ORDER.length : i; };
  docs.sort((a, b) => rank(a.kind) - rank(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.i - b.i);
  return docs.map((d) => `---\n# Source: ${d.source}\n${d.text}\n`).join('');
}
