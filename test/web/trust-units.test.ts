// The pure parts behind the trust work, table-tested: digits, display IBAN, one-tap amounts,
// the sign-in return path, decline kinds, how a 3-D Secure challenge ended, amounts in text.
import { describe, expect, it } from 'vitest';
import { declineKind } from '../../src/domain/decline-kind.js';
import { normalizeDigits } from '../../src/domain/digits.js';
import { displayIban, isValidIban, maskIban } from '../../src/domain/iban.js';
import { formatKd } from '../../src/domain/money.js';
import { payAmounts } from '../../src/domain/pay-amounts.js';
import { challengeOutcome } from '../../src/service/three-ds/past-challenges.js';
import { kd } from '../../src/web/format.js';
import { safeNext } from '../../src/web/next-path.js';
import { parseKdToFils } from '../../src/web/pages/payments.js';
import { loadConfig } from '../../src/config.js';

describe('digits', () => {
  it.each([['١٢٣٤٥٦', '123456'], ['۱۲۳۴۵۶', '123456'], ['١٢٫٥', '12.5'], ['1٬500', '1500'], ['abc', 'abc']])('%s → %s', (a, b) => {
    expect(normalizeDigits(a)).toBe(b);
  });
  it.each([['١٢٫٥', 12_500], ['1,500.000', 1_500_000], ['12,5', 12_500], ['۳', 3_000]])('pays %s KD as %i fils', (text, fils) => {
    expect(parseKdToFils(text)).toBe(fils);
  });
});

describe('display IBAN', () => {
  it('is a valid, stable Kuwaiti IBAN of 30 characters, masked to its last four', () => {
    const iban = displayIban('cur_123', 'ISCB');
    expect(iban).toMatch(/^KW\d{2}ISCB\d{22}$/);
    expect(isValidIban(iban)).toBe(true);
    expect(displayIban('cur_123', 'ISCB')).toBe(iban);
    expect(displayIban('cur_124', 'ISCB')).not.toBe(iban);
    expect(maskIban(iban)).toBe(`KW•• •••• •••• ${iban.slice(-4)}`);
    expect(isValidIban('KW81CBKU0000000000001234560101')).toBe(true); // the published example
    expect(isValidIban('KW82CBKU0000000000001234560101')).toBe(false);
  });
});

describe('one-tap amounts', () => {
  it.each([
    [{ postedFils: 30_000, pendingFils: 80_000, limitFils: 100_000 }, 30_000, 10_000],
    [{ postedFils: 30_000, pendingFils: 0, limitFils: 100_000 }, 30_000, null],
    [{ postedFils: 10_000, pendingFils: 105_000, limitFils: 100_000 }, 10_000, null], // pending alone is over
    [{ postedFils: 0, pendingFils: 5_000, limitFils: 100_000 }, null, null],
  ])('%o', (balances, all, under) => {
    expect(payAmounts(balances)).toEqual({ allPostedFils: all, backUnderLimitFils: under });
  });
});

describe('the return path after signing in', () => {
  it.each([
    ['/transactions?card=c1', '/transactions?card=c1'], ['/', '/'], ['//evil.example/x', null], ['/\\evil.example', null],
    ['https://evil.example/', null], ['/login?next=/x', null], ['javascript:alert(1)', null], ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
    ['/a\nb', null], [undefined, null],
  ])('%s → %s', (raw, expected) => { expect(safeNext(raw)).toBe(expected); });
});

describe('declines', () => {
  it.each([['over_limit', 'own'], ['cvv2_mismatch', 'own'], ['authentication_required', 'own'], ['channel_atm_or_cash', 'security'],
    ['channel_card_present', 'security'], ['mcc_blocked', 'security'], ['card_stolen', 'security']])('%s is %s', (reason, kind) => {
    expect(declineKind(reason)).toBe(kind);
  });
});

describe('3-D Secure challenge outcomes', () => {
  const now = 1_000_000;
  it.each([
    [{ trans_status: 'C', decided_at: null, expires_at: now + 1, created_at: now - 10 }, null],
    [{ trans_status: 'C', decided_at: null, expires_at: now, created_at: now - 10 }, 'expired'],
    [{ trans_status: 'Y', decided_at: now - 5, expires_at: now + 600_000, created_at: now - 10 }, 'approved'],
    [{ trans_status: 'N', decided_at: now - 5, expires_at: now + 100, created_at: now - 10 }, 'declined'],
    [{ trans_status: 'N', decided_at: now + 100, expires_at: now + 100, created_at: now - 10 }, 'expired'],
    [{ trans_status: 'Y', decided_at: now - 10, expires_at: now + 600_000, created_at: now - 10 }, null], // frictionless
  ])('%o → %s', (row, outcome) => { expect(challengeOutcome(row, now)).toBe(outcome); });
});

describe('amounts in text', () => {
  it('groups thousands, never breaks between KD and the figure, isolates in Arabic', () => {
    expect(formatKd(1_500_000)).toBe('KD 1,500.000');
    expect(kd(1_500_000, 'en')).toBe('KD\u00a01,500.000');
    expect(kd(12_500, 'ar')).toBe('\u206812.500\u00a0د.ك\u2069');
  });
});

describe('configuration', () => {
  it('names the bank in both languages, the 24/7 number and the idle timeout, with defaults', () => {
    const d = loadConfig({ NODE_ENV: 'test' });
    expect(d.bankNames.en).toBe('Internet Shopping Bank');
    expect(d.bankNames.ar.length).toBeGreaterThan(0);
    expect(d.sessionIdleTimeoutMs).toBe(15 * 60_000);
    const c = loadConfig({ NODE_ENV: 'test', BANK_NAME_EN: 'Gulf Bank', BANK_NAME_AR: 'بنك الخليج', SUPPORT_PHONE: '+965 1805 805', SESSION_IDLE_TIMEOUT_MS: '600000' });
    expect(c.bankNames).toEqual({ en: 'Gulf Bank', ar: 'بنك الخليج' });
    expect(c.supportPhone).toBe('+965 1805 805');
    expect(c.sessionIdleTimeoutMs).toBe(600_000);
    expect(() => loadConfig({ NODE_ENV: 'test', SESSION_IDLE_TIMEOUT_MS: '1000' })).toThrow(/SESSION_IDLE_TIMEOUT_MS/);
  });
});
