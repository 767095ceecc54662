import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { listCurrentAccounts } from '../../service/banking/accounts.js';
import { changeLimit } from '../../service/banking/change-limit.js';
import { requestCard } from '../../service/banking/issue-card.js';
import { getCard, listCards } from '../../service/banking/list-cards.js';
import { switchOverLimit } from '../../service/banking/over-limit-switch.js';
import { revealCard } from '../../service/banking/reveal.js';
import { cardholderActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import {
  AccountsSchema, CardIdParam, CardListSchema, CardSchema, ChangeLimitSchema, OtpOnlySchema, OverLimitSchema,
  RequestCardSchema, RevealSchema,
} from './schemas.js';

const security = [{ bearer: [] }];
const cardErrors = { 404: problemResponse('No such card of yours'), ...commonErrors };

const accounts = createRoute({
  method: 'get', path: '/v1/banking/accounts', tags: ['banking'], summary: 'Your current accounts', security,
  responses: { 200: jsonResponse(AccountsSchema, 'Current accounts'), ...commonErrors },
});
const create = createRoute({
  method: 'post', path: '/v1/banking/cards', tags: ['banking'], summary: 'Request an Internet Shopping Card', security,
  request: { body: jsonBody(RequestCardSchema) },
  responses: { 201: jsonResponse(CardSchema, 'The new card'), 409: problemResponse('You already have one'), ...commonErrors },
});
const list = createRoute({
  method: 'get', path: '/v1/banking/cards', tags: ['banking'], summary: 'Your cards (masked)', security,
  responses: { 200: jsonResponse(CardListSchema, 'Cards'), ...commonErrors },
});
const get = createRoute({
  method: 'get', path: '/v1/banking/cards/{id}', tags: ['banking'], summary: 'One card (masked)', security,
  request: { params: CardIdParam }, responses: { 200: jsonResponse(CardSchema, 'The card'), ...cardErrors },
});
const reveal = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/reveal', tags: ['banking'],
  summary: 'Show the full number, expiry and CVV2 (step-up code required; never cached)', security,
  request: { params: CardIdParam, body: jsonBody(OtpOnlySchema) },
  responses: { 200: jsonResponse(RevealSchema, 'The card details'), 403: problemResponse('Code missing or wrong'), ...cardErrors },
});
const limit = createRoute({
  method: 'put', path: '/v1/banking/cards/{id}/limit', tags: ['banking'],
  summary: 'Change the limit (an increase needs a code)', security,
  request: { params: CardIdParam, body: jsonBody(ChangeLimitSchema) },
  responses: {
    200: jsonResponse(CardSchema, 'The card with its new limit'), 403: problemResponse('Code missing or wrong'),
    409: problemResponse('limit_below_outstanding'), ...cardErrors,
  },
});
const overLimit = createRoute({
  method: 'put', path: '/v1/banking/cards/{id}/over-limit', tags: ['banking'],
  summary: 'Switch the over-limit allowance off or on (on needs a code)', security,
  request: { params: CardIdParam, body: jsonBody(OverLimitSchema) },
  responses: { 200: jsonResponse(CardSchema, 'The card'), 403: problemResponse('Code missing or wrong'), 409: problemResponse('Already used'), ...cardErrors },
});

export function registerBankingCards(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(accounts, async (c) => c.json({ data: await listCurrentAccounts(deps, c.get('customerId')) }, 200));
  app.openapi(create, async (c) => {
    const card = await requestCard(deps, c.get('customerId'), c.req.valid('json').limit, cardholderActor(c));
    deps.events.publish(c.get('customerId'));
    return c.json(card, 201);
  });
  app.openapi(list, async (c) => c.json({ data: await listCards(deps, c.get('customerId')) }, 200));
  app.openapi(get, async (c) => c.json(await getCard(deps, c.get('customerId'), c.req.valid('param').id), 200));
  app.openapi(reveal, async (c) => {
    const details = await revealCard(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('json').otp, cardholderActor(c));
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    return c.json(details, 200);
  });
  app.openapi(limit, async (c) =>
    c.json(await changeLimit(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('json'), cardholderActor(c)), 200));
  app.openapi(overLimit, async (c) =>
    c.json(await switchOverLimit(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('json'), cardholderActor(c)), 200));
}
