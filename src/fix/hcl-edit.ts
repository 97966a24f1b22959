import type { JsonValue } from '../model/index.js';
import { EditError, splice } from './edit.js';
import type { Splice } from './edit.js';

/**
 * Attribute changes in a `.tf` file, made the way YAML edits are: splices of the original text, so
 * comments, formatting and every untouched line stay byte-identical. This is not an HCL parser: it
 * only finds where a block's body and its top-level items begin and end (strings, interpolations,
 * heredocs and comments skipped), and the result is parsed again with the official HCL parser by
 * the caller (`verify`) and compared with the intended values before anything is written.
 */

export interface HclChange {
  /** Attribute path in the block: `enable_key_rotation`, `vpc_config.endpoint_private_access`. */
  attribute: string;
  value: JsonValue;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;

/** The end (exclusive) of the string starting at `i` (a `"`), interpolations included. */
function skipString(t: string, i: number): number {
  let p = i + 1;
  while (p < t.length) {
    const c = t[p]!;
    if (c === '\\') { p += 2; continue; }
    if (c === '"') return p + 1;
    if ((c === '$' || c === '%') && t[p + 1] === '{' && t[p - 1] !== c) { p = skipBalanced(t, p + 1) ; continue; }
    if (c === '\n') throw new EditError('unterminated string');
    p++;
  }
  throw new EditError('unterminated string');
}

/** The end of a heredoc starting at `i` (`<<EOF` or `<<-EOF`), or -1 when `i` starts none. */
function skipHeredoc(t: string, i: number): number {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(t.slice(i, i + 200));
  if (!m) return -1;
  const marker = m[1]!;
  let p = i + m[0].length;
  while (p < t.length) {
    const nl = t.indexOf('\n', p);
    const line = t.slice(p, nl === -1 ? t.length : nl);
    if (line.trim() === marker) return nl === -1 ? t.length : nl;
    if (nl === -1) break;
    p = nl + 1;
  }
  throw new EditError('unterminated heredoc');
}

/** Skip a comment at `i`; returns the end, or -1 when there is none. */
function skipComment(t: string, i: number): number {
  if (t[i] === '#' || (t[i] === '/' && t[i + 1] === '/')) { const nl = t.indexOf('\n', i); return nl === -1 ? t.length : nl; }
  if (t[i] === '/' && t[i + 1] === '*') { const e = t.indexOf('*/', i + 2); if (e === -1) throw new EditError('unterminated comment'); return e + 2; }
  return -1;
}

/** The end (exclusive) of the bracketed expression whose opener is at `i`. */
function skipBalanced(t: string, i: number): number {
  const close: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack = [close[t[i]!]!];
  let p = i + 1;
  while (p < t.length && stack.length) {
    const c = t[p]!;
    if (c === '"') { p = skipString(t, p); continue; }
    const cm = skipComment(t, p);
    if (cm !== -1) { p = cm; continue; }
    if (c === '<' && t[p + 1] === '<') { const h = skipHeredoc(t, p); if (h !== -1) { p = h; continue; } }
    if (close[c]) stack.push(close[c]!);
    else if (c === stack[stack.length - 1]) stack.pop();
    p++;
  }
  if (stack.length) throw new EditError('unbalanced brackets');
  return p;
}

/** The end of an attribute's value expression starting at `i` (end of line at bracket depth 0, comments excluded). */
function skipExpression(t: string, i: number): number {
  let p = i;
  let end = i;
  while (p < t.length) {
    const c = t[p]!;
    if (c === '\n') break;
    if (c === '"') { p = end = skipString(t, p); continue; }
    if (skipComment(t, p) !== -1) break;
    if (c === '<' && t[p + 1] === '<') { const h = skipHeredoc(t, p); if (h !== -1) { p = end = h; continue; } }
    if (c === '{' || c === '[' || c === '(') { p = end = skipBalanced(t, p); continue; }
    if (!/\s/.test(c)) end = p + 1;
    p++;
  }
  return end;
}

interface Item {
  kind: 'attr' | 'block';
  name: string;
  /** Offset of the item's first character (its name). */
  start: number;
  /** attr: the value's range; block: the body's range (inside the braces). */
  valueStart: number;
  valueEnd: number;
  labels: string[];
}

/** The top-level items of a body (between `start` and `end`, the offsets inside its braces). */
function items(t: string, start: number, end: number): Item[] {
  const out: Item[] = [];
  let p = start;
  while (p < end) {
    const c = t[p]!;
    if (/\s/.test(c)) { p++; continue; }
    const cm = skipComment(t, p);
    if (cm !== -1) { p = cm; continue; }
    IDENT.lastIndex = p;
    const m = IDENT.exec(t);
    if (!m) throw new EditError(`unexpected text in a block at offset ${p}`);
    const name = m[0];
    let q = p + name.length;
    while (t[q] === ' ' || t[q] === '\t') q++;
    if (t[q] === '=' && t[q + 1] !== '=') {
      q++;
      while (t[q] === ' ' || t[q] === '\t') q++;
      const e = skipExpression(t, q);
      out.push({ kind: 'attr', name, start: p, valueStart: q, valueEnd: e, labels: [] });
      p = e;
      continue;
    }
    const labels: string[] = [];
    while (t[q] === '"' || /[A-Za-z_]/.test(t[q] ?? '')) {
      if (t[q] === '"') { const e = skipString(t, q); labels.push(t.slice(q + 1, e - 1)); q = e; }
      else { IDENT.lastIndex = q; const l = IDENT.exec(t)!; labels.push(l[0]); q += l[0].length; }
      while (t[q] === ' ' || t[q] === '\t') q++;
    }
    if (t[q] !== '{') throw new EditError(`expected a block after ${name}`);
    const close = skipBalanced(t, q);
    out.push({ kind: 'block', name, start: p, valueStart: q + 1, valueEnd: close - 1, labels });
    p = close;
  }
  return out;
}

/** An HCL literal for a JSON value. */
export function hclValue(v: JsonValue): string {
  // `${` and `%{` start templates in HCL strings: written `$${` and `%%{` to stay literal.
  if (typeof v === 'string') return JSON.stringify(v).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
  if (Array.isArray(v)) return `[${v.map(hclValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k} = ${hclValue(x)}`).join(', ')} }`;
  return v === null ? 'null' : String(v);
}

function lineStart(t: string, i: number): number {
  return t.lastIndexOf('\n', i - 1) + 1;
}

function indentOf(t: string, i: number): string {
  return /^[ \t]*/.exec(t.slice(lineStart(t, i)))![0];
}

/** Splices that set `path` (in a body between `start` and `end`) to `value`. */
function setIn(t: string, start: number, end: number, path: string[], value: JsonValue, out: Splice[]): void {
  const list = items(t, start, end);
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    const attr = list.find((x) => x.kind === 'attr' && x.name === head);
    if (attr) { out.push({ start: attr.valueStart, end: attr.valueEnd, text: hclValue(value) }); return; }
    out.push(insertion(t, start, end, list, `${head} = ${hclValue(value)}`));
    return;
  }
  const block = list.find((x) => x.kind === 'block' && x.name === head && x.labels.length === 0);
  if (block) { setIn(t, block.valueStart, block.valueEnd, rest, value, out); return; }
  // A missing nested block is added with the attribute in it.
  const nested = rest.reduceRight<string>((inner, seg, i) => (i === rest.length - 1 ? `${seg} = ${hclValue(value)}` : `${seg} {\n${inner}\n}`), '');
  out.push(insertion(t, start, end, list, `${head} {\n  ${nested.replace(/\n/g, '\n  ')}\n}`));
}

/** A new line (or lines) at the end of a body, indented like its items. */
function insertion(t: string, start: number, end: number, list: Item[], text: string): Splice {
  // `end` is the offset of the closing brace; it must stand on its own line.
  const closeLine = lineStart(t, end);
  if (!/^[ \t]*$/.test(t.slice(closeLine, end))) throw new EditError('a one-line block cannot take a new line');
  const indent = list.length ? indentOf(t, list[0]!.start) : `${indentOf(t, end)}  `;
  return { start: closeLine, end: closeLine, text: text.split('\n').map((l) => `${indent}${l}`).join('\n') + '\n' };
}

/**
 * Set attributes of the block `<kind> "<type>" "<name>"` that starts on `line` (1-based). Returns the
 * new text; throws EditError when the block is not there or the text is not understood.
 */
export function editHclBlock(text: string, line: number, blockKind: string, labels: readonly string[], changes: readonly HclChange[]): string {
  // The block header on that line.
  let p = 0;
  for (let l = 1; l < line; l++) { const nl = text.indexOf('\n', p); if (nl === -1) throw new EditError(`no line ${line}`); p = nl + 1; }
  const lineEnd = text.indexOf('\n', p) === -1 ? text.length : text.indexOf('\n', p);
  const header = text.slice(p, lineEnd);
  const want = new RegExp(`^\\s*${blockKind}\\s+${labels.map((l) => `"${l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).join('\\s+')}\\s*\\{`);
  const hm = want.exec(header);
  if (!hm) throw new EditError(`line ${line} does not start ${blockKind} ${labels.map((l) => `"${l}"`).join(' ')}`);
  const open = p + hm[0].length - 1;
  const close = skipBalanced(text, open) - 1;
  const splices: Splice[] = [];
  for (const c of changes) setIn(text, open + 1, close, c.attribute.split('.'), c.value, splices);
  return splice(text, splices);
}
