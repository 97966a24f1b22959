import jsYaml from 'js-yaml';
import { LineCounter, parseAllDocuments, isMap, isSeq } from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { EvidenceGap, K8sObject, Snapshot } from '../../model/index.js';
import { MOVED_KINDS, SNAPSHOT_SCHEMA, kindKey } from '../../model/index.js';
import { redactObjectValues, redactString, sanitizeObject } from '../sanitize.js';
import { reduceStatus } from '../kubernetes/reduce.js';
import { depthProblem, describeShapeProblems, shapeProblems } from '../shape.js';
import { MAX_DOCUMENT_BYTES, MAX_LINE_BYTES, checkObjectBudget } from '../limits.js';
import { snapshotProblem } from '../../model/schema.js';
import type { ToolReport } from '../../model/index.js';
import { detectTool } from '../tools/detect.js';
import { isTerraformJson } from '../terraform/plan.js';

export interface ParsedInput {
  objects: K8sObject[];
  problems: EvidenceGap[];
  /** Exported snapshot bundles found in the input. */
  bundles: Snapshot[];
  /** Security-tool reports (kube-bench, Falco, Gatekeeper audit) found in the input. */
  tools?: ToolReport[];
  /** Terraform plans (`terraform show -json` output) found in the input. */
  plans?: { file: string; doc: Record<string, unknown> }[];
  /**
   * Kinds (evidence keys) of which objects were kept out of evaluation because their shape is not
   * what the Kubernetes API allows, with how many: their coverage becomes `partial`, so no control
   * can pass on what remains of them.
   */
  invalidKinds?: Map<string, number>;
  /** Problems seen per input file, and those not listed beyond MAX_PROBLEMS_PER_FILE. */
  problemCounts?: Map<string, { listed: number; unlisted: number; unlistedInput: boolean }>;
  /** Kubernetes objects accepted so far, across all inputs (the object budget, limits.ts). */
  accepted?: number;
}

export const problem = (file: string, message: string, line?: number, reason: EvidenceGap['reason'] = 'parse-error', fix?: string): EvidenceGap => ({
  source: 'files', target: file, reason, message: line ? `${file}:${line}: ${message}` : `${file}: ${message}`, ...(line ? { line } : {}), ...(fix ? { fix } : {}),
});

/** Problems listed per input file; beyond, they are counted (an endless stream of bad documents stays bounded). */
export const MAX_PROBLEMS_PER_FILE = 50;

/** Record a problem of an input file, listing at most MAX_PROBLEMS_PER_FILE per file. */
export function addProblem(out: ParsedInput, p: EvidenceGap): void {
  const counts = (out.problemCounts ??= new Map());
  let c = counts.get(p.target);
  if (!c) counts.set(p.target, (c = { listed: 0, unlisted: 0, unlistedInput: false }));
  if (c.listed < MAX_PROBLEMS_PER_FILE) {
    c.listed++;
    out.problems.push(p);
    return;
  }
  c.unlisted++;
  if (p.reason !== 'skipped') c.unlistedInput = true;
}

/** After a file is read: one problem saying how many more there were, when some were not listed. */
export function closeProblems(out: ParsedInput, file: string): void {
  const c = out.problemCounts?.get(file);
  if (!c || c.unlisted === 0) return;
  out.problems.push(problem(file, `${c.unlisted.toLocaleString('en-US')} more problem(s) in this file are not listed (only the first ${MAX_PROBLEMS_PER_FILE} are)`, undefined, c.unlistedInput ? 'invalid' : 'skipped'));
  c.unlisted = 0;
}

const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/** An object kept out of evaluation because of its shape: reported with its kind, and its kind marked. */
function rejectObject(out: ParsedInput, obj: Record<string, unknown>, problems: readonly string[], file: string, line: number | undefined, where = ''): void {
  const key = kindKey(String(obj.apiVersion), String(obj.kind));
  (out.invalidKinds ??= new Map()).set(key, (out.invalidKinds.get(key) ?? 0) + 1);
  addProblem(out, {
    ...problem(file, `${where}${describeShapeProblems(obj, problems)}; not evaluated, as the API server would refuse it (${key} cannot pass until it is fixed)`, line, 'invalid',
      'correct the object (`kubectl apply --dry-run=server -f FILE` shows what the API server says about it)'),
    key,
  });
}

export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isListKind(v: Record<string, unknown>): boolean {
  return typeof v.kind === 'string' && (v.kind === 'List' || v.kind.endsWith('List')) && Array.isArray(v.items);
}

/**
 * Accept one decoded document: a Kubernetes object, a `List`/`*List` (as `kubectl get -o`
 * prints), or an eks-soc2 snapshot bundle. Everything else is a reported problem.
 */
export function accept(
  value: unknown, file: string, line: number, out: ParsedInput, itemLines?: (i: number) => number | undefined,
  /** Per List item or bundle object: its shape was checked when it was parsed (the stream reader's precheck). */
  itemChecked?: (i: number) => boolean,
  /** This object's shape was checked when it was parsed. */
  checked = false,
): void {
  if (value === null || value === undefined) return; // empty document ("---" separators, comments only)
  if (!isRecord(value)) {
    addProblem(out, problem(file, `document is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a Kubernetes object (a mapping with apiVersion and kind); skipped`, line, 'invalid'));
    return;
  }
  if (value.schema === SNAPSHOT_SCHEMA) {
    acceptBundle(value, file, line, out, itemChecked);
    return;
  }
  if (typeof value.schema === 'string' && value.schema.startsWith('eks-soc2/snapshot@')) {
    addProblem(out, problem(file, `snapshot bundle format ${value.schema} is newer than this eks-soc2 understands; skipped`, line, 'unsupported', 'upgrade eks-soc2'));
    return;
  }
  if (isListKind(value)) {
    (value.items as unknown[]).forEach((item, i) => accept(item, file, itemLines?.(i) ?? line, out, undefined, undefined, itemChecked?.(i) === true));
    return;
  }
  const hasApiVersion = value.apiVersion !== undefined && value.apiVersion !== null;
  const hasKind = value.kind !== undefined && value.kind !== null;
  if (!hasApiVersion && !hasKind) {
    const deep = depthProblem(value);
    const d = deep ? undefined : detectTool(value, file);
    if (deep) addProblem(out, problem(file, `${deep}; skipped`, line, 'invalid'));
    else if (d && 'tool' in d) {
      if (d.tool.data && typeof d.tool.data === 'object') redactObjectValues(d.tool.data);
      (out.tools ??= []).push(d.tool);
    } else if (d && 'awsCli' in d) addProblem(out, problem(file, `this is AWS CLI output (${d.awsCli}), not a Kubernetes object; skipped`, line, 'skipped', 'put AWS CLI output files in a directory and pass it with --aws-evidence DIR'));
    else if (d) addProblem(out, problem(file, `this is ${d.other}; skipped`, line, 'skipped'));
    else addProblem(out, problem(file, 'document has no apiVersion and no kind, so it is not a Kubernetes object; skipped', line, 'skipped'));
    return;
  }
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.apiVersion || !value.kind) {
    const what = typeof value.kind === 'string' && value.kind ? value.kind : 'object';
    addProblem(out, problem(file, `${what}: ${typeof value.apiVersion !== 'string' || !value.apiVersion ? 'apiVersion' : 'kind'} is missing or not a string, so the object cannot be read as a Kubernetes object; skipped`, line, 'invalid', 'every Kubernetes object needs apiVersion and kind'));
    return;
  }
  const shape = checked ? NO_PROBLEMS : shapeProblems(value);
  if (shape.length > 0) {
    rejectObject(out, value, shape, file, line);
    return;
  }
  const obj = value as unknown as K8sObject;
  if (!obj.metadata) obj.metadata = {};
  const declared = `${obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : 'core'}/${obj.kind}`;
  const moved = MOVED_KINDS[declared];
  if (moved) {
    const group = moved.split('/')[0]!;
    addProblem(out, problem(file, `${obj.kind} ${obj.metadata.name ?? ''}: apiVersion ${obj.apiVersion} does not serve ${obj.kind} on any supported Kubernetes version; evaluated as ${group}/v1`, line, 'invalid', `use apiVersion: ${group}/v1`));
  }
  obj.$source = { file, line };
  countObject(out, file);
  if (!checked) reduceStatus(obj); // a checked object had its status trimmed when it was parsed
  out.objects.push(sanitizeObject(obj));
}

/** Count an accepted object against the budget; past it, reading stops with one clear error. */
function countObject(out: ParsedInput, file: string, n = 1): void {
  out.accepted = (out.accepted ?? 0) + n;
  checkObjectBudget(out.accepted, file);
}

/**
 * An eks-soc2 snapshot bundle: its envelope validated with the schema, then every object checked
 * and sanitized like a manifest's (a bundle is a file anyone can edit). Objects of a wrong shape
 * are dropped and their kind's coverage becomes partial.
 */
function acceptBundle(value: Record<string, unknown>, file: string, line: number, out: ParsedInput, objectChecked?: (i: number) => boolean): void {
  const bad = snapshotProblem(value);
  if (bad) {
    addProblem(out, problem(file, `snapshot bundle is not valid (${bad}); skipped`, line, 'invalid', 're-export it with `eks-soc2 collect`'));
    return;
  }
  const snap = value as unknown as Snapshot;
  for (const [i, part] of [...snap.aws.facts.map((f) => f.output), ...snap.tools.map((t) => t.data)].entries()) {
    const deep = depthProblem(part);
    if (deep) {
      addProblem(out, problem(file, `snapshot bundle: AWS fact or tool report ${i + 1}: ${deep}; bundle skipped`, line, 'invalid', 're-export it with `eks-soc2 collect`'));
      return;
    }
  }
  for (const f of snap.aws.facts) redactObjectValues(f.output);
  for (const t of snap.tools) if (t.data && typeof t.data === 'object') redactObjectValues(t.data);
  if (snap.cluster.server) snap.cluster.server = redactString(snap.cluster.server);
  const kept: K8sObject[] = [];
  const objects = snap.kubernetes.objects;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const checked = objectChecked?.(i) === true;
    const shape = checked ? NO_PROBLEMS : shapeProblems(o as unknown as Record<string, unknown>);
    if (shape.length > 0) {
      rejectObject(out, o as unknown as Record<string, unknown>, shape, file, line, `snapshot bundle object ${i + 1}: `);
      const key = kindKey(o.apiVersion, o.kind);
      const cov = snap.kubernetes.kinds[key];
      if (cov && cov.state === 'collected') cov.state = 'partial';
      if (cov) cov.count = Math.max(0, cov.count - 1);
      continue;
    }
    if (!checked) reduceStatus(o);
    kept.push(sanitizeObject(o));
  }
  snap.kubernetes.objects = kept;
  countObject(out, file, kept.length);
  out.bundles.push(snap);
}

/**
 * Split a YAML stream into documents at `---` / `...` markers in column 0 (a marker there always
 * ends a document, even inside a block scalar), with the 1-based line each document starts on.
 * Linear and allocation-light, so a 50 MB Helm render is split in milliseconds.
 */
export function* splitYamlDocuments(text: string): Generator<{ text: string; line: number }> {
  let docStart = 0;
  let docLine = 1;
  let pos = 0;
  let line = 1;
  const n = text.length;
  while (pos <= n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    const c0 = text.charCodeAt(pos);
    if ((c0 === 0x2d || c0 === 0x2e) && text.charCodeAt(pos + 1) === c0 && text.charCodeAt(pos + 2) === c0) {
      const after = text.charCodeAt(pos + 3);
      if (pos + 3 >= eol || after === 0x20 || after === 0x09 || after === 0x0d) {
        if (pos > docStart) yield { text: text.slice(docStart, pos), line: docLine };
        if (c0 === 0x2d && pos + 4 < eol && /\S/.test(text.slice(pos + 4, eol))) {
          // "--- content": the new document starts on this line, after the marker.
          docStart = pos + 4;
          docLine = line;
        } else {
          docStart = eol + 1;
          docLine = line + 1;
        }
      }
    }
    if (eol >= n) break;
    pos = eol + 1;
    line++;
  }
  if (docStart < n) yield { text: text.slice(docStart), line: docLine };
}

/** Lines before the first content line of a document (blank lines, comments, directives). */
function leadingLines(text: string): number {
  let n = 0;
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    if (!/^[ \t]*(#.*|%.*)?\r?$/.test(text.slice(pos, eol))) return n;
    n++;
    pos = eol + 1;
  }
  return n;
}

/** True when a document has nothing but comments, blank lines and directives. */
function isBlankDocument(text: string): boolean {
  return !/^(?![ \t]*(#|%|$)).+/m.test(text);
}

/** Lines (1-based, relative to the document) where block-style `items:` entries start. */
function yamlItemLines(text: string): number[] {
  const lines = text.split('\n');
  const out: number[] = [];
  let i = lines.findIndex((l) => /^items:[ \t]*(#.*)?\r?$/.test(l));
  if (i === -1) return out;
  let indent: string | undefined;
  for (i++; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\S/.test(l) && !l.startsWith('- ') && l !== '-') break; // next top-level key
    const m = /^([ ]*)-( |$)/.exec(l);
    if (!m) continue;
    if (indent === undefined) indent = m[1];
    if (m[1] === indent) out.push(i + 1);
  }
  return out;
}

const ALIAS = /(^|[\s[{,:-])\*[^\s,\]}]+/m;

/**
 * Why a document's text is too large to parse (the document, or one of its lines: a one-line YAML
 * of hundreds of MB takes minutes, and more than ~512 MB cannot even be a string), or undefined.
 * Lengths are in UTF-16 code units, close enough to bytes for a bound.
 */
export function oversizeProblem(text: string): string | undefined {
  if (text.length > MAX_DOCUMENT_BYTES) return `the document is larger than ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB`;
  let line = 1;
  for (let pos = 0; pos < text.length; line++) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    if (eol - pos > MAX_LINE_BYTES) return `line ${line} is longer than ${MAX_LINE_BYTES / 2 ** 20} MiB`;
    pos = eol + 1;
  }
  return undefined;
}

/** One decoded YAML document: its value, the line it starts on and, for Lists, the line of each item. */
export interface LoadedDocument {
  value: unknown;
  line: number;
  itemLines?: (i: number) => number | undefined;
}

/** Load one document with the `yaml` package (used for documents with aliases: it bounds alias expansion). */
function loadWithAliases(text: string, file: string, line: number, into: ParsedInput): LoadedDocument[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, merge: true, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
  const out: LoadedDocument[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs as Document.Parsed]) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      addProblem(into, problem(file, `malformed YAML (${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}); this document was skipped, the rest of the file was read`, line + (e.linePos?.[0]?.line ?? 1) - 1, 'parse-error', 'fix the YAML syntax at that line'));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      addProblem(into, problem(file, `document could not be read (${(err as Error).message}); skipped`, line));
      continue;
    }
    const items = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
    const itemLines = isSeq(items)
      ? (i: number) => {
          const node = items.items[i] as YamlNode | undefined;
          return node?.range ? line + lc.linePos(node.range[0]).line - 1 : undefined;
        }
      : undefined;
    const start = doc.contents?.range?.[0];
    out.push({ value, line: start !== undefined ? line + lc.linePos(start).line - 1 : line, ...(itemLines ? { itemLines } : {}) });
  }
  return out;
}

/**
 * Load one YAML document (a chunk of `splitYamlDocuments`, starting on `line`) without accepting
 * it: the streaming reader decides what a document is only once it has seen all of it. Problems
 * (malformed YAML) are recorded; nothing is returned for a blank or malformed document.
 */
export function loadYamlDocument(text: string, line: number, file: string, out: ParsedInput): LoadedDocument[] {
  if (text.length > MAX_LINE_BYTES) {
    const tooLarge = oversizeProblem(text);
    if (tooLarge) {
      addProblem(out, problem(file, `${tooLarge}; this document was skipped, the rest of the file was read`, line + (tooLarge.startsWith('line') ? Number(/^line (\d+)/.exec(tooLarge)![1]) - 1 : 0), 'invalid', 'a Kubernetes object is at most ~1.5 MiB: check that this is the file you meant'));
      return [];
    }
  }
  if (isBlankDocument(text)) return [];
  const lead = leadingLines(text);
  const docLine = line + lead;
  if (ALIAS.test(text) && /(^|[\s[{,:-])&[^\s,\]}]+/m.test(text)) return loadWithAliases(text, file, line, out);
  let value: unknown;
  try {
    value = jsYaml.load(text, { json: true, filename: file });
  } catch (err) {
    const e = err as { mark?: { line?: number }; reason?: string; message?: string };
    const at = line + (e.mark?.line ?? lead);
    const where = at !== docLine ? ` in the document that starts at line ${docLine}` : '';
    addProblem(out, problem(file, `malformed YAML (${e.reason ?? (e.message ?? String(err)).split('\n')[0]})${where}; this document was skipped, the rest of the file was read`, at, 'parse-error', 'fix the YAML syntax at that line'));
    return [];
  }
  let itemLines: ((i: number) => number | undefined) | undefined;
  if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { items?: unknown }).items)) {
    const rel = yamlItemLines(text);
    itemLines = (i) => (rel[i] !== undefined ? line + rel[i]! - 1 : undefined);
  }
  return [{ value, line: docLine, ...(itemLines ? { itemLines } : {}) }];
}

/**
 * Parse YAML text (one or many documents) with 1-based document and List-item lines. Documents
 * are split first and parsed one by one with js-yaml (fast), so one malformed document is reported
 * with its line and skipped while the rest of the file is read.
 */
export function parseYaml(text: string, file: string, out: ParsedInput = { objects: [], problems: [], bundles: [] }): ParsedInput {
  for (const chunk of splitYamlDocuments(text)) {
    for (const d of loadYamlDocument(chunk.text, chunk.line, file, out)) accept(d.value, file, d.line, out, d.itemLines);
  }
  return out;
}

/**
 * Offsets of the elements of the top-level `"items"` array of a JSON text, found with a small
 * scanner (strings and nesting aware) so that List items get line numbers without a second parse.
 */
export function jsonItemOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inItems = false;
  let expectValue = false;
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      i++;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i += 2;
        else if (c === 0x22) break;
        else i++;
      }
      if (inItems && depth === 2 && expectValue) { out.push(start); expectValue = false; }
      else if (depth === 1) lastKey = text.slice(start + 1, i);
      continue;
    }
    if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (inItems && depth === 2 && expectValue) { out.push(i); expectValue = false; }
      depth++;
      if (ch === 0x5b && depth === 2 && lastKey === 'items') { inItems = true; expectValue = true; }
      continue;
    }
    if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      depth--;
      if (depth === 1 && inItems) inItems = false;
      continue;
    }
    if (ch === 0x2c /* , */ && inItems && depth === 2) { expectValue = true; continue; }
    if (ch === 0x3a /* : */ && depth === 1) continue;
    if (inItems && depth === 2 && expectValue && ch > 0x20) { out.push(i); expectValue = false; }
  }
  return out;
}

function lineAt(text: string, offsets: number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let next = text.indexOf('\n');
  for (const off of offsets) {
    while (next !== -1 && next < off) { line++; next = text.indexOf('\n', next + 1); }
    lines.push(line);
  }
  return lines;
}

/** True when the text is one line (with at most trailing whitespace): compact JSON, every item on line 1. */
function oneLine(text: string): boolean {
  const nl = text.indexOf('\n');
  return nl === -1 || text.slice(nl).trim() === '';
}

/** Parse a JSON text: one object, a List, an array of objects, or a snapshot bundle. */
export function parseJson(text: string, file: string, out: ParsedInput = { objects: [], problems: [], bundles: [] }): ParsedInput {
  const err = tryParseJson(text, file, out);
  if (err) addProblem(out, err);
  return out;
}

/** Returns the problem when the text is not valid JSON (nothing is added to `out` then). */
function tryParseJson(text: string, file: string, out: ParsedInput): EvidenceGap | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? lineAt(text, [Number(m[1])])[0] : undefined;
    return problem(file, `malformed JSON (${(err as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/,? *"[\s\S]*$/, '')}); file skipped`, line, 'parse-error', 'fix the JSON, or re-export it');
  }
  // Compact JSON (`kubectl get -o json | jq -c`): every item is on line 1, no need to scan for them.
  const lines = isRecord(value) && isListKind(value) ? (oneLine(text) ? () => 1 : linesOf(lineAt(text, jsonItemOffsets(text)))) : undefined;
  settleJsonValue(value, file, out, lines);
  return undefined;
}

const linesOf = (lines: number[]) => (i: number) => lines[i];

/**
 * Accept one decoded JSON document: an array (a security tool's report, or objects), a List
 * (with the line of each item when known), a bundle or one object.
 */
export function settleJsonValue(value: unknown, file: string, out: ParsedInput, itemLines?: (i: number) => number | undefined, itemChecked?: (i: number) => boolean): void {
  if (isTerraformJson(value)) {
    const deep = depthProblem(value);
    if (deep) {
      addProblem(out, problem(file, `${deep}; skipped`, 1, 'invalid'));
      return;
    }
    (out.plans ??= []).push({ file, doc: value as Record<string, unknown> });
    return;
  }
  if (Array.isArray(value)) {
    const deep = depthProblem(value);
    if (deep) {
      addProblem(out, problem(file, `${deep}; skipped`, 1, 'invalid'));
      return;
    }
    const d = detectTool(value, file);
    if (d && 'tool' in d) {
      if (d.tool.data && typeof d.tool.data === 'object') redactObjectValues(d.tool.data);
      (out.tools ??= []).push(d.tool);
    }
    else value.forEach((v, i) => accept(v, file, 1, out, undefined, undefined, itemChecked?.(i) === true));
  } else {
    accept(value, file, 1, out, itemLines, itemChecked);
  }
}

/** JSON Lines (one JSON value per line, as Falco and Gatekeeper log): true when every line parsed. */
function parseJsonLines(text: string, file: string, out: ParsedInput): boolean {
  const lines = text.split('\n');
  const values: { v: unknown; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    if (l[0] !== '{') return false;
    try { values.push({ v: JSON.parse(l), line: i + 1 }); } catch { return false; }
  }
  if (values.length < 2) return false;
  for (const { v, line } of values) accept(v, file, line, out);
  return true;
}

/** Parse a manifest text, choosing JSON or YAML by its first significant character. */
export function parseManifestText(text: string, file: string, out: ParsedInput = { objects: [], problems: [], bundles: [] }): ParsedInput {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(body);
  if (!first) {
    addProblem(out, problem(file, 'file is empty; nothing to scan', undefined, 'skipped'));
    return out;
  }
  if (first[0] === '{' || first[0] === '[') {
    // JSON is YAML too, but JSON.parse is an order of magnitude faster. Flow-style YAML that
    // JSON.parse rejects is retried as YAML; if that fails too, the JSON error is the clearer one.
    const jsonErr = tryParseJson(body, file, out);
    if (!jsonErr) return out;
    if (parseJsonLines(body, file, out)) return out;
    if (/\.json(\.gz)?$/i.test(file)) {
      addProblem(out, jsonErr);
      return out;
    }
    const yamlTry: ParsedInput = { objects: [], problems: [], bundles: [] };
    parseYaml(body, file, yamlTry);
    if (yamlTry.problems.length === 0) {
      for (const o of yamlTry.objects) out.objects.push(o);
      for (const b of yamlTry.bundles) out.bundles.push(b);
    } else {
      addProblem(out, jsonErr);
    }
    return out;
  }
  return parseYaml(body, file, out);
}
