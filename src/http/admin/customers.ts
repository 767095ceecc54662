import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { createCustomer, getCustomer } from '../../service/admin/customers.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { CreateCustomerSchema, CustomerCreatedSchema, CustomerSchema, IdParam } from './schemas.js';

const create = createRoute({
  method: 'post', path: '/v1/admin/customers', tags: ['admin'], summary: 'Create a customer with a current account',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops')] as const,
  request: { body: jsonBody(CreateCustomerSchema) },
  responses: { 201: jsonResponse(CustomerCreatedSchema, 'Created'), 409: problemResponse('Username taken'), ...commonErrors },
});

const get = createRoute({
  method: 'get', path: '/v1/admin/customers/{id}', tags: ['admin'], summary: 'Read a customer',
  security: [{ adminKey: [] }],
  request: { params: IdParam },
  responses: { 200: jsonResponse(CustomerSchema, 'The customer'), 404: problemResponse('Not found'), ...commonErrors },
});

export function registerAdminCustomers(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(create, async (c) => {
    const customer = await createCustomer(deps, c.req.valid('json'), staffActor(c));
    return c.json({ id: customer.id, username: customer.username, name: customer.name, currentAccountId: customer.currentAccountId }, 201);
  });
  app.openapi(get, async (c) => c.json(await getCustomer(deps, c.req.valid('param').id), 200));
}
