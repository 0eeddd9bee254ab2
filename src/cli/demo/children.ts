/** Spawning the demo's scanner children and collecting what each acknowledged. */
import { type ChildProcess, spawn } from 'node:child_process';
import { scannerArgv, type ScannerArgs, type ScannerMessage } from './protocol.js';

export interface ScannerDone {
  appends: number;
  fsyncs: number;
  batches: number;
  ms: number;
}

export interface ScannerHandle {
  readonly index: number;
  readonly child: ChildProcess;
  /** Record numbers whose insert resolved in the child (durable). */
  readonly acked: Set<number>;
  done?: ScannerDone;
  error?: string;
  stderr: string;
  killed: boolean;
  /** Resolves when the child has exited (with its code, or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Run `script` under this Node with an IPC channel; `onAck` is called after each batch of acknowledgements. */
export function spawnScanner(script: string, args: ScannerArgs, onAck: (h: ScannerHandle) => void): ScannerHandle {
  const child = spawn(process.execPath, [script, ...scannerArgv(args)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const h: ScannerHandle = {
    index: args.scanner,
    child,
    acked: new Set(),
    stderr: '',
    killed: false,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (h.stderr += s));
  child.on('message', (raw) => {
    const m = raw as ScannerMessage;
    if (m.type === 'acked') {
      for (const n of m.ns) h.acked.add(n);
      onAck(h);
    } else if (m.type === 'done') {
      h.done = { appends: m.appends, fsyncs: m.fsyncs, batches: m.batches, ms: m.ms };
    } else if (m.type === 'error') {
      h.error = m.message;
    }
  });
  return h;
}

/** SIGKILL the child now (no cleanup of any kind runs in it: that is the point). */
export function killHard(h: ScannerHandle): void {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  h.killed = true;
  h.child.kill('SIGKILL');
}
