/** The lock knows its file: a deleted or replaced lock file is never locked in its stead, and descriptors do not outlive their users. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLock } from '../../src/wal/lock.js';
import { tmpDir } from '../helpers/tmp.js';

const holdLock = path.resolve(import.meta.dirname, '../fixtures/hold-lock.mjs');
const children: ChildProcess[] = [];
const retained: FileLock[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const l of retained.splice(0)) {
    if (l.held) l.release();
    l.unref();
  }
});

/** A child holding the flock of `file` (created if missing) until it reads "release". */
function holder(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [holdLock, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => String(c).includes('locked') && resolve(child));
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

function released(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.stdout!.on('data', (c) => String(c).includes('released') && resolve());
    child.stdin!.write('release\n');
  });
}

/** A lock kept open between takes, as a table's writer keeps it. */
function retainedLock(file: string): FileLock {
  const lock = FileLock.for(file).retain();
  retained.push(lock);
  return lock;
}

function inodeOf(fdOrPath: number | string): number {
  return typeof fdOrPath === 'number' ? fs.fstatSync(fdOrPath).ino : fs.statSync(fdOrPath).ino;
}

describe('the lock knows its file', () => {
  it('a deleted lock file: the next take locks the new file at the path, so it waits for its holder', async () => {
    const file = path.join(tmpDir(), 't.lock');
    const lock = retainedLock(file);
    await lock.acquire();
    lock.release();
    fs.unlinkSync(file);
    const child = await holder(file); // creates a new t.lock and holds it
    await expect(lock.acquire({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    await released(child);
    await lock.acquire({ timeoutMs: 5_000 });
    expect(inodeOf(lock.fd)).toBe(inodeOf(file));
    expect(lock.reopens).toBeGreaterThanOrEqual(1);
    lock.release();
  });

  it('a lock file replaced by rename: the old inode is not locked in its stead', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 't.lock');
    const lock = retainedLock(file);
    await lock.acquire();
    lock.release();
    fs.writeFileSync(path.join(dir, 'other'), '');
    fs.renameSync(path.join(dir, 'other'), file);
    const child = await holder(file);
    await expect(lock.acquire({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    await released(child);
    await lock.acquire({ timeoutMs: 5_000 });
    expect(inodeOf(lock.fd)).toBe(inodeOf(file));
    lock.release();
  });

  it('confirm() notices a lock file deleted during the hold; the release lets the old descriptor go', async () => {
    const file = path.join(tmpDir(), 't.lock');
    const lock = retainedLock(file);
    await lock.acquire();
    expect(lock.confirm()).toBe(true);
    fs.unlinkSync(file);
    expect(lock.confirm()).toBe(false);
    lock.release();
    await lock.acquire();
    expect(fs.existsSync(file)).toBe(true);
    // (The new file may reuse the old inode number once the old descriptor is closed.)
    expect(inodeOf(lock.fd)).toBe(inodeOf(file));
    expect(lock.confirm()).toBe(true);
    lock.release();
  });

  it('a removed store directory: taking the lock fails with NOT_FOUND and creates nothing', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'db', 't.lock');
    fs.mkdirSync(path.dirname(file));
    const lock = retainedLock(file);
    await lock.acquire();
    lock.release();
    fs.rmSync(path.dirname(file), { recursive: true });
    await expect(lock.acquire({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.existsSync(path.dirname(file))).toBe(false);
    expect(lock.held).toBe(false);
  });

  it('closes its descriptor when the last user lets go: after a plain take, and after the last unref', async () => {
    const file = path.join(tmpDir(), 't.lock');
    const lock = FileLock.for(file);
    await lock.acquire();
    expect(lock.isOpen).toBe(true);
    lock.release();
    expect(lock.isOpen).toBe(false);
    lock.retain();
    lock.retain();
    await lock.acquire();
    lock.release();
    expect(lock.isOpen).toBe(true);
    lock.unref();
    expect(lock.isOpen).toBe(true);
    lock.unref();
    expect(lock.isOpen).toBe(false);
  });

  it('a failed tryAcquire leaves no descriptor open', async () => {
    const file = path.join(tmpDir(), 't.lock');
    const child = await holder(file);
    const lock = FileLock.for(file);
    expect(lock.tryAcquire()).toBe(false);
    expect(lock.isOpen).toBe(false);
    await released(child);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
    expect(lock.isOpen).toBe(false);
  });
});
