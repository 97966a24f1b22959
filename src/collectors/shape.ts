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
 * Where a value is, built only when a problem is reported (a walk of every field of 350,000
 * objects must not build a string per field): the parent's path and this step.
 */
interface Path { up: Path | undefined; key: string | number }
function pathText(p: Path | undefined): string {
  const parts: string[] = [];
  for (let q = p; q; q = q.up) parts.push(typeof q.key === 'number' ? `[${q.key}]` : seg(q.key));
  const text = parts.reverse().join('').replace(/^\./, '');
  // A path hundreds of levels deep is shown by its two ends.
  return text.length > 120 ? `${text.slice(0, 80)}…${text.slice(-30)}` : text;
}
const at = (up: Path | undefined, key: string | number): Path => ({ up, key });

class Walk {
  problems: string[] = [];
  constructor(private readonly max: number) {}

  private add(path: Path | undefined, message: string): boolean {
    this.problems.push(`${pathText(path)} ${message}`);
    return this.problems.length < this.max;
  }

  private tooDeep(path: Path | undefined): boolean {
    this.add(path, `is nested more than ${MAX_DEPTH} levels deep`);
    return false;
  }

  /** Depth only (untyped or unknown parts). Returns false to stop. */
  any(v: unknown, path: Path | undefined, depth: number): boolean {
    if (v === null || typeof v !== 'object') return true;
    if (depth >= MAX_DEPTH) return this.tooDeep(path);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === 'object' && !this.any(x, at(path, i), depth + 1)) return false;
      }
      return true;
    }
    const rec = v as Record<string, unknown>;
    for (const k in rec) {
      const x = rec[k];
      if (x !== null && typeof x === 'object' && !this.any(x, at(path, k), depth + 1)) return false;
    }
    return true;
  }

  value(v: unknown, t: ShapeType, path: Path | undefined, depth: number): boolean {
    if (v === null || v === undefined) return true;
    if (typeof t !== 'string') {
      const list = t[0] === 'a';
      if (list ? !Array.isArray(v) : !isPlain(v)) return this.add(path, `is ${describe(v)}, not ${list ? 'a list' : 'a mapping'}`);
      if (depth >= MAX_DEPTH) return this.tooDeep(path);
      const inner = t[1];
      if (list) {
        const arr = v as unknown[];
        for (let i = 0; i < arr.length; i++) {
          const x = arr[i];
          if (x === null || x === undefined) { if (!this.add(at(path, i), 'is empty (null)')) return false; continue; }
          if (inner === 's' && typeof x === 'string') continue;
          if (!this.value(x, inner, at(path, i), depth + 1)) return false;
        }
      } else {
        const rec = v as Record<string, unknown>;
        for (const k in rec) {
          const x = rec[k];
          if (inner === 's' && typeof x === 'string') continue;
          if (!this.value(x, inner, at(path, k), depth + 1)) return false;
        }
      }
      return true;
    }
    switch (t) {
      // A YAML timestamp (`creationTimestamp: 2024-01-01T00:00:00Z`) loads as a Date: a string to the API.
      case 's': return typeof v === 'string' || v instanceof Date || this.add(path, `is ${describe(v)}, not a string`);
      case 'b': return typeof v === 'boolean' || this.add(path, `is ${describe(v)}, not true or false`);
      case 'i': return (typeof v === 'number' && Number.isInteger(v)) || this.add(path, `is ${describe(v)}, not an integer`);
      case 'n': return typeof v === 'number' || this.add(path, `is ${describe(v)}, not a number`);
      case 'x': return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) || this.add(path, `is ${describe(v)}, not ${EXPECTED.x}`);
      case 'q': return typeof v === 'string' || typeof v === 'number' || this.add(path, `is ${describe(v)}, not ${EXPECTED.q}`);
      case '*': return this.any(v, path, depth);
      default: return this.object(v, t, path, depth);
    }
  }

  object(v: unknown, model: string, path: Path | undefined, depth: number): boolean {
    if (!isPlain(v)) return this.add(path, `is ${describe(v)}, not a mapping`);
    if (depth >= MAX_DEPTH) return this.tooDeep(path);
    const def = K8S_SHAPES.types[model];
    if (!def) return this.any(v, path, depth);
    if (def.r) {
      for (const r of def.r) {
        if (v[r] === undefined || v[r] === null) if (!this.add(at(path, r), 'is missing (the API server requires it)')) return false;
      }
    }
    const fields = def.f;
    for (const k in v) {
      const x = v[k];
      const t = fields[k];
      if (t === undefined) {
        if (x !== null && typeof x === 'object' && !this.any(x, at(path, k), depth + 1)) return false;
        continue;
      }
      // The common cases inline: a string where a string belongs, a number where one does.
      if (t === 's' && typeof x === 'string') continue;
      if (x === null || x === undefined) continue;
      if (!this.value(x, t, at(path, k), depth + 1)) return false;
    }
    return true;
  }
}

/** The model of an object's kind and version, when the API's types are known for it. */
export function modelOf(apiVersion: string, kind: string): string | undefined {
  return K8S_SHAPES.versioned[`${apiVersion} ${kind}`] ?? K8S_SHAPES.kinds[kindKey(apiVersion, kind)];
}

/**
 * What is wrong with the shape of an object (apiVersion and kind already strings), as phrases
 * naming the field (`spec.template.spec.containers is a mapping, not a list`); empty when nothing is.
 * At most `max` problems are listed.
 */
export function shapeProblems(obj: Record<string, unknown>, max = 3): string[] {
  const w = new Walk(max);
  const model = typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' ? modelOf(obj.apiVersion, obj.kind) : undefined;
  if (model) {
    w.object(obj, model, undefined, 0);
  } else {
    for (const k in obj) {
      const ok = k === 'metadata' ? w.value(obj[k], 'V1ObjectMeta', at(undefined, k), 1) : w.any(obj[k], at(undefined, k), 1);
      if (!ok) break;
    }
  }
  return w.problems;
}

/** The same for any JSON value (a tool report, an AWS output): only its nesting is bounded. */
export function depthProblem(value: unknown): string | undefined {
  const w = new Walk(1);
  w.any(value, undefined, 0);
  return w.problems[0]?.replace(/^ /, 'the document ');
}

/** One line naming an object and what is wrong with it. */
export function describeShapeProblems(obj: K8sObject | Record<string, unknown>, problems: readonly string[]): string {
  const meta = isPlain(obj.metadata) ? obj.metadata : {};
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  const name = typeof meta.name === 'string' ? meta.name : '(no name)';
  return `${String(obj.kind)} ${ns}${name}: ${problems.join('; ')}`;
}
