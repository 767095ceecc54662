// Who is signed in, for the web pages' header, their "set up your authenticator" prompt and the
// language they last chose.
import type { Language } from '../../domain/money.js';
import { asLanguage } from '../../domain/transactions.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';

export interface Profile { id: string; username: string; name: string; totpEnrolled: boolean; language: Language }

export async function getProfile(ctx: ServiceContext, customerId: string): Promise<Profile> {
  const row = await ctx.handle.db.selectFrom('customers').select(['id', 'username', 'name', 'totp_secret', 'language'])
    .where('id', '=', customerId).executeTakeFirst();
  if (!row) throw notFound('Customer');
  return { id: row.id, username: row.username, name: row.name, totpEnrolled: row.totp_secret !== null, language: asLanguage(row.language) };
}
