/** A writer that keeps appends in flight until stopped, so faults always land mid-write (the NATS fault tests). */
import type { Table } from '../../src/store/table.js';
import { sleep } from './raw.js';

export interface PacedWriter {
  /** Keys acknowledged, in the order their acknowledgements came. */
  readonly acked: string[];
  /** Appends that failed (the tests expect none). */
  readonly failed: unknown[];
  /** Appends issued so far (`k0` … `k{issued-1}`). */
  readonly issued: number;
  /** Stop issuing; resolves when every outstanding append has settled. */
  stop(): Promise<void>;
}

/** Insert `{ id: k<i>, n: i }` with up to 128 outstanding, pausing `pauseMs` every 50. */
export function pacedWriter(t: Table, pauseMs: number): PacedWriter {
  const acked: string[] = [];
  const failed: unknown[] = [];
  let issued = 0;
  let stopped = false;
  const done = (async () => {
    const outstanding = new Set<Promise<unknown>>();
    while (!stopped) {
      const i = issued++;
      const p: Promise<unknown> = t.insert({ id: `k${i}`, n: i }).then(() => acked.push(`k${i}`), (err) => failed.push(err));
      outstanding.add(p);
      void p.finally(() => outstanding.delete(p));
      if (outstanding.size >= 128) await Promise.race(outstanding);
      if (i % 50 === 49) await sleep(pauseMs);
    }
    await Promise.all(outstanding);
  })();
  return {
    acked,
    failed,
    get issued() {
      return issued;
    },
    stop: () => {
      stopped = true;
      return done;
    },
  };
}
