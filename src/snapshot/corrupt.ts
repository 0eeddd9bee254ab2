/** The typed error for a snapshot that cannot be trusted (code CORRUPT_SNAPSHOT), with its file and line. */
import { SdnwalError } from '../errors.js';

export class CorruptSnapshotError extends SdnwalError {
  readonly file: string;
  /** 1-based line of the problem, when one line is to blame. */
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, reason: string, options?: { cause?: unknown }) {
    super(
      'CORRUPT_SNAPSHOT',
      `corrupt snapshot ${file}${line !== undefined ? ` at line ${line}` : ''}: ${reason}; ` +
        'recovery falls back to the .prev snapshot and the log above it (`sdnwal recover <dir>`)',
      options,
    );
    this.file = file;
    this.line = line;
  }
}
