/** Every number of the on-disk log format, named, with the reason for its value (docs/wal-format.md). */

/** First 6 bytes of every segment file: a misplaced or foreign file is detected before any frame is read. */
export const SEGMENT_MAGIC = 'SDNWAL';

/** Bumped on any incompatible change to the segment header, the frame layout or the entry encoding. */
export const WAL_FORMAT_VERSION = 1;

/** Frame header: u32 len + u32 header crc + u32 payload crc (4 + 4 + 4), little-endian. */
export const FRAME_HEADER_BYTES = 4 + 4 + 4;

/** Largest payload a frame may carry; a larger entry is refused (ENTRY_TOO_LARGE) before any write. */
export const DEFAULT_MAX_ENTRY_BYTES = 16 * 1024 * 1024;

/** A writer rolls to a new segment once the active one passes this size. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Segment numbers are zero-padded to 20 digits (u64 max has 20), so names sort as numbers. */
export const SEGMENT_NAME_DIGITS = 20;

/** Suffix of a segment file; `<name>.tmp` while it is being created (docs/protocol.md §5 step 3). */
export const SEGMENT_SUFFIX = '.seg';

/** Suffix of a segment file being created; such files are deleted by recovery. */
export const SEGMENT_TMP_SUFFIX = '.seg.tmp';

/** Segment header: magic, u16 version, u32 header length, u64 segment, 16-byte table_id, u16 name length. */
export const SEGMENT_HEADER_FIXED_BYTES = 6 + 2 + 4 + 8 + 16 + 2;

/** Trailing u32 crc32 of every header byte before it. */
export const SEGMENT_HEADER_CRC_BYTES = 4;

/** Table names are at most 64 characters (docs/protocol.md §1); the header allows some slack for future names. */
export const MAX_HEADER_TABLE_NAME_BYTES = 1024;

/** A header length field outside [min, max] is damage, not a reason to read megabytes. */
export const MAX_SEGMENT_HEADER_BYTES = SEGMENT_HEADER_FIXED_BYTES + MAX_HEADER_TABLE_NAME_BYTES + SEGMENT_HEADER_CRC_BYTES;

/** Bytes of table_id in the header (hex in memory: 32 characters). */
export const TABLE_ID_BYTES = 16;

/** The reader reads segments in windows of this size, carrying a frame that spans two windows over. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** LevelDB's CRC mask delta: a CRC stored next to the data it covers is masked so CRCs of CRCs stay strong. */
export const CRC_MASK_DELTA = 0xa282ead8;

const SEGMENT_NAME_RE = new RegExp(`^[0-9]{${SEGMENT_NAME_DIGITS}}\\${SEGMENT_SUFFIX}$`);

/** `segmentFileName(7)` → `'00000000000000000007.seg'`. */
export function segmentFileName(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`Expected segment number to be a safe integer >= 0, got \`${n}\` (${typeof n})`);
  return String(n).padStart(SEGMENT_NAME_DIGITS, '0') + SEGMENT_SUFFIX;
}

/** The segment number of an exact 20-digit `.seg` name; anything else (including `.seg.tmp`) is undefined. */
export function parseSegmentFileName(name: string): number | undefined {
  if (!SEGMENT_NAME_RE.test(name)) return undefined;
  const n = Number(name.slice(0, SEGMENT_NAME_DIGITS));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** 'batch' mode's defaults: an fdatasync at most this long after a write, or once this many bytes are unsynced. */
export const DEFAULT_BATCH_MS = 50;
export const DEFAULT_BATCH_BYTES = 1024 * 1024;

/** Default time to wait for a lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
