// Two kinds of decline look different to the cardholder. The customer's own (over the limit, a
// mistyped CVV2 or expiry, a 3-D Secure approval missing or expired, their own freeze) they can put
// right themselves, and each says how. Security blocks (an ATM, a shop terminal, a blocked kind of
// merchant, a lost or stolen card, guessing at the security code) are someone else using the
// number, and each offers to freeze the card.

export type DeclineKind = 'own' | 'security';

const SECURITY = new Set([
  'invalid_card', 'channel_atm_or_cash', 'channel_card_present', 'channel_not_ecommerce',
  'transaction_not_permitted', 'mcc_blocked', 'card_lost', 'card_stolen', 'card_testing',
]);

export function declineKind(reason: string): DeclineKind {
  return SECURITY.has(reason) ? 'security' : 'own';
}
