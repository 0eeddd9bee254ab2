// The portable name rule in the store (docs/sdn.md, "Portable output"): a new table's name, key and
// columns, and the names in records, must be names Simple's SDN parser reads — unless the table
// is opened with portableNames: false. Refused input writes nothing; existing tables keep working.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { checkPortable, parse } from '../../src/sdn/index.js';
import { tmpDir } from '../helpers/tmp.js';

const code = (c: string, message?: RegExp) => expect.objectContaining({ code: c, ...(message ? { message: expect.stringMatching(message) } : {}) });

describe('portable names', () => {
  it('a new table named outside the rule is INVALID_TABLE_NAME, and leaves no file behind', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const before = fs.readdirSync(dir).sort();
    for (const name of ['1abc', 'table', 'nil', 'true', '-x']) {
      await expect(store.table(name, { key: 'id' }), name).rejects.toThrow(code('INVALID_TABLE_NAME', /portableNames: false/));
    }
    await expect(store.table('1abc', { key: 'id' })).rejects.toThrow(/must start with a letter or '_'/);
    await expect(store.table('table', { key: 'id' })).rejects.toThrow(/keyword/);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    await store.close();
  });

  it('a new table whose key or columns are outside the rule is INVALID_OPTION', async () => {
    const store = await openStore(tmpDir());
    await expect(store.table('t', { key: 'id', columns: ['id', 'due date'] })).rejects.toThrow(code('INVALID_OPTION', /"due date"/));
    await expect(store.table('t', { key: 'id', columns: ['id', 'null'] })).rejects.toThrow(code('INVALID_OPTION', /keyword/));
    await expect(store.table('t', { key: '1st' })).rejects.toThrow(code('INVALID_OPTION', /"1st"/));
    await expect(store.table('t', { key: 'id', portableNames: 'no' as never })).rejects.toThrow(code('INVALID_OPTION'));
    // Names that fit are fine, `.`, `-` and `/` included, and written bare.
    const t = await store.table('t-1', { key: 'id', columns: ['id', 'a-b', 'results.sdn', 'src/x'] });
    await t.insert({ id: 'r', 'a-b': 1, 'results.sdn': 'ok', 'src/x': null });
    await t.compact();
    const text = fs.readFileSync(path.join(store.dir, 't-1.sdn'), 'utf8');
    expect(text).toContain('\nt-1 |id, a-b, results.sdn, src/x|\n');
    expect(checkPortable(text)).toEqual([]);
    await store.close();
  });

  it('a versioned table\'s snapshot (version, last_modified, tombstones) passes the portable check', async () => {
    const store = await openStore(tmpDir());
    const t = await store.table('docs', { key: 'id', columns: ['id', 'title'], conflict: 'error' });
    await t.insert({ id: 'd1', title: 'a\u0001' });
    await t.insert({ id: 'd2', title: 'b' });
    await t.delete('d2');
    await t.compact();
    const text = fs.readFileSync(path.join(store.dir, 'docs.sdn'), 'utf8');
    expect(text).toContain('\ntombstones |');
    expect(checkPortable(text)).toEqual([]);
    await store.close();
  });

  it('a record with a column or nested key outside the rule is INVALID_RECORD and writes nothing', async () => {
    const store = await openStore(tmpDir());
    const t = await store.table('free', { key: 'id' });
    const bad = [
      { id: 'a', 'due date': 1 }, { id: 'a', true: 1 }, { id: 'a', '1st': 1 }, { id: 'a', o: { 'x y': 1 } },
      { id: 'a', o: [{ nil: 1 }] }, { id: 'a', o: { ok: { table: 2 } } },
    ];
    for (const rec of bad) await expect(t.insert(rec), JSON.stringify(rec)).rejects.toThrow(code('INVALID_RECORD', /portableNames: false/));
    await expect(t.insert(bad[3]!)).rejects.toThrow('table free: property name "x y" (in o) must start');
    await t.insert({ id: 'a', 'a-b': { 'c.d': [{ 'e/f': 1 }] } });
    await expect(t.update({ id: 'a', 'x y': 2 })).rejects.toThrow(code('INVALID_RECORD'));
    await expect(t.insertMany([{ id: 'b' }, { id: 'c', null: 1 }])).rejects.toThrow(code('INVALID_RECORD'));
    expect(await t.all()).toEqual([{ id: 'a', 'a-b': { 'c.d': [{ 'e/f': 1 }] } }]);
    await store.close();
  });

  it('portableNames: false lifts the rule: such a table is created and takes any names', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('1abc', { key: 'my key', columns: ['my key', 'due date', 'null'], portableNames: false });
    await t.insert({ 'my key': 'k', 'due date': '2026-01-01', null: { 'x y': 1 } });
    const f = await store.table('2free', { key: 'id', portableNames: false });
    await f.insert({ id: 'a', 'odd name': true });
    await t.compact();
    const text = fs.readFileSync(path.join(dir, '1abc.sdn'), 'utf8');
    expect(text).toContain('\nrows |"my key", "due date", "null"|\n'); // the table name itself is kept out of the header
    expect(checkPortable(text).map((x) => x.rule)).toContain('quoted-name');
    expect(parse(text).rows).toEqual([{ 'my key': 'k', 'due date': '2026-01-01', null: { 'x y': 1 } }]);
    await store.close();

    // Opened again later without the option: an existing table keeps reading and writing its own columns.
    const again = await openStore(dir);
    const t2 = await again.table('1abc');
    await t2.insert({ 'my key': 'k2', 'due date': 'x' });
    expect((await t2.all()).map((r) => r['my key'])).toEqual(['k', 'k2']);
    await expect(t2.insert({ 'my key': 'k3', null: { 'x y': 2 } })).rejects.toThrow(code('INVALID_RECORD', /"x y"/));
    const f2 = await again.table('2free');
    await f2.insert({ id: 'b', fine: 1 });
    await expect(f2.insert({ id: 'c', 'odd name': 1 })).rejects.toThrow(code('INVALID_RECORD'));
    await again.close();
  });
});
