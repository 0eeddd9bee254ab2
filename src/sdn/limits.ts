/** The nesting limit the SDN reader and writer share, so that whatever the writer writes the reader reads back. */

/**
 * The deepest nesting of collections (dicts, arrays, tuples, tables and their rows) an SDN
 * document may hold. Levels count from the document, which is level 0: a collection that is
 * the value of a top-level entry (or a `[section]`) is level 1, and each collection inside a
 * collection is one level deeper, however it is written — an indented block, inline brackets,
 * a named or typed table (the table is one level, each of its rows the next). So in
 * `t |id, v|` + `    1, [[2]]` the table is level 1, the row 2, `[[2]]` levels 3 and 4.
 *
 * The parser refuses deeper text (SDN_PARSE, "nesting too deep"), and the writer refuses
 * deeper values (SDN_STRINGIFY) instead of writing text the parser would refuse. The array
 * that collects the values of a repeated key is not written in the text and is not counted.
 */
export const MAX_DEPTH = 500;

/** The reason the parser and the writer give for a collection deeper than MAX_DEPTH. */
export const TOO_DEEP = `nesting too deep (more than ${MAX_DEPTH} levels)`;
