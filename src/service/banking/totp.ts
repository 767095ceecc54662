// TOTP (RFC 6238) enrolment and verification with otplib. A code is accepted once only: the time
// step of the last accepted code is stored and anything at or before it is refused. The step moves
// by a conditional update (only forward), so of concurrent requests carrying one code exactly one
// moves it; every attempt is counted toward the lockout before its code is checked.
import { generateSecret, generateURI, verify } from 'otplib';
import { inTransaction } from '../../store/transaction.js';
import { clearFailures, lockedUntil, takeAttempt } from '../../store/auth-failures.repository.js';
import type { Executor } from '../../store/db.js';
import type { Customer } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';

const aad = (customerId: string) => `totp:${customerId}`;
const otpSubject = (customerId: string) => `otp:${customerId}`;

export function sealTotpSecret(ctx: Pick<ServiceContext, 'keyring'>, customerId: string, secret: string): string {
  const sealed = ctx.keyring.encrypt(secret, aad(customerId));
  return `${sealed.keyId}:${sealed.ciphertext}`;
}

/** Stored as `${keyId}:${ciphertext}`; async, since the key may be new to this process. */
export function openTotpSecret(ctx: Pick<ServiceContext, 'keyring'>, customerId: string, stored: string, db?: Executor): Promise<string> {
  const i = stored.indexOf(':');
  return ctx.keyring.open(stored.slice(i + 1), stored.slice(0, i), aad(customerId), db);
}

export function lockedError(untilMs: number, nowMs: number): ServiceError {
  const seconds = Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
  return new ServiceError('locked', `Too many failed attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`, {}, seconds);
}

/** Checks a code against a secret; returns the matched time step, or null. */
export async function matchCode(secret: string, otp: string, nowMs: number, afterTimeStep: number): Promise<number | null> {
  if (!/^\d{6}$/.test(otp)) return null;
  try {
    const result = await verify({ secret, token: otp, epoch: Math.floor(nowMs / 1000), epochTolerance: 30, afterTimeStep });
    return result.valid ? (result as unknown as { timeStep: number }).timeStep : null;
  } catch {
    return null;
  }
}

export type OtpPurpose = 'login' | 'step_up';

/**
 * Checks a customer's code for login or step-up in its own transaction, so that a failure is
 * counted (and a used code consumed) even though the request then fails. Throws after commit.
 */
export async function requireOtp(ctx: ServiceContext, customerId: string, otp: string | undefined, purpose: OtpPurpose): Promise<void> {
  const failure = await inTransaction(ctx.handle, async (trx) => {
    const customer = await trx.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirstOrThrow();
    return checkOtp(trx, ctx, customer, otp, purpose);
  });
  if (failure) throw failure;
}

async function checkOtp(trx: Executor, ctx: ServiceContext, customer: Customer, otp: string | undefined, purpose: OtpPurpose): Promise<ServiceError | null> {
  const nowMs = ctx.clock.now();
  const status = purpose === 'login' ? 401 : 403;
  if (!customer.totp_secret) {
    return new ServiceError('totp_not_enrolled', 'Set up an authenticator app (POST /v1/banking/mfa/totp) before using one-time codes.');
  }
  const until = await lockedUntil(trx, otpSubject(customer.id), nowMs);
  if (until) return lockedError(until, nowMs);
  if (!otp) {
    return new ServiceError(purpose === 'login' ? 'otp_required' : 'step_up_required', 'A one-time code from your authenticator app is required.', {}, undefined, status);
  }
  const attempt = await takeAttempt(trx, otpSubject(customer.id), nowMs);
  if (!attempt.judged) return lockedError(attempt.lockedUntil, nowMs);
  const step = await matchCode(await openTotpSecret(ctx, customer.id, customer.totp_secret, trx), otp, nowMs, customer.totp_last_step);
  // A wrong code stays counted; the one that reaches the limit is still answered as wrong.
  if (step === null || !(await useTimeStep(trx, customer.id, step))) {
    return new ServiceError('invalid_otp', 'The one-time code is wrong, expired or already used.', { remainingTries: attempt.remainingTries }, undefined, status);
  }
  await clearFailures(trx, otpSubject(customer.id));
  return null;
}

/** Moves the last used step forward to `step`; false when that step (or a later one) was used already. */
async function useTimeStep(trx: Executor, customerId: string, step: number): Promise<boolean> {
  const result = await trx.updateTable('customers').set({ totp_last_step: step })
    .where('id', '=', customerId).where('totp_last_step', '<', step).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export { generateSecret, generateURI };
