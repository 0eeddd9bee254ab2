// Contender: a bare frame log, the physical limit of this disk (writeSync + fdatasync, no lock, no header).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Packr } from 'msgpackr';
import { COLUMNS } from '../workload.mjs';

export const name = 'bare-log';
export const label = 'bare frame log';
export const durableMode = true; // fdatasync after every append
export const multiProcess = true; // O_APPEND: each small write lands whole at the end
export const canCompact = false;

const FRAME_HEADER = 8; // [u32 len][u32 masked crc32(payload)], little-endian
const packr = new Packr({ useRecords: false });
const VALUE_COLUMNS = COLUMNS.slice(1);

// LevelDB's CRC mask, so a CRC stored inside the data it covers does not check itself.
function mask(crc) {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function frame(records) {
  // The same entry shape the sdnwal log stores: one entry per call, rows of key + values.
  const rows = records.map((r) => ({ key: r.id, values: VALUE_COLUMNS.map((c) => r[c]) }));
  const payload = packr.pack({ operation: 'insert', rows, timestamp: Date.now() });
  const buf = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  buf.writeUInt32LE(payload.length, 0);
  buf.writeUInt32LE(mask(zlib.crc32(payload)), 4);
  payload.copy(buf, FRAME_HEADER);
  return buf;
}

/** Replay: read the whole log, check every frame's CRC, decode every payload, count rows. */
function replayCount(file) {
  if (!fs.existsSync(file)) return 0;
  const data = fs.readFileSync(file);
  let off = 0;
  let rows = 0;
  while (off + FRAME_HEADER <= data.length) {
    const len = data.readUInt32LE(off);
    if (len === 0 || off + FRAME_HEADER + len > data.length) break; // torn tail: stop, like any log reader
    const payload = data.subarray(off + FRAME_HEADER, off + FRAME_HEADER + len);
    if (mask(zlib.crc32(payload)) !== data.readUInt32LE(off + 4)) {
      throw new Error(`bare log: CRC mismatch at offset ${off} of ${file}`);
    }
    rows += packr.unpack(payload).rows.length;
    off += FRAME_HEADER + len;
  }
  return rows;
}

export async function open(dir, { durable }) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bare.log');
  const fd = fs.openSync(file, 'a');
  const append = (records) => {
    const buf = frame(records);
    fs.writeSync(fd, buf);
    if (durable) fs.fdatasyncSync(fd);
  };
  return {
    async put(record) {
      append([record]);
    },
    async putBatch(records) {
      append(records);
    },
    async count() {
      return replayCount(file);
    },
    async close() {
      fs.closeSync(fd);
    },
  };
}
