/**
 * Simulated power loss through the I/O seam (test/helpers/faulty-io.ts) at every mutating call
 * of a run that appends, rolls segments, compacts (snapshot swap) and deletes absorbed segments:
 * after the cut, the disk keeps what was synced plus a random subset of unsynced pages, and
 * directory changes not followed by a directory fsync are undone. Recovery must then open the
 * store with every acknowledged write present exactly as acknowledged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { realIO, setIO } from '../../src/io.js';
import { recover } from '../../src/recovery/index.js';
import { openStore } from '../../src/store/store.js';
import { FileLock } from '../../src/wal/lock.js';
import { tablePaths } from '../../src/wal/paths.js';
import { FaultyIO } from '../helpers/faulty-io.js';
import { tmpDir } from '../helpers/tmp.js';

afterEach(() => setIO(realIO));

const TEXT = 'x'.repeat(700); // ~6 frames per 4 KiB segment: rolls come quickly
const value = (id: string) => ({ id, text: `${id} ${TEXT}` });

/** The workload; `acked` gets each id whose insert resolved. Stops at the first failure (the machine died). */
async function workload(dir: string, acked: string[]): Promise<void> {
  const store = await openStore(dir, { sync: 'always', segmentBytes: 4096 });
  const t = await store.table('todos', { key: 'id' });
  const put = async (id: string) => {
    await t.insert(value(id));
    acked.push(id);
  };
  for (let i = 0; i < 8; i++) await put(`a${i}`);
  await t.compact();
  for (let i = 0; i < 6; i++) await put(`b${i}`);
  await Promise.all([put('c0'), put('c1'), put('c2')]); // one batch, one fdatasync
  await t.compact(); // deletes the segments the first snapshot absorbed
  await put('d0');
}

async function freshStore(): Promise<string> {
  const dir = tmpDir('sdnwal-power-');
  const store = await openStore(dir, { sync: 'always' });
  await store.table('todos', { key: 'id' });
  await store.close();
  return dir;
}

function forgetLocks(dir: string): void {
  const p = tablePaths(dir, 'todos');
  FileLock.for(p.lock).close();
  FileLock.for(p.compactLock).close();
}

describe('power loss at every step of append, roll, snapshot swap and segment deletion', () => {
  it('acknowledged writes survive every cut', async () => {
    // Count the mutating calls of a whole run.
    const probeDir = await freshStore();
    const probe = new FaultyIO();
    probe.track(probeDir);
    setIO(probe);
    const all: string[] = [];
    await workload(probeDir, all);
    setIO(realIO);
    forgetLocks(probeDir);
    const total = probe.ops;
    expect(all).toHaveLength(18);
    expect(total).toBeGreaterThan(50);

    let cuts = 0;
    for (let cut = 0; cut <= total; cut++) {
      const dir = await freshStore();
      const faulty = new FaultyIO();
      faulty.track(dir);
      faulty.cutAfter = cut;
      setIO(faulty);
      const acked: string[] = [];
      await workload(dir, acked).catch(() => undefined);
      faulty.powerLoss(cut + 1);
      setIO(realIO);
      forgetLocks(dir);
      // After the reboot: the full sequence (the control record is from the old boot).
      await recover(dir);
      const store = await openStore(dir);
      const rows = new Map((await (await store.table('todos')).all()).map((r) => [String(r.id), r]));
      for (const id of acked) expect(rows.get(id), `cut ${cut}: acknowledged ${id} lost`).toEqual(value(id));
      for (const [id, r] of rows) {
        expect(all, `cut ${cut}: ${id} was never written`).toContain(id);
        expect(r).toEqual(value(id));
      }
      await store.close();
      forgetLocks(dir);
      cuts++;
    }
    expect(cuts).toBe(total + 1);
  }, 300_000);
});
