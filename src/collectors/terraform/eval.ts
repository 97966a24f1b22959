/**
 * Evaluates Terraform expressions (syntax trees from the official HCL parser, hcl.ts) where the
 * value is static: literals, variables with values, locals, references to other resources'
 * configured attributes, and the common built-in functions. Whatever depends on a value known
 * only after apply (a computed attribute, a data source, a variable without a value, a function
 * this evaluator does not run) is an `Unknown` with the reason.
 */
import { templateAst } from './hcl.js';

/** A node of the parser's syntax tree, read loosely (its `meta` differs by node type). */
interface AstNode {
  type: string;
  children?: AstNode[];
  meta: { value: string } & Record<string, unknown>;
  range: { start: { byte: number }; end: { byte: number } };
}
import { Unknown, isObj } from './values.js';
import type { TfObject, TfValue } from './values.js';
import { callFunction } from './functions.js';

/** What names resolve to in one module instance. */
export interface Scope {
  /** `var.x`, `local.x`, `module.x`, `data.t.n`, resource `type.name`: the value, or undefined when not declared. */
  root(name: string, next: string | undefined): Promise<{ value: TfValue; consumed: number } | undefined>;
  /** Iteration and `for` variables (`each`, `count`, `x` in `[for x in …]`, a dynamic block's iterator). */
  locals?: Map<string, TfValue>;
}

const child = (scope: Scope, name: string, value: TfValue): Scope => ({ ...scope, locals: new Map([...(scope.locals ?? []), [name, value]]) });

/** Evaluate a value as hcl2json gives it: strings are templates, lists and maps are walked. */
export async function evalRaw(raw: unknown, scope: Scope): Promise<TfValue> {
  if (typeof raw === 'string') return evalTemplate(raw, scope);
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) {
    const out: TfValue[] = [];
    for (const x of raw) out.push(await evalRaw(x, scope));
    return out;
  }
  if (typeof raw === 'object') {
    const out: TfObject = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k] = await evalRaw(v, scope);
    return out;
  }
  return null;
}

const HAS_TEMPLATE = /(^|[^$])\$\{|(^|[^%])%\{/;

export async function evalTemplate(s: string, scope: Scope): Promise<TfValue> {
  if (!HAS_TEMPLATE.test(s)) return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  let parsed;
  try {
    parsed = await templateAst(s);
  } catch (err) {
    return new Unknown((err as Error).message);
  }
  if (!parsed.ast) return null;
  const v = await evalNode(parsed.ast as unknown as AstNode, parsed.source, scope);
  // A heredoc template ends with the newline before its delimiter.
  if (parsed.source.startsWith('<<') && typeof v === 'string' && v.endsWith('\n')) return v.slice(0, -1);
  return v;
}

function unescape(raw: string, heredoc: boolean): string {
  let s = raw.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  if (heredoc) return s;
  s = s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, c: string) => {
    if (c[0] === 'u' || c[0] === 'U') return String.fromCodePoint(parseInt(c.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' } as Record<string, string>)[c] ?? c;
  });
  return s;
}

const text = (n: AstNode, src: string) => src.slice(n.range.start.byte, n.range.end.byte);
const firstUnknown = (xs: TfValue[]): Unknown | undefined => xs.find((x): x is Unknown => x instanceof Unknown);

export function toStr(v: TfValue): string | Unknown {
  if (v instanceof Unknown) return v;
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return new Unknown('a list or map used as a string');
}

/** Index into a value: attribute or key of a map/object, element of a list. */
export function index(v: TfValue, key: TfValue, label: string): TfValue {
  if (v instanceof Unknown) return v;
  if (key instanceof Unknown) return key;
  if (v === null) return new Unknown(`${label} is null`);
  if (Array.isArray(v)) {
    const i = typeof key === 'number' ? key : Number(key);
    return Number.isInteger(i) && i >= 0 && i < v.length ? v[i]! : new Unknown(`${label}[${String(key)}] is out of range`);
  }
  if (isObj(v)) {
    const k = String(key);
    return k in v ? v[k]! : new Unknown(`${label}.${k} is not set in the configuration, so it is known only after apply`);
  }
  return new Unknown(`${label} cannot be indexed`);
}

function applyTraversal(v: TfValue, parts: readonly { type: string; segment: string }[], label: string): TfValue {
  let cur = v;
  let path = label;
  for (const p of parts) {
    if (cur instanceof Unknown) return cur;
    if (p.type === 'indexTraversal') {
      const seg = p.segment;
      const key = /^".*"$/.test(seg) ? unescape(seg.slice(1, -1), false) : Number.isFinite(Number(seg)) ? Number(seg) : seg;
      cur = index(cur, key, path);
      path += `[${seg}]`;
    } else {
      cur = index(cur, p.segment, path);
      path += `.${p.segment}`;
    }
  }
  return cur;
}

function truthy(v: TfValue): boolean | Unknown {
  if (v instanceof Unknown || typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return new Unknown('a condition that is not a boolean');
}

function equal(a: TfValue, b: TfValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]!));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k]!, b[k]!));
  }
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return false;
  return a === b;
}

export async function evalNode(n: AstNode, src: string, scope: Scope): Promise<TfValue> {
  const kids = n.children ?? [];
  switch (n.type) {
    case 'templateWrap':
      return kids[0] ? evalNode(kids[0], src, scope) : null;
    case 'template': {
      const heredoc = src.startsWith('<<');
      if (kids.length === 1 && kids[0]!.type === 'literalValue') return unescape(kids[0]!.meta.value, heredoc);
      const parts: TfValue[] = [];
      for (const k of kids) parts.push(k.type === 'literalValue' && (k.meta as unknown as { type?: string }).type === 'string' ? unescape(k.meta.value, heredoc) : toStr(await evalNode(k, src, scope)));
      const u = firstUnknown(parts);
      return u ?? parts.join('');
    }
    case 'literalValue': {
      const m = n.meta as unknown as { type: string; value: string };
      if (m.type === 'number') return Number(m.value);
      if (m.type === 'bool') return m.value === 'true';
      if (m.type === 'string') return unescape(m.value, src.startsWith('<<'));
      return null;
    }
    case 'tuple': {
      const out: TfValue[] = [];
      for (const k of kids) out.push(await evalNode(k, src, scope));
      return out;
    }
    case 'object': {
      const out: TfObject = {};
      for (let i = 0; i + 1 < kids.length; i += 2) {
        const keyNode = kids[i]!;
        let key: TfValue;
        if (keyNode.type === '' && (keyNode.children ?? []).length === 0) key = text(keyNode, src);
        else if (keyNode.type === 'scopeTraversal' && (keyNode.meta as unknown as { traversal: unknown[] }).traversal.length === 1) key = text(keyNode, src);
        else key = await evalNode(keyNode, src, scope);
        const val = await evalNode(kids[i + 1]!, src, scope);
        if (key instanceof Unknown) return key;
        out[String(key)] = val;
      }
      return out;
    }
    case '':
      // Parentheses, or the anonymous symbol of a splat (handled by the splat).
      return kids[0] ? evalNode(kids[0], src, scope) : new Unknown('an expression eks-soc2 does not evaluate');
    case 'scopeTraversal': {
      const m = n.meta as { traversal: { type: string; segment: string }[]; value: string };
      const [first, ...rest] = m.traversal;
      if (!first) return null;
      const local = scope.locals?.get(first.segment);
      if (local !== undefined) return applyTraversal(local, rest, first.segment);
      const r = await scope.root(first.segment, rest[0]?.type === 'nameTraversal' ? rest[0].segment : undefined);
      if (!r) return new Unknown(`${m.value} refers to something not declared in this configuration`);
      return applyTraversal(r.value, rest.slice(r.consumed), m.value.split(/[.[]/).slice(0, 1 + r.consumed).join('.'));
    }
    case 'relativeTraversal': {
      const m = n.meta as unknown as { traversal: { type: string; segment: string }[]; sourceExpression: string };
      const base = kids[0] ? await evalNode(kids[0], src, scope) : null;
      return applyTraversal(base, m.traversal, m.sourceExpression);
    }
    case 'splat': {
      const source = await evalNode(kids[0]!, src, scope);
      const each = kids[1] as AstNode | undefined;
      if (source instanceof Unknown) return source;
      const list = source === null ? [] : Array.isArray(source) ? source : [source];
      const trav = each && each.type === 'relativeTraversal' ? (each.meta as unknown as { traversal: { type: string; segment: string }[] }).traversal : [];
      return list.map((x) => applyTraversal(x, trav, 'splat'));
    }
    case 'index': {
      const coll = await evalNode(kids[0]!, src, scope);
      const key = await evalNode(kids[1]!, src, scope);
      return index(coll, key, (n.meta as unknown as { collectionExpression: string }).collectionExpression);
    }
    case 'conditional': {
      const c = truthy(await evalNode(kids[0]!, src, scope));
      if (c instanceof Unknown) return c;
      return evalNode(kids[c ? 1 : 2]!, src, scope);
    }
    case 'unaryOp': {
      const v = await evalNode(kids[0]!, src, scope);
      if (v instanceof Unknown) return v;
      const op = (n.meta as unknown as { operator: string }).operator;
      if (op === 'logicalNot') { const t = truthy(v); return t instanceof Unknown ? t : !t; }
      return typeof v === 'number' ? -v : new Unknown('negation of a value that is not a number');
    }
    case 'binaryOp': {
      const op = (n.meta as unknown as { operator: string }).operator;
      const a = await evalNode(kids[0]!, src, scope);
      if (op === 'logicalAnd' || op === 'logicalOr') {
        const ta = truthy(a);
        if (!(ta instanceof Unknown) && ((op === 'logicalAnd' && !ta) || (op === 'logicalOr' && ta))) return ta;
        const tb = truthy(await evalNode(kids[1]!, src, scope));
        if (ta instanceof Unknown) return ta;
        return tb;
      }
      const b = await evalNode(kids[1]!, src, scope);
      if (a instanceof Unknown) return a;
      if (b instanceof Unknown) return b;
      if (op === 'equal') return equal(a, b);
      if (op === 'notEqual') return !equal(a, b);
      const x = typeof a === 'number' ? a : Number(a);
      const y = typeof b === 'number' ? b : Number(b);
      if (!Number.isFinite(x) || !Number.isFinite(y)) return new Unknown(`arithmetic on values that are not numbers (${op})`);
      switch (op) {
        case 'lessThan': return x < y;
        case 'greaterThan': return x > y;
        case 'lessThanOrEqual': return x <= y;
        case 'greaterThanOrEqual': return x >= y;
        case 'add': return x + y;
        case 'subtract': return x - y;
        case 'multiply': return x * y;
        case 'divide': return x / y;
        case 'modulo': return x % y;
        default: return new Unknown(`operator ${op}`);
      }
    }
    case 'function': {
      const m = n.meta as unknown as { name: string; expandedFinalArgument: boolean };
      // try() and can() catch errors: here an unknown argument stays unknown, a failing one falls through.
      if (m.name === 'try' || m.name === 'can') {
        for (const k of kids) {
          const v = await evalNode(k, src, scope);
          if (m.name === 'can') return v instanceof Unknown ? (/not set|out of range|is null|not declared|cannot be indexed/.test(v.why) ? false : v) : true;
          if (!(v instanceof Unknown)) return v;
          if (!/not set in the configuration|out of range|is null|cannot be indexed|not declared/.test(v.why)) return v;
        }
        return new Unknown('try(): no argument could be evaluated');
      }
      const args: TfValue[] = [];
      for (const k of kids) args.push(await evalNode(k, src, scope));
      if (m.expandedFinalArgument && args.length > 0) {
        const last = args.pop()!;
        if (last instanceof Unknown) return last;
        if (Array.isArray(last)) args.push(...last);
      }
      return callFunction(m.name, args);
    }
    case 'for': {
      const m = n.meta as unknown as { keyVar: string; valVar: string; keyExpression?: string; conditionalExpression?: string; groupedValue: boolean; openRangeValue: string };
      const coll = await evalNode(kids[0]!, src, scope);
      if (coll instanceof Unknown) return coll;
      const isObject = m.openRangeValue.startsWith('{');
      const hasKey = isObject && Boolean(m.keyExpression);
      const keyNode = hasKey ? kids[1] : undefined;
      const valNode = kids[hasKey ? 2 : 1]!;
      const condNode = m.conditionalExpression ? kids[hasKey ? 3 : 2] : undefined;
      const entries: [TfValue, TfValue][] = Array.isArray(coll) ? coll.map((v, i) => [i, v]) : isObj(coll) ? Object.entries(coll) : [];
      const list: TfValue[] = [];
      const obj: TfObject = {};
      for (const [k, v] of entries) {
        let s = scope;
        if (m.keyVar) s = child(s, m.keyVar, k);
        s = child(s, m.valVar, v);
        if (condNode) {
          const c = truthy(await evalNode(condNode, src, s));
          if (c instanceof Unknown) return c;
          if (!c) continue;
        }
        const val = await evalNode(valNode, src, s);
        if (isObject) {
          const key = keyNode ? await evalNode(keyNode, src, s) : k;
          if (key instanceof Unknown) return key;
          if (m.groupedValue) ((obj[String(key)] ??= []) as TfValue[]).push(val);
          else obj[String(key)] = val;
        } else list.push(val);
      }
      return isObject ? obj : list;
    }
    default:
      return new Unknown(`${n.type} expressions are not evaluated`);
  }
}

export { child as withLocal };
