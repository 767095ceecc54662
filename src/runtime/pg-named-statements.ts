// PostgreSQL's counterpart of the statements SQLite keeps per connection (prepared.ts): the SQL of
// a prepared query runs as a named statement, which PostgreSQL parses once per connection instead
// of on every run (and, after five runs, may plan once: a generic plan). pg keeps the names it has
// parsed per connection; kysely's driver calls `client.query(sql, parameters)`, so the client the
// pool makes gives the name itself.
//
// Only SQL that names its columns is named: a `select *` kept as a statement fails with "cached
// plan must not change result type" once a migration adds a column while the service runs, where
// unnamed SQL is simply parsed again. (A migration that changes a named column's type does the
// same to SQL naming it: such a migration needs the instances restarted, as migration 7 did.)
import pg from 'pg';

const names = new Map<string, string>();

/** Registers a prepared query's PostgreSQL SQL (prepared.ts, on first compile). */
export function nameStatement(sql: string): void {
  if (names.has(sql) || sql.includes('*')) return;
  names.set(sql, `isc_${names.size + 1}`);
}

/** The name `sql` runs under, or undefined when it runs unnamed. */
export function statementName(sql: string): string | undefined {
  return names.get(sql);
}

/** A pg client that runs registered SQL as named statements (pool option `Client`). */
export class NamedStatementClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // Replaced per client rather than overridden: pg types query() with a dozen overloads.
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const [text, values, callback] = args;
      if (typeof text === 'string' && Array.isArray(values) && callback === undefined) {
        const name = names.get(text);
        if (name) return query({ name, text, values });
      }
      return query(...args);
    }) as pg.Client['query'];
  }
}
