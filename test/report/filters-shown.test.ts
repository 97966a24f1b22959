/**
 * "Never a silent pass": a run made with filters (--skip-control, --skip-rule, --exclude-namespace)
 * says what it left out in every format, where a reader of that format looks; so does a period
 * report made with `report --skip-control` / `--skip-rule`. Values are escaped for each medium,
 * SARIF, JUnit and OSCAL stay valid against their schemas, and a run without filters renders
 * exactly as it did (no new text).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { validateXML } from 'xmllint-wasm';
import type { PeriodResult, RunResult } from '../../src/model/index.js';
import { normaliseRunResult } from '../../src/model/index.js';
import { filterPeriod } from '../../src/cli/commands/report.js';
import { MARKDOWN_SUMMARY_MAX, renderMarkdown, renderPeriodMarkdown } from '../../src/report/markdown.js';
import { renderHtml, renderPeriodHtml } from '../../src/report/html.js';
import { CSV_COLUMNS, PERIOD_CSV_COLUMNS, renderCsv, renderPeriodCsv } from '../../src/report/csv.js';
import { renderPeriodSarif, renderSarif } from '../../src/report/sarif.js';
import { renderJunit, renderPeriodJunit } from '../../src/report/junit.js';
import { renderOscal, renderPeriodOscal } from '../../src/report/oscal.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { renderPeriodTerminal } from '../../src/report/period-terminal.js';
import { runCli } from '../helpers/cli.js';
import { junitProblems } from './junit-schema.js';
import { HOSTILE, capture, samplePeriod, sampleRun } from './fixtures.js';
import { validateOscal, validateSarif } from './validators.js';

const SKIP_CONTROL = 'CC5-HARD-03';
const SKIP_RULE = 'CC6-NET-03/netpol-default-deny-egress';
const EXCLUDE_NS = 'legacy-*';
const FILTER_ARGS = ['--skip-control', SKIP_CONTROL, '--skip-rule', SKIP_RULE, '--exclude-namespace', EXCLUDE_NS];
const env = { EKS_SOC2_STORE: '', EKS_SOC2_CONFIG: '' };

// Validators as in schemas.test.ts and junit-xsd.test.ts (the vendored official schemas).
const schemaErrors = (v: ValidateFunction) => JSON.stringify((v.errors ?? []).slice(0, 5), null, 1);
const XSD = readFileSync(fileURLToPath(new URL('../fixtures/junit/junit-10.xsd', import.meta.url)), 'utf8');
async function xsdErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: XSD }], maxMemoryPages: 4096 });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage).slice(0, 10);
}

/** Every run format rendered in-process (the PDF is printed from the HTML). */
async function renderAll(run: RunResult): Promise<Record<string, string>> {
  const copy = () => structuredClone(run);
  return {
    markdown: await capture((w) => renderMarkdown(copy(), w)),
    'markdown-summary': await capture((w) => renderMarkdown(copy(), w, { maxSize: MARKDOWN_SUMMARY_MAX })),
    html: await capture((w) => renderHtml(copy(), w)),
    'html-print': await capture((w) => renderHtml(copy(), w, { print: true })),
    csv: await capture((w) => renderCsv(copy(), w)),
    sarif: await capture((w) => renderSarif(copy(), w)),
    junit: await capture((w) => renderJunit(copy(), w)),
    'junit-per-finding': await capture((w) => renderJunit(copy(), w, { perFinding: true })),
    oscal: await capture((w) => renderOscal(copy(), w)),
    terminal: await capture((w) => renderTerminal(copy(), { color: false }, (l) => w(`${l}\n`))),
  };
}

/** CSV rows (the renderer's quoting: a quoted cell may hold commas and doubled quotes). */
function csvRows(text: string): string[][] {
  return text.split('\r\n').filter(Boolean).map((line) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')));
}

interface SarifRun {
  properties: { filters?: Record<string, string[]> };
  invocations: { toolExecutionNotifications?: { level: string; message: { text: string }; properties?: { filter?: string } }[] }[];
}
interface OscalResult {
  props: { name: string; value: string; class?: string }[];
  remarks?: string;
  'reviewed-controls': { 'control-selections': { 'exclude-controls'?: { 'control-id': string }[]; 'include-controls'?: { 'control-id': string }[] }[] };
}

describe('a demo run with --skip-control, --skip-rule and --exclude-namespace', () => {
  let dir: string;
  let plain: RunResult;
  let filtered: RunResult;
  let out: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-filters-shown-'));
    const scan = async (...args: string[]) => {
      const r = await runCli(['scan', '--demo', '--format', 'json', '--fail-on', 'never', '--no-config', ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      return normaliseRunResult(JSON.parse(r.stdout) as RunResult);
    };
    plain = await scan();
    filtered = await scan(...FILTER_ARGS);
    // The same run through the CLI's writers, every format but the PDF (Chromium) to one directory.
    const r = await runCli(['scan', '--demo', '--format', 'markdown,markdown-summary,html,csv,sarif,junit,oscal', '-o', dir, '--fail-on', 'never', '--no-config', ...FILTER_ARGS], { env });
    expect(r.code, r.stderr).toBe(0);
    const file = (ext: string) => readFileSync(join(dir, `eks-soc2-report.${ext}`), 'utf8');
    out = {
      markdown: file('md'), 'markdown-summary': file('summary.md'), html: file('html'), csv: file('csv'), sarif: file('sarif'), junit: file('junit.xml'), oscal: file('oscal.json'),
    };
  }, 120_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('the run records the filters and leaves the control out (what the reports must then say)', () => {
    expect(filtered.filters).toEqual({ excludeNamespaces: [EXCLUDE_NS], skipControls: [SKIP_CONTROL], skipRules: [SKIP_RULE] });
    expect(filtered.controls.some((c) => c.id === SKIP_CONTROL)).toBe(false);
  });

  it('every format written by the CLI names the skipped control, the skipped rule and the namespace filter (CSV: the control)', () => {
    for (const [format, text] of Object.entries(out)) {
      const unescaped = format.startsWith('markdown') ? text.replace(/\\(.)/g, '$1') : text;
      expect(unescaped, format).toContain(SKIP_CONTROL);
      // The CSV keeps its columns: one row per finding or control has no place for a rule or namespace filter.
      if (format === 'csv') continue;
      expect(unescaped, format).toContain(SKIP_RULE);
      expect(unescaped, format).toContain(EXCLUDE_NS);
    }
  });

  it('in-process renders too, in each format\'s own place', async () => {
    const r = await renderAll(filtered);
    for (const md of [r.markdown!, r['markdown-summary']!]) {
      // Near the summary: right after the score line, before the per-section table.
      const at = md.indexOf('**Left out of this run:**');
      expect(at).toBeGreaterThan(md.indexOf('**Score '));
      expect(at).toBeLessThan(md.indexOf('## Summary by checklist section'));
      expect(md).toContain('- skipped controls (not evaluated, not in the score): CC5\\-HARD\\-03');
      expect(md).toContain('- skipped rules (not evaluated): CC6\\-NET\\-03/netpol\\-default\\-deny\\-egress');
      expect(md).toContain('- excluding namespaces (namespaced findings only; cluster-scoped and AWS findings kept): legacy\\-\\*');
    }
    for (const html of [r.html!, r['html-print']!]) {
      const panel = /<div class="panel leftout"[^>]*>.*?<\/div>/s.exec(html)?.[0] ?? '';
      expect(panel).toContain('Left out of this run');
      expect(panel).toContain(`<code>${SKIP_CONTROL}</code>`);
      expect(panel).toContain(`<code>${SKIP_RULE}</code>`);
      expect(panel).toContain(`<code>${EXCLUDE_NS}</code>`);
      // Near the summary (after the score cards, before the per-section table), and not screen-only: it prints.
      expect(html.indexOf(panel)).toBeLessThan(html.indexOf('<h2>By checklist section</h2>'));
      expect(panel).not.toMatch(/screen-only/);
    }
    expect(r.terminal).toMatch(/skipped controls \(not evaluated, not in the score\): CC5-HARD-03/);
    expect(r.terminal).toContain(`skipped rules (not evaluated): ${SKIP_RULE}`);
    expect(r.terminal).toContain(`namespaces: all, excluding ${EXCLUDE_NS}`);
  });

  it('CSV: the columns are unchanged; the skipped control gets a row with status "skipped"', async () => {
    const rows = csvRows(out.csv!);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const row of rows) expect(row.length).toBe(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const skipped = rows.filter((row) => row[col('status')] === 'skipped');
    expect(skipped.map((row) => row[col('control')])).toEqual([SKIP_CONTROL]);
    expect(skipped[0]![col('section')]).toBe('CC5');
    expect(skipped[0]![col('message')]).toMatch(/not evaluated, not in the score/);
    expect(skipped[0]![col('resource_name')]).toBe('');
    expect(csvRows(await capture((w) => renderCsv(structuredClone(plain), w))).some((row) => row[col('status')] === 'skipped')).toBe(false);
  });

  it('SARIF: runs[].properties.filters, and a notification per filter (warning: skipped; note: namespaces); valid', () => {
    const log = JSON.parse(out.sarif!) as { runs: SarifRun[] };
    expect(validateSarif(log), schemaErrors(validateSarif)).toBe(true);
    const run = log.runs[0]!;
    expect(run.properties.filters).toEqual({ excludeNamespaces: [EXCLUDE_NS], skipControls: [SKIP_CONTROL], skipRules: [SKIP_RULE] });
    const notes = (run.invocations[0]!.toolExecutionNotifications ?? []).filter((n) => n.properties?.filter);
    expect(notes.map((n) => [n.properties!.filter, n.level])).toEqual([['skipControls', 'warning'], ['skipRules', 'warning'], ['excludeNamespaces', 'note']]);
    expect(notes[0]!.message.text).toBe(`Left out of this run: skipped controls (not evaluated, not in the score): ${SKIP_CONTROL}`);
    expect(notes[2]!.message.text).toContain(EXCLUDE_NS);
  });

  it('JUnit: the skipped control is a <skipped/> case in its section, rules and namespaces are suite properties; valid', async () => {
    for (const xml of [out.junit!, await capture((w) => renderJunit(structuredClone(filtered), w, { perFinding: true }))]) {
      expect(junitProblems(xml)).toEqual([]);
      expect(await xsdErrors(xml)).toEqual([]);
      const suite = /<testsuite name="CC5 [^"]*"[^>]*>[\s\S]*?<\/testsuite>/.exec(xml)?.[0] ?? '';
      expect(suite).toMatch(/<testcase classname="CC5" name="CC5-HARD-03" time="0">\n\s*<skipped message="skipped control: not evaluated, not in the score[^"]*"\/>/);
      expect(suite).toMatch(/skipped="[1-9]/);
      expect(suite).toContain(`<property name="eks-soc2.skipRules" value="Left out of this run: skipped rules (not evaluated): ${SKIP_RULE}"/>`);
      expect(suite).toContain('<property name="eks-soc2.excludeNamespaces" value="Left out of this run: excluding namespaces (namespaced findings only; cluster-scoped and AWS findings kept): legacy-*"/>');
    }
    // The case is counted: one more test than controls evaluated.
    expect(out.junit).toContain(`<testsuites name="eks-soc2 acme-prod" tests="${filtered.controls.length + 1}"`);
  });

  it('OSCAL: result props and remarks name every filter, the control is in exclude-controls; valid', () => {
    const doc = JSON.parse(out.oscal!) as { 'assessment-results': { results: OscalResult[] } };
    expect(validateOscal(doc), schemaErrors(validateOscal)).toBe(true);
    const result = doc['assessment-results'].results[0]!;
    const props = result.props.filter((p) => p.class === 'filter').map((p) => [p.name, p.value]);
    expect(props).toEqual([['skipped-control', SKIP_CONTROL], ['skipped-rule', SKIP_RULE], ['excluded-namespace', EXCLUDE_NS]]);
    const sel = result['reviewed-controls']['control-selections'][0]!;
    expect(sel['exclude-controls']).toEqual([{ 'control-id': SKIP_CONTROL }]);
    expect(sel['include-controls']!.some((c) => c['control-id'] === SKIP_CONTROL)).toBe(false);
    expect(result.remarks).toContain(`skipped rules (not evaluated): ${SKIP_RULE}`);
    expect(result.remarks).toContain(`excluding namespaces (namespaced findings only; cluster-scoped and AWS findings kept): ${EXCLUDE_NS}`);
  });

  it('--max-size never drops it: at the smallest bound the list is there whole', async () => {
    const many = structuredClone(filtered);
    // Longer than the room a 2,000-character report has after its header: kept whole all the same.
    many.filters = { ...many.filters, skipRules: Array.from({ length: 40 }, (_, i) => `CC6-NET-03/rule-${i}`) };
    for (const run of [filtered, many]) {
      const md = await capture((w) => renderMarkdown(structuredClone(run), w, { maxSize: 2000 }));
      expect(md).toContain('**Left out of this run:**');
      expect(md).toContain('CC5\\-HARD\\-03');
      expect(md).toContain('legacy\\-\\*');
      for (const r of run.filters!.skipRules!) expect(md).toContain(r.replace(/-/g, '\\-'));
      expect(md).toMatch(/_Shortened to fit 2000 characters/);
    }
    // A list longer than any report could hold: its first 50 values named, the rest counted.
    const huge = structuredClone(filtered);
    huge.filters = { ...huge.filters, skipRules: Array.from({ length: 5000 }, (_, i) => `CC6-NET-03/rule-${i}`) };
    const md = await capture((w) => renderMarkdown(huge, w, { maxSize: 65_000 }));
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).toContain('CC6\\-NET\\-03/rule\\-49');
    expect(md).not.toContain('CC6\\-NET\\-03/rule\\-50,');
    expect(md).toContain('… and 4950 more (the JSON report lists them all)');
  });

  it('a run without filters renders as before: none of it, and the same as with an empty filter list', async () => {
    const r = await renderAll(plain);
    for (const [format, text] of Object.entries(r)) {
      expect(text, format).not.toMatch(/Left out of this|eks-soc2\.skip|skipped-control|exclude-controls|class="panel leftout"|skipped control/);
    }
    const empty = await renderAll({ ...structuredClone(plain), filters: {} });
    expect(empty).toEqual(r);
  });
});

describe('filter values are escaped for each medium', () => {
  const hostile = (): RunResult => ({
    ...sampleRun(),
    filters: { skipControls: ['CC5-HARD-03'], skipRules: [`${HOSTILE.script}/x`], namespaces: [HOSTILE.attr], excludeNamespaces: [HOSTILE.ansi, HOSTILE.rtl] },
  });

  it('HTML: no element or attribute from a rule or glob', async () => {
    for (const print of [false, true]) {
      const html = await capture((w) => renderHtml(hostile(), w, { print }));
      const panel = /<div class="panel leftout"[^>]*>.*?<\/div>/s.exec(html)?.[0] ?? '';
      expect(panel).toContain('&lt;script&gt;alert(1)&lt;/script&gt;/x');
      expect(panel).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(panel).toContain('\\u001b[31mred\\u001b[0m');
      expect(panel).toContain('evil\\u202etxt.exe');
      expect(html).not.toMatch(/<script|<img|\u001b|\u202e/);
    }
  });

  it('Markdown: markup characters escaped, control characters visible', async () => {
    for (const maxSize of [undefined, 2000]) {
      const md = await capture((w) => renderMarkdown(hostile(), w, maxSize ? { maxSize } : {}));
      const block = md.slice(md.indexOf('**Left out of this run:**'), md.indexOf('## Summary by checklist section') >= 0 ? md.indexOf('## Summary by checklist section') : undefined);
      expect(block).toContain('\\<script\\>alert\\(1\\)\\</script\\>/x');
      expect(block).toContain('"\\>\\<img src=x onerror=alert\\(1\\)\\>');
      // Markdown escapes with a backslash: `\<script\>` is literal text; an unescaped `<` would be markup.
      expect(md).not.toMatch(/(?<!\\)<script|(?<!\\)<img|\u001b|\u202e/);
    }
  });

  it('terminal: control and bidi characters visible, run and period', async () => {
    const text = await capture((w) => renderTerminal(hostile(), { color: false }, (l) => w(`${l}\n`)));
    expect(text).toContain('\\u001b[31mred\\u001b[0m');
    expect(text).not.toMatch(/\u001b|\u202e/);
    const p = samplePeriod();
    p.filters = { skipRules: [HOSTILE.ansi, HOSTILE.rtl] };
    const pt = await capture((w) => renderPeriodTerminal(p, { color: false }, (l) => w(`${l}\n`)));
    expect(pt).toContain('skipped rules (left out of the warnings shown): \\u001b[31mred\\u001b[0m, evil\\u202etxt.exe');
    expect(pt).not.toMatch(/\u001b|\u202e/);
  });

  it('SARIF, JUnit and OSCAL stay valid with hostile values', async () => {
    const sarif = JSON.parse(await capture((w) => renderSarif(hostile(), w))) as unknown;
    expect(validateSarif(sarif), schemaErrors(validateSarif)).toBe(true);
    const xml = await capture((w) => renderJunit(hostile(), w));
    expect(junitProblems(xml)).toEqual([]);
    expect(await xsdErrors(xml)).toEqual([]);
    expect(xml).toContain('&lt;script&gt;');
    const oscal = JSON.parse(await capture((w) => renderOscal(hostile(), w))) as unknown;
    expect(validateOscal(oscal), schemaErrors(validateOscal)).toBe(true);
  });
});

describe('a period report with --skip-control and --skip-rule', () => {
  const SKIPPED = 'CC6-NET-01';
  const RULE = 'CC5-HARD-03/run-as-non-root';
  const period = (): PeriodResult => filterPeriod(samplePeriod(), { skipControls: [SKIPPED], skipRules: [RULE] });

  it('the control leaves the period (what the reports must then say)', () => {
    const p = period();
    expect(p.clusters[0]!.controls.some((c) => c.id === SKIPPED)).toBe(false);
    expect(p.filters).toEqual({ skipControls: [SKIPPED], skipRules: [RULE] });
  });

  it('markdown and terminal: a list at the top', async () => {
    const md = await capture((w) => renderPeriodMarkdown(period(), w));
    const at = md.indexOf('**Left out of this report:**');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(md.indexOf('## prod'));
    expect(md).toContain('- skipped controls (no verdict shown, not in the summaries): CC6\\-NET\\-01');
    expect(md).toContain('- skipped rules (left out of the warnings shown): CC5\\-HARD\\-03/run\\-as\\-non\\-root');
    const bounded = await capture((w) => renderPeriodMarkdown(period(), w, { maxSize: 2000 }));
    expect(bounded).toContain('CC6\\-NET\\-01');
    const text = await capture((w) => renderPeriodTerminal(period(), { color: false }, (l) => w(`${l}\n`)));
    expect(text).toContain(`Left out of this report:\n  skipped controls (no verdict shown, not in the summaries): ${SKIPPED}\n  skipped rules (left out of the warnings shown): ${RULE}\n`);
  });

  it('HTML: a panel before the first cluster', async () => {
    const html = await capture((w) => renderPeriodHtml(period(), w));
    const panel = /<div class="panel leftout"[^>]*>.*?<\/div>/s.exec(html)?.[0] ?? '';
    expect(panel).toContain('Left out of this report');
    expect(panel).toContain(`<code>${SKIPPED}</code>`);
    expect(panel).toContain(`<code>${RULE}</code>`);
    expect(html.indexOf(panel)).toBeLessThan(html.indexOf('<h2>prod</h2>'));
  });

  it('SARIF: properties.filters and warnings in every run; valid (also merged beyond 20 clusters)', async () => {
    const log = JSON.parse(await capture((w) => renderPeriodSarif(period(), w))) as { runs: SarifRun[] };
    expect(validateSarif(log), schemaErrors(validateSarif)).toBe(true);
    for (const run of log.runs) {
      expect(run.properties.filters).toEqual({ skipControls: [SKIPPED], skipRules: [RULE] });
      const notes = run.invocations[0]!.toolExecutionNotifications!.filter((n) => n.properties?.filter);
      expect(notes.map((n) => n.level)).toEqual(['warning', 'warning']);
      expect(notes[0]!.message.text).toBe(`Left out of this report: skipped controls (no verdict shown, not in the summaries): ${SKIPPED}`);
    }
    const many = period();
    many.clusters = Array.from({ length: 21 }, (_, i) => ({ ...structuredClone(many.clusters[0]!), key: `k${i}` }));
    const merged = JSON.parse(await capture((w) => renderPeriodSarif(many, w))) as { runs: SarifRun[] };
    expect(validateSarif(merged), schemaErrors(validateSarif)).toBe(true);
    expect(merged.runs).toHaveLength(1);
    expect(merged.runs[0]!.properties.filters).toEqual({ skipControls: [SKIPPED], skipRules: [RULE] });
    expect(merged.runs[0]!.invocations[0]!.toolExecutionNotifications!.some((n) => n.message.text.includes(SKIPPED))).toBe(true);
  });

  it('JUnit: a skipped case per cluster, properties for the rules; valid', async () => {
    const xml = await capture((w) => renderPeriodJunit(period(), w));
    expect(junitProblems(xml)).toEqual([]);
    expect(await xsdErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testcase classname="prod\.CC6" name="CC6-NET-01" time="0">\n\s*<skipped message="skipped control: left out of this report, no verdict shown"\/>/);
    expect(xml).toContain(`<property name="eks-soc2.skipRules" value="Left out of this report: skipped rules (left out of the warnings shown): ${RULE}"/>`);
    expect(xml).toMatch(/<testsuite name="prod" tests="4" failures="1" errors="1" skipped="1"/);
  });

  it('OSCAL: props, exclude-controls and remarks; valid', async () => {
    const doc = JSON.parse(await capture((w) => renderPeriodOscal(period(), w))) as { 'assessment-results': { results: OscalResult[] } };
    expect(validateOscal(doc), schemaErrors(validateOscal)).toBe(true);
    const result = doc['assessment-results'].results[0]!;
    expect(result.props.filter((p) => p.class === 'filter').map((p) => [p.name, p.value])).toEqual([['skipped-control', SKIPPED], ['skipped-rule', RULE]]);
    expect(result['reviewed-controls']['control-selections'][0]!['exclude-controls']).toEqual([{ 'control-id': SKIPPED }]);
    expect(result.remarks).toContain(`skipped controls (no verdict shown, not in the summaries): ${SKIPPED}`);
  });

  it('CSV: the columns are unchanged; a "skipped" row per cluster for the control', async () => {
    const rows = csvRows(await capture((w) => renderPeriodCsv(period(), w)));
    expect(rows[0]).toEqual([...PERIOD_CSV_COLUMNS]);
    for (const row of rows) expect(row.length).toBe(PERIOD_CSV_COLUMNS.length);
    const skipped = rows.filter((row) => row[PERIOD_CSV_COLUMNS.indexOf('verdict')] === 'skipped');
    expect(skipped.map((row) => [row[0], row[1], row[PERIOD_CSV_COLUMNS.indexOf('verdict_reason')]])).toEqual([['111122223333/eu-west-1/prod', SKIPPED, 'skipped control: left out of this report, no verdict shown']]);
  });

  it('without filters the period renders as before: the same as with an empty filter list, none of it', async () => {
    const renders = async (p: () => PeriodResult) => [
      await capture((w) => renderPeriodMarkdown(p(), w)), await capture((w) => renderPeriodHtml(p(), w)), await capture((w) => renderPeriodCsv(p(), w)),
      await capture((w) => renderPeriodSarif(p(), w)), await capture((w) => renderPeriodJunit(p(), w)), await capture((w) => renderPeriodOscal(p(), w)),
      await capture((w) => renderPeriodTerminal(p(), { color: false }, (l) => w(`${l}\n`))),
    ];
    const plain = await renders(samplePeriod);
    for (const text of plain) expect(text).not.toMatch(/Left out of this|eks-soc2\.skip|skipped-control|exclude-controls|leftout|skipped control/);
    expect(await renders(() => ({ ...samplePeriod(), filters: {} }))).toEqual(plain);
  });
});

describe('report --skip-control / --skip-rule through the CLI (SQLite store)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eks-soc2-filters-shown-period-'));
    const r = await runCli(['scan', '--demo', '--no-config', '--store', `sqlite:${join(dir, 'x.db')}`, '--now', '2026-03-01T02:00:00.000Z', '--format', 'json', '--fail-on', 'never'], { env: { EKS_SOC2_CONFIG: '' } });
    expect(r.stderr).toContain('stored run');
  }, 120_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('every period format written names the skipped control and rule', async () => {
    const out = join(dir, 'out');
    const r = await runCli(['report', '--no-config', '--store', `sqlite:${join(dir, 'x.db')}`, '--from', '2026-03-01', '--to', '2026-03-01', '--now', '2026-03-02T00:00:00Z',
      '--skip-control', SKIP_CONTROL, '--skip-rule', SKIP_RULE, '--format', 'terminal,markdown,markdown-summary,html,csv,sarif,junit,oscal', '-o', out], { env: { EKS_SOC2_CONFIG: '' } });
    expect(r.code, r.stderr).toBe(0);
    for (const ext of ['txt', 'md', 'summary.md', 'html', 'csv', 'sarif', 'junit.xml', 'oscal.json']) {
      const raw = readFileSync(join(out, `eks-soc2-period.${ext}`), 'utf8');
      const text = ext.endsWith('md') ? raw.replace(/\\(.)/g, '$1') : raw;
      expect(text, ext).toContain(SKIP_CONTROL);
      if (ext !== 'csv') expect(text, ext).toContain(SKIP_RULE);
      if (ext !== 'csv') expect(text, ext).toMatch(/Left out of this report/);
    }
  });
});
