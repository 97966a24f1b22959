import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { JsonObject, JsonPrimitive, JsonValue } from '../model/index.js';
import type { ObjectOp, Path } from './types.js';

/**
 * Edits of YAML (and JSON) text that keep everything they do not change byte for byte: the `yaml`
 * package's Document API locates the nodes (with their source ranges), and each change is a splice
 * of the original text at those ranges — a value replaced, a line inserted at the indentation of its
 * siblings, a line removed. Nothing is re-serialised, so comments, key order, quoting, anchors,
 * document separators and the formatting of untouched lines stay as they were. The result is
 * parsed again and compared with the intended data (`applyOps` on the original): any difference
 * and the edit is refused, never written half-right.
 */

/** One splice of the original text. */
export interface Splice {
  start: number;
  end: number;
  text: string;
  /** Nesting depth of the node edited: of two inserts at one offset, the deeper goes first. */
  depth?: number;
}

/** Formatting of the document being edited, detected from its text. */
interface Style {
  /** Spaces per nesting level of block mappings. */
  step: number;
  /** Extra indentation of a block sequence's `-` under its key (0 or `step`). */
  seqIndent: number;
}

export class EditError extends Error {}

// ---------------------------------------------------------------------------------------------
// Operations on plain data (the reference the text edit is checked against)

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function isObj(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Apply operations to a copy of a JSON value. */
export function applyOps<T>(value: T, ops: readonly ObjectOp[]): T {
  const root = clone(value) as unknown as JsonValue;
  for (const op of ops) {
    const parentPath = op.path.slice(0, -1);
    const last = op.path[op.path.length - 1]!;
    if (op.op === 'delete') {
      const parent = getAt(root, parentPath);
      if (isObj(parent) && typeof last === 'string') delete parent[last];
      continue;
    }
    let cur: JsonValue = root;
    for (let i = 0; i < parentPath.length; i++) {
      const seg = parentPath[i]!;
      const next = typeof seg === 'number' ? (Array.isArray(cur) ? cur[seg] : undefined) : isObj(cur) ? cur[seg] : undefined;
      if (next === undefined || next === null || typeof next !== 'object') {
        if (typeof seg === 'number' || !isObj(cur)) throw new EditError(`path ${op.path.join('.')} does not exist`);
        cur[seg] = {};
        cur = cur[seg]!;
      } else {
        cur = next;
      }
    }
    if (op.op === 'set') {
      if (typeof last === 'number') { if (Array.isArray(cur)) cur[last] = clone(op.value); }
      else if (isObj(cur)) cur[last] = clone(op.value);
    } else if (isObj(cur) && typeof last === 'string') {
      const list = cur[last];
      if (Array.isArray(list)) list.push(op.value);
      else cur[last] = [op.value];
    }
  }
  return root as unknown as T;
}

function getAt(root: JsonValue, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = typeof seg === 'number' ? (Array.isArray(cur) ? cur[seg] : undefined) : Array.isArray(cur) ? undefined : cur[seg];
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Rendering new text

const YAML11_KEYWORDS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

function plainSafe(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !YAML11_KEYWORDS.test(s);
}

function scalarText(v: JsonPrimitive, json: boolean): string {
  if (typeof v === 'string') return !json && plainSafe(v) ? v : JSON.stringify(v);
  return v === null ? 'null' : String(v);
}

function keyText(k: string, json: boolean): string {
  return !json && plainSafe(k) ? k : JSON.stringify(k);
}

/** A value in flow style (one line): JSON when the document is JSON, YAML flow otherwise. */
function flowText(v: JsonValue, json: boolean): string {
  if (Array.isArray(v)) return `[${v.map((x) => flowText(x, json)).join(', ')}]`;
  if (isObj(v)) {
    const entries = Object.entries(v).map(([k, x]) => `${keyText(k, json)}: ${flowText(x, json)}`);
    return entries.length ? `{${entries.join(', ')}}` : '{}';
  }
  return scalarText(v, json);
}

const sp = (n: number) => ' '.repeat(n);

/** `key: value` as block lines at column `col`, each ending with a newline. */
function blockEntry(key: string, v: JsonValue, col: number, style: Style): string {
  const k = keyText(key, false);
  if (Array.isArray(v)) {
    if (v.length === 0 || v.some((x) => x !== null && typeof x === 'object')) return `${sp(col)}${k}: ${flowText(v, false)}\n`;
    return `${sp(col)}${k}:\n${v.map((x) => `${sp(col + style.seqIndent)}- ${scalarText(x as JsonPrimitive, false)}\n`).join('')}`;
  }
  if (isObj(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return `${sp(col)}${k}: {}\n`;
    return `${sp(col)}${k}:\n${entries.map(([ck, cv]) => blockEntry(ck, cv, col + style.step, style)).join('')}`;
  }
  return `${sp(col)}${k}: ${scalarText(v, false)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Locating text positions

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the newline ending the line that holds the last non-blank character before `end`. */
function afterLastLine(text: string, end: number): number {
  let p = end - 1;
  while (p >= 0 && /\s/.test(text[p]!)) p--;
  const nl = text.indexOf('\n', p + 1);
  return nl === -1 ? text.length : nl + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function onlySpaceBefore(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** True when nothing but white space or a comment follows `offset` on its line. */
function onlyCommentAfter(text: string, offset: number): boolean {
  const nl = text.indexOf('\n', offset);
  return /^[ \t]*(#.*)?\r?$/.test(text.slice(offset, nl === -1 ? text.length : nl));
}

function range(n: YamlNode | null | undefined): [number, number, number] | undefined {
  return n && (n as { range?: [number, number, number] }).range ? (n as { range: [number, number, number] }).range : undefined;
}

function isJsonKey(p: Pair): boolean {
  return isScalar(p.key) && (p.key.type === 'QUOTE_DOUBLE');
}

function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (isScalar(v)) return v.value === null;
  return (isMap(v) || isSeq(v)) && v.items.length === 0;
}

/** Detect the document's indentation step and sequence indentation from its block collections. */
function detectStyle(text: string, root: YamlNode): Style {
  let step: number | undefined;
  let seqIndent: number | undefined;
  const visit = (node: unknown, depth: number): void => {
    if (depth > 12 || (step !== undefined && seqIndent !== undefined)) return;
    if (isMap(node)) {
      for (const p of node.items) {
        const kr = range(p.key as YamlNode);
        const v = p.value as YamlNode | null;
        const vr = range(v);
        if (kr && vr && !(v as { flow?: boolean }).flow) {
          if (isMap(v) && v.items.length && step === undefined) {
            const d = column(text, range(v.items[0]!.key as YamlNode)![0]) - column(text, kr[0]);
            if (d > 0 && lineStart(text, vr[0]) !== lineStart(text, kr[0])) step = d;
          }
          if (isSeq(v) && v.items.length && seqIndent === undefined && lineStart(text, vr[0]) !== lineStart(text, kr[0])) {
            const dash = column(text, vr[0]) - column(text, kr[0]);
            if (dash >= 0) seqIndent = dash;
          }
        }
        visit(v, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const it of node.items) visit(it, depth + 1);
    }
  };
  visit(root, 0);
  const s = step ?? 2;
  return { step: s, seqIndent: seqIndent ?? s };
}

// ---------------------------------------------------------------------------------------------
// Planning splices for one object node

/** A change planned on the YAML tree, rendered to splices once every operation is known. */
interface Pending {
  /** New keys per existing mapping (values merged as later operations reach inside them). */
  adds: Map<YAMLMap, Map<string, JsonValue>>;
  /** Existing pairs whose value is replaced. */
  replaces: Map<Pair, JsonValue>;
  /** Existing pairs removed; `orSet` when the pair cannot be removed cleanly. */
  removes: Map<Pair, { map: YAMLMap; orSet: JsonValue }>;
  /** Items appended to existing sequences. */
  appends: Map<YAMLSeq, JsonValue[]>;
  depth: Map<unknown, number>;
  /** The pair each delete operation removes, and the pairs whose removal fell back to `orSet`. */
  deleted: Map<ObjectOp, Pair>;
  fellBack: Set<Pair>;
}

function setDeep(target: JsonObject, path: Path, value: JsonValue): void {
  let cur = target;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = String(path[i]);
    if (!isObj(cur[seg])) cur[seg] = {};
    cur = cur[seg] as JsonObject;
  }
  cur[String(path[path.length - 1])] = clone(value);
}

/** Nested object for a path of keys: `['a','b'] + v` → `{ b: v }` under `a`. */
function nest(path: Path, value: JsonValue): JsonValue {
  let v = clone(value);
  for (let i = path.length - 1; i >= 0; i--) v = { [String(path[i])]: v };
  return v;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key) as Pair | undefined;
}

function planOp(root: YamlNode, op: ObjectOp, pending: Pending): void {
  let node: unknown = root;
  let depth = 0;
  const path = op.path;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (typeof seg === 'number') {
      if (!isSeq(node) || !node.items[seg]) throw new EditError(`no item ${seg} at ${path.slice(0, i).join('.')}`);
      if (last) throw new EditError('replacing a sequence item is not supported');
      node = node.items[seg];
      depth++;
      continue;
    }
    if (!isMap(node)) throw new EditError(`${path.slice(0, i).join('.') || 'the object'} is not a mapping`);
    const map = node;
    const pair = findPair(map, seg);
    const rest = path.slice(i + 1);
    if (!pair) {
      if (op.op === 'delete') return; // already absent
      const adds = pending.adds.get(map) ?? new Map<string, JsonValue>();
      pending.adds.set(map, adds);
      pending.depth.set(map, depth);
      const value = op.op === 'append' ? [op.value] : op.value;
      const existing = adds.get(seg);
      if (rest.length === 0) adds.set(seg, clone(value));
      else if (isObj(existing)) setDeep(existing, rest, value);
      else adds.set(seg, nest(rest, value));
      return;
    }
    if (pending.removes.has(pair)) throw new EditError(`${path.join('.')}: removed and changed`);
    const replaced = pending.replaces.get(pair);
    if (replaced !== undefined) {
      // Reaching inside a value already replaced: merge into it.
      if (rest.length === 0) { pending.replaces.set(pair, op.op === 'delete' ? null : op.op === 'append' ? [...(Array.isArray(replaced) ? replaced : []), op.value] : clone(op.value)); return; }
      const base: JsonObject = isObj(replaced) ? replaced : {};
      if (op.op === 'delete') return;
      setDeep(base, rest, op.op === 'append' ? [op.value] : op.value);
      pending.replaces.set(pair, base);
      return;
    }
    const value = pair.value as YamlNode | null;
    if (last) {
      if (op.op === 'delete') {
        pending.removes.set(pair, { map, orSet: op.orSet ?? null });
        pending.deleted.set(op, pair);
        pending.depth.set(pair, depth);
      } else if (op.op === 'append') {
        if (isSeq(value)) {
          const list = pending.appends.get(value) ?? [];
          list.push(op.value);
          pending.appends.set(value, list);
          pending.depth.set(value, depth + 1);
        } else if (isEmptyValue(value)) {
          pending.replaces.set(pair, [op.value]);
          pending.depth.set(pair, depth);
        } else {
          throw new EditError(`${path.join('.')} is not a sequence`);
        }
      } else {
        pending.replaces.set(pair, clone(op.value));
        pending.depth.set(pair, depth);
      }
      return;
    }
    if ((isMap(value) && value.items.length > 0) || (isSeq(value) && typeof rest[0] === 'number')) {
      node = value;
      depth++;
      continue;
    }
    if (isEmptyValue(value)) {
      if (op.op === 'delete') return;
      pending.replaces.set(pair, nest(rest, op.op === 'append' ? [op.value] : op.value));
      pending.depth.set(pair, depth);
      return;
    }
    throw new EditError(`${path.slice(0, i + 1).join('.')} is not a mapping`);
  }
}

function renderPending(text: string, pending: Pending, style: Style): Splice[] {
  const out: Splice[] = [];
  const depthOf = (k: unknown) => pending.depth.get(k) ?? 0;

  for (const [map, adds] of pending.adds) {
    const entries = [...adds.entries()];
    const r = range(map)!;
    const firstKey = map.items[0] ? range(map.items[0].key as YamlNode) : undefined;
    if (map.flow) {
      const json = map.items.some((p) => isJsonKey(p as Pair));
      const parts = entries.map(([k, v]) => `${keyText(k, json)}: ${flowText(v, json)}`);
      if (map.items.length === 0) {
        // `{}` (or `{ }`): the new pairs go inside the braces.
        const close = text.lastIndexOf('}', r[1] - 1);
        out.push({ start: close, end: close, text: parts.join(', '), depth: depthOf(map) });
        continue;
      }
      const lastPair = map.items[map.items.length - 1]!;
      const end = range((lastPair.value ?? lastPair.key) as YamlNode)![1];
      const multiline = firstKey !== undefined && lineStart(text, firstKey[0]) !== lineStart(text, r[0]);
      const sep = multiline ? `,\n${sp(column(text, firstKey[0]))}` : ', ';
      out.push({ start: end, end, text: parts.map((p) => `${sep}${p}`).join(''), depth: depthOf(map) });
      continue;
    }
    if (!firstKey) throw new EditError('empty block mapping');
    const col = column(text, firstKey[0]);
    const lastPair = map.items[map.items.length - 1]!;
    const lastNode = (lastPair.value ?? lastPair.key) as YamlNode;
    const lr = range(lastNode)!;
    // A block mapping ends where its last value ends (a nested block ends on its own last line).
    let at = afterLastLine(text, Math.max(lr[1], range(lastPair.key as YamlNode)![1]));
    const body = entries.map(([k, v]) => blockEntry(k, v, col, style)).join('');
    const prefix = at === text.length && !text.endsWith('\n') ? '\n' : '';
    if (at > text.length) at = text.length;
    out.push({ start: at, end: at, text: prefix + body, depth: depthOf(map) });
  }

  for (const [pair, value] of pending.replaces) {
    const v = pair.value as YamlNode | null;
    const kr = range(pair.key as YamlNode)!;
    const vr = range(v) ?? [kr[1], kr[1], kr[1]];
    const parentFlow = text.slice(lineStart(text, kr[0]), kr[0]).includes('{') || isJsonKey(pair);
    const inFlowParent = parentFlow && !onlySpaceBefore(text, kr[0]) ? true : isJsonKey(pair);
    if (value !== null && typeof value === 'object' && !inFlowParent && (isObj(value) ? Object.keys(value).length > 0 : value.length > 0)) {
      // A block value under a block key: drop the old (empty) value text, put the block on the next lines.
      const colon = text.indexOf(':', kr[1]);
      const col = column(text, kr[0]);
      const lines = isObj(value)
        ? Object.entries(value).map(([k, x]) => blockEntry(k, x, col + style.step, style)).join('')
        : value.map((x) => `${sp(col + style.seqIndent)}- ${isObj(x) || Array.isArray(x) ? flowText(x, false) : scalarText(x as JsonPrimitive, false)}\n`).join('');
      // An empty value has no text to drop (and a comment after the colon stays).
      if (!(isScalar(v) && v.value === null && vr[0] === vr[1])) out.push({ start: colon + 1, end: vr[1], text: '', depth: depthOf(pair) });
      const at = afterLastLine(text, Math.max(vr[1], colon + 1));
      const prefix = at === text.length && !text.endsWith('\n') ? '\n' : '';
      out.push({ start: at, end: at, text: prefix + lines, depth: depthOf(pair) + 1 });
      continue;
    }
    const json = isJsonKey(pair);
    const rendered = flowText(value, json);
    if (vr[0] === vr[1]) out.push({ start: vr[0], end: vr[1], text: ` ${rendered}`, depth: depthOf(pair) });
    else out.push({ start: vr[0], end: vr[1], text: rendered, depth: depthOf(pair) });
  }

  const removedPerMap = new Map<YAMLMap, number>();
  for (const { map } of pending.removes.values()) removedPerMap.set(map, (removedPerMap.get(map) ?? 0) + 1);
  for (const [pair, { map, orSet }] of pending.removes) {
    const kr = range(pair.key as YamlNode)!;
    const vr = range(pair.value as YamlNode) ?? kr;
    // A mapping emptied by the removal would read as null, not {}: then the value is set instead.
    const keepsContent = pending.adds.has(map) || (removedPerMap.get(map) ?? 0) < map.items.length;
    const clean = keepsContent && !map.flow && onlySpaceBefore(text, kr[0]) && onlyCommentAfter(text, vr[1]);
    if (clean) {
      const start = lineStart(text, kr[0]);
      const nl = text.indexOf('\n', vr[1]);
      out.push({ start, end: nl === -1 ? text.length : nl + 1, text: '', depth: depthOf(pair) });
    } else {
      out.push({ start: vr[0], end: vr[1], text: flowText(orSet, isJsonKey(pair)), depth: depthOf(pair) });
      pending.fellBack.add(pair);
    }
  }

  for (const [seq, items] of pending.appends) {
    const r = range(seq)!;
    if (seq.flow) {
      const json = /^\s*\[\s*"/.test(text.slice(r[0], r[1])) || seq.items.some((i) => isScalar(i) && i.type === 'QUOTE_DOUBLE');
      if (seq.items.length === 0) {
        const close = text.lastIndexOf(']', r[1] - 1);
        out.push({ start: close, end: close, text: items.map((x) => flowText(x, json)).join(', '), depth: depthOf(seq) });
      } else {
        const end = range(seq.items[seq.items.length - 1] as YamlNode)![1];
        out.push({ start: end, end, text: items.map((x) => `, ${flowText(x, json)}`).join(''), depth: depthOf(seq) });
      }
      continue;
    }
    const first = range(seq.items[0] as YamlNode)!;
    const dash = text.lastIndexOf('-', first[0]);
    const col = column(text, dash);
    const at = afterLastLine(text, range(seq.items[seq.items.length - 1] as YamlNode)![1]);
    const prefix = at === text.length && !text.endsWith('\n') ? '\n' : '';
    out.push({ start: at, end: at, text: prefix + items.map((x) => `${sp(col)}- ${isObj(x) || Array.isArray(x) ? flowText(x, false) : scalarText(x as JsonPrimitive, false)}\n`).join(''), depth: depthOf(seq) });
  }
  return out;
}

/** Apply non-overlapping splices of one text (the YAML and the HCL editor share it). */
export function splice(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || (a.end - a.start === 0 && b.end - b.start === 0 ? (b.depth ?? 0) - (a.depth ?? 0) : (a.end - a.start) - (b.end - b.start)));
  let out = '';
  let pos = 0;
  for (const s of sorted) {
    if (s.start < pos) throw new EditError('two changes overlap');
    out += text.slice(pos, s.start) + s.text;
    pos = s.end;
  }
  return out + text.slice(pos);
}

// ---------------------------------------------------------------------------------------------
// Files

/** An object found in a parsed file: its mapping node and where it is. */
export interface LocatedNode {
  node: YAMLMap;
  /** Index of the YAML document in the file. */
  doc: number;
  /** 1-based line where the object's mapping starts. */
  line: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface ParsedFile {
  text: string;
  docs: Document.Parsed[];
  objects: LocatedNode[];
  /** Documents the `yaml` package could not parse (they are never edited). */
  brokenDocs: Set<number>;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function describe(node: YAMLMap, doc: number, text: string): LocatedNode {
  const get = (k: string) => { const p = findPair(node, k); return p && isScalar(p.value) ? p.value.value : undefined; };
  const meta = findPair(node, 'metadata')?.value;
  const m = (k: string) => { if (!isMap(meta)) return undefined; const p = findPair(meta, k); return p && isScalar(p.value) ? p.value.value : undefined; };
  return {
    node, doc, line: lineOf(text, range(node)![0]),
    ...(str(get('apiVersion')) ? { apiVersion: str(get('apiVersion'))! } : {}),
    ...(str(get('kind')) ? { kind: str(get('kind'))! } : {}),
    ...(m('name') !== undefined ? { name: String(m('name')) } : {}),
    ...(m('namespace') !== undefined ? { namespace: String(m('namespace')) } : {}),
  };
}

/** Parse a manifest file for editing: every Kubernetes object (and List item) with its node and line. */
export function parseForEdit(text: string): ParsedFile {
  const docs = parseAllDocuments(text, { uniqueKeys: false, keepSourceTokens: false }) as Document.Parsed[];
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  const objects: LocatedNode[] = [];
  const brokenDocs = new Set<number>();
  list.forEach((d, i) => {
    if (d.errors.length) { brokenDocs.add(i); return; }
    const c = d.contents;
    const add = (n: unknown) => { if (isMap(n)) objects.push(describe(n, i, text)); };
    if (isSeq(c)) { for (const it of c.items) add(it); return; }
    if (!isMap(c)) return;
    const kind = findPair(c, 'kind')?.value;
    const items = findPair(c, 'items')?.value;
    if (isScalar(kind) && typeof kind.value === 'string' && kind.value.endsWith('List') && isSeq(items)) {
      for (const it of items.items) add(it);
      return;
    }
    add(c);
  });
  return { text, docs: list, objects, brokenDocs };
}

/** The data of every document (for comparing a file before and after an edit). */
function documentsData(text: string): { ok: boolean; data: unknown[] } {
  const docs = parseAllDocuments(text, { uniqueKeys: false }) as Document.Parsed[];
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  if (list.some((d) => d.errors.length > 0)) return { ok: false, data: [] };
  return { ok: true, data: list.map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown) };
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, canonical(x)]));
  return v;
}

/**
 * Apply operations to objects of one file. Returns the new text, or throws EditError when a change
 * cannot be made safely (the file is then left alone and the change offered as a patch).
 */
export function editFile(file: ParsedFile, changes: readonly { target: LocatedNode; ops: readonly ObjectOp[] }[]): string {
  const { text } = file;
  const pending: Pending = { adds: new Map(), replaces: new Map(), removes: new Map(), appends: new Map(), depth: new Map(), deleted: new Map(), fellBack: new Set() };
  const styles = new Map<number, Style>();
  for (const c of changes) for (const op of c.ops) planOp(c.target.node, op, pending);
  const splices: Splice[] = [];
  // Rendering needs the style of the document each node lives in; every change of a file shares it
  // unless documents differ, so render per document.
  const byDoc = new Map<number, Pending>();
  const docOf = new Map<unknown, number>();
  for (const c of changes) {
    const walk = (n: unknown): void => {
      if (docOf.has(n)) return;
      docOf.set(n, c.target.doc);
      if (isMap(n)) for (const p of n.items) { docOf.set(p, c.target.doc); walk(p.value); }
      else if (isSeq(n)) for (const it of n.items) walk(it);
    };
    walk(c.target.node);
    if (!styles.has(c.target.doc)) styles.set(c.target.doc, detectStyle(text, file.docs[c.target.doc]!.contents as YamlNode));
  }
  const part = (doc: number): Pending => {
    let p = byDoc.get(doc);
    if (!p) byDoc.set(doc, (p = { ...pending, adds: new Map(), replaces: new Map(), removes: new Map(), appends: new Map() }));
    return p;
  };
  for (const [k, v] of pending.adds) part(docOf.get(k) ?? 0).adds.set(k, v);
  for (const [k, v] of pending.replaces) part(docOf.get(k) ?? 0).replaces.set(k, v);
  for (const [k, v] of pending.removes) part(docOf.get(k) ?? 0).removes.set(k, v);
  for (const [k, v] of pending.appends) part(docOf.get(k) ?? 0).appends.set(k, v);
  for (const [doc, p] of byDoc) splices.push(...renderPending(text, p, styles.get(doc) ?? { step: 2, seqIndent: 2 }));
  if (splices.length === 0) return text;
  const next = splice(text, splices);

  // Check: the new text parses, and every document holds exactly the intended data.
  const before = documentsData(text);
  const after = documentsData(next);
  if (!after.ok || after.data.length !== before.data.length) throw new EditError('the edited file would not parse as the same documents');
  const expected = before.data.map((d) => clone(canonical(d)));
  for (const c of changes) {
    const docData = expected[c.target.doc];
    const target = locateData(docData, file.docs[c.target.doc]!, c.target.node);
    if (!target) throw new EditError('object not found again after the edit');
    // A removal written as its equivalent value (`privileged: false`) is checked as that value.
    const ops = c.ops.map((op): ObjectOp => {
      const pair = op.op === 'delete' ? pending.deleted.get(op) : undefined;
      return op.op === 'delete' && pair && pending.fellBack.has(pair) ? { op: 'set', path: op.path, value: op.orSet ?? null } : op;
    });
    const updated = applyOps(target.value, ops);
    target.replace(updated);
    if (target.isRoot) expected[c.target.doc] = updated;
  }
  for (let i = 0; i < expected.length; i++) {
    if (!sameData(expected[i], after.data[i])) throw new EditError('the edited text does not hold the intended values');
  }
  return next;
}

/** The plain-data counterpart of an object node inside a document's data (root, List item or array item). */
function locateData(data: unknown, doc: Document.Parsed, node: YAMLMap): { value: unknown; replace: (v: unknown) => void; isRoot: boolean } | undefined {
  const c = doc.contents;
  if (c === node) return { value: data, replace: () => undefined, isRoot: true };
  const seq = isSeq(c) ? c : isMap(c) ? (findPair(c, 'items')?.value as unknown) : undefined;
  if (!isSeq(seq)) return undefined;
  const i = seq.items.indexOf(node);
  if (i === -1) return undefined;
  const arr = (Array.isArray(data) ? data : (data as { items?: unknown[] }).items) as unknown[];
  return { value: arr[i], replace: (v) => { arr[i] = v; }, isRoot: false };
}

/** Render one new object as a YAML document (for new files and for diffs of objects that are not in a file). */
export { flowText };
