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

/** The 6-digit authenticator code. Digits are always left-to-right, also on Arabic pages. */
export function OtpField({ w, label, error, required = true, autofocus }: { w: Web; label?: string; error?: string; required?: boolean; autofocus?: boolean }) {
  return (
    <Field id="otp" label={label ?? w.t.otpLabel} hint={w.t.otpHint} error={error} autocomplete="one-time-code"
      inputmode="numeric" pattern="[0-9]{6}" maxlength={6} required={required} dir="ltr" autofocus={autofocus} />
  );
}

export function Notice({ kind, children }: { kind: 'success' | 'error' | 'info'; children?: Child }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** Shown at the top of a form that failed. */
export function ErrorNotice({ w, message }: { w: Web; message?: string }) {
  if (!message) return null;
  return (
    <Notice kind="error">
      <strong>{w.t.errorTitle}: </strong>{message}
    </Notice>
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

export function Kd({ fils, lang }: { fils: number; lang: Language }) {
  return <bdi class="amount">{formatKd(fils, lang)}</bdi>;
}

const LOCALE: Record<Language, string> = { en: 'en-GB', ar: 'ar-KW-u-nu-latn' };

/** Dates in Kuwait time, with Latin digits to match the amounts. */
export function formatDate(lang: Language, at: string | number, withTime = false): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    dateStyle: 'medium', ...(withTime ? { timeStyle: 'short' } : {}), timeZone: 'Asia/Kuwait',
  }).format(new Date(at));
}
