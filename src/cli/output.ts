import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../model/index.js';
import { EXIT, UserError } from './errors.js';
import { makeDirectory } from '../store/dirs.js';

export interface FormatContext {
  color: boolean;
  quiet: boolean;
  details?: boolean;
  /** Chromium for the PDF report (`--chromium`); else CHROMIUM_PATH or the system one. */
  chromium?: string;
  /** JUnit: one test case per finding as well as per control (`--junit-per-finding`). */
  junitPerFinding?: boolean;
  /** JSON: every finding as one object, passes included, in the superseded run@2 shape (`--expand-passing`). */
  expandPassing?: boolean;
  /** Markdown: at most this many characters (`--max-size`; markdown-summary: 65,000 by default). */
  markdownMaxSize?: number;
  /** Markdown: where the full report is, named when the Markdown is shortened (`--report-url`). */
  reportUrl?: string;
}

export interface Format {
  /** File extension under --output DIR. */
  ext: string;
  description: string;
  /** Render to a text sink. Renderers are pure functions of the RunResult. */
  render(run: RunResult, ctx: FormatContext, write: (chunk: string | Uint8Array) => void): Promise<void> | void;
}

/** `--max-size` and `--report-url` of the Markdown formats, checked: a whole number of characters, an http(s) URL. */
export function markdownBounds(opts: { maxSize?: string; reportUrl?: string }): Pick<FormatContext, 'markdownMaxSize' | 'reportUrl'> {
  const out: Pick<FormatContext, 'markdownMaxSize' | 'reportUrl'> = {};
  if (opts.maxSize !== undefined) {
    const n = Number(opts.maxSize.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < 2000) throw new UserError(`--max-size must be a whole number of characters, 2000 or more (got "${opts.maxSize}"); GitHub's comment limit is 65536`);
    out.markdownMaxSize = n;
  }
  if (opts.reportUrl !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(opts.reportUrl).protocol);
    } catch { /* reported below */ }
    if (!ok) throw new UserError(`--report-url must be an http(s) URL (got "${opts.reportUrl.slice(0, 200)}")`);
    out.reportUrl = opts.reportUrl;
  }
  return out;
}

/** Formats for one run. Renderers are imported lazily so commands start fast. */
export const FORMATS: Record<string, () => Promise<Format>> = {
  terminal: async () => {
    const { renderTerminal } = await import('../report/terminal.js');
    return {
      ext: 'txt',
      description: 'human-readable summary grouped by checklist section',
      render: (run, ctx, write) => renderTerminal(run, { color: ctx.color, quiet: ctx.quiet, ...(ctx.details !== undefined ? { details: ctx.details } : {}) }, (l) => write(`${l}\n`)),
    };
  },
  json: async () => {
    const { renderJson } = await import('../report/json.js');
    return { ext: 'json', description: 'the stable machine contract (schemas/report.schema.json)', render: (run, ctx, write) => renderJson(run, write, { expandPassing: Boolean(ctx.expandPassing) }) };
  },
  markdown: async () => {
    const { renderMarkdown } = await import('../report/markdown.js');
    return {
      ext: 'md',
      description: 'Markdown for pull requests and tickets: summary by section, failing controls, owners, the fix (--max-size N bounds it)',
      render: (run, ctx, write) => renderMarkdown(run, write, { ...(ctx.markdownMaxSize ? { maxSize: ctx.markdownMaxSize } : {}), ...(ctx.reportUrl ? { reportUrl: ctx.reportUrl } : {}) }),
    };
  },
  'markdown-summary': async () => {
    const { MARKDOWN_SUMMARY_MAX, renderMarkdown } = await import('../report/markdown.js');
    return {
      ext: 'summary.md',
      description: 'Markdown within GitHub\'s comment limit (65,000 characters, --max-size N): summary, failing controls first, then warnings and errors, and a line saying what was left out (--report-url)',
      render: (run, ctx, write) => renderMarkdown(run, write, { maxSize: ctx.markdownMaxSize ?? MARKDOWN_SUMMARY_MAX, ...(ctx.reportUrl ? { reportUrl: ctx.reportUrl } : {}) }),
    };
  },
  csv: async () => {
    const { renderCsv } = await import('../report/csv.js');
    return { ext: 'csv', description: 'one row per finding, safe against spreadsheet formula injection', render: (run, _ctx, write) => renderCsv(run, write) };
  },
  html: async () => {
    const { renderHtml } = await import('../report/html.js');
    return { ext: 'html', description: 'self-contained HTML report for auditors (no script, nothing loaded from the network), printable', render: (run, _ctx, write) => renderHtml(run, write) };
  },
  pdf: async () => {
    const [{ renderHtml }, { htmlToPdf }] = await Promise.all([import('../report/html.js'), import('../report/pdf.js')]);
    return {
      ext: 'pdf',
      description: 'the HTML report printed to PDF by a local Chromium (--chromium PATH or CHROMIUM_PATH)',
      render: async (run, ctx, write) => {
        let html = '';
        renderHtml(run, (c) => { html += c; }, { print: true });
        try {
          write(await htmlToPdf(html, ctx.chromium ? { chromium: ctx.chromium } : {}));
        } catch (err) {
          if ((err as { code?: string }).code === 'ENOCHROMIUM') throw new UserError((err as Error).message);
          throw err;
        }
      },
    };
  },
  sarif: async () => {
    const { renderSarif } = await import('../report/sarif.js');
    return { ext: 'sarif', description: 'SARIF 2.1.0 for CI and GitHub code scanning (failing findings with file and line)', render: (run, _ctx, write) => renderSarif(run, write, { baseDir: process.cwd() }) };
  },
  junit: async () => {
    const { renderJunit } = await import('../report/junit.js');
    return { ext: 'junit.xml', description: 'JUnit XML, one test case per control (--junit-per-finding: per finding too)', render: (run, ctx, write) => renderJunit(run, write, { perFinding: Boolean(ctx.junitPerFinding) }) };
  },
  oscal: async () => {
    const { renderOscal } = await import('../report/oscal.js');
    return { ext: 'oscal.json', description: 'NIST OSCAL 1.1 assessment-results (JSON) for GRC tools', render: (run, _ctx, write) => renderOscal(run, write) };
  },
};

export function parseFormats(value: string | undefined): string[] {
  const list = (value ?? 'terminal').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const f of list) {
    if (!FORMATS[f]) throw new UserError(`unknown format "${f}"; available: ${Object.keys(FORMATS).join(', ')}`);
  }
  return [...new Set(list)];
}

/** Write each format to stdout (a single format) or to DIR/eks-soc2-report.<ext>. */
export async function writeOutputs(run: RunResult, formats: string[], outDir: string | undefined, ctx: FormatContext, baseName = 'eks-soc2-report'): Promise<string[]> {
  if (!outDir) {
    if (formats.length > 1) throw new UserError(`--format ${formats.join(',')} names several formats: add --output DIR to write each to a file`);
    const f = await FORMATS[formats[0]!]!();
    await f.render(run, ctx, (chunk) => { process.stdout.write(chunk); });
    return [];
  }
  try {
    makeDirectory(outDir);
  } catch (err) {
    throw new UserError(`cannot create the output directory ${outDir}: ${(err as Error).message}`, EXIT.USAGE, 'choose a writable directory with -o');
  }
  const written: string[] = [];
  for (const name of formats) {
    const f = await FORMATS[name]!();
    const path = join(outDir, `${baseName}.${name === 'terminal' ? 'txt' : f.ext}`);
    await writeReportFile(path, (write) => f.render(run, { ...ctx, color: false }, write));
    written.push(path);
  }
  return written;
}

/** A file-system error in words: what a user can do about ENOSPC, EACCES and the like. */
export function ioErrorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOSPC': return 'the disk is full (ENOSPC)';
    case 'EDQUOT': return 'the disk quota is exhausted (EDQUOT)';
    case 'EFBIG': return 'the file is larger than the file system allows (EFBIG)';
    case 'EROFS': return 'the file system is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM': return `permission denied (${e.code})`;
    case 'ENOENT': return 'no such directory (ENOENT)';
    case 'EIO': return 'an I/O error from the disk (EIO)';
    default: return e.message ?? String(err);
  }
}

/**
 * Write one report file atomically: rendered into a temporary file beside it, then renamed over
 * the name, so a full disk (or a crash) never leaves a truncated report that looks complete. On
 * failure the temporary file is removed and the error is a UserError naming the file.
 */
export async function writeReportFile(path: string, render: (write: (chunk: string | Uint8Array) => void) => Promise<void> | void): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let fd: number | undefined;
  try {
    // Written as it is rendered: a write stream would queue the whole report (hundreds of MB at
    // 150,000 pods) in memory, since synchronous renderers cannot wait for it to drain.
    fd = openSync(tmp, 'wx', 0o644);
    const out = fd;
    await render((chunk) => { writeAll(out, chunk); });
    fsyncSync(out);
    closeSync(out);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    rmSync(tmp, { force: true });
    if (err instanceof UserError || !(err as NodeJS.ErrnoException).code) throw err;
    throw new UserError(`cannot write ${path}: ${ioErrorText(err)}; no partial file was left`, EXIT.USAGE, 'free some space or choose another directory with -o');
  }
}

/** Write a whole chunk to a file descriptor (writeSync may write less than asked). */
export function writeAll(fd: number, chunk: string | Uint8Array): void {
  let buf: Uint8Array;
  let off = 0;
  if (typeof chunk === 'string') {
    // A string goes straight to the file (no Buffer per chunk: external memory makes V8 collect).
    off = writeSync(fd, chunk);
    if (off === Buffer.byteLength(chunk)) return;
    buf = Buffer.from(chunk, 'utf8');
  } else {
    buf = chunk;
  }
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}
