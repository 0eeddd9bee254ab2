// bench/startup.mjs's report: the start-up section of results.md and its goals (no timings are asserted).
import { describe, expect, it } from 'vitest';
import { STARTUP_HEADING, type StartupResult, startupSection, withStartupSection } from '../../bench/report-md.mjs';

const run = (countMs: number, importMs: number): StartupResult => ({
  status: 'ok',
  runs: 10,
  rows: 10_000,
  logRows: 1_000,
  nodeMs: 60,
  countMs,
  countLoggedMs: countMs + 50,
  importMs,
  countVsNode: countMs / 60,
  countLoggedVsNode: (countMs + 50) / 60,
  goals: { countVsNode: 1.5, importMs: 80 },
  loadAverage: '0.5, 0.4, 0.3',
  date: '2026-12-03T19:00:00.000Z',
});

describe('the start-up section', () => {
  it('says whether each goal is reached', () => {
    const met = startupSection(run(85, 70));
    expect(met).toMatch(/\| `sdnwal count`, compacted table \| 85\.0 ms \| 1\.42× \| ≤ 1\.5× \| reached \|/);
    expect(met).toMatch(/\| `import\('sdnwal'\)` \| 70\.0 ms \| \| ≤ 80 ms \| reached \|/);
    const missed = startupSection(run(120, 95));
    expect(missed.match(/missed/g)).toHaveLength(2);
    expect(startupSection(null)).toBe('Not run (--skip-startup).');
    expect(startupSection({ status: 'failed', error: 'boom' })).toBe('Not measured: boom.');
  });

  it('replaces the section of a results.md in place, or puts it before the goals', () => {
    const md = "# sdnwal benchmarks\n\n## SDN vs JSON\n\ntext\n\n## sdnwal's goals (issues 8 and 13)\n\ngoals\n";
    const once = withStartupSection(md, 'first');
    expect(once).toBe("# sdnwal benchmarks\n\n## SDN vs JSON\n\ntext\n\n" + `${STARTUP_HEADING}\n\nfirst\n\n` + "## sdnwal's goals (issues 8 and 13)\n\ngoals\n");
    expect(withStartupSection(once, 'second')).toBe(once.replace('first', 'second'));
    expect(withStartupSection('# x\n', 'only')).toBe(`# x\n\n${STARTUP_HEADING}\n\nonly\n`);
  });
});
