/** The list of CLI commands; each lives in its own file under src/cli/commands/. */
import type { Command } from './command.js';
import { sdnCommand } from './commands/sdn.js';

export const commands: Command[] = [
  sdnCommand,
];
