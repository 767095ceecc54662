// Operations surface (issue 9 §4): /metrics, /healthz, /readyz, structured logs with request ids,
// PAN redaction, slow-request warnings.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

const parseLines = (h: Harness) => h.logLines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l));

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
  });

  describe('/metrics', () => {
    it('counts authorizations by response code and reason, over-limit grants, latency, event-loop lag and the database', async () => {
      await h.authorize(holder, { amount: 1_000 });
      await h.authorize(holder, { posEntryMode: '051', posConditionCode: '00' });
      const over = await h.authorize(holder, { amount: 110_000 });
      expect(over.body).toMatchObject({ responseCode: '00', overLimit: true });
      const res = await h.request('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const m = res.text;
      expect(m).toMatch(/^card_authorizations_total\{response_code="00",reason="approved"\} 1$/m);
      expect(m).toMatch(/^card_authorizations_total\{response_code="57",reason="channel_card_present"\} 1$/m);
      expect(m).toMatch(/^card_authorizations_total\{response_code="00",reason="approved_over_limit"\} 1$/m);
      expect(m).toMatch(/^card_over_limit_grants_total 1$/m);
      expect(m).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/v1\/network\/authorizations",status="200"\} 3$/m);
      expect(m).toMatch(/^nodejs_eventloop_lag_seconds \S+$/m);
      expect(m).toMatch(/^nodejs_eventloop_lag_p99_seconds \S+$/m);
      if (backend === 'postgres') {
        expect(m).toMatch(/^db_pool_connections_total \d+$/m);
        expect(m).toMatch(/^db_pool_waiting 0$/m);
        // The lanes' batches, and what ran again in them.
        expect(m).toMatch(/^db_group_commit_retries_total 0$/m);
        expect(m).toMatch(/^db_group_commit_alone_total 0$/m);
      }
      // Group commit: the three authorizations were committed in batches, on either backend.
      expect(Number(/^db_group_commit_batch_size_sum (\S+)$/m.exec(m)?.[1])).toBeGreaterThanOrEqual(3);
      expect(m).toMatch(/^db_group_commit_queued 0$/m);
    });
  });

  describe('/healthz and /readyz', () => {
    it('healthz answers while the process is up; readyz checks the database and the schema version', async () => {
      expect((await h.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
      const ready = await h.request('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', database: backend });
    });

    it('readyz is 503 while migrations are pending', async () => {
      const other = await Harness.create({ backend });
      try {
        await other.deps.handle.db.deleteFrom('schema_migrations').execute();
        const res = await other.request('GET', '/readyz');
        expect(res.status).toBe(503);
        expect(res.body.status).toBe('migrations pending');
      } finally { await other.close(); }
    });

    it('readyz is 503 when the database is closed; healthz still answers', async () => {
      const other = await Harness.create({ backend });
      await other.deps.handle.close();
      const res = await other.request('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'database unreachable' });
      expect((await other.request('GET', '/healthz')).status).toBe(200);
      await other.close().catch(() => {});
    });
  });

  describe('logs', () => {
    it('one structured line per request, carrying the request id the response names', async () => {
      const res = await h.request('GET', '/healthz');
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const line = parseLines(h).find((l) => l.requestId === id);
      expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/healthz', status: 200, service: 'isc' });
      expect(typeof line.ms).toBe('number');
    });

    it('never writes a PAN or CVV2: not from an authorization, and redacted if a field carries one', async () => {
      await h.authorize(holder, { amount: 500 });
      await h.authorize(holder, { amount: 900_000 });
      h.deps.logger.info({ pan: holder.pan, card: { pan: holder.pan, cvv2: holder.cvv2 } }, 'redaction check');
      const text = h.logLines.join('');
      expect(text).not.toContain(holder.pan);
      const check = parseLines(h).find((l) => l.msg === 'redaction check');
      expect(check).toMatchObject({ pan: '[redacted]', card: { pan: '[redacted]', cvv2: '[redacted]' } });
    });

    it('warns about requests slower than SLOW_REQUEST_MS (0 here: every request)', async () => {
      const slow = await Harness.create({ backend, env: { SLOW_REQUEST_MS: '0' } });
      try {
        const res = await slow.request('GET', '/healthz');
        const line = parseLines(slow).find((l) => l.requestId === res.headers.get('x-request-id'));
        expect(line).toMatchObject({ level: 40, msg: 'slow request', slow: true, route: '/healthz', status: 200 });
      } finally { await slow.close(); }
    });

    it('does not warn below the threshold', async () => {
      const res = await h.request('GET', '/healthz');
      const line = parseLines(h).find((l) => l.requestId === res.headers.get('x-request-id'));
      expect(line.level).toBe(20);
    });
  });
});
