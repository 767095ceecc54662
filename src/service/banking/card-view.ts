// What online banking shows of a card (SPEC §6): masked only, never the PAN.
import { availableFils, outstandingFils, overLimitMarginFils } from '../../domain/limits.js';
import { expiryDisplay, maskPan } from '../../domain/pan.js';
import type { Product } from '../../domain/product.js';
import type { Card, CardAccount, CardStatus } from '../../store/schema.js';

export interface CardView {
  id: string;
  accountId: string;
  status: CardStatus;
  maskedPan: string;
  last4: string;
  expiry: string;
  limit: number;
  outstanding: number;
  available: number;
  currency: 'KWD';
  overLimit: { enabled: boolean; used: boolean; margin: number; usedAt: string | null };
  channels: { ecommerce: true; atm: false; cardPresent: false };
  createdAt: string;
}

export function cardView(card: Card, account: CardAccount, product: Pick<Product, 'overLimitMarginPercent'>): CardView {
  const balances = { limitFils: account.limit_fils, postedFils: account.posted_fils, heldFils: account.held_fils };
  return {
    id: card.id,
    accountId: account.id,
    status: card.status,
    maskedPan: maskPan(card.bin, card.last4),
    last4: card.last4,
    expiry: expiryDisplay(card.expiry),
    limit: account.limit_fils,
    outstanding: outstandingFils(balances),
    available: availableFils(balances),
    currency: 'KWD',
    overLimit: {
      enabled: account.over_limit_enabled === 1,
      used: account.over_limit_used === 1,
      margin: overLimitMarginFils(account.limit_fils, product.overLimitMarginPercent),
      usedAt: account.over_limit_used_at ? new Date(account.over_limit_used_at).toISOString() : null,
    },
    channels: { ecommerce: true, atm: false, cardPresent: false },
    createdAt: new Date(card.created_at).toISOString(),
  };
}
