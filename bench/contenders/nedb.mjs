// Contender: @seald-io/nedb (append-only file + compaction). It never fsyncs: its "durable" numbers are not durable.
import fs from 'node:fs';
import path from 'node:path';

export const name = 'nedb';
export const label = '@seald-io/nedb';
export const durableMode = false; // no fsync per write: durable scenarios run, marked as not durable
export const multiProcess = false; // each process rewrites the data file on load: concurrent use loses data
export const canCompact = true; // compactDatafileAsync

export async function open(dir) {
  const { default: Datastore } = await import('@seald-io/nedb');
  fs.mkdirSync(dir, { recursive: true });
  const db = new Datastore({ filename: path.join(dir, 'bench.nedb') });
  await db.loadDatabaseAsync();
  // nedb's _id is its key; using ours keeps keys identical across contenders.
  const doc = (r) => ({ _id: r.id, ...r });
  return {
    async put(record) {
      await db.insertAsync(doc(record));
    },
    async putBatch(records) {
      await db.insertAsync(records.map(doc));
    },
    async count() {
      return db.countAsync({});
    },
    async compact() {
      await db.compactDatafileAsync();
    },
    async close() {
      // nedb has no close; its executor runs in order, so one more queued call waits for every write before it.
      await db.countAsync({});
    },
  };
}
