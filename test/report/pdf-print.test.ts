/**
 * The PDF laid out for print (issue 16 item 3), checked on the rendered demo report: a page count
 * bound, the summary and the per-section table on the first page (no section name squeezed to a
 * letter per line), nothing in the right margin (pdftoppm, greyscale), no page ending on a heading,
 * and — in Chromium with print media at the A4 text width — no table wider than its box. Skips
 * without Chromium or poppler-utils, unless CI is set.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/model/index.js';
import { fromWire } from '../../src/model/index.js';
import { renderHtml, renderPeriodHtml } from '../../src/report/html.js';
import { CHROMIUM_ARGS } from '../../src/report/pdf.js';
import { runCli } from '../helpers/cli.js';
import { capture, hostileRun, samplePeriod } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const canRender = existsSync(CHROMIUM) && spawnSync('pdftoppm', ['-v']).error === undefined && spawnSync('pdfinfo', ['-v']).error === undefined;
/** The demo's PDF must stay well below this (it was 269 pages before the print layout). */
const MAX_PAGES = 39;

/** A PGM (P5) image: width, height and 8-bit grey pixels. */
function readPgm(file: string): { w: number; h: number; px: Buffer } {
  const buf = readFileSync(file);
  const head = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 50).toString('latin1'))!;
  return { w: Number(head[1]), h: Number(head[2]), px: buf.subarray(head[0].length) };
}

describe.skipIf(!canRender && !process.env.CI)('the demo PDF on paper', () => {
  let dir: string;
  let pdf: string;
  let pages: number;
  let demo: RunResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-pdf-print-'));
    const r = await runCli(['scan', '--demo', '--no-store', '--format', 'pdf,json', '-o', dir]);
    expect(r.stderr).toContain('eks-soc2-report.pdf');
    pdf = join(dir, 'eks-soc2-report.pdf');
    // The report's finding groups (run@5 wire form) read back as findings, as every loader does.
    demo = fromWire(JSON.parse(readFileSync(join(dir, 'eks-soc2-report.json'), 'utf8')) as RunResult);
    pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`has at most ${MAX_PAGES} A4 pages`, () => {
    process.stderr.write(`demo PDF: ${pages} pages\n`);
    expect(pages).toBeGreaterThan(5);
    expect(pages).toBeLessThanOrEqual(MAX_PAGES);
  });

  it('page 1 holds the summary and the whole per-section table, one section per line', () => {
    const page1 = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' });
    expect(page1).toContain('SOC 2 evidence report');
    expect(page1).toMatch(new RegExp(`${demo.summary.score}%`));
    expect(page1).toContain('By checklist section');
    for (const [id, title] of [['CC3', 'Risk Assessment'], ['CC5', 'Control Activities'], ['CC9', 'Risk Mitigation']] as const) {
      expect(page1.split('\n').some((l) => l.includes(id) && l.includes(title)), `${id} ${title} on one line`).toBe(true);
    }
  });

  it('nothing is printed in the right margin of any page', () => {
    execFileSync('pdftoppm', ['-r', '50', '-gray', pdf, join(dir, 'page')]);
    const files = readdirSync(dir).filter((f) => /^page-\d+\.pgm$/.test(f)).sort();
    expect(files).toHaveLength(pages);
    const strip = 16; // 8 mm at 50 dpi; the page margin is 11 mm
    const inked: string[] = [];
    for (const f of files) {
      const { w, h, px } = readPgm(join(dir, f));
      let dark = 0;
      for (let y = 0; y < h; y++) for (let x = w - strip; x < w; x++) if (px[y * w + x]! < 200) dark++;
      if (dark) inked.push(`${f}: ${dark} px`);
    }
    expect(inked).toEqual([]);
  });

  it('no page ends on a heading (the heading goes with what follows it)', () => {
    const orphans: string[] = [];
    for (let i = 1; i <= pages; i++) {
      const lines = execFileSync('pdftotext', ['-layout', '-f', String(i), '-l', String(i), pdf, '-'], { encoding: 'utf8' })
        .split('\n').map((l) => l.trim()).filter((l) => l && !/^eks-soc2 · page \d+ of \d+$/.test(l));
      const last = lines.at(-1) ?? '';
      if (/^(Fix|Failing resources \(\d+\)|Warnings — recommended rules, not failures \(\d+\)|Waived resources \(\d+\)|Needs action \(\d+\)|By checklist section|By Trust Services Criterion|(CC\d|P1) — .+|[A-Z][A-Z -]+)$/.test(last)) orphans.push(`page ${i}: ${last}`);
    }
    expect(orphans).toEqual([]);
  });

  it('in print media at the A4 text width, no table is wider than its box (demo, hostile names, periods)', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
    try {
      // A4 is 210 mm; the print margins are 11 mm each side: 188 mm ≈ 711 CSS px.
      const page = await browser.newPage({ viewport: { width: 711, height: 1000 } });
      await page.emulateMedia({ media: 'print' });
      const docs = [
        ...[demo, hostileRun()].map((run) => capture((w) => renderHtml(run, w, { print: true }))),
        ...[samplePeriod(), samplePeriod(true)].map((p) => capture((w) => renderPeriodHtml(p, w))),
      ];
      for (const doc of docs) {
        await page.setContent(await doc);
        const wide = await page.evaluate(`[...document.querySelectorAll('table')].filter((t) => t.offsetParent !== null).flatMap((t) => {
          const box = t.parentElement.getBoundingClientRect();
          const r = t.getBoundingClientRect();
          const text = (t.querySelector('th') || t).textContent.slice(0, 40);
          return r.right > box.right + 1 || t.scrollWidth > t.clientWidth + 1 || r.right > document.documentElement.clientWidth + 1 ? [text + ': ' + Math.round(r.width) + ' px in ' + Math.round(box.width)] : [];
        })`);
        expect(wide).toEqual([]);
      }
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('rule ids break at their separators, not mid-word', async () => {
    const html = await capture((w) => renderHtml(demo, w, { print: true }));
    expect(html).toContain('<code>run-<wbr>as-<wbr>non-<wbr>root</code>');
  });
});
