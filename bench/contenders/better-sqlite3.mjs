// Contender: better-sqlite3 in WAL mode; synchronous=FULL when durable, NORMAL when not; one transaction per call.
import fs from 'node:fs';
import path from 'node:path';
import { COLUMNS } from '../workload.mjs';

export const name = 'better-sqlite3';
export const label = 'better-sqlite3 (WAL)';
export const durableMode = true;
export const multiProcess = true; // SQLite's own file locks; writers wait via busy_timeout
export const canCompact = true; // checkpoint(TRUNCATE) + VACUUM

export async function open(dir, { durable }) {
  const { default: Database } = await import('better-sqlite3');
  fs.mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, 'bench.sqlite'));
  // busy_timeout first: switching to WAL takes a lock that another process may hold (scenario M).
  db.pragma('busy_timeout = 60000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
  db.exec(`CREATE TABLE IF NOT EXISTS bench (${COLUMNS.map((c, i) => `${c} TEXT${i === 0 ? ' PRIMARY KEY' : ''}`).join(', ')})`);
  // INSERT OR REPLACE: an insert of an existing key replaces the row, as sdnwal's replay does.
  const insert = db.prepare(`INSERT OR REPLACE INTO bench VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`);
  const insertMany = db.transaction((records) => {
    for (const r of records) insert.run(r);
  });
  return {
    async put(record) {
      insert.run(record); // autocommit: one transaction
    },
    async putBatch(records) {
      insertMany(records);
    },
    async count() {
      return db.prepare('SELECT count(*) AS n FROM bench').get().n;
    },
    async compact() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.exec('VACUUM');
    },
    async close() {
      db.close();
    },
  };
}
