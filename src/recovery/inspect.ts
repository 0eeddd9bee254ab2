/**
 * What recover and verify both read before they act or report (docs/protocol.md §9 steps 5–6):
 * the log directory's listing above the snapshot, and one wording for each kind of damage. verify
 * reports these findings; recover applies its policy to the same ones.
 */
import type { TablePaths } from '../wal/paths.js';
import type { Damage } from '../wal/reader.js';
import { readWalDir } from '../wal/segment.js';

export interface LogListing {
  /** Files in the log directory that are not segments (never read). */
  foreign: string[];
  /** `*.seg.tmp` of a roll that died before its rename. */
  temps: string[];
  /** Segments above the snapshot's absorbed one, ascending. */
  above: number[];
  /** All segments, ascending. */
  segments: number[];
  /** The first segment number missing from the run above the snapshot (its writes would be lost). */
  missing?: number;
}

export function listLog(paths: TablePaths, absorbed: number): LogListing {
  const listing = readWalDir(paths.wal);
  const above = listing.segments.filter((s) => s > absorbed);
  const gap = above.findIndex((s, i) => s !== absorbed + 1 + i);
  return { foreign: listing.foreign, temps: listing.temps, above, segments: listing.segments, missing: gap < 0 ? undefined : absorbed + 1 + gap };
}

/** A segment below the highest must end in a SEAL naming the next one; undefined when it does. */
export function sealProblem(segNo: number, sealedNext: number | undefined): string | undefined {
  if (sealedNext === segNo + 1) return undefined;
  return sealedNext === undefined ? `segment ${segNo} is below the highest segment but does not end in a SEAL` : `its SEAL names segment ${sealedNext}, expected ${segNo + 1}`;
}

/** The finding code of a damaged range. */
export function damageCode(d: Damage): 'CORRUPT_LOG' | 'TORN_TAIL' | 'UNSYNCED_HOLE' {
  return d.kind === 'corruption' ? 'CORRUPT_LOG' : d.kind === 'torn-tail' ? 'TORN_TAIL' : 'UNSYNCED_HOLE';
}

/** One line about a damaged range, as recovery reports and quarantines it. */
export function describeDamage(d: Damage): string {
  return d.kind === 'unsynced-hole' ? `${d.kind} (${d.framesAfter ?? 0} unacknowledged frame(s) after it): ${d.reason}` : `${d.kind}: ${d.reason}`;
}
