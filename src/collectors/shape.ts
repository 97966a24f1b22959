/**
 * The shape of an object read from an input, checked against the types of the Kubernetes API
 * (k8s-shapes.ts, generated from the 1.33 OpenAPI) before anything reads it: a `containers` that is
 * a mapping or a string, `annotations` that are not a map of strings, `privileged: "true"` or
 * `runAsUser: "0"` are objects the API server would refuse, and a check reading them would judge
 * something that cannot run (a pod "with no containers" passes every container rule). Such an
 * object is an input problem, kept out of evaluation (issue 18 items 2, 5).
 *
 * Only types are checked: unknown fields are allowed (a newer API server, a CRD), values are not.
 * Kinds without a model (custom resources) have their metadata checked. The walk also bounds the
 * nesting of the whole object (MAX_DEPTH), so no later recursive step can overflow the stack.
 */
import type { K8sObject } from '../model/index.js';
import { kindKey } from '../model/index.js';
import { K8S_SHAPES } from './k8s-shapes.js';

export type ShapeType = string | readonly ['a' | 'm', ShapeType];
export interface ShapeTable {
  kinds: Readonly<Record<string, string>>;
  versioned: Readonly<Record<string, string>>;
  types: Readonly<Record<string, { f: Readonly<Record<string, ShapeType>>; r?: readonly string[] }>>;
}

/** Deepest nesting of objects and arrays accepted in an input object (a Kubernetes object needs a few dozen). */
export const MAX_DEPTH = 512;

const EXPECTED: Readonly<Record<string, string>> = {
  s: 'a string', b: 'true or false', i: 'an integer', n: 'a number', x: 'an integer or a string', q: 'a quantity (a string or a number)',
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a timestamp';
  switch (typeof v) {
    case 'object': return 'a mapping';
    case 'string': return v.length > 40 ? 'a string' : `the string ${JSON.stringify(v)}`;
    case 'number': return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
    case 'boolean': return `${v}`;
    default: return typeof v;
  }
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
const seg = (k: string) => (/^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k.length > 60 ? `${k.slice(0, 59)}…` : k)}]`);

/**
 * The walk keeps the path to the value it is checking as a stack of keys and list positions,
 * pushed and popped as it goes: nothing is allocated per field (a walk of every field of 150,000
 * pods must not make an object per step). The path's text is built only when a problem is reported.
 */
function pathText(keys: readonly (string | number)[]): string {
  let text = '';
  for (const k of keys) text += typeof k === 'number' ? `[${k}]` : seg(k);
  text = text.replace(/^\./, '');
  // A path hundreds of levels deep is shown by its two ends.
  return text.length > 120 ? `${text.slice(0, 80)}…${text.slice(-30)}` : text;
}

/**
 * The shape table compiled for the walk: each type a small record with a numeric code, a model's
 * fields in a Map, and a model's record referenced directly (no lookup by name per object).
 */
const enum Code { String, Boolean, Integer, Number, IntOrString, Quantity, Any, Model, List, Map, UnknownModel }
interface Compiled { code: Code; model?: CompiledModel; inner?: Compiled }
interface CompiledModel { fields: Map<string, Compiled>; required: readonly string[] | undefined }

const SCALARS = new Map<string, Code>([['s', Code.String], ['b', Code.Boolean], ['i', Code.Integer], ['n', Code.Number], ['x', Code.IntOrString], ['q', Code.Quantity], ['*', Code.Any]]);
const MODELS = new Map<string, CompiledModel>();
for (const [name, def] of Object.entries(K8S_SHAPES.types)) MODELS.set(name, { fields: new Map(), required: def.r });
const named = new Map<string, Compiled>();
function compile(t: ShapeType): Compiled {
  if (typeof t !== 'string') return { code: t[0] === 'a' ? Code.List : Code.Map, inner: compile(t[1]) };
  let c = named.get(t);
  if (!c) {
    const scalar = SCALARS.get(t);
    const model = MODELS.get(t);
    c = scalar !== undefined ? { code: scalar } : model ? { code: Code.Model, model } : { code: Code.UnknownModel };
    named.set(t, c);
  }
  return c;
}
for (const [name, def] of Object.entries(K8S_SHAPES.types)) {
  const fields = MODELS.get(name)!.fields;
  for (const [k, t] of Object.entries(def.f)) fields.set(k, compile(t));
}
/** A mapping of unknown fields (a model the table names but does not define). */
const ANY_OBJECT: Compiled = { code: Code.UnknownModel };
const META = compile('V1ObjectMeta');

class Walk {
  problems: string[] = [];
  /** The path of the value being checked (see pathText). */
  private readonly keys: (string | number)[] = [];
  private max = 1;

  /** Ready for another walk (one Walk serves every call: walks are synchronous and never nested). */
  reset(max: number): this {
    this.max = max;
    this.keys.length = 0;
    if (this.problems.length > 0) this.problems = [];
    return this;
  }

  /** Start the walk under a key (a top-level field). */
  enter(key: string): void { this.keys.push(key); }
  leave(): void { this.keys.pop(); }

  private add(message: string): boolean {
    this.problems.push(`${pathText(this.keys)} ${message}`);
    return this.problems.length < this.max;
  }

  /** A problem at a child of the current value. */
  private addAt(key: string | number, message: string): boolean {
    this.keys.push(key);
    const more = this.add(message);
    this.keys.pop();
    return more;
  }

  private tooDeep(): boolean {
    this.add(`is nested more than ${MAX_DEPTH} levels deep`);
    return false;
  }

  /** Depth only (untyped or unknown parts). Returns false to stop. */
  any(v: unknown, depth: number): boolean {
    if (v === null || typeof v !== 'object') return true;
    if (depth >= MAX_DEPTH) return this.tooDeep();
    const keys = this.keys;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === 'object') {
          keys.push(i);
          const ok = this.any(x, depth + 1);
          keys.pop();
          if (!ok) return false;
        }
      }
      return true;
    }
    const rec = v as Record<string, unknown>;
    for (const k in rec) {
      const x = rec[k];
      if (x !== null && typeof x === 'object') {
        keys.push(k);
        const ok = this.any(x, depth + 1);
        keys.pop();
        if (!ok) return false;
      }
    }
    return true;
  }

  value(v: unknown, t: Compiled, depth: number): boolean {
    if (v === null || v === undefined) return true;
    switch (t.code) {
      // A YAML timestamp (`creationTimestamp: 2024-01-01T00:00:00Z`) loads as a Date: a string to the API.
      case Code.String: return typeof v === 'string' || v instanceof Date || this.add(`is ${describe(v)}, not a string`);
      case Code.Boolean: return typeof v === 'boolean' || this.add(`is ${describe(v)}, not true or false`);
      case Code.Integer: return (typeof v === 'number' && Number.isInteger(v)) || this.add(`is ${describe(v)}, not an integer`);
      case Code.Number: return typeof v === 'number' || this.add(`is ${describe(v)}, not a number`);
      case Code.IntOrString: return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) || this.add(`is ${describe(v)}, not ${EXPECTED.x}`);
      case Code.Quantity: return typeof v === 'string' || typeof v === 'number' || this.add(`is ${describe(v)}, not ${EXPECTED.q}`);
      case Code.Any: return this.any(v, depth);
      case Code.Model: return this.object(v, t.model!, depth);
      case Code.UnknownModel:
        if (!isPlain(v)) return this.add(`is ${describe(v)}, not a mapping`);
        return depth >= MAX_DEPTH ? this.tooDeep() : this.any(v, depth);
      default: return this.collection(v, t.code === Code.List, t.inner!, depth);
    }
  }

  /** A list or a map of `inner`. */
  private collection(v: unknown, list: boolean, inner: Compiled, depth: number): boolean {
    if (list ? !Array.isArray(v) : !isPlain(v)) return this.add(`is ${describe(v)}, not ${list ? 'a list' : 'a mapping'}`);
    if (depth >= MAX_DEPTH) return this.tooDeep();
    const keys = this.keys;
    const strings = inner.code === Code.String;
    const model = inner.code === Code.Model ? inner.model : undefined;
    if (list) {
      const arr = v as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const x = arr[i];
        if (x === null || x === undefined) { if (!this.addAt(i, 'is empty (null)')) return false; continue; }
        if (strings && typeof x === 'string') continue;
        keys.push(i);
        const ok = model ? this.object(x, model, depth + 1) : this.value(x, inner, depth + 1);
        keys.pop();
        if (!ok) return false;
      }
    } else {
      const rec = v as Record<string, unknown>;
      for (const k in rec) {
        const x = rec[k];
        if (strings && typeof x === 'string') continue;
        keys.push(k);
        const ok = this.value(x, inner, depth + 1);
        keys.pop();
        if (!ok) return false;
      }
    }
    return true;
  }

  object(v: unknown, model: CompiledModel, depth: number): boolean {
    if (!isPlain(v)) return this.add(`is ${describe(v)}, not a mapping`);
    if (depth >= MAX_DEPTH) return this.tooDeep();
    const required = model.required;
    if (required) {
      for (const r of required) {
        if (v[r] === undefined || v[r] === null) if (!this.addAt(r, 'is missing (the API server requires it)')) return false;
      }
    }
    const fields = model.fields;
    const keys = this.keys;
    for (const k in v) {
      const x = v[k];
      if (x === null || x === undefined) continue;
      const t = fields.get(k);
      if (t === undefined) {
        // An unknown field (a newer API server): only its nesting is bounded.
        if (typeof x === 'object') {
          keys.push(k);
          const ok = this.any(x, depth + 1);
          keys.pop();
          if (!ok) return false;
        }
        continue;
      }
      // The common cases inline: a string, a boolean, an integer where one belongs.
      const code = t.code;
      if (code === Code.String ? typeof x === 'string' : code === Code.Boolean ? typeof x === 'boolean' : code === Code.Integer && typeof x === 'number' && Number.isInteger(x)) continue;
      keys.push(k);
      const ok = code === Code.Model ? this.object(x, t.model!, depth + 1)
        : code === Code.List || code === Code.Map ? this.collection(x, code === Code.List, t.inner!, depth + 1)
          : this.value(x, t, depth + 1);
      keys.pop();
      if (!ok) return false;
    }
    return true;
  }
}

/** modelOf by apiVersion and kind, for the pairs seen so far (a bounded number: an input can name any). */
const models = new Map<string, Map<string, string | null>>();
let modelsCached = 0;

/** The model of an object's kind and version, when the API's types are known for it. */
export function modelOf(apiVersion: string, kind: string): string | undefined {
  const byKind = models.get(apiVersion);
  const known = byKind?.get(kind);
  if (known !== undefined) return known ?? undefined;
  const model = K8S_SHAPES.versioned[`${apiVersion} ${kind}`] ?? K8S_SHAPES.kinds[kindKey(apiVersion, kind)];
  if (modelsCached < 4096) {
    if (byKind) byKind.set(kind, model ?? null);
    else models.set(apiVersion, new Map([[kind, model ?? null]]));
    modelsCached++;
  }
  return model;
}

const walker = new Walk();
const NONE: readonly string[] = Object.freeze([]);

/**
 * What is wrong with the shape of an object (apiVersion and kind already strings), as phrases
 * naming the field (`spec.template.spec.containers is a mapping, not a list`); empty when nothing is.
 * At most `max` problems are listed.
 */
export function shapeProblems(obj: Record<string, unknown>, max = 3): readonly string[] {
  const w = walker.reset(max);
  const model = typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' ? modelOf(obj.apiVersion, obj.kind) : undefined;
  const compiled = model ? MODELS.get(model) : undefined;
  if (compiled) {
    w.object(obj, compiled, 0);
  } else if (model) {
    // A model the table names without its fields: its nesting only (as any untyped part).
    w.value(obj, ANY_OBJECT, 0);
  } else {
    for (const k in obj) {
      w.enter(k);
      const ok = k === 'metadata' ? w.value(obj[k], META, 1) : w.any(obj[k], 1);
      w.leave();
      if (!ok) break;
    }
  }
  // The walker's list when there are problems (the next walk starts a new one); a shared empty list when there are none.
  return w.problems.length > 0 ? w.problems : NONE;
}

/** The same for any JSON value (a tool report, an AWS output): only its nesting is bounded. */
export function depthProblem(value: unknown): string | undefined {
  const w = walker.reset(1);
  w.any(value, 0);
  return w.problems[0]?.replace(/^ /, 'the document ');
}

/** One line naming an object and what is wrong with it. */
export function describeShapeProblems(obj: K8sObject | Record<string, unknown>, problems: readonly string[]): string {
  const meta = isPlain(obj.metadata) ? obj.metadata : {};
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  const name = typeof meta.name === 'string' ? meta.name : '(no name)';
  return `${String(obj.kind)} ${ns}${name}: ${problems.join('; ')}`;
}
