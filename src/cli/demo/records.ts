/** The demo's TODO records (the Simple project's todo table shape), derived from (scanner, n) so the parent can check every one. */

export const DEMO_TABLE = 'todos';
export const DEMO_COLUMNS = ['id', 'keyword', 'area', 'priority', 'description', 'file', 'line', 'status'] as const;

export interface TodoRecord {
  id: string;
  keyword: string;
  area: string;
  priority: string;
  description: string;
  file: string;
  line: number;
  status: string;
  [column: string]: unknown;
}

const KEYWORDS = ['TODO', 'FIXME', 'HACK', 'XXX', 'NOTE'];
const AREAS = ['parser', 'lexer', 'codegen', 'runtime', 'stdlib', 'cli', 'docs'];
const PRIORITIES = ['P0', 'P1', 'P2', 'P3'];
/** Texts with commas, quotes and a backslash, so the snapshot's quoting is exercised. */
const TEXTS = ['Handle "unterminated" strings, report the line', 'Add feature X', 'Fix off-by-one in range: a..b', 'Support C:\\paths on Windows', 'Remove the # comment hack'];

export function demoId(scanner: number, n: number): string {
  return `s${scanner}-${n}`;
}

export function demoRecord(scanner: number, n: number): TodoRecord {
  const area = AREAS[(scanner + n) % AREAS.length]!;
  return {
    id: demoId(scanner, n),
    keyword: KEYWORDS[n % KEYWORDS.length]!,
    area,
    priority: PRIORITIES[(n * 7 + scanner) % PRIORITIES.length]!,
    description: `${TEXTS[n % TEXTS.length]!} (${n})`,
    file: `src/compiler/${area}/mod_${n % 37}.spl`,
    line: ((n * 31) % 900) + 1,
    status: 'open',
  };
}

/** Parse an id back to (scanner, n), or undefined if it is not one of ours. */
export function parseDemoId(id: string): { scanner: number; n: number } | undefined {
  const m = /^s(\d+)-(\d+)$/.exec(id);
  return m ? { scanner: Number(m[1]), n: Number(m[2]) } : undefined;
}
