import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openStore } from '../../src/index.js';
import { realIO, setIO } from '../../src/io.js';
import { tmpDir } from '../helpers/tmp.js';

const columns = ['id', 'keyword', 'area', 'priority', 'description', 'status'];
const todo = (id: string, extra: Record<string, unknown> = {}) => ({ id, keyword: 'TODO', area: 'core', priority: 'P2', description: `do ${id}`, status: 'open', ...extra });

describe('Store and Table', () => {
  it('insert, get, all, count; values keep their types; keys compare as strings', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id' });
    await t.insert({ id: 1, n: 2.5, ok: true, tags: ['a', 'b'], nested: { x: null } });
    expect(await t.get(1)).toEqual({ id: 1, n: 2.5, ok: true, tags: ['a', 'b'], nested: { x: null } });
    expect(await t.get('1')).toEqual(await t.get(1));
    expect(await t.count()).toBe(1);
    expect(await t.all()).toHaveLength(1);
    await store.close();
  });

  it('replay rules: insert of an existing key replaces, update merges, update/delete of a missing key do nothing', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('todos', { key: 'id', columns });
    await t.insert(todo('t1'));
    await t.insert(todo('t1', { priority: 'P1' }));
    expect((await t.get('t1'))!.priority).toBe('P1');
    await t.update({ id: 't1', status: 'done' });
    expect(await t.get('t1')).toEqual(todo('t1', { priority: 'P1', status: 'done' }));
    await t.update({ id: 'nope', status: 'done' });
    await t.delete('nope');
    expect(await t.get('nope')).toBeUndefined();
    expect(await t.count()).toBe(1);
    await t.delete('t1');
    expect(await t.count()).toBe(0);
    await store.close();
  });

  it('data survives close and reopen; a second store sees the first one\'s appends', async () => {
    const dir = tmpDir();
    const a = await openStore(dir);
    const ta = await a.table('todos', { key: 'id', columns });
    await ta.insertMany([todo('a'), todo('b'), todo('c')]);
    const b = await openStore(dir);
    const tb = await b.table('todos');
    expect(await tb.count()).toBe(3);
    await ta.insert(todo('d'));
    expect(await tb.count()).toBe(4);
    expect(tb.columns).toEqual(columns);
    await a.close();
    await b.close();
    const c = await openStore(dir);
    expect(await (await c.table('todos')).count()).toBe(4);
    await c.close();
  });

  it('rejects table names that could escape the store, writing nothing', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    for (const name of ['../x', 'a/b', '/abs', '', 'a\u0000b', '.', '..', 'x'.repeat(65)]) {
      await expect(store.table(name, { key: 'id' })).rejects.toMatchObject({ code: 'INVALID_TABLE_NAME' });
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, '..', 'x.sdn'))).toBe(false);
    await store.close();
  });

  it('bad records are INVALID_RECORD and write nothing', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const schema = z.object({ id: z.string(), n: z.number() });
    const t = await store.table('s', { key: 'id', columns: ['id', 'n'], schema });
    await expect(t.insert({ n: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert({ id: 'a', n: 'x' } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert({ id: 'a', n: 1, other: 2 } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert(null as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert(JSON.parse('{"id":"p","n":1,"__proto__":{"x":1}}'))).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert({ id: 'nan', n: NaN })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insertMany([{ id: 'ok', n: 1 }, { id: 'bad' } as never])).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'a', n: 'x' } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(await t.count()).toBe(0);
    await store.close();
  });

  it('a table reopened with other columns or key is SCHEMA_MISMATCH, not a silent change', async () => {
    const dir = tmpDir();
    const a = await openStore(dir);
    await a.table('todos', { key: 'id', columns });
    await expect(a.table('todos', { key: 'id', columns: ['id', 'x'] })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await a.close();
    const b = await openStore(dir);
    await expect(b.table('todos', { key: 'id', columns: ['id', 'x'] })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await expect(b.table('todos', { key: 'name' })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await b.close();
  });

  it('a new table needs its key column; bad options are INVALID_OPTION', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    await expect(store.table('x')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(store.table('x', { key: 'id', bogus: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(openStore(dir, { sync: 'sometimes' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(openStore(dir, { inlineSync: 'yes' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await store.close();
  });

  it.each([
    [true, 'fdatasyncSync'],
    [false, 'fdatasync'],
  ] as const)("inlineSync: %s acknowledges 'always' appends on %s", async (inlineSync, used) => {
    const dir = tmpDir();
    const calls: string[] = [];
    setIO({
      ...realIO,
      fdatasyncSync: (fd) => (calls.push('fdatasyncSync'), realIO.fdatasyncSync(fd)),
      fdatasync: (fd) => (calls.push('fdatasync'), realIO.fdatasync(fd)),
    });
    try {
      const store = await openStore(dir, { inlineSync });
      const t = await store.table('todos', { key: 'id', columns });
      calls.length = 0;
      await Promise.all([t.insert(todo('a')), t.insert(todo('b'))]);
      expect(calls).toEqual([used]);
      await store.close();
    } finally {
      setIO(realIO);
    }
  });

  it('checked writes: insert ifAbsent, update mustExist', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('todos', { key: 'id', columns });
    expect(await t.insert(todo('a'), { ifAbsent: true })).toBe(true);
    expect(await t.insert(todo('a', { status: 'x' }), { ifAbsent: true })).toBe(false);
    expect((await t.get('a'))!.status).toBe('open');
    await expect(t.update({ id: 'zz', status: 'done' }, { mustExist: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.close();
  });

  it('modify is read-modify-write under the lock; re-entry throws REENTRANT; async fn is rejected', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('c', { key: 'id' });
    await Promise.all(Array.from({ length: 50 }, () => t.modify('n', (row) => ({ id: 'n', v: ((row?.v as number) ?? 0) + 1 }))));
    expect((await t.get('n'))!.v).toBe(50);
    const inner: Promise<unknown>[] = [];
    await t.modify('n', (row) => {
      for (const p of [t.modify('n', (r) => r), t.insert({ id: 'm' }), t.compact()]) inner.push(p.then(() => 'resolved', (e) => e));
      return row;
    });
    for (const r of await Promise.all(inner)) expect(r).toMatchObject({ code: 'REENTRANT' });
    expect(await t.get('m')).toBeUndefined();
    await expect(t.modify('n', (async () => ({ id: 'n' })) as never)).rejects.toThrow(/synchronous/);
    await store.close();
  });

  it('close waits for pending writes; a closed table rejects writes', async () => {
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'none' });
    const t = await store.table('e', { key: 'id' });
    const pending = Array.from({ length: 100 }, (_, i) => t.insert({ id: i }));
    await store.close();
    await Promise.all(pending);
    await expect(t.insert({ id: 'late' })).rejects.toMatchObject({ code: 'CLOSED' });
    const again = await openStore(dir);
    expect(await (await again.table('e')).count()).toBe(100);
    await again.close();
  });

  // (Under 'none' a loop of awaited inserts never leaves the microtask queue, so nothing else in
  // the process runs until it stops: there is nothing to starve.)
  for (const inlineSync of [true, false]) {
    it(`compact() and close() finish while a durable writer keeps appending; writes after close() begins are CLOSED (inlineSync: ${inlineSync})`, async () => {
      const dir = tmpDir();
      const store = await openStore(dir, { sync: 'always', inlineSync });
      const t = await store.table('busy', { key: 'id' });
      const acked: string[] = [];
      // A writer that never pauses: compact() and close() used to wait for its queue to empty.
      const writer = (async () => {
        for (let i = 0; ; i++) {
          try {
            await t.insert({ id: `k${i}` });
          } catch (err) {
            return err as { code?: string };
          }
          acked.push(`k${i}`);
        }
      })();
      while (acked.length < 20) await new Promise((r) => setImmediate(r));
      const report = await t.compact();
      expect(report.rows).toBeGreaterThanOrEqual(20);
      const before = acked.length;
      while (acked.length < before + 20) await new Promise((r) => setImmediate(r));
      await store.close();
      expect(await writer).toMatchObject({ code: 'CLOSED' });
      const again = await openStore(dir);
      const rows = await (await again.table('busy')).all();
      expect(rows.map((r) => r.id).sort()).toEqual([...acked].sort());
      await again.close();
    });
  }

  it('compact() finishes while appends keep arriving during every threadpool fdatasync (inlineSync: false)', async () => {
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'always', inlineSync: false });
    const t = await store.table('busy', { key: 'id' });
    const acks: Promise<unknown>[] = [];
    let stop = false;
    // A producer that does not wait for acknowledgements: every loop turn adds appends, so a
    // group commit always has a batch queued behind the fdatasync in flight.
    const produce = (): void => {
      if (stop) return;
      for (let i = 0; i < 4; i++) acks.push(t.insert({ id: `k${acks.length}` }));
      setImmediate(produce);
    };
    produce();
    while (acks.length < 200) await new Promise((r) => setImmediate(r));
    const report = await t.compact();
    expect(report.rows).toBeGreaterThan(0);
    stop = true;
    await Promise.all(acks);
    expect(await t.count()).toBe(acks.length);
    await store.close();
  });

  it('read-only open creates nothing and finds no missing table', async () => {
    const dir = tmpDir();
    await expect(openStore(path.join(dir, 'nope'), { readOnly: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.existsSync(path.join(dir, 'nope'))).toBe(false);
    const ro = await openStore(dir, { readOnly: true });
    await expect(ro.table('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reads see writes after a compaction, and a reopened table loads the snapshot', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('todos', { key: 'id', columns });
    for (let i = 0; i < 20; i++) await t.insert(todo(`t${i}`));
    await t.delete('t3');
    await t.update({ id: 't4', status: 'done' });
    const before = await t.all();
    await t.compact();
    expect(await t.all()).toEqual(before);
    await t.insert(todo('after'));
    await store.close();
    const again = await openStore(dir);
    const t2 = await again.table('todos');
    expect(await t2.count()).toBe(20);
    expect((await t2.get('t4'))!.status).toBe('done');
    await again.close();
  });
});

describe('values a snapshot cannot give back are refused', () => {
  it('Date, bigint, Buffer, Infinity and functions are INVALID_RECORD; nested plain values are fine', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('v', { key: 'id' });
    for (const bad of [new Date(), 1n, Buffer.from('x'), Infinity, () => 1, { deep: [new Map()] }]) {
      await expect(t.insert({ id: 'x', bad })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    }
    await t.insert({ id: 'ok', nested: { a: [1, 'two', null, { b: true }] } });
    await t.compact();
    expect(await t.get('ok')).toEqual({ id: 'ok', nested: { a: [1, 'two', null, { b: true }] } });
    expect(await t.count()).toBe(1);
    await store.close();
  });
});
