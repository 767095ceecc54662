// The kysely types (src/store/schema.ts) describe exactly the tables and columns schema.sql builds,
// with the same nullability and kind (number for BIGINT/INTEGER, string for TEXT), on both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { forEachBackend } from '../support/backends.js';
import { freshDatabase, type FreshDatabase } from '../support/databases.js';
import { databaseShape, kyselyShape, type SchemaShape } from '../support/introspect.js';

const declared = kyselyShape();

forEachBackend((backend) => {
  let fresh: FreshDatabase;
  let actual: SchemaShape;
  beforeAll(async () => {
    fresh = await freshDatabase(backend);
    await migrate(fresh.handle);
    actual = await databaseShape(fresh.handle);
  });
  afterAll(() => fresh.close());

  describe('src/store/schema.ts against the database schema.sql builds', () => {
    it('has the same tables', () => {
      expect(Object.keys(declared).sort()).toEqual(Object.keys(actual).sort());
    });

    it('has the same columns, kinds and nullability in every table', () => {
      for (const table of Object.keys(actual)) {
        expect({ table, columns: declared[table] }).toEqual({ table, columns: actual[table] });
      }
    });
  });
});

describe('reading the kysely types', () => {
  it('sees the shape of a known table, so a silent empty read cannot pass the test above', () => {
    expect(declared.card_accounts).toMatchObject({ id: 'string', limit_fils: 'number', over_limit_used_at: 'number?' });
    expect(Object.keys(declared).length).toBeGreaterThan(20);
  });
});
