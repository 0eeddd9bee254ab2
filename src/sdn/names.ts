/**
 * The portable name rule (docs/sdn.md, "Portable output"): the names both sdnwal's reader and the
 * Simple language's own SDN parser read as the same bare word. The writer prints such names bare
 * and quotes every other name, which only sdnwal's reader takes.
 */

/** A letter or `_`, then letters, digits, `_ . - /` (the SDN spec's bare word, without its `:`). */
export const PORTABLE_NAME = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

/** Words Simple's lexer reads as keywords, never as names. */
export const NAME_KEYWORDS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'nil', 'table']);

/** True when `name` is written bare and read by Simple's parser as the same name. */
export function isPortableName(name: string): boolean {
  return PORTABLE_NAME.test(name) && !NAME_KEYWORDS.has(name);
}

/** Why `name` is not portable (a phrase to put after the name in a message), or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (NAME_KEYWORDS.has(name)) return `is a keyword of Simple's SDN parser (${[...NAME_KEYWORDS].join(', ')})`;
  if (PORTABLE_NAME.test(name)) return undefined;
  if (name === '') return 'is empty';
  return "must start with a letter or '_' and hold only letters, digits, '_', '.', '-' or '/'";
}
