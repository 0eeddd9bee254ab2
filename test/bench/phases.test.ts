// The bench's bookkeeping for M16, CPU per append and sdnwal's append phases: no timings are asserted.
import { describe, expect, it } from 'vitest';
import { checkGoals } from '../../bench/goals.mjs';
import { mergeParts, phasesLine, readPhases } from '../../bench/phases.mjs';
import { ORDER, SCENARIOS, countFor } from '../../bench/scenarios.mjs';
import { cpuRatio, medianPhases, summarize } from '../../bench/summary.mjs';

const spread = (p50: number, p99: number, max: number) => ({ p50, p99, max });
const answer = (batches: number, encodeUs: number, waitP99: number, heldP50: number) => ({
  batches,
  appends: batches,
  encodeUs,
  waitUs: spread(1, waitP99, waitP99 * 2),
  heldUs: spread(heldP50, heldP50 * 2, heldP50 * 3),
  writeUs: 10,
  publishUs: 2,
  syncUs: 1000,
  ackUs: 5,
});

describe('bench scenarios', () => {
  it('runs M16 right after M: 16 processes of 1,000 records (100 with --quick)', () => {
    expect(ORDER.indexOf('M16')).toBe(ORDER.indexOf('M') + 1);
    expect(SCENARIOS.M16).toMatchObject({ kind: 'write', durable: true, perCall: 1, inFlight: 1, procs: 16 });
    expect(countFor('M16', false)).toBe(16_000);
    expect(countFor('M16', true)).toBe(1_600);
  });
});

describe('bench append phases', () => {
  it('reads nothing from a table without appendPhases()', () => {
    expect(readPhases(undefined)).toBeNull();
    expect(mergeParts([undefined, null])).toBeNull();
    expect(phasesLine(null)).toMatch(/n\/a/);
  });

  it('keeps the known figures of an answer, a missing one as null', () => {
    const p = readPhases({ batches: 3, encodeUs: 4, waitUs: { p50: 1 }, extra: 9 });
    expect(p).toMatchObject({ batches: 3, encodeUs: 4, writeUs: null, waitUs: { p50: 1, p99: null, max: null } });
    expect(p).not.toHaveProperty('extra');
  });

  it('merges processes: counts summed, means weighted by batches, percentiles the largest part’s', () => {
    const merged = mergeParts([answer(100, 10, 500, 20), answer(300, 30, 900, 15), undefined]);
    expect(merged).toMatchObject({ batches: 400, appends: 400, encodeUs: 25, syncUs: 1000 });
    expect(merged?.waitUs).toEqual(spread(1, 900, 1800));
    expect(merged?.heldUs).toEqual(spread(20, 40, 60));
    expect(phasesLine(merged)).toContain('encode 25 µs');
  });

  it('takes the median of each figure over runs', () => {
    const m = medianPhases([answer(1, 10, 100, 1), null, answer(1, 30, 300, 3), answer(1, 20, 200, 2)]);
    expect(m).toMatchObject({ encodeUs: 20, waitUs: { p99: 200 }, heldUs: { p50: 2 } });
  });
});

describe('bench goals', () => {
  const run = (contender: string, scenario: string, rate: number, cpuUsPerRecord: number, phases?: unknown) => ({
    contender,
    scenario,
    status: 'ok',
    rate,
    cpuUsPerRecord,
    ...(phases === undefined ? {} : { phases }),
  });

  it('checks the lock and CPU ceilings in their units, and says so while phases are missing', () => {
    const summary = summarize([
      run('bare-log', 'M', 1000, 100),
      run('bare-log', 'M16', 1000, 100),
      run('sdnwal', 'M', 950, 140, answer(10, 10, 1500, 25)),
      run('sdnwal', 'M16', 800, 200, null),
    ]);
    expect(cpuRatio(summary, 'sdnwal', 'M')).toBeCloseTo(1.4);
    const goals = Object.fromEntries(checkGoals(summary).map((g) => [g.goal, g]));
    expect(goals['lock wait p99 under M ≤ 2 ms']).toMatchObject({ value: 1.5, unit: 'ms', verdict: 'reached' });
    expect(goals['lock wait p99 under M16 ≤ 10 ms'].verdict).toBe('not measured');
    expect(goals['lock held p50 ≤ 30 µs (M and M16, the larger)']).toMatchObject({ value: 25, verdict: 'reached' });
    expect(goals["CPU per durable append under M ≤ 1.5× the bare log's"].verdict).toBe('reached');
    expect(goals['M ≥ 0.9× the bare log'].verdict).toBe('reached');
    expect(goals['M16 ≥ 0.85× the bare log'].verdict).toBe('missed');
    expect(goals["M ≥ 1.5× better-sqlite3's M"].verdict).toBe('not measured');
  });
});
