/** sdnwal/sdn: the SDN text format on its own — parse, stringify, an editable document. */
import { parseText } from './parser.js';
import type { SdnObject } from './values.js';

export type { SdnObject, SdnScalar, SdnValue } from './values.js';
export { SdnParseError } from '../errors.js';
export { MAX_DEPTH } from './limits.js';

/**
 * Parses an SDN document into plain JS values (the JSON mapping: a document is an object, a
 * named table an array of objects, a typed table an array of arrays). Throws SdnParseError
 * (code SDN_PARSE, with offset, 1-based line/column and a caret excerpt) on anything it cannot read.
 */
export function parse(text: string): SdnObject {
  return parseText(text, false).value;
}

export {
  SdnStringifyError, formatInline, formatKey, formatScalar, formatTableHeader, formatTableRow, stringify,
} from './stringify.js';
export { SdnDocument, parseDocument } from './document.js';
export type { SdnPath } from './value-path.js';
export { checkPortable, type PortableFinding, type PortableRule } from './portable.js';
export { isPortableName } from './names.js';
