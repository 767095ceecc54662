import { findCurrency } from '../../domain/currencies.js';
import { appendAudit } from '../../store/audit.repository.js';
import { findRate, upsertRate } from '../../store/fx.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { fieldError, ServiceError } from '../errors.js';

export async function setFxRate(ctx: ServiceContext, code: string, rate: string, actor: Actor) {
  const currency = findCurrency(code);
  if (!currency) throw new ServiceError('not_found', `Unknown ISO 4217 currency "${code}".`);
  if (currency.alpha === 'KWD') throw fieldError('currency', 'KWD is the billing currency; its rate is always 1');
  if (Number(rate) <= 0) throw fieldError('rate', 'must be greater than zero');
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const before = await findRate(trx, currency.numeric);
    await upsertRate(trx, currency.numeric, rate, nowMs);
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id,
      sourceIp: actor.ip, action: 'fx_rate.set', subject: currency.alpha, before: { rate: before ?? null }, after: { rate }, nowMs });
    return { currency: currency.alpha, numericCode: currency.numeric, exponent: currency.exponent, rate, updatedAt: new Date(nowMs).toISOString() };
  });
}
