/**
 * Recovery steps 5 and 6 of docs/protocol.md §9, under the table lock: the segments above the
 * snapshot are contiguous, every one below the highest ends in SEAL, headers name this table;
 * every frame's CRCs are checked; damage is handled per policy (cut a torn tail, fail on
 * corruption, or salvage); an interrupted roll is finished.
 */
import fs from 'node:fs';
import { CorruptLogError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { WAL_FORMAT_VERSION } from '../wal/constants.js';
import { decodeEntry, encodeEntry, isSeal } from '../wal/entry.js';
import { decodeFrame, encodeFrames } from '../wal/frame.js';
import { type ScanResult, scanSegment } from '../wal/reader.js';
import { decodeSegmentHeader, encodeSegmentHeader } from '../wal/segment.js';
import { describeDamage, listLog, sealProblem } from './inspect.js';
import { segmentPath } from '../wal/tail.js';
import type { QuarantinedRange } from './report.js';
import { act, ForeignSegmentError, MissingSegmentError, quarantineOf, rel, type TableRun } from './run.js';
import { widenForPad } from './salvage.js';

export interface Identity {
  table: string;
  /** Known from the snapshot's meta or the first segment's header; unknown for a table with neither. */
  tableId?: string;
}

/** What step 5/6 leaves behind: the active segment, whole and undamaged to its end. */
export interface LogState {
  highest?: number;
}

/** A header probe long enough for any header (table names are at most 64 bytes). */
const HEADER_PROBE_BYTES = 256;

/** A SEAL frame is 12 + ~7..15 bytes; the last this many bytes are searched for one. */
const SEAL_PROBE_BYTES = 64;

function toRange(segment: number, offset: number, length: number, reason: string, file: string): QuarantinedRange {
  return { segment, offset, length, reason, file };
}

/** Bytes at the start of a segment, enough to decode its header. */
export function readHeader(file: string): ReturnType<typeof decodeSegmentHeader> & { size: number } {
  const fd = openInStore(file, fs.constants.O_RDONLY);
  try {
    const buf = Buffer.alloc(HEADER_PROBE_BYTES);
    const n = io.readSync(fd, buf, 0, buf.length, 0);
    return { ...decodeSegmentHeader(buf.subarray(0, n)), size: io.fstatSync(fd).size };
  } finally {
    io.closeSync(fd);
  }
}

/**
 * Does the segment end in a SEAL frame? The hcrc binds a frame to its offset, so trying each
 * start in the last few bytes finds the last frame without scanning the segment (used by the
 * fast path, where the tail itself is already known to be a frame boundary).
 */
export function endsInSeal(file: string, segNo: number, size: number): number | undefined {
  const fd = openInStore(file, fs.constants.O_RDONLY);
  try {
    const from = Math.max(0, size - SEAL_PROBE_BYTES);
    const buf = Buffer.alloc(size - from);
    io.readSync(fd, buf, 0, buf.length, from);
    for (let at = 0; at < buf.length; at++) {
      const r = decodeFrame(buf, at, segNo, from + at);
      if (r.kind !== 'ok' || at + r.size !== buf.length) continue;
      try {
        const e = decodeEntry(r.payload);
        return isSeal(e) ? e.seal : undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  } finally {
    io.closeSync(fd);
  }
}

/** A header cut short in the highest segment: quarantine the bytes and write the header afresh in place. */
function repairTornHeader(run: TableRun, segNo: number, file: string, size: number, id: Identity): void {
  const reason = `segment header cut short at end of file (${size} bytes)`;
  if (run.policy === 'strict') throw new CorruptLogError(file, 0, `torn tail: ${reason}`);
  const fx = run.effects;
  const fd = fx.open(file);
  try {
    run.report.quarantined.push(toRange(segNo, 0, size, reason, fx.quarantine(quarantineOf(run, segNo), fd, 0, size, reason)));
    if (id.tableId === undefined) {
      // No table id anywhere: the file cannot be made a segment of this table; the writer makes a new one.
      fx.unlink([file], run.paths.wal);
      act(run, `quarantined the torn header of ${rel(run, file)} and deleted the file`, `would quarantine the torn header of ${rel(run, file)} (${size} bytes) and delete the file`);
      return;
    }
    fx.truncate(fd, 0);
    fx.write(fd, encodeSegmentHeader({ formatVersion: WAL_FORMAT_VERSION, table: id.table, tableId: id.tableId, segment: segNo }), 0);
    fx.sync(fd);
    act(run, `quarantined the torn header of ${rel(run, file)} and wrote the header again`, `would quarantine the torn header of ${rel(run, file)} (${size} bytes) and write the header again`);
  } finally {
    io.closeSync(fd);
  }
}

/** Apply the policy to the damage found in one segment. Returns the end after repair. */
function repairDamage(run: TableRun, segNo: number, file: string, r: ScanResult, sealed: boolean): number {
  const first = r.damage[0]!;
  if (run.policy === 'strict') throw new CorruptLogError(file, first.offset, describeDamage(first));
  if (run.policy === 'tolerate-tail') {
    if (first.kind === 'corruption') throw new CorruptLogError(file, first.offset, first.reason);
    const reason = describeDamage(first);
    const length = r.size - first.offset;
    const fd = run.effects.open(file);
    try {
      run.report.quarantined.push(toRange(segNo, first.offset, length, reason, run.effects.cutTail(quarantineOf(run, segNo), fd, first.offset, reason)));
    } finally {
      io.closeSync(fd);
    }
    act(run, `quarantined and cut ${length} byte(s) at offset ${first.offset} of ${rel(run, file)}: ${reason}`, `would quarantine and cut ${length} byte(s) at offset ${first.offset} of ${rel(run, file)}: ${reason}`);
    return first.offset;
  }
  return salvageSegment(run, segNo, file, r, sealed);
}

/**
 * Salvage: every damaged range reaching the end of the file (a torn tail, or bytes after a SEAL)
 * is quarantined and cut; every other range is quarantined and padded over in place. A sealed
 * segment whose SEAL was in a cut range gets a new SEAL, so readers still move on to the next.
 */
function salvageSegment(run: TableRun, segNo: number, file: string, r: ScanResult, sealed: boolean): number {
  const fx = run.effects;
  const q = quarantineOf(run, segNo);
  const fd = fx.open(file);
  let end = r.size;
  try {
    const pads: { offset: number; length: number; reason: string }[] = [];
    let cutAt: { offset: number; reason: string } | undefined;
    for (const d of r.damage) {
      const widened = d.offset + d.length >= r.size ? undefined : widenForPad(fd, d, r.size);
      if (widened === undefined) {
        cutAt = { offset: d.offset, reason: describeDamage(d) };
        break;
      }
      const extra = widened.length > d.length ? `; widened by ${widened.length - d.length} byte(s) of following frame(s) to fit a PAD frame` : '';
      pads.push({ offset: widened.offset, length: widened.length, reason: describeDamage(d) + extra });
    }
    for (const p of pads) {
      run.report.salvaged.push(toRange(segNo, p.offset, p.length, p.reason, fx.padOver(q, fd, p, p.reason)));
      act(run, `salvaged ${rel(run, file)}: quarantined ${p.length} byte(s) at offset ${p.offset} and padded over them (${p.reason})`);
    }
    if (cutAt) {
      const length = r.size - cutAt.offset;
      run.report.quarantined.push(toRange(segNo, cutAt.offset, length, cutAt.reason, fx.cutTail(q, fd, cutAt.offset, cutAt.reason)));
      act(run, `quarantined and cut ${length} byte(s) at offset ${cutAt.offset} of ${rel(run, file)}: ${cutAt.reason}`);
      end = cutAt.offset;
    }
    // With resync a valid SEAL is always found; a cut before it would have started after it.
    if (sealed && r.sealedNext === undefined) {
      // The SEAL itself was damaged; the next segment exists, so this one is final: seal it again.
      const seal = encodeFrames(segNo, end, [encodeEntry({ seal: segNo + 1 })]);
      fx.write(fd, seal, end);
      end += seal.length;
      act(run, `wrote a new SEAL at the end of ${rel(run, file)} (its own was damaged)`);
    }
    fx.sync(fd);
    return end;
  } finally {
    io.closeSync(fd);
  }
}

/**
 * Scan one segment (every frame's CRCs), apply the policy to what is found, and return the
 * scan (after repair, `sealedNext` is what the segment ends with). `from` limits the scan to a
 * dead writer's batch (the fast path).
 */
export function repairSegment(run: TableRun, segNo: number, id: Identity, sealed: boolean, from?: number): { scan: ScanResult; sealedNext?: number } {
  const file = segmentPath(run.paths, segNo);
  const r = scanSegment({ path: file }, { segNo, expect: id, sealed, from, resync: run.policy === 'salvage', decode: false });
  run.report.entriesScanned += r.frames;
  run.report.bytesScanned += r.size - (from ?? 0);
  if (r.headerProblem === 'foreign') {
    const h = r.header!;
    throw new ForeignSegmentError(file, `table ${h.table} (${h.tableId}) segment ${h.segment}`, `table ${id.table}${id.tableId ? ` (${id.tableId})` : ''} segment ${segNo}`);
  }
  if (r.headerProblem === 'short' && !sealed) {
    repairTornHeader(run, segNo, file, r.size, id);
    return { scan: r };
  }
  if (r.headerProblem) {
    const problem = `segment header: ${r.headerProblem === 'short' ? 'cut short in a sealed segment' : `bad ${r.headerProblem}`}`;
    if (run.policy !== 'salvage') throw new CorruptLogError(file, 0, problem);
    if (id.tableId === undefined) throw new CorruptLogError(file, 0, `${problem}; the table id is known from no snapshot or other segment, so salvage cannot write the header again`);
    rebuildHeader(run, segNo, file, id as Required<Identity>, problem);
    // Planned, not written: the header on disk is still the damaged one, so there is nothing to scan again.
    if (!run.effects.changesDisk) return { scan: r };
    // Scan again under the rebuilt header: salvage then pads whatever else is damaged.
    return repairSegment(run, segNo, id, sealed, from);
  }
  let sealedNext = r.sealedNext;
  if (r.damage.length > 0) {
    repairDamage(run, segNo, file, r, sealed);
    // Salvage re-seals a sealed segment whose SEAL was damaged; other policies threw.
    if (sealed) sealedNext = segNo + 1;
  }
  return { scan: r, sealedNext };
}

/**
 * Salvage of a damaged header (zeroed, overwritten): the table and its id are known from the
 * snapshot or the other segments, and a header's length depends only on them, so the header is
 * written again in place, byte for byte what the roll wrote. Its old bytes go to quarantine first.
 * Every frame after it keeps its offset, which its hcrc binds it to, so every valid one is kept.
 */
function rebuildHeader(run: TableRun, segNo: number, file: string, id: Required<Identity>, problem: string): void {
  const header = encodeSegmentHeader({ formatVersion: WAL_FORMAT_VERSION, table: id.table, tableId: id.tableId, segment: segNo });
  const reason = `${problem}; written again from the table's identity`;
  const fx = run.effects;
  const fd = fx.open(file);
  try {
    const size = io.fstatSync(fd).size;
    run.report.salvaged.push(toRange(segNo, 0, header.length, reason, fx.quarantine(quarantineOf(run, segNo), fd, 0, Math.min(size, header.length), reason)));
    fx.write(fd, header, 0);
    fx.sync(fd);
  } finally {
    io.closeSync(fd);
  }
  act(
    run,
    `salvaged ${rel(run, file)}: quarantined its damaged header and wrote it again (table ${id.table}, ${id.tableId})`,
    `would quarantine the damaged header of ${rel(run, file)} and write it again (table ${id.table}, ${id.tableId})`,
  );
}

/** The segment after a SEAL does not exist: create it (tmp, fdatasync, rename, fsync dir). */
function finishRoll(run: TableRun, next: number, id: Identity, header: { tableId: string }): void {
  run.report.rollFinished = true;
  run.effects.createSegment(run.paths.wal, { formatVersion: WAL_FORMAT_VERSION, table: id.table, tableId: id.tableId ?? header.tableId, segment: next });
  act(run, `finished an interrupted roll: created segment ${next}`);
}

/** Delete `*.seg.tmp` (a roll that died before its rename); under the table lock, since writers roll. */
export function removeSegmentTemps(run: TableRun, temps: string[]): void {
  if (temps.length === 0) return;
  run.effects.unlink(temps.map((t) => `${run.paths.wal}/${t}`), run.paths.wal);
  for (const t of temps) run.report.tempFilesRemoved.push(rel(run, `${run.paths.wal}/${t}`));
  act(run, `deleted ${temps.length} unfinished segment file(s) (*.seg.tmp)`);
}

/** Steps 5 and 6 over every segment above `absorbed`. Returns the active segment and its end. */
export function checkSegments(run: TableRun, id: Identity, absorbed: number): LogState {
  const listing = listLog(run.paths, absorbed);
  run.report.foreign.push(...listing.foreign.map((f) => rel(run, `${run.paths.wal}/${f}`)));
  for (const f of listing.foreign) act(run, `left foreign file ${rel(run, `${run.paths.wal}/${f}`)} alone`, `would leave foreign file ${rel(run, `${run.paths.wal}/${f}`)} alone`);
  removeSegmentTemps(run, listing.temps);
  const above = listing.above;
  if (listing.missing !== undefined) throw new MissingSegmentError(segmentPath(run.paths, listing.missing), listing.missing, absorbed);
  run.report.segments = [...above];
  const sizes = above.map((s) => fs.statSync(segmentPath(run.paths, s)).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const state: LogState = {};
  for (const [i, segNo] of above.entries()) {
    run.onProgress?.({ table: run.paths.table, step: 'segments', segment: segNo, bytesDone: done, bytesTotal: total });
    const highest = i === above.length - 1;
    const { scan, sealedNext } = repairSegment(run, segNo, id, !highest);
    done += sizes[i]!;
    if (!highest) {
      const problem = sealProblem(segNo, sealedNext);
      if (problem) throw new CorruptLogError(segmentPath(run.paths, segNo), scan.end, problem);
      continue;
    }
    state.highest = segNo;
    if (sealedNext !== undefined) {
      const problem = sealProblem(segNo, sealedNext);
      if (problem) throw new CorruptLogError(segmentPath(run.paths, segNo), scan.end, problem);
      finishRoll(run, segNo + 1, id, scan.header!);
      run.report.segments.push(segNo + 1);
      state.highest = segNo + 1;
    }
  }
  run.onProgress?.({ table: run.paths.table, step: 'segments', bytesDone: total, bytesTotal: total });
  return state;
}
