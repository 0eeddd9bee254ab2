/** The CLI as a function: `cli(argv, streams)` resolves to the exit code; bin/sdnwal.js is a thin wrapper. */
import { parseArgs } from 'node:util';
import { SdnwalError, SdnParseError } from '../errors.js';
import { type Command, type Streams, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, UserError, writeLine } from './command.js';
import { commands } from './commands.js';

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

export const MAIN_HELP = (): string =>
  [
    'usage: sdnwal <command> [args] [--json] [--help]',
    '',
    'A per-table write-ahead-log store with SDN snapshots.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 failure or damage found, 2 bad usage. `sdnwal <command> --help` for more.',
    '',
  ].join('\n');

function reportError(err: unknown, io: Streams, debug: boolean): number {
  if (debug && err instanceof Error && err.stack) writeLine(io.stderr, err.stack);
  if (err instanceof SdnParseError) {
    writeLine(io.stderr, `error: ${err.message}`);
    writeLine(io.stderr, err.excerpt);
    return EXIT_FAILURE;
  }
  if (err instanceof UserError) {
    writeLine(io.stderr, `error: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof SdnwalError) {
    writeLine(io.stderr, `error: ${err.message} (${err.code})`);
    return EXIT_FAILURE;
  }
  const msg = err instanceof Error ? err.message : String(err);
  writeLine(io.stderr, `error: ${msg}${debug ? '' : ' (run with --debug for a stack trace)'}`);
  return EXIT_FAILURE;
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
      io.stdout.write(MAIN_HELP());
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (name === '--version' || name === '-v') {
      writeLine(io.stdout, '0.1.0');
      return EXIT_OK;
    }
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command: ${name} (see sdnwal --help)`);
    return await runCommand(cmd, rest, io, `sdnwal ${name}`);
  } catch (err) {
    return reportError(err, io, debug);
  }
}
