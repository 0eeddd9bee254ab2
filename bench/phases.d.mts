// Types for bench/phases.mjs, so the TypeScript tests can import it under strict mode.
export interface Spread {
  p50: number | null;
  p99: number | null;
  max: number | null;
}
/** One appendPhases() answer as the bench keeps it: a missing figure is null. */
export interface Phases {
  batches: number | null;
  appends: number | null;
  encodeUs: number | null;
  waitUs: Spread;
  heldUs: Spread;
  writeUs: number | null;
  publishUs: number | null;
  syncUs: number | null;
  ackUs: number | null;
}
export declare const MEANS: string[];
export declare const PERCENTILES: string[];
export declare const QUANTILES: string[];
export declare const COUNTS: string[];
export declare function readPhases(p: unknown): Phases | null;
export declare function mergeParts(list: unknown[]): Phases | null;
export declare function us(v: number | null | undefined): string;
export declare function spread(pc: Partial<Spread> | null | undefined, quantiles?: string[]): string;
export declare function phasesLine(p: unknown): string;
