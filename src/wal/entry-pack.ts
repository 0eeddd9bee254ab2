/**
 * A msgpack encoder for write entries, because msgpackr's pack() was the largest JS cost of an
 * append. For the values it handles (strings, numbers, booleans, null, arrays and plain objects
 * of those) it writes exactly the bytes msgpackr writes with entry.ts's options, so readers and
 * old frames see no difference, with one exception: -0 is a float64 (msgpackr writes 0), so it is
 * kept. Anything else returns undefined and the caller uses msgpackr. The values themselves are
 * written by pack-values.ts; this file decides which entries it takes and hands them out.
 */
import type { PendingWrite } from './entry.js';
import { OPERATIONS } from './entry-shape.js';
import { utf8 } from './pack-keys.js';
import { beginMap, dropEntry, ensure, finishMap, isPlain, MAX_KEPT_SLAB, takeEntry, trimSlab, writeBytes, writeKey, writeValue } from './pack-values.js';

let bytesPerRow = 256; // from the last entry, to size the room up front and avoid copies

const OPERATION_BYTES = new Map<unknown, Uint8Array>(OPERATIONS.map((k) => [k, utf8(k)]));

/** The entry as msgpack, or undefined when it holds something only msgpackr can write. */
export function packWrite(e: PendingWrite): Buffer | undefined {
  if (!isPlain(e) || prototypePolluted()) return undefined;
  const rows = Array.isArray(e.rows) ? e.rows.length : 0;
  ensure(Math.min(64 + rows * bytesPerRow, MAX_KEPT_SLAB / 2)); // a guess: rows after one huge row
  try {
    writeEntry(e as unknown as Record<string, unknown>);
  } catch {
    // UNSUPPORTED, or anything else (a cycle overflowing the stack): msgpackr decides.
    dropEntry();
    return undefined;
  }
  const out = takeEntry();
  if (rows > 0) bytesPerRow = Math.ceil((out.length * 1.25) / rows);
  trimSlab();
  return out;
}

/** Enumerable keys on Object.prototype would show up in for-in; msgpackr filters them out. */
function prototypePolluted(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

function writeEntry(e: Record<string, unknown>): void {
  const header = beginMap();
  let n = 0;
  for (const k in e) {
    const v = e[k];
    if (v === undefined) continue;
    writeKey(k, n & 15);
    const op = k === 'operation' ? OPERATION_BYTES.get(v) : undefined;
    if (op) writeBytes(op);
    else writeValue(v, 1);
    n++;
  }
  finishMap(header, n);
}
