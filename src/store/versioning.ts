/**
 * Versioned tables (docs/versioning.md, docs/protocol.md §10): every row carries
 * `version` (1 on insert, +1 per write) and `last_modified` (ISO 8601). Each write runs on the
 * locked, caught-up path, resolves a conflict once, and logs the resulting row with its version,
 * so replay and the compactor never run a strategy. A delete logs the version it takes, which
 * replay keeps as a tombstone: a re-insert continues from it and versions never repeat for a key.
 */
import { ConflictError, SdnwalError } from '../errors.js';
import type { Operation, Row } from '../wal/entry.js';
import { type Record_, VERSION_COLUMN } from '../replay/rules.js';
import type { LockedLog } from '../wal/writer.js';
import type { ConflictStrategy } from './options.js';
import { InvalidRecordError, keyString, type RecordRules, toInsertRow, toUpdateRow } from './record.js';

export { VERSION_COLUMN };
export const LAST_MODIFIED_COLUMN = 'last_modified';
/** Added to a versioned table's declared columns (and so to its snapshot), in this order. */
export const VERSION_COLUMNS = [VERSION_COLUMN, LAST_MODIFIED_COLUMN] as const;

export const CONFLICT_STRATEGIES: readonly ConflictStrategy[] = ['error', 'last-write-wins', 'last-modified-wins', 'merge'];

/** The declared columns of a versioned table: the caller's, then the version columns it lacks. */
export function withVersionColumns(columns: readonly string[]): string[] {
  return [...columns, ...VERSION_COLUMNS.filter((c) => !columns.includes(c))];
}

export interface VersionSettings<R extends Record_ = Record_> {
  readonly conflict: ConflictStrategy;
  /** For 'merge'; default: the fields the caller gave win, the others keep their stored value. */
  readonly merge?: (stored: R, incoming: Partial<R>) => R;
}

/** What a versioned `update` did. */
export interface UpdateResult<R extends Record_ = Record_> {
  /**
   * 'written': the write was applied (no conflict, or the strategy took the incoming write or a merge);
   * 'kept': last-modified-wins kept the stored row (it is as late or later), nothing was written;
   * 'missing': no row has this key (a deleted row is never brought back by an update), nothing was written.
   */
  outcome: 'written' | 'kept' | 'missing';
  /** The stored version differed from `expectedVersion`. */
  conflict: boolean;
  /** The row after the call (undefined when missing). */
  row: R | undefined;
  /** Its version after the call (for a missing row: the tombstone's, or 0). */
  version: number;
}

/** What a versioned table needs from its Table: the caught-up state and the locked write path. */
export interface VersionedHost {
  readonly rules: RecordRules;
  /** The caught-up rows. */
  state(): Map<string, Record_>;
  /** Key → version of its delete, caught up with `state()`. */
  tombstones(): ReadonlyMap<string, number>;
  locked<T>(fn: (log: LockedLog) => Promise<{ result: T; done?: Promise<void> }>): Promise<T>;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** A caller's `last_modified` (an ISO 8601 string or a Date) as a UTC ISO string; undefined when not given. */
export function parseLastModified(value: unknown, table: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' && ISO_8601.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidRecordError(`table ${table}: ${LAST_MODIFIED_COLUMN} must be an ISO 8601 date-time (e.g. 2026-03-01T12:00:00Z) or a Date, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

/** A stored row's version (0 for a row that has none, e.g. one adopted from a plain .sdn file). */
export function versionOf(row: Record_ | undefined): number {
  const v = row?.[VERSION_COLUMN];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

function timeOf(row: Record_): number {
  const v = row[LAST_MODIFIED_COLUMN];
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? ms : -Infinity;
}

/**
 * The record without the columns the table assigns (a given `version` is ignored: use
 * expectedVersion). Anything but an object is passed on for record.ts to reject as INVALID_RECORD.
 */
function userPart(rec: Record_): Record_ {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return rec;
  const { [VERSION_COLUMN]: _v, [LAST_MODIFIED_COLUMN]: _m, ...rest } = rec;
  return rest;
}

/** The `last_modified` a record gives, if it is an object at all. */
function givenTime(rec: unknown): unknown {
  return typeof rec === 'object' && rec !== null ? (rec as Record_)[LAST_MODIFIED_COLUMN] : undefined;
}

function defaultMerge(stored: Record_, incoming: Record_): Record_ {
  return { ...stored, ...incoming };
}

export class Versioning<R extends Record_ = Record_> {
  constructor(
    private readonly host: VersionedHost,
    readonly settings: VersionSettings<R>,
  ) {}

  private get table(): string {
    return this.host.rules.table;
  }

  /** The version the next write of `key` takes (after the row's, or after its tombstone's). */
  private nextVersion(key: string): number {
    const cur = this.host.state().get(key);
    return (cur ? versionOf(cur) : (this.host.tombstones().get(key) ?? 0)) + 1;
  }

  /**
   * The logged values of a whole row: the user's columns checked (key, columns, schema), then the
   * version and the time. `last_modified` is the one the write gives (one that differs from the
   * stored row's), else now.
   */
  private stamp(key: string, next: Record_, prev: Record_ | undefined, version: number): Row {
    if (typeof next !== 'object' || next === null) throw new InvalidRecordError(`table ${this.table}: a record must be a plain object, got ${next === null ? 'null' : typeof next}`);
    const given = givenTime(next);
    const lm = prev !== undefined && given === prev[LAST_MODIFIED_COLUMN] ? undefined : parseLastModified(given, this.table);
    const row = toInsertRow(this.host.rules, userPart(next));
    if (row.key !== key) throw new InvalidRecordError(`table ${this.table}: the write changed the key from ${JSON.stringify(key)} to ${JSON.stringify(row.key)}`);
    return { key, values: { ...row.values, [VERSION_COLUMN]: version, [LAST_MODIFIED_COLUMN]: lm ?? new Date().toISOString() } };
  }

  /** Insert a whole record; an existing key is replaced and its version goes up by one. */
  async insert(record: R, ifAbsent: boolean): Promise<boolean> {
    const checked = toInsertRow(this.host.rules, userPart(record));
    parseLastModified(givenTime(record), this.table);
    return this.host.locked(async (log) => {
      const cur = this.host.state().get(checked.key);
      if (ifAbsent && cur) return { result: false };
      const row = this.stamp(checked.key, record, undefined, this.nextVersion(checked.key));
      return { result: true, done: log.append([{ operation: 'insert', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** Insert many records as one log entry; a key given twice takes two versions. */
  async insertMany(records: readonly R[]): Promise<void> {
    const keys = records.map((r) => {
      const key = toInsertRow(this.host.rules, userPart(r)).key;
      parseLastModified(givenTime(r), this.table);
      return key;
    });
    if (records.length === 0) return;
    await this.host.locked(async (log) => {
      const taken = new Map<string, number>();
      const rows = records.map((r, i) => {
        const key = keys[i]!;
        const version = (taken.get(key) ?? this.nextVersion(key) - 1) + 1;
        taken.set(key, version);
        return this.stamp(key, r, undefined, version);
      });
      return { result: undefined, done: log.append([{ operation: 'insert', rows, timestamp: Date.now() }]) };
    });
  }

  /**
   * Merge the given columns into the stored row. With `expectedVersion` and a stored version that
   * differs, the table's strategy decides (see UpdateResult); without it the write applies.
   */
  async update(partial: Partial<R>, opts: { expectedVersion?: number; mustExist?: boolean }): Promise<UpdateResult<R>> {
    const expected = opts.expectedVersion;
    if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
      throw new TypeError(`Expected \`expectedVersion\` to be an integer >= 0, got \`${String(expected)}\` (${typeof expected})`);
    }
    const { key } = toUpdateRow(this.host.rules, userPart(partial as Record_));
    const given = parseLastModified(givenTime(partial), this.table);
    const incoming: Record_ = { ...userPart(partial as Record_), ...(given !== undefined ? { [LAST_MODIFIED_COLUMN]: given } : {}) };
    for (const k of Object.keys(incoming)) if (incoming[k] === undefined) delete incoming[k];
    const strategy = this.settings.conflict;
    return this.host.locked<UpdateResult<R>>(async (log) => {
      const cur = this.host.state().get(key);
      if (!cur) {
        const actual = this.host.tombstones().get(key) ?? 0;
        const conflict = expected !== undefined && expected !== actual;
        if (conflict && strategy === 'error') throw new ConflictError(key, expected, actual);
        if (opts.mustExist) throw new SdnwalError('NOT_FOUND', `table ${this.table}: no row with key ${JSON.stringify(key)}`);
        return { result: { outcome: 'missing', conflict, row: undefined, version: actual } };
      }
      const stored = versionOf(cur);
      const conflict = expected !== undefined && expected !== stored;
      let next: Record_;
      if (!conflict || strategy === 'last-write-wins') next = defaultMerge(cur, incoming);
      else if (strategy === 'error') throw new ConflictError(key, expected, stored);
      else if (strategy === 'last-modified-wins') {
        // The caller's edit time (now, if it gave none) against the stored row's; a tie keeps the stored row.
        const incomingTime = given !== undefined ? Date.parse(given) : Date.now();
        if (!(incomingTime > timeOf(cur))) return { result: { outcome: 'kept', conflict, row: { ...cur } as R, version: stored } };
        next = defaultMerge(cur, incoming);
      } else {
        const merge = this.settings.merge ?? (defaultMerge as unknown as NonNullable<VersionSettings<R>['merge']>);
        next = merge({ ...cur } as R, { ...incoming } as Partial<R>);
        if (next && typeof (next as unknown as Promise<unknown>).then === 'function') throw new TypeError('merge must be synchronous (it returned a promise)');
      }
      const row = this.stamp(key, next, cur, stored + 1);
      // A merge may drop a column: then the whole row replaces the stored one.
      const operation: Operation = Object.keys(cur).every((c) => c in row.values!) ? 'update' : 'insert';
      const done = log.append([{ operation, rows: [row], timestamp: Date.now() }]);
      return { result: { outcome: 'written', conflict, row: { ...row.values } as R, version: stored + 1 }, done };
    });
  }

  /** Delete the row; the delete takes the next version, kept as the key's tombstone. */
  async delete(keyValue: unknown): Promise<void> {
    const key = keyString(keyValue, this.table);
    await this.host.locked(async (log) => {
      const cur = this.host.state().get(key);
      if (!cur) return { result: undefined };
      const row: Row = { key, values: { [VERSION_COLUMN]: versionOf(cur) + 1 } };
      return { result: undefined, done: log.append([{ operation: 'delete', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** modify() on a versioned table: the row `fn` returned, checked and stamped with the next version. Lock held. */
  modified(key: string, next: R, cur: Record_ | undefined): Row {
    return this.stamp(key, next, cur, this.nextVersion(key));
  }
}

/** The conflict strategy a snapshot's meta names (the table's definition), checked. */
export function storedConflict(file: string, value: string | undefined): ConflictStrategy | undefined {
  if (value === undefined) return undefined;
  if (!(CONFLICT_STRATEGIES as readonly string[]).includes(value)) {
    throw new SdnwalError('CORRUPT_SNAPSHOT', `${file}: meta.conflict is ${JSON.stringify(value)}; known strategies are ${CONFLICT_STRATEGIES.join(', ')}`);
  }
  return value as ConflictStrategy;
}
