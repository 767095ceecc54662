// The terminal simulator: an ATM, a shop terminal (chip or tap) and a phone used as a contactless
// terminal. Each sends the network message a real one would and shows the issuer's answer.
import type { Hono } from 'hono';
import { describeReason } from '../../domain/texts/descriptions.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { findCardByFingerprint } from '../../store/cards.repository.js';
import { Csrf, Field } from '../components.js';
import { page } from '../layout.js';
import { optionalCustomer, publicPage, type Web } from '../web-context.js';
import { parseExpiry, parseKdToFils, parsePan } from './card-input.js';
import { terminalMessage, type CardEntry, type TerminalKind } from './messages.js';
import { myCardEntry, myCards, type MyCard } from './my-cards.js';
import { NetworkClient, type NetworkAnswer } from './network-client.js';
import { DemoNote } from './shop.js';

const KINDS: TerminalKind[] = ['atm', 'pos', 'softpos'];
type Screen = { approved: boolean; text: string; code?: string; reason?: string };

function Terminal({ w, kind, cards, screen }: { w: Web; kind: TerminalKind; cards: MyCard[]; screen?: Screen }) {
  const { demo } = w;
  const title = { atm: demo.atmTitle, pos: demo.posTitle, softpos: demo.softposTitle }[kind];
  const intro = { atm: demo.atmIntro, pos: demo.posIntro, softpos: demo.softposIntro }[kind];
  const submit = { atm: demo.withdraw, pos: demo.payAtTerminal, softpos: demo.tapPhone }[kind];
  const picked = w.form.terminal === kind ? w.form : {};
  return (
    <section class="terminal" id={`terminal-${kind}`} aria-labelledby={`${kind}-title`}>
      <h2 id={`${kind}-title`}>{title}</h2>
      <p class="hint">{intro}</p>
      <div class={screen && !screen.approved ? 'terminal-screen refused' : 'terminal-screen'} role="status"
        id={`${kind}-screen`} data-reason={screen?.reason}>
        {screen ? <><strong>{screen.approved ? demo.approved : demo.refused}</strong> — {screen.text}{screen.code ? ` (${screen.code})` : ''}</> : '—'}
      </div>
      <form method="post" action="/demo/terminals" class="stack">
        <Csrf w={w} />
        <input type="hidden" name="terminal" value={kind} />
        {cards.length > 0 ? (
          <div class="field">
            <label for={`${kind}-card`}>{demo.cardSource}</label>
            <select id={`${kind}-card`} name="card">
              {cards.map((c) => <option value={c.id} selected={picked.card === c.id}>{demo.myCard(c.masked)}</option>)}
              <option value="typed" selected={picked.card === 'typed'}>{demo.typedCard}</option>
            </select>
          </div>
        ) : <p class="hint">{demo.typedCardHint}</p>}
        <Field id={`${kind}-pan`} name="pan" label={demo.cardNumber} inputmode="numeric" dir="ltr" value={picked.pan} autocomplete="off" />
        <Field id={`${kind}-expiry`} name="expiry" label={demo.expiry} inputmode="numeric" dir="ltr" value={picked.expiry} maxlength={5} autocomplete="off" />
        {kind === 'pos' ? (
          <fieldset class="choices">
            <legend>{demo.entryMode}</legend>
            <label class="choice"><input type="radio" name="entry" value="chip" checked={picked.entry !== 'contactless'} />{demo.entryChip}</label>
            <label class="choice"><input type="radio" name="entry" value="contactless" checked={picked.entry === 'contactless'} />{demo.entryContactless}</label>
          </fieldset>
        ) : null}
        <Field id={`${kind}-amount`} name="amount" label={demo.amountKd} inputmode="decimal" dir="ltr" value={picked.amount ?? '20.000'} required />
        <button type="submit" class="button primary">{submit}</button>
      </form>
    </section>
  );
}

async function terminalsPage(w: Web, screens: Partial<Record<TerminalKind, Screen>> = {}, status = 200) {
  const customerId = await optionalCustomer(w);
  const cards = customerId ? await myCards(w.deps, customerId) : [];
  return page(w, { title: w.demo.terminalsTitle, nav: 'terminals', langHref: '/demo/terminals', status }, (
    <>
      <h1>{w.demo.terminalsTitle}</h1>
      <DemoNote w={w} />
      <p>{w.demo.terminalsIntro}</p>
      <div class="terminals">
        {KINDS.map((kind) => <Terminal w={w} kind={kind} cards={cards} screen={screens[kind]} />)}
      </div>
    </>
  ));
}

/** The card to present, and whether the signed-in visitor owns it (only the owner is told why). */
async function cardFor(w: Web): Promise<{ card: CardEntry; owned: boolean } | null> {
  // A typed number wins; otherwise the signed-in visitor's picked card.
  const customerId = await optionalCustomer(w);
  const typed = (w.form.pan ?? '').trim() !== '' || w.form.card === 'typed';
  if (customerId && w.form.card && !typed) {
    const mine = await myCardEntry(w.deps, customerId, w.form.card);
    return mine ? { card: mine, owned: true } : null;
  }
  const pan = parsePan(w.form.pan);
  const expiry = parseExpiry(w.form.expiry);
  if (!pan || !expiry) return null;
  const owned = customerId !== null
    && (await findCardByFingerprint(w.deps.handle.db, w.deps.keyring.fingerprint(pan)))?.customer_id === customerId;
  return { card: { pan, expiry }, owned };
}

/**
 * What the terminal's screen shows. Anyone may type any number here, so to a visitor who does not
 * own the card the issuer's answer is one neutral refusal, whatever it was: an issued and an unknown
 * number look alike (no card-number oracle). The owner sees the reason and the response code.
 */
function screenFor(w: Web, answer: NetworkAnswer, owned: boolean): Screen {
  if (answer.status !== 200) return { approved: false, text: w.demo.networkFailed };
  if (!owned) return { approved: false, text: w.demo.terminalNoDetail };
  return { approved: answer.body.approved === true, text: describeReason(answer.body.reason, w.lang), code: answer.body.responseCode, reason: answer.body.reason };
}

export function registerTerminalPages(app: Hono<AppEnv>, deps: AppDeps) {
  const client = new NetworkClient(app, deps);
  app.get('/demo/terminals', publicPage(deps, (w) => terminalsPage(w)));
  app.post('/demo/terminals', publicPage(deps, async (w) => {
    const kind = KINDS.find((k) => k === w.form.terminal);
    if (!kind) return w.c.redirect('/demo/terminals', 303);
    const presented = await cardFor(w);
    const amount = parseKdToFils(w.form.amount);
    if (!presented || !amount) {
      const text = !presented ? `${w.demo.panInvalid} ${w.demo.expiryInvalid}` : w.demo.amountInvalid;
      return terminalsPage(w, { [kind]: { approved: false, text } }, 400);
    }
    const entry = w.form.entry === 'contactless' ? 'contactless' : 'chip';
    const answer = await client.send('POST', '/v1/network/authorizations', terminalMessage(kind, presented.card, amount, deps.clock.now(), entry));
    return terminalsPage(w, { [kind]: screenFor(w, answer, presented.owned) });
  }));
}
