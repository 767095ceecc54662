// The cardholder's language (customers.language): what the API writes descriptions and
// notification texts in by default, and what a sign-in on another browser opens in. The web pages
// set it when a signed-in cardholder switches language.
import type { Language } from '../../domain/money.js';
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';

export async function setLanguage(ctx: ServiceContext, customerId: string, language: Language, actor: Actor): Promise<void> {
  await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const before = await trx.selectFrom('customers').select('language').where('id', '=', customerId).executeTakeFirst();
    if (!before || before.language === language) return;
    await trx.updateTable('customers').set({ language }).where('id', '=', customerId).execute();
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'customer.language_changed', subject: customerId, before: { language: before.language }, after: { language }, nowMs });
  });
}
