/**
 * The control record: the first 64 bytes of `<table>.lock` (docs/protocol.md §3), a hint that
 * readers poll instead of stat/readdir and that writers use to find the tail in O(1).
 * It is never fsynced and always checked (magic, version, CRC, boot id) before it is trusted.
 *
 * Byte layout, little-endian (docs/locking.md, "Control record"):
 *
 *   off size field
 *     0    4 magic "SWCR"
 *     4    2 version (1)
 *     6    2 reserved, 0
 *     8   16 boot_id: the 128-bit id of /proc/sys/kernel/random/boot_id, raw bytes
 *    24    8 active_seg     u64
 *    32    8 published_end  u64
 *    40    8 generation     u64
 *    48    4 holder_pid     u32
 *    52    4 crc32 of bytes [0, 52)
 *   ---- CONTROL_CORE_BYTES = 56: what the holder rewrites with one pwrite at 0
 *    56    4 waiters    u32  } the waiter slot: outside the CRC and never written by the
 *    60    4 waiters_at u32  } holder, so a waiter bumps it with one 8-byte pwrite at 56
 *                              without rewriting (or racing) the holder's record.
 *
 * `waiters_at` is the low 32 bits of Date.now() at the last bump. A count whose stamp is older
 * than WAITER_STALE_MS reads as 0: a waiter killed before it could decrement, or a decrement
 * lost to a racy read-modify-write, cannot make holders yield forever.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { io, openInStore, writeFully } from '../io.js';
import { lazyRequire } from '../lazy-require.js';
import { readU64, writeU64 } from './u64.js';

/** Only the boot id needs it; loaded then, not in every process start (~3 ms). */
const nodeCrypto = lazyRequire<typeof import('node:crypto')>('node:crypto');

export interface ControlRecord {
  /** 32 lowercase hex digits (the boot id without dashes); compare with currentBootId(). */
  bootId: string;
  activeSeg: number;
  publishedEnd: number;
  holderPid: number;
  /** Processes waiting for the lock for more than 50 ms (a hint; 0 when stale). */
  waiters: number;
  generation: number;
}

/** Size of the whole record, including the waiter slot. */
export const CONTROL_RECORD_BYTES = 64;
/** Size of the CRC-covered part plus its CRC: the part writeControl writes. */
export const CONTROL_CORE_BYTES = 56;
/** Offset of the waiter slot (u32 count, u32 stamp). */
export const CONTROL_WAITERS_OFFSET = 56;
/** A waiter re-stamps the slot at every backoff step (≤ 10 ms); this leaves a wide margin. */
export const WAITER_STALE_MS = 250;

const MAGIC = Buffer.from('SWCR', 'latin1');
const VERSION = 1;
const OFF_VERSION = 4;
const OFF_BOOT_ID = 8;
const BOOT_ID_BYTES = 16;
const OFF_ACTIVE_SEG = 24;
const OFF_PUBLISHED_END = 32;
const OFF_GENERATION = 40;
const OFF_HOLDER_PID = 48;
const OFF_CRC = 52;
const BOOT_ID_HEX = /^[0-9a-f]{32}$/;

function u64(buf: Buffer, off: number, value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`Expected \`${name}\` to be a safe integer >= 0, got \`${value}\` (${typeof value})`);
  writeU64(buf, value, off);
}

/** Low 32 bits of a millisecond clock, for the waiter stamp. */
function stamp(nowMs: number): number {
  return nowMs % 0x1_0000_0000;
}

/** The waiter count of an 8-byte slot, or 0 when its stamp is stale. */
function freshWaiters(slot: Buffer, nowMs = Date.now()): number {
  const count = slot.readUInt32LE(0);
  if (count === 0) return 0;
  // Modular difference: the stamp wraps every 49.7 days.
  const age = (stamp(nowMs) - slot.readUInt32LE(4) + 0x1_0000_0000) % 0x1_0000_0000;
  return age <= WAITER_STALE_MS ? count : 0;
}

let lastBoot: { id: string; hex: string; bytes: Buffer } | undefined;

/** The boot id as hex of the last 16 bytes decoded (every read of this boot decodes the same ones). */
function bootHex(b: Buffer): string {
  if (lastBoot && b.compare(lastBoot.bytes, 0, BOOT_ID_BYTES, OFF_BOOT_ID, OFF_BOOT_ID + BOOT_ID_BYTES) === 0) return lastBoot.hex;
  return b.toString('hex', OFF_BOOT_ID, OFF_BOOT_ID + BOOT_ID_BYTES);
}

/** The 16 bytes of a boot id (cached: every append writes the same one). */
function bootBytes(id: string): Buffer {
  if (lastBoot?.id === id) return lastBoot.bytes;
  const boot = id.replace(/-/g, '').toLowerCase();
  if (!BOOT_ID_HEX.test(boot)) throw new TypeError(`Expected \`bootId\` to be 32 hex digits, got \`${id}\` (${typeof id})`);
  lastBoot = { id, hex: boot, bytes: Buffer.from(boot, 'hex') };
  return lastBoot.bytes;
}

export function encodeControl(r: ControlRecord, buf: Buffer = Buffer.alloc(CONTROL_RECORD_BYTES)): Buffer {
  MAGIC.copy(buf, 0);
  buf.writeUInt16LE(VERSION, OFF_VERSION);
  bootBytes(r.bootId).copy(buf, OFF_BOOT_ID);
  u64(buf, OFF_ACTIVE_SEG, r.activeSeg, 'activeSeg');
  u64(buf, OFF_PUBLISHED_END, r.publishedEnd, 'publishedEnd');
  u64(buf, OFF_GENERATION, r.generation, 'generation');
  if (!Number.isInteger(r.holderPid) || r.holderPid < 0 || r.holderPid > 0xffff_ffff) {
    throw new TypeError(`Expected \`holderPid\` to be a u32, got \`${r.holderPid}\` (${typeof r.holderPid})`);
  }
  buf.writeUInt32LE(r.holderPid, OFF_HOLDER_PID);
  buf.writeUInt32LE(zlib.crc32(buf.subarray(0, OFF_CRC)), OFF_CRC);
  const waiters = Math.max(0, Math.min(0xffff_ffff, Math.trunc(r.waiters)));
  buf.writeUInt32LE(waiters, CONTROL_WAITERS_OFFSET);
  buf.writeUInt32LE(waiters > 0 ? stamp(Date.now()) : 0, CONTROL_WAITERS_OFFSET + 4);
  return buf;
}

/**
 * Decode a record; undefined if it is shorter than its CRC-covered part, has another magic or
 * version, a bad CRC, or out-of-range numbers. A missing waiter slot (a 56-byte file) reads as 0.
 */
export function decodeControl(buf: Uint8Array): ControlRecord | undefined {
  if (buf.length < CONTROL_CORE_BYTES) return undefined;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (!b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (b.readUInt16LE(OFF_VERSION) !== VERSION) return undefined;
  if (zlib.crc32(b.subarray(0, OFF_CRC)) !== b.readUInt32LE(OFF_CRC)) return undefined;
  const activeSeg = readU64(b, OFF_ACTIVE_SEG);
  const publishedEnd = readU64(b, OFF_PUBLISHED_END);
  const generation = readU64(b, OFF_GENERATION);
  if (activeSeg === undefined || publishedEnd === undefined || generation === undefined) return undefined;
  return {
    bootId: bootHex(b),
    activeSeg,
    publishedEnd,
    holderPid: b.readUInt32LE(OFF_HOLDER_PID),
    waiters: b.length >= CONTROL_RECORD_BYTES ? freshWaiters(b.subarray(CONTROL_WAITERS_OFFSET, CONTROL_RECORD_BYTES)) : 0,
    generation,
  };
}

/** Read the record through an open descriptor of the lock file (read or read-write). */
export function readControl(fd: number): ControlRecord | undefined {
  // decodeControl copies what it keeps, so one scratch buffer serves every (synchronous) read.
  const n = io.readSync(fd, readScratch, 0, readScratch.length, 0);
  return decodeControl(readScratch.subarray(0, n));
}
const readScratch = Buffer.alloc(CONTROL_RECORD_BYTES);

/** Read the record of `lockPath` without creating it or taking any lock; missing file → undefined. */
export function readControlAt(lockPath: string): ControlRecord | undefined {
  let fd: number;
  try {
    fd = openInStore(lockPath, fs.constants.O_RDONLY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    return readControl(fd);
  } finally {
    io.closeSync(fd);
  }
}

/**
 * Rewrite the record with one pwrite of its first CONTROL_CORE_BYTES at offset 0, under the
 * table lock. Never fsynced: it is a hint. `r.waiters` is not written; the waiter slot belongs
 * to the waiters (see the layout above).
 */
export function writeControl(fd: number, r: ControlRecord): void {
  writeFully(fd, encodeControl(r, writeScratch).subarray(0, CONTROL_CORE_BYTES), 0);
}
const writeScratch = Buffer.alloc(CONTROL_RECORD_BYTES);

/**
 * The one way a holder changes the tail the record names (docs/locking.md): after an append, a
 * roll or a recovery, under the table lock. Stamps this boot and pid, bumps the generation, keeps
 * the waiter count; returns the record written.
 */
export function publishControl(fd: number, prev: ControlRecord | undefined, activeSeg: number, publishedEnd: number): ControlRecord {
  const rec: ControlRecord = {
    bootId: currentBootId(),
    activeSeg,
    publishedEnd,
    holderPid: process.pid,
    waiters: prev?.waiters ?? 0,
    generation: ((prev?.generation ?? 0) + 1) >>> 0,
  };
  writeControl(fd, rec);
  return rec;
}

/** Name this process as the holder in an existing valid record, leaving the tail and generation alone. */
export function stampHolder(fd: number): void {
  const rec = readControl(fd);
  if (rec && rec.holderPid !== process.pid) writeControl(fd, { ...rec, holderPid: process.pid });
}

function readSlot(fd: number): Buffer {
  const slot = Buffer.alloc(8);
  const n = io.readSync(fd, slot, 0, 8, CONTROL_WAITERS_OFFSET);
  if (n < 8) slot.fill(0, n);
  return slot;
}

function writeSlot(fd: number, count: number, nowMs: number): void {
  const slot = Buffer.alloc(8);
  slot.writeUInt32LE(count, 0);
  slot.writeUInt32LE(stamp(nowMs), 4);
  writeFully(fd, slot, CONTROL_WAITERS_OFFSET);
}

/** The fresh waiter count (0 when none or stale), read without touching the holder's part. */
export function readWaiters(fd: number): number {
  return freshWaiters(readSlot(fd));
}

/**
 * Announce (+1) or withdraw (-1) a waiter with one 8-byte pwrite at 56. The read-modify-write
 * races with other waiters; a lost update only weakens the hint (waiters re-stamp it with
 * touchWaiter, and a stale count reads as 0), so no lock is taken for it.
 */
export function addWaiter(fd: number, delta: 1 | -1): void {
  const now = Date.now();
  const count = Math.max(0, freshWaiters(readSlot(fd), now) + delta);
  writeSlot(fd, Math.min(count, 0xffff_ffff), now);
}

/** Keep an announced waiter's hint fresh: at least 1, stamped now. */
export function touchWaiter(fd: number): void {
  const now = Date.now();
  writeSlot(fd, Math.max(1, freshWaiters(readSlot(fd), now)), now);
}

let bootId: string | undefined;

/**
 * This boot's id: /proc/sys/kernel/random/boot_id without dashes, cached. Where that file does
 * not exist, an id unique to this process (a constant and the process start), so no record
 * written by another process is ever taken to be of this boot: recovery then always runs the
 * full sequence, which is slower but never wrong.
 */
export function currentBootId(): string {
  if (bootId !== undefined) return bootId;
  try {
    const id = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim().replace(/-/g, '').toLowerCase();
    if (BOOT_ID_HEX.test(id)) return (bootId = id);
  } catch {
    // Not Linux, or /proc is not mounted: fall through to the per-process id.
  }
  const seed = `sdnwal:no-boot-id:${process.pid}:${performance.timeOrigin}`;
  return (bootId = nodeCrypto().createHash('sha256').update(seed).digest('hex').slice(0, 32));
}
