import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { tmpDir } from '../helpers/tmp.js';

const appender = path.resolve(import.meta.dirname, '../fixtures/store/appender.mjs');
const holdLock = path.resolve(import.meta.dirname, '../fixtures/hold-lock.mjs');

function run(args: string[]): Promise<{ code: number | null; acked: string[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [appender, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, acked: out.split('\n').filter(Boolean), stderr: err }));
  });
}

describe('several processes appending to one table', () => {
  it('4 durable writers: every acknowledged record present exactly once, frames never interleaved', async () => {
    const dir = tmpDir();
    // Create the table first so the children agree on its definition.
    const s = await openStore(dir);
    await s.table('events', { key: 'id', columns: ['id', 'writer', 'n', 'text'] });
    await s.close();
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((p) => run([dir, 'events', p, '300', '16'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const acked = results.flatMap((r) => r.acked);
    expect(acked).toHaveLength(1200);
    const store = await openStore(dir);
    const t = await store.table('events');
    const rows = await t.all();
    expect(rows).toHaveLength(1200);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(acked));
    // Each writer's records keep their order within the log.
    for (const p of ['a', 'b', 'c', 'd']) {
      const ns = rows.filter((r) => r.writer === p).map((r) => r.n as number);
      expect(ns).toHaveLength(300);
    }
    await store.close();
  });

  it('writers racing to create a new table agree on one table id and definition', async () => {
    const dir = tmpDir();
    const results = await Promise.all(['a', 'b', 'c'].map((p) => run([dir, 'fresh', p, '50', '4'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const store = await openStore(dir);
    expect(await (await store.table('fresh')).count()).toBe(150);
    await store.close();
  });

  it("creating a table holds compact.lock, so another process's recovery never deletes its temp snapshot", async () => {
    // Recovery deletes `<table>.sdn.tmp` unless compact.lock is held (docs/protocol.md §9 step 2).
    const dir = tmpDir();
    const holder = spawn(process.execPath, [holdLock, path.join(dir, 'fresh.compact.lock')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = (want: string): Promise<void> => new Promise((resolve) => holder.stdout.on('data', (c) => String(c).includes(want) && resolve()));
    try {
      await line('locked');
      const store = await openStore(dir, { lockTimeoutMs: 300 });
      await expect(store.table('fresh', { key: 'id' })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
      expect(fs.existsSync(path.join(dir, 'fresh.sdn'))).toBe(false);
      const released = line('released');
      holder.stdin.write('release\n');
      await released;
      const t = await store.table('fresh', { key: 'id' });
      await t.insert({ id: 'a' });
      expect(await t.count()).toBe(1);
      await store.close();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
