/** Stopping a long-running command (tail --follow, compact --every, append) cleanly on SIGINT or SIGTERM. */
import os from 'node:os';

export type StopSignalName = 'SIGINT' | 'SIGTERM';

export interface StopSignal {
  /** Aborted by the first signal, with its name as `signal.reason`. */
  readonly signal: AbortSignal;
  /** Resolves after `ms`, or as soon as a stop is asked for. */
  sleep(ms: number): Promise<void>;
  /** Remove the signal handlers. */
  dispose(): void;
}

/** Listen for SIGINT/SIGTERM until disposed; the first one aborts `signal` instead of killing the process. */
export function stopOnSignals(): StopSignal {
  const ac = new AbortController();
  const stop = (name: NodeJS.Signals): void => ac.abort(name);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: ac.signal,
    sleep(ms) {
      if (ac.signal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          ac.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        ac.signal.addEventListener('abort', done, { once: true });
      });
    },
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** The exit code a shell reports for a process killed by `name` (128 + its number: 130, 143). */
export function signalExitCode(name: StopSignalName): number {
  return 128 + os.constants.signals[name];
}
