/**
 * The Terraform built-in functions whose results are decided by their arguments alone and that
 * configurations use to shape the values the controls read. Others (file, templatefile, timestamp,
 * uuid, the crypto and encoding functions) give an Unknown naming the function.
 */
import { Unknown, isObj } from './values.js';
import type { TfObject, TfValue } from './values.js';

type Fn = (args: TfValue[]) => TfValue;

const str = (v: TfValue): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const list = (v: TfValue): TfValue[] => (Array.isArray(v) ? v : isObj(v) ? Object.values(v) : v === null ? [] : [v]);
const uniq = (xs: TfValue[]): TfValue[] => {
  const seen = new Set<string>();
  return xs.filter((x) => { const k = JSON.stringify(x); if (seen.has(k)) return false; seen.add(k); return true; });
};

function format(spec: string, args: TfValue[]): string {
  let i = 0;
  return spec.replace(/%(%|[-+ #0]*\d*(?:\.\d+)?[sdvqtfbxXoe])/g, (_, f: string) => {
    if (f === '%') return '%';
    const v = args[i++] ?? null;
    const verb = f[f.length - 1];
    if (verb === 'q') return JSON.stringify(str(v));
    if (verb === 'd') return String(Math.trunc(Number(v)));
    return str(v);
  });
}

const FUNCTIONS: Record<string, Fn> = {
  merge: (a) => Object.assign({}, ...a.filter(isObj)) as TfObject,
  concat: (a) => a.flatMap(list),
  flatten: (a) => { const f = (xs: TfValue[]): TfValue[] => xs.flatMap((x) => (Array.isArray(x) ? f(x) : [x])); return f(list(a[0] ?? null)); },
  distinct: (a) => uniq(list(a[0] ?? null)),
  compact: (a) => list(a[0] ?? null).filter((x) => x !== null && x !== ''),
  toset: (a) => uniq(list(a[0] ?? null)),
  tolist: (a) => list(a[0] ?? null),
  tomap: (a) => (isObj(a[0]) ? a[0] : {}),
  tostring: (a) => (a[0] === null ? null : str(a[0] ?? null)),
  tonumber: (a) => (a[0] === null ? null : Number(a[0])),
  tobool: (a) => (a[0] === null ? null : a[0] === true || a[0] === 'true'),
  length: (a) => (typeof a[0] === 'string' ? a[0].length : list(a[0] ?? null).length),
  lookup: (a) => (isObj(a[0]) && String(a[1]) in a[0] ? a[0][String(a[1])]! : a.length > 2 ? a[2]! : new Unknown(`lookup(): key ${str(a[1] ?? null)} is not set`)),
  element: (a) => { const l = list(a[0] ?? null); return l.length ? l[Number(a[1]) % l.length]! : new Unknown('element() of an empty list'); },
  contains: (a) => list(a[0] ?? null).some((x) => JSON.stringify(x) === JSON.stringify(a[1])),
  keys: (a) => (isObj(a[0]) ? Object.keys(a[0]).sort() : []),
  values: (a) => (isObj(a[0]) ? Object.keys(a[0]).sort().map((k) => (a[0] as TfObject)[k]!) : []),
  zipmap: (a) => Object.fromEntries(list(a[0] ?? null).map((k, i) => [str(k), list(a[1] ?? null)[i] ?? null])) as TfObject,
  coalesce: (a) => a.find((x) => x !== null && x !== '') ?? null,
  coalescelist: (a) => a.find((x) => Array.isArray(x) && x.length > 0) ?? [],
  one: (a) => { const l = list(a[0] ?? null); return l.length === 0 ? null : l.length === 1 ? l[0]! : new Unknown('one() of a list with several elements'); },
  join: (a) => list(a[1] ?? null).map(str).join(str(a[0] ?? null)),
  split: (a) => str(a[1] ?? null).split(str(a[0] ?? null)),
  upper: (a) => str(a[0] ?? null).toUpperCase(),
  lower: (a) => str(a[0] ?? null).toLowerCase(),
  title: (a) => str(a[0] ?? null).replace(/\b\w/g, (c) => c.toUpperCase()),
  trimspace: (a) => str(a[0] ?? null).trim(),
  trimprefix: (a) => { const s = str(a[0] ?? null); const p = str(a[1] ?? null); return s.startsWith(p) ? s.slice(p.length) : s; },
  trimsuffix: (a) => { const s = str(a[0] ?? null); const p = str(a[1] ?? null); return p && s.endsWith(p) ? s.slice(0, -p.length) : s; },
  startswith: (a) => str(a[0] ?? null).startsWith(str(a[1] ?? null)),
  endswith: (a) => str(a[0] ?? null).endsWith(str(a[1] ?? null)),
  replace: (a) => {
    const s = str(a[0] ?? null); const from = str(a[1] ?? null); const to = str(a[2] ?? null);
    if (from.length > 2 && from.startsWith('/') && from.endsWith('/')) {
      try { return s.replace(new RegExp(from.slice(1, -1), 'g'), to.replace(/\$\{?(\d+)\}?/g, '$$$1')); } catch { return new Unknown('replace() with a regular expression eks-soc2 cannot run'); }
    }
    return s.split(from).join(to);
  },
  substr: (a) => { const s = str(a[0] ?? null); const o = Number(a[1]); const l = Number(a[2]); return s.substr(o < 0 ? s.length + o : o, l < 0 ? undefined : l); },
  format: (a) => format(str(a[0] ?? null), a.slice(1)),
  formatlist: (a) => { const lists = a.slice(1).map((x) => (Array.isArray(x) ? x : null)); const n = Math.max(0, ...lists.map((l) => l?.length ?? 0)); return Array.from({ length: n }, (_, i) => format(str(a[0] ?? null), a.slice(1).map((x, j) => (lists[j] ? lists[j]![i] ?? null : x)))); },
  min: (a) => Math.min(...a.flatMap(list).map(Number)),
  max: (a) => Math.max(...a.flatMap(list).map(Number)),
  abs: (a) => Math.abs(Number(a[0])),
  ceil: (a) => Math.ceil(Number(a[0])),
  floor: (a) => Math.floor(Number(a[0])),
  range: (a) => { const [s, e, st] = a.length === 1 ? [0, Number(a[0]), 1] : [Number(a[0]), Number(a[1]), Number(a[2] ?? 1)]; const out: number[] = []; if (st === 0) return out; for (let i = s; st > 0 ? i < e : i > e; i += st) { out.push(i); if (out.length > 10000) break; } return out; },
  setunion: (a) => uniq(a.flatMap(list)),
  setintersection: (a) => { const [first, ...rest] = a.map(list); return (first ?? []).filter((x) => rest.every((r) => r.some((y) => JSON.stringify(y) === JSON.stringify(x)))); },
  setsubtract: (a) => list(a[0] ?? null).filter((x) => !list(a[1] ?? null).some((y) => JSON.stringify(y) === JSON.stringify(x))),
  slice: (a) => list(a[0] ?? null).slice(Number(a[1]), Number(a[2])),
  reverse: (a) => [...list(a[0] ?? null)].reverse(),
  sort: (a) => list(a[0] ?? null).map(str).sort(),
  jsonencode: (a) => JSON.stringify(a[0] ?? null),
  jsondecode: (a) => { try { return JSON.parse(str(a[0] ?? null)) as TfValue; } catch { return new Unknown('jsondecode() of text that is not JSON'); } },
  transpose: (a) => { const out: Record<string, string[]> = {}; if (isObj(a[0])) for (const [k, vs] of Object.entries(a[0])) for (const v of list(vs)) (out[str(v)] ??= []).push(k); return out; },
  alltrue: (a) => list(a[0] ?? null).every((x) => x === true || x === 'true'),
  anytrue: (a) => list(a[0] ?? null).some((x) => x === true || x === 'true'),
  sum: (a) => list(a[0] ?? null).reduce<number>((n, x) => n + Number(x), 0),
  index: (a) => { const i = list(a[0] ?? null).findIndex((x) => JSON.stringify(x) === JSON.stringify(a[1])); return i >= 0 ? i : new Unknown('index(): value not in the list'); },
  chunklist: (a) => { const l = list(a[0] ?? null); const n = Number(a[1]); const out: TfValue[] = []; for (let i = 0; i < l.length; i += n || l.length || 1) out.push(l.slice(i, i + (n || l.length))); return out; },
  regex: (a) => { try { const m = new RegExp(str(a[0] ?? null)).exec(str(a[1] ?? null)); return m ? (m.length > 1 ? m.slice(1) : m[0]) : new Unknown('regex(): no match'); } catch { return new Unknown('regex() with a pattern eks-soc2 cannot run'); } },
  can: () => true,
  sensitive: (a) => a[0] ?? null,
  nonsensitive: (a) => a[0] ?? null,
};

/** Call a built-in: an unknown argument makes the result unknown (as Terraform does). */
export function callFunction(name: string, args: TfValue[]): TfValue {
  const fn = FUNCTIONS[name.replace(/^provider::[^:]+::/, '')];
  if (!fn) return new Unknown(`the function ${name}() is not evaluated by eks-soc2`);
  const deep = (v: TfValue): Unknown | undefined => {
    if (v instanceof Unknown) return v;
    if (Array.isArray(v)) { for (const x of v) { const u = deep(x); if (u) return u; } }
    else if (isObj(v)) { for (const x of Object.values(v)) { const u = deep(x); if (u) return u; } }
    return undefined;
  };
  // merge/concat/lookup keep working around unknown members they do not touch only in Terraform's
  // type system; here any unknown in the arguments makes the result unknown (conservative).
  for (const a of args) { const u = deep(a); if (u) return u; }
  try {
    return fn(args);
  } catch (err) {
    return new Unknown(`${name}() failed: ${(err as Error).message}`);
  }
}
