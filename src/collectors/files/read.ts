import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import type { Coverage, EvidenceGap, K8sObject, Snapshot } from '../../model/index.js';
import { emptySnapshot, kindKey } from '../../model/index.js';
import { addProblem, closeProblems, looksBinary, parseManifestText } from './parse.js';
import { parseManifestStream } from './stream.js';
import { mergeTools } from '../tools/detect.js';
import type { ParsedInput } from './parse.js';

const MANIFEST_EXT = /\.(ya?ml|json)(\.gz)?$/i;
/** Terraform configuration and variable files: read by the Terraform reader, never as manifests. */
export const TERRAFORM_EXT = /\.(tf|tf\.json|tfvars|tfvars\.json)$/i;
const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', '.idea', '.vscode']);

export interface FileCollectOptions {
  toolVersion: string;
  /** Treat the files as the cluster's complete inventory: kinds not present are absent. */
  completeInventory?: boolean;
  /** Read `-` from this stream (defaults to process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Base for relative file names in findings (defaults to the current directory). */
  cwd?: string;
  /**
   * Inputs (after gunzip) of at least this many bytes are parsed as streams instead of one string
   * (default STREAM_THRESHOLD; the environment variable EKS_SOC2_STREAM_THRESHOLD overrides it).
   */
  streamThreshold?: number;
}

/**
 * Inputs this large are read as streams: V8 strings stop at ~512 MB, and a stream never holds the
 * text and the buffer it came from at once.
 */
export const STREAM_THRESHOLD = 64 * 1024 * 1024;

function defaultThreshold(): number {
  const env = Number(process.env.EKS_SOC2_STREAM_THRESHOLD);
  return Number.isFinite(env) && env > 0 ? env : STREAM_THRESHOLD;
}

/**
 * Expand files and directories (recursively) into the list of files to read, in a stable order.
 * Terraform files (.tf, .tf.json, .tfvars) go to `terraform` when given.
 */
export async function expandPaths(paths: readonly string[], problems: EvidenceGap[], terraform?: string[]): Promise<string[]> {
  const out: string[] = [];
  // Real paths of the directories walked: a symbolic link back up the tree is walked once.
  const visited = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      real = dir;
    }
    if (visited.has(real)) {
      problems.push({ source: 'files', target: dir, reason: 'skipped', message: `${dir}: a symbolic link to a directory already read (${real}), skipped` });
      return;
    }
    visited.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ source: 'files', target: dir, reason: 'error', message: `${dir}: cannot read directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    // Template sources are not evidence as they stand: a Helm chart's templates are not YAML until
    // rendered, and a kustomize directory holds patches and bases that kustomize transforms (images,
    // namespaces). Say how to scan what they render instead of reporting them as broken YAML.
    const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    if (names.has('Chart.yaml')) {
      problems.push({ source: 'files', target: dir, reason: 'skipped', message: `${dir}: a Helm chart's sources, skipped (templates are not YAML until rendered)`, fix: `helm template ${dir} | eks-soc2 scan -f -` });
      return;
    }
    const kustomization = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].find((n) => names.has(n));
    if (kustomization) {
      problems.push({ source: 'files', target: dir, reason: 'skipped', message: `${dir}: a kustomize directory, skipped (its patches and bases are transformed when built)`, fix: `kubectl kustomize ${dir} | eks-soc2 scan -f -` });
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        // Followed, like the paths given on the command line (ConfigMap volumes, vendored charts).
        try {
          const st = await stat(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          if (MANIFEST_EXT.test(e.name)) {
            problems.push({ source: 'files', target: p, reason: 'not-found', message: `${p}: a symbolic link to nothing (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, fix: 'fix or remove the link' });
          }
          continue;
        }
      }
      if (isDir) {
        if (!SKIP_DIRS.has(e.name)) await walk(p);
      } else if (isFile && TERRAFORM_EXT.test(e.name)) {
        terraform?.push(p);
      } else if (isFile && MANIFEST_EXT.test(e.name)) {
        out.push(p);
      }
    }
  };
  for (const p of paths) {
    if (p === '-') { out.push('-'); continue; }
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ source: 'files', target: p, reason: 'not-found', message: `${p}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`, fix: 'check the path given to -f' });
      continue;
    }
    if (st.isDirectory()) await walk(p);
    else if (terraform && TERRAFORM_EXT.test(p)) terraform.push(p);
    else out.push(p);
  }
  return out;
}

const CHUNK = 1 << 20;

/** The UTF-16 encoding a byte-order mark announces, if any. */
function utf16Of(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

class ReadError extends Error {
  constructor(override readonly cause: NodeJS.ErrnoException) { super(cause.message); }
}

/** The bytes of a file or stdin, gunzipped when they start with the gzip magic. */
async function* bytesOf(path: string, stdin: NodeJS.ReadableStream | undefined, onGzip: () => void): AsyncGenerator<Buffer> {
  const source = path === '-' ? (stdin ?? process.stdin) : createReadStream(path, { highWaterMark: CHUNK });
  const raw = (async function* () {
    try {
      for await (const c of source) yield typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    } catch (err) {
      throw new ReadError(err as NodeJS.ErrnoException);
    }
  })();
  let first = await raw.next();
  if (first.done) return;
  // Two bytes decide; a one-byte first chunk (a pipe) is completed with the next one.
  if (first.value.length < 2) {
    const next = await raw.next();
    if (!next.done) first = { done: false, value: Buffer.concat([first.value, next.value]) };
  }
  const head = first.value;
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    yield* raw;
    return;
  }
  onGzip();
  const gunzip = createGunzip({ chunkSize: CHUNK });
  const feed = (async () => {
    try {
      if (!gunzip.write(head)) await once(gunzip, 'drain');
      for await (const c of raw) if (!gunzip.write(c)) await once(gunzip, 'drain');
      gunzip.end();
    } catch (err) {
      gunzip.destroy(err as Error);
    }
  })();
  for await (const c of gunzip) yield c as Buffer;
  await feed;
}

/** Read one file into `out`; problems are recorded, never thrown. */
export async function readOne(path: string, display: string, out: ParsedInput, stdin?: NodeJS.ReadableStream, threshold = defaultThreshold()): Promise<void> {
  let gzip = false;
  const it = bytesOf(path, stdin, () => { gzip = true; });
  const head: Buffer[] = [];
  let size = 0;
  const readFailed = (err: unknown, streamed: boolean): void => {
    if (err instanceof ReadError) {
      const code = err.cause.code;
      addProblem(out, { source: 'files', target: display, reason: 'error', message: `${display}: cannot read (${code === 'EACCES' ? 'permission denied' : code ?? err.message})` });
    } else if (gzip) {
      addProblem(out, { source: 'files', target: display, reason: 'parse-error', message: `${display}: gzip data is corrupt (${(err as Error).message}); ${streamed ? 'the rest of the file could not be read' : 'file skipped'}`, fix: 're-export the bundle' });
    } else {
      addProblem(out, { source: 'files', target: display, reason: 'error', message: `${display}: cannot read (${(err as Error).message})` });
    }
  };
  try {
    for (;;) {
      if (size >= threshold) break;
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      size += r.value.length;
    }
  } catch (err) {
    readFailed(err, false);
    return;
  }
  const first = head.length === 1 || size >= threshold ? head[0]! : Buffer.concat(head);
  const utf16 = utf16Of(first);
  if (utf16 && size < threshold) {
    // Windows PowerShell's `>` writes UTF-16 with a byte-order mark: decoded, not refused.
    parseManifestText(new TextDecoder(utf16).decode(first), display, out);
    return;
  }
  if (utf16 || looksBinary(first.subarray(0, 8192))) {
    addProblem(out, {
      source: 'files', target: display, reason: 'invalid',
      message: utf16 ? `${display}: ${utf16.toUpperCase()} text larger than ${threshold / 2 ** 20} MiB, which is read only as UTF-8; skipped` : `${display}: binary file (or UTF-16 without a byte-order mark), not YAML or JSON; skipped`,
      fix: `convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 ${display}), or remove it from the input`,
    });
    await it.return(undefined);
    return;
  }
  if (size < threshold) {
    let text: string;
    try {
      text = first.toString('utf8');
    } catch (err) {
      addProblem(out, { source: 'files', target: display, reason: 'unsupported', message: `${display}: too large to read as text (${(err as Error).message}); split the file or export a snapshot bundle with \`eks-soc2 collect\`` });
      return;
    }
    parseManifestText(text, display, out);
    return;
  }
  // Large: parse as a stream, starting with what was read already (not joined: that would copy it).
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      // Hand the head over without keeping it: parsed chunks can then be collected.
      while (head.length > 0) yield head.shift()!;
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      } catch (err) {
        readFailed(err, true);
      }
    },
  };
  await parseManifestStream(rest, display, out);
}

/**
 * Collect a Snapshot from manifest files, directories, `kubectl get -o json|yaml` dumps, Helm or
 * kustomize output, stdin and exported snapshot bundles.
 */
export async function collectFiles(paths: readonly string[], opts: FileCollectOptions): Promise<Snapshot> {
  const cwd = opts.cwd ?? process.cwd();
  const out: ParsedInput = { objects: [], problems: [], bundles: [] };
  const terraform: string[] = [];
  const files = await expandPaths(paths, out.problems, terraform);
  const displayOf = (f: string) => (f === '-' ? '<stdin>' : isAbsolute(f) && !relative(cwd, f).startsWith('..') ? relative(cwd, f) : f);
  for (const f of files) {
    const display = displayOf(f);
    await readOne(f, display, out, opts.stdin, opts.streamThreshold);
    closeProblems(out, display);
  }
  const snap = assembleSnapshot(out, { ...opts, inputs: [...paths] });
  if (terraform.length > 0 || out.plans?.length) {
    // Loaded only when there is Terraform to read (the HCL parser is a WebAssembly module).
    const tf = await import('../terraform/index.js');
    tf.addTerraform(snap, await tf.readTerraform({ plans: out.plans ?? [], files: terraform.map((f) => ({ path: f, display: displayOf(f) })) }));
  }
  return snap;
}

/** Build the snapshot from parsed inputs: bundles are merged in, file objects are added. */
export function assembleSnapshot(parsed: ParsedInput, opts: FileCollectOptions & { inputs: string[] }): Snapshot {
  const base = parsed.bundles.length > 0 ? mergeBundles(parsed.bundles) : emptySnapshot(opts.toolVersion);
  const snap: Snapshot = base;
  snap.collector = { ...snap.collector, tool: 'eks-soc2', version: opts.toolVersion, inputs: opts.inputs, identity: snap.collector.identity ?? 'files' };
  if (parsed.objects.length > 0) {
    if (snap.kubernetes.source === 'none') snap.kubernetes.source = 'files';
    const kinds: Record<string, Coverage> = snap.kubernetes.kinds;
    const objects: K8sObject[] = snap.kubernetes.objects;
    for (const o of parsed.objects) {
      objects.push(o);
      const key = kindKey(o.apiVersion, o.kind);
      const cov = kinds[key];
      if (cov) { cov.count++; if (cov.state !== 'collected' && cov.state !== 'absent') continue; cov.state = 'collected'; }
      else kinds[key] = { state: 'collected', count: 1, detail: o.apiVersion };
    }
  }
  // Kinds with objects kept out of evaluation (a wrong shape): what was read of them is partial.
  for (const [key] of parsed.invalidKinds ?? []) {
    const cov = snap.kubernetes.kinds[key];
    if (cov) cov.state = cov.state === 'collected' || cov.state === 'absent' ? (cov.count > 0 ? 'partial' : 'error') : cov.state;
    else snap.kubernetes.kinds[key] = { state: 'error', count: 0 };
  }
  if (parsed.tools?.length) for (const t of mergeTools(parsed.tools)) snap.tools.push(t);
  if (opts.completeInventory) snap.kubernetes.complete = true;
  for (const p of parsed.problems) snap.gaps.push(p);
  return snap;
}

function mergeBundles(bundles: Snapshot[]): Snapshot {
  const [first, ...rest] = bundles;
  // The bundles were parsed from the input and are owned here: no deep copy (at 150,000 pods a
  // structuredClone doubles the time and the memory of reading the bundle).
  const snap = first!;
  for (const b of rest) {
    for (const o of b.kubernetes.objects) snap.kubernetes.objects.push(o);
    for (const [k, v] of Object.entries(b.kubernetes.kinds)) {
      const cur = snap.kubernetes.kinds[k];
      snap.kubernetes.kinds[k] = cur ? { ...cur, count: cur.count + v.count } : v;
    }
    for (const f of b.aws.facts) snap.aws.facts.push(f);
    Object.assign(snap.aws.calls, b.aws.calls);
    for (const t of b.tools) snap.tools.push(t);
    for (const g of b.gaps) snap.gaps.push(g);
    if (snap.kubernetes.source === 'none') snap.kubernetes.source = b.kubernetes.source;
    if (snap.aws.source === 'none') snap.aws.source = b.aws.source;
  }
  return snap;
}
