// Issue 8's goals for sdnwal, checked against one run's medians (higher ratio = better everywhere).
import { ratio } from './summary.mjs';

const rate = (s, c, id) => s[c]?.[id]?.rate ?? null;
const div = (a, b) => (a && b ? a / b : null);
const PEERS = ['better-sqlite3', 'classic-level', 'nedb'];

/** Each goal: what it says, the measured value (a ratio, or null when a figure is missing) and the target. */
export function checkGoals(s) {
  const fastestPeerC = Math.max(0, ...PEERS.map((p) => rate(s, p, 'C') ?? 0)) || null;
  const goals = [
    ['A ≥ 0.95× the bare log', ratio(s, 'sdnwal', 'A'), 0.95],
    ["G ≥ 10× sdnwal's A", div(rate(s, 'sdnwal', 'G'), rate(s, 'sdnwal', 'A')), 10],
    ["G ≥ 5× better-sqlite3's G", div(rate(s, 'sdnwal', 'G'), rate(s, 'better-sqlite3', 'G')), 5],
    ['B ≥ 0.8× the bare log', ratio(s, 'sdnwal', 'B'), 0.8],
    ["B ≥ 1.3× better-sqlite3's B", div(rate(s, 'sdnwal', 'B'), rate(s, 'better-sqlite3', 'B')), 1.3],
    ['C ≥ 0.6× the bare log', ratio(s, 'sdnwal', 'C'), 0.6],
    ["C ≥ 1.4× the fastest peer's C", div(rate(s, 'sdnwal', 'C'), fastestPeerC), 1.4],
    ['D ≥ 0.7× the bare log', ratio(s, 'sdnwal', 'D'), 0.7],
    ["E after compaction (Ec) in ≤ 0.5× the bare log's replay time", ratio(s, 'sdnwal', 'Ec'), 2],
    ["F in ≤ 0.5× nedb's compaction time", ratio(s, 'sdnwal', 'F'), 2],
  ];
  return goals.map(([goal, value, target]) => ({
    goal,
    value,
    target,
    verdict: value === null ? 'not measured' : value >= target ? 'reached' : 'missed',
  }));
}
