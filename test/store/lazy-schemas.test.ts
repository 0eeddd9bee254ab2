// The Simple schemas are built on first use (src/zod-lazy.ts), with zod loaded then: they must
// behave as the zod schemas they stand for, with the user's own zod too.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TodoSchema, simpleTables } from '../../src/index.js';

const row = { id: 1, keyword: 'TODO', area: 'a', priority: 'P1', description: '', file: 'f', line: 1, issue: '', blocked: '', status: 'open', valid: true };

describe('the Simple schemas, built on first use', () => {
  it('are zod schemas: instanceof, parse errors, shape', () => {
    expect(TodoSchema instanceof z.ZodObject).toBe(true);
    expect(TodoSchema instanceof z.ZodType).toBe(true);
    expect(typeof TodoSchema).toBe('object');
    expect(simpleTables.todo.schema).toBe(TodoSchema);
    expect(Object.keys(TodoSchema.shape)).toEqual(Object.keys(row));
    expect(TodoSchema.parse(row)).toEqual(row);
    let err: unknown;
    try {
      TodoSchema.parse({ ...row, id: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(z.ZodError);
    expect((err as z.ZodError).issues[0]).toMatchObject({ path: ['id'], message: 'Invalid input: expected number, received string' });
  });

  it('derive and compose with the caller\'s zod', async () => {
    expect(TodoSchema.extend({ x: z.string() }).safeParse({ ...row, x: 'y' }).success).toBe(true);
    expect(TodoSchema.extend({ x: z.string() }).safeParse(row).success).toBe(false);
    expect(TodoSchema.partial().safeParse({ id: 3 }).success).toBe(true);
    expect(TodoSchema.pick({ id: true }).safeParse({ id: 3 }).success).toBe(true);
    expect(z.object({ t: TodoSchema }).safeParse({ t: row }).success).toBe(true);
    expect(z.array(TodoSchema).safeParse([row, { ...row, id: -1 }]).success).toBe(false);
    expect(TodoSchema.keyof().options).toEqual(Object.keys(row));
    await expect(TodoSchema.parseAsync(row)).resolves.toEqual(row);
  });
});
