/**
 * Running a fold job (fold-job.ts) off the main thread: a compaction inside a writer's process
 * (`table.compact()`, autoCompact) would otherwise hold that process's event loop for the whole
 * fold, and its writers' appends with it. The caller keeps compact.lock (an flock of this
 * process) for the job's duration; the worker takes no lock. Errors come back with their class,
 * code, message and fields, so callers see the same typed error as from an inline fold.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CorruptLogError, LockTimeoutError, SdnParseError, SdnwalError } from '../errors.js';
import { CorruptSnapshotError } from '../snapshot/corrupt.js';
import { type FoldJob, type FoldProgress, type FoldResult, finishFold, loadForFold } from './fold-job.js';

// Named from one directory up, not as './compact-worker.js': the bundled CLI (dist/bundle/, made by
// scripts/bundle-cli.mjs) runs this code from a directory that is also one level below dist/.
const WORKER = new URL('../compaction/compact-worker.js', import.meta.url);

/** Whether the worker script is there: it is in the built package; run from TypeScript sources it is not, and the fold runs inline. */
export function workerAvailable(): boolean {
  return WORKER.protocol === 'file:' && fs.existsSync(fileURLToPath(WORKER));
}

/** A started fold: the snapshot is loaded and verified; `finish` applies the log sealed up to `n`. */
export interface FoldHandle {
  finish(n: number): Promise<FoldResult>;
  /** Give up (the roll failed): the worker, if any, is stopped; nothing was written. */
  cancel(): void;
}

/**
 * Load the snapshot for `job` in a worker thread when one is available (else inline, in this
 * thread); resolves once it is loaded and verified, or rejects with the loader's error.
 */
export function startFold(job: FoldJob, progress: (p: FoldProgress) => void, inWorker: boolean): Promise<FoldHandle> {
  if (!inWorker || !workerAvailable()) {
    return Promise.resolve().then(() => {
      const loaded = loadForFold(job);
      return { finish: async (n: number) => finishFold(loaded, n, progress), cancel: () => {} };
    });
  }
  const worker = new Worker(WORKER, { workerData: job });
  // The worker answers twice at most: `loaded`, then `result`; either may be an `error` instead.
  let waiting: { resolve: (m: Reply) => void; reject: (e: Error) => void } | undefined;
  let early: Reply | Error | undefined;
  const deliver = (m: Reply | Error): void => {
    const w = waiting;
    waiting = undefined;
    if (!w) early ??= m; // the first word stands (an 'error' is followed by an 'exit')
    else if (m instanceof Error) w.reject(m);
    else w.resolve(m);
  };
  worker.on('message', (m: Reply) => {
    if (m.progress) progress(m.progress);
    else deliver(m);
  });
  worker.on('error', (err) => deliver(err));
  worker.on('exit', (code) => deliver(new SdnwalError('IO_ERROR', `the compaction worker exited (code ${code}) before it finished`)));
  const next = (): Promise<Reply> =>
    new Promise<Reply>((resolve, reject) => {
      const m = early;
      early = undefined;
      if (m instanceof Error) reject(m);
      else if (m) resolve(m);
      else waiting = { resolve, reject };
    }).then((m) => {
      if (m.error) throw reviveError(m.error);
      return m;
    });
  return next().then(
    () => ({
      finish: async (n: number) => {
        worker.postMessage({ n });
        return (await next()).result!;
      },
      cancel: () => void worker.terminate(),
    }),
    (err: unknown) => {
      void worker.terminate();
      throw err;
    },
  );
}

interface Reply {
  loaded?: true;
  progress?: FoldProgress;
  result?: FoldResult;
  error?: SerializedError;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** An SdnwalError (else a Node system error or another Error). */
  sdnwal: boolean;
  fields: Record<string, unknown>;
}

/** The fields kept: sdnwal's errors' own, and a Node system error's (ENOSPC, EIO...). */
const FIELDS = ['code', 'file', 'offset', 'line', 'column', 'reason', 'holderPid', 'errno', 'syscall', 'path', 'dest'];

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), sdnwal: false, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const f of FIELDS) if (f in err) fields[f] = (err as unknown as Record<string, unknown>)[f];
  return { name: err.name, message: err.message, stack: err.stack, sdnwal: err instanceof SdnwalError, fields };
}

const CLASSES: Record<string, { prototype: object }> = { SdnwalError, CorruptLogError, CorruptSnapshotError, SdnParseError, LockTimeoutError };

/** The error as thrown in the worker: same class for sdnwal's own (SdnwalError for any other of them), else an Error with the same fields. */
export function reviveError(e: SerializedError): Error {
  const proto = e.sdnwal ? (CLASSES[e.name] ?? SdnwalError).prototype : Error.prototype;
  const err = Object.create(proto) as Error;
  Object.defineProperty(err, 'message', { value: e.message, writable: true, configurable: true });
  Object.defineProperty(err, 'stack', { value: e.stack, writable: true, configurable: true });
  Object.assign(err, e.fields);
  if (err.name !== e.name) Object.defineProperty(err, 'name', { value: e.name, writable: true, configurable: true, enumerable: e.sdnwal });
  return err;
}
