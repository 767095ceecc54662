// Card lifecycle routes (SPEC §6): freeze, unfreeze, report lost/stolen, replace, cancel.
// The legal transitions live in domain/card-lifecycle.ts; illegal ones are 409 invalid_transition.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { cancelCard } from '../../service/banking/cancel-card.js';
import { changeCardStatus } from '../../service/banking/change-card-status.js';
import { replaceCard } from '../../service/banking/replace-card.js';
import { cardholderActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { CardIdParam, CardSchema, ReportCardSchema, StepUpSchema } from './schemas.js';

const security = [{ bearer: [] }];
const errors = {
  404: problemResponse('No such card of yours'),
  409: problemResponse('invalid_transition: not possible from the card\'s status'),
  ...commonErrors,
};
const stepUpErrors = { ...errors, 403: problemResponse('Code missing or wrong') };

const freeze = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/freeze', tags: ['banking'], security,
  summary: 'Freeze the card: purchases are declined (62) until you unfreeze it',
  request: { params: CardIdParam }, responses: { 200: jsonResponse(CardSchema, 'The card'), ...errors },
});
const unfreeze = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/unfreeze', tags: ['banking'], security,
  summary: 'Unfreeze a card frozen by you, or by the card-testing guard (then with a step-up code)',
  request: {
    params: CardIdParam,
    // Optional: only a card the card-testing guard froze needs the code.
    body: { required: false, content: { 'application/json': { schema: StepUpSchema } } },
  },
  responses: { 200: jsonResponse(CardSchema, 'The card'), ...stepUpErrors },
});
const report = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/report', tags: ['banking'], security,
  summary: 'Report the card lost or stolen (final for this card number; request a replacement)',
  request: { params: CardIdParam, body: jsonBody(ReportCardSchema) },
  responses: { 200: jsonResponse(CardSchema, 'The card'), ...errors },
});
const replace = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/replace', tags: ['banking'], security,
  summary: 'Replace the card: new number, expiry and CVV2 on the same account (step-up code)',
  request: { params: CardIdParam, body: jsonBody(StepUpSchema) },
  responses: { 201: jsonResponse(CardSchema, 'The new card'), ...stepUpErrors },
});
const cancel = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/cancel', tags: ['banking'], security,
  summary: 'Cancel the card and close its account (nothing may be outstanding; step-up code)',
  request: { params: CardIdParam, body: jsonBody(StepUpSchema) },
  responses: {
    200: jsonResponse(CardSchema, 'The cancelled card'),
    ...stepUpErrors,
    409: problemResponse('outstanding_balance (with `outstanding` in fils) or invalid_transition'),
  },
});

export function registerBankingCardLifecycle(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(freeze, async (c) =>
    c.json(await changeCardStatus(deps, c.get('customerId'), c.req.valid('param').id, 'freeze', cardholderActor(c)), 200));
  app.openapi(unfreeze, async (c) =>
    c.json(await changeCardStatus(deps, c.get('customerId'), c.req.valid('param').id, 'unfreeze', cardholderActor(c),
      (c.req.valid('json') as { otp?: string } | undefined)?.otp), 200));
  app.openapi(report, async (c) => {
    const action = c.req.valid('json').reason === 'lost' ? 'report_lost' : 'report_stolen';
    return c.json(await changeCardStatus(deps, c.get('customerId'), c.req.valid('param').id, action, cardholderActor(c)), 200);
  });
  app.openapi(replace, async (c) =>
    c.json(await replaceCard(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('json').otp, cardholderActor(c)), 201));
  app.openapi(cancel, async (c) =>
    c.json(await cancelCard(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('json').otp, cardholderActor(c)), 200));
}
