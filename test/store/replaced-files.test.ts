/**
 * A store directory or lock file deleted and created again under running processes (issue 13):
 * no process locks a deleted inode, so frames never interleave and nothing acknowledged is lost.
 * Run with the cores busy: the races showed only under CPU load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, verify } from '../../src/index.js';
import { FileLock } from '../../src/wal/lock.js';
import { busyCores, type Busy } from '../helpers/busy.js';
import { tmpDir } from '../helpers/tmp.js';

const scannerScript = path.resolve(import.meta.dirname, '../fixtures/store/scanner.mjs');
const COLUMNS = ['id', 'writer', 'n'];

interface Scanner {
  child: ChildProcess;
  acked: string[];
  /** Resolves once `n` more records than now were acknowledged. */
  more(n: number): Promise<void>;
  /** Tell it to stop; resolves with its exit code once it closed its store. */
  stop(): Promise<number | null>;
  stderr(): string;
}

const running: ChildProcess[] = [];
let busy: Busy | undefined;

afterEach(() => {
  busy?.stop();
  busy = undefined;
  for (const c of running.splice(0)) c.kill('SIGKILL');
});

function scanner(dir: string, prefix: string): Scanner {
  const child = spawn(process.execPath, [scannerScript, dir, 't', prefix, '8'], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.push(child);
  const acked: string[] = [];
  let partial = '';
  let err = '';
  const watchers: Array<() => void> = [];
  child.stdout!.on('data', (c) => {
    const lines = (partial + c).split('\n');
    partial = lines.pop()!;
    acked.push(...lines);
    for (const w of watchers.slice()) w();
  });
  child.stderr!.on('data', (c) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    acked,
    stderr: () => err,
    more: (n) => {
      const target = acked.length + n;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (acked.length >= target) resolve();
        };
        watchers.push(check);
        void exit.then((code) => reject(new Error(`scanner ${prefix} exited (${code}) after ${acked.length} acks: ${err}`)));
        check();
      });
    },
    stop: () => {
      child.stdin!.write('stop\n');
      return exit;
    },
  };
}

async function expectExactly(dir: string, ids: string[]): Promise<void> {
  const report = await verify(dir);
  expect(report.ok, JSON.stringify(report)).toBe(true);
  const store = await openStore(dir, { recovery: 'strict' });
  const rows = await (await store.table('t')).all();
  await store.close();
  const got = rows.map((r) => r.id as string);
  expect(got.length).toBe(new Set(got).size);
  expect(new Set(got)).toEqual(new Set(ids));
}

describe('files deleted and created again under running processes', () => {
  it('closing a store closes its lock descriptors', async () => {
    const dir = tmpDir();
    const store = await openStore(dir);
    await (await store.table('t', { key: 'id', columns: COLUMNS })).insert({ id: 'a', writer: 'p', n: 0 });
    expect(FileLock.for(path.join(dir, 't.lock')).isOpen).toBe(true);
    await store.close();
    expect(FileLock.for(path.join(dir, 't.lock')).isOpen).toBe(false);
    expect(FileLock.for(path.join(dir, 't.compact.lock')).isOpen).toBe(false);
  });

  it('a store directory removed and created again by another process: reopening here neither fails nor cuts its frames', async () => {
    busy = busyCores();
    const dir = path.join(tmpDir(), 'db');
    const first = await openStore(dir);
    await (await first.table('t', { key: 'id', columns: COLUMNS })).insert({ id: 'old', writer: 'p', n: 0 });
    await first.close();
    fs.rmSync(dir, { recursive: true });
    const other = scanner(dir, 'other');
    await other.more(100);
    for (let round = 0; round < 3; round++) {
      const again = await openStore(dir);
      const t = await again.table('t', { key: 'id', columns: COLUMNS });
      await Promise.all(Array.from({ length: 20 }, (_, i) => t.insert({ id: `here-${round}-${i}`, writer: 'p', n: i })));
      await again.close();
      await other.more(50);
    }
    expect(await other.stop(), other.stderr()).toBe(0);
    expect(other.stderr()).not.toMatch(/^failed /m);
    const mine = Array.from({ length: 3 }, (_, r) => Array.from({ length: 20 }, (_, i) => `here-${r}-${i}`)).flat();
    await expectExactly(dir, [...other.acked, ...mine]);
  }, 60_000);

  it('a store directory removed and made again under a running writer: its later appends land in the new directory, readable and undamaged', async () => {
    busy = busyCores();
    const dir = path.join(tmpDir(), 'db');
    const a = scanner(dir, 'a');
    await a.more(100);
    // Moved away in one step (the writer keeps creating files in it), then deleted, then made again.
    fs.renameSync(dir, `${dir}.gone`);
    fs.mkdirSync(dir);
    fs.rmSync(`${dir}.gone`, { recursive: true, force: true, maxRetries: 20 });
    // Appends in flight at the moment of removal may be lost with the directory: count from after them.
    const from = a.acked.length + 16;
    await a.more(300);
    expect(await a.stop(), a.stderr()).toBe(0);
    const report = await verify(dir);
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const store = await openStore(dir);
    const ids = new Set((await (await store.table('t', { key: 'id', columns: COLUMNS })).all()).map((r) => r.id as string));
    await store.close();
    const missing = a.acked.slice(from).filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
    // An append made while the directory was missing is refused as NOT_FOUND, never acknowledged.
    for (const line of a.stderr().split('\n').filter((l) => l.startsWith('failed '))) expect(line).toMatch(/ NOT_FOUND$/);
  }, 60_000);

  it('the lock file deleted while a writer runs: a second writer does not interleave frames with it', async () => {
    busy = busyCores();
    const dir = tmpDir();
    const s = await openStore(dir);
    await s.table('t', { key: 'id', columns: COLUMNS });
    await s.close();
    const a = scanner(dir, 'a');
    await a.more(100);
    fs.unlinkSync(path.join(dir, 't.lock'));
    const b = scanner(dir, 'b');
    await Promise.all([a.more(300), b.more(300)]);
    fs.unlinkSync(path.join(dir, 't.lock'));
    await Promise.all([a.more(200), b.more(200)]);
    expect(await a.stop(), a.stderr()).toBe(0);
    expect(await b.stop(), b.stderr()).toBe(0);
    expect(a.stderr() + b.stderr()).not.toMatch(/^failed /m);
    await expectExactly(dir, [...a.acked, ...b.acked]);
  }, 60_000);
});
