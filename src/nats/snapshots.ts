/**
 * Snapshots in a JetStream object store bucket, `<prefix>_snapshots` (docs/nats.md, "Snapshots"):
 * object `<table>.sdn` is the current snapshot, `<table>.sdn.prev` the one before it; each object's
 * metadata names the last stream sequence it absorbed (`absorbed_seq`), as does its SDN meta.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { SdnwalError } from '../errors.js';
import { isStreamGone, toSdnwalError, UnavailableError } from './errors.js';
import { backoffMs, sleep, withRetry } from './retry.js';
import { emptyState, parseSnapshot, type SnapshotState } from './snapshot-text.js';
import type { NatsTableDefinition } from './stream.js';

/** How often a snapshot read with no new chunk checks whether the object was replaced under it. */
const STALL_CHECK_MS = 250;
/** Reads started again in a row (the object replaced each time) before giving up. */
const MAX_REREADS = 20;

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
  /** The bucket once it exists (opened on first need, so a bucket made later by another process is found). */
  private store: ObjectStore | undefined;

  private constructor(
    private readonly objm: Objm,
    readonly name: string,
    private readonly replicas: number,
    private readonly deadlineMs: number,
    /** A read whose chunks stop arriving this long (the object unchanged) is started again. */
    private readonly stallLimitMs: number,
  ) {}

  /**
   * The snapshot bucket of `prefix`, opened if it exists. Nothing is created here: a writable store
   * makes the bucket when it writes its first snapshot, so opening a store (or a failed command)
   * leaves the servers as they were.
   */
  static async open(js: JetStreamClient, prefix: string, o: { replicas: number; deadlineMs: number; ackTimeoutMs: number }): Promise<SnapshotBucket> {
    const bucket = new SnapshotBucket(new Objm(js), snapshotBucketName(prefix), o.replicas, o.deadlineMs, Math.max(STALL_CHECK_MS, o.ackTimeoutMs * 2));
    await bucket.handle(false);
    return bucket;
  }

  /** The bucket (undefined: none yet); with `create`, made when missing. */
  private async handle(create: boolean): Promise<ObjectStore | undefined> {
    if (this.store) return this.store;
    const opened = await withRetry(`opening object store bucket ${this.name}`, this.deadlineMs, async () => {
      try {
        return await this.objm.open(this.name);
      } catch (err) {
        // The client's word for a missing bucket; anything else (a timeout) is retried or thrown.
        if (err instanceof Error && err.message === 'object store not found') return undefined;
        throw err;
      }
    });
    if (opened || !create) return (this.store = opened);
    try {
      this.store = await withRetry(`creating object store bucket ${this.name}`, this.deadlineMs, () => this.objm.create(this.name, { replicas: this.replicas, storage: StorageType.File }));
    } catch (err) {
      // Created by another process meanwhile (perhaps with other settings): use it as it is.
      this.store = await this.objm.open(this.name).catch(() => {
        throw toSdnwalError(err, `creating object store bucket ${this.name}`);
      });
    }
    return this.store;
  }

  /**
   * `fn` on the bucket, or undefined when there is none. A bucket the servers no longer have (lost
   * with a single node killed just after making it) counts as none and is looked for, or made
   * (`create`), again.
   */
  private async withBucket<T>(create: boolean, fn: (store: ObjectStore) => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      const store = await this.handle(create);
      if (!store) return undefined;
      try {
        return await fn(store);
      } catch (err) {
        if (!isStreamGone(err) || attempt > 0) throw err;
        this.store = undefined;
        if (!create) return undefined;
      }
    }
  }

  /** The absorbed sequence of the table's current snapshot (0: none), from the object's metadata. */
  async absorbed(def: NatsTableDefinition): Promise<number> {
    const info = await this.withBucket(false, (store) => withRetry(`reading snapshot info of ${def.table}`, this.deadlineMs, () => store.info(currentObject(def.table))));
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
    let text: Uint8Array | null | undefined;
    try {
      text = await this.withBucket(false, (store) => this.readObject(store, name, def.tableId));
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

  /**
   * The object's bytes (null: none, deleted, or another table id's). A compaction that replaces the
   * object while it is being read purges the chunks being read (docs/nats.md, "Compaction"): the read
   * would then wait forever for them, or fail its digest. So a read that stalls, or fails, while the
   * object was replaced starts again on the new one; one that stalls on an unchanged object is
   * retried until the deadline (UNAVAILABLE).
   */
  private async readObject(store: ObjectStore, name: string, tableId: string): Promise<Uint8Array | null> {
    const until = Date.now() + this.deadlineMs;
    const replaced = async (nuid: string): Promise<boolean> => {
      const now = await withRetry(`reading snapshot info of ${name}`, this.deadlineMs, () => store.info(name));
      return now?.nuid !== nuid;
    };
    for (let attempt = 0; ; attempt++) {
      const r = await withRetry(`reading snapshot ${name}`, this.deadlineMs, () => store.get(name));
      if (!r) return null;
      r.error.catch(() => undefined);
      const reader = r.data.getReader();
      if (r.info.metadata?.table_id !== tableId) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      let stalledMs = 0;
      let again = false;
      // A read the stall check stopped waiting for is still the next chunk: it is awaited again,
      // never replaced by a second read() (that one would get the chunk after it).
      let pending: ReturnType<typeof reader.read> | undefined;
      try {
        for (;;) {
          let timer: NodeJS.Timeout | undefined;
          const tick = new Promise<'stall'>((resolve) => (timer = setTimeout(() => resolve('stall'), STALL_CHECK_MS)));
          if (!pending) {
            pending = reader.read();
            pending.catch(() => undefined); // seen by the next race; never unhandled if there is none
          }
          let next: Awaited<ReturnType<typeof reader.read>> | 'stall';
          try {
            next = await Promise.race([pending, tick]);
          } finally {
            clearTimeout(timer);
          }
          if (next !== 'stall') pending = undefined;
          if (next === 'stall') {
            stalledMs += STALL_CHECK_MS;
            if (await replaced(r.info.nuid)) {
              again = true;
              break;
            }
            if (stalledMs < this.stallLimitMs) continue;
            if (Date.now() >= until) throw new UnavailableError(`reading snapshot ${name}: its chunks stopped arriving (${size} of ${r.info.size} bytes after ${this.deadlineMs} ms)`);
            again = true;
            break;
          }
          if (next.done) break;
          stalledMs = 0;
          chunks.push(next.value);
          size += next.value.length;
        }
      } catch (err) {
        // A digest that does not match: the object was replaced under the read, or it is damaged.
        if (err instanceof SdnwalError || !(await replaced(r.info.nuid)) || attempt >= MAX_REREADS) throw err;
        again = true;
      }
      // Every chunk arrived and the client checked the digest over them; the size is checked too.
      if (!again && size !== r.info.size) {
        if (!(await replaced(r.info.nuid)) || attempt >= MAX_REREADS) throw new SdnwalError('CORRUPT_SNAPSHOT', `snapshot ${name}: read ${size} bytes of ${r.info.size}`);
        again = true;
      }
      if (!again) return Buffer.concat(chunks, size);
      await reader.cancel().catch(() => undefined);
      if (attempt >= MAX_REREADS) throw new UnavailableError(`reading snapshot ${name}: it was replaced under the read ${attempt + 1} times in a row`);
      await sleep(backoffMs(attempt));
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
    await this.withBucket(true, (store) => withRetry(`writing snapshot ${name}`, this.deadlineMs, () =>
      store.putBlob({ name, description: `sdnwal snapshot of table ${def.table}, absorbed sequence ${absorbed}`, metadata: { absorbed_seq: String(absorbed), table_id: def.tableId } }, text),
    ));
  }

  /** Size, absorbed sequence and time of the table's current snapshot (zeros: none). */
  async info(def: NatsTableDefinition): Promise<{ bytes: number; absorbedSeq: number; writtenAt: string | null }> {
    const none = { bytes: 0, absorbedSeq: 0, writtenAt: null };
    const info = await this.withBucket(false, (store) => withRetry(`reading snapshot info of ${def.table}`, this.deadlineMs, () => store.info(currentObject(def.table))));
    if (!info || info.deleted || info.metadata?.table_id !== def.tableId) return none;
    return { bytes: info.size, absorbedSeq: Number(info.metadata?.absorbed_seq ?? 0), writtenAt: info.mtime };
  }
}
