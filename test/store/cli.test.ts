// The README-level flow through the built CLI: scan --demo --store twice, then history, diff,
// verify, report, scan --run, prune; and what happens when the store is unusable.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeriodResult, RunDiff, RunResult } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';
import { PG_ENABLED, freshDatabase } from './backends.js';

const T1 = '2026-03-01T02:00:00.000Z';
const T2 = '2026-03-02T02:00:00.000Z';
const stored = (stderr: string) => {
  const m = /stored run (\S+) in .*\nchain head: (sha256:[0-9a-f]{64})/.exec(stderr);
  if (!m) throw new Error(`no "stored run" line in: ${stderr}`);
  return { runId: m[1]!, head: m[2]! };
};

describe('evidence store through the CLI (SQLite)', () => {
  let dir: string;
  let url: string;
  let db: string;
  const runs: { runId: string; head: string }[] = [];
  let first: RunResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-cli-store-'));
    db = join(dir, 'x.db');
    url = `sqlite:${db}`;
    for (const now of [T1, T2]) {
      const r = await runCli(['scan', '--demo', '--store', url, '--now', now, '--format', 'json']);
      expect(r.stderr).toMatch(/stored run \S+ in SQLite store .*x\.db \(cluster eks:\d{12}:[\w-]+:[\w-]+, #\d\)/);
      runs.push(stored(r.stderr));
      const result = JSON.parse(r.stdout) as RunResult;
      expect(result.runId).toBe(runs[runs.length - 1]!.runId);
      expect(result.snapshotDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      if (!first) first = result;
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('history lists both runs with score and counts', async () => {
    const t = await runCli(['history', '--store', url]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(runs[0]!.runId);
    expect(t.stdout).toContain(runs[1]!.runId);
    expect(t.stdout).toContain('2026-03-01 02:00');
    expect(t.stdout).toContain(`chain head #2 ${runs[1]!.head}`);
    const j = await runCli(['history', '--store', url, '--format', 'json']);
    const h = JSON.parse(j.stdout) as { clusters: { history: { runId: string; at: string; score: number; controls: Record<string, number> }[] }[] };
    expect(h.clusters[0]!.history.map((r) => [r.runId, r.at])).toEqual([[runs[0]!.runId, T1], [runs[1]!.runId, T2]]);
    expect(h.clusters[0]!.history[0]!.score).toBe(first.summary.score);
    expect(h.clusters[0]!.history[0]!.controls.fail).toBe(first.summary.controls.fail);
  });

  it('diff compares the last two runs', async () => {
    const t = await runCli(['diff', '--store', url]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(`from run ${runs[0]!.runId}`);
    expect(t.stdout).toMatch(/controls: \d+ newly failing, \d+ fixed/);
    const j = await runCli(['diff', runs[0]!.runId, runs[1]!.runId, '--store', url, '--format', 'json']);
    const d = JSON.parse(j.stdout) as RunDiff;
    expect(d.schema).toBe('eks-soc2/diff@1');
    expect(d.from.runId).toBe(runs[0]!.runId);
    expect(d.to.runId).toBe(runs[1]!.runId);
    expect(d.sameCluster).toBe(true);
    const bad = await runCli(['diff', '20200101T000000Z-000000', '--store', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no run "20200101T000000Z-000000"');
  });

  it('verify passes, and checks an expected head', async () => {
    const v = await runCli(['verify', '--store', url]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('2 run(s) in 1 cluster(s), 2 snapshot(s)');
    expect(v.stdout).toContain(`head #2 ${runs[1]!.head}`);
    expect(v.stdout).toContain('OK:');
    expect((await runCli(['verify', '--store', url, '--expect-head', runs[0]!.head])).code).toBe(0);
    const missing = await runCli(['verify', '--store', url, '--expect-head', `sha256:${'ab'.repeat(32)}`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('NOT FOUND');
    const junkHash = await runCli(['verify', '--store', url, '--expect-head', 'nope']);
    expect(junkHash.code).toBe(2);
    // --depth rows: chains, records and rows only (what period reports read), and it says so.
    const rows = await runCli(['verify', '--store', url, '--depth', 'rows']);
    expect(rows.code, rows.stderr).toBe(0);
    expect(rows.stdout).toContain('(depth rows): 2 run(s) in 1 cluster(s); snapshots not read');
    expect(rows.stdout).toContain('--depth full checks them');
    const json = JSON.parse((await runCli(['verify', '--store', url, '--depth', 'rows', '--format', 'json'])).stdout) as { depth: string; snapshotsChecked: number };
    expect(json).toMatchObject({ depth: 'rows', snapshotsChecked: 0 });
    const badDepth = await runCli(['verify', '--store', url, '--depth', 'deep']);
    expect(badDepth.code).toBe(2);
    expect(badDepth.stderr).toContain('--depth must be full or rows');
  });

  it('report covers the window, per control, with thresholds printed', async () => {
    const t = await runCli(['report', '--store', url, '--from', '2026-03-01', '--to', '2026-03-02', '--now', '2026-03-03T00:00:00Z']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('period report 2026-03-01 → 2026-03-02');
    expect(t.stdout).toContain('verdict rules: operated effectively = pass rate ≥ 100.0%');
    expect(t.stdout).toContain('runs: 2 (2026-03-01 02:00 … 2026-03-02 02:00 UTC), days with a run: 100.0%');
    const j = await runCli(['report', '--store', url, '--from', '2026-03-01', '--to', '2026-03-02', '--now', '2026-03-03T00:00:00Z', '--format', 'json', '--effective-rate', '95%', '--max-gap-days', '3']);
    const p = JSON.parse(j.stdout) as PeriodResult;
    expect(p.thresholds).toEqual({ effective: 0.95, exceptions: 0.9, minCoverage: 0.9, maxGapDays: 3 });
    const c = p.clusters[0]!;
    expect(c.runs).toBe(2);
    expect(c.controls.length).toBe(first.controls.length);
    const ctl = c.controls.find((x) => x.id === first.controls[0]!.id)!;
    expect(ctl.timeline.map((s) => [s.runId, s.snapshotDigest])).toEqual([[runs[0]!.runId, first.snapshotDigest], [runs[1]!.runId, expect.stringMatching(/^sha256:/)]]);
    const sum = Object.values(c.summary).reduce((a, b) => a + b, 0);
    expect(sum).toBe(c.controls.length);

    const out = join(dir, 'audit');
    const w = await runCli(['report', '--store', url, '--from', '2026-03-01', '--to', '2026-03-02', '--format', 'terminal,json,sarif,junit', '-o', out]);
    expect(w.code).toBe(0);
    expect(existsSync(join(out, 'eks-soc2-period.txt'))).toBe(true);
    expect(readFileSync(join(out, 'eks-soc2-period.junit.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<testsuites name="eks-soc2 period 2026-03-01 – 2026-03-02"/);
    expect((JSON.parse(readFileSync(join(out, 'eks-soc2-period.sarif'), 'utf8')) as { version: string }).version).toBe('2.1.0');
    expect((JSON.parse(readFileSync(join(out, 'eks-soc2-period.json'), 'utf8')) as PeriodResult).schema).toBe('eks-soc2/period@1');

    const bad = await runCli(['report', '--store', url, '--from', '2026-03-05', '--to', '2026-03-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ends .* before it starts/);
    expect((await runCli(['report', '--store', url, '--from', '2026-03-01', '--effective-rate', '2.5x'])).code).toBe(2);
    const noCluster = await runCli(['report', '--store', url, '--from', '2026-03-01', '--cluster', 'nope']);
    expect(noCluster.code).toBe(2);
    expect(noCluster.stderr).toContain('no cluster "nope"');
  });

  it('scan --run re-performs a stored run from its snapshot, without storing it again', async () => {
    const r = await runCli(['scan', '--run', runs[0]!.runId, '--store', url, '--now', T1, '--format', 'json']);
    expect(r.stderr).toContain(`re-performing run ${runs[0]!.runId}`);
    expect(r.stderr).toContain('not stored again');
    const again = JSON.parse(r.stdout) as RunResult;
    // Controls that did not depend on the demo's waivers or attestations decide the same way.
    const plain = first.controls.filter((c) => !c.waivers.length && !c.attestation && !first.attestations.inForce.some((a) => a.control === c.id));
    expect(plain.length).toBeGreaterThan(0);
    for (const c of plain) expect(`${c.id}:${again.controls.find((x) => x.id === c.id)?.status}`).toBe(`${c.id}:${c.status}`);
    const h = await runCli(['history', '--store', url, '--format', 'json']);
    expect((JSON.parse(h.stdout) as { clusters: { history: unknown[] }[] }).clusters[0]!.history).toHaveLength(2);
    const missing = await runCli(['scan', '--run', '20200101T000000Z-000000', '--store', url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run "20200101T000000Z-000000"');
  });

  it('verify names an edited run and exits 1; prune keeps the chain verifiable', async () => {
    const copy = join(dir, 'tampered.db');
    writeFileSync(copy, readFileSync(db));
    const raw = new DatabaseSync(copy);
    raw.prepare("UPDATE control_results SET status = 'pass' WHERE run_id = ? AND status = 'fail'").run(runs[0]!.runId);
    raw.close();
    const v = await runCli(['verify', '--store', `sqlite:${copy}`]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('BROKEN');
    expect(v.stdout).toContain(runs[0]!.runId);

    const pruneCopy = join(dir, 'pruned.db');
    writeFileSync(pruneCopy, readFileSync(db));
    const dry = await runCli(['prune', '--store', `sqlite:${pruneCopy}`, '--keep-days', '1', '--now', '2026-03-02T12:00:00Z', '--dry-run']);
    expect(dry.stdout).toContain('would remove 1 run(s)');
    const p = await runCli(['prune', '--store', `sqlite:${pruneCopy}`, '--keep-days', '1', '--now', '2026-03-02T12:00:00Z']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('removed 1 run(s), kept 1');
    expect(p.stdout).toContain(`chain anchor (hash of run #1): ${runs[0]!.head}`);
    const after = await runCli(['verify', '--store', `sqlite:${pruneCopy}`, '--expect-head', runs[0]!.head]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('since pruned and sealed in a checkpoint');
    expect((await runCli(['prune', '--store', `sqlite:${pruneCopy}`, '--keep-days', '0'])).code).toBe(2);
  });

  it('a store that cannot be used: the report is still printed, then exit 2 with the reason', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all\n'.repeat(50));
    const before = createHash('sha256').update(readFileSync(junk)).digest('hex');
    const r = await runCli(['scan', '--demo', '--store', `sqlite:${junk}`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Summary');
    expect(r.stderr).toContain(`eks-soc2: the run was not stored: ${junk} is not an SQLite database (so not an eks-soc2 evidence store); it was left untouched`);
    expect(r.stderr).toContain('fix: point --store');
    expect(createHash('sha256').update(readFileSync(junk)).digest('hex')).toBe(before);

    const v = await runCli(['verify', '--store', `sqlite:${junk}`]);
    expect(v.code).toBe(2);
    const none = await runCli(['verify', '--store', `sqlite:${join(dir, 'none.db')}`]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no evidence store at');
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });

  it('EKS_SOC2_STORE enables storing; --no-store disables it', async () => {
    const envDb = join(dir, 'env.db');
    const r = await runCli(['scan', '--demo', '--quiet'], { env: { EKS_SOC2_STORE: `sqlite:${envDb}` } });
    expect(r.stderr).not.toContain('stored run'); // --quiet
    expect(existsSync(envDb)).toBe(true);
    const off = await runCli(['scan', '--demo', '--no-store'], { env: { EKS_SOC2_STORE: `sqlite:${join(dir, 'off.db')}` } });
    expect(off.stderr).not.toContain('stored run');
    expect(existsSync(join(dir, 'off.db'))).toBe(false);
    const h = await runCli(['history', '--format', 'json'], { env: { EKS_SOC2_STORE: `sqlite:${envDb}` } });
    expect((JSON.parse(h.stdout) as { clusters: { runs: number }[] }).clusters[0]!.runs).toBe(1);
  });

  it('--store without a value uses the default file under XDG_DATA_HOME', async () => {
    const xdg = join(dir, 'xdg');
    const r = await runCli(['scan', '--demo', '--store', '--format', 'json'], { env: { XDG_DATA_HOME: xdg } });
    expect(r.stderr).toContain(`in SQLite store ${join(xdg, 'eks-soc2', 'evidence.db')}`);
    expect(existsSync(join(xdg, 'eks-soc2', 'evidence.db'))).toBe(true);
    expect((await runCli(['verify'], { env: { XDG_DATA_HOME: xdg } })).code).toBe(0);
  });
});

describe.skipIf(!PG_ENABLED)('evidence store through the CLI (PostgreSQL)', () => {
  it('scan --store postgres://… then verify and report; a server that is down keeps the report', async () => {
    const db = await freshDatabase('cli');
    try {
      const r = await runCli(['scan', '--demo', '--store', db.url, '--now', T1, '--quiet']);
      expect(r.stdout).toContain('Summary');
      const v = await runCli(['verify', '--format', 'json'], { env: { EKS_SOC2_STORE: db.url } });
      expect(v.code).toBe(0);
      expect((JSON.parse(v.stdout) as { runsChecked: number }).runsChecked).toBe(1);
      const p = await runCli(['report', '--store', db.url, '--from', '2026-03-01', '--to', '2026-03-01', '--format', 'json']);
      expect((JSON.parse(p.stdout) as PeriodResult).clusters[0]!.runs).toBe(1);
    } finally {
      await db.drop();
    }
    const down = await runCli(['scan', '--demo', '--store', 'postgres://eks_soc2:pw-not-shown@127.0.0.1:1/evidence']);
    expect(down.code).toBe(2);
    expect(down.stdout).toContain('Summary');
    expect(down.stderr).toContain('the run was not stored: cannot reach PostgreSQL store postgres://eks_soc2@127.0.0.1:1/evidence (connection refused)');
    expect(down.stderr).not.toContain('pw-not-shown');
  });

  it('a table lock held by another session ends in the lock timeout: the report is printed, the run is not stored (issue 18 item 12)', async () => {
    const db = await freshDatabase('lock');
    const pg = (await import('pg')).default;
    const holder = new pg.Client({ connectionString: db.url });
    try {
      // Create the tables, then lock one the way a migration or a DBA's session would.
      expect((await runCli(['scan', '--demo', '--store', db.url, '--now', T1, '--quiet'])).code).not.toBe(2);
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE runs IN ACCESS EXCLUSIVE MODE');
      // The default lock timeout is 30 s; the URL's session options (which win over ours) shorten it here.
      const url = `${db.url}?options=${encodeURIComponent('-c lock_timeout=1500')}`;
      const r = await runCli(['scan', '--demo', '--store', url, '--now', T2, '--quiet']);
      expect(r.stdout).toContain('Summary');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the run was not stored: PostgreSQL store .*: a lock stayed held by another session/);
      expect(r.stderr).not.toMatch(/unexpected error/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end().catch(() => undefined);
      await db.drop();
    }
  }, 120_000);
});
