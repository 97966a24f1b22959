/**
 * The HTML report in a real headless Chromium (playwright-core + the system Chromium): no console
 * errors, no requests, nothing from the cluster executes; screenshots kept under test-results/.
 * The PDF is converted with pdftoppm to prove it renders. Without Chromium these tests skip with a
 * message — unless CI is set, where a missing browser is a failure.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { renderHtml, renderPeriodHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { CHROMIUM_ARGS, ChromiumNotFoundError, findChromium, htmlToPdf } from '../../src/report/pdf.js';
import { capture, hostileRun, samplePeriod, sampleRun } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const havePdftoppm = spawnSync('pdftoppm', ['-v']).error === undefined;
const OUT = fileURLToPath(new URL('../../test-results/report/', import.meta.url));

if (!haveChromium && !process.env.CI) {
  process.stderr.write(`browser report tests skipped: no Chromium at ${CHROMIUM} (install chromium or set CHROMIUM_PATH)\n`);
}

describe('Chromium lookup', () => {
  it('names the flag, the variable and the package when no Chromium is found', () => {
    expect(() => findChromium('/nonexistent/chromium', {})).toThrow(ChromiumNotFoundError);
    try {
      findChromium('/nonexistent/chromium', {});
    } catch (err) {
      expect((err as Error).message).toMatch(/--chromium PATH/);
      expect((err as Error).message).toMatch(/CHROMIUM_PATH/);
      expect((err as Error).message).toMatch(/apt-get install chromium/);
      expect((err as { code: string }).code).toBe('ENOCHROMIUM');
    }
    expect(() => findChromium(undefined, { CHROMIUM_PATH: '/nonexistent/too' })).toThrow(/\/nonexistent\/too/);
  });

  it('fails in CI when Chromium is missing', () => {
    if (process.env.CI) expect(haveChromium, `CI must provide Chromium at ${CHROMIUM}`).toBe(true);
  });
});

describe.skipIf(!haveChromium)('HTML report in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
    mkdirSync(OUT, { recursive: true });
  });
  afterAll(async () => { await browser?.close(); });

  async function open(html: string, opts: { screenshot?: string; print?: boolean } = {}) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
    page.on('request', (r) => { if (!/^(data|about):/.test(r.url())) problems.push(`request: ${r.url()}`); });
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await page.setContent(html, { waitUntil: 'load' });
    if (opts.print) await page.emulateMedia({ media: 'print' });
    if (opts.screenshot) await page.screenshot({ path: join(OUT, opts.screenshot), fullPage: false });
    return { page, problems, dialogs };
  }

  it('the header keeps its facts readable beside the score (the score wording wraps in its own column)', async () => {
    for (const width of [1440, 1280, 1024]) {
      const { page } = await open(await capture((w) => renderHtml(sampleRun(), w)));
      await page.setViewportSize({ width, height: 900 });
      const box = async (sel: string) => (await page.locator(sel).boundingBox())!;
      const [facts, score, inner] = [await box('header.top .inner > div:first-child'), await box('header.top .score'), await box('header.top .inner')];
      // Before: the score's one-line wording took the width and the facts got a few letters per line.
      expect(facts.width, `${width}px`).toBeGreaterThan(inner.width * 0.6);
      expect(score.width, `${width}px`).toBeLessThanOrEqual(300);
      expect((await page.locator('header.top dl.meta dd').first().boundingBox())!.height, `${width}px`).toBeLessThan(40);
      await page.close();
    }
  });

  it('renders the run report with no console errors and no requests', async () => {
    const { page, problems } = await open(await capture((w) => renderHtml(sampleRun(), w)), { screenshot: 'html-report.png' });
    expect(problems).toEqual([]);
    expect(await page.title()).toBe('SOC 2 evidence report — prod');
    expect(await page.locator('section.control').count()).toBe(7);
    expect(await page.locator('svg.chart').count()).toBe(2);
    expect(await page.locator('#ctl-CC5-HARD-03 details summary', { hasText: 'Passing resources (25)' }).count()).toBe(1);
    // The control that passes with a warning shows it, and its rule not evaluated, on screen.
    const warned = page.locator('#ctl-CC4-TEST-06');
    expect(await warned.locator('header .badge').innerText()).toBe('Pass');
    expect(await warned.locator('header .chip.warned').innerText()).toBe('passes with 1 warning');
    expect(await warned.locator('h3', { hasText: 'Warnings — recommended rules, not failures (1)' }).isVisible()).toBe(true);
    expect(await warned.locator('table.unevaluated tbody tr').innerText()).toMatch(/trail-log-group\s+recommended\s+logs:DescribeLogGroups/);
    expect(await page.locator('.card.warn .n').innerText()).toBe('1');
    await page.close();
  });

  it('shows collapsed lists when printed', async () => {
    const { page } = await open(await capture((w) => renderHtml(sampleRun(), w)), { print: true });
    const block = page.locator('#ctl-CC5-HARD-03 .print-only').first();
    expect(await block.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    expect(await page.locator('#ctl-CC5-HARD-03 details').first().evaluate((el) => getComputedStyle(el).display)).toBe('none');
    expect(await block.locator('tbody tr').count()).toBe(25);
    await page.close();
  });

  it('executes nothing from hostile names (run and period)', async () => {
    for (const [name, html] of [
      ['hostile', await capture((w) => renderHtml(hostileRun(), w))],
      ['hostile-period', await capture((w) => renderPeriodHtml(samplePeriod(true), w))],
    ] as const) {
      const { page, problems, dialogs } = await open(html, { screenshot: `${name}.png` });
      expect(problems).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
      expect(await page.evaluate(() => [...document.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => a.name.startsWith('on'))))).toBe(false);
      expect(await page.evaluate(() => [...document.querySelectorAll('a[href]')].every((a) => /^(https?:|#)/.test(a.getAttribute('href')!)))).toBe(true);
      await page.close();
    }
  });

  it('renders the period report: line chart, timeline strips, verdicts', async () => {
    const { page, problems } = await open(await capture((w) => renderPeriodHtml(samplePeriod(), w)), { screenshot: 'html-period.png' });
    expect(problems).toEqual([]);
    expect(await page.locator('svg.chart polyline').count()).toBe(3);
    expect(await page.locator('svg.strip').count()).toBe(4);
    expect(await page.locator('.badge.b-not-operating').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('parses the JUnit XML of hostile names with the browser XML parser', async () => {
    const xml = await capture((w) => renderJunit(hostileRun(), w, { perFinding: true }));
    const page = await browser.newPage();
    const r = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return { error: doc.getElementsByTagName('parsererror').length, cases: doc.getElementsByTagName('testcase').length, scripts: doc.getElementsByTagName('script').length };
    }, xml);
    expect(r.error).toBe(0);
    expect(r.scripts).toBe(0);
    expect(r.cases).toBeGreaterThan(6);
    await page.close();
  });
});

describe.skipIf(!haveChromium)('PDF report', () => {
  it.skipIf(!havePdftoppm && !process.env.CI)('prints to PDF pages that pdftoppm renders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eks-soc2-pdf-'));
    try {
      for (const [name, html] of [
        ['report', await capture((w) => renderHtml(sampleRun(), w))],
        ['hostile', await capture((w) => renderHtml(hostileRun(), w))],
        ['period', await capture((w) => renderPeriodHtml(samplePeriod(), w))],
      ] as const) {
        const pdf = await htmlToPdf(html, { chromium: CHROMIUM });
        expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
        const file = join(dir, `${name}.pdf`);
        writeFileSync(file, pdf);
        mkdirSync(OUT, { recursive: true });
        writeFileSync(join(OUT, `${name}.pdf`), pdf);
        const r = spawnSync('pdftoppm', ['-png', '-r', '40', file, join(dir, name)]);
        expect(r.status, r.stderr?.toString()).toBe(0);
        const pages = readdirSync(dir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
        expect(pages.length).toBeGreaterThan(0);
        for (const p of pages) expect(statSync(join(dir, p)).size).toBeGreaterThan(1000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a cancelled render closes the browser and rejects with an AbortError (issue 18 item 18)', async () => {
    const html = await capture((w) => renderHtml(sampleRun(), w));
    const before = chromiumProcesses();
    const ac = new AbortController();
    const printing = htmlToPdf(html, { chromium: CHROMIUM, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await expect(printing).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    // The browser this render started is gone (others may belong to parallel tests).
    for (let i = 0; i < 50 && chromiumProcesses() > before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(chromiumProcesses()).toBeLessThanOrEqual(before);
    // Aborted before it starts: no browser at all.
    await expect(htmlToPdf(html, { chromium: CHROMIUM, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  }, 60_000);
});

/** Chromium processes that are children of this process (the ones this test file started). */
function chromiumProcesses(): number {
  const r = spawnSync('pgrep', ['-c', '-P', String(process.pid)]);
  return Number(r.stdout?.toString().trim() || '0');
}
