// Sign in, step 1: username and password. With an authenticator enrolled, step 2 asks the code.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { clientIp } from '../../http/client-ip.js';
import { login, logout } from '../../service/banking/sessions.js';
import { Csrf, ErrorNotice, Field, Notice } from '../components.js';
import { clearSecret, PENDING_LOGIN_COOKIE, SESSION_COOKIE, setSecret } from '../cookies.js';
import { attempt } from '../errors.js';
import { page } from '../layout.js';
import { safeNext } from '../next-path.js';
import { sealPendingLogin } from '../pending-login.js';
import { limitSignIn } from '../rate-limits.js';
import { adoptStoredLanguage, bankingPage, optionalCustomer, publicPage, type Web } from '../web-context.js';

function loginForm(w: Web, o: { username?: string; error?: string; status?: number; bye?: boolean; next?: string | null; expired?: boolean; credentials?: boolean }) {
  const { t } = w;
  return page(w, { title: t.loginTitle, status: o.status }, (
    <section class="panel narrow">
      <h1>{t.loginTitle}</h1>
      <p>{t.loginIntro}</p>
      {o.bye ? <Notice kind="info">{t.signedOut}</Notice> : null}
      {o.expired ? <Notice kind="info">{t.idleSignedOut}</Notice> : null}
      <ErrorNotice w={w} {...(o.credentials && o.error ? { fields: [{ id: 'username', message: o.error }] } : { message: o.error })} />
      <form method="post" action="/login" class="stack">
        <Csrf w={w} />
        {o.next ? <input type="hidden" name="next" value={o.next} /> : null}
        <Field id="username" label={t.username} value={o.username} autocomplete="username" required dir="ltr"
          autofocus={!o.username} error={o.credentials ? o.error : undefined} />
        <Field id="password" label={t.password} type="password" autocomplete="current-password" required dir="ltr"
          autofocus={!!o.username} />
        <p class="never-ask">{t.neverAskCodes}</p>
        <button type="submit" class="button primary">{t.signIn}</button>
      </form>
    </section>
  ));
}

export function registerLoginPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/login', publicPage(deps, async (w) => {
    const next = safeNext(w.c.req.query('next'));
    if (await optionalCustomer(w)) return w.c.redirect(next ?? '/', 303);
    return loginForm(w, { bye: w.c.req.query('bye') === '1', expired: w.c.req.query('expired') === '1', next });
  }));

  app.post('/login', publicPage(deps, async (w) => {
    const username = (w.form.username ?? '').trim();
    const password = w.form.password ?? '';
    const next = safeNext(w.form.next);
    const meta = { ip: clientIp(w.c), userAgent: w.c.req.header('user-agent') };
    const result = await attempt(w, async () => {
      await limitSignIn(w, username);
      return login(deps, { username, password }, meta);
    });
    if (result.ok) {
      setSecret(w.c, w.deps.config, SESSION_COOKIE, result.value.token);
      await adoptStoredLanguage(w, result.value.customerId);
      return w.c.redirect(next ?? '/', 303);
    }
    if (result.error.code === 'otp_required') {
      setSecret(w.c, w.deps.config, PENDING_LOGIN_COOKIE, sealPendingLogin(deps, username), 300);
      return w.c.redirect(next ? `/login/code?next=${encodeURIComponent(next)}` : '/login/code', 303);
    }
    return loginForm(w, { username, error: result.error.message, status: result.error.status, next,
      credentials: result.error.code === 'invalid_credentials' });
  }));

  app.post('/logout', bankingPage(deps, async (w) => {
    await logout(deps, w.sessionId, w.customerId);
    clearSecret(w.c, w.deps.config, SESSION_COOKIE);
    return w.c.redirect('/login?bye=1', 303);
  }));
}
