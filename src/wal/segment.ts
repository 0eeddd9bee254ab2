/** Segment files: the header codec, creating a segment durably, and listing a table's wal directory. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SdnwalError } from '../errors.js';
import { fsyncDir, writeTmpThenRename } from '../io.js';
import { lazyRequire } from '../lazy-require.js';
import {
  MAX_HEADER_TABLE_NAME_BYTES,
  MAX_SEGMENT_HEADER_BYTES,
  SEGMENT_HEADER_CRC_BYTES,
  SEGMENT_HEADER_FIXED_BYTES,
  SEGMENT_MAGIC,
  SEGMENT_TMP_SUFFIX,
  TABLE_ID_BYTES,
  WAL_FORMAT_VERSION,
  parseSegmentFileName,
  segmentFileName,
} from './constants.js';

/** Only making a table id needs it; loaded then, not in every process start (~3 ms). */
const nodeCrypto = lazyRequire<typeof import('node:crypto')>('node:crypto');

export type SegmentHeader = {
  formatVersion: number;
  table: string;
  /** 32 lowercase hex characters (16 random bytes), also in the snapshot's meta. */
  tableId: string;
  segment: number;
};

export type HeaderProblem = 'short' | 'magic' | 'version' | 'crc';

export type DecodedHeader = { ok: true; header: SegmentHeader; length: number } | { ok: false; reason: HeaderProblem };

const MAGIC = Buffer.from(SEGMENT_MAGIC, 'latin1');
const TABLE_ID_RE = /^[0-9a-f]{32}$/;

/** Field offsets inside the header (docs/wal-format.md). */
const AT_VERSION = 6;
const AT_LENGTH = 8;
const AT_SEGMENT = 12;
const AT_TABLE_ID = 20;
const AT_NAME_LEN = 36;
const AT_NAME = SEGMENT_HEADER_FIXED_BYTES;

export function newTableId(): string {
  return nodeCrypto().randomBytes(TABLE_ID_BYTES).toString('hex');
}

export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  if (!TABLE_ID_RE.test(h.tableId)) throw new TypeError(`Expected tableId to be 32 lowercase hex characters, got \`${h.tableId}\` (${typeof h.tableId})`);
  if (!Number.isSafeInteger(h.segment) || h.segment < 0) throw new TypeError(`Expected segment to be a safe integer >= 0, got \`${h.segment}\` (${typeof h.segment})`);
  if (!Number.isInteger(h.formatVersion) || h.formatVersion < 0 || h.formatVersion > 0xffff) {
    throw new TypeError(`Expected formatVersion to be a u16, got \`${h.formatVersion}\` (${typeof h.formatVersion})`);
  }
  const name = Buffer.from(h.table, 'utf8');
  if (name.length === 0 || name.length > MAX_HEADER_TABLE_NAME_BYTES) {
    throw new TypeError(`Expected table name to be 1-${MAX_HEADER_TABLE_NAME_BYTES} bytes, got \`${h.table}\` (${name.length} bytes)`);
  }
  const length = SEGMENT_HEADER_FIXED_BYTES + name.length + SEGMENT_HEADER_CRC_BYTES;
  const buf = Buffer.alloc(length);
  MAGIC.copy(buf, 0);
  buf.writeUInt16LE(h.formatVersion, AT_VERSION);
  buf.writeUInt32LE(length, AT_LENGTH);
  buf.writeBigUInt64LE(BigInt(h.segment), AT_SEGMENT);
  Buffer.from(h.tableId, 'hex').copy(buf, AT_TABLE_ID);
  buf.writeUInt16LE(name.length, AT_NAME_LEN);
  name.copy(buf, AT_NAME);
  buf.writeUInt32LE(zlib.crc32(buf.subarray(0, length - SEGMENT_HEADER_CRC_BYTES)), length - SEGMENT_HEADER_CRC_BYTES);
  return buf;
}

/**
 * Decode the header at the start of `buf` (the first bytes of a file, or all of them if the
 * file is shorter). `short` means the bytes so far are a header prefix cut off at the end
 * (a torn tail); `magic` not a segment at all; `crc` a damaged header (including an
 * impossible length); `version` a well-formed header of another format version.
 */
export function decodeSegmentHeader(buf: Buffer): DecodedHeader {
  const magicBytes = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, magicBytes).equals(MAGIC.subarray(0, magicBytes))) return { ok: false, reason: 'magic' };
  if (buf.length < AT_LENGTH + 4) return { ok: false, reason: 'short' };
  const length = buf.readUInt32LE(AT_LENGTH);
  const minLength = SEGMENT_HEADER_FIXED_BYTES + 1 + SEGMENT_HEADER_CRC_BYTES;
  // A length outside what any v1 header can be is damage; trusting it could mean reading gigabytes.
  if (length < minLength || length > MAX_SEGMENT_HEADER_BYTES) return { ok: false, reason: 'crc' };
  if (buf.length < length) return { ok: false, reason: 'short' };
  const crcAt = length - SEGMENT_HEADER_CRC_BYTES;
  if (buf.readUInt32LE(crcAt) !== zlib.crc32(buf.subarray(0, crcAt))) return { ok: false, reason: 'crc' };
  // The crc passed, so a different version is a real header of another format, not a flipped bit.
  const formatVersion = buf.readUInt16LE(AT_VERSION);
  if (formatVersion !== WAL_FORMAT_VERSION) return { ok: false, reason: 'version' };
  const nameLen = buf.readUInt16LE(AT_NAME_LEN);
  if (SEGMENT_HEADER_FIXED_BYTES + nameLen + SEGMENT_HEADER_CRC_BYTES !== length) return { ok: false, reason: 'crc' };
  const segment = buf.readBigUInt64LE(AT_SEGMENT);
  if (segment > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'version' };
  return {
    ok: true,
    length,
    header: {
      formatVersion,
      segment: Number(segment),
      tableId: buf.subarray(AT_TABLE_ID, AT_TABLE_ID + TABLE_ID_BYTES).toString('hex'),
      table: buf.subarray(AT_NAME, AT_NAME + nameLen).toString('utf8'),
    },
  };
}

/** An attempt to create a segment that already exists: a roll raced or recovery missed a step. */
export class SegmentExistsError extends SdnwalError {
  readonly file: string;
  constructor(file: string) {
    super('SEGMENT_EXISTS', `segment ${file} already exists; refusing to overwrite it`);
    this.file = file;
  }
}

/**
 * docs/protocol.md §5 step 3: write `<name>.tmp` with the header, fdatasync it, rename it to
 * `<name>`, fsync the directory. The caller holds the table lock and has created `walDir`.
 * Refuses to replace an existing segment (its frames may be acknowledged writes).
 * Returns the segment's path.
 */
export function createSegmentFile(walDir: string, header: SegmentHeader): string {
  const file = path.join(walDir, segmentFileName(header.segment));
  if (fs.existsSync(file)) throw new SegmentExistsError(file);
  writeTmpThenRename(file, encodeSegmentHeader(header), 'data');
  fsyncDir(walDir);
  return file;
}

export type WalDirListing = {
  /** Segment numbers, ascending. */
  segments: number[];
  /** Names of `*.seg.tmp` files (segments whose creation did not finish). */
  temps: string[];
  /** Every other name: reported, never touched. */
  foreign: string[];
};

/** List a table's wal directory; a missing directory is an empty log. */
export function readWalDir(walDir: string): WalDirListing {
  let names: string[];
  try {
    names = fs.readdirSync(walDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { segments: [], temps: [], foreign: [] };
    throw err;
  }
  const out: WalDirListing = { segments: [], temps: [], foreign: [] };
  for (const name of names.sort()) {
    const n = parseSegmentFileName(name);
    if (n !== undefined) out.segments.push(n);
    else if (name.endsWith(SEGMENT_TMP_SUFFIX)) out.temps.push(name);
    else out.foreign.push(name);
  }
  out.segments.sort((a, b) => a - b);
  return out;
}
