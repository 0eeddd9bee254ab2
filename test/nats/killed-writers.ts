/**
 * Writer processes killed with SIGKILL mid-write (shared by the one-node and cluster tests): each
 * prints the keys acknowledged to it; after the kills, every acknowledged key must be in the table
 * and the stream must hold each key once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { loggedKeys, sleep } from './raw.js';
import { testNats } from './setup.js';

const writer = path.resolve(import.meta.dirname, 'fixtures/writer.mjs');

interface Writer {
  child: ChildProcess;
  acked: string[];
  stderr: string;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWriter(url: string, table: string, prefix: string, outstanding: number, replicas?: number): Writer {
  const child = spawn(process.execPath, [writer, url, table, prefix, String(outstanding), ...(replicas ? [String(replicas)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w: Writer = { child, acked: [], stderr: '', ready: undefined as never, exited: undefined as never };
  let buf = '';
  let onReady: () => void;
  w.ready = new Promise((resolve) => (onReady = resolve));
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (l === 'ready') onReady();
      else if (l) w.acked.push(l);
    }
  });
  child.stderr!.on('data', (c: Buffer) => (w.stderr += c.toString()));
  w.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return w;
}

/**
 * `rounds` rounds of `n` writers appending with `outstanding` in flight each, each killed with
 * SIGKILL at a random moment once it has had some acknowledgements; then a fresh process-like
 * reader checks every acknowledged key is there and the stream holds each key once.
 */
export async function killWritersAndCheck(url: string, table: string, o: { writers: number; rounds: number; outstanding: number; replicas?: number }): Promise<void> {
  // Made first, so the writers race for nothing but appends.
  const setup = await openStore(url, { nats: { ...testNats, ...(o.replicas ? { replicas: o.replicas as 3 } : {}) } });
  await (await setup.table(table, { key: 'id', columns: ['id', 'n'] })).insert({ id: 'seed', n: 0 });
  await setup.close();
  const acked: string[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const ws = Array.from({ length: o.writers }, (_, i) => startWriter(url, table, `r${round}w${i}`, o.outstanding, o.replicas));
    await Promise.all(ws.map(async (w) => {
      await Promise.race([w.ready, w.exited]);
      const until = Date.now() + 20_000;
      while (w.acked.length < 20 && Date.now() < until && w.child.exitCode === null) await sleep(5);
      await sleep(Math.random() * 300);
      w.child.kill('SIGKILL');
      const r = await w.exited;
      expect(r.signal, `writer ${round}/${ws.indexOf(w)} ended on its own: ${w.stderr}`).toBe('SIGKILL');
    }));
    for (const w of ws) acked.push(...w.acked);
  }
  const reader = await openStore(url, { nats: { ...testNats }, readOnly: true });
  try {
    const t = await reader.table(table);
    const ids = new Set((await t.all()).map((r) => r.id as string));
    const missing = acked.filter((k) => !ids.has(k));
    expect(missing, 'acknowledged keys missing from the table').toEqual([]);
    const logged = await loggedKeys(url, `sdnwal_${table}`);
    expect(logged.length, 'a key logged twice').toBe(new Set(logged).size);
    expect(await t.count()).toBe(logged.length);
  } finally {
    await reader.close();
  }
  expect(acked.length).toBeGreaterThan(o.writers * o.rounds * 20 - 1);
}
