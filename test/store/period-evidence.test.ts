// A Type II period built from real evaluations (the engine on synthetic controls), stored through
// each back end: a control whose only failures were proven while other evidence was denied reads
// "not operating" with the gap listed (never "insufficient evidence"), and a control that passed
// with warnings operated effectively, its warnings listed as observations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlDefinition, PeriodResult } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { computePeriod } from '../../src/engine/period.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { renderPeriodTerminal } from '../../src/report/period-terminal.js';
import { renderPeriodMarkdown } from '../../src/report/markdown.js';
import { capture } from '../report/fixtures.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { backends } from './backends.js';

const CLUSTER = { name: 'audit-prod', accountId: '111122223333', region: 'eu-west-1' };
const KEY = 'eks:111122223333:eu-west-1:audit-prod';
const base = {
  section: 'CC4' as const, subheading: 'Test', tsc: ['CC7.2'], owners: { primary: ['Security Team'], supporting: [] }, automation: 'automated' as const,
  severity: 'high' as const, description: 'A synthetic control for the period tests.', remediation: { summary: 'Fix it.' }, references: [{ title: 'r', url: 'https://example.com' }],
};

/** Logging: required rule on the cluster description; the log groups (another requirement) are denied in every run. */
const LOGGING: ControlDefinition = {
  ...base, id: 'CC4-LOG-01', title: 'Control plane logs are enabled and kept',
  requires: [{ anyOf: ['aws:eks:DescribeCluster'], what: 'the EKS cluster description' }, { anyOf: ['aws:logs:DescribeLogGroups'], what: 'the CloudWatch log groups' }],
  rules: {
    'log-types': { title: 'Every control plane log type is enabled', severity: 'high', level: 'required', evidence: ['aws:eks:DescribeCluster'] },
    retention: { title: 'The log group keeps a year', severity: 'medium', level: 'required', evidence: ['aws:logs:DescribeLogGroups'] },
  },
  check(ev, ctx) {
    for (const f of ev.aws('eks:DescribeCluster')) {
      const ref = { provider: 'aws' as const, kind: 'AWS::EKS::Cluster', name: String(f.output.name) };
      if (f.output.logging === 'off') ctx.fail(ref, 'log-types', 'every control plane log type is disabled');
      else ctx.pass(ref, 'log-types', 'every control plane log type is enabled');
      ctx.fail(ref, 'retention', 'the log group does not exist'); // never read: the engine drops it
    }
  },
};

/** Trail: passes its required rule, warns on a recommended one. */
const TRAIL: ControlDefinition = {
  ...base, id: 'CC4-TRAIL-01', title: 'A trail records management events',
  requires: [{ anyOf: ['aws:cloudtrail:DescribeTrails'], what: 'the CloudTrail trails' }],
  rules: {
    logging: { title: 'A trail is logging', severity: 'high', level: 'required', evidence: [] },
    kms: { title: 'The trail uses a customer-managed key', severity: 'low', level: 'recommended', evidence: [] },
  },
  check(ev, ctx) {
    for (const f of ev.aws('cloudtrail:DescribeTrails')) {
      const ref = { provider: 'aws' as const, kind: 'AWS::CloudTrail::Trail', name: 'org-trail' };
      ctx.pass(ref, 'logging', 'logging');
      ctx.fail(ref, 'kms', `no customer-managed key (${String(f.output.n)})`);
    }
  },
};

function runOn(day: number) {
  const at = new Date(Date.UTC(2026, 0, 1 + day, 6));
  const snap = makeSnapshot({
    cluster: CLUSTER,
    aws: [
      { service: 'eks', operation: 'DescribeCluster', region: 'eu-west-1', accountId: '111122223333', output: { name: 'audit-prod', logging: 'off' } },
      { service: 'cloudtrail', operation: 'DescribeTrails', region: 'eu-west-1', accountId: '111122223333', output: { n: day } },
    ],
    awsCalls: { 'logs:DescribeLogGroups': 'denied' },
  });
  const run = evaluate(snap, [LOGGING, TRAIL], { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: at, startedAt: at });
  run.finishedAt = at.toISOString();
  return { run, snap, at };
}

for (const { backend: b, skip } of backends('periodev')) {
  describe.skipIf(skip)(`a period over proven failures with incomplete evidence (${b.name})`, () => {
    let store: EvidenceStore;
    let period: PeriodResult;
    beforeAll(async () => {
      await b.setup();
      store = await b.open('write');
      for (let d = 0; d < 10; d++) {
        const { run, snap, at } = runOn(d);
        await store.appendRun(run, snap, { at, storedAt: at });
      }
      const data = await store.periodData(KEY, '2026-01-01T00:00:00.000Z', '2026-01-10T23:59:59.999Z');
      period = computePeriod([{ key: KEY, cluster: CLUSTER, ...data }], { from: '2026-01-01', to: '2026-01-10', generatedAt: new Date('2026-01-11T00:00:00Z'), toolVersion: 'test' });
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await b.teardown();
    });

    it('each run fails the control on the evidence that was read, the denied log groups named', () => {
      const c = runOn(0).run.controls.find((x) => x.id === 'CC4-LOG-01')!;
      expect(c.status).toBe('fail');
      expect(c.evidence.missing.join(' ')).toMatch(/CloudWatch log groups/);
      expect(c.findings.map((f) => `${f.rule}:${f.status}`)).toEqual(['log-types:fail']);
    });

    it('reads "not operating" with the gap listed, never "insufficient evidence"', async () => {
      const c = period.clusters[0]!.controls.find((x) => x.id === 'CC4-LOG-01')!;
      expect(c.verdict).toBe('not-operating');
      expect(c.statusCounts.fail).toBe(10);
      expect(c.verdictReason).toMatch(/10 failing sample\(s\) failed on the evidence that was read while other evidence was not read/);
      expect(c.evidenceGaps).toEqual([expect.objectContaining({ samples: 10, failing: 10, reason: expect.stringMatching(/CloudWatch log groups/) })]);
      const text: string[] = [];
      renderPeriodTerminal(period, { color: false }, (l) => text.push(l));
      const out = text.join('\n');
      expect(out).toMatch(/NOT OPERATING +CC4-LOG-01/);
      expect(out).toMatch(/not read in 10 sample\(s\) \(10 failing on what was read\), 2026-01-01 → 2026-01-10: .*CloudWatch log groups/);
      expect(await capture((w) => renderPeriodMarkdown(period, w))).toMatch(/\| CC4\\-LOG\\-01 \| .*CloudWatch log groups.* \| 10 \| 10 \|/);
    });

    it('a control that passed with warnings operated effectively; the warnings are observations', () => {
      const c = period.clusters[0]!.controls.find((x) => x.id === 'CC4-TRAIL-01')!;
      expect(c.verdict).toBe('operated-effectively');
      expect(c.warnings).toEqual({ samples: 10, rules: [expect.objectContaining({ rule: 'kms', samples: 10, findings: 10 })] });
      expect(c.timeline.every((s) => s.warnings === 1)).toBe(true);
      expect(c.evidenceGaps).toBeUndefined();
      const text: string[] = [];
      renderPeriodTerminal(period, { color: false }, (l) => text.push(l));
      expect(text.join('\n')).toMatch(/observation: warnings in 10 of 10 sample\(s\) \(recommended rules, not exceptions\): kms \(10\)/);
    });

    it('the stored rows carry the warning count, the rules that warned and what was not read, and verify', async () => {
      const rows = await store.driver.all("SELECT control_id, n_warn, warn_rules, missing FROM control_results WHERE control_id IN ('CC4-LOG-01', 'CC4-TRAIL-01') ORDER BY at, control_id LIMIT 2");
      expect(rows.map((r) => [r.control_id, Number(r.n_warn), r.warn_rules, r.missing === null ? null : JSON.parse(String(r.missing)).length])).toEqual([
        ['CC4-LOG-01', 0, null, 1], ['CC4-TRAIL-01', 1, '{"kms":1}', null],
      ]);
      const runs = await store.runs();
      expect(runs.every((r) => r.findings.warn === 1)).toBe(true);
      expect((await store.verify()).ok).toBe(true);
    });
  });
}
