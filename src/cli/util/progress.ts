/**
 * Progress on stderr for long runs: a bar redrawn in place on a terminal; elsewhere (a log file,
 * CI) a plain line every couple of seconds. Nothing is printed for runs shorter than the interval.
 */
import type { Writable } from 'node:stream';

export interface ProgressOptions {
  stream: Writable;
  tty: boolean;
  /** e.g. `append todos`. */
  label: string;
  /** What is counted, e.g. `records`. */
  unit: string;
  /** Plain lines at most this often, and nothing before the first interval. @default 2000 */
  intervalMs?: number;
  /** Redraws of the bar at most this often. @default 100 */
  redrawMs?: number;
  now?: () => number;
}

export interface Progress {
  /** Report `done` of `total` (total unknown for a stream). */
  update(done: number, total?: number): void;
  /** Clear the bar (terminal) or print a final line if any progress was shown. */
  finish(): void;
}

const BAR_WIDTH = 30;

export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? 2000;
  const redraw = o.redrawMs ?? 100;
  const start = now();
  let last = start;
  let shown = false;
  let lastDone = 0;
  let lastTotal: number | undefined;

  const describe = (done: number, total: number | undefined): string => {
    const secs = Math.max((now() - start) / 1000, 0.001);
    const rate = Math.round(done / secs);
    return `${o.label}: ${done}${total !== undefined ? `/${total}` : ''} ${o.unit} (${rate}/s)`;
  };
  const bar = (done: number, total: number | undefined): string => {
    if (total === undefined || total <= 0) return describe(done, total);
    const filled = Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH));
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${describe(done, total)}`;
  };

  return {
    update(done, total) {
      lastDone = done;
      lastTotal = total;
      const t = now();
      if (t - start < interval && !shown) return;
      if (o.tty) {
        if (shown && t - last < redraw) return;
        o.stream.write(`\r\x1b[K${bar(done, total)}`);
      } else {
        if (shown && t - last < interval) return;
        o.stream.write(`${describe(done, total)}\n`);
      }
      shown = true;
      last = t;
    },
    finish() {
      if (!shown) return;
      if (o.tty) o.stream.write(`\r\x1b[K`);
      else o.stream.write(`${describe(lastDone, lastTotal)} done\n`);
    },
  };
}
