// The documentation stands on its own in a clone: every relative link of README.md and docs/*.md
// resolves to a file of the repository (and, with a #anchor into a Markdown page, to one of its
// headings), docs/ links to files the npm package does not ship only where the text says they are
// in the repository, nothing cites the design notes that live outside the repository, and every
// "docs/protocol.md §n" citation names a section of docs/protocol.md.
// (test/readme.test.ts and test/store/docs.test.ts run the pages' examples; this checks their links.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const rel = (p: string): string => path.relative(root, p).split(path.sep).join('/');
const read = (p: string): string => fs.readFileSync(path.join(root, p), 'utf8');

const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
const pages = ['README.md', ...docs];

/** What package.json `files` ships (besides package.json itself). */
const shipped: string[] = (JSON.parse(read('package.json')) as { files: string[] }).files;
const isShipped = (p: string): boolean => p === 'package.json' || shipped.some((f) => p === f || p.startsWith(`${f}/`));


/** Markdown text without fenced code blocks and with inline code spans blanked out. */
function prose(md: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      lines.push('');
      continue;
    }
    lines.push(fenced ? '' : line.replace(/`+[^`]*`+/g, 'CODE'));
  }
  return lines;
}

interface Link {
  page: string;
  line: number;
  target: string;
  /** The paragraph the link is in (for the "in the repository" check). */
  paragraph: string;
}

function linksOf(page: string): Link[] {
  const lines = prose(read(page));
  const out: Link[] = [];
  lines.forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      let a = i;
      let b = i;
      while (a > 0 && lines[a - 1]!.trim() !== '') a--;
      while (b < lines.length - 1 && lines[b + 1]!.trim() !== '') b++;
      out.push({ page, line: i + 1, target: m[1]!, paragraph: lines.slice(a, b + 1).join(' ') });
    }
    for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/g)) {
      out.push({ page, line: i + 1, target: m[1]!, paragraph: text });
    }
  });
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const external = (t: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith('//');

describe('documentation links', () => {
  const links = pages.flatMap(linksOf);

  it('finds the pages and their links', () => {
    expect(docs).toContain('docs/protocol.md');
    expect(links.length).toBeGreaterThan(10);
  });

  it('every relative link resolves to a file in the repository, and every #anchor to a heading', () => {
    const broken: string[] = [];
    for (const l of links) {
      if (external(l.target)) continue;
      const [file = '', hash] = l.target.split('#', 2);
      const abs = file === '' ? path.join(root, l.page) : path.resolve(path.dirname(path.join(root, l.page)), decodeURIComponent(file));
      const where = `${l.page}:${l.line} → ${l.target}`;
      if (rel(abs).startsWith('..') || path.isAbsolute(rel(abs))) {
        broken.push(`${where}: outside the repository`);
        continue;
      }
      if (!fs.existsSync(abs)) {
        broken.push(`${where}: no such file`);
        continue;
      }
      if (hash !== undefined && abs.endsWith('.md') && !anchors(fs.readFileSync(abs, 'utf8')).has(decodeURIComponent(hash).toLowerCase())) {
        broken.push(`${where}: no heading with that anchor in ${rel(abs)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('docs/ links to files the package does not ship only where the text says they are in the repository', () => {
    const bad = links
      .filter((l) => l.page.startsWith('docs/') && !external(l.target))
      .filter((l) => {
        const file = l.target.split('#')[0]!;
        if (file === '') return false;
        const target = rel(path.resolve(path.dirname(path.join(root, l.page)), decodeURIComponent(file)));
        return !isShipped(target) && !/\brepository\b/i.test(l.paragraph);
      })
      .map((l) => `${l.page}:${l.line} → ${l.target}`);
    expect(bad).toEqual([]);
  });

  it('the link checks catch what they should', () => {
    const md = '# Top\n## 1. Files and locks\n## Reading, and what damage means\n## Top\n```\n# not a heading\n```\n';
    expect([...anchors(md)]).toEqual(['top', '1-files-and-locks', 'reading-and-what-damage-means', 'top-1']);
    const lines = prose('see [a](x.md) and `[b](y.md)`\n```\n[c](z.md)\n```\n');
    expect(lines.join('\n')).toContain('[a](x.md)');
    expect(lines.join('\n')).not.toContain('y.md');
    expect(lines.join('\n')).not.toContain('z.md');
  });
});

describe('the protocol is in the repository', () => {
  const files = [
    'README.md',
    ...docs,
    ...fs.readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => `src/${f.split(path.sep).join('/')}`).filter((f) => /\.(ts|mts|js|mjs|md)$/.test(f)),
  ];

  it('no file of src/, docs/ or README.md cites the design notes outside the repository', () => {
    const hits: string[] = [];
    for (const f of files) {
      read(f).split('\n').forEach((line, i) => {
        if (/\.\.\/shared|PROTOCOLS(\.md)?\b|DESIGN\.md/.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('docs/protocol.md has sections 1-12, and every "docs/protocol.md §n" citation names one of them', () => {
    const protocol = read('docs/protocol.md');
    const sections = [...protocol.matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1]));
    expect(sections).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const cited = [...files, ...['test', 'bench'].flatMap((d) =>
      fs.readdirSync(path.join(root, d), { recursive: true, encoding: 'utf8' }).map((f) => `${d}/${f.split(path.sep).join('/')}`).filter((f) => /\.(ts|mjs|md)$/.test(f)))];
    const wrong: string[] = [];
    let citations = 0;
    for (const f of cited) {
      for (const m of read(f).matchAll(/protocol\.md\)?\s*((?:§\d+(?:–§?\d+)?(?:,\s*|\s+and\s+)?)+)/g)) {
        for (const n of m[1]!.matchAll(/\d+/g)) {
          citations++;
          if (!sections.includes(Number(n[0]))) wrong.push(`${f}: ${m[0].trim()}`);
        }
      }
    }
    expect(citations).toBeGreaterThan(40);
    expect(wrong).toEqual([]);
  });
});
