/**
 * Record schemas of the Simple project's tracking databases (doc/todo/todo_db.sdn,
 * doc/feature/feature_db.sdn, doc/08_tracking/task/task_db.sdn), so those files open as typed
 * tables in one line: `store.table('todo_db', simpleTables.todo)`.
 *
 * Value types follow the files as SDN reads them: todo and feature ids are numbers, `line` is a
 * number, `valid` a boolean, and an empty cell reads as "" (so optional text columns are strings
 * that may be empty, never null). Columns are listed in file order: a table adopted from one of
 * these files must have exactly these columns, in this order.
 *
 * The schemas are zod schemas built on first use (importing sdnwal does not load zod).
 */
import type { z } from 'zod';
import { lazySchema, zod } from '../zod-lazy.js';

/** A column that names something (an area, a status): a non-empty string. */
const word = () => zod().string().min(1);
/** Free text or a cell the files leave empty (""). */
const text = () => zod().string();
/** Numeric ids as the todo and feature files write them (`0`, `100`). */
const numericId = () => zod().number().int().nonnegative();

export const TODO_COLUMNS = ['id', 'keyword', 'area', 'priority', 'description', 'file', 'line', 'issue', 'blocked', 'status', 'valid'] as const;

/** A row of `todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|`. */
export const TodoSchema = lazySchema(() =>
  zod().object({
    id: numericId(),
    /** TODO, FIXME, ... */
    keyword: word(),
    area: word(),
    /** P0 ... P3 in the seed file. */
    priority: word(),
    description: text(),
    /** Source path the marker was found in. */
    file: text(),
    /** 1-based source line. */
    line: zod().number().int().nonnegative(),
    /** Linked issue, "" when none. */
    issue: text(),
    /** What blocks it, "" when nothing. */
    blocked: text(),
    status: word(),
    valid: zod().boolean(),
  }),
);
export type Todo = z.infer<typeof TodoSchema>;

export const FEATURE_COLUMNS = [
  'id',
  'category',
  'name',
  'description',
  'spec',
  'mode_interpreter',
  'mode_jit',
  'mode_smf_cranelift',
  'mode_smf_llvm',
  'platforms',
  'status',
  'valid',
] as const;

/** A row of `features |id, category, name, description, spec, mode_*, platforms, status, valid|`. */
export const FeatureSchema = lazySchema(() =>
  zod().object({
    id: numericId(),
    category: word(),
    name: word(),
    description: text(),
    /** Path of the spec document, "" when none. */
    spec: text(),
    /** Support per execution mode: "supported", ... */
    mode_interpreter: text(),
    mode_jit: text(),
    mode_smf_cranelift: text(),
    mode_smf_llvm: text(),
    /** "" in the seed file: every platform. */
    platforms: text(),
    status: word(),
    valid: zod().boolean(),
  }),
);
export type Feature = z.infer<typeof FeatureSchema>;

export const TASK_COLUMNS = ['id', 'category', 'name', 'description', 'priority', 'status', 'valid'] as const;

/** A row of `tasks |id, category, name, description, priority, status, valid|`; task ids are words (`TRACK-001`). */
export const TaskSchema = lazySchema(() =>
  zod().object({
    id: word(),
    category: word(),
    name: word(),
    description: text(),
    priority: word(),
    status: word(),
    valid: zod().boolean(),
  }),
);
export type Task = z.infer<typeof TaskSchema>;

/** Table options for each record type: key, columns and schema, ready for `store.table(name, ...)`. */
export const simpleTables = {
  todo: { key: 'id', columns: TODO_COLUMNS, schema: TodoSchema },
  feature: { key: 'id', columns: FEATURE_COLUMNS, schema: FeatureSchema },
  task: { key: 'id', columns: TASK_COLUMNS, schema: TaskSchema },
} as const;
