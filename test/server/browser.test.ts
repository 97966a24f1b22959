/**
 * The dashboard in a real headless Chromium (playwright-core + the system Chromium, a fresh
 * profile): the overview, filtering controls with the keyboard, a control page, switching the
 * period, exporting a report, the token hand-over, and hostile cluster names in every view. Every
 * page is checked for console errors, failed requests and requests that leave the server.
 * Screenshots are kept under test-results/dashboard/. Without Chromium these tests skip with a
 * message — unless CI is set, where a missing browser is a failure.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { computePeriod } from '../../src/engine/period.js';
import { score } from '../../src/engine/index.js';
import { periodExports } from '../../src/cli/commands/serve.js';
import { CHROMIUM_ARGS } from '../../src/report/pdf.js';
import { startDashboard } from '../../src/server/index.js';
import type { RunningDashboard } from '../../src/server/index.js';
import { clusterId } from '../../src/server/data.js';
import { NOW, seededStore } from './harness.js';
import type { Seeded } from './harness.js';
import { HOSTILE, flipControls } from './seed.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const OUT = fileURLToPath(new URL('../../test-results/dashboard/', import.meta.url));
const TOKEN = 'e2e-token-7c1d9a0b5e3f48a2b6c7d8e9f0a1b2c3';

if (!haveChromium && !process.env.CI) {
  process.stderr.write(`dashboard browser tests skipped: no Chromium at ${CHROMIUM} (install chromium or set CHROMIUM_PATH)\n`);
}

describe('Chromium for the dashboard tests', () => {
  it('is present in CI', () => {
    if (process.env.CI) expect(haveChromium, `CI must provide Chromium at ${CHROMIUM}`).toBe(true);
  });
});

const HOSTILE_CLUSTERS = [HOSTILE.script, HOSTILE.img, HOSTILE.ansi, HOSTILE.long];

describe.skipIf(!haveChromium)('dashboard in Chromium', () => {
  let seeded: Seeded;
  let open: RunningDashboard;
  let locked: RunningDashboard;
  let context: BrowserContext;
  let profile: string;
  const serverLog: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    seeded = await seededStore({
      end: '2025-12-31',
      clusters: [
        { name: 'acme-prod', accountId: '111122223333', region: 'eu-west-1', runs: 30 },
        { name: 'acme-stage', accountId: '111122223333', region: 'eu-west-1', runs: 10, end: '2025-12-30' },
        ...HOSTILE_CLUSTERS.map((name) => ({ name, runs: 2, hostile: true, end: '2025-12-29' })),
      ],
    });
    const common = { store: seeded.store, computePeriod, score, periodFormats: await periodExports(undefined), toolVersion: 'test', now: () => NOW, host: '127.0.0.1', port: 0 };
    open = await startDashboard(common);
    locked = await startDashboard({ ...common, token: TOKEN, log: (l) => serverLog.push(l) });
    profile = await mkdtemp(join(tmpdir(), 'eks-soc2-dashboard-chromium-'));
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS], acceptDownloads: true, viewport: { width: 1440, height: 900 },
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await open?.close();
    await locked?.close();
    await seeded?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  interface Watched {
    page: Page;
    problems: string[];
    dialogs: string[];
    requests: { url: string; authorization?: string }[];
  }

  /** A new tab whose console errors, failed requests and requests elsewhere are recorded. */
  async function tab(base: string, opts: { width?: number; height?: number; allow?: number[] } = {}): Promise<Watched> {
    const page = await context.newPage();
    await page.setViewportSize({ width: opts.width ?? 1440, height: opts.height ?? 900 });
    const w: Watched = { page, problems: [], dialogs: [], requests: [] };
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => w.problems.push(`failed request: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('request', (r) => {
      w.requests.push({ url: r.url(), ...(r.headers().authorization ? { authorization: r.headers().authorization } : {}) });
      if (!r.url().startsWith(base) && !/^(data|blob|about):/.test(r.url())) w.problems.push(`request outside the server: ${r.url()}`);
    });
    page.on('response', (r) => { if (r.status() >= 400 && !(opts.allow ?? []).includes(r.status())) w.problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    page.on('dialog', async (d) => { w.dialogs.push(d.message()); await d.dismiss(); });
    return w;
  }

  /** Wait until the view has rendered (main not busy, a heading present). */
  async function ready(page: Page): Promise<void> {
    await page.waitForSelector('main:not([aria-busy]) h1', { timeout: 20_000 });
  }

  /**
   * Poll an expression until it is truthy. (page.waitForFunction evaluates strings with eval, which
   * the dashboard's CSP forbids — as it should.)
   */
  async function until(page: Page, expr: string, timeout = 15_000): Promise<void> {
    const end = Date.now() + timeout;
    for (;;) {
      if (await page.evaluate(expr)) return;
      if (Date.now() > end) throw new Error(`timed out waiting for: ${expr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function overflowX(page: Page): Promise<number> {
    return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
  }

  const prodId = () => clusterId(seeded.clusters[0]!.key);

  it('loads the overview: sections, criteria, trend, changes — at 1440×900 and 1366×768', async () => {
    for (const [width, height] of [[1440, 900], [1366, 768]] as const) {
      const w = await tab(open.url, { width, height });
      await w.page.goto(open.url);
      await ready(w.page);
      expect(await w.page.locator('h1').innerText()).toMatch(/Overview\s+—\s+acme-prod/);
      expect(await w.page.locator('table.scores').first().locator('tbody tr').count()).toBe(8);
      expect(await w.page.locator('table.scores').nth(1).locator('tbody tr').count()).toBeGreaterThan(10);
      expect(await w.page.locator('svg.chart').count()).toBe(1);
      expect(await w.page.getByText('Newly failing').count()).toBeGreaterThan(0);
      expect(await w.page.locator('header nav a[aria-current="page"]').innerText()).toBe('Overview');
      expect(await overflowX(w.page)).toBeLessThanOrEqual(0);
      await w.page.screenshot({ path: join(OUT, `overview-${width}x${height}.png`) });
      if (width === 1366) {
        // The trend window redraws the page; the focus stays on the select.
        await w.page.locator('#trend-window').focus();
        await w.page.keyboard.press('ArrowUp');
        await until(w.page, 'location.search.includes("days=30")');
        await ready(w.page);
        expect(await w.page.evaluate('document.activeElement.id')).toBe('trend-window');
        expect(await w.page.locator('#trend-window').inputValue()).toBe('30');
      }
      expect(w.problems).toEqual([]);
      await w.page.close();
    }
  });

  it('reaches and operates the controls filters and sorting with the keyboard', async () => {
    const w = await tab(open.url, { width: 1366, height: 768 });
    const { page } = w;
    await page.goto(`${open.url}controls?cluster=${prodId()}`);
    await ready(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('f-q');
    await page.keyboard.type('hard-0');
    await until(page, 'document.getElementById("controls-count").textContent.startsWith("Showing 4 of 62")');
    const ids = await page.locator('table.controls tbody tr td:first-child').allInnerTexts();
    expect(ids.every((id) => id.includes('HARD'))).toBe(true);
    expect(page.url()).toMatch(/q=hard-0/);

    // Tab on to the status filter and choose "Fail" with the arrow keys.
    for (let i = 0; i < 10 && (await page.evaluate('document.activeElement.id')) !== 'f-status'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('f-status');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#f-status').inputValue()).toBe('fail');
    await until(page, 'location.search.includes("status=fail")');
    const statuses = await page.locator('table.controls tbody tr .badge').allInnerTexts();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 'Fail')).toBe(true);
    expect(page.url()).toMatch(/status=fail/);

    // The focus indicator is visible on a focused control.
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');

    // Clear the filters, then sort by ID descending from the keyboard.
    for (let i = 0; i < 10 && (await page.evaluate('document.activeElement.id')) !== 'f-clear'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await until(page, 'document.getElementById("controls-count").textContent === "Showing 62 of 62 controls"');
    expect(await page.evaluate('document.activeElement.id')).toBe('f-q'); // clearing returns to the search box
    for (let i = 0; i < 12 && (await page.evaluate('document.activeElement.className')) !== 'sort'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.className')).toBe('sort');
    expect(await page.locator('th[aria-sort="ascending"]').innerText()).toMatch(/^ID/);
    await page.keyboard.press('Enter');
    expect(await page.locator('th[aria-sort="descending"]').innerText()).toMatch(/^ID/);
    const first = await page.locator('table.controls tbody tr td:first-child').first().innerText();
    expect(first.startsWith('P1-')).toBe(true);
    expect(await page.locator('table.controls tbody tr .strip').first().getAttribute('aria-label')).toMatch(/last 30 runs: /);
    await page.screenshot({ path: join(OUT, 'controls-1366x768.png') });
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('opens a control: resources in pages, waivers, remediation, the period timeline linked to runs', async () => {
    const w = await tab(open.url);
    const { page } = w;
    await page.goto(`${open.url}controls?cluster=${prodId()}`);
    await ready(page);
    await page.getByRole('link', { name: 'CC5-HARD-03', exact: true }).click();
    await page.waitForURL(/\/controls\/CC5-HARD-03/);
    await ready(page);
    expect(await page.locator('h1').innerText()).toMatch(/^CC5-HARD-03/);
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1'); // focus follows navigation
    expect(await page.locator('#findings-fail').getAttribute('aria-pressed')).toBe('true');
    const failing = await page.locator('.findings-body tbody tr').count();
    expect(failing).toBeGreaterThan(0);
    await page.locator('#findings-pass').click();
    await until(page, 'document.querySelector("#findings-pass").getAttribute("aria-pressed") === "true"');
    await page.waitForSelector('.findings-body .pager');
    const info = await page.locator('.findings-body .pager-info').innerText();
    expect(info).toMatch(/^1–25 of \d+ resources$/);
    await page.locator('.findings-body .pager button', { hasText: 'Next' }).click();
    await until(page, 'document.querySelector(".findings-body .pager-info").textContent.startsWith("26–")');
    expect(await page.getByRole('heading', { name: 'Remediation' }).count()).toBe(1);
    // The rules with their level, and the rules not evaluated in the newest run.
    expect(await page.getByRole('heading', { name: 'Rules', exact: true }).count()).toBe(1);
    const rules = page.locator('table', { has: page.locator('caption', { hasText: 'Rules of CC5-HARD-03' }) }).locator('tbody tr');
    expect(await rules.count()).toBeGreaterThan(3);
    expect(await rules.first().locator('td').nth(2).innerText()).toMatch(/^(required|recommended)$/);
    expect(await page.locator('#not-evaluated').innerText()).toMatch(/^Not evaluated \(\d+\)$/);
    expect(await page.locator('#findings-warn').count()).toBe(1);
    expect(await page.locator('pre code').first().innerText()).not.toMatch(/\\u000a/);
    expect(await page.locator('.strip.timeline .cell').count()).toBe(30);
    const sample = page.locator('table', { has: page.locator('caption', { hasText: 'Every sample in the period' }) }).locator('tbody tr').first();
    expect(await sample.locator('td.digest').innerText()).toMatch(/^sha256:[0-9a-f]{64}$/);
    await page.screenshot({ path: join(OUT, 'control.png'), fullPage: true });
    await sample.locator('a').click();
    await page.waitForURL(/\/runs\/\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    await ready(page);
    expect(await page.locator('h1').innerText()).toMatch(/^Run \d{8}T/);
    expect(await page.locator('#gaps').innerText()).toMatch(/guardduty:ListDetectors/);
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('switches the period and exports the report (download) in two formats', async () => {
    const w = await tab(open.url);
    const { page } = w;
    await page.goto(`${open.url}period?cluster=${prodId()}`);
    await ready(page);
    expect(await page.locator('.pagehead .sub').innerText()).toMatch(/from 2025-10-03 to 2025-12-31/);
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    await page.waitForURL(/from=2025-12-02&to=2025-12-31/);
    await ready(page);
    expect(await page.locator('.pagehead .sub').innerText()).toMatch(/from 2025-12-02 to 2025-12-31/);
    await page.locator('#period-cluster').selectOption('*');
    await page.locator('#period-from').fill('2025-12-25');
    await page.locator('#period-apply').click();
    await page.waitForURL(/cluster=\*.*from=2025-12-25/);
    await ready(page);
    expect(await page.locator('section.panel h2', { hasText: 'Cluster ' }).count()).toBe(6);
    for (const [format, ext, head] of [['html', 'html', /^<!doctype html>/i], ['csv', 'csv', /control/i]] as const) {
      await page.locator('#export-format').selectOption(format);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-download').click()]);
      expect(download.suggestedFilename()).toBe(`eks-soc2-period-all-clusters-2025-12-25-to-2025-12-31.${ext}`);
      const file = join(OUT, download.suggestedFilename());
      await download.saveAs(file);
      expect(readFileSync(file, 'utf8')).toMatch(head);
      await until(page, `document.getElementById("export-status").textContent.startsWith("Downloaded eks-soc2-period")`);
    }
    await page.screenshot({ path: join(OUT, 'period.png') });
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('at 1366×768 no table is wider than the page (overview, run, period; a long cluster name too), and the evidence check shows on the period page', async () => {
    // Every table, and the box around it, within the viewport: nothing clipped, nothing to scroll sideways.
    const tooWide = `[...document.querySelectorAll('table')].flatMap((t) => {
      const out = [];
      const vw = document.documentElement.clientWidth;
      if (t.getBoundingClientRect().right > vw + 0.5) out.push((t.querySelector('caption')?.textContent || t.className || 'table') + ' ends at ' + Math.round(t.getBoundingClientRect().right));
      for (let el = t.parentElement; el && el !== document.body; el = el.parentElement) {
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') out.push((t.querySelector('caption')?.textContent || 'table') + ' scrolls in ' + el.tagName + '.' + el.className);
      }
      return out;
    })`;
    const long = clusterId(seeded.clusters.find((c) => c.identity.name === HOSTILE.long)!.key);
    const prod = seeded.clusters[0]!;
    const w = await tab(open.url, { width: 1366, height: 768 });
    for (const v of [`?cluster=${prodId()}`, `runs/${prod.runIds.at(-1)}`, `period?cluster=${prodId()}`, `?cluster=${long}`, `period?cluster=${long}`]) {
      await w.page.goto(`${open.url}${v}`);
      await ready(w.page);
      expect(await w.page.evaluate(tooWide), v).toEqual([]);
      expect(await w.page.evaluate('document.documentElement.scrollWidth'), v).toBeLessThanOrEqual(1366);
      if (v.startsWith('period?cluster=acme') || v === `period?cluster=${prodId()}`) {
        expect(await w.page.locator('#period-verification').innerText()).toMatch(/^Evidence verified: the hash chain of 30 stored run\(s\) recomputes, and so do the per-control rows this page is computed from/);
      }
    }
    await w.page.screenshot({ path: join(OUT, 'overview-sections-1366x768.png') });
    expect(w.problems).toEqual([]);
    await w.page.close();
  });

  it('a run page opened without ?cluster= shows the run\'s cluster in the cluster selector', async () => {
    const w = await tab(open.url, { width: 1366, height: 768 });
    const stage = seeded.clusters[1]!; // not the newest cluster, which the selector picks by default
    await w.page.goto(`${open.url}runs/${stage.runIds.at(-1)}`);
    await ready(w.page);
    expect(await w.page.locator('h1').innerText()).toBe(`Run ${stage.runIds.at(-1)}`);
    expect(await w.page.locator('#cluster-picker').inputValue()).toBe(clusterId(stage.key));
    expect(await w.page.locator('header nav a[data-view="controls"]').getAttribute('href')).toBe(`/controls?cluster=${encodeURIComponent(clusterId(stage.key))}`);
    expect(w.problems).toEqual([]);
    await w.page.close();
  });

  it('runs: the list, evidence gaps and the comparison of two runs', async () => {
    const w = await tab(open.url);
    const { page } = w;
    await page.goto(`${open.url}runs?cluster=${prodId()}`);
    await ready(page);
    expect(await page.locator('table.runs tbody tr').count()).toBe(30);
    expect(await page.locator('.gapnote').innerText()).toMatch(/Evidence gaps: \d+ of 30 runs/);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/\/diff\?from=.*&to=/);
    await ready(page);
    expect(await page.locator('h1').innerText()).toBe('What changed');
    const { toFail } = flipControls();
    expect(await page.locator('section.panel', { hasText: 'Controls whose status changed' }).innerText()).toContain(toFail[0]!);
    await page.screenshot({ path: join(OUT, 'diff.png') });
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('renders hostile cluster names as text in every view: no dialog, no injected element', async () => {
    const hostile = seeded.clusters.slice(2);
    for (const c of hostile) {
      const id = clusterId(c.key);
      const views = [`?cluster=${id}`, `controls?cluster=${id}`, `controls/CC5-HARD-03?cluster=${id}`, `runs?cluster=${id}`, `runs/${c.runIds[1]}`,
        `diff?cluster=${id}`, `period?cluster=${id}`, `controls/CC3-RA-01?cluster=${id}&findings=`];
      const w = await tab(open.url, { width: 1366, height: 768 });
      for (const v of views) {
        await w.page.goto(`${open.url}${v}`);
        await ready(w.page);
        expect(await w.page.evaluate('window.__pwned'), v).toBeUndefined();
        expect(await w.page.locator('script').count(), v).toBe(1);
        expect(await w.page.locator('img, iframe, object, embed, [onerror], [onload]').count(), v).toBe(0);
        const text = await w.page.locator('body').innerText();
        expect(text, v).not.toMatch(/[\u001b\u202e]/);
        expect(await overflowX(w.page), `${v}: horizontal scroll`).toBeLessThanOrEqual(0);
      }
      if (c.identity.name === HOSTILE.ansi) {
        await w.page.goto(`${open.url}?cluster=${id}`);
        await ready(w.page);
        expect(await w.page.locator('h1').innerText()).toContain('\\u001b[31mred\\u001b[0m\\u202eevil');
        await w.page.screenshot({ path: join(OUT, 'hostile-ansi.png') });
      }
      if (c.identity.name === HOSTILE.img) {
        await w.page.goto(`${open.url}controls/CC5-HARD-03?cluster=${id}`);
        await ready(w.page);
        expect(await w.page.locator('.findings-body').innerText()).toContain('"><img src=x onerror=');
        await w.page.screenshot({ path: join(OUT, 'hostile-img.png') });
      }
      expect(w.dialogs).toEqual([]);
      expect(w.problems).toEqual([]);
      await w.page.close();
    }
  }, 240_000);

  it('takes the token from the #token= fragment, sends it only as a header, never in a URL', async () => {
    const w = await tab(locked.url);
    const { page } = w;
    await page.goto(`${locked.url}#token=${encodeURIComponent(TOKEN)}`);
    await ready(page);
    expect(await page.locator('h1').innerText()).toMatch(/^Overview/);
    expect(page.url()).toBe(locked.url);
    await page.getByRole('link', { name: 'Controls', exact: true }).click();
    await ready(page);
    expect(await page.locator('table.controls tbody tr').count()).toBe(62);
    const api = w.requests.filter((r) => r.url.includes('/api/'));
    expect(api.length).toBeGreaterThan(3);
    expect(api.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(w.requests.some((r) => r.url.includes(TOKEN) || r.url.includes('token='))).toBe(false);
    expect(serverLog.some((l) => l.includes(TOKEN))).toBe(false);
    expect(serverLog.some((l) => l.startsWith('GET /api/controls'))).toBe(true);
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('asks for the token with a form when there is none, and refuses a wrong one', async () => {
    const w = await tab(locked.url, { allow: [401] });
    const { page } = w;
    await page.goto(`${locked.url}controls`);
    await page.waitForSelector('form.login');
    expect(await page.evaluate('document.activeElement.id')).toBe('token');
    await page.keyboard.type('not-the-right-token-000000');
    await page.keyboard.press('Enter');
    await until(page, 'document.getElementById("token-help")?.textContent.includes("not accepted")');
    await page.locator('#token').fill(TOKEN);
    await page.keyboard.press('Enter');
    await ready(page);
    expect(await page.locator('h1').innerText()).toMatch(/^Controls/);
    await page.screenshot({ path: join(OUT, 'login-then-controls.png') });
    expect(w.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await page.close();
  });
});
