// Issue 14, hostile input: records the snapshot could not write and read back (nesting beyond
// the SDN limit, lone UTF-16 surrogates) are INVALID_RECORD before anything is written.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { parse } from '../../src/sdn/index.js';
import { MAX_DEPTH } from '../../src/sdn/limits.js';
import { MAX_VALUE_DEPTH } from '../../src/store/record.js';
import { tmpDir } from '../helpers/tmp.js';

/** `n` arrays nested around 1: nest(0) = 1, nest(2) = [[1]]. */
function nest(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

/** `n` dicts (and arrays, alternating) nested around "x": a value written in both bracket kinds. */
function mixed(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 === 0 ? { k: v } : [v, 2];
  return v;
}

/** Every file of the table's log (and its snapshot) with its bytes: what "nothing was written" compares. */
function files(dir: string, table: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const f of fs.readdirSync(p).sort()) walk(path.join(p, f));
    else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
  };
  walk(path.join(dir, `${table}.wal`));
  walk(path.join(dir, `${table}.sdn`));
  return out;
}

describe('hostile input: nesting depth', () => {
  it('a column value may nest MAX_VALUE_DEPTH levels: MAX_DEPTH less the rows table and the row', () => {
    expect(MAX_DEPTH).toBe(500);
    expect(MAX_VALUE_DEPTH).toBe(498);
  });

  it('the deepest accepted value round-trips through insert, compact, reopen and get; one level more is INVALID_RECORD and writes nothing', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('deep', { key: 'id' });
    const deepest = { id: 'ok', v: nest(MAX_VALUE_DEPTH), o: mixed(MAX_VALUE_DEPTH) };
    await t.insert(deepest);
    await t.compact();
    const before = files(dir, 'deep');

    for (const bad of [
      { id: 'a', v: nest(MAX_VALUE_DEPTH + 1) },
      { id: 'b', o: mixed(MAX_VALUE_DEPTH + 1) },
      { id: 'c', v: nest(502) }, // the record
      { id: 'd', v: nest(100_000) }, // refused, not a stack overflow
    ]) {
      const err = await t.insert(bad).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_RECORD' });
      const column = 'v' in bad ? 'v' : 'o';
      expect((err as Error).message).toContain(`column "${column}" nests deeper than ${MAX_VALUE_DEPTH} levels`);
    }
    await expect(t.insertMany([{ id: 'e', v: 1 }, { id: 'f', v: nest(MAX_VALUE_DEPTH + 1) }])).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'ok', v: nest(MAX_VALUE_DEPTH + 1) })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.modify('ok', (r) => ({ ...r!, w: mixed(MAX_VALUE_DEPTH + 1) }))).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    const cycle: unknown[] = [];
    cycle.push(cycle);
    await expect(t.insert({ id: 'g', v: cycle })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await t.flush();
    expect(await t.count()).toBe(1);
    expect(files(dir, 'deep')).toEqual(before);

    // Compaction wrote the row, a later get/all/compaction reads it back, and so does a new store.
    expect(await t.get('ok')).toEqual(deepest);
    await t.insert({ id: 'next', v: nest(3) });
    await t.compact();
    expect(await t.all()).toEqual([deepest, { id: 'next', v: nest(3) }]);
    await store.close();
    const again = await openStore(dir);
    const t2 = await again.table('deep');
    expect(await t2.get('ok')).toEqual(deepest);
    expect(await t2.count()).toBe(2);
    await again.close();
    // The snapshot is plain SDN any reader of it parses (the absent `o` of the second row reads as null there).
    expect((parse(fs.readFileSync(path.join(dir, 'deep.sdn'), 'utf8')).deep as unknown[])[0]).toEqual(deepest);
  });

  it('a versioned table refuses the same depth', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('docs', { key: 'id', columns: ['id', 'v'], conflict: 'error' });
    await t.insert({ id: 'ok', v: nest(MAX_VALUE_DEPTH) });
    await expect(t.insert({ id: 'bad', v: nest(MAX_VALUE_DEPTH + 1) })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'ok', v: nest(MAX_VALUE_DEPTH + 1) })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await t.compact();
    expect((await t.get('ok'))!.v).toEqual(nest(MAX_VALUE_DEPTH));
    expect(await t.count()).toBe(1);
    await store.close();
  });
});

describe('hostile input: lone surrogates', () => {
  it('a lone surrogate in a key, a value, a nested value, a property name or a column name is INVALID_RECORD and writes nothing', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('s', { key: 'id' });
    await t.insert({ id: 'seed', s: 'x' });
    const before = files(dir, 's');
    const bad: Record<string, unknown>[] = [
      { id: 'a\uD800' },
      { id: '\uDC00' },
      { id: 'k', s: 'a\uD800' },
      { id: 'k', s: 'a\uDC00b' },
      { id: 'k', s: '\uDE00\uD83D' }, // a pair in the wrong order is two lone halves
      { id: 'k', list: ['ok', ['deeper \uD800']] },
      { id: 'k', obj: { inner: { text: '\uDBFF' } } },
      { id: 'k', obj: { 'key \uD800': 1 } },
      { id: 'k', list: [{ ok: 1 }, { ['\uDC00']: null }] },
      { id: 'k', ['col\uD800']: 1 },
    ];
    for (const rec of bad) {
      const err = await t.insert(rec).catch((e: unknown) => e);
      expect(err, JSON.stringify(rec)).toMatchObject({ code: 'INVALID_RECORD', message: expect.stringContaining('lone UTF-16 surrogate') });
    }
    await expect(t.insert({ id: 'k', s: 'a\uD800' })).rejects.toThrow('table s: column "s" holds a lone UTF-16 surrogate');
    await expect(t.insert({ id: 'k', o: { list: [1, '\uDC00'] } })).rejects.toThrow('table s: o.list[1] holds a lone UTF-16 surrogate');
    await expect(t.insertMany([{ id: 'fine' }, { id: 'k', s: '\uD800' }])).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'seed', s: 'x\uDFFF' })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'seed\uD800', s: 'x' })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.modify('seed', (r) => ({ ...r!, s: '\uD800' }))).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    // A delete or get of such a key would have named another key (its U+FFFD form): refused too.
    await expect(t.delete('seed\uD800')).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.get('a\uD800')).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await t.flush();
    expect(await t.count()).toBe(1);
    expect(await t.all()).toEqual([{ id: 'seed', s: 'x' }]);
    expect(files(dir, 's')).toEqual(before);
    await store.close();
  });

  it('a versioned table refuses them too', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('v', { key: 'id', conflict: 'last-write-wins' });
    await expect(t.insert({ id: 'a\uD800' })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert({ id: 'a', s: ['\uDC00'] })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(await t.count()).toBe(0);
    await store.close();
  });

  it('valid surrogate pairs (emoji) are stored and round-trip through compaction as keys, values and property names', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    // An emoji property name is no portable SDN name: this table opts out of the rule.
    const t = await store.table('e', { key: 'id', portableNames: false });
    const rows = [
      { id: '😀', s: 'a😀b', o: { '🎉 key': ['\uD83D\uDE00', { deep: '𝄞' }] } },
      { id: 'a\uD83D\uDE00', s: '\uDBFF\uDFFF' }, // U+10FFFF
      { id: 'plain', s: '😀'.repeat(40) }, // long enough for the log's Buffer path
    ];
    await t.insertMany(rows);
    expect(await t.get('😀')).toEqual(rows[0]);
    await t.compact();
    await store.close();
    const again = await openStore(dir);
    const t2 = await again.table('e');
    expect(await t2.get('😀')).toEqual(rows[0]);
    expect(await t2.get('a😀')).toEqual(rows[1]);
    expect(await t2.all()).toEqual(rows);
    await again.close();
  });
});

describe('values keep their types; holes and missing keys write nothing', () => {
  it('-0 is kept, in the log and in the snapshot', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    const t = await s.table('t', { key: 'id' });
    await t.insert({ id: 'a', n: -0, arr: [-0, 0], o: { z: -0 } });
    await s.close();
    for (const compact of [false, true]) {
      const s2 = await openStore(dir);
      const t2 = await s2.table('t');
      if (compact) await t2.compact();
      const r = (await t2.get('a')) as { n: number; arr: number[]; o: { z: number } };
      expect([Object.is(r.n, -0), Object.is(r.arr[0], -0), Object.is(r.arr[1], 0), Object.is(r.o.z, -0)]).toEqual([true, true, true, true]);
      await s2.close();
    }
  });

  it('an array with holes is INVALID_RECORD and writes nothing', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    const t = await s.table('t', { key: 'id' });
    await expect(t.insert({ id: 'h', arr: [1, , 3] })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insert({ id: 'h', arr: new Array(2) })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(await t.count()).toBe(0);
    await s.close();
  });

  it('store.table() without a key for a table that does not exist creates nothing (no phantom lock files)', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    await expect(s.table('t', {})).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(s.table('t')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(fs.readdirSync(dir)).toEqual([]);
    await s.close();
  });
});
