/** Replacing an SDN file in place for `set` and `fmt`: atomically, through the I/O seam. */
import fs from 'node:fs';
import path from 'node:path';
import { io, writeFileAtomic } from '../../../io.js';
import { UserError } from '../../command.js';

/**
 * Writes `text` over `file` with writeFileAtomic (temp file, fsync, rename, fsync the dir), so a
 * crash leaves the old or the new file, never half of one. A symlink is followed, so the link
 * stays a link and its target is replaced.
 * A store table's own snapshot never comes here: snapshot-edit.ts rewrites it under the table's
 * compact.lock (docs/protocol.md §9).
 */
export function replaceFile(file: string, text: string): void {
  let target: string;
  try {
    target = fs.realpathSync(file);
  } catch (e) {
    throw new UserError(`cannot write ${file}: ${(e as Error).message}`);
  }
  try {
    writeFileAtomic(target, text, path.dirname(target));
  } catch (e) {
    // The original is untouched until the rename; leave no half-written temp file beside it.
    try {
      io.unlinkSync(`${target}.tmp`);
    } catch {
      // Already gone (the failure came before it was created, or after the rename).
    }
    throw new UserError(`cannot write ${file}: ${(e as Error).message}`);
  }
}
