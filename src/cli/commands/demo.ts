/** `sdnwal demo`: what `npm start` runs — concurrent scanners, a compaction, a kill -9, recovery and a check. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, type CommandContext, UserError, needPositionals } from '../command.js';
import { runDemo } from '../demo/run.js';

const USAGE = 'sdnwal demo [dir]';

/**
 * The compiled scanner script: next to this file when running from dist/; one level up from the
 * bundled CLI (dist/bundle/, scripts/bundle-cli.mjs); when this module runs from src/ (tests), the
 * package's dist/ copy, which `npm run build` makes.
 */
export function scannerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, '..', 'demo', 'scanner.js'),
    path.join(here, '..', 'cli', 'demo', 'scanner.js'),
    path.join(here, '..', '..', '..', 'dist', 'cli', 'demo', 'scanner.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (found) return found;
  throw new UserError('the demo scanner is not built: run `npm run build` first');
}

async function run(ctx: CommandContext): Promise<number> {
  const [given] = needPositionals(ctx, 0, 1, USAGE);
  const dir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'sdnwal-demo-'));
  return runDemo({ dir, scannerScript: scannerScript(), out: ctx.io.stdout });
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo: concurrent writers, compaction, kill -9, recovery, check',
  usage: USAGE,
  help: `Creates a store in DIR (which must be empty; default: a fresh directory under the
system temp directory, never inside the project), starts 4 scanner processes that append
TODO records durably (sync: always) with many inserts in flight, compacts while they
write, kills one scanner with SIGKILL mid-write, runs recovery and prints its report, then
checks that every acknowledged record is in the final snapshot exactly once and prints
records/s, appends per fdatasync (group commit), recovery time and the snapshot's head.
Exit 0 when the check passes, 1 otherwise. The store is kept for you to look at.`,
  run,
};
