// The demo shop: a catalogue, and a checkout form asking for the card as any web shop would.
import type { Hono } from 'hono';
import { formatKd } from '../../domain/money.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { Csrf, ErrorNotice, Field, Kd } from '../components.js';
import { page } from '../layout.js';
import { publicPage, type Web } from '../web-context.js';
import { CATALOG, findProduct, type Product } from './catalog.js';

export const DemoNote = ({ w }: { w: Web }) => <p class="demo-note">{w.demo.demoNote}</p>;

export interface CheckoutErrors { pan?: string; expiry?: string; cvv2?: string; form?: string }

export function checkoutForm(w: Web, product: Product, errors: CheckoutErrors = {}, status = 200) {
  const { demo, lang } = w;
  const name = demo.products[product.id];
  return page(w, { title: demo.checkoutTitle, nav: 'shop', status, langHref: `/demo/shop/checkout?item=${product.id}` }, (
    <section class="panel narrow">
      <h1>{demo.checkoutTitle}</h1>
      <DemoNote w={w} />
      <h2>{demo.yourOrder}</h2>
      <p id="order">{product.emoji} {name} — <Kd fils={product.priceFils} lang={lang} /></p>
      <ErrorNotice w={w} message={errors.form} />
      <form method="post" action="/demo/shop/checkout" class="stack" autocomplete="on">
        <Csrf w={w} />
        <input type="hidden" name="item" value={product.id} />
        <Field id="pan" label={demo.cardNumber} autocomplete="cc-number" inputmode="numeric" required dir="ltr"
          value={w.form.pan} error={errors.pan} maxlength={23} />
        <Field id="expiry" label={demo.expiry} autocomplete="cc-exp" inputmode="numeric" required dir="ltr"
          value={w.form.expiry} error={errors.expiry} maxlength={5} />
        <Field id="cvv2" label={demo.cvv2} autocomplete="cc-csc" inputmode="numeric" required dir="ltr"
          error={errors.cvv2} maxlength={3} />
        <button type="submit" class="button primary">{demo.payNow(formatKd(product.priceFils, lang))}</button>
      </form>
      <p><a href="/demo/shop">{demo.backToShop}</a></p>
    </section>
  ));
}

export function registerShopPages(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/demo/shop', publicPage(deps, async (w) => {
    const { demo, lang } = w;
    return page(w, { title: demo.shopTitle, nav: 'shop' }, (
      <>
        <h1>{demo.shopTitle}</h1>
        <DemoNote w={w} />
        <p>{demo.shopIntro}</p>
        <ul class="products">
          {CATALOG.map((p) => (
            <li class="product">
              <span class="emoji" aria-hidden="true">{p.emoji}</span>
              <h2>{demo.products[p.id]}</h2>
              <p class="price"><span class="visually-hidden">{demo.price}: </span><Kd fils={p.priceFils} lang={lang} /></p>
              <a class="button primary" href={`/demo/shop/checkout?item=${p.id}`} aria-label={demo.buy(demo.products[p.id])}>{demo.buyShort}</a>
            </li>
          ))}
        </ul>
      </>
    ));
  }));

  app.get('/demo/shop/checkout', publicPage(deps, async (w) => {
    const product = findProduct(w.c.req.query('item'));
    if (!product) return w.c.redirect('/demo/shop', 303);
    return checkoutForm(w, product);
  }));
}
