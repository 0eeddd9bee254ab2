/** Checking user records before anything is written: key present, known columns, zod schema. */
import type { z } from 'zod';
import { SdnwalError } from '../errors.js';
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
}

/** Keys compare as strings: get(1) and get('1') find the same row. */
export function keyString(key: unknown, table: string): string {
  if (typeof key === 'string' && key.length > 0) return key;
  if ((typeof key === 'number' && Number.isFinite(key)) || typeof key === 'bigint') return String(key);
  throw new InvalidRecordError(`table ${table}: key must be a non-empty string or a finite number, got ${JSON.stringify(key) ?? String(key)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Values a snapshot can hold and give back unchanged: strings, finite numbers, booleans, null,
 * arrays and plain objects of those. Anything else (NaN, Date, bigint, Buffer, functions) would
 * fail or change at compaction, so it is refused before anything is written.
 */
function checkValue(table: string, v: unknown, at: string): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return;
    throw new InvalidRecordError(`table ${table}: ${at} is ${v}; only finite numbers can be stored`);
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkValue(table, x, `${at}[${i}]`));
    return;
  }
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      // msgpack would read it back as `__proto_`: refuse rather than change data.
      if (k === '__proto__') throw new InvalidRecordError(`table ${table}: ${at} has a property named "__proto__", which cannot be stored`);
      if (x !== undefined) checkValue(table, x, `${at}.${k}`);
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
  // A plain object has no inherited enumerable keys, so for-in sees exactly its own.
  for (const k in rec) {
    if (k === '__proto__') throw new InvalidRecordError(`table ${rules.table}: a column named "__proto__" cannot be stored`);
    if (declared && !declared.has(k)) throw new InvalidRecordError(`table ${rules.table}: unknown column ${JSON.stringify(k)}; columns are ${rules.columns!.join(', ')}`);
    const v = rec[k];
    if (typeof v !== 'string' && v !== undefined) checkValue(rules.table, v, k);
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

