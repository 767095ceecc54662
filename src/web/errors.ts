// Service errors become a sentence in the visitor's language; anything else is a real failure.
import { ServiceError } from '../service/errors.js';
import { errorText } from './i18n/index.js';
import type { Web } from './web-context.js';

export interface PageError { status: number; code: string; message: string }

export function toPageError(w: Web, error: unknown): PageError {
  if (!(error instanceof ServiceError)) throw error;
  return { status: error.status, code: error.code, message: errorText(w.t, error.code) };
}

/** Runs a service call; a ServiceError comes back as a value for the page to show. */
export async function attempt<T>(w: Web, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: PageError }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toPageError(w, error) };
  }
}
