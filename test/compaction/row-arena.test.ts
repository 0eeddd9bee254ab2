import { describe, expect, it } from 'vitest';
import { RowArena } from '../../src/compaction/row-arena.js';

describe('RowArena', () => {
  it('gives back every line byte for byte: ASCII runs, multi-byte runs, lines longer than a block', () => {
    const a = new RowArena();
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      lines.push(i % 7000 === 0 ? 'é'.repeat(3_000_000) + '\n' : i % 3000 === 1 ? `ünï ${i} \u{1F600}\n` : `line ${i}\n`);
    }
    const ids = lines.map((l) => a.add(l));
    expect(ids).toEqual(lines.map((_, i) => i));
    for (const id of ids) {
      expect(a.length(id)).toBe(Buffer.byteLength(lines[id]!));
      if (a.bytes(id).toString('utf8') !== lines[id]) throw new Error(`line ${id} differs`);
    }
    const out = Buffer.alloc(64);
    expect(out.toString('utf8', 0, a.copyTo(5, out, 0, 1))).toBe('line 5');
  });
});
