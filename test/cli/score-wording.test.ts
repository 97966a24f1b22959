// The score's wording matches its formula (issue 16, 8d): every output that explains the score says
// SCORE_WORDING, and the number is (pass + waived) / (pass + waived + fail + error + manual), with
// error and manual counting against it — not "over decided ones".
import { describe, expect, it } from 'vitest';
import type { RunResult, StatusCounts } from '../../src/model/index.js';
import { SCORE_WORDING, fromWire } from '../../src/model/index.js';
import { score } from '../../src/engine/evaluate.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { runCli } from '../helpers/cli.js';

const counts = (c: Partial<StatusCounts>): StatusCounts => ({ pass: 0, fail: 0, manual: 0, waived: 0, 'not-applicable': 0, error: 0, ...c });
/** The formula the wording states, from the counts. */
const stated = (c: StatusCounts) => {
  const applicable = c.pass + c.waived + c.fail + c.error + c.manual;
  return applicable === 0 ? 100 : Math.round(((c.pass + c.waived) / applicable) * 1000) / 10;
};

describe('the score', () => {
  it('is passing and waived over applicable controls: error and manual count against it, not-applicable is left out', () => {
    for (const c of [
      counts({ pass: 6, waived: 1, fail: 1, error: 1, manual: 1, 'not-applicable': 5 }),
      counts({ pass: 3, error: 3 }),
      counts({ pass: 2, manual: 2 }),
      counts({ 'not-applicable': 4 }),
      counts({ pass: 1, fail: 2, waived: 0 }),
    ]) expect(score(c)).toBe(stated(c));
    // Not "over decided ones": an error would then leave 3 of 3 passing controls at 100%.
    expect(score(counts({ pass: 3, error: 3 }))).toBe(50);
  });

  it('the wording names applicable controls and what counts against it', () => {
    expect(SCORE_WORDING).toMatch(/passing and waived controls over applicable ones/);
    expect(SCORE_WORDING).toMatch(/error/);
    expect(SCORE_WORDING).toMatch(/manual/);
    expect(SCORE_WORDING).not.toMatch(/decided/);
  });

  it('terminal, Markdown and HTML print the run\'s score with that wording', async () => {
    const r = await runCli(['scan', '--demo', '--format', 'json', '--no-store', '--fail-on', 'never']);
    const run = fromWire(JSON.parse(r.stdout) as RunResult); // the report's finding groups read back as findings
    expect(run.summary.score).toBe(stated(run.summary.controls));
    let term = '';
    renderTerminal(run, { color: false, quiet: false }, (l) => { term += `${l}\n`; });
    expect(term).toContain(`score ${run.summary.score}%`);
    expect(term).toContain(SCORE_WORDING);
    let md = '';
    renderMarkdown(run, (c) => { md += c; });
    expect(md).toContain(`**Score ${run.summary.score}%** (${SCORE_WORDING})`);
    let html = '';
    renderHtml(run, (c) => { html += c; });
    expect(html).toContain(`<b>${run.summary.score}%</b>`);
    expect(html).toContain(SCORE_WORDING);
    for (const out of [term, md, html]) expect(out).not.toContain('over decided ones');
  });
});
