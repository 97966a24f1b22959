import { MAX_DOCUMENT_BYTES, MAX_ENVELOPE_BYTES, MAX_LINE_BYTES, checkObjectBudget } from '../limits.js';
import { accept, addProblem, isListKind, isRecord, loadYamlDocument, problem, settleJsonValue } from './parse.js';
import type { LoadedDocument, ParsedInput } from './parse.js';
import { shapeProblems } from '../shape.js';
import { reduceStatus } from '../kubernetes/reduce.js';
import type { K8sObject } from '../../model/index.js';

/**
 * Streaming readers for inputs too large to hold as one string (a `kubectl get pods -A -o json`
 * of a 150,000-pod cluster is ~1 GB; V8 strings stop at ~512 MB). They produce the same objects,
 * lines and problems as the in-memory parsers in parse.ts for the same valid input, and go on
 * after a malformed List item or bundle object (reported with its line) where the in-memory
 * parser has to skip the whole file.
 *
 * - JSON: a byte-level scanner finds the elements of the top-level `items` array (a List), of
 *   `kubernetes.objects` (a snapshot bundle) or of a top-level array, across chunk boundaries,
 *   and `JSON.parse`s each element on its own; everything else (the "skeleton") is small and is
 *   parsed once at the end with the big array emptied.
 * - YAML: a line splitter finds documents (`---` / `...` in column 0, as `splitYamlDocuments`)
 *   and, inside a document, the block-style entries of a top-level `items:` (a `kind: List`), and
 *   parses each with js-yaml.
 */

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Drop what sanitizeObject drops anyway, as soon as an element is parsed (it is the bulk of a kubectl dump). */
function trim(value: unknown): void {
  if (isRecord(value) && isRecord(value.metadata)) delete value.metadata.managedFields;
}

/**
 * An element that accept() will take as a Kubernetes object (apiVersion and kind set, not a List or
 * a bundle) has its shape checked as it is parsed rather than at the end; when it has the API's
 * shape, a Pod's or Node's status is trimmed now (reduceStatus, as the live collector does), so
 * that what is dropped is never shared nor held to the end. Returns whether the shape was checked
 * and found right: accept() then skips its own check (the object it gets is the checked one, less
 * status fields that were well formed). An object of a wrong shape is left as it is, for accept()
 * to refuse with its usual message.
 */
function precheck(value: unknown): boolean {
  if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.apiVersion || !value.kind) return false;
  if (value.schema !== undefined || isListKind(value)) return false;
  if (shapeProblems(value).length > 0) return false;
  if (value.apiVersion === 'v1' && (value.kind === 'Pod' || value.kind === 'Node')) reduceStatus(value as unknown as K8sObject);
  return true;
}

/**
 * One instance of each repeated string value: `JSON.parse` makes a string per value, and at 150,000
 * pods the labels, images, namespaces, mount paths and other values that repeat across items are a
 * quarter of the parsed heap. Sharing them as each item is parsed (the copies die young, before a
 * collection could move them to the old generation) cuts the peak memory of a large scan. Values
 * are unchanged, only which copy an object holds. Values of keys that are mostly unique (uids,
 * names, IDs, timestamps) are left alone, so the bounded map is not filled with them.
 */
const shared = new Map<string, string>();
const SHARED_MAX_ENTRIES = 65_536;
const MOSTLY_UNIQUE = new Set(['uid', 'resourceVersion', 'containerID', 'imageID', 'podIP', 'ip', 'name', 'startedAt', 'creationTimestamp']);
function share(s: string): string {
  if (s.length > 256) return s;
  const known = shared.get(s);
  if (known !== undefined) return known;
  if (shared.size >= SHARED_MAX_ENTRIES) shared.clear();
  shared.set(s, s);
  return s;
}
/** Replace the string values (8 to 256 characters) of a parsed value by their shared instance, in place (nesting bounded by the caller's limits). */
export function shareStrings(x: unknown, depth = 0): void {
  if (depth > 64 || x === null || typeof x !== 'object') return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const y: unknown = x[i];
      if (typeof y === 'string') { if (y.length >= 8) x[i] = share(y); } else if (y !== null && typeof y === 'object') shareStrings(y, depth + 1);
    }
    return;
  }
  const rec = x as Record<string, unknown>;
  for (const k in rec) {
    const y = rec[k];
    if (typeof y === 'string') { if (y.length >= 8 && !MOSTLY_UNIQUE.has(k)) rec[k] = share(y); } else if (y !== null && typeof y === 'object') shareStrings(y, depth + 1);
  }
}

/** Line (1-based, relative to `text`) of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function jsonErrorText(err: unknown): string {
  return (err as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/,? *"[\s\S]*$/, '');
}

interface TopValue {
  /** Line where the top-level value starts. */
  line: number;
  skeleton: Buffer[];
  /** Elements of the streamed array, parsed, and the line each starts on (parallel arrays: no wrapper per element). */
  values: unknown[];
  lines: number[];
  /** Per element: its shape was checked as it was parsed (precheck). */
  checked: boolean[];
  /** Which array was streamed: a top-level array, `items`, or `kubernetes.objects`. */
  streamed?: 'array' | 'items' | 'objects';
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d;

/**
 * Streaming JSON reader for one (or, for JSON Lines, several) top-level values. Feed it byte
 * chunks with `push`, then call `end`. Strings are skipped with `indexOf`, so the per-byte work is
 * only structure and white space.
 */
export class JsonStreamReader {
  private depth = 0;
  private line = 1;
  private inString = false;
  private pendingEscape = false;
  /** Per open container: true for objects. */
  private readonly isObject: boolean[] = [];
  /** Per open object: true while the next string is a key. */
  private readonly expectKey: boolean[] = [];
  /** The last key seen at depth 1 and 2 (the path to the array that is streamed). */
  private key1 = '';
  private key2 = '';
  private keyParts: Buffer[] | undefined;
  private keyStart = -1;
  /** Depth of the array whose elements are streamed (0: none). */
  private streamDepth = 0;
  /** The element being captured (byte slices), its start line, and whether it is a scalar. */
  private element: Buffer[] | undefined;
  private elementStart = -1;
  private elementLine = 0;
  private elementScalar = false;
  private skeletonStart = -1;
  private top: TopValue | undefined;
  private readonly done: TopValue[] = [];
  private broken = false;
  /** Bytes held for the element being captured, and whether it grew past MAX_DOCUMENT_BYTES (then it is skipped). */
  private elementBytes = 0;
  private elementOversize = false;
  private skeletonBytes = 0;
  private keyBytes = 0;
  /** Top-level values accepted as JSON Lines so far (a second one makes the input JSON Lines). */
  private linesAccepted = 0;

  /** `share`: share repeated string values of each element as it is parsed (shareStrings); the scan does, the floor benchmark does not. */
  constructor(private readonly file: string, private readonly out: ParsedInput, private readonly share = false) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    const n = chunk.length;
    let i = 0;
    this.skeletonStart = this.top && this.streamDepth === 0 ? 0 : -1;
    this.elementStart = this.element ? 0 : -1;
    this.keyStart = this.keyParts ? 0 : -1;
    while (i < n) {
      // Inside an object or array element of the streamed array: only strings, brackets and new
      // lines matter until it closes (most of the bytes of a large input).
      if (this.element && !this.elementScalar && this.depth > this.streamDepth) {
        i = this.scanElement(chunk, i, n);
        continue;
      }
      if (this.inString) {
        if (this.pendingEscape) { this.pendingEscape = false; i++; continue; }
        let q = chunk.indexOf(QUOTE, i);
        while (q !== -1) {
          let b = 0;
          for (let j = q - 1; j >= i && chunk[j] === BACKSLASH; j--) b++;
          if ((b & 1) === 0) break;
          q = chunk.indexOf(QUOTE, q + 1);
        }
        if (q === -1) {
          let b = 0;
          for (let j = n - 1; j >= i && chunk[j] === BACKSLASH; j--) b++;
          this.pendingEscape = (b & 1) === 1;
          break;
        }
        this.inString = false;
        if (this.keyParts) this.finishKey(chunk, q);
        i = q + 1;
        continue;
      }
      const c = chunk[i]!;
      if (c === NL) { this.line++; i++; continue; }
      if (isSpace(c)) { i++; continue; }
      if (this.streamDepth !== 0 && this.depth === this.streamDepth) {
        if (this.element) {
          // Only a scalar element is open at this depth: it ends at "," or "]".
          if (c === 0x2c || c === 0x5d) this.finishElement(chunk, i);
        } else if (c !== 0x2c && c !== 0x5d) {
          this.element = [];
          this.elementStart = i;
          this.elementLine = this.line;
          this.elementScalar = c !== 0x7b && c !== 0x5b;
          this.elementBytes = 0;
          this.elementOversize = false;
        }
        if (c === 0x2c) { i++; continue; }
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.depth > 0 && this.isObject[this.depth - 1]) {
            if (this.expectKey[this.depth - 1] && !this.element && this.depth <= 2) { this.keyParts = []; this.keyStart = i + 1; }
            this.expectKey[this.depth - 1] = false;
          }
          break;
        case 0x7b: /* { */
        case 0x5b: /* [ */ {
          if (this.depth === 0) this.startTop(i);
          const isArr = c === 0x5b;
          this.isObject[this.depth] = !isArr;
          this.expectKey[this.depth] = !isArr;
          this.depth++;
          if (isArr && !this.element && this.streamDepth === 0 && this.shouldStream()) {
            this.streamDepth = this.depth;
            const top = this.top!;
            top.streamed = this.depth === 1 ? 'array' : this.depth === 2 ? 'items' : 'objects';
            this.addSkeleton(Buffer.from(chunk.subarray(this.skeletonStart, i + 1)));
            this.skeletonStart = -1;
          }
          break;
        }
        case 0x7d: /* } */
        case 0x5d: /* ] */
          if (this.depth === 0) { this.fail(`unexpected "${String.fromCharCode(c)}"`); return; }
          if (c === 0x5d && this.depth === this.streamDepth) {
            this.streamDepth = 0;
            this.skeletonStart = i;
          }
          this.depth--;
          if (this.element && !this.elementScalar && this.depth === this.streamDepth) this.finishElement(chunk, i + 1);
          else if (this.depth === 0) this.finishTop(chunk, i + 1);
          break;
        case 0x2c: /* , */
          if (this.depth > 0 && this.isObject[this.depth - 1]) this.expectKey[this.depth - 1] = true;
          break;
        default:
          if (this.depth === 0) { this.fail(`unexpected "${String.fromCharCode(c)}" after the end of the JSON value`); return; }
      }
      i++;
    }
    // Carry the unfinished parts over to the next chunk, within the limits: an element that grows
    // past MAX_DOCUMENT_BYTES is no longer kept (it is reported and skipped when it ends), an
    // envelope past MAX_ENVELOPE_BYTES ends the reading of the file.
    if (this.element && this.elementStart !== -1 && !this.elementOversize) {
      this.elementBytes += n - this.elementStart;
      if (this.elementBytes > MAX_DOCUMENT_BYTES) {
        this.elementOversize = true;
        this.element = [];
      } else {
        this.element.push(chunk.subarray(this.elementStart));
      }
    }
    if (this.top && this.skeletonStart !== -1 && !this.broken) this.addSkeleton(Buffer.from(chunk.subarray(this.skeletonStart)));
    if (this.keyParts && this.keyStart !== -1) {
      // A key longer than this is not one of the keys the reader looks for (`items`, `kubernetes`, `objects`).
      this.keyBytes += n - this.keyStart;
      if (this.keyBytes <= 1024) this.keyParts.push(chunk.subarray(this.keyStart));
    }
  }

  /**
   * The bytes of an element, from `i` until it closes (then it is finished) or the chunk ends:
   * brackets counted, strings skipped (escapes included, across chunks), new lines outside strings
   * counted. Returns where the main loop goes on.
   */
  private scanElement(chunk: Buffer, i: number, n: number): number {
    let depth = this.depth;
    let line = this.line;
    let inString = this.inString;
    if (inString && this.pendingEscape) { this.pendingEscape = false; i++; }
    const stop = this.streamDepth;
    while (i < n) {
      const c = chunk[i]!;
      if (inString) {
        if (c === QUOTE) inString = false;
        else if (c === BACKSLASH) {
          if (i + 1 >= n) { this.pendingEscape = true; i = n; break; }
          i++;
        }
        i++;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === stop) {
          this.depth = depth;
          this.line = line;
          this.inString = false;
          this.finishElement(chunk, i + 1);
          return i + 1;
        }
      } else if (c === NL) line++;
      i++;
    }
    this.depth = depth;
    this.line = line;
    this.inString = inString;
    return i;
  }

  private addSkeleton(b: Buffer): void {
    this.skeletonBytes += b.length;
    if (this.skeletonBytes > MAX_ENVELOPE_BYTES) {
      this.top!.skeleton = [];
      this.fail(`the document is larger than ${MAX_ENVELOPE_BYTES / 2 ** 20} MiB outside its list of items (a Kubernetes object is at most ~1.5 MiB)`);
      return;
    }
    this.top!.skeleton.push(b);
  }

  private shouldStream(): boolean {
    if (this.depth === 1) return true; // a top-level array
    if (this.depth === 2) return this.key1 === 'items';
    return this.depth === 3 && this.key1 === 'kubernetes' && this.key2 === 'objects';
  }

  private finishKey(chunk: Buffer, end: number): void {
    const parts = this.keyParts!;
    parts.push(chunk.subarray(this.keyStart, end));
    const key = this.keyBytes + (end - this.keyStart) > 1024 ? '' : (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8');
    this.keyBytes = 0;
    if (this.depth === 1) { this.key1 = key; this.key2 = ''; } else this.key2 = key;
    this.keyParts = undefined;
    this.keyStart = -1;
  }

  private startTop(i: number): void {
    // A second top-level value: the input is JSON Lines (as Falco and Gatekeeper log); the values
    // read so far are accepted now rather than held to the end.
    if (this.done.length > 0) this.flushLines();
    this.top = { line: this.line, skeleton: [], values: [], lines: [], checked: [] };
    this.skeletonBytes = 0;
    this.skeletonStart = i;
    this.key1 = '';
    this.key2 = '';
  }

  private finishTop(chunk: Buffer, end: number): void {
    const top = this.top!;
    // Copied: a slice would keep its whole chunk (1 MB) alive for as long as the skeleton.
    if (this.skeletonStart !== -1) this.addSkeleton(Buffer.from(chunk.subarray(this.skeletonStart, end)));
    if (this.broken) return;
    this.skeletonStart = -1;
    this.done.push(top);
    this.top = undefined;
  }

  private finishElement(chunk: Buffer, end: number): void {
    const parts = this.element!;
    this.element = undefined;
    if (this.elementOversize || this.elementBytes + (end - this.elementStart) > MAX_DOCUMENT_BYTES) {
      this.elementStart = -1;
      this.elementOversize = false;
      addProblem(this.out, problem(this.file, `the item that starts here is larger than ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB (a Kubernetes object is at most ~1.5 MiB); this item was skipped, the rest of the file was read`, this.elementLine, 'invalid'));
      return;
    }
    parts.push(chunk.subarray(this.elementStart, end));
    this.elementStart = -1;
    const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const at = this.elementLine + (m ? lineOf(text, Number(m[1])) - 1 : 0);
      const where = at !== this.elementLine ? ` in the item that starts at line ${this.elementLine}` : '';
      addProblem(this.out, problem(this.file, `malformed JSON (${jsonErrorText(err)})${where}; this item was skipped, the rest of the file was read`, at, 'parse-error', 'fix the JSON, or re-export it'));
      return;
    }
    trim(value);
    const checked = precheck(value);
    if (this.share) shareStrings(value);
    const top = this.top!;
    top.values.push(value);
    top.lines.push(this.elementLine);
    top.checked.push(checked);
    // Counted as they stream, not once the list has ended: 6 million tiny pods must stop here.
    if ((top.values.length & 1023) === 0) checkObjectBudget((this.out.accepted ?? 0) + top.values.length, this.file);
  }

  private fail(message: string): void {
    addProblem(this.out, problem(this.file, `malformed JSON (${message}); the rest of the file was not read`, this.line, 'parse-error', 'fix the JSON, or re-export it'));
    this.broken = true;
  }

  /** Accept the complete top-level values held so far, each on its own (JSON Lines). */
  private flushLines(): void {
    for (const t of this.done.splice(0)) {
      const value = this.parseTop(t);
      if (value !== undefined) accept(value, this.file, t.line, this.out);
      this.linesAccepted++;
    }
  }

  /** The value of a finished top-level value (its skeleton parsed, the streamed elements put back); undefined when malformed. */
  private parseTop(t: TopValue): unknown {
    const text = Buffer.concat(t.skeleton).toString('utf8');
    try {
      return rebuild(JSON.parse(text), t);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const line = t.streamed ? t.line : t.line + (m ? lineOf(text, Number(m[1])) - 1 : 0);
      addProblem(this.out, problem(this.file, `malformed JSON (${jsonErrorText(err)})${t.streamed ? ` outside the ${t.values.length} items` : ''}; file skipped`, line, 'parse-error', 'fix the JSON, or re-export it'));
      return undefined;
    }
  }

  /** Finish: accept every top-level value read into `out`. */
  end(out: ParsedInput = this.out): void {
    if (!this.broken && (this.depth !== 0 || this.inString)) {
      const open = this.element ? ` (the item that starts at line ${this.elementLine} is not closed)` : '';
      this.fail(`unexpected end of JSON input${open}`);
    }
    const top = this.top;
    if (top && (top.streamed === 'items' || top.streamed === 'array') && top.values.length > 0) {
      // Cut short: keep the items that were read, each on its own.
      top.values.forEach((v, i) => accept(v, this.file, top.lines[i]!, out, undefined, undefined, top.checked[i]));
    }
    if (this.linesAccepted > 0 || this.done.length > 1) {
      // JSON Lines (as Falco and Gatekeeper log): every value accepted on its own, at its line.
      this.flushLines();
      return;
    }
    for (const t of this.done.splice(0)) {
      const value = this.parseTop(t);
      if (value === undefined) continue;
      const { lines, checked } = t;
      settleJsonValue(value, this.file, out, t.streamed === 'items' ? (i) => lines[i] : undefined, t.streamed ? (i) => checked[i] === true : undefined);
    }
  }
}

/** Put the streamed elements back where the skeleton holds an empty array. */
function rebuild(value: unknown, top: TopValue): unknown {
  if (!top.streamed) return value;
  const els = top.values;
  if (top.streamed === 'array' && Array.isArray(value)) return els;
  if (top.streamed === 'items' && isRecord(value)) value.items = els;
  if (top.streamed === 'objects' && isRecord(value) && isRecord(value.kubernetes)) value.kubernetes.objects = els;
  return value;
}

/**
 * Streaming YAML reader: documents split at `---` / `...` in column 0 (the rules of
 * `splitYamlDocuments`), and the block-style items of a top-level `items:` split one by one.
 */
export class YamlStreamReader {
  private line = 0;
  /** Lines of the current document (outside `items:`). */
  private doc: string[] = [];
  private docLine = 1;
  /** Items mode: inside a top-level block `items:` sequence. */
  private inItems = false;
  private itemIndent: string | undefined;
  private item: string[] | undefined;
  private itemLine = 0;
  private items: LoadedDocument[] = [];
  private itemsSeen = false;
  /** Where `items:` is in `doc` (replaced by `items: []`), and the original line. */
  private itemsAt = -1;
  private itemsLine = '';
  private itemCount = 0;
  /** Characters held for the document (outside its items) and for the current item. */
  private docChars = 0;
  private itemChars = 0;
  /** Why the current document (or item) is skipped: it grew past the limits (its lines are dropped). */
  private docOversize: { message: string; line: number } | undefined;
  private itemOversize: { message: string; line: number } | undefined;

  constructor(private readonly file: string, private readonly out: ParsedInput) {}

  /**
   * One line, without its `\n` (a trailing `\r` is kept, as the in-memory splitter does); `null`
   * for a line longer than MAX_LINE_BYTES, which the splitter did not keep.
   */
  pushLine(line: string | null): void {
    this.line++;
    if (line === null) {
      const tooLong = { message: `line ${this.line} is longer than ${MAX_LINE_BYTES / 2 ** 20} MiB`, line: this.line };
      if (this.inItems && this.item) { this.itemOversize ??= tooLong; this.item = []; } else { this.docOversize ??= tooLong; this.doc = []; }
      return;
    }
    const l = line;
    const c0 = l.charCodeAt(0);
    if ((c0 === 0x2d || c0 === 0x2e) && l.charCodeAt(1) === c0 && l.charCodeAt(2) === c0) {
      const after = l.charCodeAt(3);
      if (l.length === 3 || after === 0x20 || after === 0x09 || after === 0x0d) {
        this.endDocument();
        if (c0 === 0x2d && l.length > 4 && /\S/.test(l.slice(4))) {
          this.doc.push(l.slice(4));
          this.docLine = this.line;
        } else {
          this.docLine = this.line + 1;
        }
        return;
      }
    }
    if (this.inItems) {
      const m = /^([ ]*)-( |\r?$)/.exec(l);
      if (m && (this.itemIndent === undefined || m[1] === this.itemIndent)) {
        // A new entry: `- a: 1` becomes `  a: 1`; every line of the entry loses indent + 2 later.
        this.itemIndent ??= m[1]!;
        this.endItem();
        const at = m[1]!.length;
        this.item = [`${l.slice(0, at)} ${l.slice(at + 1)}`];
        this.itemChars = l.length;
        this.itemLine = this.line;
        this.itemCount++;
        return;
      }
      if (/^[^\s#]/.test(l)) {
        // The next top-level key ends the items.
        this.endItem();
        this.inItems = false;
        this.pushDoc(l);
        return;
      }
      if (this.item) {
        this.itemChars += l.length + 1;
        if (this.itemOversize) return;
        if (this.itemChars > MAX_DOCUMENT_BYTES) {
          this.itemOversize = { message: `the item is larger than ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB`, line: this.itemLine };
          this.item = [];
          return;
        }
        this.item.push(l);
      } else if (/^\s*(#.*)?$/.test(l)) this.pushDoc(l);
      else {
        // Not a block sequence after all (`items:` holds a mapping): read the document as it is.
        this.doc[this.itemsAt] = this.itemsLine;
        this.inItems = false;
        this.itemsSeen = false;
        this.pushDoc(l);
      }
      return;
    }
    if (!this.itemsSeen && /^items:[ \t]*(#.*)?\r?$/.test(l)) {
      this.itemsAt = this.doc.length;
      this.itemsLine = l;
      this.doc.push('items: []');
      this.inItems = true;
      this.itemsSeen = true;
      this.itemIndent = undefined;
      return;
    }
    this.pushDoc(l);
  }

  /** A line of the document outside its items, within MAX_DOCUMENT_BYTES. */
  private pushDoc(l: string): void {
    this.docChars += l.length + 1;
    if (this.docOversize) return;
    if (this.docChars > MAX_DOCUMENT_BYTES) {
      this.docOversize = { message: `the document is larger than ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB`, line: this.docLine };
      this.doc = [];
      return;
    }
    this.doc.push(l);
  }

  private oversize(o: { message: string; line: number }, what: string): void {
    addProblem(this.out, problem(this.file, `${o.message} (a Kubernetes object is at most ~1.5 MiB); this ${what} was skipped, the rest of the file was read`, o.line, 'invalid', 'check that this is the file you meant'));
  }

  private endItem(): void {
    if (this.itemOversize) {
      this.oversize(this.itemOversize, 'item');
      this.itemOversize = undefined;
      this.item = undefined;
      return;
    }
    if (!this.item) return;
    const prefix = (this.itemIndent ?? '').length + 2;
    const lines = this.item;
    // The first line was rewritten to start at column `prefix`; strip the common indent.
    let text = '';
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      let cut = 0;
      while (cut < prefix && l.charCodeAt(cut) === 0x20) cut++;
      text += `${k ? '\n' : ''}${l.slice(cut)}`;
    }
    text += '\n';
    this.item = undefined;
    for (const d of loadYamlDocument(text, this.itemLine, this.file, this.out)) {
      trim(d.value);
      this.items.push({ value: d.value, line: this.itemLine });
    }
    if ((this.items.length & 1023) === 0) checkObjectBudget((this.out.accepted ?? 0) + this.items.length, this.file);
  }

  private endDocument(): void {
    this.endItem();
    if (this.docOversize) {
      this.oversize(this.docOversize, 'document');
      this.docOversize = undefined;
      this.doc = [];
      this.itemsSeen = false;
    }
    if (this.itemsSeen && this.itemCount === 0) {
      // `items:` with no entries (null): read the document as it is.
      this.doc[this.itemsAt] = this.itemsLine;
      this.itemsSeen = false;
    }
    if (this.doc.length > 0) {
      const text = `${this.doc.join('\n')}\n`;
      const items = this.items;
      for (const d of loadYamlDocument(text, this.docLine, this.file, this.out)) {
        if (this.itemsSeen && isRecord(d.value) && Array.isArray(d.value.items) && d.value.items.length === 0) {
          d.value.items = items.map((x) => x.value);
          accept(d.value, this.file, d.line, this.out, isListKind(d.value) ? (i) => items[i]?.line : undefined);
        } else {
          accept(d.value, this.file, d.line, this.out, d.itemLines);
        }
      }
    }
    this.doc = [];
    this.items = [];
    this.itemsSeen = false;
    this.inItems = false;
    this.itemIndent = undefined;
    this.itemCount = 0;
    this.docChars = 0;
  }

  end(): void {
    this.endDocument();
  }
}

/**
 * Split a byte stream into lines (UTF-8 safe: `\n` never occurs inside a multi-byte sequence). A
 * line longer than MAX_LINE_BYTES is not kept: `null` stands for it, and memory stays bounded
 * whatever the input (a line is never joined from its pieces more than once).
 */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string | null> {
  let rest: Buffer[] = [];
  let restBytes = 0;
  let overlong = false;
  for await (const chunk of chunks) {
    const eol = chunk.indexOf(NL);
    if (eol === -1) {
      restBytes += chunk.length;
      if (restBytes > MAX_LINE_BYTES) { overlong = true; rest = []; } else rest.push(chunk);
      continue;
    }
    // The line the previous chunks began.
    if (overlong || restBytes + eol > MAX_LINE_BYTES) {
      yield null;
    } else if (restBytes > 0) {
      rest.push(chunk.subarray(0, eol));
      yield Buffer.concat(rest).toString('utf8');
    } else {
      yield chunk.toString('utf8', 0, eol);
    }
    rest = [];
    restBytes = 0;
    overlong = false;
    let start = eol + 1;
    const last = chunk.lastIndexOf(NL);
    if (last > start - 1) {
      const text = chunk.toString('utf8', start, last);
      let pos = 0;
      for (let e = text.indexOf('\n'); e !== -1; e = text.indexOf('\n', pos)) {
        yield e - pos > MAX_LINE_BYTES ? null : text.slice(pos, e);
        pos = e + 1;
      }
      yield text.length - pos > MAX_LINE_BYTES ? null : text.slice(pos);
      start = last + 1;
    }
    if (start < chunk.length) {
      rest.push(chunk.subarray(start));
      restBytes = chunk.length - start;
      if (restBytes > MAX_LINE_BYTES) { overlong = true; rest = []; }
    }
  }
  if (overlong) yield null;
  else if (restBytes > 0) yield Buffer.concat(rest).toString('utf8');
}

/**
 * Parse a large manifest from a byte stream (already decompressed), choosing JSON or YAML by its
 * first significant byte, as parseManifestText does.
 */
export async function parseManifestStream(chunks: AsyncIterable<Buffer>, file: string, out: ParsedInput): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let first = -1;
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    let c = r.value;
    if (head.length === 0 && c.length >= 3 && c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf) c = c.subarray(3);
    head.push(c);
    for (let i = 0; i < c.length; i++) {
      const b = c[i]!;
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) { first = b; break; }
    }
    if (first !== -1) break;
  }
  const all: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      for (const h of head) yield h;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    },
  };
  if (first === -1) {
    out.problems.push(problem(file, 'file is empty; nothing to scan', undefined, 'invalid'));
    return;
  }
  if (first === 0x7b || first === 0x5b) {
    const reader = new JsonStreamReader(file, out, true);
    for await (const c of all) reader.push(c);
    reader.end(out);
    return;
  }
  const reader = new YamlStreamReader(file, out);
  for await (const l of lines(all)) reader.pushLine(l);
  reader.end();
}

