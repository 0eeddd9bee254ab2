/** Parsing the CLI's durations: `30s`, `5m`, `1h` (a bare number is seconds). */
import { UsageError } from '../command.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's']! : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`Expected \`${option}\` to be a duration like 30s, 5m or 1h, got \`${text}\``);
  return Math.round(ms);
}
