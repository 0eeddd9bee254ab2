// Device flush counts from /proc/diskstats for the disk under a directory (Linux ≥ 4.18), else null.
import fs from 'node:fs';

// /proc/diskstats: major minor name, then 17 counters; the 16th counter is "flush requests completed".
const FLUSHES_FIELD = 2 + 16;

/** The /proc/diskstats fields of the block device holding `dir`, or null (no procfs, tmpfs, overlay...). */
function deviceFields(dir) {
  let text;
  try {
    text = fs.readFileSync('/proc/diskstats', 'utf8');
  } catch {
    return null;
  }
  const dev = fs.statSync(dir).dev;
  // Linux's new_encode_dev layout: minor's low byte | major << 8 | minor's high bits << 12.
  const major = (dev >> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (Number(f[0]) === major && Number(f[1]) === minor) return f;
  }
  return null;
}

/** The device's completed flush requests so far; null where the kernel does not expose them. */
export function flushCount(dir) {
  const f = deviceFields(dir);
  return f && f.length > FLUSHES_FIELD ? Number(f[FLUSHES_FIELD]) : null;
}

/** The device name for the report (e.g. "vda"), or null. */
export function deviceName(dir) {
  return deviceFields(dir)?.[2] ?? null;
}
