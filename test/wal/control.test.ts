/** The control record: encoding, validation, the waiter slot and reading without creating. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CONTROL_CORE_BYTES,
  CONTROL_RECORD_BYTES,
  CONTROL_WAITERS_OFFSET,
  WAITER_STALE_MS,
  addWaiter,
  currentBootId,
  decodeControl,
  encodeControl,
  readControl,
  readControlAt,
  readWaiters,
  touchWaiter,
  writeControl,
  type ControlRecord,
} from '../../src/wal/control.js';
import { tmpDir } from '../helpers/tmp.js';

const rec: ControlRecord = {
  bootId: currentBootId(),
  activeSeg: 8,
  publishedEnd: 123_456_789_012,
  holderPid: 4242,
  waiters: 0,
  generation: 77,
};

function openLockFile(): { fd: number; file: string } {
  const file = path.join(tmpDir(), 'todos.lock');
  return { fd: fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644), file };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('encodeControl / decodeControl', () => {
  it('round-trips every field in exactly 64 bytes', () => {
    const buf = encodeControl(rec);
    expect(buf.length).toBe(CONTROL_RECORD_BYTES);
    expect(buf.subarray(0, 4).toString('latin1')).toBe('SWCR');
    expect(decodeControl(buf)).toEqual(rec);
  });

  it('accepts a boot id with dashes and returns it without', () => {
    const dashed = '5cf37663-495f-401a-b4fd-91a947ac75f0';
    expect(decodeControl(encodeControl({ ...rec, bootId: dashed }))?.bootId).toBe('5cf37663495f401ab4fd91a947ac75f0');
  });

  it('rejects a short buffer, another magic, another version and every flipped bit of the CRC-covered part', () => {
    const buf = encodeControl(rec);
    expect(decodeControl(buf.subarray(0, CONTROL_CORE_BYTES - 1))).toBeUndefined();
    expect(decodeControl(Buffer.alloc(64))).toBeUndefined();
    for (let bit = 0; bit < CONTROL_CORE_BYTES * 8; bit++) {
      const bad = Buffer.from(buf);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(decodeControl(bad), `bit ${bit}`).toBeUndefined();
    }
  });

  it('reads a record without its waiter slot (56 bytes) with waiters 0', () => {
    const got = decodeControl(encodeControl({ ...rec, waiters: 3 }).subarray(0, CONTROL_CORE_BYTES));
    expect(got).toEqual({ ...rec, waiters: 0 });
  });

  it('throws TypeError on values the layout cannot hold', () => {
    expect(() => encodeControl({ ...rec, bootId: 'nope' })).toThrow(TypeError);
    expect(() => encodeControl({ ...rec, activeSeg: -1 })).toThrow(TypeError);
    expect(() => encodeControl({ ...rec, publishedEnd: 1.5 })).toThrow(TypeError);
    expect(() => encodeControl({ ...rec, holderPid: 2 ** 32 })).toThrow(TypeError);
  });
});

describe('the waiter slot', () => {
  it('is outside the CRC: bumping it keeps the record valid and is not clobbered by writeControl', () => {
    const { fd } = openLockFile();
    writeControl(fd, rec);
    addWaiter(fd, 1);
    addWaiter(fd, 1);
    expect(readControl(fd)).toEqual({ ...rec, waiters: 2 });
    writeControl(fd, { ...rec, publishedEnd: 999, waiters: 0 });
    expect(readControl(fd)).toEqual({ ...rec, publishedEnd: 999, waiters: 2 });
    addWaiter(fd, -1);
    addWaiter(fd, -1);
    addWaiter(fd, -1); // a lost increment must not drive it below zero
    expect(readWaiters(fd)).toBe(0);
    fs.closeSync(fd);
  });

  it('reads as 0 once stale, so a killed waiter cannot make holders yield forever', () => {
    const { fd } = openLockFile();
    writeControl(fd, rec);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    addWaiter(fd, 1);
    expect(readWaiters(fd)).toBe(1);
    vi.setSystemTime(1_700_000_000_000 + WAITER_STALE_MS + 1);
    expect(readWaiters(fd)).toBe(0);
    expect(readControl(fd)?.waiters).toBe(0);
    touchWaiter(fd);
    expect(readWaiters(fd)).toBe(1);
    fs.closeSync(fd);
  });

  it('writes only [56, 64) when bumped', () => {
    const { fd, file } = openLockFile();
    writeControl(fd, rec);
    const before = fs.readFileSync(file);
    addWaiter(fd, 1);
    const after = fs.readFileSync(file);
    expect(after.subarray(0, CONTROL_WAITERS_OFFSET)).toEqual(before.subarray(0, CONTROL_WAITERS_OFFSET));
    expect(after.readUInt32LE(CONTROL_WAITERS_OFFSET)).toBe(1);
    fs.closeSync(fd);
  });
});

describe('readControlAt / currentBootId', () => {
  it('returns undefined for a missing lock file and creates nothing', () => {
    const dir = tmpDir();
    expect(readControlAt(path.join(dir, 'todos.lock'))).toBeUndefined();
    expect(readControlAt(path.join(dir, 'nodir', 'todos.lock'))).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('returns undefined for an empty lock file and the record once written', () => {
    const { fd, file } = openLockFile();
    expect(readControlAt(file)).toBeUndefined();
    writeControl(fd, rec);
    expect(readControlAt(file)).toEqual(rec);
    fs.closeSync(fd);
  });

  it('is this boot id, stable across calls', () => {
    const id = currentBootId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(currentBootId()).toBe(id);
    if (fs.existsSync('/proc/sys/kernel/random/boot_id')) {
      expect(id).toBe(fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim().replace(/-/g, ''));
    }
  });
});
