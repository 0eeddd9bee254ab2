/** Writing a batch of records whose one log entry would be too large. */
import { SdnwalError } from '../../errors.js';
import type { Table } from '../../store/table.js';

/**
 * Insert `records` as one log entry; an entry too large for the store (a NATS server's
 * max_payload is 1 MiB by default) is refused before anything is written, so it is written as two
 * halves instead, in input order. `written.n` counts the records acknowledged so far.
 */
export async function insertSplitting(table: Pick<Table, 'insertMany'>, records: Record<string, unknown>[], written: { n: number }): Promise<void> {
  try {
    await table.insertMany(records);
    written.n += records.length;
  } catch (err) {
    if (records.length < 2 || !(err instanceof SdnwalError) || err.code !== 'ENTRY_TOO_LARGE') throw err;
    const half = Math.ceil(records.length / 2);
    await insertSplitting(table, records.slice(0, half), written);
    await insertSplitting(table, records.slice(half), written);
  }
}
