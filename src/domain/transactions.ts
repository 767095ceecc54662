// What the cardholder's transaction list shows (SPEC §6), built from the rows of four tables:
// authorizations (approved and declined), reversals, clearings (incl. refunds) and payments.
// Pure: rows in, items out; the keyset cursor is (createdAt, id), newest first.
import { findCurrency } from './currencies.js';
import { describeReason } from './texts/descriptions.js';
import type { Language } from './money.js';

export { compareNewestFirst, decodeCursor, encodeCursor, type CursorKey } from './cursor.js';

export type TransactionType = 'authorization' | 'reversal' | 'clearing' | 'refund' | 'payment';
export type TransactionStatus = 'pending' | 'posted' | 'reversed' | 'expired' | 'declined' | 'verified';

export interface TransactionItem {
  id: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: number;
  currency: string;            // ISO 4217 alphabetic (the banking API's form)
  billingAmount: number | null; // fils; null when it could not be computed (unsupported currency)
  merchantName: string | null;
  mcc: string | null;
  responseCode: string | null;
  reason: string | null;
  description: string;
  overLimit: boolean;
  createdAt: string;
}

export const alphaCurrency = (code: string): string => findCurrency(code)?.alpha ?? code;

const AUTH_STATUS: Record<string, TransactionStatus> = {
  pending: 'pending', reversed: 'reversed', expired: 'expired', declined: 'declined', cleared: 'posted', verified: 'verified',
};

const MOVEMENTS: Record<string, Record<Language, string>> = {
  clearing: { en: 'Purchase posted', ar: 'تم قيد عملية الشراء' },
  clearing_unmatched: { en: 'Purchase posted (no matching authorization)', ar: 'تم قيد عملية شراء بدون تفويض مطابق' },
  refund: { en: 'Refund from the merchant', ar: 'مبلغ مسترد من التاجر' },
  payment: { en: 'Payment from your current account', ar: 'دفعة من حسابك الجاري' },
  reversal: { en: 'Cancelled by the merchant', ar: 'ألغاها التاجر' },
  partial_reversal: { en: 'Partly cancelled by the merchant', ar: 'ألغى التاجر جزءاً منها' },
};

const iso = (ms: number) => new Date(ms).toISOString();

export interface AuthorizationRow {
  id: string; status: string; amount: number; currency: string; billing_fils: number | null; merchant_name: string;
  mcc: string; response_code: string; reason: string; over_limit: number; created_at: number; processing_code: string;
}

/**
 * An authorization as the cardholder sees it: a refund authorization (processing code 20) is a
 * `refund`, pending until its clearing posts it; an account verification has status `verified`.
 */
export function authorizationItem(r: AuthorizationRow, language: Language): TransactionItem {
  return {
    id: r.id, type: r.processing_code.startsWith('20') ? 'refund' : 'authorization', status: AUTH_STATUS[r.status] ?? 'pending', amount: r.amount,
    currency: alphaCurrency(r.currency), billingAmount: r.billing_fils, merchantName: r.merchant_name, mcc: r.mcc,
    responseCode: r.response_code, reason: r.reason, description: describeReason(r.reason, language),
    overLimit: r.over_limit === 1, createdAt: iso(r.created_at),
  };
}

export interface ReversalRow {
  id: string; reversed_fils: number; replacement_amount: number; merchant_name: string; mcc: string; created_at: number;
}

/** The amount released, in KWD fils (the original-currency amount of a partial release is not stored). */
export function reversalItem(r: ReversalRow, language: Language): TransactionItem {
  return {
    id: r.id, type: 'reversal', status: 'reversed', amount: r.reversed_fils, currency: 'KWD', billingAmount: r.reversed_fils,
    merchantName: r.merchant_name, mcc: r.mcc, responseCode: '00', reason: null,
    description: MOVEMENTS[r.replacement_amount > 0 ? 'partial_reversal' : 'reversal'][language],
    overLimit: false, createdAt: iso(r.created_at),
  };
}

export interface ClearingRow {
  id: string; status: string; processing_code: string; amount: number; currency: string; billing_fils: number;
  merchant_name: string; mcc: string; created_at: number;
}

export function clearingItem(r: ClearingRow, language: Language): TransactionItem {
  const refund = r.processing_code.startsWith('20');
  const key = refund ? 'refund' : r.status === 'posted_unmatched' ? 'clearing_unmatched' : 'clearing';
  return {
    id: r.id, type: refund ? 'refund' : 'clearing', status: 'posted', amount: r.amount, currency: alphaCurrency(r.currency),
    billingAmount: r.billing_fils, merchantName: r.merchant_name, mcc: r.mcc, responseCode: null, reason: r.status,
    description: MOVEMENTS[key][language], overLimit: false, createdAt: iso(r.created_at),
  };
}

export interface PaymentRow { id: string; amount_fils: number; created_at: number }

export function paymentItem(r: PaymentRow, language: Language): TransactionItem {
  return {
    id: r.id, type: 'payment', status: 'posted', amount: r.amount_fils, currency: 'KWD', billingAmount: r.amount_fils,
    merchantName: null, mcc: null, responseCode: null, reason: null, description: MOVEMENTS.payment[language],
    overLimit: false, createdAt: iso(r.created_at),
  };
}

export const asLanguage = (value: string | null | undefined): Language => (value === 'ar' ? 'ar' : 'en');
