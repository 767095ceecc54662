// Small building blocks shared by the pages: labelled fields, the code field, notices, the bar.
import type { Child } from 'hono/jsx';
import { formatKd } from '../domain/money.js';
import type { Language } from './i18n/index.js';
import type { Web } from './web-context.js';

export function Csrf({ w }: { w: Web }) {
  return <input type="hidden" name="_csrf" value={w.csrf} />;
}

interface FieldProps {
  id: string;
  label: string;
  name?: string;
  type?: string;
  value?: string;
  hint?: string;
  error?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'decimal' | 'text';
  pattern?: string;
  maxlength?: number;
  required?: boolean;
  dir?: 'ltr' | 'rtl' | 'auto';
  autofocus?: boolean;
}

/** An input with its label, an optional hint and error, wired with aria-describedby. */
export function Field(p: FieldProps) {
  const described = [p.hint ? `${p.id}-hint` : '', p.error ? `${p.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={p.error ? 'field has-error' : 'field'}>
      <label for={p.id}>{p.label}</label>
      {p.hint ? <p class="hint" id={`${p.id}-hint`}>{p.hint}</p> : null}
      {p.error ? <p class="field-error" id={`${p.id}-error`}>{p.error}</p> : null}
      <input id={p.id} name={p.name ?? p.id} type={p.type ?? 'text'} value={p.value} autocomplete={p.autocomplete}
        inputmode={p.inputmode} pattern={p.pattern} maxlength={p.maxlength} required={p.required} dir={p.dir}
        autofocus={p.autofocus} aria-describedby={described || undefined} aria-invalid={p.error ? 'true' : undefined} />
    </div>
  );
}

/** The posted code, or undefined when the field was left empty (the service then asks for one). */
export const formOtp = (w: Web): string | undefined => (w.form.otp ?? '').trim() || undefined;

/** Six digits, Latin or Arabic-Indic (the server reads both: domain/digits.ts). */
const DIGITS6 = '[0-9\u0660-\u0669\u06F0-\u06F9]{6}';

/** The 6-digit authenticator code. Digits are always left-to-right, also on Arabic pages. */
export function OtpField({ w, label, error, required = true, autofocus, id = 'otp' }: { w: Web; label?: string; error?: string; required?: boolean; autofocus?: boolean; id?: string }) {
  return (
    <>
      <Field id={id} name="otp" label={label ?? w.t.otpLabel} hint={w.t.otpHint} error={error} autocomplete="one-time-code"
        inputmode="numeric" pattern={DIGITS6} maxlength={6} required={required} dir="ltr" autofocus={autofocus} />
      <p class="never-ask" data-never-ask>{w.t.neverAskCodes}</p>
    </>
  );
}

export function Notice({ kind, children }: { kind: 'success' | 'error' | 'info'; children?: Child }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/**
 * Shown at the top of a form that failed: an error summary the client script moves focus to, with a
 * link to each field at fault (the field itself says what is wrong beside it).
 */
export function ErrorNotice({ w, message, fields = [] }: { w: Web; message?: string; fields?: { id: string; message: string }[] }) {
  if (!message && fields.length === 0) return null;
  return (
    <div class="notice notice-error error-summary" role="alert" tabindex={-1} data-error-summary aria-labelledby="error-summary-title">
      <h2 id="error-summary-title" class="error-summary-title">{w.t.errorTitle}</h2>
      {message ? <p>{message}</p> : null}
      {fields.length ? (
        <ul class="error-summary-list">
          {fields.map((f) => <li><a href={`#${f.id}`}>{f.message}</a></li>)}
        </ul>
      ) : null}
    </div>
  );
}

/** Available credit as a bar, with the numbers in words for screen readers. */
export function AvailableBar({ w, available, limit }: { w: Web; available: number; limit: number }) {
  const percent = limit > 0 ? Math.max(0, Math.min(100, Math.round((available / limit) * 100))) : 0;
  const label = w.t.availableBar(formatKd(available, w.lang), formatKd(limit, w.lang));
  return (
    <div class="bar-wrap">
      <div class="bar" role="img" aria-label={label}>
        <div class={percent < 15 ? 'bar-fill low' : 'bar-fill'} style={`width:${percent}%`}></div>
      </div>
      <p class="bar-text" aria-hidden="true">{label}</p>
    </div>
  );
}

/** An amount, kept left-to-right inside Arabic text. */
/** The product's allowed limits as radio buttons (request a card, change the limit). */
export function LimitChoices({ legend, limits, chosen, lang }: { legend: string; limits: number[]; chosen: number | undefined; lang: Language }) {
  return (
    <fieldset class="choices">
      <legend>{legend}</legend>
      {limits.map((limit) => (
        <label class="choice">
          <input type="radio" name="limit" value={String(limit)} checked={limit === chosen} required />
          <Kd fils={limit} lang={lang} />
        </label>
      ))}
    </fieldset>
  );
}

export function Kd({ fils, lang, id }: { fils: number; lang: Language; id?: string }) {
  // The no-break space keeps the currency and the figure on one line.
  return <bdi class="amount" id={id}>{formatKd(fils, lang).replace(' ', '\u00a0')}</bdi>;
}

const LOCALE: Record<Language, string> = { en: 'en-GB', ar: 'ar-KW-u-nu-latn' };

/** Dates in Kuwait time, with Latin digits to match the amounts. */
export function formatDate(lang: Language, at: string | number, withTime = false): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    dateStyle: 'medium', ...(withTime ? { timeStyle: 'short' } : {}), timeZone: 'Asia/Kuwait',
  }).format(new Date(at));
}
