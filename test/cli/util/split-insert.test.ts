import { describe, expect, it } from 'vitest';
import { SdnwalError } from '../../../src/errors.js';
import { insertSplitting } from '../../../src/cli/util/split-insert.js';

/** A table whose entries hold at most `max` records (ENTRY_TOO_LARGE beyond, nothing written), and that refuses `bad` alone. */
function fakeTable(max: number, bad?: string) {
  const entries: string[][] = [];
  return {
    entries,
    async insertMany(records: readonly Record<string, unknown>[]): Promise<void> {
      if (records.length > max || (bad !== undefined && records.some((r) => r.id === bad))) throw new SdnwalError('ENTRY_TOO_LARGE', 'too large');
      entries.push(records.map((r) => r.id as string));
    },
  };
}

const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}` }));

describe('insertSplitting', () => {
  it('writes a batch too large for one entry as halves, in input order, counting what was written', async () => {
    const t = fakeTable(3);
    const written = { n: 0 };
    await insertSplitting(t, recs(10), written);
    expect(written.n).toBe(10);
    expect(t.entries.flat()).toEqual(recs(10).map((r) => r.id));
    expect(Math.max(...t.entries.map((e) => e.length))).toBeLessThanOrEqual(3);
  });

  it('a record too large alone fails after the records before it were written; nothing after it is written', async () => {
    const t = fakeTable(100, 'r5');
    const written = { n: 0 };
    await expect(insertSplitting(t, recs(8), written)).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    expect(t.entries.flat()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(written.n).toBe(5);
  });

  it('other errors are not split', async () => {
    const written = { n: 0 };
    const t = { insertMany: async () => Promise.reject(new SdnwalError('INVALID_RECORD', 'bad')) };
    await expect(insertSplitting(t, recs(4), written)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(written.n).toBe(0);
  });
});
