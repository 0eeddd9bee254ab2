/**
 * Where a durable append's time goes (issue 13, printed by the benchmark): means per batch of
 * encode, write, publish (the control record), fdatasync and ack, and percentiles per lock take
 * of the wait for the lock and of the hold. A few performance.now() calls per batch (~1 µs).
 */

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface AppendPhaseReport {
  batches: number;
  appends: number;
  /** fdatasyncs of the log this process made (a local log's figure; group commit shares them). */
  fsyncs?: number;
  /** Means per batch, in µs. */
  encodeUs: number;
  writeUs: number;
  publishUs: number;
  syncUs: number;
  ackUs: number;
  /** Per lock take, in µs. */
  waitUs: Percentiles;
  heldUs: Percentiles;
}

/** The last `size` samples (µs), for percentiles. */
class Samples {
  private readonly values: Float64Array;
  private n = 0;
  constructor(size = 16_384) {
    this.values = new Float64Array(size);
  }
  add(us: number): void {
    this.values[this.n++ % this.values.length] = us;
  }
  percentiles(): Percentiles {
    const kept = this.values.slice(0, Math.min(this.n, this.values.length)).sort();
    const at = (q: number): number => (kept.length ? kept[Math.min(kept.length - 1, Math.floor(q * kept.length))]! : 0);
    return { p50: at(0.5), p99: at(0.99), max: kept.length ? kept[kept.length - 1]! : 0 };
  }
}

export type MeanPhase = 'encode' | 'write' | 'publish' | 'sync' | 'ack';

export class AppendPhases {
  batches = 0;
  appends = 0;
  private readonly totals: Record<MeanPhase, number> = { encode: 0, write: 0, publish: 0, sync: 0, ack: 0 };
  private readonly wait = new Samples();
  private readonly held = new Samples();

  /** Add the time since `since` (performance.now() ms) to a phase; returns now. */
  add(phase: MeanPhase, since: number): number {
    const now = performance.now();
    this.totals[phase] += now - since;
    return now;
  }

  lockWaited(ms: number): void {
    this.wait.add(ms * 1000);
  }

  lockHeld(ms: number): void {
    this.held.add(ms * 1000);
  }

  report(): AppendPhaseReport {
    const mean = (p: MeanPhase): number => (this.batches ? (this.totals[p] * 1000) / this.batches : 0);
    return {
      batches: this.batches,
      appends: this.appends,
      encodeUs: mean('encode'),
      writeUs: mean('write'),
      publishUs: mean('publish'),
      syncUs: mean('sync'),
      ackUs: mean('ack'),
      waitUs: this.wait.percentiles(),
      heldUs: this.held.percentiles(),
    };
  }
}
