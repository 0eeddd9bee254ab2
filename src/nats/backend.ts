/**
 * The NATS JetStream backend of a store (docs/nats.md): `openStore('nats://host:4222')` gives the
 * same Store and Table API as a local directory, with each table a stream, its snapshots in an
 * object store bucket and compaction leases in a KV bucket.
 */
import { SdnwalError } from '../errors.js';
import { resolveStoreOptions, type ResolvedStoreOptions, type TableOptions } from '../store/options.js';
import { checkNewTableNames } from '../store/portable-names.js';
import type { OpenedTable, StoreBackend } from '../store/table-log.js';
import { withVersionColumns } from '../store/versioning.js';
import { assertTableName } from '../wal/paths.js';
import { newTableId } from '../wal/segment.js';
import { connectNats, splitLocation, type Connected } from './connect.js';
import type { NatsOptions } from './options.js';
import { NatsContext } from './context.js';
import { SnapshotBucket } from './snapshots.js';
import { createTableStream, listTableStreams, readDefinition, type NatsTableDefinition } from './stream.js';
import { NatsTableLog } from './table-log.js';
import { withRetry } from './retry.js';

/** The URL's own parameters (validated), over openStore's options. */
function definedOnly(params: Record<string, unknown>): Record<string, unknown> {
  const valid = resolveStoreOptions({ nats: params as NatsOptions }).nats as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(params).map((k) => [k, valid[k]]));
}

/** Room for the message's headers within the servers' max_payload. */
const HEADER_ROOM = 1024;

class NatsBackend implements StoreBackend {
  private readonly logs = new Set<NatsTableLog>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly ctx: NatsContext,
    private readonly conn: Connected,
  ) {}

  get location(): string {
    return this.conn.location;
  }

  async listTables(): Promise<string[]> {
    return listTableStreams(this.ctx.jsm, this.ctx.o.prefix);
  }

  async openTable(name: string, opts: TableOptions, check?: (definition: OpenedTable['definition']) => void): Promise<OpenedTable> {
    if (this.closing) throw new SdnwalError('CLOSED', 'the store is closed');
    assertTableName(name);
    const { prefix, replicas } = this.ctx.o;
    const deadline = this.ctx.o.writeDeadlineMs;
    let def: NatsTableDefinition | undefined = await withRetry(`opening table ${name}`, deadline, () => readDefinition(this.ctx.jsm, prefix, name));
    if (!def) {
      if (this.ctx.readOnly) throw new SdnwalError('NOT_FOUND', `no table ${name} at ${this.location} (prefix ${prefix})`);
      if (!opts.key) throw new SdnwalError('INVALID_OPTION', `table ${name} does not exist yet: give its key column (store.table('${name}', { key: 'id', ... }))`);
      // A new table's names must be portable, as on a local store (README, "Snapshots for Simple's own SDN parser").
      checkNewTableNames(name, opts);
      const columns = opts.columns ? (opts.conflict ? withVersionColumns(opts.columns) : [...opts.columns]) : null;
      def = await createTableStream(this.ctx.jsm, { prefix, table: name, tableId: newTableId(), key: opts.key, columns, conflict: opts.conflict }, replicas);
    }
    const definition = { key: def.key, columns: def.columns, conflict: def.conflict };
    // Options that disagree with the stored definition are refused before a log is made for them.
    check?.(definition);
    const log = new NatsTableLog(this.ctx, def);
    this.logs.add(log);
    return { definition, log };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.logs].map((l) => l.close()));
      await this.conn.nc.drain().catch(() => this.conn.nc.close());
    })();
    return this.closing;
  }
}

/** Connect to the servers `url` names (comma-separated) and make what every table shares. */
export async function openNatsContext(url: string, options: ResolvedStoreOptions): Promise<NatsContext> {
  const { servers, params } = splitLocation(url);
  const o = { ...options.nats, ...definedOnly(params) };
  const conn = await connectNats(servers, o);
  try {
    const bucket = await SnapshotBucket.open(conn.js, o.prefix, { replicas: o.replicas, deadlineMs: o.writeDeadlineMs, ackTimeoutMs: o.ackTimeoutMs });
    const maxPayload = conn.nc.info?.max_payload ?? 1024 * 1024;
    const byPayload = maxPayload - HEADER_ROOM;
    const limit = options.maxEntryBytes <= byPayload
      ? { bytes: options.maxEntryBytes, why: "the store's maxEntryBytes" }
      : { bytes: byPayload, why: `the servers' max_payload of ${maxPayload} bytes less ${HEADER_ROOM} for headers; raise max_payload in their config for larger entries` };
    return new NatsContext(conn, o, options.readOnly, bucket, limit.bytes, limit.why);
  } catch (err) {
    await conn.nc.close().catch(() => undefined);
    throw err;
  }
}

/** Connect to the servers `url` names (comma-separated) and open the store there. */
export async function openNatsBackend(url: string, options: ResolvedStoreOptions): Promise<StoreBackend> {
  const ctx = await openNatsContext(url, options);
  return new NatsBackend(ctx, ctx.conn);
}
