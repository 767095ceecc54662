import type { Product } from '../domain/product.js';
import type { Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';
import type { Selectable } from 'kysely';
import type { ProductsTable } from './schema.js';

type ProductRow = Selectable<ProductsTable>;

function toProduct(r: ProductRow): Product {
  return {
    code: r.code,
    bin: r.bin,
    allowedLimits: JSON.parse(r.allowed_limits),
    overLimitMarginPercent: r.over_limit_margin_percent,
    blockedMccs: JSON.parse(r.blocked_mccs),
    holdLifetimeDays: r.hold_lifetime_days,
    fxMarkupBps: r.fx_markup_bps,
    threeDSecureThreshold: r.three_ds_threshold_fils,
    allowMailOrder: r.allow_mail_order === 1,
    frictionlessCeiling: Number(r.frictionless_ceiling_fils),
  };
}

function toRow(p: Product, nowMs: number): ProductRow {
  return {
    code: p.code,
    bin: p.bin,
    allowed_limits: JSON.stringify(p.allowedLimits),
    over_limit_margin_percent: p.overLimitMarginPercent,
    blocked_mccs: JSON.stringify(p.blockedMccs),
    hold_lifetime_days: p.holdLifetimeDays,
    fx_markup_bps: p.fxMarkupBps,
    three_ds_threshold_fils: p.threeDSecureThreshold,
    allow_mail_order: p.allowMailOrder ? 1 : 0,
    updated_at: nowMs,
    frictionless_ceiling_fils: p.frictionlessCeiling,
  };
}

// Read on every authorization (admin changes apply to the very next one), so compiled once, with
// its columns named (a `select *` is not kept as a named statement on PostgreSQL: pg-named-statements.ts).
export const PRODUCT_COLUMNS = [
  'code', 'bin', 'allowed_limits', 'over_limit_margin_percent', 'blocked_mccs', 'hold_lifetime_days',
  'fx_markup_bps', 'three_ds_threshold_fils', 'allow_mail_order', 'updated_at', 'frictionless_ceiling_fils',
] as const satisfies readonly (keyof ProductsTable)[];
const productByCode = prepared<{ code: string }, ProductRow>((db) =>
  db.selectFrom('products').select(PRODUCT_COLUMNS).where('code', '=', param('code')));

export async function findProduct(db: Executor, code: string): Promise<Product | undefined> {
  const row = await productByCode.first(db, { code });
  return row ? toProduct(row) : undefined;
}

/**
 * Products already read by a transaction. A group-commit batch is one transaction shared by all
 * its authorizations, so each reads the product once per batch instead of once per authorization.
 * Safe because product rows change only through saveProduct/insertProductIfMissing, which drop the
 * writing executor's entry, and another connection's change cannot become visible inside an open
 * transaction that has already read the row (SQLite: one writer, snapshot per transaction;
 * PostgreSQL: one transaction per authorization). The next transaction reads afresh, so an admin
 * change still applies to the very next authorization after its commit.
 */
const productsByTransaction = new WeakMap<object, Map<string, Readonly<Product>>>();

/** findProduct, read once per transaction (outside a transaction: every time). Never mutate the result. */
export async function findProductInTransaction(db: Executor, code: string): Promise<Readonly<Product> | undefined> {
  if (!db.isTransaction) return findProduct(db, code);
  let products = productsByTransaction.get(db);
  let product = products?.get(code);
  if (product) return product;
  const found = await productByCode.first(db, { code });
  if (!found) return undefined;
  product = productOfRow(found);
  if (!products) productsByTransaction.set(db, (products = new Map()));
  products.set(code, product);
  return product;
}

/** A product row read elsewhere (a joined read, PostgreSQL), as findProductInTransaction returns it. */
export function productOfRow(row: ProductRow): Readonly<Product> {
  const p = toProduct(row);
  return Object.freeze({ ...p, allowedLimits: Object.freeze(p.allowedLimits), blockedMccs: Object.freeze(p.blockedMccs) }) as Readonly<Product>;
}

export async function insertProductIfMissing(db: Executor, p: Product, nowMs: number): Promise<void> {
  productsByTransaction.delete(db);
  const exists = await findProduct(db, p.code);
  if (!exists) await db.insertInto('products').values(toRow(p, nowMs)).execute();
}

export async function saveProduct(db: Executor, p: Product, nowMs: number): Promise<void> {
  productsByTransaction.delete(db);
  const { code, ...rest } = toRow(p, nowMs);
  await db.updateTable('products').set(rest).where('code', '=', code).execute();
}
