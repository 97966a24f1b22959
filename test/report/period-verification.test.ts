/**
 * A period report verifies the evidence it stands on (issue 16 item 4): `report` runs the store's
 * chain check on the clusters it covers, prints the result and the chain head at the top of every
 * format, and when a stored result was edited says so everywhere and exits 3.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeriodResult } from '../../src/model/index.js';
import { renderPeriodCsv } from '../../src/report/csv.js';
import { renderPeriodJunit } from '../../src/report/junit.js';
import { renderPeriodMarkdown } from '../../src/report/markdown.js';
import { renderPeriodTerminal } from '../../src/report/period-terminal.js';
import { verificationText, verifyPeriodEvidence } from '../../src/report/verification.js';
import { runCli } from '../helpers/cli.js';
import { junitProblems } from './junit-schema.js';
import { capture, samplePeriod } from './fixtures.js';

const T1 = '2026-03-01T02:00:00.000Z';
const T2 = '2026-03-02T02:00:00.000Z';
const WINDOW = ['--from', '2026-03-01', '--to', '2026-03-02', '--now', '2026-03-03T00:00:00Z'];
const FORMATS = 'terminal,json,markdown,csv,html,sarif,junit,oscal';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const canPdf = existsSync(CHROMIUM) && spawnSync('pdftotext', ['-v']).error === undefined;

describe('period report: evidence verification (SQLite store, built CLI)', () => {
  let dir: string;
  let good: string;
  let tampered: string;
  let head: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-period-verify-'));
    const db = join(dir, 'x.db');
    for (const now of [T1, T2]) {
      const r = await runCli(['scan', '--demo', '--store', `sqlite:${db}`, '--now', now, '--format', 'json']);
      expect(r.stderr).toContain('stored run');
      head = /chain head: (sha256:[0-9a-f]{64})/.exec(r.stderr)![1]!;
    }
    good = `sqlite:${db}`;
    const copy = join(dir, 'tampered.db');
    writeFileSync(copy, readFileSync(db));
    const raw = new DatabaseSync(copy);
    // Someone turns a failure into a pass in the stored per-control rows the period report reads.
    const changed = raw.prepare("UPDATE control_results SET status = 'pass' WHERE status = 'fail' AND run_id = (SELECT run_id FROM runs ORDER BY seq LIMIT 1)").run();
    expect(Number(changed.changes)).toBeGreaterThan(0);
    raw.close();
    tampered = `sqlite:${copy}`;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an intact store: every format says the evidence verified and names the chain head; exit 0', async () => {
    const t = await runCli(['report', '--store', good, ...WINDOW]);
    expect(t.code, t.stderr).toBe(0);
    const top = t.stdout.split('\n').slice(0, 6).join('\n');
    expect(top).toContain('Evidence verified: the hash chain of 2 stored run(s) in 1 cluster(s) recomputes, and so do the per-control rows this report is computed from');
    expect(top).toContain(head.slice(0, 30));
    const j = await runCli(['report', '--store', good, ...WINDOW, '--format', 'json']);
    const p = JSON.parse(j.stdout) as PeriodResult;
    expect(p.verification).toMatchObject({ ok: true, depth: 'rows', runsChecked: 2, problemCount: 0 });
    expect(p.verification!.clusters[0]!.head!.hash).toBe(head);
  });

  it('--verify-depth full re-reads every stored result: a result edited beside intact rows is caught there, and only there', async () => {
    const copy = join(dir, 'result-edited.db');
    writeFileSync(copy, readFileSync(join(dir, 'x.db')));
    const raw = new DatabaseSync(copy);
    const row = raw.prepare('SELECT run_id, result FROM runs ORDER BY seq LIMIT 1').get() as { run_id: string; result: Uint8Array };
    const text = gunzipSync(row.result).toString('utf8');
    const edited = text.replace('"status":"fail"', '"status":"pass"');
    expect(edited).not.toBe(text);
    raw.prepare('UPDATE runs SET result = ? WHERE run_id = ?').run(gzipSync(edited), row.run_id);
    raw.close();
    const rows = await runCli(['report', '--store', `sqlite:${copy}`, ...WINDOW]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(rows.stdout).toContain('eks-soc2 verify` also re-reads every stored result and snapshot');
    const full = await runCli(['report', '--store', `sqlite:${copy}`, ...WINDOW, '--verify-depth', 'full']);
    expect(full.code).toBe(3);
    expect(full.stdout).toContain('EVIDENCE NOT VERIFIED');
    expect(full.stdout).toContain(`run ${row.run_id}`);
    const ok = await runCli(['report', '--store', good, ...WINDOW, '--verify-depth', 'full', '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as PeriodResult).verification).toMatchObject({ ok: true, depth: 'full' });
    const bad = await runCli(['report', '--store', good, ...WINDOW, '--verify-depth', 'deep']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--verify-depth must be rows or full');
  }, 120_000);

  it('report --max-size bounds the Markdown (the evidence check kept at its top), --report-url links the full report; a bad size is a usage error', async () => {
    const full = await runCli(['report', '--store', good, ...WINDOW, '--format', 'markdown']);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout.length).toBeGreaterThan(2500);
    const bounded = await runCli(['report', '--store', good, ...WINDOW, '--format', 'markdown', '--max-size', '2000', '--report-url', 'https://ci.example/run/7/period.html']);
    expect(bounded.code, bounded.stderr).toBe(0);
    expect(bounded.stdout.length).toBeLessThanOrEqual(2000);
    expect(bounded.stdout).toContain('Evidence verified');
    expect(bounded.stdout).toContain('https://ci.example/run/7/period.html');
    const summary = await runCli(['report', '--store', good, ...WINDOW, '--format', 'markdown-summary', '--max-size', '2500']);
    expect(summary.stdout.length).toBeLessThanOrEqual(2500);
    expect(summary.stdout).toContain('eks-soc2 report --format markdown');
    const bad = await runCli(['report', '--store', good, ...WINDOW, '--format', 'markdown', '--max-size', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-size must be a whole number of characters');
  }, 120_000);

  it('an edited per-control row: a warning at the top of every format, the problem named, exit 3', async () => {
    const t = await runCli(['report', '--store', tampered, ...WINDOW]);
    expect(t.code).toBe(3);
    expect(t.stdout.split('\n').slice(0, 5).join('\n')).toContain('EVIDENCE NOT VERIFIED');
    expect(t.stdout).toContain('edited');
    expect(t.stderr).toContain('EVIDENCE NOT VERIFIED');

    const out = join(dir, 'out');
    const w = await runCli(['report', '--store', tampered, ...WINDOW, '--format', FORMATS, '-o', out]);
    expect(w.code).toBe(3);
    const read = (ext: string) => readFileSync(join(out, `eks-soc2-period.${ext}`), 'utf8');
    const first = (s: string, n: number) => s.slice(0, n);

    expect(first(read('txt'), 1500)).toContain('EVIDENCE NOT VERIFIED');
    expect(first(read('md'), 1500)).toContain('EVIDENCE NOT VERIFIED');
    const html = read('html');
    expect(html.indexOf('EVIDENCE NOT VERIFIED')).toBeGreaterThan(0);
    expect(html.indexOf('EVIDENCE NOT VERIFIED')).toBeLessThan(html.indexOf('All samples by status'));

    const json = JSON.parse(read('json')) as PeriodResult;
    expect(json.verification!.ok).toBe(false);
    expect(json.verification!.problems.some((p) => p.kind === 'edited')).toBe(true);

    const csv = read('csv').trim().split(/\r?\n/);
    expect(csv[0]!.split(',').at(-1)).toBe('evidence_chain');
    for (const row of csv.slice(1)) expect(row.endsWith(',BROKEN')).toBe(true);

    const sarif = JSON.parse(read('sarif')) as { runs: { invocations: { toolExecutionNotifications?: { level: string; message: { text: string } }[] }[]; properties: { evidenceVerification: { ok: boolean } } }[] };
    const note = sarif.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!;
    expect(note.level).toBe('error');
    expect(note.message.text).toContain('EVIDENCE NOT VERIFIED');
    expect(sarif.runs[0]!.properties.evidenceVerification.ok).toBe(false);

    const junit = read('junit.xml');
    expect(junitProblems(junit)).toEqual([]);
    const firstSuite = /<testsuite [^>]*>[\s\S]*?<\/testsuite>/.exec(junit)![0];
    expect(firstSuite).toContain('name="evidence store"');
    expect(firstSuite).toContain('<error message="EVIDENCE NOT VERIFIED');

    const oscal = JSON.parse(read('oscal.json')) as { 'assessment-results': { results: { props: { name: string; value: string }[]; findings: { title: string; target: { status: { state: string } } }[] }[] } };
    const res = oscal['assessment-results'].results[0]!;
    expect(res.props).toContainEqual(expect.objectContaining({ name: 'evidence-chain', value: 'broken' }));
    expect(res.findings[0]!.title).toContain('EVIDENCE NOT VERIFIED');
    expect(res.findings[0]!.target.status.state).toBe('not-satisfied');
  }, 120_000);

  it.skipIf(!canPdf && !process.env.CI)('the PDF says so on its first page', async () => {
    const out = join(dir, 'pdf');
    const w = await runCli(['report', '--store', tampered, ...WINDOW, '--format', 'pdf', '-o', out]);
    expect(w.code).toBe(3);
    const page1 = execFileSync('pdftotext', ['-f', '1', '-l', '1', join(out, 'eks-soc2-period.pdf'), '-'], { encoding: 'utf8' });
    expect(page1).toContain('EVIDENCE NOT VERIFIED');
  }, 120_000);
});

describe('verifyPeriodEvidence and the renderers', () => {
  const broken = {
    label: 'test store',
    verify: async ({ clusterKeys: [clusterKey] }: { clusterKeys: readonly string[] }) => ({
      store: 'test store', ok: false, runsChecked: 3, snapshotsChecked: 3,
      clusters: [{ key: clusterKey!, runs: 3, ok: false, head: { seq: 3, hash: `sha256:${'e'.repeat(64)}`, runId: 'r3' } }],
      problems: Array.from({ length: 25 }, (_, i) => ({ kind: 'edited' as const, clusterKey, runId: `r${i}`, message: `run r${i} <script>\u001b[31m was edited` })),
    }),
  };

  it('keeps the first 20 problems, counts them all, and each text format leads with the warning (escaped)', async () => {
    const p = samplePeriod();
    p.verification = await verifyPeriodEvidence(broken, [p.clusters[0]!.key], new Date('2026-03-01T00:00:00Z'));
    expect(p.verification.problems).toHaveLength(20);
    expect(p.verification.problemCount).toBe(25);
    expect(verificationText(p)!.problems.at(-1)).toContain('5 more');

    const lines: string[] = [];
    renderPeriodTerminal(p, { color: false }, (l) => lines.push(l));
    expect(lines.slice(0, 4).join('\n')).toContain('EVIDENCE NOT VERIFIED');
    expect(lines.join('\n')).not.toContain('\u001b[31m');
    const md = await capture((w) => renderPeriodMarkdown(p, w));
    expect(md.split('\n').slice(0, 6).join('\n')).toContain('EVIDENCE NOT VERIFIED');
    expect(md).not.toContain('<script>');
    expect(junitProblems(await capture((w) => renderPeriodJunit(p, w)))).toEqual([]);
    expect((await capture((w) => renderPeriodCsv(p, w))).trim().split(/\r?\n/).slice(1).every((r) => r.endsWith(',BROKEN'))).toBe(true);
  });

  it('a report that was not checked says nothing about it (renderers stay pure functions of the PeriodResult)', async () => {
    const p = samplePeriod();
    expect(verificationText(p)).toBeUndefined();
    expect(await capture((w) => renderPeriodMarkdown(p, w))).not.toMatch(/verif/i);
  });
});
