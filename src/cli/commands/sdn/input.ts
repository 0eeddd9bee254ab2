/** Reading the `<file|->` argument of `sdnwal sdn` commands: a file's text, or all of stdin for `-`. */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { isSystemError, systemError } from '../../errors.js';

/** The argument that means "standard input". */
export const STDIN = '-';

/** Reads all of a stream as UTF-8 text. */
export async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The text named by `file` (`-` reads stdin). A file that cannot be read is a PathError naming
 * it and what to do (NOT_FOUND, IS_A_DIRECTORY, PERMISSION_DENIED…; exit 1), never a stack trace.
 */
export async function readSource(file: string, stdin: Readable): Promise<string> {
  if (file === STDIN) return readStream(stdin);
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    // A read of a directory fails without naming a path: name `file`.
    if (isSystemError(e)) throw systemError(e, file, 'cannot read');
    throw e;
  }
}
