// Network simulator (npm run simulate): against a running server, creates a fresh customer with
// TOTP and a card (admin + online-banking APIs), reveals the card with a code, then sends signed
// authorizations through every channel the card must refuse and past its limit, an account
// verification, a credential-on-file purchase that names it and a refund, and prints each decision
// in a table; then the messages that follow an authorization: a stand-in advice and its reversal
// advice, a split shipment cleared in two parts, and the announced refund's clearing.
//   npm run simulate -- [--url http://localhost:3000] [--key-id ID --secret S] [--admin-key K]
//                       [--show-card]   also print the test card's PAN, expiry and CVV2
//                       [--card-only]   only create the customer and card and print them (for curl by hand)
import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { formatKd } from '../src/domain/money.js';
import { call, isMain, parseArgs, resolveClientConfig, signedPost, type ClientConfig, type HttpAnswer } from './lib/client.js';

export interface Scenario {
  name: string;
  amountFils: number;
  /** Fields that make the request what it is (channel, entry mode, terminal…). */
  request: Record<string, unknown>;
  expect: string;
  /** Credential on file: the scenario (by name) whose authorizationId this one names as initialTransactionId. */
  initialFrom?: string;
}

export interface SimulationRow {
  scenario: string;
  amountFils: number;
  responseCode: string;
  reason: string;
  approved: boolean;
  overLimit: boolean;
  authCode: string;
  expected: string;
}

const WEB = { posEntryMode: '812', posConditionCode: '59', mcc: '5732' };
const ON_FILE = { posEntryMode: '100', posConditionCode: '00' };

/** The story on a 100 KD card: web purchases of 90 KD, every refused channel, then the limit. */
export const SCENARIOS: Scenario[] = [
  { name: 'Web purchase (e-commerce, CVV2)', amountFils: 12_500, request: { ...WEB, merchantName: 'Gulf Books Online' }, expect: '00' },
  { name: 'Card check when storing the card (verification)', amountFils: 0, request: { ...WEB, mcc: '4899', merchantId: 'SIM-STREAMBOX', merchantName: 'StreamBox Subscription' }, expect: '85' },
  { name: 'Card on file (no CVV2), names the check', amountFils: 4_750, request: { ...ON_FILE, mcc: '4899', merchantId: 'SIM-STREAMBOX', merchantName: 'StreamBox Subscription', cvv2: undefined }, initialFrom: 'Card check when storing the card (verification)', expect: '00' },
  { name: 'Card on file (no CVV2), nothing stored', amountFils: 4_750, request: { ...ON_FILE, mcc: '4899', merchantId: 'SIM-OTHERSTREAM', merchantName: 'Other Stream', cvv2: undefined }, expect: 'N7' },
  { name: 'ATM withdrawal', amountFils: 20_000, request: { processingCode: '010000', mcc: '6011', posEntryMode: '051', posConditionCode: '00', terminalType: 'atm', pinPresent: true, merchantName: 'Bank ATM Salmiya', cvv2: undefined }, expect: '57' },
  { name: 'Chip purchase at a shop (PIN)', amountFils: 8_000, request: { mcc: '5411', posEntryMode: '051', posConditionCode: '00', terminalType: 'pos', pinPresent: true, merchantName: 'City Supermarket', cvv2: undefined }, expect: '57' },
  { name: 'Contactless purchase (tap)', amountFils: 3_000, request: { mcc: '5814', posEntryMode: '071', posConditionCode: '00', terminalType: 'pos', merchantName: 'Corner Cafe', cvv2: undefined }, expect: '57' },
  { name: 'Phone as terminal (softpos tap)', amountFils: 2_500, request: { mcc: '5499', posEntryMode: '071', posConditionCode: '00', terminalType: 'softpos', merchantName: 'Market Stall', cvv2: undefined }, expect: '57' },
  { name: 'Mail-order purchase', amountFils: 9_000, request: { mcc: '5964', posEntryMode: '012', posConditionCode: '08', merchantName: 'Catalogue Direct' }, expect: '57' },
  { name: 'Web purchase', amountFils: 72_750, request: { ...WEB, mcc: '5311', merchantName: 'Souq Online' }, expect: '00' },
  { name: 'Web purchase past the limit (the one exceed)', amountFils: 15_000, request: { ...WEB, mcc: '5942', merchantName: 'Kuwait Tickets' }, expect: '00 over limit' },
  { name: 'Web purchase past the limit again', amountFils: 1_000, request: { ...WEB, mcc: '5942', merchantName: 'Kuwait Tickets' }, expect: '51' },
  { name: 'Refund announced by the merchant', amountFils: 2_000, request: { ...WEB, processingCode: '200000', merchantId: 'SIM-GULFBOOKS', merchantName: 'Gulf Books Online', cvv2: undefined }, expect: '00 refund' },
];

function must(answer: HttpAnswer, ok: number[], what: string): any {
  if (!ok.includes(answer.status)) {
    const code = typeof answer.body === 'object' && answer.body ? answer.body.code ?? answer.body.title : answer.body;
    throw new Error(`${what} failed: HTTP ${answer.status} ${code ?? ''}`.trim());
  }
  return answer.body;
}

const totp = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

export interface Cardholder { customerId: string; username: string; token: string; cardId: string; maskedPan: string; pan: string; expiry: string; cvv2: string }

/** A fresh customer, with TOTP enrolled and a 100 KD card, revealed with a step-up code. */
export async function createCardholder(c: ClientConfig): Promise<Cardholder> {
  if (!c.adminKey) throw new Error('No admin key: pass --admin-key, set ADMIN_API_KEY, or start the server once so that data/dev-keys.json exists.');
  const admin = { authorization: `Bearer ${c.adminKey}` };
  const username = `sim-${randomBytes(4).toString('hex')}`;
  const password = `sim-${randomBytes(12).toString('hex')}`;
  const customer = must(await call(`${c.url}/v1/admin/customers`, 'POST',
    { username, password, name: 'Simulated Shopper', currentAccountBalance: 500_000 }, admin), [200, 201], 'create customer');
  const session = must(await call(`${c.url}/v1/banking/sessions`, 'POST', { username, password }), [200, 201], 'log in');
  const bearer = { authorization: `Bearer ${session.token}` };
  const enrol = must(await call(`${c.url}/v1/banking/mfa/totp`, 'POST', {}, bearer), [200, 201], 'enrol TOTP');
  must(await call(`${c.url}/v1/banking/mfa/totp/confirm`, 'POST', { otp: await totp(enrol.secret) }, bearer), [200, 201, 204], 'confirm TOTP');
  const card = must(await call(`${c.url}/v1/banking/cards`, 'POST', { limit: 100_000 }, bearer), [200, 201], 'request a card');
  // Each code is accepted once: the reveal uses the next time step (within the ±1 step tolerance).
  const revealed = must(await call(`${c.url}/v1/banking/cards/${card.id}/reveal`, 'POST', { otp: await totp(enrol.secret, 30) }, bearer), [200], 'reveal the card');
  return {
    customerId: customer.id, username, token: session.token, cardId: card.id, maskedPan: card.maskedPan,
    pan: revealed.pan, expiry: revealed.expiry, cvv2: revealed.cvv2,
  };
}

let stanCounter = Math.floor(Math.random() * 900_000);
function authorization(holder: Cardholder, s: Scenario, initialTransactionId?: string): Record<string, unknown> {
  stanCounter = (stanCounter + 1) % 1_000_000;
  const stan = String(stanCounter).padStart(6, '0');
  const body: Record<string, unknown> = {
    mti: '0100', pan: holder.pan, expiry: holder.expiry, cvv2: holder.cvv2, processingCode: '000000',
    amount: s.amountFils, currency: '414', transmissionTime: new Date().toISOString(), stan,
    rrn: `${randomBytes(3).toString('hex').toUpperCase()}${stan}`, acquirerId: '412345',
    merchantId: `SIM-${s.name.length}`, merchantCountry: 'KW', ...s.request,
    ...(initialTransactionId ? { initialTransactionId } : {}),
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

/**
 * The messages after an authorization, one line each: a stand-in advice (the network approved while
 * the issuer was unreachable) and its reversal advice, a 3 KD stand-in purchase shipped in two
 * parts (the repeat of a part posts nothing), and the clearing of the refund the merchant
 * announced, naming the purchase it refunds.
 */
async function afterAuthorization(c: ClientConfig, holder: Cardholder, rows: SimulationRow[], requests: Map<string, Record<string, unknown>>): Promise<string[]> {
  const lines = ['After authorization:'];
  const advice = { ...authorization(holder, { name: 'advice', amountFils: 1_500, request: { ...WEB, merchantName: 'Souq Stand-in' }, expect: '00' }),
    mti: '0120', responseCode: '00', authCode: 'SIM120' };
  const advised = must(await signedPost(c, '/v1/network/authorization-advices', advice), [200], 'authorization advice');
  lines.push(`  0120 advice, network approved ${formatKd(1_500)}: ${advised.responseCode} acknowledged, needsReview ${advised.needsReview}`);
  stanCounter = (stanCounter + 1) % 1_000_000;
  const reversal = { mti: '0420', authorizationId: advised.authorizationId, stan: String(stanCounter).padStart(6, '0'), transmissionTime: new Date().toISOString() };
  const reversed = must(await signedPost(c, '/v1/network/reversal-advices', reversal), [200], 'reversal advice');
  lines.push(`  0420 reversal advice: ${reversed.responseCode}, released ${formatKd(reversed.reversedAmount)}`);

  // Shipped in two parts: approved by the network in stand-in (the card is past its limit by now,
  // and the network's decision stands), then cleared part by part.
  const split = { ...authorization(holder, { name: 'split', amountFils: 3_000, request: { ...WEB, merchantName: 'Two Parcels Store' }, expect: '00' }),
    mti: '0120', responseCode: '00', authCode: 'SIM121' };
  const splitAnswer = must(await signedPost(c, '/v1/network/authorization-advices', split), [200], 'split-shipment advice');
  const record = (r: Record<string, unknown>, amount: number, more: Record<string, unknown>) => ({ pan: holder.pan, rrn: r.rrn, authCode: r.authCode, acquirerId: r.acquirerId,
    amount, currency: '414', processingCode: '000000', mcc: r.mcc, merchantName: r.merchantName, ...more });
  const parts = must(await signedPost(c, '/v1/network/clearings', { records: [
    record(split, 1_800, { clearingSequence: 1, clearingCount: 2 }), record(split, 1_200, { clearingSequence: 2, clearingCount: 2 }),
    record(split, 1_200, { clearingSequence: 2, clearingCount: 2 })] }), [200], 'split clearing');
  lines.push(`  split shipment of ${formatKd(3_000)} (advice ${splitAnswer.responseCode}): part 1 of 2 ${parts.results[0].status}, part 2 of 2 ${parts.results[1].status}, part 2 again ${parts.results[2].status}`);

  const refund = rows.find((r) => r.reason === 'refund_approved');
  const purchase = rows.find((r) => r.reason === 'approved' && r.amountFils > 0);
  if (refund && purchase) {
    const refundRequest = requests.get(refund.scenario)!;
    const cleared = must(await signedPost(c, '/v1/network/clearings', { records: [record(refundRequest, refund.amountFils,
      { processingCode: '200000', authCode: undefined, originalRrn: requests.get(purchase.scenario)!.rrn })] }), [200], 'refund clearing');
    lines.push(`  refund clearing of ${formatKd(refund.amountFils)} naming "${purchase.scenario}": ${cleared.results[0].status}${cleared.results[0].needsReview ? ' (needs review)' : ''}`);
  }
  return lines;
}

function decisionText(r: SimulationRow): string {
  if (r.reason === 'refund_approved') return 'REFUND APPROVED';
  if (r.responseCode === '85') return 'verified (nothing charged)';
  if (!r.approved) return 'declined';
  return r.overLimit ? 'APPROVED (over limit)' : 'APPROVED';
}

/** How a row compares with its scenario's `expect`. */
const outcome = (r: SimulationRow) => `${r.responseCode}${r.overLimit ? ' over limit' : ''}${r.reason === 'refund_approved' ? ' refund' : ''}`;

export function formatTable(rows: SimulationRow[]): string {
  const header = ['#', 'scenario', 'amount', 'code', 'reason', 'decision', 'auth code'];
  const lines = rows.map((r, i) => [
    String(i + 1), r.scenario, formatKd(r.amountFils), r.responseCode, r.reason,
    decisionText(r), r.authCode || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

export async function simulate(c: ClientConfig, write: (text: string) => void = (t) => process.stdout.write(t), o: { showCard?: boolean; cardOnly?: boolean } = {}): Promise<SimulationRow[]> {
  write(`Simulating the card network against ${c.url}\n`);
  const holder = await createCardholder(c);
  write(`Customer ${holder.username}: TOTP enrolled, card ${holder.maskedPan} (limit ${formatKd(100_000)}) issued and revealed with a code.\n`);
  if (o.showCard || o.cardOnly) write(`  Test card: pan ${holder.pan}  expiry ${holder.expiry}  cvv2 ${holder.cvv2}\n`);
  if (o.cardOnly) {
    return [];
  }
  write('\n');

  const rows: SimulationRow[] = [];
  const ids = new Map<string, string>();
  const requests = new Map<string, Record<string, unknown>>();
  for (const s of SCENARIOS) {
    const request = authorization(holder, s, s.initialFrom ? ids.get(s.initialFrom) : undefined);
    requests.set(s.name, request);
    const answer = await signedPost(c, '/v1/network/authorizations', request);
    const body = must(answer, [200], `authorization "${s.name}"`);
    ids.set(s.name, body.authorizationId);
    rows.push({
      scenario: s.name, amountFils: s.amountFils, responseCode: body.responseCode, reason: body.reason,
      approved: body.approved, overLimit: body.overLimit, authCode: body.authCode ?? '', expected: s.expect,
    });
  }
  write(`${formatTable(rows)}\n\n`);

  const card = must(await call(`${c.url}/v1/banking/cards/${holder.cardId}`, 'GET', undefined, { authorization: `Bearer ${holder.token}` }), [200], 'read the card');
  write(`Card now: outstanding ${formatKd(card.outstanding)}, available ${formatKd(card.available)}, over-limit allowance ${card.overLimit.used ? 'used' : 'unused'}.\n`);
  const surprises = rows.filter((r) => outcome(r) !== r.expected);
  if (surprises.length) write(`Different from the default product's expectation: ${surprises.map((r) => r.scenario).join('; ')} (product settings changed?)\n`);
  write(`\n${(await afterAuthorization(c, holder, rows, requests)).join('\n')}\n`);
  return rows;
}

if (isMain(import.meta.url)) {
  const { flags } = parseArgs(process.argv.slice(2));
  let url = '';
  Promise.resolve()
    .then(() => {
      const config = resolveClientConfig(flags);
      url = config.url;
      return simulate(config, undefined, { showCard: flags['show-card'] === true, cardOnly: flags['card-only'] === true });
    })
    .catch((error) => {
      // fetch reports an unreachable server as a bare "fetch failed".
      const unreachable = error instanceof TypeError && error.message === 'fetch failed';
      process.stderr.write(`simulate: ${unreachable ? `cannot reach ${url}: is the server running? (npm start, or pass --url)` : (error as Error).message}\n`);
      process.exit(1);
    });
}
