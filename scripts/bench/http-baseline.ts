// Baseline (a): a bare hono + @hono/node-server route that parses the same JSON body and returns a
// fixed response. Run as its own process by the benchmark: `tsx scripts/bench/http-baseline.ts PORT`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
const answer = { responseCode: '00', approved: true, reason: 'approved', authorizationId: 'auth_fixed', authCode: 'ABC123', billingAmount: 1000, billingCurrency: '414', overLimit: false };
app.post('/v1/network/authorizations', async (c) => {
  const body = await c.req.json();
  if (typeof body !== 'object' || body === null) return c.json({ error: 'bad' }, 400);
  return c.json(answer, 200);
});
serve({ fetch: app.fetch, port: Number(process.argv[2] ?? 3999), hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));
