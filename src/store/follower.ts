/**
 * Catching up with the log (docs/protocol.md §8): keep the current segment and offset, read to the
 * published end from the control record (never by file size while writers are live), follow a
 * SEAL to the next segment. Readers check every frame and never repair: damage ends the read
 * and is reported, the repair is recovery's job.
 */
import fs from 'node:fs';
import { CorruptLogError } from '../errors.js';
import { type ControlRecord, currentBootId, readControlAt } from '../wal/control.js';
import { isWrite, type PendingWrite } from '../wal/entry.js';
import type { TablePaths } from '../wal/paths.js';
import { scanSegment } from '../wal/reader.js';
import { readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';

export interface FollowResult {
  /** Writes applied by this poll. */
  applied: number;
  /** The segment we needed is gone (a compaction absorbed it): reload from the snapshot. */
  reload: boolean;
}

export class LogFollower {
  /** The segment being read and the offset of the next frame in it (0 = from its header). */
  segNo: number;
  offset = 0;
  private lastGeneration = -1;
  private lastSize = -1;

  constructor(
    private readonly paths: TablePaths,
    /** The snapshot's absorbed segment: reading starts above it. */
    absorbed: number,
    private readonly identity: { table: string; tableId?: string } | undefined,
  ) {
    this.segNo = absorbed + 1;
  }

  /**
   * Read every committed write after the current position, in order, calling `apply`. `raw`, if
   * given, is offered each payload first: true means it took that write from the bytes (the
   * frame's CRCs were checked), which is then not decoded.
   */
  poll(apply: (w: PendingWrite, segNo: number, offset: number) => void, raw?: (payload: Buffer) => boolean): FollowResult {
    const control = readControlAt(this.paths.lock);
    const live = control !== undefined && control.bootId === currentBootId() && control.activeSeg > 0;
    if (live && control.generation === this.lastGeneration && control.activeSeg === this.segNo && this.offset === control.publishedEnd) {
      return { applied: 0, reload: false };
    }
    let applied = 0;
    for (;;) {
      const p = segmentPath(this.paths, this.segNo);
      if (!fs.existsSync(p)) {
        // Gone below the active segment: compacted away under us. Beyond the last: nothing yet.
        const { segments } = readWalDir(this.paths.wal);
        if (segments.some((s) => s > this.segNo)) return { applied, reload: true };
        if (this.offset > 0) return { applied, reload: true };
        break;
      }
      const to = live && control.activeSeg === this.segNo ? control.publishedEnd : undefined;
      if (!live && to === undefined && this.lastSize >= 0 && this.offset > 0) {
        const size = fs.statSync(p).size;
        if (size === this.lastSize) break;
      }
      let r;
      try {
        r = scanSegment({ path: p }, {
          segNo: this.segNo,
          expect: this.identity,
          from: this.offset > 0 ? this.offset : undefined,
          to,
          onPayload: raw && ((payload) => raw(payload) && ++applied > 0),
          onEntry: (e, at) => {
            if (isWrite(e)) {
              apply(e, this.segNo, at);
              applied++;
            }
          },
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { applied, reload: true };
        throw err;
      }
      if (r.headerProblem && r.headerProblem !== 'short') throw new CorruptLogError(p, 0, `segment header: ${r.headerProblem}`);
      this.offset = r.end;
      this.lastSize = r.size;
      const dmg = r.damage[0];
      if (dmg && dmg.kind === 'corruption') throw new CorruptLogError(p, dmg.offset, dmg.reason);
      if (r.sealedNext === undefined) break;
      this.segNo = r.sealedNext;
      this.offset = 0;
      this.lastSize = -1;
    }
    if (live) this.lastGeneration = (control as ControlRecord).generation;
    return { applied, reload: false };
  }
}
