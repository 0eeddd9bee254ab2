/**
 * zod, loaded on first use. It takes ~45 ms to load, more than the rest of a CLI command's
 * start-up, and most runs never need it: options and log entries pass a hand check first, and
 * only a value that fails it (or a table with a zod schema, or the Simple schemas) loads zod, to
 * name what is wrong with zod's own messages. Loaded with `require` because the callers are
 * synchronous; zod's classes recognise each other's instances across copies (by trait, not by
 * prototype), so a user's schema passes `instanceof` against this copy.
 */
import type * as Zod from 'zod';
import { lazyRequire } from './lazy-require.js';

export type ZodApi = typeof Zod.z;

const zodModule = lazyRequire<typeof Zod>('zod');

export function zod(): ZodApi {
  return zodModule().z;
}

/** `build()` run once, on the first call (a zod schema made when it is first needed). */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

/** True when `v` is a zod schema: what `v instanceof z.ZodType` answers, without loading zod. */
export function isZodSchema(v: unknown): boolean {
  return (v as { _zod?: { traits?: Set<string> } } | null | undefined)?._zod?.traits?.has('ZodType') === true;
}

/**
 * A zod schema exported as a value but built on first use: the object stands in for the schema
 * `build()` returns (methods, `shape`, `instanceof`, composing it into other schemas), and zod is
 * loaded when it is first touched, not when the module is imported.
 */
export function lazySchema<T extends object>(build: () => T): T {
  const real = once(build);
  return new Proxy({} as T, {
    // Methods are the schema's own (from its prototype); they run with the stand-in as `this` and reach the schema through it.
    get: (_, key) => Reflect.get(real(), key, real()),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    // Reported configurable: the stand-in itself has no properties a proxy must agree with.
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(real(), key);
      return d && { ...d, configurable: true };
    },
    defineProperty: (_, key, d) => Reflect.defineProperty(real(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
