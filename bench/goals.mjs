// Issues 8 and 13's goals for sdnwal, checked against one run's medians.
import { cpuRatio, ratio } from './summary.mjs';

const rate = (s, c, id) => s[c]?.[id]?.rate ?? null;
const div = (a, b) => (a && b ? a / b : null);
const PEERS = ['better-sqlite3', 'classic-level', 'nedb'];

/** One of sdnwal's append-phase percentiles (µs) under a scenario, or null while unmeasured. */
const phase = (s, id, key, q) => s.sdnwal?.[id]?.phases?.[key]?.[q] ?? null;
const ms = (v) => (v === null ? null : v / 1000);
/** The larger of the measured values (the conservative one), or null when none is. */
const worst = (...values) => (values.some((v) => v !== null) ? Math.max(...values.filter((v) => v !== null)) : null);

// A speed ratio (higher is better), or a ceiling: a time in ms or µs, or a cost ratio (lower is better).
const atLeast = (goal, value, target) => ({ goal, value, target, unit: '×', atMost: false });
const atMost = (goal, value, target, unit) => ({ goal, value, target, unit, atMost: true });

/** Each goal: what it says, the measured value (null when a figure is missing), its target, unit and direction. */
export function checkGoals(s) {
  const fastestPeerC = Math.max(0, ...PEERS.map((p) => rate(s, p, 'C') ?? 0)) || null;
  const goals = [
    atLeast('A ≥ 0.9× the bare log', ratio(s, 'sdnwal', 'A'), 0.9),
    atLeast("G ≥ 10× sdnwal's A", div(rate(s, 'sdnwal', 'G'), rate(s, 'sdnwal', 'A')), 10),
    atLeast("G ≥ 5× better-sqlite3's G", div(rate(s, 'sdnwal', 'G'), rate(s, 'better-sqlite3', 'G')), 5),
    atLeast('M ≥ 0.9× the bare log', ratio(s, 'sdnwal', 'M'), 0.9),
    atLeast("M ≥ 1.5× better-sqlite3's M", div(rate(s, 'sdnwal', 'M'), rate(s, 'better-sqlite3', 'M')), 1.5),
    atLeast('M16 ≥ 0.85× the bare log', ratio(s, 'sdnwal', 'M16'), 0.85),
    atMost('lock wait p99 under M ≤ 2 ms', ms(phase(s, 'M', 'waitUs', 'p99')), 2, 'ms'),
    atMost('lock wait p99 under M16 ≤ 10 ms', ms(phase(s, 'M16', 'waitUs', 'p99')), 10, 'ms'),
    // One record per lock take in both: the larger p50 of the two is the one that must hold.
    atMost('lock held p50 ≤ 30 µs (M and M16, the larger)', worst(phase(s, 'M', 'heldUs', 'p50'), phase(s, 'M16', 'heldUs', 'p50')), 30, 'µs'),
    atMost("CPU per durable append under M ≤ 1.5× the bare log's", cpuRatio(s, 'sdnwal', 'M'), 1.5, '×'),
    atLeast('B ≥ 0.8× the bare log', ratio(s, 'sdnwal', 'B'), 0.8),
    atLeast("B ≥ 1.3× better-sqlite3's B", div(rate(s, 'sdnwal', 'B'), rate(s, 'better-sqlite3', 'B')), 1.3),
    atLeast('C ≥ 0.6× the bare log', ratio(s, 'sdnwal', 'C'), 0.6),
    atLeast("C ≥ 1.4× the fastest peer's C", div(rate(s, 'sdnwal', 'C'), fastestPeerC), 1.4),
    atLeast('D ≥ 0.7× the bare log', ratio(s, 'sdnwal', 'D'), 0.7),
    atLeast("E after compaction (Ec) in ≤ 0.5× the bare log's replay time", ratio(s, 'sdnwal', 'Ec'), 2),
    atLeast("F in ≤ 0.5× nedb's compaction time", ratio(s, 'sdnwal', 'F'), 2),
  ];
  return goals.map((g) => ({
    ...g,
    verdict: g.value === null ? 'not measured' : (g.atMost ? g.value <= g.target : g.value >= g.target) ? 'reached' : 'missed',
  }));
}
