/**
 * What recovery does to disk, behind one interface: `applyEffects` changes files (each change
 * made durable as docs/protocol.md §9 says), `planEffects` changes nothing and answers as if it
 * had (`recover --dry-run`). The steps run the same code either way, so a dry run's report is the
 * plan of the real run: same findings, same ranges, same quarantine files.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createTempFile, fsyncDir, io, openInStore, writeFully } from '../io.js';
import { cutTail, quarantineBytes } from '../wal/quarantine.js';
import type { TablePaths } from '../wal/paths.js';
import { createSegmentFile, type SegmentHeader } from '../wal/segment.js';
import { padOver, type Range } from './salvage.js';

export interface RepairEffects {
  /** True when files change (false: a dry run). */
  readonly changesDisk: boolean;
  /** A log file opened to repair it (read-only in a dry run). */
  open(file: string): number;
  /** Keep `[from, to)` of the segment in quarantine; returns where the bytes are (or would be) kept. */
  quarantine(q: QuarantineTarget, fd: number, from: number, to: number, reason: string): string;
  /** Quarantine everything from `from` to the end of the file and cut it there (fdatasynced). */
  cutTail(q: QuarantineTarget, fd: number, from: number, reason: string): string;
  /** Quarantine the range and write one PAD frame over it (the caller syncs). */
  padOver(q: QuarantineTarget, fd: number, r: Range, reason: string): string;
  write(fd: number, bytes: Buffer, at: number): void;
  truncate(fd: number, length: number): void;
  sync(fd: number): void;
  /** Delete files of one directory, then fsync it. */
  unlink(files: readonly string[], dir: string): void;
  createSegment(walDir: string, header: SegmentHeader): void;
  /**
   * Make `.prev` the snapshot (the bad one's bytes kept in quarantine first); returns where those
   * bytes are (or would be) kept, undefined when there was no snapshot file.
   */
  restorePrev(paths: TablePaths): string | undefined;
}

/** Whose segment the bytes come from, and the folder they are kept in. */
export interface QuarantineTarget {
  dir: string;
  table: string;
  segment: number;
}

/** Where quarantineBytes puts the bytes of (segment, offset): deterministic, so a re-run finds it. */
export function quarantineFile(q: QuarantineTarget, offset: number): string {
  return path.join(q.dir, `${q.table}.${q.segment}.${offset}.bin`);
}

export const applyEffects: RepairEffects = {
  changesDisk: true,
  open: (file) => openInStore(file, fs.constants.O_RDWR),
  quarantine: (q, fd, from, to, reason) => quarantineBytes(q.dir, q.table, q.segment, fd, from, to, reason).file,
  cutTail: (q, fd, from, reason) => cutTail(q.dir, q.table, q.segment, fd, from, reason).file,
  padOver: (q, fd, r, reason) => padOver(q.dir, q.table, q.segment, fd, r, reason).file,
  write: (fd, bytes, at) => writeFully(fd, bytes, at),
  truncate: (fd, length) => io.ftruncateSync(fd, length),
  sync: (fd) => io.fdatasyncSync(fd),
  unlink: (files, dir) => {
    if (files.length === 0) return;
    for (const f of files) io.unlinkSync(f);
    fsyncDir(dir);
  },
  createSegment: (walDir, header) => void createSegmentFile(walDir, header),
  restorePrev,
};

export const planEffects: RepairEffects = {
  changesDisk: false,
  open: (file) => openInStore(file, fs.constants.O_RDONLY),
  quarantine: (q, _fd, from) => quarantineFile(q, from),
  cutTail: (q, _fd, from) => quarantineFile(q, from),
  padOver: (q, _fd, r) => quarantineFile(q, r.offset),
  write: () => {},
  truncate: () => {},
  sync: () => {},
  unlink: () => {},
  createSegment: () => {},
  restorePrev: (paths) => (fs.existsSync(paths.snapshot) ? badSnapshotFile(paths, fs.readFileSync(paths.snapshot)) : undefined),
};

/** Where a bad snapshot's bytes are kept: named by their CRC, so a re-run rewrites the same file. */
function badSnapshotFile(paths: TablePaths, bytes: Buffer): string {
  return path.join(paths.quarantine, `${paths.table}.sdn.${zlib.crc32(bytes).toString(16).padStart(8, '0')}.bad`);
}

/**
 * Keep the bad snapshot's bytes in quarantine, then make `.prev` the snapshot atomically: link it
 * to `.sdn.tmp`, rename that over `.sdn`, fsync the directory. `.prev` stays, so snapshot and prev
 * are one inode until the next compaction; the segments above prev.absorbed were never deleted
 * (docs/protocol.md §6 step 7), so nothing is lost.
 */
function restorePrev(paths: TablePaths): string | undefined {
  const { snapshot, snapshotPrev, snapshotTmp, quarantine, dir } = paths;
  let keep: string | undefined;
  if (fs.existsSync(snapshot)) {
    const bytes = fs.readFileSync(snapshot);
    io.mkdirSync(quarantine);
    keep = badSnapshotFile(paths, bytes);
    const fd = createTempFile(`${keep}.tmp`);
    try {
      writeFully(fd, bytes, 0);
      io.fsyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
    io.renameSync(`${keep}.tmp`, keep);
    fsyncDir(quarantine);
  }
  if (fs.existsSync(snapshotTmp)) io.unlinkSync(snapshotTmp);
  io.linkSync(snapshotPrev, snapshotTmp);
  io.renameSync(snapshotTmp, snapshot);
  fsyncDir(dir);
  return keep;
}
