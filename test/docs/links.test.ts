// The docs point at files that exist: every relative markdown link in README.md and docs/**/*.md,
// and every path in the README's "Where each rule lives" table (a rule's code and its test).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** Link targets outside code: `[text](target)` and `![alt](target)`, without fenced blocks or inline code. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#');

/** The paths named in a section's table: backticked `src/…`, `test/…` and `scripts/…` paths. */
function sectionPaths(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return [];
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/`((?:src|test|scripts)\/[^`\s]+)`/g)].map((m) => m[1]!);
}

describe('docs links', () => {
  const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];

  it('finds the markdown files', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('every relative link points at an existing file', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of linkTargets(readFileSync(file, 'utf8')).filter(isRelative)) {
        const path = decodeURIComponent(target.split('#')[0]!);
        if (!existsSync(resolve(dirname(file), path))) broken.push(`${relative(root, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every path in the README\'s "Where each rule lives" exists', () => {
    const paths = sectionPaths(readFileSync(join(root, 'README.md'), 'utf8'), 'Where each rule lives');
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});

describe('docs named in code comments', () => {
  const sources = ['src', 'scripts', 'test'].flatMap((dir) => codeFiles(join(root, dir)));

  it('every docs/…md path a comment names exists', () => {
    const missing: string[] = [];
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bdocs\/[\w./-]+\.md\b/g)) {
        if (!existsSync(join(root, m[0]))) missing.push(`${relative(root, file)} → ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every section of docs/performance.md a comment names is a heading there', () => {
    const headings = [...readFileSync(join(root, 'docs/performance.md'), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase());
    const missing: string[] = [];
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/docs\/performance\.md, "([^"]+)"/g)) {
        if (!headings.includes(m[1]!.toLowerCase())) missing.push(`${relative(root, file)} → "${m[1]}"`);
      }
    }
    expect(missing).toEqual([]);
  });
});

function codeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return codeFiles(path);
    return /\.(ts|tsx|mjs|sh)$/.test(name) ? [path] : [];
  });
}
