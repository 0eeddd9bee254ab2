import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type WatchEntry } from '../../src/index.js';
import { tmpDir } from '../helpers/tmp.js';

const appender = path.resolve(import.meta.dirname, '../fixtures/store/appender.mjs');
const churn = path.resolve(import.meta.dirname, '../fixtures/store/churn.mjs');
const columns = ['id', 'writer', 'n', 'text'];

/** The next `n` entries of a watch (then leave it open for more). */
async function take(it: AsyncIterator<WatchEntry>, n: number): Promise<WatchEntry[]> {
  const out: WatchEntry[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

const keys = (es: WatchEntry[]): string[] => es.flatMap((e) => e.rows.map((r) => r.key));

function runAppender(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [appender, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, stderr: err }));
  });
}

describe('table.watch()', () => {
  it("sees all 100 entries another process appends, in order, each once", async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id', columns });
    await t.insert({ id: 'before', writer: 'parent', n: -1, text: 'not watched' });
    const it = t.watch();
    const child = runAppender([dir, 'events', 'w', '100', '1']);
    const seen = await take(it, 100);
    expect((await child).code).toBe(0);
    expect(keys(seen)).toEqual(Array.from({ length: 100 }, (_, i) => `w-${i}`));
    expect(seen.every((e) => e.operation === 'insert' && typeof e.timestamp === 'number')).toBe(true);
    // Log order: (segment, offset) strictly increasing.
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(b.segment > a.segment || (b.segment === a.segment && b.offset > a.offset)).toBe(true);
    }
    await it.return!();
    await store.close();
  });

  it('starts after the current end; fromStart starts just above the snapshot', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id' });
    await t.insert({ id: 'a' });
    await t.compact();
    await t.insert({ id: 'b' });
    await t.update({ id: 'b', x: 1 });
    const fromEnd = t.watch();
    const fromStart = t.watch({ fromStart: true });
    await t.delete('a');
    expect((await take(fromEnd, 1)).map((e) => [e.operation, e.rows[0]!.key])).toEqual([['delete', 'a']]);
    expect((await take(fromStart, 3)).map((e) => [e.operation, e.rows[0]!.key])).toEqual([['insert', 'b'], ['update', 'b'], ['delete', 'a']]);
    await store.close();
  });

  it('ends when its signal aborts and when the store closes; a closed table gives an ended iterator', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id' });
    const ac = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of t.watch({ signal: ac.signal })) seen.push(e.rows[0]!.key);
      return 'ended';
    })();
    await t.insert({ id: 'x' });
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(loop).resolves.toBe('ended');
    expect(seen).toEqual(['x']);

    const open = t.watch();
    const pending = open.next();
    await store.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(t.watch().next()).resolves.toMatchObject({ done: true });
    await expect(Promise.resolve().then(() => t.watch({ pollMs: 0 }))).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('survives compaction: a slow consumer still gets every entry exactly once after its segments were compacted away', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id' });
    const it = t.watch({ pollMs: 10 });
    const written: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 5; i++) {
        const id = `r${round}-${i}`;
        await t.insert({ id });
        written.push(id);
      }
      // Each compaction deletes the log its predecessor absorbed: by the last one, the first
      // segments the watcher has not read yet are gone from the directory.
      await t.compact();
    }
    const seen = await take(it, written.length);
    expect(keys(seen)).toEqual(written);
    await t.insert({ id: 'last' });
    expect(keys(await take(it, 1))).toEqual(['last']);
    await store.close();
  });

  it('works from a read-only store (it takes no lock and creates nothing)', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id', columns });
    const reader = await openStore(dir, { readOnly: true });
    const rt = await reader.table('events');
    const it = rt.watch({ pollMs: 5 });
    await runAppender([dir, 'events', 'ro', '5', '1']);
    expect(keys(await take(it, 5))).toEqual(['ro-0', 'ro-1', 'ro-2', 'ro-3', 'ro-4']);
    expect(await rt.count()).toBe(await t.count());
    await Promise.all([store.close(), reader.close()]);
  });

  it('throws WATCH_GAP, never skips silently, when a segment was created and deleted while its event loop was blocked', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id', columns });
    const it = t.watch();
    await t.insert({ id: 'mine', writer: 'parent', n: 0, text: '' });
    // spawnSync blocks this event loop while the child rolls and compacts three times.
    const r = spawnSync(process.execPath, [churn, dir, 'events'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of it) seen.push(...e.rows.map((row) => row.key));
    })().catch((e: unknown) => e);
    // The first segment was held open from the start: what it had is delivered, then the gap is reported.
    expect(seen).toEqual(['mine', 'churn-a']);
    expect(err).toMatchObject({ code: 'WATCH_GAP' });
    await store.close();
  });
});

describe('watch() when the store directory is made again', () => {
  it('fails with WATCH_GAP instead of waiting for ever on the old log', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('t', { key: 'id' });
    const it = t.watch({ pollMs: 20 });
    await t.insert({ id: 'a' });
    expect((await it.next()).value?.rows[0]?.key).toBe('a');
    fs.rmSync(dir, { recursive: true, force: true });
    const again = await openStore(dir);
    const t2 = await again.table('t', { key: 'id' });
    await t2.insert({ id: 'b' });
    await expect(it.next()).rejects.toMatchObject({ code: 'WATCH_GAP', message: expect.stringMatching(/store directory was removed and made again/) });
    await again.close();
    await store.close();
  });
});
