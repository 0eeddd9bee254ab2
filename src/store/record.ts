/** Checking user records before anything is written: key present, known columns, storable values, zod schema. */
import type { z } from 'zod';
import { SdnwalError } from '../errors.js';
import { MAX_DEPTH } from '../sdn/limits.js';
import { nameProblem } from '../sdn/names.js';
import { ROW_VALUE_LEVEL } from '../snapshot/constants.js';
import type { Row } from '../wal/entry.js';

export class InvalidRecordError extends SdnwalError {
  constructor(message: string, cause?: unknown) {
    super('INVALID_RECORD', message, { cause });
  }
}

export interface RecordRules {
  table: string;
  key: string;
  /** Declared columns, or null for free-form records. */
  columns: readonly string[] | null;
  schema?: z.ZodType;
  /**
   * Record column names and nested keys must be portable SDN names (docs/sdn.md, "Portable
   * output"); only `false` (TableOptions.portableNames) lifts it. Declared columns were checked
   * when the table was created, so a table made before the rule keeps writing its own columns.
   */
  portableNames?: boolean;
}

/**
 * How deep a column's value may nest (a scalar is 0, `[1]` 1, `[[1]]` 2): in a snapshot the value
 * sits inside the rows table and its row, and the whole must stay within the SDN reader's
 * MAX_DEPTH, or the snapshot could not be read back.
 */
export const MAX_VALUE_DEPTH = MAX_DEPTH - ROW_VALUE_LEVEL + 1;

type WellFormed = { isWellFormed(): boolean };
const LONE_SURROGATE = /\p{Surrogate}/u; // with the u flag a surrogate pair is one code point, not matched

/**
 * False when `s` holds a lone UTF-16 surrogate. The log stores strings as UTF-8, which cannot
 * hold one: it would come back as U+FFFD (and `a\uD800` and `a\uDC00` as the same key).
 */
const isWellFormed: (s: string) => boolean = typeof (String.prototype as Partial<WellFormed>).isWellFormed === 'function'
  ? (s) => (s as unknown as WellFormed).isWellFormed()
  : (s) => !LONE_SURROGATE.test(s);

const LONE = 'a lone UTF-16 surrogate, which cannot be stored (strings must be well-formed Unicode: the log stores UTF-8)';

/** A name outside the portable rule, refused (src/sdn/names.ts): `what` says which, e.g. `column`, `property name (in o.x)`. */
function checkName(table: string, what: string, name: string, where = ''): void {
  const problem = nameProblem(name);
  if (problem === undefined) return;
  throw new InvalidRecordError(`table ${table}: ${what} ${JSON.stringify(name)}${where} ${problem}, so Simple's SDN parser could not read the snapshot; ` +
    'rename it, or open the table with portableNames: false');
}

/** Keys compare as strings: get(1) and get('1') find the same row. */
export function keyString(key: unknown, table: string): string {
  if (typeof key === 'string' && key.length > 0) {
    if (!isWellFormed(key)) throw new InvalidRecordError(`table ${table}: key ${JSON.stringify(key)} holds ${LONE}`);
    return key;
  }
  if ((typeof key === 'number' && Number.isFinite(key)) || typeof key === 'bigint') return String(key);
  throw new InvalidRecordError(`table ${table}: key must be a non-empty string or a finite number, got ${JSON.stringify(key) ?? String(key)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Values a snapshot can hold and give back unchanged: well-formed strings, finite numbers,
 * booleans, null, arrays and plain objects of those, nested at most MAX_VALUE_DEPTH deep.
 * Anything else (NaN, Date, bigint, Buffer, functions, lone surrogates, deeper nesting) would
 * fail or change in the log or at compaction, so it is refused before anything is written.
 * `depth`: how deep `v` is in the value of `column` (the column's value itself is 1).
 */
function checkValue(table: string, column: string, v: unknown, at: string, depth: number, portable: boolean): void {
  if (v === null || typeof v === 'boolean') return;
  if (typeof v === 'string') {
    if (isWellFormed(v)) return;
    throw new InvalidRecordError(`table ${table}: ${at} holds ${LONE}`);
  }
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return;
    throw new InvalidRecordError(`table ${table}: ${at} is ${v}; only finite numbers can be stored`);
  }
  const array = Array.isArray(v);
  if (array || isPlainObject(v)) {
    if (depth > MAX_VALUE_DEPTH) {
      throw new InvalidRecordError(`table ${table}: column ${JSON.stringify(column)} nests deeper than ${MAX_VALUE_DEPTH} levels (or is circular); ` +
        `a snapshot holds a value inside its rows table and row, within the SDN limit of ${MAX_DEPTH} levels`);
    }
  }
  if (array) {
    // A hole (`[1, , 3]`) is not a value: it would come back as null. forEach would skip it.
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw new InvalidRecordError(`table ${table}: ${at}[${i}] is a hole in the array (no value); give null if that is what you mean`);
      checkValue(table, column, v[i], `${at}[${i}]`, depth + 1, portable);
    }
    return;
  }
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      // msgpack would read it back as `__proto_`: refuse rather than change data.
      if (k === '__proto__') throw new InvalidRecordError(`table ${table}: ${at} has a property named "__proto__", which cannot be stored`);
      if (!isWellFormed(k)) throw new InvalidRecordError(`table ${table}: ${at} has a property name ${JSON.stringify(k)} holding ${LONE}`);
      if (portable) checkName(table, 'property name', k, ` (in ${at})`);
      if (x !== undefined) checkValue(table, column, x, `${at}.${k}`, depth + 1, portable);
    }
    return;
  }
  const kind = v === undefined ? 'undefined' : typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
  throw new InvalidRecordError(`table ${table}: ${at} is a ${kind}; store strings, finite numbers, booleans, null, arrays or plain objects (convert dates to ISO strings)`);
}

/** Declared columns as a Set, made once per column list (records are checked one by one). */
const columnSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function columnSet(columns: readonly string[]): ReadonlySet<string> {
  let set = columnSets.get(columns);
  if (!set) columnSets.set(columns, (set = new Set(columns)));
  return set;
}

function checkColumns(rules: RecordRules, rec: Record<string, unknown>): void {
  const declared = rules.columns ? columnSet(rules.columns) : undefined;
  const portable = rules.portableNames !== false;
  // A plain object has no inherited enumerable keys, so for-in sees exactly its own.
  for (const k in rec) {
    if (k === '__proto__') throw new InvalidRecordError(`table ${rules.table}: a column named "__proto__" cannot be stored`);
    if (declared && !declared.has(k)) throw new InvalidRecordError(`table ${rules.table}: unknown column ${JSON.stringify(k)}; columns are ${rules.columns!.join(', ')}`);
    if (!isWellFormed(k)) throw new InvalidRecordError(`table ${rules.table}: column name ${JSON.stringify(k)} holds ${LONE}`);
    if (portable && !declared && k !== rules.key) checkName(rules.table, 'column', k);
    const v = rec[k];
    if (typeof v === 'string') {
      if (!isWellFormed(v)) throw new InvalidRecordError(`table ${rules.table}: column ${JSON.stringify(k)} holds ${LONE}`);
    } else if (v !== undefined) checkValue(rules.table, k, v, k, 1, portable);
  }
}

/** A whole record for insert: must carry its key and pass the schema. */
export function toInsertRow(rules: RecordRules, rec: unknown): Row {
  if (!isPlainObject(rec)) throw new InvalidRecordError(`table ${rules.table}: a record must be a plain object, got ${Array.isArray(rec) ? 'an array' : typeof rec}`);
  if (!(rules.key in rec) || rec[rules.key] === undefined || rec[rules.key] === null) throw new InvalidRecordError(`table ${rules.table}: record has no key column ${JSON.stringify(rules.key)}`);
  checkColumns(rules, rec);
  let values = rec;
  if (rules.schema) {
    const r = rules.schema.safeParse(rec);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new InvalidRecordError(`table ${rules.table}: record fails its schema at ${i.path.join('.') || '(record)'}: ${i.message}`, r.error);
    }
    values = r.data as Record<string, unknown>;
  }
  return { key: keyString(rec[rules.key], rules.table), values: { ...values } };
}

/** A partial record for update: must carry its key; the given columns are merged into the row. */
export function toUpdateRow(rules: RecordRules, rec: unknown): Row {
  if (!isPlainObject(rec)) throw new InvalidRecordError(`table ${rules.table}: an update must be a plain object, got ${typeof rec}`);
  if (rec[rules.key] === undefined || rec[rules.key] === null) throw new InvalidRecordError(`table ${rules.table}: update has no key column ${JSON.stringify(rules.key)}`);
  checkColumns(rules, rec);
  const values = Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined));
  // The given columns must pass the schema's own rules for them (the rest of the row already did).
  const partial = (rules.schema as { partial?: () => z.ZodType } | undefined)?.partial?.();
  if (partial) {
    const r = partial.safeParse(values);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new InvalidRecordError(`table ${rules.table}: update fails its schema at ${i.path.join('.') || '(record)'}: ${i.message}`, r.error);
    }
  }
  return { key: keyString(rec[rules.key], rules.table), values };
}

