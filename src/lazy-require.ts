/**
 * A module loaded on its first use, for what most processes never need (start-up,
 * docs/architecture.md): zod, msgpackr, node:crypto. `require`, because the callers are
 * synchronous; resolved from the package, so it works from dist/ and from the bundled CLI alike.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(id) as T);
}
