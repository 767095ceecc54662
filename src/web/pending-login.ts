// Between the two sign-in steps the browser holds a sealed note (AES-GCM under the data key, bound
// to its purpose) saying which username passed the password check, valid for 5 minutes. No
// password is kept anywhere; the code step then opens the session for that username only.
import type { ServiceContext } from '../service/context.js';

const PURPOSE = 'web-pending-login';
export const PENDING_LOGIN_TTL_MS = 5 * 60_000;

export function sealPendingLogin(ctx: ServiceContext, username: string): string {
  const note = JSON.stringify({ u: username, exp: ctx.clock.now() + PENDING_LOGIN_TTL_MS });
  const sealed = ctx.keyring.encrypt(note, PURPOSE);
  return `${sealed.keyId}.${sealed.ciphertext}`;
}

/** The username, or null when the note is missing, forged, from an old key or expired. */
export function openPendingLogin(ctx: ServiceContext, value: string | undefined): string | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  if (dot < 1) return null;
  try {
    const note = JSON.parse(ctx.keyring.decrypt(value.slice(dot + 1), value.slice(0, dot), PURPOSE)) as { u: string; exp: number };
    return typeof note.u === 'string' && note.exp > ctx.clock.now() ? note.u : null;
  } catch {
    return null;
  }
}
