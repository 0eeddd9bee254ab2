import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, openStore, type Store } from '../../src/index.js';
import { tmpDir } from '../helpers/tmp.js';

type Doc = { id: string; title?: string; body?: string; tags?: string[]; version?: number; last_modified?: string };

/** Two stores on one directory: two independent readers/writers, as two processes would be. */
async function twoWriters(conflict: 'error' | 'last-write-wins' | 'last-modified-wins' | 'merge', merge?: (s: Doc, i: Partial<Doc>) => Doc) {
  const dir = tmpDir();
  const a = await openStore(dir);
  const ta = await a.table<Doc>('docs', { key: 'id', columns: ['id', 'title', 'body', 'tags'], conflict, ...(merge ? { merge } : {}) });
  const b = await openStore(dir);
  const tb = await b.table<Doc>('docs', merge ? { merge } : undefined);
  return { dir, a, b, ta, tb, close: async () => Promise.all([a.close(), b.close()]) };
}

/** Bytes of the table's log: a write that writes nothing leaves it unchanged. */
function logBytes(dir: string, table = 'docs'): number {
  const wal = path.join(dir, `${table}.wal`);
  return fs.readdirSync(wal).reduce((n, f) => n + fs.statSync(path.join(wal, f)).size, 0);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('versioned tables', () => {
  it('rows carry version (1 on insert, +1 per write) and last_modified; the snapshot keeps both columns and the strategy', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table<Doc>('docs', { key: 'id', columns: ['id', 'title'], conflict: 'error' });
    expect(t.conflict).toBe('error');
    expect(t.columns).toEqual(['id', 'title', 'version', 'last_modified']);
    await t.insert({ id: 'd1', title: 'a' });
    const r1 = (await t.get('d1'))!;
    expect(r1.version).toBe(1);
    expect(r1.last_modified).toMatch(ISO);
    const u = await t.update({ id: 'd1', title: 'b' }, { expectedVersion: 1 });
    expect(u).toMatchObject({ outcome: 'written', conflict: false, version: 2, row: { id: 'd1', title: 'b', version: 2 } });
    await t.update({ id: 'd1', title: 'c' });
    await t.modify('d1', (row) => ({ ...row!, title: `${row!.title}!` }));
    expect(await t.get('d1')).toMatchObject({ title: 'c!', version: 4 });
    // A version given by the caller is not the table's business: it is ignored.
    await t.insert({ id: 'd2', title: 'x', version: 99 });
    expect((await t.get('d2'))!.version).toBe(1);
    await t.compact();
    const text = fs.readFileSync(path.join(dir, 'docs.sdn'), 'utf8');
    expect(text).toMatch(/conflict: "?error"?/);
    expect(text).toMatch(/^docs \|id, title, version, last_modified\|$/m);
    await store.close();
    const again = await openStore(dir);
    const t2 = await again.table<Doc>('docs');
    expect(t2.conflict).toBe('error');
    expect(await t2.get('d1')).toMatchObject({ title: 'c!', version: 4, last_modified: expect.stringMatching(ISO) });
    await t2.update({ id: 'd1', title: 'd' });
    expect((await t2.get('d1'))!.version).toBe(5);
    await again.close();
  });

  it('error: a stale expectedVersion is a ConflictError with both versions, and nothing is written', async () => {
    const w = await twoWriters('error');
    await w.ta.insert({ id: 'd1', title: 'a' });
    const read = (await w.tb.get('d1'))!;
    await w.ta.update({ id: 'd1', title: 'by A' }, { expectedVersion: read.version });
    const bytes = logBytes(w.dir);
    const err = await w.tb.update({ id: 'd1', title: 'by B' }, { expectedVersion: read.version }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'CONFLICT', key: 'd1', expectedVersion: 1, actualVersion: 2 });
    expect(logBytes(w.dir)).toBe(bytes);
    expect(await w.tb.get('d1')).toMatchObject({ title: 'by A', version: 2 });
    // The matching version goes through.
    await w.tb.update({ id: 'd1', title: 'by B' }, { expectedVersion: 2 });
    expect(await w.ta.get('d1')).toMatchObject({ title: 'by B', version: 3 });
    await w.close();
  });

  it('last-write-wins: the stale write is applied and takes the next version', async () => {
    const w = await twoWriters('last-write-wins');
    await w.ta.insert({ id: 'd1', title: 'a', body: 'A' });
    await w.ta.update({ id: 'd1', title: 'by A' }, { expectedVersion: 1 });
    const r = await w.tb.update({ id: 'd1', body: 'by B' }, { expectedVersion: 1 });
    expect(r).toMatchObject({ outcome: 'written', conflict: true, version: 3 });
    expect(await w.ta.get('d1')).toMatchObject({ title: 'by A', body: 'by B', version: 3 });
    await w.close();
  });

  it("last-modified-wins: the caller's later last_modified wins; an earlier one or a tie keeps the stored row and writes nothing", async () => {
    const w = await twoWriters('last-modified-wins');
    await w.ta.insert({ id: 'd1', title: 'a', last_modified: '2026-01-01T10:00:00Z' });
    expect((await w.ta.get('d1'))!.last_modified).toBe('2026-01-01T10:00:00.000Z');
    await w.ta.update({ id: 'd1', title: 'A at 12:00', last_modified: '2026-01-01T12:00:00Z' }, { expectedVersion: 1 });

    // B edited version 1 at 11:00, before A's edit: A's row stays.
    let bytes = logBytes(w.dir);
    const earlier = await w.tb.update({ id: 'd1', title: 'B at 11:00', last_modified: '2026-01-01T11:00:00Z' }, { expectedVersion: 1 });
    expect(earlier).toMatchObject({ outcome: 'kept', conflict: true, version: 2, row: { title: 'A at 12:00' } });
    expect(logBytes(w.dir)).toBe(bytes);

    // A tie keeps the stored row too (offsets are compared as instants).
    const tie = await w.tb.update({ id: 'd1', title: 'B at 12:00', last_modified: '2026-01-01T13:00:00+01:00' }, { expectedVersion: 1 });
    expect(tie!.outcome).toBe('kept');
    expect(logBytes(w.dir)).toBe(bytes);

    // B edited at 13:00, after A: B's edit wins, with its own time.
    const later = await w.tb.update({ id: 'd1', title: 'B at 13:00', last_modified: '2026-01-01T13:00:00Z' }, { expectedVersion: 1 });
    expect(later).toMatchObject({ outcome: 'written', conflict: true, version: 3 });
    expect(await w.ta.get('d1')).toMatchObject({ title: 'B at 13:00', version: 3, last_modified: '2026-01-01T13:00:00.000Z' });
    bytes = logBytes(w.dir);
    expect(bytes).toBeGreaterThan(0);
    await w.close();
  });

  it("merge: the table's function combines the stored row and the incoming one on a conflict", async () => {
    const union = (stored: Doc, incoming: Partial<Doc>): Doc => ({ ...stored, ...incoming, tags: [...new Set([...(stored.tags ?? []), ...(incoming.tags ?? [])])] });
    const w = await twoWriters('merge', union);
    await w.ta.insert({ id: 'd1', title: 'a', tags: ['x'] });
    await w.ta.update({ id: 'd1', tags: ['x', 'from-a'] }, { expectedVersion: 1 });
    const r = await w.tb.update({ id: 'd1', tags: ['from-b'] }, { expectedVersion: 1 });
    expect(r).toMatchObject({ outcome: 'written', conflict: true, version: 3 });
    expect((await w.ta.get('d1'))!.tags).toEqual(['x', 'from-a', 'from-b']);
    // Without a conflict the update is a plain merge of the given columns: the function is not called.
    await w.tb.update({ id: 'd1', tags: ['only'] }, { expectedVersion: 3 });
    expect((await w.ta.get('d1'))!.tags).toEqual(['only']);
    await w.close();
  });

  it('merge without a function: the fields the caller gave win, the others keep their stored values', async () => {
    const w = await twoWriters('merge');
    await w.ta.insert({ id: 'd1', title: 'a', body: 'b' });
    await w.ta.update({ id: 'd1', title: 'A' }, { expectedVersion: 1 });
    await w.tb.update({ id: 'd1', body: 'B' }, { expectedVersion: 1 });
    expect(await w.ta.get('d1')).toMatchObject({ title: 'A', body: 'B', version: 3 });
    await w.close();
  });

  it('a merge result that drops a column replaces the row; a merge that changes the key is INVALID_RECORD', async () => {
    let mode: 'drop' | 'rekey' = 'drop';
    const merge = (stored: Doc, incoming: Partial<Doc>): Doc => (mode === 'drop' ? { id: stored.id, title: incoming.title } : { ...stored, id: 'other' });
    const w = await twoWriters('merge', merge);
    await w.ta.insert({ id: 'd1', title: 'a', body: 'b' });
    await w.ta.update({ id: 'd1', title: 'A' });
    await w.tb.update({ id: 'd1', title: 'B' }, { expectedVersion: 1 });
    const row = (await w.ta.get('d1'))!;
    expect(row).toMatchObject({ id: 'd1', title: 'B', version: 3 });
    expect('body' in row).toBe(false);
    mode = 'rekey';
    await expect(w.tb.update({ id: 'd1', title: 'C' }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect((await w.ta.get('d1'))!.version).toBe(3);
    await w.close();
  });

  it('versions never repeat: a delete leaves a tombstone, a re-insert continues from it, across compaction and reopen', async () => {
    const dir = tmpDir();
    let store: Store = await openStore(dir);
    let t = await store.table<Doc>('docs', { key: 'id', columns: ['id', 'title'], conflict: 'error' });
    await t.insert({ id: 'd1', title: 'a' }); // 1
    await t.update({ id: 'd1', title: 'b' }); // 2
    await t.delete('d1'); // tombstone 3
    expect(await t.get('d1')).toBeUndefined();
    // An update never brings a deleted row back; a stale expectedVersion meets the tombstone.
    expect(await t.update({ id: 'd1', title: 'x' })).toMatchObject({ outcome: 'missing', version: 3 });
    await expect(t.update({ id: 'd1', title: 'x' }, { expectedVersion: 2 })).rejects.toMatchObject({ code: 'CONFLICT', actualVersion: 3 });
    await t.insert({ id: 'd1', title: 'again' });
    expect((await t.get('d1'))!.version).toBe(4);
    await t.delete('d1'); // tombstone 5
    await t.delete('d1'); // missing: nothing written, the tombstone stays 5
    await t.insert({ id: 'd2', title: 'other' });
    await t.delete('d2'); // tombstone 2
    await t.compact();
    await t.compact(); // the log that held the deletes is gone now
    const text = fs.readFileSync(path.join(dir, 'docs.sdn'), 'utf8');
    expect(text).toMatch(/^tombstones \|key, version\|$/m);
    expect(text).toMatch(/^ {4}"d1", 5$/m);
    await store.close();

    store = await openStore(dir);
    t = await store.table<Doc>('docs');
    await t.modify('d1', () => ({ id: 'd1', title: 'via modify' }));
    expect(await t.get('d1')).toMatchObject({ title: 'via modify', version: 6 });
    await t.insertMany([{ id: 'd2', title: 'x' }, { id: 'd3', title: 'y' }, { id: 'd2', title: 'z' }]);
    expect(await t.get('d2')).toMatchObject({ title: 'z', version: 4 });
    expect((await t.get('d3'))!.version).toBe(1);
    await t.compact();
    // A re-inserted key is no longer a tombstone.
    expect(fs.readFileSync(path.join(dir, 'docs.sdn'), 'utf8')).not.toMatch(/^tombstones/m);
    await store.close();
  });

  it('insert of an existing key replaces the row and takes the next version; ifAbsent still refuses', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table<Doc>('docs', { key: 'id', conflict: 'last-write-wins' });
    await t.insert({ id: 'd1', title: 'a', body: 'b' });
    await t.insert({ id: 'd1', title: 'replaced' });
    expect(await t.get('d1')).toEqual({ id: 'd1', title: 'replaced', version: 2, last_modified: expect.stringMatching(ISO) });
    expect(await t.insert({ id: 'd1', title: 'no' }, { ifAbsent: true })).toBe(false);
    expect((await t.get('d1'))!.version).toBe(2);
    await store.close();
  });

  it('the definition is the one stored: another strategy, or versioning on an unversioned table, is SCHEMA_MISMATCH', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    await store.table('docs', { key: 'id', columns: ['id', 'title'], conflict: 'error' });
    await store.table('plain', { key: 'id', columns: ['id', 'title'] });
    const other = await openStore(dir);
    await expect(other.table('docs', { conflict: 'merge' })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await expect(other.table('plain', { conflict: 'error' })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await expect(other.table('docs', { merge: (s) => s })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    // The same columns, named without the version columns or with them, open the table.
    expect((await other.table('docs', { columns: ['id', 'title'] })).conflict).toBe('error');
    await expect(store.table('docs', { columns: ['id', 'title', 'version', 'last_modified'] })).resolves.toBeDefined();
    const plain = await other.table('plain');
    await expect(plain.update({ id: 'x' }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await Promise.all([store.close(), other.close()]);
  });

  it('bad input writes nothing: a last_modified that is not ISO 8601, a bad expectedVersion, an unknown column', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table<Doc>('docs', { key: 'id', columns: ['id', 'title'], conflict: 'last-modified-wins' });
    await t.insert({ id: 'd1', title: 'a' });
    const bytes = logBytes(dir);
    await expect(t.insert({ id: 'd2', last_modified: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'd1', last_modified: '01/02/2026' })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.update({ id: 'd1', title: 'b' }, { expectedVersion: -1 })).rejects.toThrow(TypeError);
    await expect(t.update({ id: 'd1', body: 'b' })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(t.insertMany([{ id: 'd3' }, { id: 'd4', last_modified: 'soon' }])).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    for (const bad of [null, [], 'd5']) {
      await expect(t.insert(bad as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
      await expect(t.update(bad as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    }
    await expect(t.modify('d1', () => ({ id: 'd1', title: 'x', last_modified: 'later' }))).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(logBytes(dir)).toBe(bytes);
    // A Date is taken too, stored as a UTC ISO string.
    await t.update({ id: 'd1', last_modified: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) } as never);
    expect((await t.get('d1'))!.last_modified).toBe('2030-01-02T03:04:05.000Z');
    await store.close();
  });
});

const counter = path.resolve(import.meta.dirname, '../fixtures/store/counter.mjs');

function runCounter(dir: string, n: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [counter, dir, 'counters', String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, stderr: err }));
  });
}

describe('read-modify-write across processes', () => {
  it('two processes doing 150 modify increments each on one counter end at exactly 300 (version 301)', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('counters', { key: 'id', columns: ['id', 'n'], conflict: 'error' });
    await t.insert({ id: 'c', n: 0 });
    const results = await Promise.all([runCounter(dir, 150), runCounter(dir, 150)]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(await t.get('c')).toMatchObject({ n: 300, version: 301 });
    await store.close();
  });
});
