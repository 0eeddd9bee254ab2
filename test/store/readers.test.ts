// Readers during writes and compaction (the seed's race scenario): a reader in this process
// polls count()/all() while child processes append and compactions run; it must never see a
// partial or torn view, and autoCompact folds the log in-process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { tmpDir } from '../helpers/tmp.js';

const appender = path.resolve(import.meta.dirname, '../fixtures/store/appender.mjs');
const columns = ['id', 'writer', 'n', 'text'];

function child(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [appender, ...args], { stdio: 'ignore' });
    c.on('close', resolve);
  });
}

describe('readers during writes and compaction', () => {
  it('see a growing, consistent table: counts never go down, every row whole, per-writer prefixes', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    const t = await store.table('events', { key: 'id', columns });
    const writers = Promise.all(['a', 'b'].map((p) => child([dir, 'events', p, '300', '8'])));
    let done = false;
    void writers.then(() => (done = true));
    let last = 0;
    let reads = 0;
    let compactions = 0;
    while (!done) {
      const rows = await t.all();
      expect(rows.length).toBeGreaterThanOrEqual(last);
      last = rows.length;
      for (const r of rows) expect(r).toEqual({ id: `${r.writer}-${r.n}`, writer: r.writer, n: r.n, text: `record ${r.n} of ${r.writer}` });
      // Each writer acknowledges in order with 8 in flight, so its rows form a near-prefix.
      for (const w of ['a', 'b']) {
        const ns = rows.filter((r) => r.writer === w).map((r) => r.n as number);
        if (ns.length) expect(Math.max(...ns)).toBeLessThan(ns.length + 8);
      }
      reads++;
      // Reads resolve without I/O; give the event loop a turn to see the children finish.
      await new Promise((r) => setTimeout(r, 5));
      if (reads % 5 === 0) {
        await t.compact();
        compactions++;
      }
    }
    expect(await writers).toEqual([0, 0]);
    expect(await t.count()).toBe(600);
    expect(compactions).toBeGreaterThan(0);
    await store.close();
  });

  it('autoCompact folds the log in-process once it passes afterBytes', async () => {
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'none', autoCompact: { everyMs: 50, afterBytes: 1 } });
    const t = await store.table('big', { key: 'id' });
    // More than the 4 MiB floor of the compaction threshold.
    const text = 'x'.repeat(1000);
    for (let i = 0; i < 50; i++) await t.insertMany(Array.from({ length: 100 }, (_, j) => ({ id: `${i}-${j}`, text })));
    const snapshot = path.join(dir, 'big.sdn');
    const before = fs.statSync(snapshot).size;
    for (let i = 0; i < 100 && fs.statSync(snapshot).size === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(snapshot).size).toBeGreaterThan(before);
    expect(await t.count()).toBe(5000);
    await store.close();
  });
});
