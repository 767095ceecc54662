// Monthly statements (SPEC §5): calendar months in Asia/Kuwait time (UTC+3 all year, no DST).
// Amounts are signed from the cardholder's side: positive adds to what is owed.
import type { Language } from './money.js';

export const KUWAIT_OFFSET_MS = 3 * 3_600_000;
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** [startMs, endMs) of a "YYYY-MM" month in Kuwait time, or null when malformed. */
export function monthBounds(month: string): { startMs: number; endMs: number } | null {
  const m = MONTH_PATTERN.exec(month);
  if (!m) return null;
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return {
    startMs: Date.UTC(year, index, 1) - KUWAIT_OFFSET_MS,
    endMs: Date.UTC(year, index + 1, 1) - KUWAIT_OFFSET_MS,
  };
}

/** The Kuwait calendar date (YYYY-MM-DD) of an instant. */
export function kuwaitDate(ms: number): string {
  return new Date(ms + KUWAIT_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Kuwait calendar month (YYYY-MM) of an instant. */
export function kuwaitMonth(ms: number): string {
  return kuwaitDate(ms).slice(0, 7);
}

/** Every month from the one `fromMs` falls in to the one `toMs` falls in (Kuwait time), newest first. */
export function statementMonths(fromMs: number, toMs: number): string[] {
  const [fromYear, fromMonth] = kuwaitMonth(fromMs).split('-').map(Number);
  const [toYear, toMonth] = kuwaitMonth(toMs).split('-').map(Number);
  const months: string[] = [];
  for (let index = toYear * 12 + toMonth - 1; index >= fromYear * 12 + fromMonth - 1; index--) {
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

/** A posted transfer seen from the card account: a debit of card:<id> adds to what is owed. */
export function signedForCard(t: { debit_account: string; amount_fils: number }, cardLedgerAccount: string): number {
  return t.debit_account === cardLedgerAccount ? t.amount_fils : -t.amount_fils;
}

export type StatementLineKind = 'purchase' | 'refund' | 'payment' | 'other';

const WORDS: Record<Language, Record<StatementLineKind, string>> = {
  en: { purchase: 'Purchase', refund: 'Refund', payment: 'Payment received, thank you', other: 'Adjustment' },
  ar: { purchase: 'شراء', refund: 'استرداد', payment: 'تم استلام الدفعة، شكراً لك', other: 'تسوية' },
};

export function describeStatementLine(kind: StatementLineKind, merchantName: string | null, language: Language): string {
  const word = WORDS[language][kind];
  return merchantName && (kind === 'purchase' || kind === 'refund') ? `${word} — ${merchantName}` : word;
}
