/**
 * Snapshots in a JetStream object store bucket, `<prefix>_snapshots` (docs/nats.md, "Snapshots"):
 * object `<table>.sdn` is the current snapshot, `<table>.sdn.prev` the one before it; each object's
 * metadata names the last stream sequence it absorbed (`absorbed_seq`), as does its SDN meta.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { SdnwalError } from '../errors.js';
import { toSdnwalError } from './errors.js';
import { withRetry } from './retry.js';
import { emptyState, parseSnapshot, type SnapshotState } from './snapshot-text.js';
import type { NatsTableDefinition } from './stream.js';

export function snapshotBucketName(prefix: string): string {
  return `${prefix}_snapshots`;
}

export const currentObject = (table: string): string => `${table}.sdn`;
export const previousObject = (table: string): string => `${table}.sdn.prev`;

/** A loaded snapshot and the raw text it came from (kept as `.prev` by the next compaction). */
export interface LoadedSnapshot extends SnapshotState {
  text: Uint8Array | undefined;
  /** True when the current object was damaged and `.prev` was read instead. */
  fellBack: boolean;
}

export class SnapshotBucket {
  private constructor(
    private readonly store: ObjectStore | undefined,
    readonly name: string,
    private readonly deadlineMs: number,
  ) {}

  /** Open the bucket, creating it unless `readOnly` (then a missing bucket holds no snapshots). */
  static async open(js: JetStreamClient, prefix: string, o: { replicas: number; readOnly: boolean; deadlineMs: number }): Promise<SnapshotBucket> {
    const objm = new Objm(js);
    const name = snapshotBucketName(prefix);
    let store: ObjectStore | undefined;
    try {
      store = await objm.open(name);
    } catch {
      if (!o.readOnly) {
        try {
          store = await objm.create(name, { replicas: o.replicas, storage: StorageType.File });
        } catch (err) {
          // Created by another process meanwhile.
          store = await objm.open(name).catch(() => {
            throw toSdnwalError(err, `creating object store bucket ${name}`);
          });
        }
      }
    }
    return new SnapshotBucket(store, name, o.deadlineMs);
  }

  /** The absorbed sequence of the table's current snapshot (0: none), from the object's metadata. */
  async absorbed(def: NatsTableDefinition): Promise<number> {
    const store = this.store;
    if (!store) return 0;
    const info = await withRetry(`reading snapshot info of ${def.table}`, this.deadlineMs, () => store.info(currentObject(def.table)));
    if (!info || info.deleted || info.metadata?.table_id !== def.tableId) return 0;
    return Number(info.metadata?.absorbed_seq ?? 0);
  }

  /**
   * The table's snapshot: the current object, or `.prev` when the current one is damaged (the
   * stream above prev's absorbed sequence is kept until the next compaction, so nothing is lost).
   * An object of another table id (a table deleted and made again) counts as none.
   */
  async load(def: NatsTableDefinition): Promise<LoadedSnapshot> {
    const current = await this.read(def, currentObject(def.table));
    if (current.ok) return { ...current.state, text: current.text, fellBack: false };
    const prev = await this.read(def, previousObject(def.table));
    if (prev.ok && prev.text) return { ...prev.state, text: prev.text, fellBack: true };
    throw current.error;
  }

  private async read(def: NatsTableDefinition, name: string): Promise<{ ok: true; state: SnapshotState; text: Uint8Array | undefined } | { ok: false; error: unknown }> {
    const store = this.store;
    if (!store) return { ok: true, state: emptyState(), text: undefined };
    let text: Uint8Array | null;
    try {
      text = await withRetry(`reading snapshot ${name}`, this.deadlineMs, async () => {
        const info = await store.info(name);
        if (!info || info.deleted || info.metadata?.table_id !== def.tableId) return null;
        return store.getBlob(name);
      });
    } catch (err) {
      if (err instanceof SdnwalError && err.code === 'UNAVAILABLE') throw err;
      return { ok: false, error: new SdnwalError('CORRUPT_SNAPSHOT', `snapshot ${name} in bucket ${this.name} cannot be read: ${(err as Error).message}`, { cause: err }) };
    }
    if (!text) return { ok: true, state: emptyState(), text: undefined };
    try {
      return { ok: true, state: parseSnapshot(def, text), text };
    } catch (err) {
      return { ok: false, error: err };
    }
  }

  /** Store `text` as the table's current snapshot, absorbing up to `absorbed`. */
  async putCurrent(def: NatsTableDefinition, text: Uint8Array, absorbed: number): Promise<void> {
    await this.put(def, currentObject(def.table), text, absorbed);
  }

  /** Keep `text` (the snapshot being replaced) as `.prev`. */
  async putPrevious(def: NatsTableDefinition, text: Uint8Array, absorbed: number): Promise<void> {
    await this.put(def, previousObject(def.table), text, absorbed);
  }

  private async put(def: NatsTableDefinition, name: string, text: Uint8Array, absorbed: number): Promise<void> {
    const store = this.store;
    if (!store) throw new SdnwalError('INVALID_OPTION', 'the store is read-only: snapshots are not written');
    await withRetry(`writing snapshot ${name}`, this.deadlineMs, () =>
      store.putBlob({ name, description: `sdnwal snapshot of table ${def.table}, absorbed sequence ${absorbed}`, metadata: { absorbed_seq: String(absorbed), table_id: def.tableId } }, text),
    );
  }

  /** Size, absorbed sequence and time of the table's current snapshot (zeros: none). */
  async info(def: NatsTableDefinition): Promise<{ bytes: number; absorbedSeq: number; writtenAt: string | null }> {
    const store = this.store;
    const none = { bytes: 0, absorbedSeq: 0, writtenAt: null };
    if (!store) return none;
    const info = await withRetry(`reading snapshot info of ${def.table}`, this.deadlineMs, () => store.info(currentObject(def.table)));
    if (!info || info.deleted || info.metadata?.table_id !== def.tableId) return none;
    return { bytes: info.size, absorbedSeq: Number(info.metadata?.absorbed_seq ?? 0), writtenAt: info.mtime };
  }
}
