/** The state one table's recovery carries from step to step, and small helpers every step uses. */
import path from 'node:path';
import { SdnwalError } from '../errors.js';
import type { TablePaths } from '../wal/paths.js';
import type { QuarantineTarget, RepairEffects } from './effects.js';
import type { RecoveryPolicy, RecoveryProgress, TableRecovery } from './report.js';

export interface TableRun {
  paths: TablePaths;
  policy: RecoveryPolicy;
  /** Change nothing on disk: open nothing for writing, create nothing, take no lock. */
  dryRun: boolean;
  /** What the steps do to disk: applyEffects, or planEffects for a dry run (effects.ts). */
  effects: RepairEffects;
  report: TableRecovery;
  lockTimeoutMs: number;
  onProgress?: (p: RecoveryProgress) => void;
}

/** The verbs recovery reports in the past tense, and how a dry run says them. */
const PLANNED: Record<string, string> = {
  deleted: 'delete', salvaged: 'salvage', quarantined: 'quarantine', padded: 'pad', finished: 'finish',
  created: 'create', drained: 'drain', wrote: 'write', restored: 'restore', kept: 'keep',
};

/** "deleted x and wrote y" → "would delete x and write y". */
export function wouldDo(done: string): string {
  return `would ${done.replace(/\b(deleted|salvaged|quarantined|padded|finished|created|drained|wrote|restored|kept)\b/g, (w) => PLANNED[w]!)}`;
}

/** Record a human sentence; with --dry-run it says what would be done. */
export function act(run: TableRun, done: string, wouldBe: string = wouldDo(done)): void {
  run.report.actions.push(run.dryRun ? wouldBe : done);
}

/** Where the bytes of one of the table's segments are quarantined. */
export function quarantineOf(run: TableRun, segment: number): QuarantineTarget {
  return { dir: run.paths.quarantine, table: run.paths.table, segment };
}

/** A store-relative name for reports. */
export function rel(run: TableRun, file: string): string {
  return path.relative(run.paths.dir, file) || file;
}

/** A segment missing from the run above the snapshot: never skipped, since its writes would be lost. */
export class MissingSegmentError extends SdnwalError {
  readonly file: string;
  readonly segment: number;
  constructor(file: string, segment: number, absorbed: number) {
    super(
      'CORRUPT_LOG',
      `missing segment ${file}: the snapshot absorbed segment ${absorbed}, so segments ${absorbed + 1} and up must all exist; ` +
        'its writes cannot be recovered by any policy: restore the file from a backup',
    );
    this.file = file;
    this.segment = segment;
  }
}

/** A file named as one of this table's segments whose header names another table, id or number. */
export class ForeignSegmentError extends SdnwalError {
  readonly file: string;
  constructor(file: string, found: string, expected: string) {
    super('FOREIGN_SEGMENT', `foreign segment ${file}: its header names ${found}, expected ${expected}; move it out of the log directory`);
    this.file = file;
  }
}
