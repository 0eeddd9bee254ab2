// Types for bench/scenarios.mjs, so the TypeScript tests can import it under strict mode.
export interface Scenario {
  kind: 'write' | 'reopen' | 'compact';
  title: string;
  durable?: boolean;
  perCall?: number;
  inFlight?: number;
  procs?: number;
  count?: number;
  uses?: string;
  after?: string;
  verifiedBy?: string;
}
export declare const SCENARIOS: Record<string, Scenario>;
export declare const D_CHAIN: string[];
export declare const CHAIN_REPEAT_LIMIT_S: number;
export declare const ORDER: string[];
export declare function countFor(id: string, quick: boolean): number;
