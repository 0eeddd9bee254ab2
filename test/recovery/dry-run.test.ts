import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRecoveryReport, recover } from '../../src/recovery/index.js';
import { tmpDir } from '../helpers/tmp.js';
import { appendFrames, buildTable, hashTree } from './log-builder.js';

/** A store with one of everything recovery repairs. */
function damagedStore(): { dir: string; flipAt: number } {
  const dir = tmpDir();
  const a = buildTable(dir, 'alpha', [3]);
  fs.appendFileSync(a.segments[0]!.file, Buffer.alloc(50, 0xab)); // torn tail
  fs.writeFileSync(path.join(a.paths.wal, '00000000000000000002.seg.tmp'), 'x'); // unfinished segment
  fs.writeFileSync(path.join(a.paths.wal, 'README'), 'foreign');
  const b = buildTable(dir, 'beta', [2]);
  appendFrames(b.segments[0]!, [{ seal: 2 }]); // interrupted roll
  const c = buildTable(dir, 'gamma', [6]);
  const buf = fs.readFileSync(c.segments[0]!.file);
  const flipAt = c.segments[0]!.starts[2]! + 14;
  buf[flipAt]! ^= 1;
  fs.writeFileSync(c.segments[0]!.file, buf);
  return { dir, flipAt: c.segments[0]!.starts[2]! };
}

describe('recover --dry-run', () => {
  it('changes nothing on disk (every file hashed before and after) and creates no lock file', async () => {
    const { dir } = damagedStore();
    const before = hashTree(dir);
    for (const policy of ['tolerate-tail', 'strict', 'salvage'] as const) {
      const report = await recover(dir, { dryRun: true, policy });
      expect(report.dryRun).toBe(true);
      expect(hashTree(dir)).toEqual(before);
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('reports what the real run would do, and the real run does it', async () => {
    const { dir, flipAt } = damagedStore();
    const dry = await recover(dir, { dryRun: true, policy: 'salvage' });
    expect(dry.ok).toBe(true);
    const [alpha, beta, gamma] = dry.tables;
    expect(alpha).toMatchObject({ table: 'alpha', tempFilesRemoved: ['alpha.wal/00000000000000000002.seg.tmp'], foreign: ['alpha.wal/README'] });
    expect(alpha!.quarantined).toHaveLength(1);
    expect(beta).toMatchObject({ table: 'beta', rollFinished: true });
    expect(gamma!.salvaged.map((s) => s.offset)).toEqual([flipAt]);
    expect(formatRecoveryReport(dry)).toMatch(/dry run/);
    expect(alpha!.actions.join('\n')).toMatch(/would/);

    const real = await recover(dir, { policy: 'salvage' });
    expect(real.tables.map((t) => ({ q: t.quarantined.map((q) => [q.offset, q.length]), s: t.salvaged.map((q) => [q.offset, q.length]), r: t.rollFinished }))).toEqual(
      dry.tables.map((t) => ({ q: t.quarantined.map((q) => [q.offset, q.length]), s: t.salvaged.map((q) => [q.offset, q.length]), r: t.rollFinished })),
    );
    for (const t of real.tables) for (const q of [...t.quarantined, ...t.salvaged]) expect(fs.existsSync(q.file)).toBe(true);
    // The dry run ran the same steps with planned effects: it names the very files the real run wrote,
    // and says each action as a plan ("would delete", never "would deleted").
    const files = (r: typeof dry) => r.tables.map((t) => [...t.quarantined, ...t.salvaged].map((q) => q.file));
    expect(files(dry)).toEqual(files(real));
    const planned = dry.tables.flatMap((t) => t.actions).filter((a) => a.startsWith('would'));
    expect(planned.length).toBeGreaterThanOrEqual(4);
    for (const a of planned) expect(a).not.toMatch(/\bwould \w+(ed|wrote)\b/);
  });

  it('under the default policy a dry run reports the corruption per table instead of throwing', async () => {
    const { dir, flipAt } = damagedStore();
    const dry = await recover(dir, { dryRun: true });
    expect(dry.ok).toBe(false);
    expect(dry.tables[2]!.error).toMatchObject({ code: 'CORRUPT_LOG' });
    expect(dry.tables[2]!.error!.message).toContain(`offset ${flipAt}`);
    expect(formatRecoveryReport(dry)).toMatch(/FAILED/);
  });
});
