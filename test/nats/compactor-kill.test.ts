/**
 * The compactor killed with SIGKILL at random points (a `sdnwal compact nats://…` process):
 * afterwards reads are exact (snapshot object + stream; nothing purged that the current snapshot
 * does not hold, a half-written object never read as a snapshot), and the next compaction runs at
 * once: a dead compactor's lease on this machine is taken over without waiting for it to expire.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { sleep } from './raw.js';
import { HAVE_NATS, oneNode, testNats } from './setup.js';

const bin = path.resolve(import.meta.dirname, '../../bin/sdnwal.js');

/** Start `sdnwal compact <url> <table>`, SIGKILL it after `ms` (if still running); resolves with its exit. */
function compactKilledAfter(url: string, table: string, ms: number): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'compact', url, table, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

describe.skipIf(!HAVE_NATS)('NATS store: the compactor killed', () => {
  const node = oneNode();
  const open = node.open;

  test('kill -9 a compacting process at random moments: reads stay exact, the next compaction runs at once', async () => {
    const s = await open();
    const t = await s.table('ck', { key: 'id', columns: ['id', 'n', 'pad'] });
    const expected = new Map<string, number>();
    const ROWS = 20_000;
    for (let i = 0; i < ROWS; i += 1000) {
      await t.insertMany(Array.from({ length: 1000 }, (_, j) => ({ id: `k${i + j}`, n: 0, pad: 'x'.repeat(100) })));
      for (let j = 0; j < 1000; j++) expected.set(`k${i + j}`, 0);
    }
    const write = async (round: number, n: number): Promise<void> => {
      await Promise.all(Array.from({ length: n }, (_, i) => {
        const id = `k${(round * 7919 + i * 13) % ROWS}`;
        expected.set(id, round);
        return t.update({ id, n: round, pad: 'y'.repeat(100) });
      }));
    };
    // How long an unhurried compaction process takes here: the kills land within it.
    const t0 = Date.now();
    const whole = await compactKilledAfter(node.server.url, 'ck', 60_000);
    expect(whole.code, whole.out).toBe(0);
    const span = Date.now() - t0;
    // Fresh readers open snapshots while the compactions run and die.
    let reading = true;
    const readErrors: unknown[] = [];
    const readers = (async () => {
      while (reading) {
        const r = await openStore(node.server.url, { nats: { ...testNats }, readOnly: true });
        try {
          const n = await (await r.table('ck')).count();
          if (n !== ROWS) readErrors.push(new Error(`a reader counted ${n}`));
        } catch (err) {
          readErrors.push(err);
        } finally {
          await r.close();
        }
      }
    })();
    const outcomes: string[] = [];
    for (let round = 1; round <= 8; round++) {
      await write(round, 400);
      const r = await compactKilledAfter(node.server.url, 'ck', Math.floor(span * (0.25 + Math.random() * 0.75)));
      outcomes.push(r.signal ?? `exit ${r.code}`);
      if (r.signal === null) expect(r.code, r.out).toBe(0);
      // Not blocked by the dead compactor's lease: this one runs now (and finds work, or nothing new).
      if (round % 2 === 0) {
        const rep = await t.compact();
        expect(rep.reason ?? '').not.toMatch(/already running/);
      }
      const fresh = await openStore(node.server.url, { nats: { ...testNats }, readOnly: true });
      try {
        const rows = await (await fresh.table('ck')).all();
        expect(rows).toHaveLength(expected.size);
        for (const row of rows) expect(row.n).toBe(expected.get(row.id as string));
      } finally {
        await fresh.close();
      }
    }
    reading = false;
    await readers;
    console.log(`a whole compaction process: ${span} ms; outcomes: ${outcomes.join(', ')}`);
    expect(readErrors).toEqual([]);
    const last = await t.compact();
    expect(last.reason ?? '').not.toMatch(/already running/);
    expect(await t.count()).toBe(expected.size);
  }, 90_000);

  test('readers loading the snapshot while compactions replace it neither hang nor fail', async () => {
    const s = await open();
    const t = await s.table('swap', { key: 'id', columns: ['id', 'n', 'pad'] });
    const ROWS = 10_000;
    for (let i = 0; i < ROWS; i += 1000) await t.insertMany(Array.from({ length: 1000 }, (_, j) => ({ id: `k${i + j}`, n: 0, pad: 'x'.repeat(100) })));
    let compacting = true;
    const problems: string[] = [];
    let loads = 0;
    const reader = async (): Promise<void> => {
      while (compacting) {
        const r = await openStore(node.server.url, { nats: { ...testNats }, readOnly: true });
        try {
          const n = await Promise.race([(await r.table('swap')).count(), sleep(30_000).then(() => -1)]); // a hang is for ever; 30 s leaves room for busy cores
          if (n !== ROWS) problems.push(n === -1 ? 'a reader hung loading the snapshot' : `a reader counted ${n}`);
          loads++;
        } catch (err) {
          problems.push(String(err));
        } finally {
          await r.close();
        }
      }
    };
    const readers = Promise.all([reader(), reader(), reader()]);
    for (let round = 1; round <= 8; round++) {
      await t.update({ id: `k${round}`, n: round, pad: '' });
      const rep = await t.compact();
      expect(rep.skipped).toBe(false);
    }
    compacting = false;
    await readers;
    console.log(`${loads} snapshot loads during 8 compactions`);
    expect(problems).toEqual([]);
  }, 90_000);
});
