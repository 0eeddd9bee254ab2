// Types for bench/summary.mjs, so the TypeScript tests can import it under strict mode.
import type { Phases } from './phases.mjs';

export type Summary = Record<string, Record<string, Record<string, unknown>>>;
export declare const REFERENCE: string;
export declare function median(values: unknown[]): number | null;
export declare function medianPhases(list: unknown[]): Phases | null;
export declare function summarize(results: Record<string, unknown>[]): Summary;
export declare function referenceFor(id: string): { contender: string; scenario: string };
export declare function ratio(summary: Summary, contender: string, id: string): number | null;
export declare function cpuRatio(summary: Summary, contender: string, id: string): number | null;
