/** Stopping a long-running command (tail --follow, compact --every) cleanly on SIGINT or SIGTERM. */

export interface StopSignal {
  readonly signal: AbortSignal;
  /** Resolves after `ms`, or as soon as a stop is asked for. */
  sleep(ms: number): Promise<void>;
  /** Remove the signal handlers. */
  dispose(): void;
}

/** Listen for SIGINT/SIGTERM until disposed; the first one aborts `signal` instead of killing the process. */
export function stopOnSignals(): StopSignal {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
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
