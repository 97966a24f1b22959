// One meaning of a control result's severity (issue 16, 8a): the highest severity among its failing
// findings (not waived, outside the system namespaces), else the control's default severity. The same
// run shows the same severity in the terminal, Markdown, JSON and the /metrics label, so an alert on
// severity=~"critical|high" fires on what the terminal calls critical or high — never on a control the
// terminal calls low.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/model/index.js';
import { defaultSeverityOf, fromWire, resultSeverity, severityRank } from '../../src/model/index.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { openStore } from '../../src/store/index.js';
import { dashboard } from '../server/harness.js';
import { parseExposition } from '../server/prom.js';
import { runCli } from '../helpers/cli.js';

describe('a control result\'s severity', () => {
  it('is the highest failing severity, else the default; older stored results (severity = default) read the same', () => {
    expect(resultSeverity({ severity: 'high', failSeverity: 'low' })).toBe('low');
    expect(resultSeverity({ severity: 'medium' })).toBe('medium');
    expect(defaultSeverityOf({ severity: 'low', defaultSeverity: 'high' })).toBe('high');
    expect(defaultSeverityOf({ severity: 'high' })).toBe('high');
  });

  it('is the same in JSON, terminal, Markdown and /metrics for one run', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'eks-soc2-severity-')), 'e.db');
    const r = await runCli(['scan', '--demo', '--format', 'json', '--store', `sqlite:${db}`, '--fail-on', 'never']);
    expect(r.code, r.stderr).toBe(0);
    const run = fromWire(JSON.parse(r.stdout) as RunResult);

    // JSON: severity is the result's, defaultSeverity the catalog's.
    for (const c of run.controls) {
      expect(c.defaultSeverity, c.id).toBeDefined();
      const worstFailing = c.findings.filter((f) => f.status === 'fail' && !f.system).map((f) => f.severity).sort((a, b) => severityRank(b) - severityRank(a))[0];
      expect(c.severity, c.id).toBe(worstFailing ?? c.defaultSeverity);
    }
    // The demo has failing controls whose severity differs from their default: the case that disagreed.
    const differs = run.controls.filter((c) => c.status === 'fail' && c.severity !== c.defaultSeverity);
    expect(differs.length).toBeGreaterThan(0);

    let term = '';
    renderTerminal(run, { color: false, quiet: true }, (l) => { term += `${l}\n`; });
    let md = '';
    renderMarkdown(run, (s) => { md += s; });

    const store = await openStore({ kind: 'sqlite', path: db }, { mode: 'read', toolVersion: 'test' });
    const app = await dashboard(store);
    try {
      const m = parseExposition((await app.inject({ url: '/metrics' })).body);
      const metricSeverity = (id: string) => m.samples.find((s) => s.name === 'eks_soc2_control_status' && s.labels.control === id && s.labels.status === 'fail')?.labels.severity;
      const apiControls = (await app.inject({ url: '/api/controls' })).json() as { controls?: { id: string; severity: string }[] } | { id: string; severity: string }[];
      const rows = Array.isArray(apiControls) ? apiControls : apiControls.controls ?? [];
      for (const c of run.controls.filter((x) => x.status === 'fail')) {
        const line = term.split('\n').find((l) => l.includes(` ${c.id} `) || l.includes(` ${c.id}`) && l.includes(c.title));
        expect(line, c.id).toContain(`[${c.severity}]`);
        const mdId = c.id.replace(/-/g, '\\-');
        expect(md.split('\n').find((l) => l.startsWith(`| ${mdId} | `)), c.id).toContain(` | ${c.severity} | `);
        expect(metricSeverity(c.id), c.id).toBe(c.severity);
        const row = rows.find((x) => x.id === c.id);
        if (row) expect(row.severity, c.id).toBe(c.severity);
      }
      // A control that does not fail carries its default severity everywhere.
      const passing = run.controls.find((c) => c.status === 'pass')!;
      expect(m.samples.find((s) => s.name === 'eks_soc2_control_status' && s.labels.control === passing.id)?.labels.severity).toBe(passing.defaultSeverity);
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await app.close();
      await store.close();
    }
  }, 60_000);
});
