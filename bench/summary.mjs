// Folds the per-run results into one figure per contender and scenario (the median) plus its ratio.
import { COUNTS, MEANS, PERCENTILES, QUANTILES, readPhases } from './phases.mjs';

export const REFERENCE = 'bare-log';

/** Median of the numbers given (the mean of the middle two for an even count); null for none. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The median of each append-phase figure over runs; null when no run measured any. */
export function medianPhases(list) {
  const runs = list.map(readPhases).filter(Boolean);
  if (runs.length === 0) return null;
  const out = {};
  for (const k of [...COUNTS, ...MEANS]) out[k] = median(runs.map((p) => p[k]));
  for (const k of PERCENTILES) out[k] = Object.fromEntries(QUANTILES.map((q) => [q, median(runs.map((p) => p[k][q]))]));
  return out;
}

/**
 * results: [{contender, scenario, status, rate, ...}] from every worker of every run.
 * Returns summary[contender][scenario] = {status, rate, flushesPerCall, cpuUsPerRecord, phases, reopenRate, maxRssMB,
 * runs, notDurable, reason}. phases is undefined for a contender that has none, null while sdnwal's dist/ has none.
 */
export function summarize(results) {
  const summary = {};
  for (const r of results) {
    const byScenario = (summary[r.contender] ??= {});
    (byScenario[r.scenario] ??= []).push(r);
  }
  for (const byScenario of Object.values(summary)) {
    for (const [id, runs] of Object.entries(byScenario)) {
      const bad = runs.find((r) => r.status === 'failed' || r.status === 'mismatch');
      const ok = runs.filter((r) => r.status === 'ok');
      byScenario[id] = {
        status: bad ? bad.status : ok.length ? 'ok' : runs[0].status,
        reason: bad?.error ?? (bad ? `counted ${bad.counted}, expected ${bad.records}` : runs[0].reason),
        runs: ok.length,
        records: ok[0]?.records ?? null,
        rate: median(ok.map((r) => r.rate)),
        seconds: median(ok.map((r) => r.seconds)),
        flushesPerCall: median(ok.map((r) => r.flushesPerCall)),
        cpuUsPerRecord: median(ok.map((r) => r.cpuUsPerRecord)),
        phases: ok.some((r) => 'phases' in r) ? medianPhases(ok.map((r) => r.phases)) : undefined,
        // A reopen of a store written one record per call replays one entry per record: the recovery rate.
        reopenRate: median(ok.map((r) => (r.reopenSeconds ? r.records / r.reopenSeconds : null))),
        maxRssMB: median(ok.map((r) => r.maxRssMB)),
        notDurable: ok.some((r) => r.notDurable),
      };
    }
  }
  return summary;
}

/** What a scenario's ratio is taken against: the bare log; for F (it cannot compact) nedb; for Ec the bare log's E. */
export function referenceFor(id) {
  if (id === 'F') return { contender: 'nedb', scenario: 'F' };
  if (id === 'Ec') return { contender: REFERENCE, scenario: 'E' };
  return { contender: REFERENCE, scenario: id };
}

/** CPU µs per record / the bare log's on the same scenario (lower is better), or null where either is missing. */
export function cpuRatio(summary, contender, id) {
  const mine = summary[contender]?.[id]?.cpuUsPerRecord;
  const theirs = summary[REFERENCE]?.[id]?.cpuUsPerRecord;
  return mine && theirs ? mine / theirs : null;
}

/** rate / reference rate (higher is better everywhere), or null where either is missing. */
export function ratio(summary, contender, id) {
  const ref = referenceFor(id);
  const mine = summary[contender]?.[id]?.rate;
  const theirs = summary[ref.contender]?.[ref.scenario]?.rate;
  return mine && theirs ? mine / theirs : null;
}
