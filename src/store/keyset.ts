// The keyset condition "(created_at, id) < cursor" for any table with those two columns, written
// out as OR/AND so both backends can use an (…, created_at) index.
import type { ExpressionBuilder } from 'kysely';
import type { CursorKey } from '../domain/cursor.js';
import type { Database } from './schema.js';

export function olderThan<T extends keyof Database>(cursor: CursorKey | null, table: T) {
  return (eb: ExpressionBuilder<Database, T>) => {
    if (!cursor) return eb.lit(true);
    const createdAt = eb.ref(`${table}.created_at` as never);
    const id = eb.ref(`${table}.id` as never);
    return eb.or([
      eb(createdAt, '<', cursor.createdAt as never),
      eb.and([eb(createdAt, '=', cursor.createdAt as never), eb(id, '<', cursor.id as never)]),
    ]);
  };
}
