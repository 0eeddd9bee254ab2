/** The shape of a CLI command and the errors that carry an exit code. */
import type { Readable, Writable } from 'node:stream';
import type { ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
/** A failure, or damage found. */
export const EXIT_FAILURE = 1;
/** Bad usage: unknown command or option, missing argument. */
export const EXIT_USAGE = 2;

export interface Streams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandContext {
  positionals: string[];
  values: OptionValues;
  io: Streams;
  /** True when stderr is a terminal (progress bars); otherwise print periodic progress lines. */
  tty: boolean;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** e.g. `sdnwal count <dir> <table> [--json]`. */
  usage: string;
  /** Longer help after the usage line (options, examples). */
  help?: string;
  options?: ParseArgsConfig['options'];
  /** Subcommands (`sdnwal sdn check ...`); a command has either these or `run`. */
  subcommands?: Command[];
  run?(ctx: CommandContext): Promise<number>;
}

/**
 * A user error with the exit code to leave with and a stable `code` for `--json` (messages may
 * change, codes may not); never printed with a stack trace. Own enumerable fields of a subclass
 * (numbers, strings) are added to the `--json` error object.
 */
export class UserError extends Error {
  readonly exitCode: number;
  readonly code: string;
  constructor(message: string, exitCode: number = EXIT_FAILURE, code = 'FAILED') {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

export class UsageError extends UserError {
  constructor(message: string) {
    super(message, EXIT_USAGE, 'USAGE');
    this.name = 'UsageError';
  }
}

/** No such store, table, row or value: the user's path or key, not damage. */
export class NotFoundError extends UserError {
  constructor(message: string) {
    super(message, EXIT_FAILURE, 'NOT_FOUND');
    this.name = 'NotFoundError';
  }
}

/** Check the positional count, or throw a usage error naming the usage line. */
export function needPositionals(ctx: CommandContext, min: number, max: number, usage: string): string[] {
  const p = ctx.positionals;
  if (p.length < min || p.length > max) throw new UsageError(`expected ${min === max ? min : `${min}-${max}`} argument(s); usage: ${usage}`);
  return p;
}

export function writeLine(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Write a JSON value as one line (the `--json` reporter). */
export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}

/** What a command reports: `value` as one JSON line with --json, else `text(value)` for a person. */
export function writeReport<T>(ctx: CommandContext, value: T, text: (v: T) => string): void {
  if (ctx.values.json) writeJson(ctx.io.stdout, value);
  else writeLine(ctx.io.stdout, text(value));
}
