/**
 * Keep the machine's cores busy while a multi-process test runs: race bugs in the lock showed
 * only under CPU load (a holder descheduled mid-hold). Each burner spins for at most 2 minutes,
 * so a test that dies without stopping them leaves nothing running for long.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

export interface Busy {
  stop(): void;
}

export function busyCores(n = Math.max(2, os.availableParallelism())): Busy {
  const burners: ChildProcess[] = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'const end = Date.now() + 120_000; while (Date.now() < end);'], { stdio: 'ignore' }),
  );
  return {
    stop: () => {
      for (const b of burners) b.kill('SIGKILL');
    },
  };
}
