import type { JsonObject, JsonValue, SourceLocation } from '../../model/index.js';

/**
 * A value Terraform knows only after apply (a computed attribute, a data source, a variable without a
 * value, a function of those), with the reason in words a user can act on. It is never replaced by a
 * guess: a fact path holding one is left out of the fact and listed in `AwsFact.unknown`.
 */
export class Unknown {
  constructor(readonly why: string) {}
}

export type TfValue = null | boolean | number | string | Unknown | TfValue[] | { [k: string]: TfValue };
export type TfObject = { [k: string]: TfValue };

export const isUnknown = (v: unknown): v is Unknown => v instanceof Unknown;
export const isObj = (v: unknown): v is TfObject => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Unknown);

/** One instance of a resource (or data source) with its attribute values, as the plan or the configuration gives them. */
export interface TfInstance {
  /** Full address: `module.eks.aws_eks_cluster.this[0]`. */
  address: string;
  /** Module path of the instance (`module.eks`), '' for the root module. */
  module: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  /** Attributes; nested blocks are lists of objects, as in `terraform show -json`. */
  values: TfObject;
  source?: SourceLocation;
  /** The root module it belongs to (a directory or a plan file). */
  root: string;
  /** Region of the provider configuration that manages it, when known. */
  region?: string;
  /** Set when whether the instance exists is known only after apply (a `count` or `for_each` that is not static). */
  existence?: Unknown;
}

/** Walk a value: `get(v, 'vpc_config', 0, 'subnet_ids')`; an unknown on the way is the result. */
export function get(v: TfValue | undefined, ...path: (string | number)[]): TfValue | undefined {
  let cur: TfValue | undefined = v;
  for (const p of path) {
    if (cur === undefined || cur === null) return undefined;
    if (cur instanceof Unknown) return cur;
    if (Array.isArray(cur)) cur = typeof p === 'number' ? cur[p] : undefined;
    else if (typeof cur === 'object') cur = (cur as TfObject)[String(p)];
    else return undefined;
  }
  return cur;
}

/** First block of a nested block list (`vpc_config[0]`), or the object itself. */
export function block(v: TfValue | undefined, name: string): TfObject | Unknown | undefined {
  const b = get(v, name);
  if (b instanceof Unknown) return b;
  if (Array.isArray(b)) {
    const first = b[0];
    return first instanceof Unknown ? first : isObj(first) ? first : undefined;
  }
  return isObj(b) ? b : undefined;
}

/** All blocks of a nested block list. */
export function blocks(v: TfValue | undefined, name: string): TfObject[] | Unknown {
  const b = get(v, name);
  if (b instanceof Unknown) return b;
  if (Array.isArray(b)) {
    const u = b.find((x): x is Unknown => x instanceof Unknown);
    if (u) return u;
    return b.filter(isObj);
  }
  return isObj(b) ? [b] : [];
}

/** `v` when set (not null/undefined), else the default. */
export function or<T extends TfValue>(v: TfValue | undefined, dflt: T): TfValue {
  return v === undefined || v === null ? dflt : v;
}

export function str(v: TfValue | undefined): string | Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function bool(v: TfValue | undefined): boolean | Unknown | undefined {
  if (v instanceof Unknown || typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

export function num(v: TfValue | undefined): number | Unknown | undefined {
  if (v instanceof Unknown || typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A list of strings; an unknown element makes the whole list unknown. */
export function strList(v: TfValue | undefined): string[] | Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) return typeof v === 'string' ? [v] : undefined;
  const out: string[] = [];
  for (const x of v) {
    if (x instanceof Unknown) return x;
    if (typeof x === 'string') out.push(x);
    else if (typeof x === 'number' || typeof x === 'boolean') out.push(String(x));
  }
  return out;
}

/** Apply `fn` to a known value; an unknown passes through. */
export function map<T, R>(v: T | Unknown, fn: (x: T) => R): R | Unknown {
  return v instanceof Unknown ? v : fn(v);
}

/** A string map (tags). */
export function strMap(v: TfValue | undefined): Record<string, string> | Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x instanceof Unknown) return x;
    if (x !== null && x !== undefined) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  return out;
}

/** A fact output under construction: plain JSON with Unknown leaves. */
export type Draft = { [k: string]: Draft | Draft[] | JsonValue | Unknown | undefined } | Draft[];

/**
 * Split a draft into plain JSON and the paths of its unknown values. Undefined members are dropped;
 * an array with an unknown element is unknown as a whole (its indices would shift otherwise).
 */
export function settle(draft: Draft, prefix: string): { value: JsonObject; unknown: Record<string, string> } {
  const unknown: Record<string, string> = {};
  const walk = (v: unknown, path: string): JsonValue | undefined | Unknown => {
    if (v === undefined) return undefined;
    if (v instanceof Unknown) return v;
    if (v === null || typeof v !== 'object') return v as JsonValue;
    if (Array.isArray(v)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i], `${path}.${i}`);
        if (x instanceof Unknown) return x;
        if (x !== undefined) out.push(x);
      }
      return out;
    }
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = `${path}.${k}`;
      const w = walk(x, p);
      if (w instanceof Unknown) unknown[p] = w.why;
      else if (w !== undefined) out[k] = w;
    }
    return out;
  };
  const value = walk(draft, prefix) as JsonObject;
  return { value, unknown };
}
