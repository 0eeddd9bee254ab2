/**
 * The catch-up reader under load (src/store/follower.ts): reads, count() and watch() in this
 * process while two writer processes append and compactions here roll, absorb and delete the
 * segments being read. Run with the cores busy: the races showed only under CPU load.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import type { WatchEntry } from '../../src/store/watch.js';
import { busyCores, type Busy } from '../helpers/busy.js';
import { tmpDir } from '../helpers/tmp.js';

const appender = path.resolve(import.meta.dirname, '../fixtures/store/appender.mjs');
let busy: Busy | undefined;

afterEach(() => {
  busy?.stop();
  busy = undefined;
});

function child(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [appender, ...args], { stdio: 'ignore' });
    c.on('close', resolve);
  });
}

describe('reads and watch() while other processes append and compactions run', () => {
  it('watch() yields every entry once; reads are whole and never go back', { timeout: 120_000 }, async () => {
    busy = busyCores();
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id', columns: ['id', 'writer', 'n', 'text'] });
    const reader = await openStore(dir, { readOnly: true });
    const counter = await reader.table('events');
    const seen: WatchEntry[] = [];
    const w = t.watch({ fromStart: true, pollMs: 5 });
    const consuming = (async () => {
      for await (const e of w) {
        seen.push(e);
        if (seen.length === 800) break;
        // A slow consumer: compactions take its segments meanwhile.
        if (seen.length % 50 === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const writers = Promise.all(['a', 'b'].map((p) => child([dir, 'events', p, '400', '8'])));
    let done = false;
    void writers.then(() => (done = true));
    let last = 0;
    let lastCount = 0;
    for (let reads = 1; !done; reads++) {
      const rows = await t.all();
      expect(rows.length).toBeGreaterThanOrEqual(last);
      last = rows.length;
      for (const r of rows) expect(r.id).toBe(`${r.writer}-${r.n}`);
      const n = await counter.count();
      expect(n).toBeGreaterThanOrEqual(lastCount);
      lastCount = n;
      await new Promise((r) => setTimeout(r, 5));
      if (reads % 4 === 0) await t.compact();
    }
    expect(await writers).toEqual([0, 0]);
    await Promise.race([consuming, new Promise((_, reject) => setTimeout(() => reject(new Error(`watch saw ${seen.length} of 800`)), 30_000))]);
    const ids = seen.flatMap((e) => e.rows.map((r) => r.key));
    expect(new Set(ids).size).toBe(800);
    expect(ids.length).toBe(800);
    for (const p of ['a', 'b']) {
      const ns = ids.filter((id) => id.startsWith(`${p}-`)).map((id) => Number(id.slice(2)));
      expect(ns.length).toBe(400);
    }
    expect(await t.count()).toBe(800);
    expect(await counter.count()).toBe(800);
    await reader.close();
    await store.close();
  });
});
