// Charts as SVG built through the DOM: no library, no inline style, nothing fetched.
import { STATUS_ORDER, STATUS_TEXT, fmtDay, h, s } from './dom.js';

const SERIES = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#0b7285', '#6e7781', '#bf3989'];

/**
 * A line chart of one or more series over time. series: [{ name, points: [{ t (ms), v }] }]; values
 * between 0 and `max`. `label` describes the chart for screen readers.
 */
export function lineChart({ series, label, max = 100, unit = '%', width = 720, height = 220 }) {
  const pad = { l: 40, r: 12, t: 10, b: 26 };
  const all = series.flatMap((x) => x.points);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  svg.appendChild(s('title', null, label));
  const iw = width - pad.l - pad.r;
  const ih = height - pad.t - pad.b;
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    const y = pad.t + ih - g * ih;
    svg.appendChild(s('line', { x1: pad.l, x2: width - pad.r, y1: y, y2: y, class: 'grid' }));
    svg.appendChild(s('text', { x: pad.l - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, `${Math.round(g * max)}${unit}`));
  }
  if (!all.length) {
    svg.appendChild(s('text', { x: width / 2, y: height / 2, class: 'axis', 'text-anchor': 'middle' }, 'no data'));
    return svg;
  }
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const x = (t) => pad.l + (t1 === t0 ? iw / 2 : ((t - t0) / (t1 - t0)) * iw);
  const y = (v) => pad.t + ih - (Math.max(0, Math.min(max, v)) / max) * ih;
  const ticks = t1 === t0 ? [t0] : [t0, t0 + (t1 - t0) / 2, t1];
  ticks.forEach((t, i) => svg.appendChild(s('text', { x: x(t), y: height - 6, class: 'axis', 'text-anchor': i === 0 && ticks.length > 1 ? 'start' : i === ticks.length - 1 && ticks.length > 1 ? 'end' : 'middle' }, fmtDay(new Date(t).toISOString()))));
  series.forEach((ser, i) => {
    const color = ser.color ?? SERIES[i % SERIES.length];
    const pts = ser.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    svg.appendChild(s('polyline', { points: pts, fill: 'none', stroke: color, 'stroke-width': '2', 'vector-effect': 'non-scaling-stroke' }));
    const last = ser.points[ser.points.length - 1];
    if (last) svg.appendChild(s('circle', { cx: x(last.t), cy: y(last.v), r: '3.5', fill: color }));
  });
  return svg;
}

export function legend(series) {
  return h('ul', { class: 'legend' }, series.map((ser, i) => {
    const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = ser.color ?? SERIES[i % SERIES.length];
    return h('li', null, sw, ser.name);
  }));
}

/** A strip of status cells (oldest first). cells: [{ status, title }]. */
export function strip(cells, label, className = 'strip') {
  const counts = {};
  for (const c of cells) if (c.status) counts[c.status] = (counts[c.status] ?? 0) + 1;
  const summary = STATUS_ORDER.filter((st) => counts[st]).map((st) => `${counts[st]} ${STATUS_TEXT[st].toLowerCase()}`).join(', ');
  return h('span', { class: className, role: 'img', 'aria-label': `${label}: ${summary || 'no samples'}` },
    cells.map((c) => h('span', { class: ['cell', `s-${c.status ?? 'none'}`], title: c.title })));
}

/** A horizontal bar of a percentage. */
export function bar(percent, status = 'pass') {
  const fill = h('span', { class: ['fill', `s-${status}`] });
  fill.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  return h('span', { class: 'bar', 'aria-hidden': 'true' }, fill);
}

/** One stacked bar of status counts. */
export function stack(counts) {
  const total = STATUS_ORDER.reduce((n, st) => n + (counts[st] ?? 0), 0);
  return h('span', { class: 'stack', 'aria-hidden': 'true' }, STATUS_ORDER.filter((st) => counts[st]).map((st) => {
    const seg = h('span', { class: ['seg', `s-${st}`] });
    seg.style.width = `${(counts[st] / total) * 100}%`;
    return seg;
  }));
}
