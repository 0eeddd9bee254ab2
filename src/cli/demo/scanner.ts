/**
 * A demo scanner, run as a child process by `sdnwal demo`: appends TODO records to the demo
 * table with many inserts in flight (sync 'always', so each resolves only after an fdatasync
 * of this process; inserts queued together share one write and one fdatasync), and reports
 * each acknowledged record to the parent over IPC.
 */
import { openStore } from '../../store/store.js';
import { parseScannerArgv, type ScannerMessage } from './protocol.js';
import { DEMO_TABLE, demoRecord } from './records.js';

function send(m: ScannerMessage): void {
  if (process.connected) process.send!(m);
}

/** Send and wait until the message is handed to the channel, so it is not lost when we exit. */
function sendNow(m: ScannerMessage): Promise<void> {
  return new Promise((resolve) => (process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve()));
}

async function main(): Promise<void> {
  const a = parseScannerArgv(process.argv.slice(2));
  const store = await openStore(a.dir, { sync: 'always' });
  const table = await store.table(DEMO_TABLE);
  const started = performance.now();
  const acked: number[] = [];
  let flushQueued = false;
  const ack = (n: number): void => {
    acked.push(n);
    if (flushQueued) return;
    flushQueued = true;
    // One message per turn of the event loop, not one per record.
    setImmediate(() => {
      flushQueued = false;
      if (acked.length > 0) send({ type: 'acked', ns: acked.splice(0) });
    });
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < a.count) {
      const n = next++;
      await table.insert(demoRecord(a.scanner, n));
      ack(n);
    }
  };
  await Promise.all(Array.from({ length: a.inFlight }, worker));
  if (acked.length > 0) await sendNow({ type: 'acked', ns: acked.splice(0) });
  // How many appends each fdatasync covered (group commit), from the table's own figures.
  const w = table.appendPhases();
  const ms = performance.now() - started;
  await store.close();
  await sendNow({ type: 'done', appends: a.count, fsyncs: w?.fsyncs ?? 0, batches: w?.batches ?? 0, ms });
  process.disconnect?.();
}

main().catch(async (err: unknown) => {
  process.stderr.write(`scanner: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
  await sendNow({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.disconnect?.();
});
