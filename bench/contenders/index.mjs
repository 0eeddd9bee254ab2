// The contenders in the order they run; the bare log first, as every ratio is taken against it.
export const CONTENDERS = ['bare-log', 'sdnwal', 'better-sqlite3', 'classic-level', 'nedb'];

/** Loads one contender's adapter module by name. */
export async function loadContender(name) {
  if (!CONTENDERS.includes(name)) throw new Error(`unknown contender ${name}; known: ${CONTENDERS.join(', ')}`);
  return import(`./${name}.mjs`);
}
