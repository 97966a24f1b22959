/**
 * Golden files for the text formats. After an intended change, regenerate them with
 * `UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts` and review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderPeriodMarkdown } from '../../src/report/markdown.js';
import { renderCsv, renderPeriodCsv } from '../../src/report/csv.js';
import { renderJunit, renderPeriodJunit } from '../../src/report/junit.js';
import { findingTotal } from '../../src/model/findings.js';
import { capture, samplePeriod, sampleRun } from './fixtures.js';

const dir = fileURLToPath(new URL('../fixtures/report/golden/', import.meta.url));

function golden(name: string, actual: string): void {
  const file = `${dir}${name}`;
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    if (!process.env.UPDATE_GOLDEN && process.env.CI) throw new Error(`golden file ${name} is missing; run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden files', () => {
  it('markdown', async () => golden('run.md', await capture((w) => renderMarkdown(sampleRun(), w))));
  it('csv', async () => golden('run.csv', await capture((w) => renderCsv(sampleRun(), w))));
  it('junit', async () => golden('run.junit.xml', await capture((w) => renderJunit(sampleRun(), w))));
  it('junit per finding', async () => golden('run.per-finding.junit.xml', await capture((w) => renderJunit(sampleRun(), w, { perFinding: true }))));
  it('period markdown', async () => golden('period.md', await capture((w) => renderPeriodMarkdown(samplePeriod(), w))));
  it('period csv', async () => golden('period.csv', await capture((w) => renderPeriodCsv(samplePeriod(), w))));
  it('period junit', async () => golden('period.junit.xml', await capture((w) => renderPeriodJunit(samplePeriod(), w))));
});

describe('text formats', () => {
  it('period junit: a suite per cluster, a case per control; not operating and exceptions fail, insufficient evidence errs', async () => {
    const p = samplePeriod();
    const xml = await capture((w) => renderPeriodJunit(p, w));
    const controls = p.clusters.flatMap((c) => c.controls);
    const n = (v: string) => controls.filter((c) => c.verdict === v).length;
    expect(n('not-operating') + n('exceptions-noted')).toBeGreaterThan(0);
    expect(xml).toContain(`tests="${controls.length}" failures="${n('not-operating') + n('exceptions-noted')}" errors="${n('insufficient-evidence')}" skipped="0"`);
    expect((xml.match(/<testsuite /g) ?? []).length).toBe(p.clusters.length);
    const failing = controls.find((c) => c.verdict === 'not-operating' && c.failIntervals.length > 0);
    if (failing) expect(xml).toContain(`${failing.failIntervals[0]!.firstRunId}`);
  });

  it('markdown lists failing controls with owner, top resources and the fix; the rest is collapsed', async () => {
    const md = await capture((w) => renderMarkdown(sampleRun(), w, { topFailures: 2 }));
    expect(md).toContain('## Failing controls (2)');
    expect(md).toMatch(/\| CC5\\-HARD\\-03 \| .* \| critical \| Security Team \| 4 \|/); // the four required rules the insecure Deployment fails
    expect(md).toContain('| … 2 more | | | |');
    expect(md).toContain('**Fix:**');
    expect(md).toMatch(/<details>\n<summary>All other controls \(3\)/);
    expect(md).toContain('RISK\\-2026\\-001');
  });

  it('csv has one row per finding and a row for controls without findings', async () => {
    const run = sampleRun();
    const csv = await capture((w) => renderCsv(run, w));
    const lines = csv.trimEnd().split('\r\n');
    // One row per finding, one for a control without findings, one per rule not evaluated as a whole.
    const expected = run.controls.reduce((n, c) => n + Math.max(1, findingTotal(c)) + c.unevaluated.length, 0);
    expect(lines).toHaveLength(expected + 1);
    expect(lines[0]).toBe('control,section,criteria,owner,rule,resource_provider,resource_kind,resource_namespace,resource_name,resource_arn,location,status,severity,message,system_namespace,waiver_id,waiver_approver,waiver_expiry');
    expect(lines.some((l) => l.startsWith('CC5-HARD-03,CC5,CC6.8;CC7.1,Security Team,no-privileged,kubernetes,Deployment,shop,checkout,,k8s/shop.yaml:40,fail,critical'))).toBe(true);
    expect(lines.some((l) => l.includes(',waived,') && l.endsWith('RISK-2026-001,ciso@acme.example,2027-01-31'))).toBe(true);
  });

  it('junit maps statuses to failure, error and skipped, and per-finding cases on request', async () => {
    const xml = await capture((w) => renderJunit(sampleRun(), w));
    expect(xml).toMatch(/<testsuites name="eks-soc2 prod" tests="7" failures="2" errors="1" time="0">/);
    expect(xml).toMatch(/<testcase classname="CC7" name="CC7-TEST-04 [^"]*" time="0">\n\s*<error /);
    expect(xml).toMatch(/<testcase classname="CC6" name="CC6-TEST-03 [^"]*" time="0">\n\s*<skipped message="not-applicable: no service mesh is in scope"\/>/);
    const per = await capture((w) => renderJunit(sampleRun(), w, { perFinding: true }));
    expect(per).toContain('classname="CC5.CC5-HARD-03" name="no-privileged Deployment shop/checkout"');
    expect((per.match(/<testcase /g) ?? []).length).toBe(7 + sampleRun().controls.reduce((n, c) => n + findingTotal(c), 0));
  });
});
