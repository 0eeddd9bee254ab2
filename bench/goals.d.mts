// Types for bench/goals.mjs, so the TypeScript tests can import it under strict mode.
export interface Goal {
  goal: string;
  value: number | null;
  target: number;
  /** '×' for a ratio, or 'ms' / 'µs' for a time. */
  unit: string;
  /** true: a ceiling (lower is better); false: a floor (higher is better). */
  atMost: boolean;
  verdict: 'reached' | 'missed' | 'not measured';
}
/** summary[contender][scenario] as bench/summary.mjs makes it. */
export declare function checkGoals(summary: Record<string, Record<string, Record<string, unknown>>>): Goal[];
