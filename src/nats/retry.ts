/** Retrying a request through timeouts and leader elections, up to a deadline (docs/nats.md, "Failures"). */
import { describe, isRetryable, toSdnwalError, UnavailableError } from './errors.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** 50 ms doubling to 1 s, with jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(1000, 50 * 2 ** Math.min(attempt, 5));
  return base / 2 + Math.random() * (base / 2);
}

/**
 * Run `fn` until it succeeds, retrying retryable failures (isRetryable) until `deadlineMs` has
 * passed; then UNAVAILABLE naming `what`. Other failures are thrown at once, as SdnwalErrors.
 */
export async function withRetry<T>(what: string, deadlineMs: number, fn: () => Promise<T>, stopped?: () => boolean): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || stopped?.()) throw toSdnwalError(err, what);
      if (Date.now() >= until) {
        throw new UnavailableError(`${what}: no answer from the NATS servers within ${deadlineMs} ms (${attempt + 1} attempts; last: ${describe(err)})`, err);
      }
      await sleep(backoffMs(attempt));
    }
  }
}
