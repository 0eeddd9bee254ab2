/**
 * Opening a table that fails (src/store/local-backend.ts, store.ts): nothing is made for writing a
 * table opened with other options than its own, and nothing stays open (docs/protocol.md §1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { tablePaths } from '../../src/wal/paths.js';
import { openFds } from '../helpers/fds.js';
import { tmpDir } from '../helpers/tmp.js';


describe('opening a table that fails', () => {
  it('SCHEMA_MISMATCH is refused before the table\'s log is made', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 't.sdn'), 't |id, a|\n    "k1", 1\n');
    const store = await openStore(dir);
    await expect(store.table('t', { key: 'id', columns: ['id', 'zz'] })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    expect(fs.existsSync(tablePaths(dir, 't').wal)).toBe(false);
    // Opened as it is, it gets its log.
    expect(await (await store.table('t')).count()).toBe(1);
    expect(fs.existsSync(tablePaths(dir, 't').wal)).toBe(true);
    await store.close();
  });

  it('a table whose log cannot be created (lock held elsewhere) keeps no descriptor open', async () => {
    const dir = tmpDir();
    const s = await openStore(dir);
    await (await s.table('t', { key: 'id' })).insert({ id: 'a' });
    await s.close();
    // The log directory is gone (the snapshot names the table id), and another process holds the lock.
    fs.rmSync(tablePaths(dir, 't').wal, { recursive: true });
    const store = await openStore(dir, { lockTimeoutMs: 50 });
    const fsExt = (await import('fs-ext')).default;
    const other = fs.openSync(path.join(dir, 't.lock'), 'r+');
    fsExt.flockSync(other, 'exnb');
    const before = openFds();
    await expect(store.table('t')).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(openFds()).toEqual(before);
    fsExt.flockSync(other, 'un');
    fs.closeSync(other);
    await store.close();
  });
});
