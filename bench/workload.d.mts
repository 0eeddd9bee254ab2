// Types for bench/workload.mjs, so the TypeScript smoke test can import it under strict mode.
export interface BenchRecord {
  id: string;
  title: string;
  status: string;
  area: string;
  owner: string;
  note: string;
}
export declare const KEY: 'id';
export declare const COLUMNS: string[];
export declare function keyOf(i: number): string;
export declare function makeRecord(i: number): BenchRecord;
export declare function makeRecords(start: number, count: number): BenchRecord[];
