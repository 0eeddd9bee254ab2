// `sdnwal sdn set|fmt` on a store table's own snapshot: the edit keeps the snapshot valid (row
// count, rows CRC), holds compact.lock, and reads back through the store.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { FileLock } from '../../src/wal/lock.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

async function seeded(): Promise<string> {
  const dir = tmpDir();
  const store = await openStore(dir);
  const t = await store.table('todos', { key: 'id', columns: ['id', 'status'] });
  await t.insertMany([{ id: 'a', status: 'open' }, { id: 'b', status: 'open' }]);
  await t.compact();
  await store.close();
  return dir;
}

describe('sdn set|fmt on a table snapshot', () => {
  it('set changes a cell through the snapshot writer; the store reads it, verify stays clean', async () => {
    const dir = await seeded();
    const file = path.join(dir, 'todos.sdn');
    const r = await runCli(['sdn', 'set', file, 'todos.1.status', 'done']);
    expect(r.code, r.stderr).toBe(0);
    const store = await openStore(dir);
    expect(await (await store.table('todos')).get('b')).toEqual({ id: 'b', status: 'done' });
    await store.close();
    const v = await runCli(['verify', dir, '--json']);
    expect(v.code, v.stdout).toBe(0);
  });

  it('refuses meta edits, missing rows and a duplicate key, changing nothing', async () => {
    const dir = await seeded();
    const file = path.join(dir, 'todos.sdn');
    const before = fs.readFileSync(file, 'utf8');
    expect((await runCli(['sdn', 'set', file, 'meta.absorbed_segment', '0'])).code).toBe(1);
    expect((await runCli(['sdn', 'set', file, 'todos.9.status', 'x'])).code).toBe(1);
    expect((await runCli(['sdn', 'set', file, 'todos.1.id', 'a'])).code).toBe(1);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('waits for no compaction: a held compact.lock makes set fail cleanly', async () => {
    const dir = await seeded();
    const lock = FileLock.for(path.join(dir, 'todos.compact.lock'));
    await lock.acquire({ timeoutMs: 1000 });
    try {
      const r = await runCli(['sdn', 'set', path.join(dir, 'todos.sdn'), 'todos.0.status', 'x']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/compaction of todos is running/);
    } finally {
      lock.release();
    }
  });

  it('fmt leaves a table snapshot as written and --check calls it formatted', async () => {
    const dir = await seeded();
    const file = path.join(dir, 'todos.sdn');
    const before = fs.readFileSync(file, 'utf8');
    expect((await runCli(['sdn', 'fmt', file])).code).toBe(0);
    expect((await runCli(['sdn', 'fmt', file, '--check'])).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});
