/**
 * Terraform configuration directories → resource instances. Each directory of .tf/.tf.json files is
 * a module; a directory no other scanned directory calls as a local module is a root. Variables take
 * their defaults, terraform.tfvars, *.auto.tfvars and tfvars files given on the command line (in
 * Terraform's order of precedence); locals, count and for_each are expanded where static; local-path
 * modules are read; terraform-aws-modules/eks is understood from its inputs (eks-module.ts); other
 * remote modules are reported as not expanded.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { EvidenceGap } from '../../model/index.js';
import { evalRaw, withLocal } from './eval.js';
import type { Scope } from './eval.js';
import { HclError, parseHcl } from './hcl.js';
import { findBlock } from './index.js';
import { Ids } from './ids.js';
import { fillComputedIds } from './translate.js';
import { Unknown, isObj } from './values.js';
import type { TfInstance, TfObject, TfValue } from './values.js';
import { eksModuleInstances, isEksModule } from './eks-module.js';

export interface ConfigRoot { instances: TfInstance[]; ctx: { region?: string; accountId?: string }; root: string; placeholders: Map<string, string> }

interface Block { labels: string[]; body: Record<string, unknown>; file: string; line?: number }

interface ModuleFiles {
  dir: string;
  display: string;
  files: { file: string; text: string }[];
  blocks: Map<string, Block[]>;
}

/** The blocks of one kind: `resource` → [type, name], `variable` → [name], `locals` → []. */
function collect(json: Record<string, unknown>, file: string, text: string | undefined, into: Map<string, Block[]>): void {
  const add = (kind: string, labels: string[], body: unknown) => {
    for (const b of Array.isArray(body) ? body : [body]) {
      if (!isRecord(b)) continue;
      const loc = text !== undefined && kind !== 'locals' ? findBlock([{ file, text }], kind, labels) : undefined;
      (into.get(kind) ?? into.set(kind, []).get(kind)!).push({ labels, body: b, file, ...(loc ? { line: loc.line } : {}) });
    }
  };
  for (const [kind, v] of Object.entries(json)) {
    if (kind === 'resource' || kind === 'data') {
      for (const [type, byName] of Object.entries(isRecord(v) ? v : {})) for (const [name, body] of Object.entries(isRecord(byName) ? byName : {})) add(kind, [type, name], body);
    } else if (kind === 'variable' || kind === 'module' || kind === 'output') {
      for (const [name, body] of Object.entries(isRecord(v) ? v : {})) add(kind, [name], body);
    } else if (kind === 'provider') {
      for (const [name, body] of Object.entries(isRecord(v) ? v : {})) add(kind, [name], body);
    } else if (kind === 'locals') {
      add(kind, [], v);
    }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

async function loadModule(dir: string, paths: readonly { path: string; display: string }[], problems: EvidenceGap[]): Promise<ModuleFiles> {
  const m: ModuleFiles = { dir, display: paths[0] ? dirname(paths[0].display) : dir, files: [], blocks: new Map() };
  for (const p of paths) {
    let text: string;
    try {
      text = await readFile(p.path, 'utf8');
    } catch (err) {
      problems.push({ source: 'files', target: p.display, reason: 'error', message: `${p.display}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      continue;
    }
    try {
      if (p.path.endsWith('.tf.json')) {
        collect(JSON.parse(text) as Record<string, unknown>, p.display, undefined, m.blocks);
      } else {
        collect(await parseHcl(p.display, text), p.display, text, m.blocks);
        m.files.push({ file: p.display, text });
      }
    } catch (err) {
      const line = err instanceof HclError ? err.line : undefined;
      problems.push({
        source: 'files', target: p.display, reason: 'parse-error', ...(line ? { line } : {}),
        message: `${p.display}${line ? `:${line}` : ''}: ${err instanceof SyntaxError ? 'malformed JSON' : 'malformed HCL'} (${(err as Error).message}); this file was skipped, the rest of the configuration was read`,
        fix: 'fix the syntax at that line (`terraform validate` shows the same error)',
      });
    }
  }
  return m;
}

/** Read a tfvars file (HCL or JSON) into variable values. */
async function readTfvars(path: string, display: string, problems: EvidenceGap[]): Promise<TfObject> {
  try {
    const text = await readFile(path, 'utf8');
    const raw = path.endsWith('.json') ? (JSON.parse(text) as Record<string, unknown>) : await parseHcl(display, text);
    const scope: Scope = { root: async () => undefined };
    const out: TfObject = {};
    for (const [k, v] of Object.entries(raw)) out[k] = await evalRaw(v, scope);
    return out;
  } catch (err) {
    const line = err instanceof HclError ? err.line : undefined;
    problems.push({ source: 'files', target: display, reason: 'parse-error', ...(line ? { line } : {}), message: `${display}${line ? `:${line}` : ''}: malformed variables file (${(err as Error).message}); its values were not used` });
    return {};
  }
}

const AFTER_APPLY = 'known only after apply';

interface Ctx {
  problems: EvidenceGap[];
  modules: Map<string, ModuleFiles>;
  ids: Ids;
  root: string;
  instances: TfInstance[];
  region?: string;
}

/** Evaluate one module instance; returns its outputs. */
async function evalModule(m: ModuleFiles, prefix: string, inputs: TfObject, ctx: Ctx, depth: number): Promise<TfObject> {
  const blocks = (k: string) => m.blocks.get(k) ?? [];
  const vars: TfObject = {};
  for (const v of blocks('variable')) {
    const name = v.labels[0]!;
    if (name in inputs) vars[name] = inputs[name]!;
    else if ('default' in v.body) vars[name] = await evalRaw(v.body.default, { root: async () => undefined });
    else vars[name] = new Unknown(`variable ${name} has no value (give it in terraform.tfvars, a *.auto.tfvars file or a tfvars file passed with -f)`);
  }
  const localDefs = new Map<string, unknown>();
  for (const l of blocks('locals')) for (const [k, v] of Object.entries(l.body)) localDefs.set(k, v);
  const locals = new Map<string, Promise<TfValue>>();
  const resourceValues = new Map<string, Promise<TfValue>>();
  const moduleOutputs = new Map<string, Promise<TfValue>>();
  const where: { region?: string | undefined } = {};
  const evaluating = new Set<string>();
  const scope: Scope = {
    root: async (name, next) => {
      switch (name) {
        case 'var': return next !== undefined ? { value: next in vars ? vars[next]! : new Unknown(`var.${next} is not declared`), consumed: 1 } : undefined;
        case 'local': {
          if (next === undefined || !localDefs.has(next)) return undefined;
          let p = locals.get(next);
          if (!p) {
            if (evaluating.has(next)) return { value: new Unknown(`local.${next} refers to itself`), consumed: 1 };
            evaluating.add(next);
            p = evalRaw(localDefs.get(next), scope);
            locals.set(next, p);
          }
          return { value: await p, consumed: 1 };
        }
        case 'path': return { value: { module: m.dir, root: m.dir, cwd: process.cwd() } as TfObject, consumed: 0 };
        case 'terraform': return { value: { workspace: 'default' } as TfObject, consumed: 0 };
        case 'data': return next !== undefined ? { value: new Unknown(`data.${next} is read from AWS at plan time, which a configuration scan does not do (scan the plan instead)`), consumed: 1 } : undefined;
        case 'module': {
          if (next === undefined) return undefined;
          let p = moduleOutputs.get(next);
          if (!p) { p = callModule(next); moduleOutputs.set(next, p); }
          return { value: await p, consumed: 1 };
        }
        default: {
          if (next === undefined) return undefined;
          const res = blocks('resource').find((b) => b.labels[0] === name && b.labels[1] === next);
          if (!res) return undefined;
          const key = `${name}.${next}`;
          let p = resourceValues.get(key);
          if (!p) { p = expand(res); resourceValues.set(key, p); }
          return { value: await p, consumed: 1 };
        }
      }
    },
  };

  /** A resource's instances: one object, a list (count) or a map (for_each) of attribute values. */
  const expand = async (b: Block): Promise<TfValue> => {
    const [type, name] = b.labels as [string, string];
    const address = `${prefix}${type}.${name}`;
    const source = b.line ? { file: b.file, line: b.line } : { file: b.file, line: 1 };
    const one = async (suffix: string, s: Scope, existence?: Unknown): Promise<TfObject> => {
      const values = (await evalBody(b.body, s, true)) as TfObject;
      const inst: TfInstance = { address: `${address}${suffix}`, module: prefix.replace(/\.$/, ''), mode: 'managed', type, name, values, source, root: ctx.root, ...(where.region ?? ctx.region ? { region: where.region ?? ctx.region } : {}) };
      fillComputedIds(inst, ctx.ids);
      if (existence) inst.existence = existence;
      ctx.instances.push(inst);
      return computedView(inst);
    };
    if ('count' in b.body) {
      const c = await evalRaw(b.body.count, scope);
      if (c instanceof Unknown) return [await one('[?]', withLocal(scope, 'count', { index: c }), new Unknown(`the count of ${address} is not known before apply (${c.why})`))];
      const n = typeof c === 'number' ? c : Number(c);
      const out: TfValue[] = [];
      for (let i = 0; i < n && i < 1000; i++) out.push(await one(`[${i}]`, withLocal(scope, 'count', { index: i })));
      return out;
    }
    if ('for_each' in b.body) {
      const fe = await evalRaw(b.body.for_each, scope);
      if (fe instanceof Unknown) return { '?': await one('["?"]', withLocal(scope, 'each', { key: fe, value: fe }), new Unknown(`the instances of ${address} (for_each) are not known before apply (${fe.why})`)) };
      const entries: [string, TfValue][] = Array.isArray(fe) ? fe.map((x) => [String(x), x]) : isObj(fe) ? Object.entries(fe) : [];
      const out: TfObject = {};
      for (const [k, v] of entries) out[k] = await one(`[${JSON.stringify(k)}]`, withLocal(scope, 'each', { key: k, value: v }));
      return out;
    }
    return one('', scope);
  };

  const callModule = async (name: string): Promise<TfValue> => {
    const call = blocks('module').find((b) => b.labels[0] === name);
    if (!call) return new Unknown(`module.${name} is not declared`);
    const source = typeof call.body.source === 'string' ? call.body.source : '';
    const args: TfObject = {};
    for (const [k, v] of Object.entries(call.body)) if (!['source', 'version', 'count', 'for_each', 'providers', 'depends_on'].includes(k)) args[k] = await evalRaw(v, scope);
    const addr = `${prefix}module.${name}`;
    const loc = call.line ? { file: call.file, line: call.line } : { file: call.file, line: 1 };
    if (source.startsWith('./') || source.startsWith('../')) {
      const child = ctx.modules.get(resolve(m.dir, source));
      if (!child) {
        ctx.problems.push({ source: 'files', target: `${call.file}:${loc.line}`, reason: 'skipped', line: loc.line, message: `${call.file}:${loc.line}: module "${name}" (${source}) is not among the scanned files: not expanded`, fix: 'scan the directory that contains the module too, or scan the plan' });
        return new Unknown(`module.${name} was not read`);
      }
      if (depth > 10) return new Unknown(`module.${name} nests too deep`);
      return evalModule(child, `${addr}.`, args, ctx, depth + 1);
    }
    if (isEksModule(source)) {
      const r = await eksModuleInstances({ source, version: typeof call.body.version === 'string' ? call.body.version : undefined, inputs: args, address: addr, source_loc: loc, root: ctx.root, region: where.region ?? ctx.region, ids: ctx.ids });
      ctx.instances.push(...r.instances);
      for (const p of r.problems) ctx.problems.push(p);
      return r.outputs;
    }
    ctx.problems.push({
      source: 'files', target: `${call.file}:${loc.line}`, reason: 'skipped', line: loc.line,
      message: `${call.file}:${loc.line}: module "${name}" (${source}) not expanded: its resources are not in the configuration on disk; scan the plan (terraform show -json) to judge them`,
      fix: 'terraform plan -out tfplan && terraform show -json tfplan > plan.json && eks-soc2 scan -f plan.json',
    });
    return new Unknown(`module.${name} (${source}) is not expanded: scan the plan`);
  };

  where.region = await providerRegion(m, () => scope);
  for (const b of blocks('resource')) {
    const key = `${b.labels[0]}.${b.labels[1]}`;
    if (!resourceValues.has(key)) resourceValues.set(key, expand(b));
    await resourceValues.get(key);
  }
  for (const c of blocks('module')) if (!moduleOutputs.has(c.labels[0]!)) { const p = callModule(c.labels[0]!); moduleOutputs.set(c.labels[0]!, p); await p; }
  const outputs: TfObject = {};
  for (const o of blocks('output')) outputs[o.labels[0]!] = await evalRaw(o.body.value, scope);
  return outputs;
}

/** The region of the module's default `aws` provider configuration, when static. */
async function providerRegion(m: ModuleFiles, scope: () => Scope): Promise<string | undefined> {
  const p = (m.blocks.get('provider') ?? []).find((b) => b.labels[0] === 'aws' && b.body.alias === undefined);
  if (!p || p.body.region === undefined) return undefined;
  const v = await evalRaw(p.body.region, scope());
  return typeof v === 'string' ? v : undefined;
}

/** A resource body: attributes evaluated, nested blocks as lists, dynamic blocks expanded. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'lifecycle', 'depends_on', 'provider', 'provisioner', 'connection']);

async function evalBody(body: Record<string, unknown>, scope: Scope, top = false): Promise<TfValue> {
  const out: TfObject = {};
  for (const [k, v] of Object.entries(body)) {
    if (top && META_ARGUMENTS.has(k)) continue;
    if (k === 'dynamic' && isRecord(v)) {
      for (const [name, defs] of Object.entries(v)) {
        for (const d of Array.isArray(defs) ? defs : [defs]) {
          if (!isRecord(d)) continue;
          const iter = typeof d.iterator === 'string' ? d.iterator : name;
          const coll = await evalRaw(d.for_each, scope);
          if (coll instanceof Unknown) { out[name] = new Unknown(`the dynamic ${name} blocks are not known before apply (${coll.why})`); continue; }
          const entries: [TfValue, TfValue][] = Array.isArray(coll) ? coll.map((x, i) => [i, x]) : isObj(coll) ? Object.entries(coll) : [];
          const list = (Array.isArray(out[name]) ? out[name] : []) as TfValue[];
          for (const [key, value] of entries) {
            const content = Array.isArray(d.content) ? d.content[0] : d.content;
            if (isRecord(content)) list.push(await evalBody(content, withLocal(scope, iter, { key, value })));
          }
          out[name] = list;
        }
      }
      continue;
    }
    if (Array.isArray(v) && v.length > 0 && v.every(isRecord)) {
      // A nested block (or a list of objects): each element is a body.
      const list: TfValue[] = [];
      for (const x of v) list.push(await evalBody(x as Record<string, unknown>, scope));
      out[k] = list;
      continue;
    }
    out[k] = await evalRaw(v, scope);
  }
  return out;
}

/** What references to a resource see: its values, with computed attributes unknown unless they are ids. */
function computedView(inst: TfInstance): TfObject {
  return new Proxy(inst.values, {
    get(t, k) {
      if (typeof k !== 'string') return undefined;
      if (k in t) return t[k];
      return new Unknown(`${inst.address}.${k} is ${AFTER_APPLY}`);
    },
    has() { return true; },
  });
}

/** Read the configuration files given (grouped by directory); roots are the directories no other calls. */
export async function readConfigurations(files: readonly { path: string; display: string }[]): Promise<{ roots: ConfigRoot[]; problems: EvidenceGap[] }> {
  const problems: EvidenceGap[] = [];
  const byDir = new Map<string, { path: string; display: string }[]>();
  const varFiles: { path: string; display: string }[] = [];
  for (const f of files) {
    if (/\.tfvars(\.json)?$/i.test(f.path)) { varFiles.push(f); continue; }
    const d = resolve(dirname(f.path));
    (byDir.get(d) ?? byDir.set(d, []).get(d)!).push(f);
  }
  const modules = new Map<string, ModuleFiles>();
  for (const [dir, list] of byDir) modules.set(dir, await loadModule(dir, list.sort((a, b) => a.path.localeCompare(b.path)), problems));
  // Directories called as local modules are not roots.
  const called = new Set<string>();
  for (const m of modules.values()) for (const c of m.blocks.get('module') ?? []) {
    const src = c.body.source;
    if (typeof src === 'string' && (src.startsWith('./') || src.startsWith('../'))) called.add(resolve(m.dir, src));
  }
  const roots: ConfigRoot[] = [];
  const placeholders = new Map<string, string>();
  for (const [dir, m] of modules) {
    if (called.has(dir)) continue;
    // Variable values: terraform.tfvars, then *.auto.tfvars (alphabetical), then files given on the command line.
    const inputs: TfObject = {};
    const here = varFiles.filter((v) => resolve(dirname(v.path)) === dir);
    const ordered = [
      ...here.filter((v) => /^terraform\.tfvars(\.json)?$/i.test(basename(v.path))),
      ...here.filter((v) => /\.auto\.tfvars(\.json)?$/i.test(v.path)).sort((a, b) => a.path.localeCompare(b.path)),
      ...varFiles.filter((v) => !/^terraform\.tfvars(\.json)?$|\.auto\.tfvars(\.json)?$/i.test(basename(v.path))),
    ];
    for (const v of ordered) Object.assign(inputs, await readTfvars(v.path, v.display, problems));
    const ctx: Ctx = { problems, modules, ids: new Ids({ partition: 'aws', placeholders }), root: m.display, instances: [] };
    ctx.region = await providerRegion(m, () => ({ root: async (name, next) => (name === 'var' && next !== undefined ? { value: inputs[next] ?? defaultOf(m, next) ?? new Unknown(`var.${next} has no value`), consumed: 1 } : undefined) }));
    if (ctx.region) ctx.ids.ctx.region = ctx.region;
    await evalModule(m, '', inputs, ctx, 0);
    roots.push({ instances: ctx.instances, ctx: { ...(ctx.region ? { region: ctx.region } : {}) }, root: m.display, placeholders });
  }
  return { roots, problems };
}

function defaultOf(m: ModuleFiles, name: string): TfValue | undefined {
  const v = (m.blocks.get('variable') ?? []).find((b) => b.labels[0] === name);
  const d = v?.body.default;
  return typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' ? d : undefined;
}
