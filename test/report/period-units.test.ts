/**
 * The period's terminal and HTML renderings use the same units (issue 16 item 8): pass rates and
 * coverage as percentages with one decimal (rounded down), durations in hours below two days and
 * in days above — an auditor comparing the two sees the same figures.
 */
import { describe, expect, it } from 'vitest';
import { renderPeriodHtml } from '../../src/report/html.js';
import { renderPeriodTerminal } from '../../src/report/period-terminal.js';
import { duration, pct } from '../../src/report/units.js';
import { capture, samplePeriod } from './fixtures.js';

describe('period units: terminal and HTML agree', () => {
  it('pass rates, coverage and durations are written the same way in both', async () => {
    const p = samplePeriod();
    const lines: string[] = [];
    renderPeriodTerminal(p, { color: false }, (l) => lines.push(l));
    const text = lines.join('\n');
    const html = await capture((w) => renderPeriodHtml(p, w));
    const cl = p.clusters[0]!;
    const figures = [
      pct(cl.coverage),
      ...cl.controls.filter((c) => c.samples && c.statusCounts.pass + c.statusCounts.fail + c.statusCounts.waived).map((c) => pct(c.passRate)),
      ...cl.controls.flatMap((c) => c.failIntervals.map((i) => duration(i.durationHours))),
      ...cl.controls.flatMap((c) => (c.timeToRemediateHours ? [duration(c.timeToRemediateHours.mean)] : [])),
    ];
    expect(figures).toContain('66.6%'); // 4 of 6 samples: rounded down, never up
    expect(figures).toContain('14 d'); // 336 hours
    for (const f of figures) {
      expect(text, `terminal: ${f}`).toContain(f);
      expect(html, `HTML: ${f}`).toContain(f);
    }
    // The thresholds too.
    expect(text).toContain(pct(p.thresholds.effective));
    expect(html).toContain(`≥ ${pct(p.thresholds.effective)} pass rate`);
  });

  it('units: one decimal rounded down, hours then days', () => {
    expect(pct(0.9995)).toBe('99.9%');
    expect(pct(0.959)).toBe('95.9%');
    expect(pct(1)).toBe('100.0%');
    expect(duration(36)).toBe('36 h');
    expect(duration(108)).toBe('4.5 d');
  });
});
