/** JSON text for `to-json` and `get --json`, like JSON.stringify but with BigInt written as an exact number. */

/**
 * Formats `value` as JSON: `indent` spaces per level (JSON.stringify's layout), or one line
 * with 0. JSON.stringify throws on a BigInt; an integer too big for a double is written here
 * with all its digits, so nothing is rounded on the way out.
 */
export function toJsonText(value: unknown, indent = 2): string {
  return write(value, indent, '');
}

function write(value: unknown, indent: number, pad: string): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const open = indent > 0 ? `\n${inner}` : '';
  const sep = indent > 0 ? `,\n${inner}` : ',';
  const close = indent > 0 ? `\n${pad}` : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => write(v, indent, inner)).join(sep)}${close}]`;
  }
  const colon = indent > 0 ? ': ' : ':';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Same as JSON.stringify: undefined and functions are not JSON values, the key is left out.
    if (v === undefined || typeof v === 'function') continue;
    parts.push(`${JSON.stringify(k)}${colon}${write(v, indent, inner)}`);
  }
  if (parts.length === 0) return '{}';
  return `{${open}${parts.join(sep)}${close}}`;
}
