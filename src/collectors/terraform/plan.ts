/**
 * `terraform show -json PLANFILE` output → resource instances. The planned values (`after`) are
 * taken with `after_unknown` respected: a value known only after apply is an `Unknown`, except the
 * ids that link resources: when the configuration says an unknown attribute is exactly one other
 * resource's attribute (`key_arn = aws_kms_key.secrets.arn`), it gets that resource's stand-in id, so
 * the facts link the way Terraform does. Format: https://developer.hashicorp.com/terraform/internals/json-format
 */
import type { EvidenceGap } from '../../model/index.js';
import { Unknown, isObj } from './values.js';
import type { TfInstance, TfObject, TfValue } from './values.js';

export const AFTER_APPLY = 'known only after apply';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** True when a JSON document is `terraform show -json` output (a plan or a state). */
export function isTerraformJson(v: unknown): boolean {
  const o = asObj(v);
  return Boolean(o && typeof o.format_version === 'string' && (o.planned_values !== undefined || o.resource_changes !== undefined || o.terraform_version !== undefined && (o.values !== undefined || o.configuration !== undefined)));
}

export interface PlanRead {
  instances: TfInstance[];
  problems: EvidenceGap[];
  region?: string;
  accountId?: string;
  /** Module calls of remote modules (their resources are in the plan already: nothing to expand). */
  modules: string[];
}

const LINK_ATTR = /(^|_)(id|ids|arn|arns|name|url|issuer)$/;

/** Read a parsed plan (or state) document. `file` names it in problems; `locate` finds the source block of an address. */
export function readPlan(doc: Obj, file: string, locate?: (module: string, type: string, name: string) => { file: string; line: number } | undefined): PlanRead {
  const problems: EvidenceGap[] = [];
  const fv = String(doc.format_version);
  if (!/^1\.\d+$/.test(fv)) {
    problems.push({ source: 'files', target: file, reason: 'unsupported', message: `${file}: Terraform JSON format_version ${fv} is not supported (eks-soc2 reads format 1.x); file skipped`, fix: 'produce it with `terraform show -json` of Terraform 0.12 or later, or upgrade eks-soc2' });
    return { instances: [], problems, modules: [] };
  }
  const config = asObj(asObj(doc.configuration)?.root_module);
  const providers = asObj(asObj(doc.configuration)?.provider_config) ?? {};
  const variables = asObj(doc.variables) ?? {};
  const root = file;

  // The provider region (of the root `aws` provider, and per provider key).
  const regionOf = (key: string | undefined): string | undefined => {
    const p = asObj(providers[key ?? 'aws']) ?? asObj(providers.aws);
    const e = asObj(asObj(p?.expressions)?.region);
    if (typeof e?.constant_value === 'string') return e.constant_value;
    const ref = asArr(e?.references).find((r): r is string => typeof r === 'string' && r.startsWith('var.'));
    const val = ref ? asObj(variables[ref.slice(4)])?.value : undefined;
    return typeof val === 'string' ? val : undefined;
  };

  const instances: TfInstance[] = [];
  const changes = asArr(doc.resource_changes);
  const modules = new Set<string>();
  if (changes.length > 0) {
    for (const rc of changes.map(asObj)) {
      if (!rc || typeof rc.address !== 'string' || typeof rc.type !== 'string') continue;
      const change = asObj(rc.change);
      const actions = asArr(change?.actions);
      if (actions.length === 1 && actions[0] === 'delete') continue; // gone after apply
      if (rc.mode !== 'managed' && rc.mode !== 'data') continue;
      const after = asObj(change?.after);
      if (!after) continue;
      const values = withUnknown(after, change?.after_unknown) as TfObject;
      const mod = typeof rc.module_address === 'string' ? rc.module_address : '';
      if (mod) modules.add(mod);
      instances.push(instance(rc, values, mod));
    }
  } else {
    // A state (`terraform show -json` of a state file): values only.
    const walk = (m: Obj | undefined) => {
      if (!m) return;
      for (const r of asArr(m.resources).map(asObj)) {
        if (!r || typeof r.address !== 'string' || typeof r.type !== 'string' || !asObj(r.values)) continue;
        const mod = typeof m.address === 'string' ? m.address : '';
        instances.push(instance(r, asObj(r.values) as TfObject, mod));
      }
      for (const c of asArr(m.child_modules)) walk(asObj(c));
    };
    walk(asObj(asObj(doc.planned_values)?.root_module) ?? asObj(asObj(doc.values)?.root_module));
  }

  function instance(r: Obj, values: TfObject, mod: string): TfInstance {
    const type = r.type as string;
    const name = String(r.name ?? '');
    const cfgKey = configResource(mod, type, name)?.provider_config_key;
    const region = regionOf(typeof cfgKey === 'string' ? cfgKey : undefined) ?? regionOf('aws');
    const source = locate?.(mod, type, name);
    return {
      address: r.address as string, module: mod, mode: r.mode === 'data' ? 'data' : 'managed', type, name, values, root,
      ...(source ? { source } : {}), ...(region ? { region } : {}),
    };
  }

  /** The configuration of a module (`module.a.module.b`), from the root module's calls. */
  function moduleConfig(mod: string): Obj | undefined {
    let m = config;
    if (!mod) return m;
    for (const part of mod.split('.').filter((_, i) => i % 2 === 1)) {
      const name = part.replace(/\[.*\]$/, '');
      m = asObj(asObj(asObj(m?.module_calls)?.[name])?.module);
      if (!m) return undefined;
    }
    return m;
  }
  function configResource(mod: string, type: string, name: string): Obj | undefined {
    return asArr(moduleConfig(mod)?.resources).map(asObj).find((r) => r?.type === type && r.name === name && (r.mode ?? 'managed') !== 'data') ?? undefined;
  }

  return { instances, problems, modules: [...modules], ...regionAndAccount(instances, regionOf('aws')), ...{} };

  function regionAndAccount(list: TfInstance[], providerRegion: string | undefined): { region?: string; accountId?: string } {
    const counts = new Map<string, number>();
    const regions = new Map<string, number>();
    for (const i of list) {
      const arn = i.values.arn;
      const m = typeof arn === 'string' ? /^arn:aws[\w-]*:[\w-]+:([a-z0-9-]*):(\d{12}):/.exec(arn) : null;
      if (m) {
        counts.set(m[2]!, (counts.get(m[2]!) ?? 0) + 1);
        if (m[1]) regions.set(m[1], (regions.get(m[1]) ?? 0) + 1);
      }
    }
    const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1])[0]?.[0];
    const region = providerRegion ?? top(regions);
    const accountId = top(counts);
    return { ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
  }
}

/**
 * After the ids are filled: an unknown linking attribute whose configuration expression is one
 * reference to another resource's attribute takes that attribute's value. Returns how many were linked.
 */
export function linkUnknownReferences(doc: Obj, read: PlanRead): number {
  const config = asObj(asObj(doc.configuration)?.root_module);
  if (!config) return 0;
  const byAddress = new Map(read.instances.map((i) => [i.address, i]));
  // Instances by module + `type.name` (all indices), for references without an index.
  const moduleOf = (mod: string): Obj | undefined => {
    let m: Obj | undefined = config;
    for (const part of mod.split('.').filter((_, i) => i % 2 === 1)) m = asObj(asObj(asObj(m?.module_calls)?.[part.replace(/\[.*\]$/, '')])?.module);
    return m;
  };
  let linked = 0;

  /** The value a reference in module `mod` stands for, when it is one resource attribute (followed through variables and outputs). */
  const resolve = (mod: string, ref: string, depth: number): TfValue | undefined => {
    if (depth > 8) return undefined;
    const parts = ref.split('.');
    if (parts[0] === 'var' && parts.length === 2 && mod) {
      // The module call's argument in the parent module.
      const parentMod = mod.split('.').slice(0, -2).join('.');
      const callName = mod.split('.').pop()!.replace(/\[.*\]$/, '');
      const call = asObj(asObj(moduleOf(parentMod)?.module_calls)?.[callName]);
      const e = asObj(asObj(call?.expressions)?.[parts[1]!]);
      if (!e) return undefined;
      if (e.constant_value !== undefined) return e.constant_value as TfValue;
      const r = single(e);
      return r ? resolve(parentMod, r, depth + 1) : undefined;
    }
    if (parts[0] === 'module' && parts.length >= 3) {
      const callName = parts[1]!.replace(/\[.*\]$/, '');
      const child = `${mod ? `${mod}.` : ''}module.${parts[1]}`;
      const out = asObj(asObj(asObj(moduleOf(`${mod ? `${mod}.` : ''}module.${callName}`)?.outputs)?.[parts[2]!])?.expression);
      if (!out) return undefined;
      const r = single(out);
      return r ? resolve(child, r, depth + 1) : undefined;
    }
    if (parts[0] === 'data' || parts[0] === 'local' || parts[0] === 'each' || parts[0] === 'count' || parts[0] === 'path' || parts[0] === 'terraform' || parts[0] === 'var') return undefined;
    // type.name[index].attr
    const m = /^([a-z0-9_]+)\.([\w-]+)((?:\[[^\]]+\])?)\.([a-z0-9_]+)$/.exec(ref);
    if (!m) return undefined;
    const address = `${mod ? `${mod}.` : ''}${m[1]}.${m[2]}${m[3]}`;
    const inst = byAddress.get(address);
    const v = inst?.values[m[4]!];
    return v instanceof Unknown ? undefined : v;
  };

  for (const inst of read.instances) {
    if (inst.mode !== 'managed') continue;
    const cfg = asArr(moduleOf(inst.module)?.resources).map(asObj).find((r) => r?.type === inst.type && r.name === inst.name && (r.mode ?? 'managed') === 'managed');
    const exprs = asObj(cfg?.expressions);
    if (!exprs) continue;
    const walk = (vals: TfValue, e: unknown, depth: number): TfValue => {
      if (depth > 6) return vals;
      if (isObj(vals)) {
        const eo = asObj(e);
        if (!eo) return vals;
        for (const [k, v] of Object.entries(vals)) {
          if (v instanceof Unknown && LINK_ATTR.test(k)) {
            const r = single(asObj(eo[k]));
            const val = r ? resolve(inst.module, r, 0) : undefined;
            if (val !== undefined && val !== null) { vals[k] = val; linked++; }
          } else if (Array.isArray(v) && Array.isArray(eo[k])) {
            vals[k] = v.map((x, i) => walk(x, (eo[k] as unknown[])[i] ?? (eo[k] as unknown[])[0], depth + 1));
          }
        }
      }
      return vals;
    };
    walk(inst.values, exprs, 0);
  }
  return linked;
}

/** The one resource-attribute reference an expression is made of (`aws_kms_key.k.arn`), if so. */
function single(e: Obj | undefined): string | undefined {
  const refs = asArr(e?.references).filter((r): r is string => typeof r === 'string');
  if (refs.length === 0) return undefined;
  // Terraform lists each reference with its prefixes (`aws_kms_key.k.arn`, `aws_kms_key.k`): keep the longest of each chain.
  const full = refs.filter((r) => !refs.some((o) => o !== r && (o.startsWith(`${r}.`) || o.startsWith(`${r}[`))));
  return full.length === 1 ? full[0] : undefined;
}

/** `after` with `after_unknown` markers turned into Unknown values. */
function withUnknown(after: unknown, unknown: unknown): TfValue {
  if (unknown === true) return new Unknown(AFTER_APPLY);
  if (Array.isArray(after)) {
    const u = Array.isArray(unknown) ? unknown : [];
    const out = after.map((x, i) => withUnknown(x, u[i]));
    // Elements the plan does not know yet are listed in after_unknown beyond the known ones.
    for (let i = after.length; i < u.length; i++) if (u[i] === true) out.push(new Unknown(AFTER_APPLY));
    return out;
  }
  if (after !== null && typeof after === 'object') {
    const u = asObj(unknown) ?? {};
    const out: TfObject = {};
    for (const [k, v] of Object.entries(after as Obj)) out[k] = withUnknown(v, u[k]);
    for (const [k, v] of Object.entries(u)) if (!(k in out) && v === true) out[k] = new Unknown(AFTER_APPLY);
    return out;
  }
  if (after === undefined && unknown !== undefined && unknown !== false) return new Unknown(AFTER_APPLY);
  return after as TfValue;
}
