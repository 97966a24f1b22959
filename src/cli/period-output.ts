import { join } from 'node:path';
import type { PeriodResult } from '../model/index.js';
import { UserError } from './errors.js';
import { makeDirectory } from '../store/dirs.js';
import { writeReportFile } from './output.js';

export interface PeriodFormatContext {
  color: boolean;
  quiet: boolean;
  /** Markdown: at most this many characters (`report --max-size`; markdown-summary: 65,000 by default). */
  markdownMaxSize?: number;
  /** Markdown: where the full report is, linked from the line saying what a bounded one left out. */
  reportUrl?: string;
  /** Chromium for the PDF report; else CHROMIUM_PATH or the system one. */
  chromium?: string;
  /** Stops a PDF render (the dashboard's client went away). */
  signal?: AbortSignal;
}

export interface PeriodFormat {
  /** File extension under --output DIR. */
  ext: string;
  description: string;
  /** Render to a text sink. Renderers are pure functions of the PeriodResult. */
  render(period: PeriodResult, ctx: PeriodFormatContext, write: (chunk: string | Uint8Array) => void): Promise<void> | void;
}

/**
 * The JSON period report: the PeriodResult itself (schema `eks-soc2/period@1`), written control by
 * control so that a long window is never held as one string.
 */
export function renderPeriodJson(p: PeriodResult, write: (chunk: string) => void): void {
  const { clusters, ...head } = p;
  write(JSON.stringify(head, null, 2).slice(0, -2));
  write(',\n  "clusters": [');
  clusters.forEach((c, i) => {
    const { controls, ...rest } = c;
    write(`${i ? ',' : ''}\n    `);
    write(JSON.stringify(rest).slice(0, -1));
    write(',"controls":[');
    controls.forEach((ctl, j) => {
      write(`${j ? ',' : ''}\n      `);
      write(JSON.stringify(ctl));
    });
    write('\n    ]}');
  });
  write('\n  ]\n}\n');
}

/** Formats of a period report. Renderers are imported lazily so commands start fast. */
export const PERIOD_FORMATS: Record<string, () => Promise<PeriodFormat>> = {
  terminal: async () => {
    const { renderPeriodTerminal } = await import('../report/period-terminal.js');
    return {
      ext: 'txt',
      description: 'per control: samples, pass rate, failure intervals, waivers, attestations, verdict',
      render: (p, ctx, write) => renderPeriodTerminal(p, { color: ctx.color, quiet: ctx.quiet }, (l) => write(`${l}\n`)),
    };
  },
  json: async () => ({
    ext: 'json',
    description: 'the PeriodResult (schema eks-soc2/period@1), every sample linked to its run id and snapshot digest',
    render: (p, _ctx, write) => renderPeriodJson(p, write),
  }),
  markdown: async () => {
    const { renderPeriodMarkdown } = await import('../report/markdown.js');
    return {
      ext: 'md',
      description: 'Markdown: verdict, pass rate, samples and fail intervals per control (--max-size N bounds it)',
      render: (p, ctx, write) => renderPeriodMarkdown(p, write, { ...(ctx.markdownMaxSize ? { maxSize: ctx.markdownMaxSize } : {}), ...(ctx.reportUrl ? { reportUrl: ctx.reportUrl } : {}) }),
    };
  },
  'markdown-summary': async () => {
    const { MARKDOWN_SUMMARY_MAX, renderPeriodMarkdown } = await import('../report/markdown.js');
    return {
      ext: 'summary.md',
      description: 'Markdown within GitHub\'s comment limit (65,000 characters, --max-size N): controls that did not operate effectively first, then a line saying what was left out (--report-url)',
      render: (p, ctx, write) => renderPeriodMarkdown(p, write, { maxSize: ctx.markdownMaxSize ?? MARKDOWN_SUMMARY_MAX, ...(ctx.reportUrl ? { reportUrl: ctx.reportUrl } : {}) }),
    };
  },
  csv: async () => {
    const { renderPeriodCsv } = await import('../report/csv.js');
    return { ext: 'csv', description: 'one row per control and cluster (verdict, pass rate, status counts, fail intervals)', render: (p, _ctx, write) => renderPeriodCsv(p, write) };
  },
  html: async () => {
    const { renderPeriodHtml } = await import('../report/html.js');
    return { ext: 'html', description: 'self-contained HTML: pass rate over time per section, per-control timeline, verdicts, fail intervals, sampling gaps', render: (p, _ctx, write) => renderPeriodHtml(p, write) };
  },
  pdf: async () => {
    const [{ renderPeriodHtml }, { htmlToPdf }] = await Promise.all([import('../report/html.js'), import('../report/pdf.js')]);
    return {
      ext: 'pdf',
      description: 'the period HTML report printed to PDF by a local Chromium (CHROMIUM_PATH or /usr/bin/chromium)',
      render: async (p, ctx, write) => {
        let html = '';
        renderPeriodHtml(p, (c) => { html += c; });
        try {
          write(await htmlToPdf(html, { ...(ctx.chromium ? { chromium: ctx.chromium } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) }));
        } catch (err) {
          if ((err as { code?: string }).code === 'ENOCHROMIUM') throw new UserError((err as Error).message);
          throw err;
        }
      },
    };
  },
  sarif: async () => {
    const { renderPeriodSarif } = await import('../report/sarif.js');
    return { ext: 'sarif', description: 'SARIF 2.1.0: one result per control that did not operate effectively, per cluster (code-scanning alerts follow the control)', render: (p, _ctx, write) => renderPeriodSarif(p, write) };
  },
  junit: async () => {
    const { renderPeriodJunit } = await import('../report/junit.js');
    return { ext: 'junit.xml', description: 'JUnit XML: a suite per cluster, a case per control (failure: not operating or exceptions noted; error: insufficient evidence)', render: (p, _ctx, write) => renderPeriodJunit(p, write) };
  },
  oscal: async () => {
    const { renderPeriodOscal } = await import('../report/oscal.js');
    return { ext: 'oscal.json', description: 'NIST OSCAL 1.1 assessment-results spanning the window, one finding per control', render: (p, _ctx, write) => renderPeriodOscal(p, write) };
  },
};

export function parsePeriodFormats(value: string | undefined): string[] {
  const list = (value ?? 'terminal').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const f of list) {
    if (!PERIOD_FORMATS[f]) throw new UserError(`unknown period report format "${f}"; available: ${Object.keys(PERIOD_FORMATS).join(', ')}`);
  }
  return [...new Set(list.length ? list : ['terminal'])];
}

/** Write each format to stdout (a single format) or to DIR/eks-soc2-period.<ext>. */
export async function writePeriodOutputs(p: PeriodResult, formats: string[], outDir: string | undefined, ctx: PeriodFormatContext, baseName = 'eks-soc2-period'): Promise<string[]> {
  if (!outDir) {
    if (formats.length > 1) throw new UserError(`--format ${formats.join(',')} names several formats: add --output DIR to write each to a file`);
    const f = await PERIOD_FORMATS[formats[0]!]!();
    await f.render(p, ctx, (chunk) => { process.stdout.write(chunk); });
    return [];
  }
  try {
    makeDirectory(outDir);
  } catch (err) {
    throw new UserError(`cannot create the output directory ${outDir}: ${(err as Error).message}`);
  }
  const written: string[] = [];
  for (const name of formats) {
    const f = await PERIOD_FORMATS[name]!();
    const path = join(outDir, `${baseName}.${name === 'terminal' ? 'txt' : f.ext}`);
    await writeReportFile(path, (write) => f.render(p, { ...ctx, color: false }, write));
    written.push(path);
  }
  return written;
}
