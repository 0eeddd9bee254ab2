/** Every public method of a closed store and table fails with CLOSED (as abstract-level's "closed" trait checks). */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { openFds } from '../helpers/fds.js';
import { tmpDir } from '../helpers/tmp.js';

describe('a closed store and table', () => {
  it('refuse every method with CLOSED: writes, reads, compaction, modify, table(); watch() has ended', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('t', { key: 'id' });
    await t.insert({ id: 'a', n: 1 });
    expect(await t.count()).toBe(1);
    await store.close();
    const calls: Record<string, () => unknown> = {
      insert: () => t.insert({ id: 'b' }),
      insertMany: () => t.insertMany([{ id: 'b' }]),
      update: () => t.update({ id: 'a', n: 2 }),
      delete: () => t.delete('a'),
      modify: () => t.modify('a', (r) => r),
      get: () => t.get('a'),
      all: () => t.all(),
      count: () => t.count(),
      compact: () => t.compact(),
      table: () => store.table('t'),
    };
    for (const [name, call] of Object.entries(calls)) {
      const err = await (async () => call())().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toMatchObject({ code: 'CLOSED' });
    }
    // watch() gives an iterator that has already ended, so a `for await` loop just stops.
    expect(await t.watch().next()).toEqual({ done: true, value: undefined });
    // close() again is harmless.
    await store.close();
  });

  it('a read-only store closes its tables too', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    await (await s.table('t', { key: 'id' })).insert({ id: 'a' });
    await s.close();
    const ro = await openStore(dir, { readOnly: true });
    const t = await ro.table('t');
    expect(await t.get('a')).toEqual({ id: 'a' });
    await ro.close();
    await expect(t.get('a')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(t.count()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('close() while a table is opening', () => {
  it('closes that table too: its methods are CLOSED and no descriptor is left open', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const opening = store.table('late', { key: 'id' });
    await store.close();
    const t = await opening;
    await expect(t.insert({ id: 'a' })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(openFds(dir)).toEqual([]);
  });
});
