import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Chromium launch flags: headless, no sandbox (containers), nothing phoned home. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
] as const;

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Raised when no Chromium can be found; the CLI turns it into a one-line user error. */
export class ChromiumNotFoundError extends Error {
  readonly code = 'ENOCHROMIUM';
  constructor(tried: string[]) {
    super(`the PDF report needs Chromium and none was found (tried ${tried.join(', ')}): pass --chromium PATH, set CHROMIUM_PATH, or install it (Debian/Ubuntu: apt-get install chromium)`);
  }
}

/** The Chromium to use: the explicit path, then CHROMIUM_PATH, then the usual system locations. */
export function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  for (const p of [explicit, env.CHROMIUM_PATH]) {
    if (!p) continue;
    if (existsSync(p)) return p;
    tried.push(p);
    // An explicit choice that does not exist is an error, not a reason to pick another browser.
    throw new ChromiumNotFoundError(tried);
  }
  for (const p of CANDIDATES) {
    if (existsSync(p)) return p;
    tried.push(p);
  }
  throw new ChromiumNotFoundError(tried);
}

export interface PdfOptions {
  chromium?: string;
  /** Abort the render: the browser is closed at once and the promise rejects (an AbortError). */
  signal?: AbortSignal;
}

/** The render was aborted (the client of a dashboard export went away). */
export class PdfAbortedError extends Error {
  readonly code = 'ABORT_ERR';
  constructor() {
    super('the PDF render was cancelled');
    this.name = 'AbortError';
  }
}

/**
 * Print HTML to PDF with a system Chromium driven by playwright-core: a fresh temporary profile,
 * and every request that is not `data:` or `about:` is aborted, so printing never reaches the
 * network even if the HTML tried to.
 */
export async function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Uint8Array> {
  const executablePath = findChromium(opts.chromium);
  const signal = opts.signal;
  if (signal?.aborted) throw new PdfAbortedError();
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'eks-soc2-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath, headless: true, args: [...CHROMIUM_ARGS], offline: true, javaScriptEnabled: false,
    });
    // Cancelling closes the browser: whatever step the render is in fails at once.
    const cancel = () => { void context.close().catch(() => undefined); };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (signal?.aborted) throw new PdfAbortedError();
      await context.route('**/*', (route) => {
        const url = route.request().url();
        return url.startsWith('data:') || url.startsWith('about:') ? route.continue() : route.abort('blockedbyclient');
      });
      const page = context.pages()[0] ?? await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({
        format: 'A4', printBackground: true, preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: '<div style="font-size:8px;width:100%;text-align:center;color:#59636e">eks-soc2 · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
        margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
      });
      if (signal?.aborted) throw new PdfAbortedError();
      return new Uint8Array(pdf);
    } catch (err) {
      throw signal?.aborted ? new PdfAbortedError() : err;
    } finally {
      signal?.removeEventListener('abort', cancel);
      await context.close().catch(() => undefined);
    }
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
