/** The report formats through the real CLI: --format a,b,c with --output DIR, `formats`, PDF errors. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('eks-soc2 scan --format … --output DIR', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'eks-soc2-formats-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes every listed format to DIR/eks-soc2-report.<ext>', async () => {
    const r = await runCli(['scan', '--demo', '--format', 'markdown,csv,html,sarif,junit,oscal', '-o', dir, '--fail-on', 'never', '--junit-per-finding']);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(0);
    for (const ext of ['md', 'csv', 'html', 'sarif', 'junit.xml', 'oscal.json']) {
      const p = join(dir, `eks-soc2-report.${ext}`);
      expect(existsSync(p), p).toBe(true);
      expect(statSync(p).size).toBeGreaterThan(100);
      expect(r.stderr).toContain(`wrote ${p}`);
    }
    const sarif = JSON.parse(readFileSync(join(dir, 'eks-soc2-report.sarif'), 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(readFileSync(join(dir, 'eks-soc2-report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const junit = readFileSync(join(dir, 'eks-soc2-report.junit.xml'), 'utf8');
    expect(junit).toMatch(/classname="CC5\.CC5-HARD-03"/);
  }, 60_000);

  it('rejects an unknown format with the list of formats', async () => {
    const r = await runCli(['scan', '--demo', '--format', 'docx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown format "docx"; available: .*markdown, markdown-summary, csv, html, pdf, sarif, junit, oscal/);
  });

  it('explains how to get Chromium when --chromium points nowhere', async () => {
    const r = await runCli(['scan', '--demo', '--format', 'pdf', '-o', dir, '--chromium', '/nonexistent/chromium']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--chromium PATH/);
    expect(r.stderr).toMatch(/apt-get install chromium/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('eks-soc2 formats', () => {
  it('lists every format with its description', async () => {
    const r = await runCli(['formats']);
    expect(r.code).toBe(0);
    for (const f of ['terminal', 'json', 'markdown', 'csv', 'html', 'pdf', 'sarif', 'junit', 'oscal']) expect(r.stdout).toMatch(new RegExp(`^  ${f} `, 'm'));
    expect(r.stdout).toContain('OSCAL 1.1 assessment-results');
    const j = await runCli(['formats', '--json']);
    const parsed = JSON.parse(j.stdout) as { scan: { name: string; ext: string }[]; period?: { name: string }[] };
    expect(parsed.scan.find((f) => f.name === 'junit')!.ext).toBe('junit.xml');
  });

  it('a period has every format a run has, and `report --help` names them all', async () => {
    const j = JSON.parse((await runCli(['formats', '--json'])).stdout) as Record<string, { name: string }[]>;
    const [scanKey, periodKey] = Object.keys(j);
    const names = (k: string | undefined) => (j[k!] ?? []).map((f) => f.name).sort();
    expect(periodKey, JSON.stringify(Object.keys(j))).toBeDefined();
    expect(names(periodKey)).toEqual(names(scanKey));
    const help = (await runCli(['report', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const f of names(periodKey)) expect(help).toContain(f);
  });
});
