/** Opening a store or table for the CLI's read commands: read-only, so a missing store or table creates nothing. */
import { SdnwalError } from '../../errors.js';
import { openStore, type Store } from '../../store/store.js';
import type { Table } from '../../store/table.js';
import { NotFoundError } from '../command.js';
import { locateInStore } from '../errors.js';

/** Turn "not there" into a plain user error (exit 1, no code suffix): it is the user's path, not damage. */
function notFound(err: unknown): never {
  if (err instanceof SdnwalError && err.code === 'NOT_FOUND') throw new NotFoundError(err.message);
  throw err;
}

/** Open `dir` read-only: creates nothing, takes no lock, repairs nothing. */
export async function openReadOnly(dir: string): Promise<Store> {
  try {
    return await openStore(dir, { readOnly: true });
  } catch (err) {
    notFound(err);
  }
}

/** Open one table of `dir` read-only and run `fn` with it; the store is closed afterwards. */
export async function withReadOnlyTable<T>(dir: string, name: string, fn: (table: Table, store: Store) => Promise<T>): Promise<T> {
  const store = await openReadOnly(dir);
  try {
    let table: Table;
    try {
      table = await store.table(name);
    } catch (err) {
      notFound(err);
    }
    return await fn(table, store);
  } catch (err) {
    // A file of the wrong kind in the table (db/t.sdn a directory) is named, not left as a bare EISDIR.
    throw locateInStore(err, dir, [name]);
  } finally {
    await store.close();
  }
}
