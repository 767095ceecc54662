// Paying at the demo shop: validate the card fields, 3-D Secure when the issuer asks for it, then a
// signed e-commerce authorization; the answer is shown as approved or declined with the reason.
import type { Hono } from 'hono';
import { describeReason } from '../../domain/texts/descriptions.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { Csrf, Notice } from '../components.js';
import { page } from '../layout.js';
import { publicPage, type Web } from '../web-context.js';
import { parseCvv2, parseExpiry, parsePan } from './card-input.js';
import { findProduct, type Product } from './catalog.js';
import { ecommercePurchase, type CardEntry } from './messages.js';
import { NetworkClient, type NetworkAnswer } from './network-client.js';
import { openCheckout, sealCheckout } from './sealed-checkout.js';
import { checkoutForm, DemoNote, type CheckoutErrors } from './shop.js';
import { authenticate, readAuthentication } from './three-ds.js';

function resultPage(w: Web, product: Product, answer: NetworkAnswer | { refusedBy3ds: true }) {
  const { demo, lang } = w;
  const approved = !('refusedBy3ds' in answer) && answer.body.approved === true;
  const title = approved ? demo.approvedTitle : demo.declinedTitle;
  let detail: string;
  if ('refusedBy3ds' in answer) detail = demo.threeDsNotAuthenticated;
  else if (answer.status !== 200) detail = demo.networkFailed;
  else detail = approved ? demo.approvedBody(answer.body.authCode) : describeReason(answer.body.reason, lang);
  const code = !('refusedBy3ds' in answer) && answer.status === 200 ? answer.body.responseCode as string : null;
  return page(w, { title, nav: 'shop', langHref: '/demo/shop' }, (
    <section class="panel narrow">
      <h1>{demo.checkoutTitle}</h1>
      <DemoNote w={w} />
      <div id="checkout-result" class={`result ${approved ? 'approved' : 'declined'}`} role="status"
        data-approved={String(approved)} data-reason={'refusedBy3ds' in answer ? 'authentication_failed' : answer.body.reason}>
        <h2>{title}</h2>
        <p>{demo.products[product.id]}</p>
        <p>{detail}</p>
        {approved && !('refusedBy3ds' in answer) && answer.body.overLimit ? <p><strong>{demo.approvedOverLimit}</strong></p> : null}
        {code ? <p class="hint">{demo.responseCode(code)}</p> : null}
      </div>
      <p><a class="button" href="/demo/shop">{demo.backToShop}</a></p>
    </section>
  ));
}

function challengePage(w: Web, sealed: string, waiting = false) {
  const { demo } = w;
  return page(w, { title: demo.threeDsTitle, nav: 'shop', langHref: '/demo/shop' }, (
    <section class="panel narrow">
      <h1>{demo.threeDsTitle}</h1>
      <DemoNote w={w} />
      {waiting ? <Notice kind="info">{demo.threeDsWaiting}</Notice> : null}
      <p id="challenge-note">{demo.threeDsIntro}</p>
      <form method="post" action="/demo/shop/checkout/continue">
        <Csrf w={w} />
        <input type="hidden" name="state" value={sealed} />
        <button type="submit" class="button primary">{demo.threeDsContinue}</button>
      </form>
    </section>
  ));
}

async function authorize(w: Web, client: NetworkClient, card: CardEntry, product: Product, threeDs?: { eci: string; cavv: string }) {
  const answer = await client.send('POST', '/v1/network/authorizations', ecommercePurchase(card, product.priceFils, w.deps.clock.now(), threeDs));
  return resultPage(w, product, answer);
}

export function registerCheckoutPages(app: Hono<AppEnv>, deps: AppDeps) {
  const client = new NetworkClient(app, deps);

  app.post('/demo/shop/checkout', publicPage(deps, async (w) => {
    const product = findProduct(w.form.item);
    if (!product) return w.c.redirect('/demo/shop', 303);
    const pan = parsePan(w.form.pan);
    const expiry = parseExpiry(w.form.expiry);
    const cvv2 = parseCvv2(w.form.cvv2);
    const errors: CheckoutErrors = {
      ...(pan ? {} : { pan: w.demo.panInvalid }), ...(expiry ? {} : { expiry: w.demo.expiryInvalid }), ...(cvv2 ? {} : { cvv2: w.demo.cvvInvalid }),
    };
    if (!pan || !expiry || !cvv2) return checkoutForm(w, product, { ...errors, form: w.t.errors.validation_error }, 400);
    const card = { pan, expiry, cvv2 };
    const threeDs = await authenticate(client, card, product.priceFils);
    if (threeDs.kind === 'challenge') return challengePage(w, sealCheckout(deps, { card, item: product.id, authenticationId: threeDs.id }));
    if (threeDs.kind === 'refused') return resultPage(w, product, { refusedBy3ds: true });
    return authorize(w, client, card, product, threeDs.kind === 'authenticated' ? threeDs : undefined);
  }));

  app.post('/demo/shop/checkout/continue', publicPage(deps, async (w) => {
    const state = openCheckout(deps, w.form.state);
    const product = state && findProduct(state.item);
    if (!state || !product) return w.c.redirect('/demo/shop', 303);
    const threeDs = await readAuthentication(client, state.authenticationId);
    if (threeDs.kind === 'challenge') return challengePage(w, w.form.state!, true);
    if (threeDs.kind !== 'authenticated') return resultPage(w, product, { refusedBy3ds: true });
    return authorize(w, client, state.card, product, threeDs);
  }));
}
