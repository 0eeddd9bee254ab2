/**
 * The Store: the tables of one place — a local directory (the default; openStore() runs recovery
 * first) or a NATS JetStream cluster (a `nats://` URL, docs/nats.md). store.table() opens or
 * creates a table through the store's backend (store/table-log.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SdnwalError } from '../errors.js';
import { fsyncDir, io } from '../io.js';
import type { RecoveryReport } from '../recovery/report.js';
import type { Record_ } from '../replay/rules.js';
import { LocalBackend } from './local-backend.js';
import { checkTableOptions, resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions, type TableOptions, type ConflictStrategy } from './options.js';
import type { StoreBackend } from './table-log.js';
import { Table } from './table.js';
import { withVersionColumns } from './versioning.js';

export class SchemaMismatchError extends SdnwalError {
  constructor(message: string) {
    super('SCHEMA_MISMATCH', message);
  }
}

/** A location naming NATS servers rather than a directory. */
export function isNatsUrl(location: string): boolean {
  return /^nats:\/\//i.test(location);
}

export class Store {
  private readonly tables = new Map<string, Table<Record_>>();
  /** Tables being opened, so two concurrent table() calls share one writer. */
  private readonly opening = new Map<string, Promise<Table<Record_>>>();
  /** What recovery found and did when the store was opened (undefined for read-only and NATS stores). */
  recovery: RecoveryReport | undefined;
  private closing: Promise<void> | undefined;
  private compactTimer: NodeJS.Timeout | undefined;

  /** @internal Use openStore(). */
  constructor(
    private readonly backend: StoreBackend,
    readonly options: ResolvedStoreOptions,
  ) {}

  /** The store directory (absolute), or the NATS URL it was opened with. */
  get dir(): string {
    return this.backend.location;
  }

  /** Names of the tables in the store, sorted. */
  listTables(): Promise<string[]> {
    return this.backend.listTables();
  }

  /** Open (or create) a table. Reopening with other key or columns is SCHEMA_MISMATCH, never a silent change. */
  async table<R extends Record_ = Record_>(name: string, opts?: TableOptions<R>): Promise<Table<R>> {
    if (this.closing) throw new SdnwalError('CLOSED', 'the store is closed');
    const o = checkTableOptions(opts as TableOptions);
    const pending = this.opening.get(name);
    if (pending) await pending.catch(() => undefined);
    const open = this.tables.get(name);
    if (open) {
      this.checkSame(name, open.key, open.columns, o, open.conflict);
      return open as unknown as Table<R>;
    }
    const p = this.openTable<R>(name, o);
    this.opening.set(name, p as unknown as Promise<Table<Record_>>);
    try {
      return await p;
    } finally {
      this.opening.delete(name);
    }
  }

  private async openTable<R extends Record_>(name: string, o: TableOptions): Promise<Table<R>> {
    const { definition, log, paths } = await this.backend.openTable(name, o, (d) => this.checkSame(name, d.key, d.columns, o, d.conflict));
    const { key, columns, conflict } = definition;
    try {
      this.checkSame(name, key, columns, o, conflict);
    } catch (err) {
      await log.close();
      throw err;
    }
    const given = o.columns ? (conflict ? withVersionColumns(o.columns) : [...o.columns]) : null;
    const versioning = conflict ? { conflict, merge: o.merge as never } : undefined;
    const t = new Table<R>({ name, key, columns: columns ?? given, log, paths, schema: o.schema as never, versioning, portableNames: o.portableNames });
    this.tables.set(name, t as unknown as Table<Record_>);
    return t;
  }

  private checkSame(name: string, key: string, columns: readonly string[] | null, o: TableOptions, conflict: ConflictStrategy | undefined): void {
    if (o.key && o.key !== key) throw new SchemaMismatchError(`table ${name} has key column ${JSON.stringify(key)}, not ${JSON.stringify(o.key)}`);
    if (o.conflict && o.conflict !== conflict) {
      throw new SchemaMismatchError(conflict ? `table ${name} has conflict strategy ${conflict}, not ${o.conflict}` : `table ${name} is not versioned: versioning (the conflict option) is chosen when a table is created`);
    }
    if (o.merge && conflict !== 'merge') throw new SdnwalError('INVALID_OPTION', `table ${name}: a merge function is used only with conflict: 'merge' (the table's strategy is ${conflict ?? 'none'})`);
    // A versioned table's stored columns end with version and last_modified; callers need not name them.
    const declared = o.columns && conflict ? withVersionColumns(o.columns) : o.columns;
    if (declared && columns && declared.join('\u0000') !== columns.join('\u0000')) {
      throw new SchemaMismatchError(`table ${name} has columns ${columns.join(', ')}; it was opened with ${declared.join(', ')}`);
    }
  }

  /** Wait for pending writes and close every table. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.compactTimer);
      // A running auto-compaction finishes first (its fold runs in a worker thread).
      await this.autoCompacting;
      // Tables still opening are closed too (their open finishes first; a failed one holds nothing).
      await Promise.allSettled(this.opening.values());
      for (const t of this.tables.values()) await t.close();
      await this.backend.close();
    })();
    return this.closing;
  }

  /**
   * In-process compaction (openStore's `autoCompact`): every `everyMs`, each open table whose log
   * above the snapshot holds at least `afterBytes`. Errors are kept in `lastAutoCompactError`
   * (a compaction that fails leaves the old snapshot and the log as they were).
   */
  lastAutoCompactError: unknown;
  private autoCompacting: Promise<void> | undefined;

  /** @internal */
  startAutoCompact(everyMs: number, afterBytes: number): void {
    this.compactTimer = setInterval(() => {
      if (this.autoCompacting || this.closing) return;
      this.autoCompacting = (async () => {
        for (const t of this.tables.values()) {
          try {
            await t.compactIfAbove(afterBytes);
          } catch (err) {
            this.lastAutoCompactError = err;
          }
        }
      })().finally(() => (this.autoCompacting = undefined));
    }, everyMs);
    this.compactTimer.unref();
  }

  get openTables(): Table<Record_>[] {
    return [...this.tables.values()];
  }
}

/**
 * Open a store: a directory (created if missing unless readOnly; recovery runs first) or, for a
 * `nats://host:port[,nats://host:port...]` URL, a NATS JetStream cluster (docs/nats.md).
 */
export async function openStore(location: string, options?: StoreOptions): Promise<Store> {
  if (typeof location !== 'string' || location.length === 0 || location.includes('\0')) throw new SdnwalError('INVALID_OPTION', `Expected \`dir\` to be a directory path or a nats:// URL, got \`${String(location)}\``);
  const opts = resolveStoreOptions(options);
  if (isNatsUrl(location)) {
    // Loaded only when used: the local store never pays for the NATS client.
    const { openNatsBackend } = await import('../nats/backend.js');
    return startStore(new Store(await openNatsBackend(location, opts), opts));
  }
  const abs = path.resolve(location);
  if (opts.readOnly) {
    if (!fs.existsSync(abs)) throw new SdnwalError('NOT_FOUND', `no store at ${abs}`);
  } else if (!fs.existsSync(abs)) {
    io.mkdirSync(abs);
    fsyncDir(path.dirname(abs));
  }
  const store = new Store(new LocalBackend(abs, opts), opts);
  if (!opts.readOnly) {
    // Loaded only for a writable store: read-only CLI commands start faster without it.
    const { recoverStoreOnOpen } = await import('../recovery/recover.js');
    store.recovery = await recoverStoreOnOpen(abs, opts.recovery);
  }
  return startStore(store);
}

function startStore(store: Store): Store {
  const auto = store.options.autoCompact;
  if (!store.options.readOnly && auto) store.startAutoCompact(auto.everyMs, auto.afterBytes);
  return store;
}
