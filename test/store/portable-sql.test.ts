// The SQL in src/ and schema.sql runs on both SQLite and PostgreSQL. Dialect-specific SQL lives
// only in the few named places below, each behind a check of the dialect and tested on both.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The dialect-specific parts: file → what it may use, and why. */
export const DIALECT_SPECIFIC: Record<string, RegExp[]> = {
  'src/store/db.ts': [/pragma/i],                                   // SQLite settings at open
  'src/store/migrate.ts': [/sqlite_master/, /::int/, /create schema/i], // table check per dialect; PG_SCHEMA
  'src/store/cards.repository.ts': [/for update/i, /\.forUpdate\(/], // the account row lock (PostgreSQL)
  // The same lock, in the authorization's joined read; a PostgreSQL batch's read ahead (any of an array, the earlier keys as one JSON object).
  'src/store/authorization-reads.repository.ts': [/\.forUpdate\(/, /::text/, /json_object_agg\(/],
  'src/store/audit.repository.ts': [/pg_advisory_xact_lock/, /hashtext/, /::\w+/], // one writer per audit stream; the one-statement append
  'src/store/startup-lock.ts': [/pg_advisory_(un)?lock/, /hashtext/, /set statement_timeout/],
  'src/service/pg-events.ts': [/listen/i, /pg_notify/, /unnest/, /::text/],
};

/** SQL that only one of the two backends accepts. */
const NOT_PORTABLE_SQL: Array<[RegExp, string]> = [
  [/\binsert\s+or\s+(ignore|replace)\b/i, 'SQLite-only: use onConflict(...).doNothing()/doUpdateSet()'],
  [/\breplace\s+into\b/i, 'SQLite/MySQL-only'],
  [/\b(strftime|julianday|unixepoch|datetime|date)\s*\(/i, 'SQLite date function: times are epoch ms from the clock'],
  [/\b(now|current_timestamp|gen_random_uuid|uuid_generate_v4)\s*\(/i, 'database clock or ids: take them from ctx.clock / newId'],
  [/\blast_insert_rowid\b|\browid\b|\bautoincrement\b/i, 'SQLite row ids: ids are TEXT from newId'],
  [/\bserial\b|\bbigserial\b|\bnextval\s*\(/i, 'PostgreSQL sequences: ids are TEXT from newId'],
  [/\b(json_extract|json_each|json_group_array|group_concat|ifnull|iif|typeof)\s*\(/i, 'SQLite-only function'],
  [/\b(jsonb?_\w+|string_agg|array_agg|to_timestamp|date_trunc|greatest|least|unnest)\s*\(/i, 'PostgreSQL-only function'],
  [/\bpragma\b|\bsqlite_master\b|\bglob\b/i, 'SQLite-only'],
  [/\bilike\b|::\w+|\bfor\s+(update|share|no key update)\b|\bskip\s+locked\b/i, 'PostgreSQL-only syntax'],
  [/\bpg_\w+\s*\(|\bhashtext\b|^\s*(listen|notify|unlisten)\b|\bset\s+(local\s+)?\w+\s*=/i, 'PostgreSQL-only'],
  [/\bbegin\s+(immediate|exclusive|deferred)\b/i, 'SQLite-only transaction mode'],
];

/** Column types: schema.sql keeps to BIGINT, INTEGER and TEXT. */
const NOT_PORTABLE_TYPES: Array<[RegExp, string]> = [
  [/\b(jsonb?|boolean|timestamptz|timestamp|uuid|bytea|numeric|decimal|real|double precision|blob|varchar)\b/i, 'non-portable column type: BIGINT, INTEGER or TEXT'],
];

/** kysely calls that compile to SQL one backend refuses. */
const NOT_PORTABLE_KYSELY: Array<[RegExp, string]> = [
  [/\.(orIgnore|orReplace|orAbort|orFail|orRollback)\(/, 'SQLite/MySQL-only insert modifier'],
  [/\.(forUpdate|forShare|forNoKeyUpdate|forKeyShare|skipLocked|noWait|distinctOn)\(/, 'PostgreSQL-only clause: breaks SQLite'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/**
 * The SQL text in a TypeScript file: sql`…` / sql<T>`…` templates and the string passed to
 * sql.raw(…), .query(…) or .execute(…) of a raw client. ${…} holes are kept as text.
 */
export function sqlSnippets(code: string): Array<{ text: string; line: number }> {
  const found: Array<{ text: string; line: number }> = [];
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  for (const m of code.matchAll(/\bsql(?:<[^`;]*?>)?`/g)) {
    const start = m.index! + m[0].length;
    const end = code.indexOf('`', start);
    found.push({ text: code.slice(start, end), line: lineOf(m.index!) });
  }
  for (const m of code.matchAll(/(?:\bsql\.raw|\.query)\(\s*([`'"])/g)) {
    const start = m.index! + m[0].length;
    const end = code.indexOf(m[1], start);
    found.push({ text: code.slice(start, end), line: lineOf(m.index!) });
  }
  return found;
}

function check(rel: string, pieces: Array<{ text: string; line: number }>, rules: Array<[RegExp, string]>): string[] {
  const allowed = DIALECT_SPECIFIC[rel] ?? [];
  const found: string[] = [];
  for (const { text, line } of pieces) {
    for (const [pattern, why] of rules) {
      const match = pattern.exec(text);
      if (match && !allowed.some((a) => a.test(match[0]))) found.push(`${rel}:${line}: ${match[0].trim()} — ${why}`);
    }
  }
  return found;
}

function violationsInSource(file: string): string[] {
  const rel = relative(ROOT, file);
  const code = readFileSync(file, 'utf8');
  const lines = code.split('\n').map((text, i) => ({ text: text.replace(/\/\/.*$/, ''), line: i + 1 }));
  return [...check(rel, sqlSnippets(code), NOT_PORTABLE_SQL), ...check(rel, lines, NOT_PORTABLE_KYSELY)];
}

function violationsInSchema(): string[] {
  const lines = readFileSync(join(ROOT, 'schema.sql'), 'utf8').split('\n')
    .map((text, i) => ({ text: text.replace(/--.*$/, ''), line: i + 1 }));
  return [...check('schema.sql', lines, NOT_PORTABLE_SQL), ...check('schema.sql', lines, NOT_PORTABLE_TYPES)];
}

describe('portable SQL', () => {
  const files = sourceFiles(join(ROOT, 'src'));

  it('src/ has no SQL only one backend accepts, outside the named dialect-specific parts', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(violationsInSource)).toEqual([]);
  });

  it('schema.sql uses only portable types and no database clock, sequence or row id', () => {
    expect(violationsInSchema()).toEqual([]);
  });

  it('the checker does catch what it is there for', () => {
    const flagged = (code: string) => check('probe.ts', sqlSnippets(code), NOT_PORTABLE_SQL).length > 0;
    expect(flagged("await sql`insert or ignore into fx_rates values (${a})`.execute(db)")).toBe(true);
    expect(flagged("await sql<{ n: number }>`select count(*)::int as n from cards`.execute(db)")).toBe(true);
    expect(flagged("await sql.raw('select strftime(1)').execute(db)")).toBe(true);
    expect(flagged("await client.query('select * from cards for update')")).toBe(true);
    expect(flagged("await sql`select count(*) as n from cards where id = ${id}`.execute(db)")).toBe(false);
    expect(flagged("throw new Error('JSON Timestamp for update')")).toBe(false);
    const kysely = (line: string) => check('probe.ts', [{ text: line, line: 1 }], NOT_PORTABLE_KYSELY).length > 0;
    expect(kysely("db.insertInto('x').orIgnore().values(v)")).toBe(true);
    expect(kysely("db.selectFrom('card_accounts').forUpdate().selectAll()")).toBe(true);
    expect(kysely("db.insertInto('x').values(v).onConflict((oc) => oc.doNothing())")).toBe(false);
  });

  it('every named dialect-specific file exists', () => {
    for (const file of Object.keys(DIALECT_SPECIFIC)) expect(files.map((f) => relative(ROOT, f))).toContain(file);
  });
});
