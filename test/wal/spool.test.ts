/** The spool: durable FIFO queue of writes, one file each, with claims and stale-tmp cleanup. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueFullError, Spool } from '../../src/wal/spool.js';
import { buildWal } from '../helpers/build-wal.js';
import { tmpDir } from '../helpers/tmp.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const children: ChildProcess[] = [];
let buildDir: string;

beforeAll(() => {
  buildDir = buildWal();
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function spoolDir(): string {
  return path.join(tmpDir(), 'todos.spool');
}

/** Spawn a fixture and resolve with its first stdout line. */
function firstLine(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [path.join(fixtures, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.once('exit', (code, sig) => reject(new Error(`${script} exited (${code ?? sig}) early`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('Spool', () => {
  it('queue_write: writes <id>.w durably, creating the directory on first write only', async () => {
    const dir = spoolDir();
    const spool = new Spool(dir);
    expect(spool.exists()).toBe(false);
    const id = await spool.queueWrite(Buffer.from('entry-1'));
    expect(id).toMatch(/^\d{15}-\d{10}-\d{10}$/);
    expect(spool.exists()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([`${id}.w`]);
    expect(fs.readFileSync(path.join(dir, `${id}.w`), 'utf8')).toBe('entry-1');
  });

  it('reads of a spool that was never written create nothing', () => {
    const dir = spoolDir();
    const spool = new Spool(dir);
    expect(spool.countPending()).toBe(0);
    expect(spool.getNextPending()).toBeUndefined();
    expect(spool.listClaims()).toEqual([]);
    expect(spool.cleanupStaleTmp(0)).toEqual([]);
    spool.removeFromQueue('000000000000001-0000000001-0000000001');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('get_next_pending: returns the oldest queued write and its payload', async () => {
    const spool = new Spool(spoolDir());
    const a = await spool.queueWrite(Buffer.from('a'));
    await spool.queueWrite(Buffer.from('b'));
    const next = spool.getNextPending();
    expect(next?.id).toBe(a);
    expect(next?.payload.toString()).toBe('a');
    // Reading does not consume it.
    expect(spool.getNextPending()?.id).toBe(a);
  });

  it('remove_from_queue: deletes the write; the next becomes the oldest; removing twice is harmless', async () => {
    const spool = new Spool(spoolDir());
    const a = await spool.queueWrite(Buffer.from('a'));
    const b = await spool.queueWrite(Buffer.from('b'));
    spool.removeFromQueue(a);
    expect(spool.getNextPending()?.id).toBe(b);
    spool.removeFromQueue(a);
    spool.removeFromQueue(b);
    expect(spool.getNextPending()).toBeUndefined();
    expect(fs.readdirSync(spool.dir)).toEqual([]);
    expect(() => spool.removeFromQueue('../escape')).toThrow(TypeError);
  });

  it('count_pending: counts queued writes only, not temp or claimed files', async () => {
    const spool = new Spool(spoolDir());
    expect(spool.countPending()).toBe(0);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await spool.queueWrite(Buffer.from(`w${i}`)));
    expect(spool.countPending()).toBe(5);
    spool.claim(ids[0]!, 3, 100);
    fs.writeFileSync(path.join(spool.dir, '000000000000009-0000000001-0000000001.tmp'), 'x');
    expect(spool.countPending()).toBe(4);
  });

  it('queue_fifo_order: writes queued in one millisecond come back in queue order', async () => {
    const spool = new Spool(spoolDir());
    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => spool.queueWrite(Buffer.from(`w${i}`))));
    const got: string[] = [];
    for (let next = spool.getNextPending(); next; next = spool.getNextPending()) {
      got.push(next.payload.toString());
      spool.removeFromQueue(next.id);
    }
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => `w${i}`));
    expect([...sent].sort()).toEqual(sent);
  });

  it('queue_full: the 101st write rejects with QUEUE_FULL and writes nothing', async () => {
    const spool = new Spool(spoolDir());
    for (let i = 0; i < 100; i++) await spool.queueWrite(Buffer.from(`w${i}`));
    const before = fs.readdirSync(spool.dir).sort();
    const err = await spool.queueWrite(Buffer.from('one too many')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueFullError);
    expect((err as QueueFullError).code).toBe('QUEUE_FULL');
    expect(fs.readdirSync(spool.dir).sort()).toEqual(before);
    expect(spool.countPending()).toBe(100);
    // Draining one makes room again.
    spool.removeFromQueue(spool.getNextPending()!.id);
    await spool.queueWrite(Buffer.from('fits'));
    expect(spool.countPending()).toBe(100);
  });

  it('queue_full: honours maxPending and validates it', async () => {
    const spool = new Spool(spoolDir(), { maxPending: 2 });
    await spool.queueWrite(Buffer.from('1'));
    await spool.queueWrite(Buffer.from('2'));
    await expect(spool.queueWrite(Buffer.from('3'))).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(() => new Spool(spoolDir(), { maxPending: 0 })).toThrow(TypeError);
  });

  it('claims: a claimed write leaves the queue, is listed with its segment and offset, then removed', async () => {
    const spool = new Spool(spoolDir());
    const a = await spool.queueWrite(Buffer.from('a'));
    const b = await spool.queueWrite(Buffer.from('b'));
    spool.claim(a, 8, 4096);
    expect(spool.getNextPending()?.id).toBe(b);
    expect(spool.countPending()).toBe(1);
    const claims = spool.listClaims();
    expect(claims).toEqual([{ id: a, segNo: 8, offset: 4096, payload: Buffer.from('a'), file: path.join(spool.dir, `${a}.claimed.8.4096`) }]);
    // A new Spool object (another process after a crash) sees the same claim.
    expect(new Spool(spool.dir).listClaims()).toEqual(claims);
    spool.removeClaim(claims[0]!.file);
    expect(spool.listClaims()).toEqual([]);
    expect(fs.readdirSync(spool.dir)).toEqual([`${b}.w`]);
    expect(() => spool.claim(b, -1, 0)).toThrow(TypeError);
    expect(() => spool.removeClaim(`${b}.w`)).toThrow(TypeError);
  });

  it('cleanupStaleTmp deletes only an old .tmp whose flock is free', async () => {
    const spool = new Spool(spoolDir());
    const kept = await spool.queueWrite(Buffer.from('queued'));
    const old = new Date(Date.now() - 120_000);
    const dead = path.join(spool.dir, '000000000000001-0000000001-0000000001.tmp');
    const fresh = path.join(spool.dir, '000000000000002-0000000001-0000000002.tmp');
    const live = path.join(spool.dir, '000000000000003-0000000001-0000000003.tmp');
    fs.writeFileSync(dead, 'partial');
    fs.utimesSync(dead, old, old);
    fs.writeFileSync(fresh, 'partial');
    const { child } = await firstLine('hold-tmp.mjs', [live]);
    fs.utimesSync(live, old, old);
    fs.utimesSync(path.join(spool.dir, `${kept}.w`), old, old);
    expect(spool.cleanupStaleTmp()).toEqual([path.basename(dead)]);
    expect(fs.readdirSync(spool.dir).sort()).toEqual([path.basename(fresh), path.basename(live), `${kept}.w`].sort());
    // Once its writer dies, the live one's flock is free and it goes too.
    await killed(child);
    expect(spool.cleanupStaleTmp()).toEqual([path.basename(live)]);
  });

  it('survives a crash between queue and drain: a SIGKILLed queuer\'s write is seen by a new Spool', async () => {
    const dir = spoolDir();
    const { child, line } = await firstLine('spool-queue.mjs', [buildDir, dir, 'from the child']);
    const id = line.replace(/^queued /, '');
    await killed(child);
    const spool = new Spool(dir);
    expect(spool.countPending()).toBe(1);
    expect(spool.getNextPending()).toEqual({ id, payload: Buffer.from('from the child') });
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
