import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonLineError, parseRecordLine, readLines } from '../../../src/cli/util/lines.js';

async function collect(chunks: (string | Buffer)[]): Promise<{ lineNo: number; text: string }[]> {
  const out = [];
  for await (const l of readLines(Readable.from(chunks))) out.push(l);
  return out;
}

describe('readLines', () => {
  it('splits across chunk boundaries, strips CR, keeps a last line without newline', async () => {
    const lines = await collect(['{"a":', '1}\r\n{"b"', ':2}\n\n', '{"c":3}']);
    expect(lines).toEqual([
      { lineNo: 1, text: '{"a":1}' },
      { lineNo: 2, text: '{"b":2}' },
      { lineNo: 3, text: '' },
      { lineNo: 4, text: '{"c":3}' },
    ]);
  });

  it('decodes a UTF-8 character split between two buffers', async () => {
    const bytes = Buffer.from('{"t":"é"}\n');
    const cut = bytes.indexOf(0xa9); // the second byte of é
    const lines = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(lines).toEqual([{ lineNo: 1, text: '{"t":"é"}' }]);
  });
});

describe('parseRecordLine', () => {
  it('skips blank lines and returns objects', () => {
    expect(parseRecordLine({ lineNo: 1, text: '   ' })).toBeUndefined();
    expect(parseRecordLine({ lineNo: 2, text: '{"id":"x"}' })).toEqual({ id: 'x' });
  });

  it('names the line of invalid JSON and of a non-object', () => {
    expect(() => parseRecordLine({ lineNo: 7, text: '{"id":' })).toThrow(NdjsonLineError);
    expect(() => parseRecordLine({ lineNo: 7, text: '{"id":' })).toThrow(/^line 7: invalid JSON/);
    expect(() => parseRecordLine({ lineNo: 3, text: '[1,2]' })).toThrow(/^line 3: expected a JSON object, got an array/);
    expect(() => parseRecordLine({ lineNo: 4, text: 'null' })).toThrow(/got null/);
  });
});
