// "Use my card" at the demo terminals: when the visitor is signed in to online banking in this
// browser, the server fills in their card's number itself. The number never goes to the browser.
import { decryptPan } from '../../service/banking/issue-card.js';
import type { ServiceContext } from '../../service/context.js';
import { listCustomerCards } from '../../store/cards.repository.js';
import type { CardEntry } from './messages.js';

export interface MyCard { id: string; masked: string }

const HISTORY = new Set(['replaced', 'cancelled']);

export async function myCards(ctx: ServiceContext, customerId: string): Promise<MyCard[]> {
  const cards = await listCustomerCards(ctx.handle.db, customerId);
  return cards.filter((c) => !HISTORY.has(c.status)).map((c) => ({ id: c.id, masked: `•••• ${c.last4}` }));
}

export async function myCardEntry(ctx: ServiceContext, customerId: string, cardId: string): Promise<CardEntry | null> {
  const cards = await listCustomerCards(ctx.handle.db, customerId);
  const card = cards.find((c) => c.id === cardId && !HISTORY.has(c.status));
  return card ? { pan: decryptPan(ctx, card), expiry: card.expiry } : null;
}
