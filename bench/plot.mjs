// Log-log line charts as one SVG file, written by hand (no plotting dependency): a grid of panels,
// each with decade ticks, lines per tool, and faint slope-1 and slope-2 guides so that linear and
// quadratic growth can be told apart at a glance.

const PANEL = { width: 430, height: 300, left: 64, right: 16, top: 34, bottom: 46 };
const LEGEND_COLUMNS = 3;
const LEGEND_ROW = 20;

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const decade = (v, round) => 10 ** round(Math.log10(v));

function tickLabel(value, unit) {
  const text = value >= 1e9 ? `${value / 1e9}G` : value >= 1e6 ? `${value / 1e6}M` : value >= 1e3 ? `${value / 1e3}k` : `${value}`;
  return `${text}${unit}`;
}

/**
 * One panel: `series` is [{ label, color, dash, points: [{ x, y, stopped }] }]. A stopped point (the
 * run was cut off at its limit) is drawn hollow: the true value lies above it.
 */
function panel(x0, y0, { title, xLabel, yLabel, xUnit = '', yUnit = '', series, guides }) {
  const all = series.flatMap((s) => s.points).filter((p) => p.y > 0);
  if (all.length === 0) {
    return `<text x="${x0 + PANEL.left}" y="${y0 + 20}" font-weight="bold">${escape(title)}</text>\n<text x="${x0 + PANEL.left}" y="${y0 + 60}">(nothing measured yet)</text>`;
  }
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const xMin = decade(Math.min(...xs), Math.floor);
  const xMax = decade(Math.max(...xs), Math.ceil);
  const yMin = decade(Math.min(...ys), Math.floor);
  const yMax = decade(Math.max(...ys), Math.ceil) * (Math.max(...ys) === decade(Math.max(...ys), Math.ceil) ? 10 : 1);
  const w = PANEL.width - PANEL.left - PANEL.right;
  const h = PANEL.height - PANEL.top - PANEL.bottom;
  const px = (x) => x0 + PANEL.left + (w * Math.log10(x / xMin)) / Math.log10(xMax / xMin);
  const py = (y) => y0 + PANEL.top + h - (h * Math.log10(y / yMin)) / Math.log10(yMax / yMin);
  const out = [`<text x="${x0 + PANEL.left}" y="${y0 + 20}" font-weight="bold">${escape(title)}</text>`];
  out.push(`<rect x="${x0 + PANEL.left}" y="${y0 + PANEL.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (let x = xMin; x <= xMax * 1.0001; x *= 10) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${y0 + PANEL.top}" y2="${y0 + PANEL.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${y0 + PANEL.top + h + 16}" text-anchor="middle">${tickLabel(x, xUnit)}</text>`);
  }
  for (let y = yMin; y <= yMax * 1.0001; y *= 10) {
    out.push(`<line x1="${x0 + PANEL.left}" x2="${x0 + PANEL.left + w}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + PANEL.left - 6}" y="${py(y) + 4}" text-anchor="end">${tickLabel(y, yUnit)}</text>`);
  }
  out.push(`<text x="${x0 + PANEL.left + w / 2}" y="${y0 + PANEL.height - 8}" text-anchor="middle">${escape(xLabel)}</text>`);
  out.push(`<text transform="translate(${x0 + 14} ${y0 + PANEL.top + h / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  if (guides) {
    // Through the panel's lowest first point: what linear (slope 1) and quadratic (slope 2) look like.
    const anchor = series.map((s) => s.points.find((p) => p.y > 0)).filter(Boolean).sort((a, b) => a.y - b.y)[0];
    for (const [slope, name] of [[1, 'linear'], [2, 'quadratic']]) {
      const xEnd = Math.min(xMax, anchor.x * (yMax / anchor.y) ** (1 / slope));
      const yEnd = anchor.y * (xEnd / anchor.x) ** slope;
      out.push(`<line x1="${px(anchor.x)}" y1="${py(anchor.y)}" x2="${px(xEnd)}" y2="${py(yEnd)}" stroke="#bbb" stroke-dasharray="2 4"/>`);
      out.push(`<text x="${px(xEnd) - 4}" y="${py(yEnd) + 12}" text-anchor="end" fill="#999">${name}</text>`);
    }
  }
  for (const s of series) {
    const points = s.points.filter((p) => p.y > 0);
    if (points.length === 0) continue;
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    for (const p of points) {
      out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${p.stopped ? 'white' : s.color}" stroke="${s.color}"/>`);
    }
  }
  return out.join('\n');
}

/** The whole figure: `rows` of panels (each as `panel` takes it), a legend and a footnote. */
export function renderSvg({ title, rows, legend, note }) {
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * PANEL.width;
  const legendRows = Math.ceil(legend.length / LEGEND_COLUMNS);
  const height = 40 + rows.length * PANEL.height + legendRows * LEGEND_ROW + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  rows.forEach((row, r) => row.forEach((p, c) => out.push(panel(c * PANEL.width, 40 + r * PANEL.height, p))));
  const legendY = 40 + rows.length * PANEL.height + 16;
  legend.forEach((s, i) => {
    const x = 20 + (i % LEGEND_COLUMNS) * (width / LEGEND_COLUMNS);
    const y = legendY + Math.floor(i / LEGEND_COLUMNS) * LEGEND_ROW;
    out.push(`<line x1="${x}" x2="${x + 26}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${x + 32}" y="${y + 4}">${escape(s.label)}</text>`);
  });
  out.push(`<text x="20" y="${legendY + legendRows * LEGEND_ROW + 6}" fill="#555">${escape(note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
