import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FEATURE_COLUMNS, FeatureSchema, openStore, simpleTables, TASK_COLUMNS, TaskSchema, type Todo, TODO_COLUMNS, TodoSchema } from '../../src/index.js';
import { parse } from '../../src/sdn/index.js';
import { tmpDir } from '../helpers/tmp.js';

// Verbatim copies of files of test/fixtures/sdn/corpus (see its README for provenance and license).
const corpus = path.resolve(import.meta.dirname, '../fixtures/sdn/corpus');
const files = {
  todo: { file: 'doc__todo__todo_db.sdn', section: 'todos', schema: TodoSchema, columns: TODO_COLUMNS, rows: 63 },
  feature: { file: 'doc__feature__feature_db.sdn', section: 'features', schema: FeatureSchema, columns: FEATURE_COLUMNS, rows: 20 },
  task: { file: 'doc__08_tracking__task__task_db.sdn', section: 'tasks', schema: TaskSchema, columns: TASK_COLUMNS, rows: 1 },
} as const;

function rowsOf(kind: keyof typeof files): Record<string, unknown>[] {
  const f = files[kind];
  return (parse(fs.readFileSync(path.join(corpus, f.file), 'utf8')) as Record<string, unknown>)[f.section] as Record<string, unknown>[];
}

describe("the Simple project's record schemas", () => {
  for (const kind of ['todo', 'feature', 'task'] as const) {
    it(`${kind}: every row of ${files[kind].file} passes, and the columns are the file's, in order`, () => {
      const rows = rowsOf(kind);
      expect(rows).toHaveLength(files[kind].rows);
      for (const row of rows) {
        expect(Object.keys(row)).toEqual([...files[kind].columns]);
        const r = files[kind].schema.safeParse(row);
        expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      }
    });
  }

  it('value types as the files have them: numeric ids and lines, boolean valid, "" for empty cells', () => {
    const todo = rowsOf('todo')[0]!;
    expect(TodoSchema.safeParse({ ...todo, id: 't1' }).success).toBe(false);
    expect(TodoSchema.safeParse({ ...todo, line: '492' }).success).toBe(false);
    expect(TodoSchema.safeParse({ ...todo, line: 1.5 }).success).toBe(false);
    expect(TodoSchema.safeParse({ ...todo, valid: 'false' }).success).toBe(false);
    expect(TodoSchema.safeParse({ ...todo, issue: null }).success).toBe(false);
    expect(TodoSchema.safeParse({ ...todo, issue: '' }).success).toBe(true);
    expect(TodoSchema.safeParse({ ...todo, status: '' }).success).toBe(false);
    const { file: _file, ...noFile } = todo;
    expect(TodoSchema.safeParse(noFile).success).toBe(false);
    expect(FeatureSchema.safeParse({ ...rowsOf('feature')[0]!, platforms: '' }).success).toBe(true);
    expect(TaskSchema.safeParse({ ...rowsOf('task')[0]!, id: 1 }).success).toBe(false);
  });

  it('opens the seed files as typed tables in one line each, and checks new records against the schema', async () => {
    const dir = tmpDir();
    for (const [name, kind] of [['todo_db', 'todo'], ['feature_db', 'feature'], ['task_db', 'task']] as const) {
      fs.copyFileSync(path.join(corpus, files[kind].file), path.join(dir, `${name}.sdn`));
    }
    const store = await openStore(dir);
    const todos = await store.table('todo_db', simpleTables.todo);
    const features = await store.table('feature_db', simpleTables.feature);
    const tasks = await store.table('task_db', simpleTables.task);
    expectTypeOf(todos.get).returns.resolves.toEqualTypeOf<Todo | undefined>();
    expect(await todos.count()).toBe(63);
    expect(await features.count()).toBe(20);
    expect(await tasks.get('TRACK-001')).toMatchObject({ status: 'in_progress', valid: true });
    expect(await todos.get(62)).toMatchObject({ id: 62, line: 3, issue: '', valid: true });

    const next: Todo = { id: 63, keyword: 'FIXME', area: 'store', priority: 'P1', description: 'watch the log', file: 'src/store/watch.ts', line: 1, issue: '', blocked: '', status: 'open', valid: true };
    await todos.insert(next);
    await expect(todos.insert({ ...next, id: 64, line: '1' } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await expect(todos.update({ id: 63, valid: 'yes' } as never)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await todos.update({ id: 63, status: 'done' });
    await todos.compact();
    await features.compact();
    await store.close();

    const again = await openStore(dir);
    const reopened = await again.table('todo_db', simpleTables.todo);
    expect(await reopened.get(63)).toEqual({ ...next, status: 'done' });
    expect(reopened.columns).toEqual([...TODO_COLUMNS]);
    // The feature file's other table (`strings`) is kept through compaction.
    expect(fs.readFileSync(path.join(dir, 'feature_db.sdn'), 'utf8')).toMatch(/^strings \|id, value\|$/m);
    await again.close();
  });
});
