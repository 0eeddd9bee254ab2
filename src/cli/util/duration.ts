/** Parsing the CLI's durations: `30s`, `5m`, `1h` (a bare number is seconds). */
import { MAX_TIMER_MS } from '../../store/options.js';
import { UsageError } from '../command.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration in whole milliseconds, from 1 ms up to what a timer can wait (a longer one would fire at once). */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!) : NaN;
  if (!Number.isFinite(ms) || ms < 1) throw new UsageError(`Expected \`${option}\` to be a duration like 30s, 5m or 1h, got \`${text}\``);
  if (ms > MAX_TIMER_MS) throw new UsageError(`Expected \`${option}\` to be at most ${MAX_TIMER_MS} ms (596h, ~24.8 days: the longest a timer can wait), got \`${text}\``);
  return ms;
}
