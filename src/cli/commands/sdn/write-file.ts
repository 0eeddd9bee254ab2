/** Replacing an SDN file in place for `set` and `fmt`: atomically, through the I/O seam. */
import fs from 'node:fs';
import path from 'node:path';
import { io, writeFileAtomic } from '../../../io.js';
import { UserError } from '../../command.js';

/**
 * Writes `text` over `file` with writeFileAtomic (temp file, fsync, rename, fsync the dir), so a
 * crash leaves the old or the new file, never half of one. A symlink is followed, so the link
 * stays a link and its target is replaced.
 *
 * Not done here yet: PROTOCOLS §9 says `sdn set|fmt` on a table's snapshot (`db/<table>.sdn`)
 * must hold the table's `compact.lock`, or the next compaction overwrites the edit (and both
 * use the same `<file>.tmp` name). Until the compactor's lock exists, editing a live table's
 * snapshot with these commands is unsafe while a compaction may run.
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
