/**
 * Moving damaged log bytes to quarantine/ before cutting them off (docs/protocol.md §9 step 6):
 * bytes are never just dropped. The file name is deterministic, so a re-run after a crash
 * rewrites the same file instead of making a second copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fdatasyncSegment, fsyncDir, io, writeTmpThenRename } from '../io.js';

export interface QuarantineRecord {
  table: string;
  segment: number;
  offset: number;
  length: number;
  reason: string;
  /** Where the bytes were kept. */
  file: string;
  at: string;
}

function readRange(fd: number, from: number, to: number): Buffer {
  const buf = Buffer.alloc(to - from);
  let got = 0;
  while (got < buf.length) {
    const n = io.readSync(fd, buf, got, buf.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Copy bytes [from, to) of segment `segment` (open as `fd`) to quarantine; does not change the segment. */
export function quarantineBytes(quarantineDir: string, table: string, segment: number, fd: number, from: number, to: number, reason: string): QuarantineRecord {
  if (!fs.existsSync(quarantineDir)) {
    io.mkdirSync(quarantineDir);
    fsyncDir(path.dirname(quarantineDir));
  }
  const bytes = readRange(fd, from, to);
  // Deterministic, so a re-run after a crash rewrites the same file; a different tear at the
  // same place (a second writer killed there) gets a suffix instead of overwriting evidence.
  let base = path.join(quarantineDir, `${table}.${segment}.${from}`);
  for (let n = 1; fs.existsSync(`${base}.bin`) && !fs.readFileSync(`${base}.bin`).equals(bytes); n++) {
    base = path.join(quarantineDir, `${table}.${segment}.${from}-${n}`);
  }
  const rec: QuarantineRecord = { table, segment, offset: from, length: to - from, reason, file: `${base}.bin`, at: new Date().toISOString() };
  writeTmpThenRename(rec.file, bytes);
  writeTmpThenRename(`${base}.json`, `${JSON.stringify(rec, null, 2)}\n`);
  fsyncDir(quarantineDir);
  return rec;
}

/** Quarantine everything from `from` to the end of the segment, then cut it off durably. */
export function cutTail(quarantineDir: string, table: string, segment: number, fd: number, from: number, reason: string): QuarantineRecord {
  const size = io.fstatSync(fd).size;
  const rec = quarantineBytes(quarantineDir, table, segment, fd, from, size, reason);
  io.ftruncateSync(fd, from);
  fdatasyncSegment(fd, `segment ${segment} of ${table}`);
  return rec;
}

/** List quarantined ranges (for stats and reports); a missing folder is an empty list. */
export function listQuarantine(quarantineDir: string): QuarantineRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(quarantineDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(fs.readFileSync(path.join(quarantineDir, n), 'utf8')) as QuarantineRecord);
}
