/** The list of CLI commands; each lives in its own file under src/cli/commands/. */
import type { Command } from './command.js';
import { sdnCommand } from './commands/sdn.js';
import { appendCommand } from './commands/append.js';
import { getCommand } from './commands/get.js';
import { dumpCommand } from './commands/dump.js';
import { countCommand } from './commands/count.js';
import { tailCommand } from './commands/tail.js';
import { compactCommand } from './commands/compact.js';
import { recoverCommand } from './commands/recover.js';
import { verifyCommand } from './commands/verify.js';
import { statsCommand } from './commands/stats.js';
import { demoCommand } from './commands/demo.js';

export const commands: Command[] = [
  appendCommand,
  getCommand,
  dumpCommand,
  countCommand,
  tailCommand,
  compactCommand,
  recoverCommand,
  verifyCommand,
  statsCommand,
  sdnCommand,
  demoCommand,
];
