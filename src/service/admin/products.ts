// Product data is admin-editable (SPEC §2). Changes are validated as a whole and audited.
import type { Product } from '../../domain/product.js';
import { appendAudit } from '../../store/audit.repository.js';
import { findProduct, saveProduct } from '../../store/products.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { fieldError, notFound } from '../errors.js';

export type ProductChanges = Partial<Product>;

export async function getProduct(ctx: ServiceContext, code: string): Promise<Product> {
  const product = await findProduct(ctx.handle.db, code);
  if (!product) throw notFound('Product');
  return product;
}

export async function updateProduct(ctx: ServiceContext, code: string, changes: ProductChanges, actor: Actor): Promise<Product> {
  return inTransaction(ctx.handle, async (trx) => {
    const before = await findProduct(trx, code);
    if (!before) throw notFound('Product');
    if (changes.code !== undefined && changes.code !== code) throw fieldError('code', 'a product\'s code cannot change');
    const after: Product = { ...before, ...changes, code };
    if (after.bin.length + 1 >= 16) throw fieldError('bin', 'too long for a 16-digit PAN');
    const nowMs = ctx.clock.now();
    await saveProduct(trx, after, nowMs);
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id,
      sourceIp: actor.ip, action: 'product.updated', subject: code, before, after, nowMs });
    return after;
  });
}
