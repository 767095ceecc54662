// Sign in, step 2: the authenticator code for the username that passed the password check.
import type { Hono } from 'hono';
import { clientIp } from '../../http/client-ip.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { authorityCookie } from '../../http/middleware/bearer.js';
import { completeLoginWithOtp } from '../../service/banking/sessions.js';
import { Csrf, ErrorNotice, OtpField } from '../components.js';
import { clearSecret, PENDING_LOGIN_COOKIE, SESSION_COOKIE, setSecret } from '../cookies.js';
import { attempt } from '../errors.js';
import { page } from '../layout.js';
import { safeNext } from '../next-path.js';
import { openPendingLogin } from '../pending-login.js';
import { limitSignIn } from '../rate-limits.js';
import { adoptStoredLanguage, publicPage, type Web } from '../web-context.js';

function codeForm(w: Web, o: { error?: string; status?: number; next?: string | null } = {}) {
  const { t } = w;
  return page(w, { title: t.loginOtpTitle, status: o.status }, (
    <section class="panel narrow">
      <h1>{t.loginOtpTitle}</h1>
      <p>{t.loginOtpIntro}</p>
      <ErrorNotice w={w} fields={o.error ? [{ id: 'otp', message: o.error }] : []} />
      <form method="post" action="/login/code" class="stack">
        <Csrf w={w} />
        {o.next ? <input type="hidden" name="next" value={o.next} /> : null}
        <OtpField w={w} error={o.error} autofocus />
        <button type="submit" class="button primary">{t.continue}</button>
      </form>
    </section>
  ));
}

export function registerLoginCodePage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/login/code', publicPage(deps, async (w) => {
    if (!openPendingLogin(deps, authorityCookie(w.c, PENDING_LOGIN_COOKIE))) return w.c.redirect('/login', 303);
    return codeForm(w, { next: safeNext(w.c.req.query('next')) });
  }));

  app.post('/login/code', publicPage(deps, async (w) => {
    const username = openPendingLogin(deps, authorityCookie(w.c, PENDING_LOGIN_COOKIE));
    if (!username) return w.c.redirect('/login', 303);
    const meta = { ip: clientIp(w.c), userAgent: w.c.req.header('user-agent') };
    const result = await attempt(w, async () => {
      await limitSignIn(w, username);
      return completeLoginWithOtp(deps, username, (w.form.otp ?? '').trim(), meta);
    });
    if (!result.ok) {
      if (result.error.code === 'locked') clearSecret(w.c, w.deps.config, PENDING_LOGIN_COOKIE);
      return codeForm(w, { error: result.error.message, status: result.error.status, next: safeNext(w.form.next) });
    }
    clearSecret(w.c, w.deps.config, PENDING_LOGIN_COOKIE);
    setSecret(w.c, w.deps.config, SESSION_COOKIE, result.value.token);
    await adoptStoredLanguage(w, result.value.customerId);
    return w.c.redirect(safeNext(w.form.next) ?? '/', 303);
  }));
}
