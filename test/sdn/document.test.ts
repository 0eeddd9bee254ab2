// The editable document: byte-for-byte identity, toJS === parse, and line-narrow edits that keep comments.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from '../../src/sdn/index.js';

const corpus = join(import.meta.dirname, '..', 'fixtures', 'sdn', 'corpus');
const valid = readdirSync(corpus).filter((f) => f.endsWith('.sdn') && !f.includes('missing_colon')).sort();
const read = (f: string) => readFileSync(join(corpus, f), 'utf8');

describe('parseDocument on the corpus', () => {
  it.each(valid)('%s: toString() is the input, toJS() is parse()', (f) => {
    const text = read(f);
    const doc = parseDocument(text);
    expect(doc.toString()).toBe(text);
    expect(doc.toJS()).toEqual(parse(text));
  });
  it('property: toString() === text for every corpus file', () => {
    fc.assert(fc.property(fc.constantFrom(...valid), (f) => parseDocument(read(f)).toString() === read(f)));
  });
});

const CONFIG = `# config
server:
    host: localhost   # the host
    port: 8080
ssh:
    user: ""
tags = [a, b]   # inline
todos |id, title|
    1, first
    2, "second one"
list:
    - x
    - y
`;

describe('edits', () => {
  it('set on a scalar keeps the trailing comment and every other byte', () => {
    const doc = parseDocument(CONFIG);
    doc.set('server.host', 'example.com');
    expect(doc.toString()).toBe(CONFIG.replace('host: localhost   #', 'host: "example.com"   #'));
    doc.set(['server', 'port'], 9090);
    expect(doc.get('server.port')).toBe(9090);
    expect(doc.toString()).toContain('# config\n');
  });

  it('set inside an inline array rewrites only that value', () => {
    const doc = parseDocument(CONFIG);
    doc.set('tags.1', 'z');
    expect(doc.toString()).toBe(CONFIG.replace('tags = [a, b]', 'tags = ["a", "z"]'));
  });

  it('edits table rows and cells by index and column', () => {
    const doc = parseDocument(CONFIG);
    doc.set('todos.1.title', 'changed');
    expect(doc.toString()).toBe(CONFIG.replace('    2, "second one"\n', '    2, "changed"\n'));
    doc.push('todos', { id: 3, title: 'third' });
    expect(doc.toString()).toContain('    2, "changed"\n    3, "third"\nlist:');
    doc.delete('todos.0');
    expect(doc.get('todos')).toEqual([{ id: 2, title: 'changed' }, { id: 3, title: 'third' }]);
    expect(() => doc.push('todos', { id: 4 })).toThrow(TypeError);
  });

  it('adds new keys at the end of their block, creating nested dicts', () => {
    const doc = parseDocument(CONFIG);
    doc.set('server.timeout', 30);
    expect(doc.toString()).toContain('    port: 8080\n    timeout: 30\nssh:');
    doc.set('new.deep.key', true);
    expect(doc.toString().endsWith('new:\n    deep:\n        key: true\n')).toBe(true);
    expect(doc.toJS()).toEqual(parse(doc.toString()));
  });

  it('deletes entries and list items, and an emptied block becomes an empty collection', () => {
    const doc = parseDocument(CONFIG);
    expect(doc.delete('server.host')).toBe(true);
    expect(doc.toString()).not.toContain('the host');
    expect(doc.delete('missing.key')).toBe(false);
    doc.delete('ssh.user');
    expect(doc.get('ssh')).toEqual({});
    doc.delete('list.0');
    expect(doc.get('list')).toEqual(['y']);
    doc.push('list', 'w');
    expect(doc.toString()).toContain('list:\n    - y\n    - "w"\n');
  });

  it('replaces a block with a block and a scalar with a dict', () => {
    const doc = parseDocument(CONFIG);
    doc.set('server', { host: 'h' });
    expect(doc.toString().startsWith('# config\nserver:\n    host: "h"\nssh:')).toBe(true);
    doc.set('ssh.user', { name: 'u' });
    expect(doc.get('ssh.user')).toEqual({ name: 'u' });
  });

  it('edits sequences of mappings and sections, keeping CRLF', () => {
    const ui = parseDocument(read('examples__ui__minimal.ui.sdn'));
    ui.set('layout.children.0.title', 'Bye');
    ui.set('layout.children.1.id', 'bar');
    ui.set('layout.children.0.children.0', { type: 'text', id: 'x' });
    expect(ui.get('layout.children.0.title')).toBe('Bye');
    expect(ui.get('layout.children.1')).toEqual({ type: 'statusbar', id: 'bar', left: '{app.mode} MODE', right: '{app.title}' });
    expect(ui.get('layout.children.0.children')).toEqual([{ type: 'text', id: 'x' }]);
    const levels = parseDocument(read('examples__simple_game__game__data__levels.sdn'));
    levels.set('level_2.star_1', 900);
    levels.set('title', 'Siege');
    expect(levels.toString()).toContain('[level_2]\nid = 2\nname = "Double Trouble"\ndescription = "Deal with multiple structures."\nstar_1 = 900\n');
    expect(levels.get('title')).toBe('Siege');
    expect(levels.get('level_10.title')).toBeUndefined();
    const crlf = parseDocument('a: 1\r\nb:\r\n  c: 2\r\n');
    crlf.set('b.d', 3);
    expect(crlf.toString()).toBe('a: 1\r\nb:\r\n  c: 2\r\n  d: 3\r\n');
  });

  it('addresses one occurrence of a repeated key by index', () => {
    const doc = parseDocument(read('doc__bug__bug_db.sdn'));
    expect(doc.get('id')).toEqual(['BUG-042', 'BUG-043']);
    doc.set('id.1', 'BUG-099');
    expect(doc.get('id')).toEqual(['BUG-042', 'BUG-099']);
    expect(doc.toString()).toContain('\nid: "BUG-099"\n');
    expect(() => doc.set('id', 'x')).toThrow(/occurs 2 times/);
  });

  it('refuses values the writer refuses, and the document stays unchanged', () => {
    const doc = parseDocument(CONFIG);
    expect(() => doc.set('server.port', NaN)).toThrow();
    expect(doc.toString()).toBe(CONFIG);
  });
});
