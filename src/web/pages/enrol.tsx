// Set up the authenticator app: QR code (and the key as text), then confirm with a first code.
import type { Hono } from 'hono';
import { raw } from 'hono/html';
import QRCode from 'qrcode';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { confirmTotpEnrolment, startTotpEnrolment } from '../../service/banking/mfa.js';
import { pendingTotpEnrolment } from '../../service/banking/pending-totp.js';
import { clientIp } from '../../http/client-ip.js';
import { Csrf, ErrorNotice, OtpField } from '../components.js';
import { attempt, otpErrors, type PageError } from '../errors.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

async function enrolPage(w: BankingWeb, enrolment: { secret: string; otpauthUrl: string }, error?: PageError) {
  const { t } = w;
  const svg = await QRCode.toString(enrolment.otpauthUrl, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
  const grouped = enrolment.secret.replace(/(.{4})/g, '$1 ').trim();
  return page(w, { title: t.enrolTitle, status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.enrolTitle}</h1>
      <p>{t.enrolIntro}</p>
      <ErrorNotice w={w} {...otpErrors(error)} />
      <div class="qr" role="img" aria-label={t.enrolQrAlt}>{raw(svg)}</div>
      {/* On the phone that holds the app, scanning is impossible: open the app from a link instead. */}
      <p><a id="otpauth-link" class="button" href={enrolment.otpauthUrl}>{t.enrolLink}</a></p>
      <p>{t.enrolManual}</p>
      <p class="copy-row">
        <code id="totp-secret" class="secret" dir="ltr" data-secret={enrolment.secret}>{grouped}</code>
        <button type="button" class="button small" data-copy={enrolment.secret} data-copied={t.copied} hidden>{t.copyKey}</button>
      </p>
      <form method="post" action="/enrol" class="stack">
        <Csrf w={w} />
        <OtpField w={w} label={t.enrolConfirm} error={error?.message} />
        <button type="submit" class="button primary">{t.continue}</button>
      </form>
    </section>
  ));
}

export function registerEnrolPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/enrol', bankingPage(deps, async (w) => {
    if (w.profile.totpEnrolled) return w.c.redirect('/', 303);
    const enrolment = (await pendingTotpEnrolment(deps, w.customerId)) ?? (await startTotpEnrolment(deps, w.customerId));
    return enrolPage(w, enrolment);
  }));

  app.post('/enrol', bankingPage(deps, async (w) => {
    if (w.profile.totpEnrolled) return w.c.redirect('/', 303);
    const result = await attempt(w, () => confirmTotpEnrolment(deps, w.customerId, (w.form.otp ?? '').trim(), clientIp(w.c)));
    if (result.ok) return w.c.redirect('/?done=enrolled', 303);
    const enrolment = (await pendingTotpEnrolment(deps, w.customerId)) ?? (await startTotpEnrolment(deps, w.customerId));
    return enrolPage(w, enrolment, result.error);
  }));
}
