// Folds the per-run results into one figure per contender and scenario (the median) plus its ratio.
export const REFERENCE = 'bare-log';

/** Median of the numbers given (the mean of the middle two for an even count); null for none. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * results: [{contender, scenario, status, rate, ...}] from every worker of every run.
 * Returns summary[contender][scenario] = {status, rate, flushesPerCall, reopenRate, maxRssMB, runs, notDurable, reason}.
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

/** rate / reference rate (higher is better everywhere), or null where either is missing. */
export function ratio(summary, contender, id) {
  const ref = referenceFor(id);
  const mine = summary[contender]?.[id]?.rate;
  const theirs = summary[ref.contender]?.[ref.scenario]?.rate;
  return mine && theirs ? mine / theirs : null;
}
