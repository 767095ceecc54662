// What the rules of SPEC §4 need, loaded for one authorization or advice: the card as the rules see
// it, the CVV2 check, the billing amount, the account's balances and over-limit allowance, the
// 3-D Secure authentication and the stored credential. Reads only; decideAuthorization decides.
import { timingSafeEqual } from 'node:crypto';
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { effectiveCardStatus } from '../../domain/card-lifecycle.js';
import { isCredentialOnFile } from '../../domain/channel.js';
import { findCurrency } from '../../domain/currencies.js';
import { toBillingFils, withMarkupFils } from '../../domain/fx.js';
import type { Product } from '../../domain/product.js';
import type { AccountFacts, AuthorizationFacts } from '../../domain/rules.js';
import type { AuthorizingAccount, AuthorizingCard } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { findRate } from '../../store/fx.repository.js';
import { findStoredCredential } from '../../store/known-merchants.repository.js';
import type { ServiceContext } from '../context.js';
import { verifyCavv } from '../three-ds/verify-cavv.js';
import { BILLING_CURRENCY } from './authorization-response.js';

export interface AuthorizationConversion { billingFils: number; rate: string | null; networkBillingFils: number | null }

/**
 * The billing amount: KWD as is; another currency from the network's conversion plus our markup
 * when the request carries one (SPEC §5), else at our rate plus markup; null when neither exists.
 */
export async function convert(trx: Trx, request: AuthorizationRequest, product: Product): Promise<AuthorizationConversion | null> {
  if (request.currency !== BILLING_CURRENCY && request.billingAmount !== undefined) {
    return { billingFils: withMarkupFils(request.billingAmount, product.fxMarkupBps), rate: null, networkBillingFils: request.billingAmount };
  }
  const currency = findCurrency(request.currency);
  if (!currency || currency.numeric !== request.currency) return null;
  if (currency.alpha === 'KWD') return { ...toBillingFils(request.amount, currency, '1', 0), networkBillingFils: null };
  const rate = await findRate(trx, currency.numeric);
  return rate ? { ...toBillingFils(request.amount, currency, rate, product.fxMarkupBps), networkBillingFils: null } : null;
}

export interface FactsInput {
  /** The id the authorization will be recorded under. */
  id: string;
  request: AuthorizationRequest;
  card: AuthorizingCard | undefined;
  account: AuthorizingAccount | undefined;
  product: Product;
  billingFils: number | null;
  nowMs: number;
}

export async function loadAuthorizationFacts(trx: Trx, ctx: ServiceContext, i: FactsInput): Promise<AuthorizationFacts> {
  const { request, card, account, billingFils, nowMs } = i;
  return {
    authorizationId: i.id,
    request,
    card: card && account ? { status: effectiveCardStatus(card.status, account.status), expiry: card.expiry } : null,
    cvv2Matches: request.cvv2 === undefined ? null : card ? cvv2Matches(ctx, request.pan, request.cvv2, card) : false,
    product: {
      blockedMccs: i.product.blockedMccs,
      allowMailOrder: i.product.allowMailOrder,
      overLimitMarginPercent: i.product.overLimitMarginPercent,
      threeDsThresholdFils: i.product.threeDSecureThreshold,
    },
    billingFils,
    account: account ? accountFacts(account) : null,
    authentication: card ? await verifyCavv(trx, ctx, { request, card, billingFils, nowMs }) : 'none',
    accountOpen: account?.status === 'open',
    storedCredential: await storedCredential(trx, request, account),
    nowMs,
  };
}

export function accountFacts(account: AuthorizingAccount): AccountFacts {
  return {
    limitFils: account.limit_fils, postedFils: account.posted_fils, heldFils: account.held_fils,
    overLimitEnabled: account.over_limit_enabled === 1, overLimitUsed: account.over_limit_used === 1,
    overLimitAuthorizationId: account.over_limit_auth_id, overLimitUsedAtMs: account.over_limit_used_at,
  };
}

/** Credential on file without CVV2: whether initialTransactionId names a purchase or verification that proved the card here. */
async function storedCredential(trx: Trx, request: AuthorizationRequest, account: AuthorizingAccount | undefined): Promise<boolean> {
  if (!account || request.initialTransactionId === undefined || request.cvv2 !== undefined || !isCredentialOnFile(request)) return false;
  return findStoredCredential(trx, { id: request.initialTransactionId, accountId: account.id, merchantId: request.merchantId });
}

function cvv2Matches(ctx: ServiceContext, pan: string, cvv2: string, card: Pick<AuthorizingCard, 'expiry'>): boolean {
  const expected = Buffer.from(ctx.keyring.cvv2(pan, card.expiry));
  const given = Buffer.from(cvv2);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
