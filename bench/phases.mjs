// sdnwal's per-phase append timings (`table.appendPhases()`): read one answer, merge the writer processes of a
// multi-process scenario, and render them (summary.mjs takes the median over runs). null everywhere means
// "not measured" (the method is not in dist/ yet), never zero.

/** Means per batch, in µs. */
export const MEANS = ['encodeUs', 'writeUs', 'publishUs', 'syncUs', 'ackUs'];
/** Percentiles per lock take, in µs. */
export const PERCENTILES = ['waitUs', 'heldUs'];
export const QUANTILES = ['p50', 'p99', 'max'];
export const COUNTS = ['batches', 'appends'];

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The known figures of one appendPhases() answer (a missing one is null), or null when there is no answer. */
export function readPhases(p) {
  if (!p || typeof p !== 'object') return null;
  const out = {};
  for (const k of [...COUNTS, ...MEANS]) out[k] = num(p[k]);
  for (const k of PERCENTILES) out[k] = Object.fromEntries(QUANTILES.map((q) => [q, num(p[k]?.[q])]));
  return out;
}

const sum = (values) => (values.some((v) => v !== null) ? values.reduce((a, v) => a + (v ?? 0), 0) : null);
const maxOf = (values) => (values.some((v) => v !== null) ? Math.max(...values.filter((v) => v !== null)) : null);

/** Mean of the parts' means, weighted by their batches (a part with no batches adds nothing). */
function weightedMean(parts, key) {
  const known = parts.filter((p) => p[key] !== null && p.batches);
  const batches = known.reduce((a, p) => a + p.batches, 0);
  return batches ? known.reduce((a, p) => a + p[key] * p.batches, 0) / batches : null;
}

/**
 * One figure for the writer processes of a multi-process scenario: counts summed, means weighted by batches,
 * percentiles the largest part's (a conservative bound: percentiles of separate samples cannot be combined).
 */
export function mergeParts(list) {
  const parts = list.map(readPhases).filter(Boolean);
  if (parts.length === 0) return null;
  const out = {};
  for (const k of COUNTS) out[k] = sum(parts.map((p) => p[k]));
  for (const k of MEANS) out[k] = weightedMean(parts, k);
  for (const k of PERCENTILES) out[k] = Object.fromEntries(QUANTILES.map((q) => [q, maxOf(parts.map((p) => p[k][q]))]));
  return out;
}

/** µs as text: one decimal below 10, whole numbers above; "?" for a missing figure. */
export function us(v) {
  if (v === null || v === undefined) return '?';
  return v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}

const count = (v) => (v === null ? '?' : v.toLocaleString('en-US'));

/** "p50/p99/max" of one percentile figure. */
export const spread = (pc, quantiles = QUANTILES) => quantiles.map((q) => us(pc?.[q])).join('/');

/** The progress line of one scenario. */
export function phasesLine(p) {
  const ph = readPhases(p);
  if (!ph) return 'phases: n/a (no table.appendPhases() in dist/ yet)';
  return (
    `phases: encode ${us(ph.encodeUs)} µs, wait p50/p99 ${spread(ph.waitUs, ['p50', 'p99'])} µs, held p50/p99 ${spread(ph.heldUs, ['p50', 'p99'])} µs, ` +
    `write ${us(ph.writeUs)}, publish ${us(ph.publishUs)}, fdatasync ${us(ph.syncUs)}, ack ${us(ph.ackUs)} µs per batch ` +
    `(${count(ph.appends)} appends in ${count(ph.batches)} batches)`
  );
}
