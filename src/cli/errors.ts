/**
 * How the CLI reports a failure: `error: …` on stderr and, with --json, one object on stdout,
 * `{"error": {"code", "message", "exitCode", ...}}`, so a script can rely on the code.
 * Raw system errors (ENOTDIR, EISDIR, EACCES…) become a PathError naming the path and what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SdnParseError, SdnwalError } from '../errors.js';
import { TABLE_DATA_FILE, type TablePaths, tablePaths } from '../wal/paths.js';
import { EXIT_FAILURE, EXIT_USAGE, type Streams, UserError, writeJson, writeLine } from './command.js';

/** Stable codes for the errno values a user can cause; other errno values are SYSTEM_ERROR. */
const ERRNO_CODES: Record<string, string> = {
  ENOTDIR: 'NOT_A_DIRECTORY',
  EISDIR: 'IS_A_DIRECTORY',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  ENOENT: 'NOT_FOUND',
};

/** A system call failed on a path the user gave (or one inside their store). */
export class PathError extends UserError {
  readonly errno: string;
  readonly path: string | undefined;
  constructor(message: string, code: string, errno: string, file: string | undefined) {
    super(message, EXIT_FAILURE, code);
    this.name = 'PathError';
    this.errno = errno;
    this.path = file;
  }
}

/** A Node system error (`err.code` like ENOTDIR, with a syscall). */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** The first ancestor of `file` that exists but is not a directory (what ENOTDIR is about). */
function fileInTheWay(file: string): string {
  for (let p = path.dirname(file); p !== path.dirname(p); p = path.dirname(p)) {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st) return st.isDirectory() ? file : p;
  }
  return file;
}

function pathMessage(errno: string, file: string | undefined, syscall: string, raw: string): string {
  const where = file ?? 'a path';
  switch (errno) {
    case 'ENOTDIR': {
      const culprit = file ? fileInTheWay(file) : where;
      const reach = culprit === file ? '' : ` (on the way to ${file})`;
      return `${culprit} is not a directory${reach}; check the path (a store is a directory), or move the file out of the way if it does not belong there`;
    }
    case 'EISDIR':
      return `${where} is a directory where a file was expected; give a file, or move the directory out of the way if it does not belong there`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${where} (${syscall}); check its owner and mode (ls -ld ${where}) or run as a user who may ${syscall} it`;
    case 'ENOENT':
      return `${where} does not exist; check the path`;
    default:
      return `${syscall} ${where} failed: ${raw}`;
  }
}

/**
 * The typed error for a system error; `file` names the path when the error carries none (a read
 * of an fd). With `action` (`cannot read`) the message starts `cannot read FILE: `, and Node's own
 * words stay for ENOENT, which need no advice.
 */
export function systemError(err: NodeJS.ErrnoException, file?: string, action?: string): PathError {
  const errno = err.code ?? 'EIO';
  const where = err.path ?? file;
  let message = pathMessage(errno, where, err.syscall ?? 'access', err.message);
  if (action) message = `${action} ${file ?? where}: ${errno === 'ENOENT' ? err.message : message}`;
  const e = new PathError(message, ERRNO_CODES[errno] ?? 'SYSTEM_ERROR', errno, where);
  e.cause = err;
  return e;
}

/**
 * A store file of the wrong kind: a directory where a table's file belongs, or a file where its
 * log or spool folder belongs.
 */
function misplacedTableFile(paths: TablePaths): string | undefined {
  const kind = (p: string): fs.Stats | undefined => fs.statSync(p, { throwIfNoEntry: false });
  for (const f of [paths.snapshot, paths.snapshotPrev, paths.lock, paths.compactLock]) if (kind(f)?.isDirectory()) return f;
  for (const d of [paths.wal, paths.spool, paths.quarantine]) if (kind(d)?.isFile()) return d;
  return undefined;
}

/**
 * `err` with a path when it is a system error that names none (a read of an open fd fails
 * without one): the first file of `tables` (default: every table) in store `dir` that is of the
 * wrong kind, else `dir`. Anything else is returned as it is.
 */
export function locateInStore(err: unknown, dir: string, tables?: readonly string[]): unknown {
  if (!isSystemError(err) || err.path !== undefined) return err;
  try {
    const names = tables ?? fs.readdirSync(dir).flatMap((f) => TABLE_DATA_FILE.exec(f)?.[1] ?? []);
    for (const name of names) {
      const found = misplacedTableFile(tablePaths(dir, name));
      if (found) return systemError(err, found);
    }
  } catch {
    // Looking is best effort: the error is reported with the store's directory instead.
  }
  return systemError(err, dir);
}

/** What the reporter needs: the stable code, the exit code, the text, and extra fields for JSON. */
export interface ErrorInfo {
  code: string;
  message: string;
  exitCode: number;
  /** Lines for stderr after `error: ` (a parse error adds its caret excerpt). */
  text: string;
  details: Record<string, string | number | boolean>;
}

const NOT_DETAILS = new Set(['name', 'message', 'stack', 'cause', 'code', 'exitCode']);

/** An error's own plain fields (file, offset, line, holderPid, acknowledged…), for the JSON object. */
function detailsOf(err: Error): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(err)) {
    if (NOT_DETAILS.has(k)) continue;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
  }
  return out;
}

/** Classify any thrown value; system errors are turned into a PathError first. */
export function describeError(thrown: unknown): ErrorInfo {
  const err = isSystemError(thrown) ? systemError(thrown) : thrown;
  if (err instanceof SdnParseError) {
    return { code: err.code, message: err.message, exitCode: EXIT_FAILURE, text: `${err.message}\n${err.excerpt}`, details: detailsOf(err) };
  }
  if (err instanceof UserError) return { code: err.code, message: err.message, exitCode: err.exitCode, text: err.message, details: detailsOf(err) };
  if (err instanceof SdnwalError) return { code: err.code, message: err.message, exitCode: EXIT_FAILURE, text: `${err.message} (${err.code})`, details: detailsOf(err) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message, exitCode: EXIT_FAILURE, text: message, details: {} };
}

/** The `{code, message, ...}` object a --json answer carries for a failure. */
export function errorObject(info: ErrorInfo, withExitCode = true): Record<string, unknown> {
  return { code: info.code, message: info.message, ...(withExitCode ? { exitCode: info.exitCode } : {}), ...info.details };
}

/**
 * Report a failure: `error: …` on stderr (a stack trace with --debug) and, with --json, one
 * `{"error": {...}}` object on stdout. Bad usage (exit 2) prints only the text: the command line
 * itself is wrong (the --json in it may not even have been read), and stdout stays empty.
 * Returns the exit code.
 */
export function reportError(err: unknown, io: Streams, o: { debug: boolean; json: boolean }): number {
  if (o.debug && err instanceof Error && err.stack) writeLine(io.stderr, err.stack);
  const info = describeError(err);
  const hint = info.code === 'INTERNAL' && !o.debug ? ' (run with --debug for a stack trace)' : '';
  writeLine(io.stderr, `error: ${info.text}${hint}`);
  if (o.json && info.exitCode !== EXIT_USAGE) writeJson(io.stdout, { error: errorObject(info) });
  return info.exitCode;
}
