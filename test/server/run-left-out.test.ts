/**
 * The dashboard's run page says what the run left out (scan --skip-control, --skip-rule,
 * --namespace, --exclude-namespace): the API's run detail carries `run.filters`, and the page shows
 * them as text (hostile globs included), in Chromium when it is installed. A run without filters
 * shows no such section.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { RunResult } from '../../src/model/index.js';
import { summarize } from '../../src/engine/index.js';
import { computePeriod } from '../../src/engine/period.js';
import { score } from '../../src/engine/index.js';
import { periodExports } from '../../src/cli/commands/serve.js';
import { CHROMIUM_ARGS } from '../../src/report/pdf.js';
import { openStore } from '../../src/store/index.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { startDashboard } from '../../src/server/index.js';
import type { RunningDashboard } from '../../src/server/index.js';
import type { RunDetail } from '../../src/server/data.js';
import { NOW, dashboard } from './harness.js';
import { HOSTILE, baseRun } from './seed.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

const FILTERS = {
  skipControls: ['CC5-HARD-03'],
  skipRules: ['CC6-NET-03/netpol-default-deny-egress', HOSTILE.script],
  namespaces: ['team-*'],
  excludeNamespaces: ['legacy-*', HOSTILE.img, HOSTILE.ansi],
};

let dir: string;
let store: EvidenceStore;
let app: FastifyInstance;
let filteredId: string;
let plainId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eks-soc2-run-left-out-'));
  const path = join(dir, 'evidence.db');
  const writer = await openStore({ kind: 'sqlite', path }, { mode: 'write', toolVersion: 'test' });
  const { run, snapshot } = baseRun();
  const plain: RunResult = structuredClone(run);
  plainId = (await writer.appendRun(plain, snapshot, { at: new Date('2025-12-30T02:00:00Z'), storedAt: new Date('2025-12-30T02:00:00Z') })).runId;
  const filtered: RunResult = structuredClone(run);
  filtered.controls = filtered.controls.filter((c) => c.id !== 'CC5-HARD-03');
  filtered.summary = summarize(filtered.controls);
  filtered.filters = FILTERS;
  filteredId = (await writer.appendRun(filtered, snapshot, { at: new Date('2025-12-31T02:00:00Z'), storedAt: new Date('2025-12-31T02:00:00Z') })).runId;
  await writer.close();
  store = await openStore({ kind: 'sqlite', path }, { mode: 'read', toolVersion: 'test' });
  app = await dashboard(store);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('run detail API', () => {
  it('carries the run\'s filters, and none for a run without', async () => {
    const r = await app.inject({ method: 'GET', url: `/api/runs/${filteredId}` });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    expect((JSON.parse(r.body) as RunDetail).run.filters).toEqual(FILTERS);
    const p = await app.inject({ method: 'GET', url: `/api/runs/${plainId}` });
    expect((JSON.parse(p.body) as RunDetail).run.filters).toBeUndefined();
  });
});

describe.skipIf(!haveChromium)('run page in Chromium', () => {
  let running: RunningDashboard;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    running = await startDashboard({ store, computePeriod, score, periodFormats: await periodExports(undefined), toolVersion: 'test', now: () => NOW, host: '127.0.0.1', port: 0 });
    profile = await mkdtemp(join(tmpdir(), 'eks-soc2-run-left-out-chromium-'));
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS], viewport: { width: 1366, height: 768 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await running?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows "Left out of this run" with every filter as text; a run without filters shows none', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await page.goto(`${running.url}runs/${filteredId}`);
    await page.waitForSelector('main:not([aria-busy]) h1', { timeout: 20_000 });
    const panel = page.locator('#left-out');
    expect(await panel.locator('h2').innerText()).toBe('Left out of this run');
    const text = await panel.innerText();
    expect(text).toMatch(/Skipped controls\s+CC5-HARD-03 \(not evaluated, not in the score\)/);
    expect(text).toContain('CC6-NET-03/netpol-default-deny-egress');
    expect(text).toContain(HOSTILE.script);
    expect(text).toMatch(/Only namespaces\s+team-\*/);
    expect(text).toContain('legacy-*');
    expect(text).toContain('\\u001b[31mred');
    expect(await page.evaluate('document.querySelectorAll("#left-out script, #left-out img, #left-out [onerror]").length')).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.goto(`${running.url}runs/${plainId}`);
    await page.waitForSelector('main:not([aria-busy]) h1', { timeout: 20_000 });
    expect(await page.locator('#left-out').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
