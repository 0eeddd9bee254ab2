/**
 * The msgpack bytes of map keys for the entry packer (entry-pack.ts, pack-values.ts), cached so a
 * key is encoded once: the entry's own field names for good, column names as they are seen.
 */
import { ENTRY_FIELD_NAMES } from './entry-shape.js';

const MAX_CACHED_KEYS = 512;

/** A short string (under 32 bytes) as a msgpack fixstr. */
export const utf8 = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'utf8');
  return Uint8Array.from([0xa0 | b.length, ...b]);
};
// The entry's own keys stay cached for good; column names join them as they are seen.
export const keyCache = new Map<string, Uint8Array>(ENTRY_FIELD_NAMES.map((k) => [k, utf8(k)]));
// Objects of one shape repeat their keys in order: a slot per (depth, position) remembers the
// last key seen there, and a hit is one string comparison instead of a Map lookup.
export const slotKeys: (string | undefined)[] = new Array(128).fill(undefined);
export const slotBytes: Uint8Array[] = new Array(128).fill(new Uint8Array(0));

/** Cache the bytes of key `k`; when the cache is full the column names go, the entry's own keys stay. */
export function cacheKey(k: string, b: Uint8Array): void {
  if (keyCache.size >= MAX_CACHED_KEYS) for (const old of keyCache.keys()) if (!(ENTRY_FIELD_NAMES as readonly string[]).includes(old)) keyCache.delete(old);
  keyCache.set(k, b);
}
