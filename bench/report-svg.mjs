// Draws bench/results.svg: per scenario, each contender's speed as a ratio to the bare log, on a log scale.
import { SCENARIOS } from './scenarios.mjs';
import { ratio, referenceFor } from './summary.mjs';

const COLORS = { sdnwal: '#d62728', 'better-sqlite3': '#1f77b4', 'classic-level': '#2ca02c', nedb: '#9467bd', 'bare-log': '#7f7f7f' };
const LABEL_W = 250; // scenario titles
const PLOT_W = 520;
const VALUE_W = 130; // ratio text right of the plot
const BAR_H = 13;
const BAR_GAP = 3;
const GROUP_GAP = 14;
const TOP = 70; // title + legend
const AXIS_H = 34;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (r) => (r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)) + '×';

/** The SVG text of the chart. */
export function resultsSvg({ summary, contenders, scenarios, quick }) {
  const bars = contenders.filter((c) => c !== 'bare-log');
  const ratios = [];
  for (const id of scenarios) for (const c of bars) ratios.push(ratio(summary, c, id));
  const known = ratios.filter((r) => r !== null);
  // Whole decades around every value, at least 0.1×..10×, at most 0.001×..1000×.
  const lo = Math.max(-3, Math.min(-1, Math.floor(Math.log10(Math.min(1, ...known)))));
  const hi = Math.min(3, Math.max(1, Math.ceil(Math.log10(Math.max(1, ...known)))));
  const xOf = (r) => LABEL_W + ((Math.log10(Math.min(Math.max(r, 10 ** lo), 10 ** hi)) - lo) / (hi - lo)) * PLOT_W;
  const x1 = xOf(1);

  const groupH = bars.length * (BAR_H + BAR_GAP) - BAR_GAP;
  const height = TOP + scenarios.length * (groupH + GROUP_GAP) + AXIS_H;
  const width = LABEL_W + PLOT_W + VALUE_W;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="10" y="20" font-size="15" font-weight="bold">${esc(`Speed relative to a bare frame log (1× = bare log; right = faster)${quick ? ' — QUICK RUN' : ''}`)}</text>`);
  bars.forEach((c, i) => {
    const lx = 10 + i * 170;
    out.push(`<rect x="${lx}" y="34" width="12" height="12" fill="${COLORS[c] ?? '#333'}"/><text x="${lx + 17}" y="44">${esc(c)}</text>`);
  });
  out.push(`<text x="10" y="62" fill="#555">${esc('pale bar + † = not durable (nedb never fsyncs); F is compared with nedb, Ec with the bare log’s E')}</text>`);

  // Decade grid lines and the 1× reference.
  const plotBottom = height - AXIS_H;
  for (let d = lo; d <= hi; d++) {
    const gx = xOf(10 ** d);
    out.push(`<line x1="${gx}" y1="${TOP - 4}" x2="${gx}" y2="${plotBottom}" stroke="${d === 0 ? '#000' : '#ddd'}" stroke-width="${d === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${gx}" y="${plotBottom + 16}" text-anchor="middle">${esc(`${Number((10 ** d).toPrecision(1))}×`)}</text>`);
  }

  scenarios.forEach((id, g) => {
    const gy = TOP + g * (groupH + GROUP_GAP);
    const ref = referenceFor(id);
    const title = `${id}: ${SCENARIOS[id].title}`;
    out.push(`<text x="${LABEL_W - 8}" y="${gy + groupH / 2 + 4}" text-anchor="end">${esc(title)}</text>`);
    if (ref.contender !== 'bare-log' || ref.scenario !== id) {
      out.push(`<text x="${LABEL_W - 8}" y="${gy + groupH / 2 + 17}" text-anchor="end" fill="#777" font-size="10">${esc(`vs ${ref.contender} ${ref.scenario}`)}</text>`);
    }
    bars.forEach((c, i) => {
      const y = gy + i * (BAR_H + BAR_GAP);
      const e = summary[c]?.[id];
      const r = ratio(summary, c, id);
      if (r === null) {
        const why = !e ? '' : e.status === 'unavailable' ? 'n/a' : e.status === 'unsupported' ? 'not supported' : e.status === 'ok' ? 'no reference' : e.status.toUpperCase();
        out.push(`<text x="${x1 + 4}" y="${y + BAR_H - 2}" fill="${e?.status === 'ok' || !e || e.status === 'unavailable' || e.status === 'unsupported' ? '#999' : '#c00'}" font-size="10">${esc(`${c}: ${why}`)}</text>`);
        return;
      }
      const bx = xOf(r);
      const left = Math.min(bx, x1);
      const w = Math.max(1, Math.abs(bx - x1));
      const pale = e.notDurable ? ' fill-opacity="0.4"' : '';
      out.push(`<rect x="${left}" y="${y}" width="${w}" height="${BAR_H}" fill="${COLORS[c] ?? '#333'}"${pale}><title>${esc(`${c} ${id}: ${Math.round(e.rate)} records/s, ${fmt(r)}`)}</title></rect>`);
      // Right of a bar that goes right; left of one that goes left, unless that would run into the titles.
      const roomLeft = left - LABEL_W > 45;
      const tx = r >= 1 ? left + w + 4 : roomLeft ? left - 4 : x1 + 4;
      const anchor = r >= 1 || !roomLeft ? 'start' : 'end';
      out.push(`<text x="${tx}" y="${y + BAR_H - 2}" text-anchor="${anchor}" font-size="11">${esc(fmt(r) + (e.notDurable ? ' †' : ''))}</text>`);
    });
  });
  out.push(`<text x="${LABEL_W + PLOT_W / 2}" y="${height - 4}" text-anchor="middle" fill="#555">${esc('records/s ÷ reference records/s (log scale)')}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
