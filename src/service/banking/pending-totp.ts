// The authenticator secret being set up (not yet confirmed), so the enrolment page can show the same
// QR code again after a mistyped code instead of starting over.
import type { ServiceContext } from '../context.js';
import { generateURI, openTotpSecret } from './totp.js';

export async function pendingTotpEnrolment(ctx: ServiceContext, customerId: string): Promise<{ secret: string; otpauthUrl: string } | null> {
  const row = await ctx.handle.db.selectFrom('customers').select(['username', 'totp_pending'])
    .where('id', '=', customerId).executeTakeFirst();
  if (!row?.totp_pending) return null;
  const secret = await openTotpSecret(ctx, customerId, row.totp_pending);
  return { secret, otpauthUrl: generateURI({ issuer: ctx.bankName, label: row.username, secret }) };
}
