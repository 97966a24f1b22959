/**
 * Warnings (failed recommended rules) and rules not evaluated, in every run format: the sample run's
 * CC4-TEST-06 passes with one warning (trail-kms on org-trail), one rule not evaluated as a whole
 * (trail-log-group: DescribeLogGroups denied) and one resource not evaluated (trail-kms on
 * legacy-trail). A warning is shown and counted, and never reads as a failure.
 */
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RunResult } from '../../src/model/index.js';
import { jsonSchemas } from '../../src/model/schema.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { renderJson } from '../../src/report/json.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderOscal } from '../../src/report/oscal.js';
import { capture, sampleRun } from './fixtures.js';
import { junitProblems } from './junit-schema.js';

const ID = 'CC4-TEST-06';

function terminal(run: RunResult, quiet = false): string {
  const lines: string[] = [];
  renderTerminal(run, { color: false, quiet }, (l) => lines.push(l));
  return lines.join('\n');
}

describe('the synthetic run', () => {
  it('has a control that passes with a warning, a rule not evaluated and a resource not evaluated', () => {
    const c = sampleRun().controls.find((x) => x.id === ID)!;
    expect(c.status).toBe('pass');
    expect(c.counts).toMatchObject({ pass: 2, warn: 1, fail: 0, error: 1 });
    expect(c.unevaluated).toEqual([expect.objectContaining({ rule: 'trail-log-group', level: 'recommended' })]);
    expect(c.rules.map((r) => `${r.id}:${r.level}`)).toEqual(['trail-logging:required', 'trail-kms:recommended', 'trail-log-group:recommended']);
  });
});

describe('warnings and rules not evaluated in every format', () => {
  it('terminal: the control passes "with 1 warning", lists it and the rule not evaluated; the summary counts them, also with --quiet', () => {
    const out = terminal(sampleRun());
    expect(out).toMatch(new RegExp(`PASS +${ID} +An audit trail records management events \\(passes with 1 warning\\)`));
    expect(out).toMatch(/! AWS::CloudTrail::Trail arn:aws:cloudtrail:eu-west-1:111122223333:trail\/org-trail {2}trail-kms {2}trail org-trail uses S3 default encryption/);
    expect(out).toContain('not evaluated: trail-log-group (recommended): logs:DescribeLogGroups');
    expect(out).toMatch(/findings: \d+ pass, \d+ fail, 1 warn, \d+ waived, 1 not evaluated/);
    const quiet = terminal(sampleRun(), true);
    expect(quiet).not.toContain(`${ID} `.padEnd(12)); // a passing control is not listed with --quiet…
    expect(quiet).toMatch(/findings: .*1 warn/); // …but the counts keep the warning
    expect(quiet).toMatch(new RegExp(`warnings: 1 in 1 control\\(s\\), 1 of them passing .*: ${ID}`));
  });

  it('JSON: warn finding, counts, rules and unevaluated, valid against the report schema', async () => {
    const run = JSON.parse(await capture((w) => renderJson(sampleRun(), w))) as RunResult;
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(jsonSchemas().report as object);
    expect(validate(run), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(run.schema).toBe('eks-soc2/run@5');
    expect(run.summary.findings.warn).toBe(1);
    expect(run.summary.controlsWithWarnings).toBe(1);
    const c = run.controls.find((x) => x.id === ID)!;
    expect(c.findings.filter((f) => f.status === 'warn').map((f) => f.rule)).toEqual(['trail-kms']);
    expect(c.unevaluated.map((u) => u.rule)).toEqual(['trail-log-group']);
  });

  it('CSV: status warn on the finding, error rows for the rule and the resource not evaluated', async () => {
    const rows = (await capture((w) => renderCsv(sampleRun(), w))).trimEnd().split('\r\n').filter((l) => l.startsWith(`${ID},`));
    expect(rows.some((l) => /,trail-kms,aws,AWS::CloudTrail::Trail,,org-trail,.*,warn,low,/.test(l))).toBe(true);
    expect(rows.some((l) => /,trail-log-group,,,,,,,error,low,not evaluated \(recommended rule\): logs:DescribeLogGroups/.test(l))).toBe(true);
    expect(rows.some((l) => /,trail-kms,aws,AWS::CloudTrail::Trail,,legacy-trail,.*,error,low,not evaluated: the key alias\/legacy was not read/.test(l))).toBe(true);
  });

  it('Markdown: a Warnings section and a Rules not evaluated section; the control stays among the passing ones', async () => {
    const md = await capture((w) => renderMarkdown(sampleRun(), w));
    expect(md).toContain('## Warnings (1)');
    expect(md).toMatch(/\| CC4\\-TEST\\-06 \| ✅ pass \| .* \| 1 \| trail\\-kms ×1 \|/);
    expect(md).toContain('## Rules not evaluated (2)');
    expect(md).toMatch(/\| CC4\\-TEST\\-06 \| ✅ pass \| trail\\-log\\-group \| recommended \| the whole rule \| logs:DescribeLogGroups/);
    expect(md).not.toMatch(/### ❌ CC4\\-TEST\\-06/);
  });

  it('HTML: warning card, badge and list, the control passes "with 1 warning", rules with levels and the rules not evaluated', async () => {
    const html = await capture((w) => renderHtml(sampleRun(), w));
    expect(html).toMatch(/<div class="card warn"><div class="n">1<\/div><div class="t">Warnings<\/div>/);
    const block = html.slice(html.indexOf(`<section class="control s-pass" id="ctl-${ID}"`), html.indexOf('</section>', html.indexOf(`id="ctl-${ID}"`)));
    expect(block).toContain('<span class="chip warned">passes with 1 warning</span>');
    expect(block).toContain('<h3>Warnings — recommended rules, not failures (1)</h3>');
    expect(block).toContain('<span class="badge b-warn">Warning</span>');
    expect(block).toMatch(/<h3>Rules not evaluated \(1\)<\/h3>.*<code>trail-<wbr>log-<wbr>group<\/code><\/td><td>recommended<\/td>/s);
    expect(block).toContain('Rules (3: 1 required, 2 recommended)');
  });

  it('SARIF: the warning is a result of level warning on a rule without security-severity; not-evaluated rules are notifications', async () => {
    const log = JSON.parse(await capture((w) => renderSarif(sampleRun(), w))) as {
      runs: [{ tool: { driver: { rules: { id: string; defaultConfiguration: { level: string }; properties: Record<string, unknown> & { tags: string[] } }[] } };
        results: { ruleId: string; level: string; message: { text: string } }[]; invocations: [{ toolExecutionNotifications?: { level: string; message: { text: string }; associatedRule?: { id: string } }[] }] }];
    };
    const run = log.runs[0];
    const warn = run.results.filter((r) => r.ruleId === `${ID}/trail-kms`);
    expect(warn).toHaveLength(1);
    expect(warn[0]!.level).toBe('warning');
    expect(warn[0]!.message.text).toContain('warning (recommended rule)');
    const rule = run.tool.driver.rules.find((r) => r.id === `${ID}/trail-kms`)!;
    expect(rule.defaultConfiguration.level).toBe('warning');
    expect(rule.properties['security-severity']).toBeUndefined();
    expect(rule.properties.tags).toContain('recommended');
    expect(rule.properties.tags).not.toContain('security');
    // A required rule keeps the severity mapping and its security-severity.
    const required = run.tool.driver.rules.find((r) => r.id === 'CC6-TEST-05/public-access-block')!;
    expect(required.defaultConfiguration.level).toBe('error');
    expect(required.properties['security-severity']).toBe('9.5');
    const notes = run.invocations[0].toolExecutionNotifications ?? [];
    expect(notes.map((n) => n.associatedRule?.id)).toEqual(expect.arrayContaining([`${ID}/trail-kms`, `${ID}/trail-log-group`]));
    expect(notes.every((n) => n.level === 'warning')).toBe(true);
    expect(run.results.some((r) => r.ruleId === `${ID}/trail-log-group`)).toBe(false);
  });

  it('JUnit: the control is a passing case whose output names the warning; the XML keeps to the Jenkins JUnit schema', async () => {
    const xml = await capture((w) => renderJunit(sampleRun(), w));
    const k = xml.slice(xml.indexOf(`name="${ID} `), xml.indexOf('</testcase>', xml.indexOf(`name="${ID} `)));
    expect(k).not.toMatch(/<failure|<error|<skipped/);
    expect(k).toContain('<system-out>2 passing, 1 warning');
    expect(k).toContain('warnings (1, recommended rules, not failures):');
    expect(k).toContain('not evaluated: trail-log-group (recommended)');
    expect(junitProblems(xml)).toEqual([]);
    const per = await capture((w) => renderJunit(sampleRun(), w, { perFinding: true }));
    expect(junitProblems(per)).toEqual([]);
    // The check can fail: what the schema forbids is reported.
    expect(junitProblems('<testsuites skipped="1"><testsuite name="a" tests="1" failures="0" errors="0"><testcase><warning/></testcase></testsuite></testsuites>'))
      .toEqual(['<testsuites> has attribute skipped, which the schema does not allow', '<testcase> lacks the required attribute name', '<warning> is not in the schema']);
    const at = per.indexOf('name="trail-kms AWS::CloudTrail::Trail arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail"');
    expect(at).toBeGreaterThan(0);
    expect(per.slice(at, per.indexOf('</testcase>', at))).toMatch(/^name="[^"]+" time="0">\n\s*<system-out>warning \(recommended rule, not a failure; severity low\)/);
  });

  it('OSCAL: the control is satisfied; the warning is an observation with status warn; the rule not evaluated is an observation too', async () => {
    const doc = JSON.parse(await capture((w) => renderOscal(sampleRun(), w))) as { 'assessment-results': { results: [{
      observations: { title: string; props: { name: string; value: string }[] }[];
      findings: { title: string; target: { status: { state: string } }; props: { name: string; value: string }[]; remarks?: string }[];
    }] } };
    const r = doc['assessment-results'].results[0];
    const f = r.findings.find((x) => x.title.startsWith(ID))!;
    expect(f.target.status.state).toBe('satisfied');
    expect(f.props).toContainEqual(expect.objectContaining({ name: 'warnings', value: '1' }));
    expect(f.remarks).toMatch(/1 warning\(s\): recommended rules that failed \(trail-kms\)/);
    const obs = r.observations.filter((o) => o.title.startsWith(ID));
    const warnObs = obs.find((o) => o.props.some((p) => p.name === 'status' && p.value === 'warn'))!;
    expect(warnObs.props).toContainEqual(expect.objectContaining({ name: 'rule-level', value: 'recommended' }));
    expect(obs.some((o) => o.title === `${ID} trail-log-group: not evaluated`)).toBe(true);
    // Nothing about a warning reads "not-satisfied".
    expect(r.findings.filter((x) => x.target.status.state === 'not-satisfied').map((x) => x.title.split(' ')[0])).not.toContain(ID);
  });
});
