// What every page handler gets: language, dictionary, the CSRF token for its forms (checked by the
// app-wide csrfProtection middleware), the posted form, and for banking pages the signed-in
// customer. Handlers are wrapped rather than run behind `app.use`, so nothing here touches the API.
import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../http/env.js';
import { authenticateSession } from '../service/banking/sessions.js';
import { getProfile, type Profile } from '../service/banking/profile.js';
import { ServiceError } from '../service/errors.js';
import { ValidationError } from '../http/problem.js';
import { cardholderActor } from '../http/actors.js';
import { authorityCookie } from '../http/middleware/bearer.js';
import { csrfTokenForRequest } from '../http/middleware/csrf.js';
import { normalizeDigits } from '../domain/digits.js';
import { loginWithNext } from './next-path.js';
import { setLanguage } from '../service/banking/set-language.js';
import { getCookie, LANG_COOKIE, SESSION_COOKIE, setPreference } from './cookies.js';
import { demoDictionary, dictionary, type DemoDict, type Dict, type Language } from './i18n/index.js';

export type Form = Record<string, string>;

export interface Web {
  c: Context<AppEnv>;
  deps: AppDeps;
  lang: Language;
  t: Dict;
  demo: DemoDict;
  csrf: string;
  form: Form;
}

export interface BankingWeb extends Web { customerId: string; sessionId: string; profile: Profile }

type Handler<W> = (w: W) => Promise<Response>;

/** `?lang=ar|en` switches and is remembered; otherwise the cookie; otherwise English. */
function resolveLanguage(c: Context, config: AppDeps['config']): Language {
  const asked = c.req.query('lang');
  if (asked === 'ar' || asked === 'en') {
    setPreference(c, config, LANG_COOKIE, asked);
    return asked;
  }
  return getCookie(c, LANG_COOKIE) === 'ar' ? 'ar' : 'en';
}

/**
 * Fields that hold a code or an amount: typed in Arabic-Indic digits they mean the same
 * (domain/digits.ts). Passwords and names are left exactly as typed.
 */
const NUMERIC_FIELDS = new Set(['otp', 'amount', 'quick', 'pan', 'expiry', 'cvv2', 'limit']);

async function readForm(c: Context): Promise<Form> {
  if (c.req.method !== 'POST') return {};
  const body = await c.req.parseBody().catch(() => {
    // A multipart body that does not parse: the sender's fault, not ours (hono throws a TypeError).
    throw new ValidationError([{ path: '(body)', message: 'is not a form that can be read' }]);
  });
  const form: Form = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') form[key] = NUMERIC_FIELDS.has(key) ? normalizeDigits(value) : value;
  }
  return form;
}

async function baseWeb(c: Context<AppEnv>, deps: AppDeps): Promise<Web> {
  const lang = resolveLanguage(c, deps.config);
  const csrf = csrfTokenForRequest(c, deps.keyring) ?? '';
  const form = await readForm(c);
  return { c, deps, lang, t: dictionary(lang), demo: demoDictionary(lang), csrf, form };
}

/** What an error page needs outside a page handler: the remembered language, no form, no token. */
export function plainWeb(c: Context<AppEnv>, deps: AppDeps): Web {
  const asked = c.req.query('lang');
  const lang: Language = asked === 'ar' || asked === 'en' ? asked : getCookie(c, LANG_COOKIE) === 'ar' ? 'ar' : 'en';
  return { c, deps, lang, t: dictionary(lang), demo: demoDictionary(lang), csrf: '', form: {} };
}

/** A page anyone may see (sign-in, demos). */
export function publicPage(deps: AppDeps, handler: Handler<Web>) {
  return async (c: Context<AppEnv>) => {
    return handler(await baseWeb(c, deps));
  };
}

/** A page for a signed-in cardholder: without a live session cookie, off to /login. */
export function bankingPage(deps: AppDeps, handler: Handler<BankingWeb>) {
  return async (c: Context<AppEnv>) => {
    // The pages are signed in by the cookie alone, and a request with a Bearer header gets none of
    // its authority (it skipped the CSRF check): such a request is sent to sign in.
    // A language asked for on the way in (`/?lang=ar`) carries over to the sign-in page.
    const lang = c.req.query('lang');
    // After signing in again the customer comes back to the page they asked for (a GET only).
    const url = new URL(c.req.url);
    url.searchParams.delete('lang'); // carried separately, and remembered by then
    const back = c.req.method === 'GET' ? url.pathname + url.search : '/';
    const toLogin = (expired: boolean) => loginWithNext(back, {
      ...(lang === 'ar' || lang === 'en' ? { lang } : {}), ...(expired ? { expired: '1' } : {}),
    });
    const token = authorityCookie(c, SESSION_COOKIE);
    if (!token) return c.redirect(toLogin(false), 303);
    let session;
    try {
      // The page's own refresh after an alert (app.js) does not count as the customer's activity.
      session = await authenticateSession(deps, token, { slide: c.req.header('x-refresh') !== '1' });
    } catch (error) {
      if (error instanceof ServiceError) return c.redirect(toLogin(error.code === 'session_expired'), 303);
      throw error;
    }
    const web = await baseWeb(c, deps);
    c.header('cache-control', 'no-store');
    // What the API's session middleware sets, so the same actor helpers work for the pages.
    c.set('customerId', session.customer_id);
    c.set('sessionId', session.id);
    let profile = await getProfile(deps, session.customer_id);
    // A switch made while signed in is remembered on the customer too: the API's texts and a
    // sign-in on another browser follow it.
    if ((lang === 'ar' || lang === 'en') && lang !== profile.language) {
      await setLanguage(deps, session.customer_id, lang, cardholderActor(c));
      profile = { ...profile, language: lang };
    }
    return handler({ ...web, customerId: session.customer_id, sessionId: session.id, profile });
  };
}

/**
 * After a sign-in: a browser without a language cookie opens in the customer's stored language
 * (the cookie, once there, is this browser's own choice and wins).
 */
export async function adoptStoredLanguage(w: Web, customerId: string): Promise<void> {
  if (getCookie(w.c, LANG_COOKIE) || w.c.req.query('lang')) return;
  const { language } = await getProfile(w.deps, customerId);
  if (language !== 'en') setPreference(w.c, w.deps.config, LANG_COOKIE, language);
}

/** The signed-in customer, if any, without requiring one (the demo terminals offer "my card"). */
export async function optionalCustomer(w: Web): Promise<string | null> {
  const token = authorityCookie(w.c, SESSION_COOKIE);
  if (!token) return null;
  try {
    return (await authenticateSession(w.deps, token)).customer_id;
  } catch {
    return null;
  }
}
