/** openStore's autoCompact.everyMs: only what a timer can wait (1 to 2^31 - 1 ms); anything else is INVALID_OPTION before anything is created. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SdnwalError } from '../../src/errors.js';
import { MAX_TIMER_MS } from '../../src/store/options.js';
import { openStore } from '../../src/store/store.js';
import { tmpDir } from '../helpers/tmp.js';

/** The error openStore fails with, or undefined (the store is closed again at once: a bad interval would compact in a loop). */
async function openError(dir: string, everyMs: number): Promise<unknown> {
  try {
    const store = await openStore(dir, { autoCompact: { everyMs } });
    await store.close();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('autoCompact.everyMs', () => {
  it('is at most 2^31 - 1 ms, the longest a Node timer waits', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it('above the timer maximum is INVALID_OPTION naming the option and the limit; nothing is created', async () => {
    const dir = path.join(tmpDir(), 'db');
    for (const everyMs of [MAX_TIMER_MS + 1, 99_999_999 * 3_600_000, Number.MAX_SAFE_INTEGER]) {
      const err = await openError(dir, everyMs);
      expect(err, String(everyMs)).toBeInstanceOf(SdnwalError);
      expect(err).toMatchObject({ code: 'INVALID_OPTION' });
      expect((err as Error).message).toMatch(/^Expected `autoCompact\.everyMs` to be valid \(at most 2147483647 ms \(~24\.8 days\), the longest a timer can wait\)/);
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('0, negative, NaN, Infinity and fractions are INVALID_OPTION naming autoCompact.everyMs', async () => {
    const dir = path.join(tmpDir(), 'db');
    for (const everyMs of [0, -1, -60_000, NaN, Infinity, 1.5]) {
      const err = await openError(dir, everyMs);
      expect(err, String(everyMs)).toMatchObject({ code: 'INVALID_OPTION' });
      expect((err as Error).message, String(everyMs)).toMatch(/^Expected `autoCompact\.everyMs` to be valid/);
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('1 ms and the maximum itself are accepted', async () => {
    const dir = tmpDir();
    expect(await openError(dir, 1)).toBeUndefined();
    expect(await openError(dir, MAX_TIMER_MS)).toBeUndefined();
  });
});

describe('other timer options', () => {
  it('lockTimeoutMs and batchMs above the timer maximum are INVALID_OPTION (a lock wait would time out at once)', async () => {
    const dir = tmpDir();
    await expect(openStore(dir, { lockTimeoutMs: 2 ** 31 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(openStore(dir, { batchMs: 2 ** 31 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const s = await openStore(dir);
    await expect(s.table('t', { key: 'id', lockTimeoutMs: 2 ** 31 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await s.close();
  });
});
