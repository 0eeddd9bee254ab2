// Contender: sdnwal itself, through its public API in dist/ (built by `npm run build`).
import { COLUMNS, KEY } from '../workload.mjs';

export const name = 'sdnwal';
export const label = 'sdnwal';
export const durableMode = true; // sync: 'always' — an insert resolves after an fdatasync covering it
export const multiProcess = true; // the table lock + group commit across processes
export const canCompact = true;

const TABLE = 'bench';

/** Thrown when dist/ has no usable store API yet: the run reports "not available" and goes on. */
export class NotAvailable extends Error {}

async function loadApi() {
  let mod;
  try {
    mod = await import('../../dist/index.js');
  } catch (err) {
    throw new NotAvailable(`dist/index.js does not load (run npm run build): ${err.message}`);
  }
  if (typeof mod.openStore !== 'function') throw new NotAvailable('dist/index.js exports no openStore');
  return mod;
}

/** Checked once by the worker before a scenario, so "not there yet" is never mistaken for a failure. */
export async function available() {
  await loadApi();
}

export async function open(dir, { durable }) {
  const { openStore } = await loadApi();
  const store = await openStore(dir, { sync: durable ? 'always' : 'none' });
  const table = await store.table(TABLE, { key: KEY, columns: COLUMNS });
  return {
    put: (record) => table.insert(record),
    putBatch: (records) => table.insertMany(records),
    count: () => table.count(),
    compact: () => table.compact(),
    // Per-phase append timings since the table opened; undefined while dist/'s Table has no appendPhases().
    phases: () => table.appendPhases?.(),
    close: () => store.close(),
  };
}
