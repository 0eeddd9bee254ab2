/** The table lock against real child processes holding real flocks. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../../src/errors.js';
import { currentBootId, writeControl } from '../../src/wal/control.js';
import { FileLock, acquireLock, isLocked, lockHolderPid, waitForUnlock } from '../../src/wal/lock.js';
import { buildWal } from '../helpers/build-wal.js';
import { tmpDir } from '../helpers/tmp.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const children: ChildProcess[] = [];
const locks: FileLock[] = [];
let buildDir: string;

beforeAll(() => {
  buildDir = buildWal();
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const l of locks.splice(0)) l.close();
});

function lockFor(file: string): FileLock {
  const l = FileLock.for(file);
  locks.push(l);
  return l;
}

/** Resolves when the child has printed `line`. */
function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before printing ${line}; stdout: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A child process holding the flock of every file given until killed or told to release. */
async function holder(...files: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(fixtures, 'hold-lock.mjs'), ...files], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  await waitForLine(child, 'locked');
  return child;
}

function settled(p: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  p.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

describe('FileLock', () => {
  it('acquire_lock_success: takes a free lock, creating the file, and releases it', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const lock = await acquireLock(file);
    locks.push(lock);
    expect(lock).toBe(FileLock.for(file));
    expect(lock.held).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(isLocked(file)).toBe(true);
    lock.release();
    expect(lock.held).toBe(false);
    expect(isLocked(file)).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('acquire_lock_timeout: rejects with LOCK_TIMEOUT naming the holder pid, holding nothing', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const child = await holder(file);
    // The holder's control record names it (written here: the raw-flock child has no record code).
    const fd = fs.openSync(file, 'r+');
    writeControl(fd, { bootId: currentBootId(), activeSeg: 1, publishedEnd: 0, holderPid: child.pid!, waiters: 0, generation: 1 });
    fs.closeSync(fd);
    const lock = lockFor(file);
    const err = await lock.acquire({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
    expect((err as LockTimeoutError).holderPid).toBe(child.pid);
    expect((err as Error).message).toContain(`pid ${child.pid}`);
    expect(lock.held).toBe(false);
    expect(lockHolderPid(file)).toBe(child.pid);
    // The in-process mutex was given back: once the holder goes, the lock is takeable.
    child.kill('SIGKILL');
    await exited(child);
    await lock.acquire({ timeoutMs: 10_000 });
    expect(lock.held).toBe(true);
    // ... and taking it stamped our pid in the record.
    expect(lockHolderPid(file)).toBe(process.pid);
    lock.release();
  });

  it('acquire_lock_timeout: an in-process waiter times out behind this process\'s own holder', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const lock = lockFor(file);
    await lock.acquire();
    const err = await lock.acquire({ timeoutMs: 20 }).catch((e: unknown) => e);
    expect((err as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
    lock.release();
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('lock_auto_release: a SIGKILLed holder\'s lock is released by the kernel', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const child = await holder(file);
    expect(isLocked(file)).toBe(true);
    const lock = lockFor(file);
    const pending = lock.acquire({ timeoutMs: 30_000 });
    child.kill('SIGKILL');
    await pending;
    expect(lock.held).toBe(true);
    lock.release();
  });

  it('is_locked: false for a missing file (nothing created), true while a process or this process holds it', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'todos.lock');
    expect(isLocked(file)).toBe(false);
    expect(isLocked(path.join(dir, 'missing-dir', 'x.lock'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
    const child = await holder(file);
    expect(isLocked(file)).toBe(true);
    child.stdin!.write('release\n');
    await waitForLine(child, 'released');
    expect(isLocked(file)).toBe(false);
    const lock = lockFor(file);
    expect(lock.tryAcquire()).toBe(true);
    expect(isLocked(file)).toBe(true);
    lock.release();
    expect(isLocked(file)).toBe(false);
  });

  it('wait_for_unlock: resolves when the holder releases, LOCK_TIMEOUT before', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    await waitForUnlock(file, 0); // missing file: nothing to wait for
    await waitForUnlock(path.join(tmpDir(), 'free.lock'), 100);
    const child = await holder(file);
    const err = await waitForUnlock(file, 50).catch((e: unknown) => e);
    expect((err as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
    const waiting = waitForUnlock(file, 30_000);
    const state = settled(waiting);
    await new Promise((r) => setTimeout(r, 20));
    expect(state.done).toBe(false);
    child.stdin!.write('release\n');
    await waiting;
    expect(isLocked(file)).toBe(false);
  });

  it('concurrent_lock_attempts: in-process acquirers serialize in FIFO order', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const lock = lockFor(file);
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await lock.acquire();
        inside++;
        maxInside = Math.max(maxInside, inside);
        order.push(i);
        await new Promise((r) => setImmediate(r));
        inside--;
        lock.release();
      }),
    );
    expect(maxInside).toBe(1);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(lock.held).toBe(false);
  });

  it('concurrent_lock_attempts: 4 processes x 50 increments under the lock reach 200', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'todos.lock');
    const counter = path.join(dir, 'counter');
    fs.writeFileSync(counter, '0');
    const kids = Array.from({ length: 4 }, () => {
      const c = spawn(process.execPath, [path.join(fixtures, 'lock-counter.mjs'), buildDir, file, counter, '50'], { stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(c);
      return c;
    });
    const codes = await Promise.all(kids.map(exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(fs.readFileSync(counter, 'utf8')).toBe('200');
  });

  it('yields to a process that has waited: a holder re-locking in a loop does not starve it', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const lock = lockFor(file);
    await lock.acquire();
    const child = spawn(process.execPath, [path.join(fixtures, 'lock-wait.mjs'), buildDir, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await waitForLine(child, 'waiting');
    let got = false;
    void waitForLine(child, 'got').then(() => (got = true), () => undefined);
    // Release and immediately re-take, over and over: without the waiter hint the child's
    // backoff sleeps would almost never meet the short gaps.
    let rounds = 0;
    while (!got && rounds < 5000) {
      lock.release();
      await lock.acquire({ timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 1));
      rounds++;
    }
    lock.release();
    expect(got).toBe(true);
    expect(await exited(child)).toBe(0);
  });

  it('keeps the event loop free while waiting: a timer fires during the wait', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    const child = await holder(file);
    const lock = lockFor(file);
    const pending = lock.acquire({ timeoutMs: 30_000 });
    const state = settled(pending);
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (++ticks >= 5) {
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
    expect(ticks).toBe(5);
    expect(state.done).toBe(false);
    child.stdin!.write('release\n');
    await pending;
    expect(lock.held).toBe(true);
    lock.release();
  });

  it('keeps the threadpool free: 16 waiters do not stop an unrelated fs.promises call', async () => {
    const dir = tmpDir();
    const files = Array.from({ length: 16 }, (_, i) => path.join(dir, `t${i}.lock`));
    const child = await holder(...files);
    const waits = files.map((f) => lockFor(f).acquire({ timeoutMs: 30_000 }));
    const states = waits.map(settled);
    // A libuv pool has 4 threads by default: 16 parked flocks would starve this read forever.
    const data = path.join(dir, 'data.txt');
    fs.writeFileSync(data, 'hello');
    expect(await fs.promises.readFile(data, 'utf8')).toBe('hello');
    expect(states.every((s) => !s.done)).toBe(true);
    child.stdin!.write('release\n');
    await Promise.all(waits);
    for (const f of files) FileLock.for(f).release();
  });

  it('rejects with the abort reason when aborted, holding nothing', async () => {
    const file = path.join(tmpDir(), 'todos.lock');
    await holder(file);
    const lock = lockFor(file);
    const ac = new AbortController();
    const pending = lock.acquire({ timeoutMs: 30_000, signal: ac.signal });
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(lock.held).toBe(false);
  });

  it('throws TypeError on misuse', async () => {
    const lock = lockFor(path.join(tmpDir(), 'todos.lock'));
    expect(() => lock.release()).toThrow(TypeError);
    await expect(lock.acquire({ timeoutMs: -1 })).rejects.toThrow(TypeError);
  });
});
