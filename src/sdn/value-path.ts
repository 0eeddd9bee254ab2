/**
 * Paths into a plain SDN value (`a.b.0.c`, or the segments): splitting one, reading by it, and the
 * copy-on-write set and delete document.ts writes back as text.
 */
import type { SdnObject, SdnValue } from './values.js';

/** `a.b.0.c`, or the segments themselves (needed when a key contains a dot). */
export type SdnPath = string | readonly (string | number)[];

/** The path's segments, as strings. */
export function segments(path: SdnPath): string[] {
  if (typeof path === 'string') return path === '' ? [] : path.split('.');
  return path.map(String);
}

/** The array index `seg` names (digits, no leading zero), else undefined. */
export function index(seg: string | undefined): number | undefined {
  return seg !== undefined && /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : undefined;
}

/** The value under one segment of `v`, else undefined. */
export function child(v: SdnValue | undefined, seg: string): SdnValue | undefined {
  if (Array.isArray(v)) {
    const k = index(seg);
    return k === undefined ? undefined : v[k];
  }
  if (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, seg)) return v[seg];
  return undefined;
}

/** A copy of `root` with `value` at `segs`; missing or null containers become dicts. */
export function setIn(root: SdnValue, segs: string[], value: SdnValue): SdnValue {
  if (segs.length === 0) return value;
  const [seg, ...rest] = segs;
  if (Array.isArray(root)) {
    const k = index(seg);
    if (k === undefined || k > root.length) throw new TypeError(`no index ${seg} in an array of ${root.length}`);
    const copy = root.slice();
    copy[k] = setIn(root[k] ?? null, rest, value);
    return copy;
  }
  if (root !== null && typeof root !== 'object') throw new TypeError(`cannot set "${seg}" inside a ${typeof root}`);
  const copy: SdnObject = { ...(root ?? {}) };
  copy[seg] = setIn(copy[seg] ?? null, rest, value);
  return copy;
}

/** A copy of `root` without the value at `segs`. */
export function deleteIn(root: SdnValue, segs: string[]): SdnValue {
  const [seg, ...rest] = segs;
  if (Array.isArray(root)) {
    const k = index(seg) as number;
    return rest.length ? root.map((v, j) => (j === k ? deleteIn(v, rest) : v)) : root.filter((_, j) => j !== k);
  }
  const copy: SdnObject = { ...(root as SdnObject) };
  if (rest.length) copy[seg] = deleteIn(copy[seg], rest);
  else delete copy[seg];
  return copy;
}
