/** Log entries (writes, SEAL, PAD) and their msgpackr payload encoding; each payload decodes on its own. */
import type { Packr } from 'msgpackr';
import type { z } from 'zod';
import { SdnwalError } from '../errors.js';
import { lazySchema, once, zod } from '../zod-lazy.js';
import { packWrite } from './entry-pack.js';

import { isOperation, OPERATIONS, type Operation } from './entry-shape.js';
import { lazyRequire } from '../lazy-require.js';

const msgpackr = lazyRequire<typeof import('msgpackr')>('msgpackr');

export type { Operation };

/** A key plus the record's column values (the ReedBase shape). */
export type Row = { key: string; values?: Record<string, unknown> };

/**
 * One logged write. `synced` is the highest offset of this segment the writing process knew
 * to be durable when it wrote the entry (docs/protocol.md §2); recovery uses it to tell a
 * power-loss hole from corruption. `spoolId` marks a write drained from the spool (§7).
 */
export type PendingWrite = { operation: Operation; rows: Row[]; timestamp: number; synced: number; spoolId?: string };

/** The last entry of a sealed segment: the log continues in segment `seal` (docs/protocol.md §5). */
export type SealEntry = { seal: number };

/** Filler written over a salvaged damaged range, so no offset moves (docs/protocol.md §8). */
export type PadEntry = { pad: true };

export type LogEntry = PendingWrite | SealEntry | PadEntry;

/**
 * The entries' zod schemas, which name what is wrong with a payload that fails the hand checks
 * below (decodeEntry); built on first need, so a clean log never loads zod.
 */
const entrySchemas = once(() => {
  const z = zod();
  const rowSchema = z.object({
    key: z.string(),
    values: z.record(z.string(), z.unknown()).optional(),
  });
  return {
    pendingWrite: z.object({
      operation: z.enum(OPERATIONS),
      rows: z.array(rowSchema),
      timestamp: z.number(),
      synced: z.number().int().nonnegative(),
      spoolId: z.string().optional(),
    }),
    seal: z.object({ seal: z.number().int().nonnegative() }),
    // `fill` only makes a PAD frame exactly as long as the range it covers; it is dropped on decode.
    pad: z.object({ pad: z.literal(true), fill: z.string().optional() }),
  };
});

/** The write entry's schema (built on first use). */
export const pendingWriteSchema = lazySchema(() => entrySchemas().pendingWrite);

/**
 * The one codec. `useRecords: false` and never `sequential`: no shared structure table, so
 * every payload decodes on its own, whichever process wrote it. Value behaviour (docs/wal-format.md):
 * - an object property whose value is `undefined` is omitted, as JSON does (`skipValues`);
 *   `undefined` inside an array stays `undefined`; `null` stays `null`;
 * - Date round-trips as Date (msgpack timestamp), bigint as bigint (up to ~1000 bits, via
 *   `useBigIntExtension`), NaN/Infinity as numbers, -0 as 0;
 * - Map becomes a plain object (string keys; a Map with object keys is refused at encode),
 *   Set and RegExp become arrays, class instances plain objects of their own properties,
 *   typed arrays a Uint8Array/Buffer; functions become undefined; symbols are refused;
 * - decoded binary values are copies (`copyBuffers`), never views into a reader's buffer;
 * - a property named `__proto__` is refused (msgpackr would read it back renamed).
 */
// `skipValues` is documented by msgpackr (README) but missing from its type declarations.
const packrOptions = { useRecords: false, useBigIntExtension: true, skipValues: [undefined], copyBuffers: true };
let packr: Packr | undefined;

/**
 * The codec, made on first use: a process that decodes nothing (`sdnwal count` answered from the
 * snapshot's meta block) never loads msgpackr. Loaded with `require` because the callers are
 * synchronous; that is msgpackr's one bundled CommonJS file, quicker to load than its ES modules.
 */
function codec(): Packr {
  return (packr ??= new (msgpackr().Packr)(packrOptions as ConstructorParameters<typeof Packr>[0]));
}

/** A CRC-valid payload that is not a valid entry (code CORRUPT_LOG): a writer bug or a foreign encoder. */
export class EntryDecodeError extends SdnwalError {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super('CORRUPT_LOG', `payload is not a valid log entry: ${reason}`, options);
    this.reason = reason;
  }
}

export function isSeal(e: LogEntry): e is SealEntry {
  return 'seal' in e;
}

export function isPad(e: LogEntry): e is PadEntry {
  return 'pad' in e;
}

export function isWrite(e: LogEntry): e is PendingWrite {
  return 'operation' in e;
}

/** One msgpack value decoded with the log's options (for a reader that walks a payload's bytes itself). */
export function unpackValue(bytes: Uint8Array): unknown {
  return codec().unpack(bytes);
}

/** Decode one payload, or throw EntryDecodeError (CORRUPT_LOG). */
export function decodeEntry(payload: Uint8Array): LogEntry {
  let raw: unknown;
  try {
    raw = codec().unpack(payload);
  } catch (err) {
    throw new EntryDecodeError(`msgpack: ${(err as Error).message}`, { cause: err });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EntryDecodeError(`expected a map, got ${describe(raw)}`);
  if ('seal' in raw) return looksLikeSeal(raw) ? { seal: raw.seal } : parseWith(entrySchemas().seal, raw);
  if ('pad' in raw) {
    if (!looksLikePad(raw)) parseWith(entrySchemas().pad, raw);
    return { pad: true };
  }
  if (looksLikeWrite(raw)) return raw;
  return parseWith(entrySchemas().pendingWrite, raw);
}

/** What the seal schema accepts (a SEAL payload is `{seal: n}`); anything else goes through zod. */
function looksLikeSeal(raw: object): raw is SealEntry {
  const s = (raw as { seal?: unknown }).seal;
  return Number.isSafeInteger(s) && (s as number) >= 0;
}

/** What the pad schema accepts; anything else goes through zod. */
function looksLikePad(raw: object): boolean {
  const p = raw as { pad?: unknown; fill?: unknown };
  return p.pad === true && (p.fill === undefined || typeof p.fill === 'string');
}

/**
 * The same checks as the pendingWrite schema without building new objects: replay decodes millions
 * of rows, and this keeps the common (valid) case cheap. Anything it rejects goes through zod,
 * which names what is wrong.
 */
function looksLikeWrite(raw: object): raw is PendingWrite {
  const w = raw as Record<string, unknown>;
  if (!isOperation(w.operation)) return false;
  if (typeof w.timestamp !== 'number' || !Number.isInteger(w.synced) || (w.synced as number) < 0) return false;
  if (w.spoolId !== undefined && typeof w.spoolId !== 'string') return false;
  if (!Array.isArray(w.rows)) return false;
  for (const r of w.rows as unknown[]) {
    if (typeof r !== 'object' || r === null || typeof (r as Row).key !== 'string') return false;
    const v = (r as Row).values;
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) return false;
  }
  return true;
}

/**
 * Encode one entry. The result is decoded again before it is returned, so a frame the log
 * holds always decodes: a value msgpack can write but not read back (a Map with object keys)
 * or a malformed entry throws INVALID_RECORD here, before any write.
 */
export function encodeEntry(e: LogEntry, verify = true): Buffer {
  let buf: Buffer;
  try {
    // Write entries take the specialised encoder (same bytes); it defers to msgpackr for the rest.
    buf = (isWrite(e) && packWrite(e)) || codec().pack(e);
  } catch (err) {
    throw new SdnwalError('INVALID_RECORD', `cannot encode log entry: ${(err as Error).message}`, { cause: err });
  }
  // Callers that checked their values already (the Table does: plain JSON-like values, no
  // `__proto__` keys) skip the checks below, which cost a second decode on the append path.
  if (!verify) return buf;
  // msgpackr reads a `__proto__` key back as `__proto_` (its prototype-pollution guard), which
  // would change data silently. The native byte search keeps the common case free.
  if (buf.includes(PROTO_KEY) && hasProtoKey(e)) {
    throw new SdnwalError('INVALID_RECORD', 'cannot log a property named "__proto__" (it would not read back unchanged)');
  }
  try {
    decodeEntry(buf);
  } catch (err) {
    throw new SdnwalError('INVALID_RECORD', `log entry would not decode: ${(err as Error).message}`, { cause: err });
  }
  return buf;
}

const PROTO_KEY = Buffer.from('__proto__', 'utf8');

/** Whether `v` holds, at any depth, an own property (or Map key) named `__proto__`. */
function hasProtoKey(v: unknown, seen = new Set<unknown>()): boolean {
  if (typeof v !== 'object' || v === null || seen.has(v)) return false;
  seen.add(v);
  if (v instanceof Map) {
    for (const [k, x] of v) if (k === '__proto__' || hasProtoKey(x, seen)) return true;
    return false;
  }
  if (Array.isArray(v) || v instanceof Set) {
    for (const x of v) if (hasProtoKey(x, seen)) return true;
    return false;
  }
  if (Object.hasOwn(v, '__proto__')) return true;
  for (const x of Object.values(v)) if (hasProtoKey(x, seen)) return true;
  return false;
}

const PAD_KEY = [0xa3, 0x70, 0x61, 0x64]; // fixstr "pad"
const PAD_KEY_STR8 = [0xd9, 0x03, 0x70, 0x61, 0x64]; // the same key as str8 (one byte longer)
const TRUE = 0xc3;
const FILL_KEY = [0xa4, 0x66, 0x69, 0x6c, 0x6c]; // fixstr "fill"

/** Smallest PAD payload (`{pad: true}`); a PAD frame is at least 12 + 6 bytes. */
export const MIN_PAD_PAYLOAD_BYTES = 6;

/**
 * A PAD payload of exactly `payloadLen` bytes (≥ 6), so salvage can cover any damaged range
 * (every real frame is ≥ 18 bytes) with one frame of the same length. Written by hand because
 * the length must be exact; 6–11 bytes use longer-but-valid msgpack map/key headers, from 12
 * bytes on a `fill` string of spaces takes the rest. Decodes to `{ pad: true }`.
 */
export function encodePadPayload(payloadLen: number): Buffer {
  if (!Number.isSafeInteger(payloadLen) || payloadLen < MIN_PAD_PAYLOAD_BYTES) {
    throw new TypeError(`Expected PAD payload length to be an integer >= ${MIN_PAD_PAYLOAD_BYTES}, got \`${payloadLen}\` (${typeof payloadLen})`);
  }
  const small: Record<number, number[]> = {
    6: [0x81, ...PAD_KEY, TRUE],
    7: [0x81, ...PAD_KEY_STR8, TRUE],
    8: [0xde, 0x00, 0x01, ...PAD_KEY, TRUE], // map16
    9: [0xde, 0x00, 0x01, ...PAD_KEY_STR8, TRUE],
    10: [0xdf, 0x00, 0x00, 0x00, 0x01, ...PAD_KEY, TRUE], // map32
    11: [0xdf, 0x00, 0x00, 0x00, 0x01, ...PAD_KEY_STR8, TRUE],
  };
  const fixed = small[payloadLen];
  if (fixed) return Buffer.from(fixed);
  const prefix = [0x82, ...PAD_KEY, TRUE, ...FILL_KEY]; // 11 bytes
  const rest = payloadLen - prefix.length; // string header + string bytes
  let header: number[];
  if (rest - 1 <= 31) header = [0xa0 | (rest - 1)];
  else if (rest - 2 <= 0xff) header = [0xd9, rest - 2];
  else if (rest - 3 <= 0xffff) header = [0xda, (rest - 3) >> 8, (rest - 3) & 0xff];
  else {
    const n = rest - 5;
    header = [0xdb, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  }
  const out = Buffer.alloc(payloadLen, 0x20);
  out.set(prefix, 0);
  out.set(header, prefix.length);
  return out;
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new EntryDecodeError(`${issue?.path.join('.') || '(entry)'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
