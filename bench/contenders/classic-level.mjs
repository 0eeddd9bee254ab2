// Contender: classic-level (LevelDB) with sync: true/false; chained batch() for batches.
import fs from 'node:fs';
import path from 'node:path';

export const name = 'classic-level';
export const label = 'classic-level (LevelDB)';
export const durableMode = true;
export const multiProcess = false; // LevelDB holds an exclusive LOCK file: one process per database
export const canCompact = true; // compactRange over the whole key space

export async function open(dir, { durable }) {
  const { ClassicLevel } = await import('classic-level');
  fs.mkdirSync(dir, { recursive: true });
  const db = new ClassicLevel(path.join(dir, 'level'), { valueEncoding: 'json' });
  await db.open();
  const sync = Boolean(durable);
  return {
    async put(record) {
      await db.put(record.id, record, { sync });
    },
    async putBatch(records) {
      const batch = db.batch();
      for (const r of records) batch.put(r.id, r);
      await batch.write({ sync });
    },
    async count() {
      let n = 0;
      for await (const _key of db.keys()) n++;
      return n;
    },
    async compact() {
      await db.compactRange('\x00', '\xff');
    },
    async close() {
      await db.close();
    },
  };
}
