// The scenarios every contender runs, and their record counts (full run; --quick divides by 10).

/**
 * kind: 'write' appends `count` records, `perCall` per call, `inFlight` calls outstanding, from `procs` processes;
 * 'reopen' opens the store `uses` left and counts it; 'compact' compacts that store. After every scenario the
 * worker reopens the store and counts it, unless the scenario named in `verifiedBy` (which runs next) is that proof.
 * Counts keep the full run under 10 minutes on a 2-core machine with ~1.3 ms fdatasync.
 */
export const SCENARIOS = {
  A: { kind: 'write', title: 'durable, 1 record/call, awaited', durable: true, perCall: 1, inFlight: 1, procs: 1, count: 1_500 },
  G: { kind: 'write', title: 'durable, 1 record/call, 64 in flight', durable: true, perCall: 1, inFlight: 64, procs: 1, count: 3_000 },
  M: { kind: 'write', title: 'durable, 1 record/call, 4 processes', durable: true, perCall: 1, inFlight: 1, procs: 4, count: 2_000 },
  // M's contention at 4× the writers: 16 processes on 2 cores queue on the table lock, not just on the disk.
  M16: { kind: 'write', title: 'durable, 1 record/call, 16 processes', durable: true, perCall: 1, inFlight: 1, procs: 16, count: 16_000 },
  B: { kind: 'write', title: 'durable, batches of 100', durable: true, perCall: 100, inFlight: 1, procs: 1, count: 50_000 },
  C: { kind: 'write', title: 'non-durable, 1 record/call', durable: false, perCall: 1, inFlight: 1, procs: 1, count: 20_000 },
  // D's reopen-and-count proof is E itself, F's is Ec (a reopen of a 1M-record nedb store alone takes ~20 s).
  D: { kind: 'write', title: 'non-durable, batches of 1000', durable: false, perCall: 1000, inFlight: 1, procs: 1, count: 1_000_000, verifiedBy: 'E' },
  E: { kind: 'reopen', title: "reopen + count D's store", uses: 'D' },
  F: { kind: 'compact', title: "compact D's store", uses: 'D', verifiedBy: 'Ec' },
  Ec: { kind: 'reopen', title: 'reopen + count after F', uses: 'D', after: 'F' },
};

/** D and the scenarios that work on its store: they run as one chain on one store. */
export const D_CHAIN = ['D', 'E', 'F', 'Ec'];

/**
 * A contender whose D chain took longer than this in run 1 runs it only once (the report says so): nedb reloads
 * all 1M documents into memory on every open, ~2 minutes a chain, which would put the full run over 10 minutes.
 */
export const CHAIN_REPEAT_LIMIT_S = 60;

/** The order of one run: D before E, F, Ec, which work on the store D left. */
export const ORDER = ['A', 'G', 'M', 'M16', 'B', 'C', 'D', 'E', 'F', 'Ec'];

/** Record count of a write scenario, ÷10 for --quick (never below one call). */
export function countFor(id, quick) {
  const s = SCENARIOS[id];
  const n = quick ? Math.round(s.count / 10) : s.count;
  return Math.max(s.perCall * s.procs, n - (n % (s.perCall * s.procs)));
}
