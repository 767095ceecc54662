// Online-banking sessions: password, then TOTP once enrolled. Tokens are 256-bit random values
// stored only as SHA-256 hashes; idle timeout SESSION_IDLE_TIMEOUT_MS (15 minutes unless set), absolute 12 hours.
import { createHash, randomBytes } from 'node:crypto';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '../../crypto/password.js';
import { deviceName, deviceOf } from '../../domain/device.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { clearFailures, lockedUntil, refundAttempt, takeAttempt } from '../../store/auth-failures.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { lockedError, requireOtp } from './totp.js';

export const IDLE_TIMEOUT_MS = 15 * 60_000;
const idleTimeout = (ctx: ServiceContext) => ctx.sessionIdleTimeoutMs ?? IDLE_TIMEOUT_MS;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const loginSubject = (username: string) => `login:${username.toLowerCase()}`;

export interface LoginInput { username: string; password: string; otp?: string }
export interface ClientMeta { ip?: string | null; userAgent?: string | null }

export async function login(ctx: ServiceContext, input: LoginInput, meta: ClientMeta) {
  const { db } = ctx.handle;
  const subject = loginSubject(input.username);
  const until = await lockedUntil(db, subject, ctx.clock.now());
  if (until) throw lockedError(until, ctx.clock.now());

  // Counted before the password is checked: of a burst of concurrent guesses, at most the lockout's
  // limit are checked at all; the others are answered as locked.
  const attempt = await inTransaction(ctx.handle, (trx) => takeAttempt(trx, subject, ctx.clock.now()));
  if (!attempt.judged) throw lockedError(attempt.lockedUntil, ctx.clock.now());

  const customer = await db.selectFrom('customers').selectAll().where('username', '=', input.username).executeTakeFirst();
  // Unknown users cost the same scrypt as known ones and get the same answer.
  const passwordOk = await verifyPassword(input.password, customer?.password_hash ?? dummyPasswordHash(ctx.passwordScryptLog2N));
  if (!customer || !passwordOk) {
    // Counted already; the failure that reaches the limit is still answered as a failure.
    throw new ServiceError('invalid_credentials', 'The username or password is wrong.', { remainingTries: attempt.remainingTries });
  }
  // The right password is no failure (its code may still be missing or wrong: counted apart).
  await inTransaction(ctx.handle, (trx) => refundAttempt(trx, subject));
  // Upgraded once the password is proven, before the code step: the web pages ask for the code in
  // a second request that no longer has the password, and a stronger hash of a known-good password
  // gives nothing away.
  if (needsRehash(customer.password_hash, ctx.passwordScryptLog2N)) await upgradePasswordHash(ctx, customer, input.password, meta);
  if (customer.totp_secret) await requireOtp(ctx, customer.id, input.otp, 'login');
  return openSession(ctx, customer, subject, meta);
}

/**
 * Replaces a hash made at older scrypt parameters, only if it is still the one that just verified
 * (two sign-ins at once, or a password set in between, leave one writer and no lost update).
 */
async function upgradePasswordHash(ctx: ServiceContext, customer: { id: string; password_hash: string }, password: string, meta: ClientMeta) {
  const fresh = await hashPassword(password, ctx.passwordScryptLog2N);
  await inTransaction(ctx.handle, async (trx) => {
    const result = await trx.updateTable('customers').set({ password_hash: fresh })
      .where('id', '=', customer.id).where('password_hash', '=', customer.password_hash).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return;
    const [, n, r, p] = fresh.split('$');
    await appendAudit(trx, { actorType: 'cardholder', actorId: customer.id, sourceIp: meta.ip,
      action: 'customer.password_rehashed', subject: customer.id, after: { scheme: 'scrypt', n: Number(n), r: Number(r), p: Number(p) },
      nowMs: ctx.clock.now() });
  });
}

/**
 * The web pages sign in in two steps: `login` without a code checks the password (answering
 * otp_required), then this checks the code for that customer and opens the session.
 */
export async function completeLoginWithOtp(ctx: ServiceContext, username: string, otp: string, meta: ClientMeta) {
  const customer = await ctx.handle.db.selectFrom('customers').selectAll().where('username', '=', username).executeTakeFirst();
  if (!customer) throw new ServiceError('invalid_credentials', 'The username or password is wrong.');
  await requireOtp(ctx, customer.id, otp, 'login');
  return openSession(ctx, customer, loginSubject(customer.username), meta);
}

async function openSession(ctx: ServiceContext, customer: { id: string }, subject: string, meta: ClientMeta) {
  const token = randomBytes(32).toString('base64url');
  const nowMs = ctx.clock.now();
  const expiresAt = nowMs + ABSOLUTE_TIMEOUT_MS;
  const id = newId('ses', nowMs);
  await inTransaction(ctx.handle, async (trx) => {
    await clearFailures(trx, subject);
    await trx.insertInto('sessions').values({
      token_hash: hashToken(token), id, customer_id: customer.id, created_at: nowMs, last_seen_at: nowMs,
      expires_at: expiresAt, revoked_at: null, ip: meta.ip ?? null, user_agent: meta.userAgent?.slice(0, 200) ?? null,
    }).execute();
    // The customer is told the device, not the address (kept in the data and the audit for staff).
    const device = deviceOf(meta.userAgent);
    const named = deviceName(device);
    await addNotification(trx, { customerId: customer.id, kind: 'new_login', severity: 'info',
      message: `New sign-in to online banking${named ? ` on ${named}` : ''}.`, nowMs,
      data: { sessionId: id, browser: device.browser, system: device.system, userAgent: meta.userAgent?.slice(0, 200) ?? null, ip: meta.ip ?? null } });
    await appendAudit(trx, { actorType: 'cardholder', actorId: customer.id,
      sourceIp: meta.ip, action: 'session.created', subject: id, nowMs });
  });
  ctx.events.publish(customer.id);
  return { token, expiresAt: new Date(expiresAt).toISOString(), sessionId: id, customerId: customer.id };
}

/**
 * Resolves a bearer token to a live session, sliding its idle timeout — unless `slide` is false: a
 * page refreshing its figures after an alert is not the customer at work, so it must not keep an
 * unattended session alive.
 */
export async function authenticateSession(ctx: ServiceContext, token: string, o: { slide?: boolean } = {}) {
  const nowMs = ctx.clock.now();
  const { db } = ctx.handle;
  const session = await db.selectFrom('sessions').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!session || session.revoked_at !== null) throw new ServiceError('unauthorized', 'Sign in first.');
  if (nowMs >= session.expires_at || nowMs - session.last_seen_at >= idleTimeout(ctx)) {
    throw new ServiceError('session_expired', 'Your session has ended. Sign in again.');
  }
  // Only write when it moves meaningfully, to keep reads cheap.
  if (o.slide !== false && nowMs - session.last_seen_at > 5_000) {
    await db.updateTable('sessions').set({ last_seen_at: nowMs }).where('token_hash', '=', session.token_hash).execute();
  }
  return session;
}

export async function logout(ctx: ServiceContext, sessionId: string, customerId: string, ip?: string | null): Promise<void> {
  await revokeSession(ctx, customerId, sessionId, ip);
}

export async function listSessions(ctx: ServiceContext, customerId: string, currentSessionId: string) {
  const nowMs = ctx.clock.now();
  const rows = await ctx.handle.db.selectFrom('sessions').selectAll().where('customer_id', '=', customerId)
    .where('revoked_at', 'is', null).where('expires_at', '>', nowMs).where('last_seen_at', '>', nowMs - idleTimeout(ctx))
    .orderBy('created_at', 'desc').execute();
  return rows.map((s) => ({
    id: s.id, current: s.id === currentSessionId, createdAt: new Date(s.created_at).toISOString(),
    lastSeenAt: new Date(s.last_seen_at).toISOString(), ip: s.ip, userAgent: s.user_agent,
  }));
}

/** Ends one of the customer's own sessions; anything else (another customer's, already ended) is 404. */
export async function revokeSession(ctx: ServiceContext, customerId: string, sessionId: string, ip?: string | null): Promise<void> {
  await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const result = await trx.updateTable('sessions').set({ revoked_at: nowMs })
      .where('id', '=', sessionId).where('customer_id', '=', customerId).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new ServiceError('not_found', 'Session not found');
    await appendAudit(trx, { actorType: 'cardholder', actorId: customerId,
      sourceIp: ip, action: 'session.revoked', subject: sessionId, nowMs });
  });
  // Wakes the customer's event streams, which re-check their session and end if it was this one.
  ctx.events.publish(customerId);
}

/** True while the session may still be used; does not slide the idle timeout (long-lived streams use this). */
export async function isSessionLive(ctx: ServiceContext, sessionId: string): Promise<boolean> {
  const nowMs = ctx.clock.now();
  const s = await ctx.handle.db.selectFrom('sessions').select(['revoked_at', 'expires_at', 'last_seen_at'])
    .where('id', '=', sessionId).executeTakeFirst();
  return !!s && s.revoked_at === null && nowMs < s.expires_at && nowMs - s.last_seen_at < idleTimeout(ctx);
}
