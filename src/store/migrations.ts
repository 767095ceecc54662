// Numbered migrations for databases created before a schema change. schema.sql always holds the
// full picture of a new database; a migration brings an existing one to the same place.
// Once applied somewhere, a migration is frozen.
export interface Migration { version: number; name: string; statements: string[] }

export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial schema', statements: [] },
];
