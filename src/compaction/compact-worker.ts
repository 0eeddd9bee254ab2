/**
 * Worker-thread entry for one fold job (fold-job.ts): load the snapshot and post `loaded`; on the
 * message `{ n }` (the log is sealed up to n) apply, write and delete, posting progress, then the
 * result. Any error is posted instead, and the worker ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FoldJob, finishFold, loadForFold } from './fold-job.js';
import { serializeError } from './fold-thread.js';

const port = parentPort!;
try {
  const loaded = loadForFold(workerData as FoldJob);
  port.postMessage({ loaded: true });
  port.once('message', ({ n }: { n: number }) => {
    try {
      port.postMessage({ result: finishFold(loaded, n, (progress) => port.postMessage({ progress })) });
    } catch (err) {
      port.postMessage({ error: serializeError(err) });
    }
    port.close();
  });
} catch (err) {
  port.postMessage({ error: serializeError(err) });
  port.close();
}
