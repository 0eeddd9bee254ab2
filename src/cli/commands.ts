/** The list of CLI commands; each lives in its own file under src/cli/commands/. */
import type { Command } from './command.js';

export const commands: Command[] = [];
