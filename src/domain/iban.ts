// A current account as the customer knows it: its IBAN, masked. The model keeps no IBAN, so a
// stable one is derived from the account id (Kuwait's format: KW, two ISO 7064 check digits, a
// four-letter bank code, 22 account characters). It is for display only and never leaves the bank
// as an account number; the id itself is never shown.
import { createHash } from 'node:crypto';

/** ISO 13616 check digits: letters to numbers (A = 10), country and "00" moved to the end, 98 − mod 97. */
export function ibanCheckDigits(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`.toUpperCase().replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of rearranged) remainder = (remainder * 10 + Number(digit)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

export function isValidIban(iban: string): boolean {
  const compact = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  return ibanCheckDigits(compact.slice(0, 2), compact.slice(4)) === compact.slice(2, 4);
}

/** The account's display IBAN: the same id always gives the same 30-character KW IBAN. */
export function displayIban(accountId: string, bankCode: string): string {
  const hash = createHash('sha256').update(`iban:${accountId}`).digest();
  let account = '';
  for (let i = 0; account.length < 22; i += 1) account += String(hash[i % hash.length] % 10);
  const bban = `${bankCode.toUpperCase()}${account}`;
  return `KW${ibanCheckDigits('KW', bban)}${bban}`;
}

/** "KW•• •••• … 1234": the country and the last four only. */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 2)}•• •••• •••• ${iban.slice(-4)}`;
}
