/**
 * Inline SVG charts for the HTML report: no chart library, no script, nothing fetched at view time.
 * Every label that reaches the SVG is escaped by the caller's `esc`.
 */
import type { FindingStatus, PeriodSample, Status, StatusCounts } from '../model/index.js';
import { escapeHtml as esc } from './escape.js';

export const STATUS_COLOR: Record<FindingStatus, string> = {
  pass: '#1a7f37', fail: '#cf222e', warn: '#bc4c00', manual: '#9a6700', waived: '#8250df', 'not-applicable': '#8c959f', error: '#0b7285',
};
export const STATUS_TEXT: Record<FindingStatus, string> = {
  pass: 'Pass', fail: 'Fail', warn: 'Warning', manual: 'Manual', waived: 'Waived', 'not-applicable': 'Not applicable', error: 'Error',
};
export const CHART_ORDER: readonly Status[] = ['pass', 'fail', 'waived', 'manual', 'error', 'not-applicable'];
/** Findings add `warn` (a failed recommended rule) after `fail`. */
export const FINDING_CHART_ORDER: readonly FindingStatus[] = ['pass', 'fail', 'warn', 'waived', 'manual', 'error', 'not-applicable'];

const SERIES_COLORS = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#0b7285', '#6e7781', '#bf3989'];

/** Horizontal bar chart of status counts, one bar per status. */
export function statusBars(counts: StatusCounts & { warn?: number }, title: string, width = 420, order: readonly FindingStatus[] = CHART_ORDER): string {
  const rows = order.map((s) => ({ s, n: counts[s] ?? 0 }));
  const max = Math.max(1, ...rows.map((r) => r.n));
  const rowH = 26;
  const labelW = 118;
  const barW = width - labelW - 46;
  const h = rows.length * rowH + 8;
  const bars = rows.map((r, i) => {
    const y = 4 + i * rowH;
    const w = r.n === 0 ? 0 : Math.max(3, Math.round((r.n / max) * barW));
    return `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="lbl">${STATUS_TEXT[r.s]}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${barW}" height="18" rx="3" fill="#eaeef2"/>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="18" rx="3" fill="${STATUS_COLOR[r.s]}"/>` +
      `<text x="${labelW + barW + 6}" y="${y + 16}" class="num">${r.n}</text>`;
  }).join('');
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${bars}</svg>`;
}

/** One stacked bar of status counts (for table rows). */
export function stackedBar(counts: StatusCounts, width = 160, height = 12): string {
  const total = CHART_ORDER.reduce((n, s) => n + counts[s], 0);
  if (total === 0) return `<svg class="stack" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><rect width="${width}" height="${height}" rx="3" fill="#eaeef2"/></svg>`;
  let x = 0;
  const parts = CHART_ORDER.filter((s) => counts[s] > 0).map((s) => {
    const w = (counts[s] / total) * width;
    const r = `<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="${height}" fill="${STATUS_COLOR[s]}"><title>${STATUS_TEXT[s]}: ${counts[s]}</title></rect>`;
    x += w;
    return r;
  }).join('');
  return `<svg class="stack" role="img" aria-label="${CHART_ORDER.filter((s) => counts[s]).map((s) => `${STATUS_TEXT[s]} ${counts[s]}`).join(', ')}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts}</svg>`;
}

function time(s: string): number {
  const t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(t) ? 0 : t;
}

/** Pass rate over time, one line per checklist section (PeriodCluster.sectionSeries). */
export function lineChart(
  series: { name: string; points: { at: string; passRate: number }[] }[], from: string, to: string, width = 1000, height = 280,
): string {
  const m = { l: 44, r: 230, t: 12, b: 30 };
  const t0 = time(from);
  const t1 = Math.max(time(to), t0 + 1);
  const pw = width - m.l - m.r;
  const ph = height - m.t - m.b;
  const X = (at: string) => m.l + ((Math.min(Math.max(time(at), t0), t1) - t0) / (t1 - t0)) * pw;
  const Y = (rate: number) => m.t + (1 - Math.min(Math.max(rate, 0), 1)) * ph;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((r) =>
    `<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(r).toFixed(1)}" y2="${Y(r).toFixed(1)}" class="grid"/><text x="${m.l - 6}" y="${(Y(r) + 4).toFixed(1)}" text-anchor="end" class="axis">${r * 100}%</text>`).join('');
  const ticks = Array.from({ length: 5 }, (_v, i) => t0 + ((t1 - t0) * i) / 4).map((t) => {
    const x = m.l + ((t - t0) / (t1 - t0)) * pw;
    return `<text x="${x.toFixed(1)}" y="${height - 8}" text-anchor="middle" class="axis">${new Date(t).toISOString().slice(0, 10)}</text>`;
  }).join('');
  const lines = series.map((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    const pts = [...s.points].sort((a, b) => time(a.at) - time(b.at));
    const poly = pts.map((p) => `${X(p.at).toFixed(1)},${Y(p.passRate).toFixed(1)}`).join(' ');
    const dots = pts.length === 1 ? `<circle cx="${X(pts[0]!.at).toFixed(1)}" cy="${Y(pts[0]!.passRate).toFixed(1)}" r="3" fill="${color}"/>` : '';
    const ly = m.t + 8 + i * 18;
    return `<polyline points="${poly}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"><title>${esc(s.name)}</title></polyline>${dots}` +
      `<rect x="${m.l + pw + 14}" y="${ly - 8}" width="12" height="4" fill="${color}"/><text x="${m.l + pw + 32}" y="${ly - 3}" class="lbl">${esc(s.name)}</text>`;
  }).join('');
  return `<svg class="chart wide" role="img" aria-label="Pass rate over time per checklist section" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>Pass rate over time per checklist section</title>${grid}${ticks}${lines}</svg>`;
}

/** A control's samples as a strip of coloured ticks positioned by time within the window. */
export function timelineStrip(samples: PeriodSample[], from: string, to: string, width = 260, height = 16): string {
  const t0 = time(from);
  const t1 = Math.max(time(to), t0 + 1);
  const w = Math.max(2, Math.min(8, width / Math.max(1, samples.length)));
  const ticks = samples.map((s) => {
    const x = ((Math.min(Math.max(time(s.at), t0), t1) - t0) / (t1 - t0)) * (width - w);
    return `<rect x="${x.toFixed(1)}" y="1" width="${w.toFixed(1)}" height="${height - 2}" fill="${STATUS_COLOR[s.status]}"><title>${esc(s.at.slice(0, 16).replace('T', ' '))} ${STATUS_TEXT[s.status]}${s.warnings ? ` (${s.warnings} warning${s.warnings === 1 ? '' : 's'})` : ''}</title></rect>`;
  }).join('');
  return `<svg class="strip" role="img" aria-label="${samples.length} samples" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><rect width="${width}" height="${height}" fill="#f6f8fa"/>${ticks}</svg>`;
}
