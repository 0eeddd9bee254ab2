/**
 * One JetStream stream per table (docs/nats.md, "Mapping"): `<prefix>_<table>` on subject
 * `<prefix>.<table>`, file storage, one message per log entry, the stream sequence as the log
 * position. The table's definition (key, columns, conflict strategy, table id) is the stream's
 * description, so another process opens the table without options.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { SdnwalError } from '../errors.js';
import type { ConflictStrategy } from '../store/options.js';
import { DUPLICATE_WINDOW_MS } from './options.js';
import { isNotFound, toSdnwalError } from './errors.js';

/** What the stream description holds. */
export interface NatsTableDefinition {
  prefix: string;
  table: string;
  tableId: string;
  key: string;
  columns: string[] | null;
  conflict: ConflictStrategy | undefined;
}

const DESCRIPTION_PREFIX = 'sdnwal table ';
/** The longest stream description nats-server takes (it refuses a longer one). */
const MAX_DESCRIPTION_BYTES = 4096;
const CONFLICTS: readonly string[] = ['error', 'last-write-wins', 'last-modified-wins', 'merge'];

export function streamName(prefix: string, table: string): string {
  return `${prefix}_${table}`;
}

export function subjectOf(prefix: string, table: string): string {
  return `${prefix}.${table}`;
}

export function encodeDefinition(d: NatsTableDefinition): string {
  return DESCRIPTION_PREFIX + JSON.stringify({ v: 1, prefix: d.prefix, table: d.table, table_id: d.tableId, key: d.key, columns: d.columns, conflict: d.conflict ?? null });
}

/** The definition in a stream's description, or undefined when the stream is not an sdnwal table. */
export function decodeDefinition(description: string | undefined): NatsTableDefinition | undefined {
  if (!description?.startsWith(DESCRIPTION_PREFIX)) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(description.slice(DESCRIPTION_PREFIX.length)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { prefix, table, table_id: tableId, key, columns, conflict } = raw;
  if (raw.v !== 1 || typeof prefix !== 'string' || typeof table !== 'string' || typeof tableId !== 'string' || typeof key !== 'string') return undefined;
  if (columns !== null && !(Array.isArray(columns) && columns.every((c) => typeof c === 'string'))) return undefined;
  if (conflict !== null && !(typeof conflict === 'string' && CONFLICTS.includes(conflict))) return undefined;
  return { prefix, table, tableId, key, columns: columns as string[] | null, conflict: (conflict ?? undefined) as ConflictStrategy | undefined };
}

/** The stream's info, or undefined when it does not exist. */
export async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    // Left as the client's error, so withRetry can tell a timeout from a refusal.
    throw err;
  }
}

/** The table's definition from its stream (undefined: no such table); a stream of something else is refused. */
export async function readDefinition(jsm: JetStreamManager, prefix: string, table: string): Promise<NatsTableDefinition | undefined> {
  const name = streamName(prefix, table);
  const info = await streamInfo(jsm, name);
  if (!info) return undefined;
  return checkedDefinition(info, prefix, table);
}

function checkedDefinition(info: StreamInfo, prefix: string, table: string): NatsTableDefinition {
  const def = decodeDefinition(info.config.description);
  if (!def || def.prefix !== prefix || def.table !== table) {
    throw new SdnwalError('SCHEMA_MISMATCH', `stream ${info.config.name} exists but is not sdnwal table ${table} of prefix ${prefix} (its description is ${JSON.stringify(info.config.description ?? '')}); choose another table name or nats.prefix`);
  }
  return def;
}

/**
 * Create the table's stream with `def` as its description; when another process created it first
 * (with another definition, perhaps), its stored definition wins and is returned.
 */
export async function createTableStream(jsm: JetStreamManager, def: NatsTableDefinition, replicas: number): Promise<NatsTableDefinition> {
  const name = streamName(def.prefix, def.table);
  const description = encodeDefinition(def);
  const length = Buffer.byteLength(description);
  if (length > MAX_DESCRIPTION_BYTES) {
    throw new SdnwalError(
      'INVALID_OPTION',
      `table ${def.table}: its definition (key and ${def.columns?.length ?? 0} columns) takes ${length} bytes, and a NATS store keeps it in the stream's description, ` +
        `${MAX_DESCRIPTION_BYTES} bytes at most: declare fewer or shorter column names (or none: columns are optional); nothing was created`,
    );
  }
  try {
    const info = await jsm.streams.add({
      name,
      subjects: [subjectOf(def.prefix, def.table)],
      description,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      deny_delete: true,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
    });
    return checkedDefinition(info, def.prefix, def.table);
  } catch (err) {
    // Created meanwhile by another process, with another config (its definition): read it.
    const existing = await readDefinition(jsm, def.prefix, def.table).catch(() => undefined);
    if (existing) return existing;
    throw toSdnwalError(err, `creating stream ${name}`);
  }
}

/** The tables of `prefix`: streams whose description is an sdnwal definition of that prefix. */
export async function listTableStreams(jsm: JetStreamManager, prefix: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const info of jsm.streams.list()) {
      if (!info.config.name.startsWith(`${prefix}_`)) continue;
      const def = decodeDefinition(info.config.description);
      if (def && def.prefix === prefix && streamName(prefix, def.table) === info.config.name) out.push(def.table);
    }
  } catch (err) {
    throw toSdnwalError(err, 'listing streams');
  }
  return out.sort();
}

/** The stream's last sequence: every acknowledged append is at or below it. Call through withRetry. */
export async function lastSequence(jsm: JetStreamManager, name: string): Promise<{ last: number; first: number; bytes: number; messages: number }> {
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err)) throw new SdnwalError('NOT_FOUND', `stream ${name} no longer exists (the table was deleted on the servers)`, { cause: err });
    // Left as the client's error, so withRetry can tell a timeout from a refusal.
    throw err;
  }
  return { last: info.state.last_seq, first: info.state.first_seq, bytes: info.state.bytes, messages: info.state.messages };
}
