// Payments and statements (SPEC §5, §6).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { payCard } from '../../service/banking/pay.js';
import { getStatement } from '../../service/banking/statement.js';
import { fieldError } from '../../service/errors.js';
import { cardholderActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { PaymentRequestSchema, PaymentSchema, StatementParams, StatementSchema } from './money-schemas.js';
import { CardIdParam } from './schemas.js';

const security = [{ bearer: [] }];

const pay = createRoute({
  method: 'post', path: '/v1/banking/cards/{id}/payments', tags: ['banking'], security,
  summary: 'Pay towards the card from your current account (Idempotency-Key honoured)',
  request: { params: CardIdParam, body: jsonBody(PaymentRequestSchema) },
  responses: {
    201: jsonResponse(PaymentSchema, 'The payment, and the card balances after it'),
    404: problemResponse('No such card or current account of yours'),
    409: problemResponse('insufficient_funds, overpayment, nothing_owed or idempotency_conflict'),
    ...commonErrors,
  },
});

const statement = createRoute({
  method: 'get', path: '/v1/banking/cards/{id}/statements/{month}', tags: ['banking'], security,
  summary: 'The statement of one calendar month (Kuwait time)',
  request: { params: StatementParams },
  responses: { 200: jsonResponse(StatementSchema, 'Opening balance, posted lines, closing balance'), 404: problemResponse('No such card of yours'), ...commonErrors },
});

export function registerBankingMoney(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(pay, async (c) => {
    const key = c.req.header('idempotency-key');
    if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) throw fieldError('Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
    const outcome = await payCard(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('json'), cardholderActor(c), key);
    if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(outcome.body, 201);
  });
  app.openapi(statement, async (c) => {
    const { id, month } = c.req.valid('param');
    return c.json(await getStatement(deps, c.get('customerId'), id, month), 200);
  });
}
