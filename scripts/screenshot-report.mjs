#!/usr/bin/env node
// Re-takes docs/images/html-report.png from the real HTML report of `scan --demo` (after a build):
//   node scripts/screenshot-report.mjs [--chromium /usr/bin/chromium]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const exe = process.argv.includes('--chromium') ? process.argv[process.argv.indexOf('--chromium') + 1] : process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-shot-'));
const r = spawnSync(process.execPath, ['bin/eks-soc2.mjs', 'scan', '--demo', '--format', 'html', '-o', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0 && r.status !== 1) process.exit(r.status ?? 2);
const html = readFileSync(join(dir, 'eks-soc2-report.html'), 'utf8');
const browser = await chromium.launch({
  executablePath: exe,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.route('**/*', (route) => (route.request().url().startsWith('data:') || route.request().url() === 'about:blank' ? route.continue() : route.abort()));
await page.setContent(html, { waitUntil: 'load' });
await page.screenshot({ path: 'docs/images/html-report.png' });
await browser.close();
rmSync(dir, { recursive: true, force: true });
console.log('wrote docs/images/html-report.png');
