/**
 * Checked writes over the TableLog seam (src/store/table.ts, local-log.ts): re-entry is per table,
 * a checked write of another table from inside modify() runs on that table's own view, an error
 * inside the function releases the lock (docs/protocol.md §10).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { encodeEntry } from '../../src/wal/entry.js';
import { encodeFrames } from '../../src/wal/frame.js';
import { tablePaths } from '../../src/wal/paths.js';
import { segmentPath } from '../../src/wal/tail.js';
import { tmpDir } from '../helpers/tmp.js';

describe('checked writes of two tables', () => {
  it('modify of B from inside modify of A runs on B\'s view (versioned B too); re-entry into A from there is REENTRANT', async () => {
    const store = await openStore(tmpDir());
    const a = await store.table('a', { key: 'id' });
    const b = await store.table('b', { key: 'id', conflict: 'error' });
    await a.insert({ id: 'x', n: 1 });
    await b.insert({ id: 'y', n: 10 });
    const inner: Promise<unknown>[] = [];
    await a.modify('x', (row) => {
      inner.push(b.modify('y', (r) => ({ ...r!, n: (r!.n as number) + 1 })));
      inner.push(b.update({ id: 'y', m: 1 }, { expectedVersion: 1 }).then((u) => u?.outcome, (e) => e.code));
      inner.push(a.insert({ id: 'z' }).then(() => 'resolved', (e) => e.code));
      return { ...row!, n: 2 };
    });
    const [modified, updated, reentered] = await Promise.all(inner);
    expect(modified).toMatchObject({ id: 'y', n: 11, version: 2 });
    // The update ran after the modify (FIFO on B's lock), so version 1 is stale now.
    expect(updated).toBe('CONFLICT');
    expect(reentered).toBe('REENTRANT');
    expect(await a.get('x')).toEqual({ id: 'x', n: 2 });
    expect(await a.get('z')).toBeUndefined();
    await store.close();
  });

  it('an error thrown inside modify releases the lock and writes nothing', async () => {
    const store = await openStore(tmpDir(), { lockTimeoutMs: 500 });
    const t = await store.table('t', { key: 'id' });
    await t.insert({ id: 'x', n: 1 });
    await expect(t.modify('x', () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await t.modify('x', (r) => ({ ...r!, n: 2 }))).toEqual({ id: 'x', n: 2 });
    await store.close();
  });
});

describe('a checked write after a writer died mid-batch', () => {
  it('sees the dead writer\'s complete frames past published_end: a version is never taken twice', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const v = await store.table('v', { key: 'id', conflict: 'error' });
    await v.insert({ id: 'k', n: 1 });
    expect((await v.get('k'))!.version).toBe(1);
    // Another process took the lock, wrote version 2 of k and was killed before publishing it.
    const seg = segmentPath(tablePaths(dir, 'v'), 1);
    const at = fs.statSync(seg).size;
    const entry = encodeEntry({ operation: 'update', rows: [{ key: 'k', values: { n: 2, version: 2, last_modified: new Date().toISOString() } }], timestamp: Date.now(), synced: 0 });
    fs.appendFileSync(seg, encodeFrames(1, at, [entry]));
    // Its frames are in the log: the next append goes after them. A checked write reads them first.
    const r = await v.update({ id: 'k', n: 3 }, { expectedVersion: 2 });
    expect(r).toMatchObject({ outcome: 'written', version: 3 });
    expect(await v.get('k')).toMatchObject({ n: 3, version: 3 });
    await store.close();
  });
});
