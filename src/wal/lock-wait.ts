/**
 * How a waiter waits (docs/locking.md, "Waiting"): retry on setImmediate for `spinUs` (most holds
 * are tens of µs), then sleep `sleepMinMs`, doubling up to `sleepMaxMs` (at most 10 ms, the timer
 * fallback of docs/protocol.md §1). After `announceAfterMs` it counts itself in the waiter slot, and
 * a process that just released the lock and sees it there steps aside for one sleep.
 * `SDNWAL_LOCK_WAIT=spinUs,minMs,maxMs,announceMs` overrides it for measurement (bench/); not an API.
 */
export interface WaitPolicy {
  spinUs: number;
  sleepMinMs: number;
  sleepMaxMs: number;
  announceAfterMs: number;
}
// Chosen by measurement (bench M and M16, docs/locking.md "Waiting"): a 50 µs spin covers the median hold;
// sleeping at most 2 ms cut the p99 wait under 16 processes from ~50 to ~20-25 ms and raised throughput.
export const DEFAULT_WAIT: WaitPolicy = { spinUs: 50, sleepMinMs: 1, sleepMaxMs: 2, announceAfterMs: 50 };

function waitPolicyFromEnv(spec: string | undefined): WaitPolicy {
  if (!spec) return DEFAULT_WAIT;
  const [spinUs = NaN, sleepMinMs = NaN, sleepMaxMs = NaN, announceAfterMs = DEFAULT_WAIT.announceAfterMs] = spec.split(',').map(Number);
  const ok = [spinUs, sleepMinMs, sleepMaxMs, announceAfterMs].every((n) => Number.isFinite(n) && n >= 0) && sleepMaxMs <= 10 && sleepMinMs <= sleepMaxMs;
  return ok ? { spinUs, sleepMinMs, sleepMaxMs, announceAfterMs } : DEFAULT_WAIT;
}
export const WAIT = waitPolicyFromEnv(process.env.SDNWAL_LOCK_WAIT);
export const BACKOFF_MAX_MS = WAIT.sleepMaxMs;

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function validTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`Expected \`timeoutMs\` to be a finite number >= 0, got \`${timeoutMs}\` (${typeof timeoutMs})`);
  }
  return timeoutMs;
}

/**
 * Poll `attempt` (spin on setImmediate, then sleep; see WaitPolicy) until it returns true
 * or `deadline` (performance.now() ms) passes; returns whether it succeeded. `onWait` runs
 * before every sleep with the time waited so far.
 */
export async function poll(attempt: () => boolean, deadline: number, signal?: AbortSignal, onWait?: (waitedMs: number) => void): Promise<boolean> {
  const start = performance.now();
  const spinUntil = start + WAIT.spinUs / 1000;
  let delay = WAIT.sleepMinMs;
  for (;;) {
    signal?.throwIfAborted();
    if (attempt()) return true;
    const now = performance.now();
    if (now >= deadline) return false;
    if (now < spinUntil) {
      await immediate();
      continue;
    }
    onWait?.(now - start);
    await sleep(Math.max(0, Math.min(delay, deadline - now)));
    delay = Math.min(delay * 2, BACKOFF_MAX_MS);
  }
}

