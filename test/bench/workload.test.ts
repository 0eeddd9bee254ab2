// Smoke test of the benchmark workload: every contender and every process must get the same records.
import { describe, expect, it } from 'vitest';
import { COLUMNS, makeRecord, makeRecords } from '../../bench/workload.mjs';

describe('bench workload', () => {
  it('makes the same record for the same index, in any order and batch', () => {
    const batch = makeRecords(1000, 50);
    expect(batch[7]).toEqual(makeRecord(1007));
    expect(makeRecords(0, 3)).toEqual([makeRecord(0), makeRecord(1), makeRecord(2)]);
  });

  it('makes records of a unique key plus five strings of 12 to 18 characters', () => {
    const records = makeRecords(0, 2000);
    expect(new Set(records.map((r) => r.id)).size).toBe(2000);
    for (const r of records) {
      expect(Object.keys(r)).toEqual(COLUMNS);
      for (const c of COLUMNS.slice(1)) {
        const v = (r as unknown as Record<string, string>)[c];
        expect(v.length).toBeGreaterThanOrEqual(12);
        expect(v.length).toBeLessThanOrEqual(18);
      }
    }
    expect(records[0]).not.toEqual(records[1]);
  });
});
