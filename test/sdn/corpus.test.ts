// The 24 real SDN files (test/fixtures/sdn/corpus; provenance in its README): 23 parse with real values, 1 fails at its line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SdnParseError } from '../../src/errors.js';
import { parse, type SdnObject, type SdnValue } from '../../src/sdn/index.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'sdn', 'corpus');
const INVALID = 'test__lib__std__fixtures__sdn__invalid__missing_colon.sdn';
const files = readdirSync(dir).filter((f) => f.endsWith('.sdn')).sort();
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const load = (name: string) => parse(read(name));
const rows = (v: SdnValue) => v as SdnObject[];

describe('corpus', () => {
  it('holds 24 files and the attribution README', () => {
    expect(files).toHaveLength(24);
    expect(read('README.md')).toContain('Apache License 2.0');
  });

  it.each(files.filter((f) => f !== INVALID))('%s parses', (name) => {
    expect(typeof load(name)).toBe('object');
  });

  it('missing_colon fails at line 2, column 6', () => {
    expect(() => load(INVALID)).toThrow(SdnParseError);
    try {
      load(INVALID);
    } catch (e) {
      expect((e as SdnParseError).line).toBe(2);
      expect((e as SdnParseError).column).toBe(6);
      expect((e as SdnParseError).code).toBe('SDN_PARSE');
    }
  });

  it('todo_db: 63 rows of 11 cells, quoted and bare cells, paths with ./', () => {
    const todos = rows(load('doc__todo__todo_db.sdn').todos);
    expect(todos).toHaveLength(63);
    for (const t of todos) expect(Object.keys(t)).toHaveLength(11);
    expect(todos[0]).toEqual({
      id: 0, keyword: 'TODO', area: 'parser', priority: 'P2', description: 'Add support for generic type aliases',
      file: 'src/compiler_rust/lib/std/src/core/array_ops.spl', line: 492, issue: '', blocked: '', status: 'open', valid: false,
    });
    expect(todos[59].file).toBe('./src/compiler_rust/runtime/src/value/net_tls.rs');
    expect(todos[60].description).toBe('build the real compiled WSS e2e driver \u2014 _ws_client.spl + socket round trip');
    expect(todos[62].valid).toBe(true);
  });

  it('feature_db: header-only table, multi-word cells, empty cells, # inside a word', () => {
    const db = load('doc__feature__feature_db.sdn');
    expect(db.strings).toEqual([]);
    const f = rows(db.features);
    expect(f).toHaveLength(20);
    expect(f[0].name).toBe('Cranelift Backend');
    expect(f[0].description).toBe('Cranelift-based code generation backend for AOT and JIT compilation. Provides fast compilation with good runtime performance.');
    expect(f[0].platforms).toBe('');
    expect(f[15].spec).toBe('doc/spec/async_default.md#promise-type');
    expect(f[19].description).toContain('Needs unification to eliminate 37% duplication.');
    expect(f[3].category).toBe('Testing Framework');
  });

  it('bootstrap: version and hashes stay strings', () => {
    const b = load('config__bootstrap.sdn').bootstrap as SdnObject;
    expect(b.version).toBe('1.0.0-beta.8');
    expect(b.stage2_hash).toBe('718fe35b4d36937744d7481b96cacd74e1905a54f1bcdf6ebd1f4d2da1d169a3');
    expect(b.stage3_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.source_revision).toBe('ed6f3a577f6ba627d7ced278fb3bdbf04c3757d0');
    expect(b.jobs).toBe(16);
    expect(b.verified).toBe(true);
  });

  it('theme: - item lists, including the word table', () => {
    const t = load('config__themes__theme.sdn');
    expect(t.required_widgets).toHaveLength(27);
    expect((t.required_widgets as string[])[4]).toBe('table');
    expect((t.required_icons as string[]).at(-1)).toBe('error');
    expect((t.aliases as SdnObject).glass_obsidian_light).toBe('aetheric_dark');
  });

  it('bug_db: 8 tables, then repeated record keys collected in file order, | text blocks', () => {
    const b = load('doc__bug__bug_db.sdn');
    expect(rows(b.bugs)).toHaveLength(7);
    // `notes` is a table and then a key of both records: all three collect, in file order.
    const notes = b.notes as SdnValue[];
    expect(notes).toHaveLength(3);
    expect(rows(notes[0])).toHaveLength(26);
    expect(notes[2]).toBe('Feature was never actually broken. Pure Simple parser has had full support\nsince it was written. No Rust changes ever needed.\n');
    expect(rows(b.bugs_active)[2].id).toBe('exec_manager_001');
    expect(rows(b.fixes)[6].description).toContain('lines 100,110,122');
    expect(b.id).toEqual(['BUG-042', 'BUG-043']);
    expect(b.created).toEqual(['2026-02-06', '2026-02-06']);
    expect(b.resolved).toBe('2026-02-06');
    expect(b.fixed).toBe('2026-02-06');
    expect(b.related_issues).toEqual([['BUG-043'], ['BUG-042']]);
    const [d1] = b.description as string[];
    expect(d1.startsWith('CLOSED: Pure Simple parser already fully supports `static assert` syntax.\n\nInvestigation')).toBe(true);
    expect(d1).toContain('\n  static assert condition    # identifier "assert" after keyword "static"\n');
    expect(d1.endsWith('Resolution: No fix needed - feature already works\n')).toBe(true);
  });

  it('test_db: 15 cells, JSON inside quoted cells, bare timestamp', () => {
    const t = rows(load('doc__test__test_db.sdn').tests)[0];
    expect(Object.keys(t)).toHaveLength(15);
    expect(t.last_run).toBe('2026-01-23T12:16:12.283350469+00:00');
    expect(JSON.parse(t.execution_history as string).last_10_runs).toEqual(['pass']);
  });

  it('knowledge_registry and minimal.ui: sequences of mappings, nested', () => {
    const k = load('doc__00_llm_process__knowledge_registry.sdn');
    expect(rows(k.layer_routes)).toHaveLength(10);
    expect(rows(k.feature_routes)[3].expert_path).toBe('doc/00_llm_process/feature_expert/gpu_frontend_offload/skill.md');
    expect((k.knowledge_registry as SdnObject).receipt).toBe('.spipe/<feature>/knowledge_selection.sdn');
    const ui = load('examples__ui__minimal.ui.sdn').layout as SdnObject;
    const kids = rows(ui.children);
    expect(kids[0].children).toEqual([{ type: 'text', id: 'greeting', content: 'Hello from Simple UI!' }]);
    expect(kids[1].left).toBe('{app.mode} MODE');
  });

  it('levels: [section] headers with k = v lines', () => {
    const l = load('examples__simple_game__game__data__levels.sdn');
    expect(Object.keys(l)).toHaveLength(10);
    expect(l.level_10).toMatchObject({ id: 10, name: 'Twin Guardians', time_limit: 120, available_orbs: [0, 1, 2, 3, 5, 6, 7] });
  });

  it('artifacts: a dotted key holding k="v" pairs', () => {
    expect(load('dotexp__runs__000200740438__artifacts.sdn')).toEqual({
      artifacts: { 'results.sdn': { hash: 'sha256:9fbe2acf98479d882470842b7e236c771e32c8f82c735e33eb0f9043a83d8b92', kind: 'data', time: '1770000200743923' } },
    });
  });

  it('prose values, paths, quoted-only files and primitives keep every character', () => {
    const ps = load('doc__08_tracking__os__production_status.sdn').production_status as Record<string, SdnObject>;
    expect(Object.keys(ps)).toHaveLength(21);
    expect(ps.tty.owner).toBe('os.kernel tty paths');
    expect(ps.vfs.note).toContain('(8 mounts[0] bypasses removed in services/vfs + LLM dispatch)');
    expect(load('config__baremetal__default.sdn').serial).toMatchObject({ port: '/dev/ttyUSB0', baud_rate: 115200 });
    expect((load('config__baremetal__default.sdn').options as SdnObject).line_ending).toBe('\n');
    expect(load('dotexp__runs__000200740438__meta.sdn')).toMatchObject({ run_id: '000200740438', hostname: 'nil', tags: '' });
    expect(load('examples__simple_aidev__data__task_queue.sdn')).toEqual({ tasks: null, next_id: 1 });
    expect(load('test__01_unit__common__ui__input_event_conformance__key_press_enter.sdn')).toEqual({
      name: 'key_press_enter', description: 'Pressing Enter produces UIEvent.KeyPress("enter")', phase: 1, backend: 'ui.none', expected: ['KeyPress|enter'],
    });
    const p = load('test__lib__std__fixtures__sdn__primitives.sdn');
    expect(p).toMatchObject({ int_with_underscores: 1_000_000, float_scientific: 1.23e-4, float_scientific_positive: 6.022e23, string_unicode: 'Hello 世界 🌍', null_value: null });
    expect((load('config__simple.test.sdn').coverage as SdnObject).html_title).toBe('Simple Test Coverage');
    expect(rows(load('config__check__must_check_gates.sdn').must_check_gates).length).toBeGreaterThan(60);
    expect(rows(load('doc__test__sdoctest_db.sdn').sdoctest_runs)[0].run_id).toBe(1771390680772951);
    expect((load('config__host__host_config.sdn').host_config as SdnObject)).toEqual({ schema: 'simple-host-config-v1' });
  });
});
