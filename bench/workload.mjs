// The benchmark workload: the same deterministic records for every contender and every run.

/** The key column and the five value columns every contender stores. */
export const KEY = 'id';
export const COLUMNS = ['id', 'title', 'status', 'area', 'owner', 'note'];

// Letters, digits, '-' and '_': short text that needs no quoting or escaping in any store.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz-_ABCDEFGHIJ0123456789';

/** mulberry32: a tiny, fast, seedable PRNG, so record i is the same in every process and run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function text(next) {
  const len = 12 + Math.floor(next() * 7); // 12..18 characters
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

/** The key of record i: fixed width so keys sort in insertion order in every store. */
export function keyOf(i) {
  return 'rec-' + String(i).padStart(10, '0');
}

/** Record i: a key plus 5 strings of 12–18 characters (~160 bytes as JSON). Pure function of i. */
export function makeRecord(i) {
  const next = prng(i * 2654435761 + 1);
  return {
    id: keyOf(i),
    title: text(next),
    status: text(next),
    area: text(next),
    owner: text(next),
    note: text(next),
  };
}

/** Records [start, start + count), made before timing starts so generation is never measured. */
export function makeRecords(start, count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = makeRecord(start + i);
  return out;
}
