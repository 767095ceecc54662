// TOTP enrolment: start (returns the secret and otpauth URI naming the bank), then confirm with a
// first code. Replacing an enrolled secret needs a current code.
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { generateSecret, generateURI, matchCode, openTotpSecret, requireOtp, sealTotpSecret } from './totp.js';

export async function startTotpEnrolment(ctx: ServiceContext, customerId: string, otp?: string) {
  const customer = await ctx.handle.db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirstOrThrow();
  if (customer.totp_secret) await requireOtp(ctx, customerId, otp, 'step_up');
  const secret = generateSecret();
  await inTransaction(ctx.handle, async (trx) => {
    await trx.updateTable('customers').set({ totp_pending: sealTotpSecret(ctx, customerId, secret) })
      .where('id', '=', customerId).execute();
    await appendAudit(trx, { actorType: 'cardholder', actorId: customerId,
      action: 'mfa.totp_enrolment_started', subject: customerId, after: { replacing: customer.totp_secret !== null }, nowMs: ctx.clock.now() });
  });
  const otpauthUrl = generateURI({ issuer: ctx.bankName, label: customer.username, secret });
  return { secret, otpauthUrl };
}

export async function confirmTotpEnrolment(ctx: ServiceContext, customerId: string, otp: string, ip?: string | null) {
  const failure = await inTransaction(ctx.handle, async (trx) => {
    const customer = await trx.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirstOrThrow();
    if (!customer.totp_pending) return new ServiceError('totp_not_enrolled', 'Start enrolment first (POST /v1/banking/mfa/totp).');
    const nowMs = ctx.clock.now();
    const step = await matchCode(await openTotpSecret(ctx, customerId, customer.totp_pending, trx), otp, nowMs, 0);
    if (step === null) return new ServiceError('invalid_otp', 'The code does not match. Check the time on your phone and try again.', {}, undefined, 400);
    await trx.updateTable('customers')
      .set({ totp_secret: customer.totp_pending, totp_pending: null, totp_last_step: step }).where('id', '=', customerId).execute();
    await appendAudit(trx, { actorType: 'cardholder', actorId: customerId,
      sourceIp: ip, action: 'mfa.totp_enrolled', subject: customerId, nowMs });
    return null;
  });
  if (failure) throw failure;
  return { enrolled: true };
}
