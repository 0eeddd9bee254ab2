/** Messages a demo scanner child sends its parent over the IPC channel. */

export type ScannerMessage =
  /** Records `n` of this scanner whose insert resolved (durable: sync 'always'). */
  | { type: 'acked'; ns: number[] }
  /** All records acknowledged; the writer's counters. */
  | { type: 'done'; appends: number; fsyncs: number; batches: number; ms: number }
  | { type: 'error'; message: string };

export interface ScannerArgs {
  dir: string;
  scanner: number;
  count: number;
  inFlight: number;
}

export function scannerArgv(a: ScannerArgs): string[] {
  return [a.dir, String(a.scanner), String(a.count), String(a.inFlight)];
}

export function parseScannerArgv(argv: string[]): ScannerArgs {
  const [dir, scanner, count, inFlight] = argv;
  if (!dir || scanner === undefined || count === undefined || inFlight === undefined) throw new TypeError('usage: scanner.js <dir> <scanner> <count> <inFlight>');
  return { dir, scanner: Number(scanner), count: Number(count), inFlight: Number(inFlight) };
}
