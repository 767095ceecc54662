import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { getProduct, updateProduct } from '../../service/admin/products.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { ProductSchema, ProductUpdateSchema } from './schemas.js';

const CodeParam = z.object({ code: z.string().min(1).max(64) });

const get = createRoute({
  method: 'get', path: '/v1/admin/products/{code}', tags: ['admin'], summary: 'Read the product',
  security: [{ adminKey: [] }], request: { params: CodeParam },
  responses: { 200: jsonResponse(ProductSchema, 'The product'), 404: problemResponse('Not found'), ...commonErrors },
});

const put = createRoute({
  method: 'put', path: '/v1/admin/products/{code}', tags: ['admin'], summary: 'Change product fields',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops')] as const,
  request: { params: CodeParam, body: jsonBody(ProductUpdateSchema) },
  responses: { 200: jsonResponse(ProductSchema, 'The product after the change'), 404: problemResponse('Not found'), ...commonErrors },
});

export function registerAdminProducts(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(get, async (c) => c.json(await getProduct(deps, c.req.valid('param').code), 200));
  app.openapi(put, async (c) =>
    c.json(await updateProduct(deps, c.req.valid('param').code, c.req.valid('json'), staffActor(c)), 200));
}
