/**
 * Hostile names (script tags, attribute breakers, spreadsheet formulas, ANSI escapes, a
 * right-to-left override, a 10 kB name) rendered in every format: nothing executes and no
 * structure breaks. The browser side (the HTML opened in Chromium) is in browser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/model/index.js';
import { renderMarkdown, renderPeriodMarkdown } from '../../src/report/markdown.js';
import { CSV_COLUMNS, renderCsv } from '../../src/report/csv.js';
import { renderHtml, renderPeriodHtml } from '../../src/report/html.js';
import { renderJunit, renderPeriodJunit } from '../../src/report/junit.js';
import { renderPeriodSarif, renderSarif } from '../../src/report/sarif.js';
import { renderOscal } from '../../src/report/oscal.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { HOSTILE, buildRun, capture, hostileRun, samplePeriod } from './fixtures.js';

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF) — enough to read our output back. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/**
 * A strict well-formedness check for the XML we write: balanced elements, quoted attributes with
 * no raw `<` or `"`, no raw `<`/`&` in text other than entities. Returns the element names seen.
 */
export function checkXml(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const re = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body)) !== null) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(m[5])) throw new Error(`raw & in text near ${JSON.stringify(m[5].slice(0, 40))}`);
      continue;
    }
    for (const [, v] of m[3]!.matchAll(/="([^"]*)"/g)) if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(v!)) throw new Error('raw & in attribute');
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`unbalanced </${m[2]}>`);
    } else {
      names.push(m[2]!);
      if (!m[4]) stack.push(m[2]!);
    }
  }
  if (pos !== body.length) throw new Error(`not well-formed at ${pos}: ${JSON.stringify(body.slice(pos, pos + 60))}`);
  if (stack.length) throw new Error(`unclosed <${stack.at(-1)}>`);
  return names;
}

const CONTROL_CHARS = /[\u001b\u202e]/;

function render(run: RunResult) {
  return {
    markdown: capture((w) => renderMarkdown(run, w)),
    csv: capture((w) => renderCsv(run, w)),
    html: capture((w) => renderHtml(run, w)),
    junit: capture((w) => renderJunit(run, w, { perFinding: true })),
    sarif: capture((w) => renderSarif(run, w)),
    oscal: capture((w) => renderOscal(run, w)),
  };
}

describe('hostile names', () => {
  const run = hostileRun();
  const out = render(run);

  it('the fixture really carries the hostile strings', () => {
    const names = run.controls.flatMap((c) => c.findings.map((f) => `${f.resource.namespace}/${f.resource.name}`));
    expect(names.some((n) => n.includes(HOSTILE.script))).toBe(true);
    expect(names.some((n) => n.includes(HOSTILE.formula))).toBe(true);
    expect(names.some((n) => n.includes(HOSTILE.long))).toBe(true);
  });

  it('HTML: no markup from the cluster survives, no raw control characters', async () => {
    for (const html of [await out.html, await capture((w) => renderPeriodHtml(samplePeriod(true), w))]) {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<img/i);
      expect(html).not.toMatch(/<[^>]*\sonerror\s*=/i);
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).not.toMatch(CONTROL_CHARS);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('\\u202e');
      expect(html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1]).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");
    }
  });

  it('Markdown: no raw HTML, table rows keep their columns', async () => {
    const md = await out.markdown;
    // `\<` is a literal `<` in CommonMark: only an unescaped `<` could open a tag.
    expect(md).not.toMatch(/(^|[^\\])<(script|img)/im);
    expect(md).toContain('\\<script\\>');
    expect(md).not.toMatch(CONTROL_CHARS);
    // Every table keeps the column count of its header row.
    const blocks = md.split('\n\n').filter((b) => b.startsWith('| '));
    for (const b of blocks) {
      const counts = b.split('\n').filter(Boolean).map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(counts).size, b.slice(0, 200)).toBe(1);
    }
  });

  it('CSV: parses back with the same columns on every row; formulas are neutralised; the long name is intact', async () => {
    const rows = parseCsv(await out.csv);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    for (const r of rows.slice(1)) for (const c of r) expect(c, c.slice(0, 60)).not.toMatch(/^[=+\-@\t\r]/);
    const names = rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('resource_name')]!);
    expect(names).toContain(`'${HOSTILE.formula}`);
    expect(rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('resource_namespace')]!)).toContain(HOSTILE.script);
    expect(names).toContain(HOSTILE.long);
  });

  it('JUnit: well-formed XML with only our elements', async () => {
    const names = new Set(checkXml(await out.junit));
    expect([...names].sort()).toEqual(['error', 'failure', 'skipped', 'system-out', 'testcase', 'testsuite', 'testsuites']);
    expect(await out.junit).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('SARIF and OSCAL: valid JSON carrying the names as data', async () => {
    const sarif = JSON.parse(await out.sarif) as { runs: { results: { message: { text: string } }[] }[] };
    expect(sarif.runs[0]!.results.some((r) => r.message.text.includes(HOSTILE.script))).toBe(true);
    const oscal = await out.oscal;
    expect(() => JSON.parse(oscal)).not.toThrow();
    expect(oscal).toContain(JSON.stringify(HOSTILE.formula).slice(1, -1));
  });

  it('period JUnit and SARIF: well-formed, carrying hostile names as data', async () => {
    const xml = await capture((w) => renderPeriodJunit(samplePeriod(true), w));
    expect(new Set(checkXml(xml)).has('script')).toBe(false);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const sarif = await capture((w) => renderPeriodSarif(samplePeriod(true), w));
    expect(() => JSON.parse(sarif)).not.toThrow();
  });

  it('period Markdown escapes hostile names too', async () => {
    const md = await capture((w) => renderPeriodMarkdown(samplePeriod(true), w));
    expect(md).not.toMatch(/(^|[^\\])<(script|img)/im);
  });
});

describe('XML checker', () => {
  it('rejects broken XML', () => {
    expect(() => checkXml('<a><b></a>')).toThrow();
    expect(() => checkXml('<a x="1"">t</a>')).toThrow();
    expect(() => checkXml('<a>&</a>')).toThrow();
    expect(checkXml('<a x="&amp;"><b/>t&lt;</a>')).toEqual(['a', 'b']);
  });
});

describe('line breaks and invisible separators in names (issue 18 items 15 and 17)', () => {
  const names = {
    lf: "lf\n=cmd|' /C calc'!A0",
    cr: 'cr\r=HYPERLINK("http://evil","x")',
    crlf: 'crlf\r\n+1+1',
    lead: '\r@SUM(1)',
  };
  const run = buildRun({
    nsA: names.lf, nsB: names.cr, bad: names.crlf, good: names.lead, container: 'c\u2028=1', file: 'f.yaml', bucket: 'b',
    waiverReason: 'r', approver: 'a', statement: 's', evidence: 'e', gap: 'g', note: 'n', cluster: 'x\u061cy\u2029z', trail: 't',
  });

  it('CSV: a cell with a bare CR or LF is quoted, and no line of it starts a formula', async () => {
    const csv = await capture((w) => renderCsv(run, w));
    // Every line break inside a cell sits inside quotes: the RFC 4180 reader keeps the column count.
    const rows = parseCsv(csv);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    // A reader that splits at any CR or LF (as some spreadsheets do) sees no line starting a formula.
    for (const line of csv.split(/\r\n|\r|\n/)) expect(line, JSON.stringify(line.slice(0, 60))).not.toMatch(/^"?[=+\-@]/);
    const cells = rows.slice(1).flat();
    expect(cells).toContain("lf\n'=cmd|' /C calc'!A0");
    expect(cells).toContain('cr\r\'=HYPERLINK("http://evil","x")');
    expect(cells).toContain("'\r'@SUM(1)");
  });

  it('terminal: U+061C, U+2028 and U+2029 are shown as escapes, never raw', () => {
    const lines: string[] = [];
    renderTerminal(run, { color: false, quiet: false, details: true }, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).not.toMatch(/[\u061c\u2028\u2029]/);
    expect(text).toContain('x\\u061cy\\u2029z');
  });
});
