/**
 * Markdown for pull requests within GitHub's 65,536-character comment limit (issue 16 item 7):
 * `--format markdown-summary` (or `markdown --max-size N`) keeps the summary and the failing
 * controls first, then warnings and errors while they fit, and closes with what was left out and
 * where the full report is.
 */
import { describe, expect, it } from 'vitest';
import { MARKDOWN_SUMMARY_MAX, renderMarkdown, renderPeriodMarkdown } from '../../src/report/markdown.js';
import { runCli } from '../helpers/cli.js';
import { HOSTILE, capture, hostileRun, samplePeriod, sampleRun } from './fixtures.js';

const GITHUB_COMMENT_LIMIT = 65_536;

describe('markdown-summary: the demo within GitHub\'s comment limit', () => {
  it('the full demo Markdown is over the limit; the summary is under it, failing controls first, every failing control named', async () => {
    const full = await runCli(['scan', '--demo', '--format', 'markdown', '--no-store']);
    expect(full.stdout.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT); // why the summary exists
    const r = await runCli(['scan', '--demo', '--format', 'markdown-summary', '--no-store', '--report-url', 'https://ci.example/runs/42']);
    expect(r.code).toBe(1); // the demo fails controls; the format does not change the exit code
    const md = r.stdout;
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_SUMMARY_MAX);
    expect(MARKDOWN_SUMMARY_MAX).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings[0]).toBe('## Summary by checklist section');
    expect(headings[1]).toMatch(/^## Failing controls \(\d+\)$/);
    const at = (s: string) => md.indexOf(s);
    expect(at('## Failing controls')).toBeLessThan(at('## Warnings'));
    expect(at('## Warnings')).toBeLessThan(at('## Needs attention'));
    // Every failing control of the full report is in the summary's table.
    const failingIds = [...full.stdout.matchAll(/^### ❌ (\S+) —/gm)].map((m) => m[1]!);
    expect(failingIds.length).toBeGreaterThan(10);
    for (const id of failingIds) expect(md).toContain(`| ${id} |`);
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^_Shortened to fit 65000 characters: left out .*See \[the full report\]\(<https:\/\/ci\.example\/runs\/42>\)\._$/);
  }, 60_000);

  it('markdown --max-size N bounds the ordinary format; bad values are usage errors', async () => {
    const r = await runCli(['scan', '--demo', '--format', 'markdown', '--max-size', '12000', '--no-store']);
    expect(r.stdout.length).toBeLessThanOrEqual(12_000);
    expect(r.stdout).toContain('## Failing controls');
    expect(r.stdout).toContain('pass `--report-url` to link it here');
    for (const bad of [['--max-size', '100'], ['--max-size', 'lots'], ['--report-url', 'javascript:alert(1)']]) {
      const b = await runCli(['scan', '--demo', '--format', 'markdown', '--no-store', ...bad]);
      expect(b.code).toBe(2);
    }
  }, 60_000);
});

describe('bounded Markdown renderer', () => {
  it('stays within every bound, keeps the summary first, and says what was left out', async () => {
    for (const max of [2000, 4000, 8000, 20_000]) {
      const md = await capture((w) => renderMarkdown(sampleRun(), w, { maxSize: max }));
      expect(md.length, `max ${max}`).toBeLessThanOrEqual(max);
      expect(md.startsWith('# eks-soc2 report — prod')).toBe(true);
      expect(md).toContain('**Score');
    }
    const small = await capture((w) => renderMarkdown(sampleRun(), w, { maxSize: 3000 }));
    expect(small).toMatch(/_Shortened to fit 3000 characters: left out .+\._\n$/);
  });

  it('without a bound the output is the full report; a bound that fits everything only shortens the passing list', async () => {
    const full = await capture((w) => renderMarkdown(sampleRun(), w));
    const roomy = await capture((w) => renderMarkdown(sampleRun(), w, { maxSize: 1_000_000 }));
    expect(roomy).not.toContain('Shortened to fit');
    expect(roomy).toMatch(/_\d+ other control\(s\) pass, are waived or are not applicable: listed in the full report/);
    expect(full).toContain('<summary>All other controls');
    expect(roomy).not.toContain('<summary>All other controls');
  });

  it('hostile names stay escaped and a hostile report URL is never a link', async () => {
    for (const max of [2500, 6000, 65_000]) {
      const md = await capture((w) => renderMarkdown(hostileRun(), w, { maxSize: max, reportUrl: 'javascript:alert(1)' }));
      expect(md.length).toBeLessThanOrEqual(max);
      expect(md).not.toContain(HOSTILE.script);
      expect(md).not.toContain(HOSTILE.attr);
      expect(md).not.toContain('\u001b');
      expect(md).not.toContain('](javascript');
      expect(md).not.toContain('<javascript');
    }
    const odd = await capture((w) => renderMarkdown(sampleRun(), w, { maxSize: 2500, reportUrl: 'https://ci.example/a b>)<x' }));
    expect(odd).toContain('[the full report](<https://ci.example/a%20b%3E)%3Cx>)');
  });
});

describe('bounded period Markdown', () => {
  it('lists the controls that did not operate effectively first, within the bound, and names what was left out', async () => {
    const p = samplePeriod();
    const base = p.clusters[0]!;
    p.clusters = Array.from({ length: 40 }, (_, i) => ({ ...base, key: `${base.key}-${i}`, cluster: { ...base.cluster, name: `prod-${i}` } }));
    const full = await capture((w) => renderPeriodMarkdown(p, w));
    const md = await capture((w) => renderPeriodMarkdown(p, w, { maxSize: 6000 }));
    expect(full.length).toBeGreaterThan(6000);
    expect(md.length).toBeLessThanOrEqual(6000);
    const rows = md.split('\n').filter((l) => /^\| CC/.test(l));
    expect(rows[0]).toContain('not operating');
    expect(md).toMatch(/_Shortened to fit 6000 characters: left out .*cluster prod-\d+/);
    // Unbounded, the order is the catalog's.
    expect(full.split('\n').find((l) => /^\| CC/.test(l))).toContain('CC5\\-HARD\\-03');
  });
});
