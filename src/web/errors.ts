// Service errors become a sentence in the visitor's language; anything else is a real failure.
import { ServiceError } from '../service/errors.js';
import { errorText } from './i18n/index.js';
import type { Web } from './web-context.js';

export interface PageError { status: number; code: string; message: string }

/** The sentence, with how long a lock lasts and how many tries are left where the service says so. */
export function toPageError(w: Web, error: unknown): PageError {
  if (!(error instanceof ServiceError)) throw error;
  let message = errorText(w.t, error.code);
  if (error.code === 'locked' && error.retryAfterSeconds) {
    message = w.t.lockedFor(String(Math.max(1, Math.ceil(error.retryAfterSeconds / 60))));
  }
  const remaining = error.extra.remainingTries;
  if (typeof remaining === 'number' && remaining > 0) message = `${message} ${w.t.triesLeft(String(remaining))}`;
  return { status: error.status, code: error.code, message };
}

/** Runs a service call; a ServiceError comes back as a value for the page to show. */
export async function attempt<T>(w: Web, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: PageError }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toPageError(w, error) };
  }
}

const CODE_ERRORS = new Set(['invalid_otp', 'otp_required', 'step_up_required', 'totp_not_enrolled']);

/** For ErrorNotice: a code error links to the code field; anything else is a sentence. */
export function otpErrors(error: PageError | undefined, message?: string): { message?: string; fields?: { id: string; message: string }[] } {
  const text = message ?? error?.message;
  if (!text) return {};
  return error && CODE_ERRORS.has(error.code) ? { fields: [{ id: 'otp', message: text }] } : { message: text };
}
