/**
 * The list of CLI commands; each lives in its own file under src/cli/commands/ and is loaded
 * only when it runs (or for `sdnwal --help`), so a command pays for its own modules alone: a
 * scanner's `sdnwal count` never loads the SDN tools, the demo or the compactor's CLI.
 */
import type { Command } from './command.js';

export interface CommandEntry {
  name: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'append', load: async () => (await import('./commands/append.js')).appendCommand },
  { name: 'get', load: async () => (await import('./commands/get.js')).getCommand },
  { name: 'dump', load: async () => (await import('./commands/dump.js')).dumpCommand },
  { name: 'count', load: async () => (await import('./commands/count.js')).countCommand },
  { name: 'tail', load: async () => (await import('./commands/tail.js')).tailCommand },
  { name: 'compact', load: async () => (await import('./commands/compact.js')).compactCommand },
  { name: 'recover', load: async () => (await import('./commands/recover.js')).recoverCommand },
  { name: 'verify', load: async () => (await import('./commands/verify.js')).verifyCommand },
  { name: 'stats', load: async () => (await import('./commands/stats.js')).statsCommand },
  { name: 'sdn', load: async () => (await import('./commands/sdn.js')).sdnCommand },
  { name: 'demo', load: async () => (await import('./commands/demo.js')).demoCommand },
];

/** The command called `name`, loaded; undefined for an unknown name. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return commands.find((c) => c.name === name)?.load();
}

/** Every command, loaded, in list order (for the command list of `sdnwal --help`). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(commands.map((c) => c.load()));
}
