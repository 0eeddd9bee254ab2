/** Reading NDJSON from a stream line by line, with backpressure (the next chunk is read only when asked for). */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface Line {
  /** 1-based line number in the input. */
  lineNo: number;
  text: string;
}

/** Every line of `input` (LF or CRLF), the last one even without a final newline. */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  for await (const chunk of input) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const text = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      yield { lineNo: ++lineNo, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    }
  }
  rest += decoder.end();
  if (rest.length > 0) yield { lineNo: ++lineNo, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest };
}

/** A line that is not a JSON object. */
export class NdjsonLineError extends Error {
  constructor(
    readonly lineNo: number,
    readonly reason: string,
  ) {
    super(`line ${lineNo}: ${reason}`);
    this.name = 'NdjsonLineError';
  }
}

/** Parse one NDJSON line into a record (a JSON object); blank lines give undefined. */
export function parseRecordLine(line: Line): Record<string, unknown> | undefined {
  if (line.text.trim() === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line.text);
  } catch (err) {
    throw new NdjsonLineError(line.lineNo, `invalid JSON (${(err as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new NdjsonLineError(line.lineNo, `expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  return v as Record<string, unknown>;
}
