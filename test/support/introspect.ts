// What a real database says its tables, columns and indexes are, on either backend, and what the
// kysely types in src/store/schema.ts say they are (read with the TypeScript compiler, so the
// comparison needs no third hand-kept copy).
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import ts from 'typescript';
import type { DbHandle } from '../../src/store/db.js';

/** `number`, `string`, with a trailing `?` when NULL is allowed. */
export type ColumnShape = string;
export type SchemaShape = Record<string, Record<string, ColumnShape>>;

function kindOfSqlType(type: string): string {
  const t = type.toLowerCase();
  if (t === 'bigint' || t === 'integer' || t === 'int8' || t === 'int4') return 'number';
  if (t === 'text') return 'string';
  return `unexpected sql type ${type}`;
}

export async function databaseShape(handle: DbHandle): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  if (handle.dialect === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(handle.db);
    for (const { name } of tables.rows) {
      const columns = await sql<{ name: string; type: string; notnull: number; pk: number }>`select name, type, "notnull", pk from pragma_table_info(${name})`.execute(handle.db);
      // SQLite lets a non-INTEGER PRIMARY KEY hold NULL unless declared NOT NULL; the app never
      // writes one, and PostgreSQL forbids it, so a key column counts as NOT NULL here.
      shape[name] = Object.fromEntries(columns.rows.map((c) =>
        [c.name, kindOfSqlType(c.type) + (c.notnull || c.pk ? '' : '?')]));
    }
    return shape;
  }
  const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
    select table_name, column_name, data_type, is_nullable from information_schema.columns
    where table_schema = current_schema()`.execute(handle.db);
  for (const c of columns.rows) {
    (shape[c.table_name] ??= {})[c.column_name] = kindOfSqlType(c.data_type) + (c.is_nullable === 'YES' ? '?' : '');
  }
  return shape;
}

/** Index name → unique?, for the indexes schema.sql creates by name. */
export async function namedIndexes(handle: DbHandle): Promise<Record<string, boolean>> {
  if (handle.dialect === 'sqlite') {
    const r = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and sql is not null`.execute(handle.db);
    return Object.fromEntries(r.rows.map((i) => [i.name, /^create unique/i.test(i.sql)]));
  }
  const r = await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes where schemaname = current_schema()`.execute(handle.db);
  return Object.fromEntries(r.rows.map((i) => [i.name, /^create unique/i.test(i.def)]));
}

export function indexesDeclaredIn(schemaSql: string): Record<string, boolean> {
  const found: Record<string, boolean> = {};
  for (const m of schemaSql.matchAll(/CREATE\s+(UNIQUE\s+)?INDEX\s+(\w+)/gi)) found[m[2]] = Boolean(m[1]);
  return found;
}

/** The `Database` interface of src/store/schema.ts as the type checker sees it. */
export function kyselyShape(): SchemaShape {
  const file = fileURLToPath(new URL('../../src/store/schema.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const database = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).find((s) => s.name === 'Database');
  if (!database) throw new Error('src/store/schema.ts exports no Database interface');
  const shape: SchemaShape = {};
  for (const table of checker.getDeclaredTypeOfSymbol(database).getProperties()) {
    const columns: Record<string, ColumnShape> = {};
    for (const column of checker.getTypeOfSymbolAtLocation(table, source).getProperties()) {
      const type = checker.getTypeOfSymbolAtLocation(column, source);
      const parts = type.isUnion() ? type.types : [type];
      const nullable = parts.some((p) => p.flags & ts.TypeFlags.Null);
      const kinds = new Set(parts.filter((p) => !(p.flags & ts.TypeFlags.Null)).map((p) =>
        p.flags & ts.TypeFlags.NumberLike ? 'number' : p.flags & ts.TypeFlags.StringLike ? 'string' : checker.typeToString(p)));
      columns[column.name] = [...kinds].join('|') + (nullable ? '?' : '');
    }
    shape[table.name] = columns;
  }
  return shape;
}
