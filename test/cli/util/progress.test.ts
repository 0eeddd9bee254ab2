import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/cli/util/progress.js';

function setup(tty: boolean) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += c));
  let t = 0;
  const p = createProgress({ stream, tty, label: 'append t', unit: 'records', intervalMs: 2000, redrawMs: 100, now: () => t });
  return { p, out: () => text, at: (ms: number) => (t = ms) };
}

describe('progress', () => {
  it('prints nothing for a short run', () => {
    const s = setup(false);
    s.at(500);
    s.p.update(10);
    s.at(1900);
    s.p.update(20);
    s.p.finish();
    expect(s.out()).toBe('');
  });

  it('prints a plain line every interval when not a terminal, and a final line', () => {
    const s = setup(false);
    s.at(2000);
    s.p.update(1000);
    s.at(2500);
    s.p.update(1200); // within the interval: no line
    s.at(4000);
    s.p.update(2000);
    s.p.finish();
    const lines = s.out().trimEnd().split('\n');
    expect(lines).toEqual(['append t: 1000 records (500/s)', 'append t: 2000 records (500/s)', 'append t: 2000 records (500/s) done']);
  });

  it('redraws a bar in place on a terminal and clears it at the end', () => {
    const s = setup(true);
    s.at(2000);
    s.p.update(50, 100);
    s.at(2050);
    s.p.update(60, 100); // within the redraw interval
    s.at(2200);
    s.p.update(100, 100);
    s.p.finish();
    const draws = s.out().split('\r\x1b[K').filter(Boolean);
    expect(draws).toHaveLength(2);
    expect(draws[0]).toMatch(/^\[#{15}-{15}\] append t: 50\/100 records/);
    expect(draws[1]).toMatch(/^\[#{30}\] append t: 100\/100 records/);
    expect(s.out().endsWith('\r\x1b[K')).toBe(true);
    expect(s.out()).not.toContain('\n');
  });
});
