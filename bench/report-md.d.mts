// Types for bench/report-md.mjs, so the TypeScript tests can import it under strict mode.
type Summary = Record<string, Record<string, Record<string, unknown>>>;

/** What bench/startup.mjs measures (its --json line), or why it has no figures. */
export type StartupResult =
  | {
      status: 'ok';
      runs: number;
      rows: number;
      logRows: number;
      nodeMs: number;
      countMs: number;
      countLoggedMs: number;
      importMs: number;
      countVsNode: number;
      countLoggedVsNode: number;
      goals: { countVsNode: number; importMs: number };
      loadAverage: string;
      date: string;
    }
  | { status: 'unavailable' | 'failed'; reason?: string; error?: string };

export declare const STARTUP_HEADING: string;
export declare function rateTable(summary: Summary, contenders: string[], scenarios: string[]): string;
export declare function startupSection(startup: StartupResult | null, command?: string): string;
export declare function withStartupSection(md: string, section: string): string;
export declare function resultsMarkdown(run: Record<string, unknown>): string;
export declare function stdoutTable(summary: Summary, contenders: string[], scenarios: string[]): string;
