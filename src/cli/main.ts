/** The CLI as a function: `cli(argv, streams)` resolves to the exit code; bin/sdnwal.js is a thin wrapper. */
import { parseArgs } from 'node:util';
import { type Command, type Streams, EXIT_OK, EXIT_USAGE, UsageError, writeLine } from './command.js';
import { loadAllCommands, loadCommand } from './commands.js';
import { reportError } from './errors.js';

const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const;

function helpText(cmd: Command, prefix: string): string {
  const lines = [`usage: ${cmd.usage}`, '', cmd.summary];
  if (cmd.subcommands) {
    lines.push('', 'commands:');
    for (const s of cmd.subcommands) lines.push(`  ${prefix} ${s.name.padEnd(10)} ${s.summary}`);
  }
  if (cmd.help) lines.push('', cmd.help.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** `sdnwal --help`: the only place every command is loaded, for its summary. */
export async function mainHelp(): Promise<string> {
  const commands = await loadAllCommands();
  return [
    'usage: sdnwal <command> [args] [--json] [--help]',
    '',
    'A per-table write-ahead-log store with SDN snapshots.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 failure or damage found, 2 bad usage. `sdnwal <command> --help` for more.',
    'With --json a failure (exit 1) also prints {"error":{"code","message","exitCode",...}} on stdout.',
    '',
  ].join('\n');
}

/** `--json` among the options (not after `--`): a failure is then reported as JSON too. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

async function runCommand(cmd: Command, argv: string[], io: Streams, prefix: string): Promise<number> {
  if (cmd.subcommands) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(helpText(cmd, prefix));
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    }
    const found = cmd.subcommands.find((c) => c.name === sub);
    if (!found) throw new UsageError(`unknown command: ${prefix} ${sub} (see ${prefix} --help)`);
    return runCommand(found, rest, io, `${prefix} ${sub}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; usage: ${cmd.usage}`);
  }
  if (parsed.values.help) {
    io.stdout.write(helpText(cmd, prefix));
    return EXIT_OK;
  }
  const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
  return cmd.run!({ positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean>, io, tty });
}

export async function cli(argv: string[], io: Streams): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(await mainHelp());
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (name === '--version' || name === '-v') {
      writeLine(io.stdout, '0.1.0');
      return EXIT_OK;
    }
    const cmd = await loadCommand(name);
    if (!cmd) throw new UsageError(`unknown command: ${name} (see sdnwal --help)`);
    return await runCommand(cmd, rest, io, `sdnwal ${name}`);
  } catch (err) {
    // The one place a command's error becomes an exit code (and, with --json, an object on stdout).
    return reportError(err, io, { debug, json: wantsJson(argv) });
  }
}
