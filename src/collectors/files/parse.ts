import { LineCounter, parseAllDocuments, isMap, isSeq } from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { EvidenceGap, K8sObject, Snapshot } from '../../model/index.js';
import { SNAPSHOT_SCHEMA } from '../../model/index.js';
import { sanitizeObject } from '../sanitize.js';
import { snapshotProblem } from '../../model/schema.js';

export interface ParsedInput {
  objects: K8sObject[];
  problems: EvidenceGap[];
  /** Exported snapshot bundles found in the input. */
  bundles: Snapshot[];
}

const problem = (file: string, message: string, line?: number, reason: EvidenceGap['reason'] = 'parse-error', fix?: string): EvidenceGap => ({
  source: 'files', target: file, reason, message: line ? `${file}:${line}: ${message}` : `${file}: ${message}`, ...(line ? { line } : {}), ...(fix ? { fix } : {}),
});

export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isListKind(v: Record<string, unknown>): boolean {
  return typeof v.kind === 'string' && (v.kind === 'List' || v.kind.endsWith('List')) && Array.isArray(v.items);
}

/**
 * Accept one decoded document: a Kubernetes object, a `List`/`*List` (as `kubectl get -o`
 * prints), or an eks-soc2 snapshot bundle. Everything else is a reported problem.
 */
function accept(
  value: unknown, file: string, line: number, out: ParsedInput, itemLines?: (i: number) => number | undefined,
): void {
  if (value === null || value === undefined) return; // empty document ("---" separators, comments only)
  if (!isRecord(value)) {
    out.problems.push(problem(file, `document is a ${Array.isArray(value) ? 'list' : typeof value}, not a Kubernetes object; skipped`, line, 'invalid'));
    return;
  }
  if (value.schema === SNAPSHOT_SCHEMA) {
    const bad = snapshotProblem(value);
    if (bad) {
      out.problems.push(problem(file, `snapshot bundle is not valid (${bad}); skipped`, line, 'invalid', 're-export it with `eks-soc2 collect`'));
      return;
    }
    const snap = value as unknown as Snapshot;
    for (const o of snap.kubernetes.objects) sanitizeObject(o);
    out.bundles.push(snap);
    return;
  }
  if (typeof value.schema === 'string' && value.schema.startsWith('eks-soc2/snapshot@')) {
    out.problems.push(problem(file, `snapshot bundle format ${value.schema} is newer than this eks-soc2 understands; skipped`, line, 'unsupported', 'upgrade eks-soc2'));
    return;
  }
  if (isListKind(value)) {
    (value.items as unknown[]).forEach((item, i) => accept(item, file, itemLines?.(i) ?? line, out));
    return;
  }
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.apiVersion || !value.kind) {
    out.problems.push(problem(file, 'document has no apiVersion/kind, so it is not a Kubernetes object; skipped', line, 'invalid'));
    return;
  }
  if (value.metadata !== undefined && !isRecord(value.metadata)) {
    out.problems.push(problem(file, `${value.kind}: metadata is not a mapping; skipped`, line, 'invalid'));
    return;
  }
  const obj = value as unknown as K8sObject;
  if (!obj.metadata) obj.metadata = {};
  obj.$source = { file, line };
  out.objects.push(sanitizeObject(obj));
}

/** Parse YAML text (one or many documents) with 1-based document and List-item lines. */
export function parseYaml(text: string, file: string, out: ParsedInput = { objects: [], problems: [], bundles: [] }): ParsedInput {
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, version: '1.1', merge: true, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
  } catch (err) {
    out.problems.push(problem(file, `YAML could not be parsed: ${(err as Error).message}`));
    return out;
  }
  if (!Array.isArray(docs)) docs = [docs as Document.Parsed];
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const line = lc.linePos(start).line;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const at = e.linePos?.[0]?.line ?? line;
      const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      out.problems.push(problem(file, `malformed YAML (${msg}); this document was skipped, the rest of the file was read`, at, 'parse-error', 'fix the YAML syntax at that line'));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      out.problems.push(problem(file, `document could not be read (${(err as Error).message}); skipped`, line));
      continue;
    }
    const items = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
    const itemLines = isSeq(items)
      ? (i: number) => {
          const n = items.items[i] as YamlNode | undefined;
          return n?.range ? lc.linePos(n.range[0]).line : undefined;
        }
      : undefined;
    accept(value, file, line, out, itemLines);
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
  let pos = 0;
  for (const off of offsets) {
    for (; pos < off; pos++) if (text.charCodeAt(pos) === 10) line++;
    lines.push(line);
  }
  return lines;
}

/** Parse a JSON text: one object, a List, an array of objects, or a snapshot bundle. */
export function parseJson(text: string, file: string, out: ParsedInput = { objects: [], problems: [], bundles: [] }): ParsedInput {
  const err = tryParseJson(text, file, out);
  if (err) out.problems.push(err);
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
  if (Array.isArray(value)) {
    for (const v of value) accept(v, file, 1, out);
  } else if (isRecord(value) && isListKind(value)) {
    const lines = lineAt(text, jsonItemOffsets(text));
    accept(value, file, 1, out, (i) => lines[i]);
  } else {
    accept(value, file, 1, out);
  }
  return undefined;
}

/** Parse a manifest text, choosing JSON or YAML by its first significant character. */
export function parseManifestText(text: string, file: string, out: ParsedInput = { objects: [], problems: [], bundles: [] }): ParsedInput {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(body);
  if (!first) {
    out.problems.push(problem(file, 'file is empty; nothing to scan', undefined, 'invalid'));
    return out;
  }
  if (first[0] === '{' || first[0] === '[') {
    // JSON is YAML too, but JSON.parse is an order of magnitude faster. Flow-style YAML that
    // JSON.parse rejects is retried as YAML; if that fails too, the JSON error is the clearer one.
    const jsonErr = tryParseJson(body, file, out);
    if (!jsonErr) return out;
    const yamlTry: ParsedInput = { objects: [], problems: [], bundles: [] };
    parseYaml(body, file, yamlTry);
    if (yamlTry.problems.length === 0) {
      for (const o of yamlTry.objects) out.objects.push(o);
      for (const b of yamlTry.bundles) out.bundles.push(b);
    } else {
      out.problems.push(jsonErr);
    }
    return out;
  }
  return parseYaml(body, file, out);
}
