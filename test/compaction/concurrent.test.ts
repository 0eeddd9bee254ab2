import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { compactTable, type CompactReport } from '../../src/compaction/compactor.js';
import { readSnapshotMeta } from '../../src/snapshot/meta.js';
import { tablePaths } from '../../src/wal/paths.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildLibrary } from '../helpers/build-wal.js';
import { readState } from '../snapshot/helpers.js';

const child = path.resolve(import.meta.dirname, '../fixtures/snapshot/append-child.mjs');
let indexJs = '';

beforeAll(() => {
  indexJs = buildLibrary();
}, 120_000);

function runWriter(dir: string, name: string, count: number): { done: Promise<number>; acks: string[] } {
  const acks: string[] = [];
  const p = spawn(process.execPath, [child, indexJs, dir, name, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const l of lines) if (l.startsWith('ack ')) acks.push(l.slice(4));
  });
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number>((resolve) => p.on('exit', (code) => {
    if (code !== 0) console.error(`writer ${name} exited ${code}: ${err}`);
    resolve(code ?? -1);
  }));
  return { done, acks };
}

describe('compaction while writer processes append', () => {
  it('loses nothing and doubles nothing: every acknowledged row is present once, each write applied once', async () => {
    const dir = tmpDir();
    const store = await openStore(dir, { sync: 'always' });
    await store.table('todos', { key: 'id' });
    await store.close();
    const paths = tablePaths(dir, 'todos');

    const N = 250;
    const writers = [runWriter(dir, 'a', N), runWriter(dir, 'b', N)];
    let running = true;
    const exits = Promise.all(writers.map((w) => w.done)).finally(() => (running = false));
    const reports: CompactReport[] = [];
    while (running) {
      reports.push(await compactTable(paths, undefined, { force: true }));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await exits).toEqual([0, 0]);
    reports.push(await compactTable(paths, undefined, { force: true }));

    const acked = writers.flatMap((w) => w.acks);
    expect(acked).toHaveLength(2 * N);
    const state = readState(paths);
    expect(state.size).toBe(2 * N);
    for (const id of acked) {
      const [name, i] = id.split('-');
      expect(state.get(id)).toEqual({ id, writer: name, i: Number(i), note: Number(i) % 2 ? null : `row ${i}` });
    }
    // Each logged insert was folded in exactly once across all the compactions (a doubled one would be a replace).
    const ran = reports.filter((r) => !r.skipped);
    expect(ran.length).toBeGreaterThan(1);
    expect(ran.reduce((s, r) => s + r.counts.inserted, 0)).toBe(2 * N);
    expect(ran.reduce((s, r) => s + r.counts.replaced, 0)).toBe(0);
    expect(readSnapshotMeta(paths.snapshot)).toMatchObject({ rowCount: 2 * N });
  }, 120_000);
});
