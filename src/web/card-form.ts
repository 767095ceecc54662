// The shape every "do something to my card" page shares: `/cards/:id/…` loads the customer's card
// (another customer's is the 404 page); GET shows the form; POST runs the service call and either
// redirects (Post/Redirect/Get) or shows the form again with the error.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/env.js';
import type { CardView } from '../service/banking/card-view.js';
import { cardOr404 } from './cards.js';
import { attempt, type PageError } from './errors.js';
import { bankingPage, type BankingWeb } from './web-context.js';

/** A banking page about one of the customer's cards (the `:id` path parameter). */
export function cardPage(deps: AppDeps, handler: (w: BankingWeb, card: CardView) => Promise<Response>) {
  return bankingPage(deps, async (w) => {
    const card = await cardOr404(w, w.c.req.param('id')!);
    return card instanceof Response ? card : handler(w, card);
  });
}

export interface CardForm<T> {
  /** The form; shown again with the error when the action fails. */
  form(w: BankingWeb, card: CardView, error?: PageError): Promise<Response>;
  /** The service call a valid post makes. */
  act(w: BankingWeb, card: CardView): Promise<T>;
  /** Where a successful post goes (usually the dashboard with a `?done=` key). */
  done(w: BankingWeb, card: CardView, value: T): string;
}

export function registerCardForm<T>(app: Hono<AppEnv>, deps: AppDeps, path: string, f: CardForm<T>): void {
  app.get(path, cardPage(deps, (w, card) => f.form(w, card)));
  app.post(path, cardPage(deps, async (w, card) => {
    const result = await attempt(w, () => f.act(w, card));
    return result.ok ? w.c.redirect(f.done(w, card, result.value), 303) : f.form(w, card, result.error);
  }));
}
