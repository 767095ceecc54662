// Dependencies point one way (STYLE.md, "Our shape"): web → http → service → domain, store.
// Read from the source text, so a wrong-way import fails here before it shapes anything else.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

interface Import { file: string; target: string; typeOnly: boolean }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Comments stripped, so that a sentence naming a function is not taken for a use of it. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/.*$/gm, '');

/** Every relative import and re-export of a file under `layer`, as a path under src/ without extension. */
function importsOf(layer: string): Import[] {
  return sourceFiles(join(SRC, layer)).flatMap((path) => {
    const text = code(readFileSync(path, 'utf8'));
    const file = relative(SRC, path);
    const found: Import[] = [];
    const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.[^']+)'/g;
    for (const m of text.matchAll(statement)) {
      const target = relative(SRC, resolve(dirname(path), m[4])).replace(/\.(js|ts|tsx)$/, '');
      // `import { type A, type B }` is type-only too; a value anywhere in the braces is not.
      const names = /^\{([\s\S]*)\}$/.exec(m[3].trim())?.[1].split(',').map((n) => n.trim()).filter(Boolean);
      const typeOnly = Boolean(m[2]) || (names !== undefined && names.length > 0 && names.every((n) => n.startsWith('type ')));
      found.push({ file, target, typeOnly });
    }
    for (const m of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) {
      found.push({ file, target: relative(SRC, resolve(dirname(path), m[1])).replace(/\.(js|ts|tsx)$/, ''), typeOnly: false });
    }
    return found;
  });
}

const under = (target: string, ...layers: string[]) => layers.some((layer) => target === layer || target.startsWith(`${layer}/`));
const show = (list: Import[]) => list.map((i) => `${i.file} → ${i.target}${i.typeOnly ? ' (type)' : ''}`);

/** The one file that mounts the pages (and their not-found and form-expired answers) on the app. */
const PAGE_MOUNT = 'http/app.ts';

/**
 * What src/http may take from the store: types (the shape of a handle or a row, erased at build),
 * and the classification of driver errors, which http needs to map a lost database to 503 or 91
 * (problem.ts, network/unavailable.ts); it does no I/O.
 */
const STORE_VALUES_FOR_HTTP = new Set(['store/db-unavailable']);

describe('layers', () => {
  const http = importsOf('http');

  it('reads the imports it judges (the mount file does import the pages)', () => {
    expect(http.filter((i) => i.file === PAGE_MOUNT && under(i.target, 'web')).length).toBeGreaterThan(0);
    expect(http.filter((i) => under(i.target, 'service')).length).toBeGreaterThan(20);
  });

  it('http imports pages in one place only: where the app mounts them', () => {
    const pages = http.filter((i) => under(i.target, 'web') && i.file !== PAGE_MOUNT);
    expect(show(pages)).toEqual([]);
  });

  it('http reaches the store only through verbs (types and error classification aside)', () => {
    const store = http.filter((i) => under(i.target, 'store') && !i.typeOnly && !STORE_VALUES_FOR_HTTP.has(i.target));
    expect(show(store)).toEqual([]);
  });

  it('no route opens a transaction, writes an audit row or queries the database itself', () => {
    const offending = sourceFiles(join(SRC, 'http')).flatMap((path) => {
      const text = code(readFileSync(path, 'utf8'));
      return [...text.matchAll(/\binTransaction\b|\bappendAudit\b|\.handle\b/g)].map((m) => `${relative(SRC, path)}: ${m[0]}`);
    });
    expect(offending).toEqual([]);
  });

  it('service and store import nothing from http or the pages', () => {
    const upward = [...importsOf('service'), ...importsOf('store')].filter((i) => under(i.target, 'http', 'web'));
    expect(show(upward)).toEqual([]);
  });

  it('domain imports nothing of ours outside domain', () => {
    const outside = importsOf('domain').filter((i) => !under(i.target, 'domain'));
    expect(show(outside)).toEqual([]);
  });
});
