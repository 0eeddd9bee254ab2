/** Opening a store or table for the CLI's read commands: read-only, so a missing store or table creates nothing. */
import { SdnwalError } from '../../errors.js';
import { readSnapshotMeta } from '../../snapshot/meta.js';
import { openStore, type Store } from '../../store/store.js';
import type { Table } from '../../store/table.js';
import { NotFoundError } from '../command.js';
import { listQuarantine } from '../../wal/quarantine.js';
import type { TablePaths } from '../../wal/paths.js';
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

/**
 * One line saying that recovery cut bytes from the live log of this table (a torn tail or an
 * unsynced hole, kept in quarantine/), or undefined: read commands say it once on stderr, so a
 * reader learns what `verify` would tell. Ranges a compaction has since absorbed are not news.
 */
export function cutNote(table: Table): string | undefined {
  let paths: TablePaths;
  try {
    paths = table.paths;
  } catch (err) {
    // A table on a NATS store has no files, so no quarantine (docs/nats.md).
    if (err instanceof SdnwalError && err.code === 'UNSUPPORTED') return undefined;
    throw err;
  }
  const absorbed = readSnapshotMeta(paths.snapshot)?.absorbedSegment ?? 0;
  const cuts = listQuarantine(paths.quarantine).filter((r) => r.table === table.name && r.segment > absorbed);
  if (cuts.length === 0) return undefined;
  const bytes = cuts.reduce((n, r) => n + r.length, 0);
  const last = cuts.map((r) => r.at).sort().at(-1);
  return `note: recovery cut ${cuts.length} damaged range(s), ${bytes} byte(s), from the log of table ${table.name} (last ${last}; e.g. ${cuts[0]!.reason}); the bytes are kept in ${paths.quarantine}. Run \`sdnwal verify\` for details`;
}

/**
 * Open one table of `dir` read-only and run `fn` with it; the store is closed afterwards.
 * `warn` gets the cut note (above), if there is one.
 */
export async function withReadOnlyTable<T>(dir: string, name: string, fn: (table: Table, store: Store) => Promise<T>, warn?: (line: string) => void): Promise<T> {
  const store = await openReadOnly(dir);
  try {
    let table: Table;
    try {
      table = await store.table(name);
    } catch (err) {
      notFound(err);
    }
    const note = warn && cutNote(table);
    if (note) warn!(note);
    return await fn(table, store);
  } catch (err) {
    // A file of the wrong kind in the table (db/t.sdn a directory) is named, not left as a bare EISDIR.
    throw locateInStore(err, dir, [name]);
  } finally {
    await store.close();
  }
}
