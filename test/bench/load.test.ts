// The benchmark's load driver (scripts/bench/load.ts) against a real HTTP server: runs taken apart
// (the alternating slices of `npm run bench`) pool into one result whose rate is all responses over
// all the time driven, and whose percentiles are over every response, not averages of per-run ones.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alternate, driveRun, pooled, runRate } from '../../scripts/bench/load.js';
import { Workload } from '../../scripts/bench/workload.js';

let delayMs = 0;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{"responseCode":"00"}'), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('pools runs: rate over the summed durations, percentiles over every response of every run', async () => {
  const workload = new Workload([{ pan: '4657810000000001', expiry: '2911', cvv2: '123', limitFils: 100_000 }]);
  const options = { keyId: 'k', secret: 's', connections: 8, seconds: 1 };
  delayMs = 2;
  const fast = await driveRun(url, workload, options);
  delayMs = 40;
  const slow = await driveRun(url, workload, options);
  const [fastRate, slowRate, fastCount, slowCount] = [runRate(fast), runRate(slow), fast.totalCompletedRequests, slow.totalCompletedRequests];
  const seconds = fast.duration + slow.duration;

  const both = pooled(url, 8, [fast, slow]);
  // Pooling leaves the runs as they were: the same runs pooled again give the same result.
  expect(pooled(url, 8, [fast, slow])).toEqual(both);
  expect(fast.totalCompletedRequests).toBe(fastCount);
  expect(Object.values(fast.statusCodeStats).reduce((s, v) => s + v.count, 0)).toBe(fastCount);

  expect(both.requests).toBe(fastCount + slowCount);
  expect(both.perSec).toBeCloseTo((fastCount + slowCount) / seconds, 6);
  expect(both.perSec).toBeGreaterThan(slowRate);
  expect(both.perSec).toBeLessThan(fastRate);
  expect(both.non2xx).toBe(0);
  // The slow run holds more than 1 % of all responses (8 connections at 40 ms: ~200 a second, the
  // fast one a few thousand): the pooled p99 is a slow response, the pooled p50 a fast one.
  expect(slowCount / (fastCount + slowCount)).toBeGreaterThan(0.01);
  expect(both.p99Ms).toBeGreaterThanOrEqual(40);
  expect(both.p50Ms).toBeLessThan(40);
});

it('alternates three servers slice by slice and returns each one its own runs, in the order given', async () => {
  // The bench drives the route, the service and the 10,000-card reference this way; a mix-up of
  // their results would swap figures between them. Each server here has a latency of its own.
  const delays = [1, 25, 60];
  const order: number[] = [];
  const servers = await Promise.all(delays.map((delay, k) => new Promise<Server>((resolve) => {
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => { if (order[order.length - 1] !== k) order.push(k); setTimeout(() => res.end('{"responseCode":"00"}'), delay); });
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  try {
    const workload = new Workload([{ pan: '4657810000000001', expiry: '2911', cvv2: '123', limitFils: 100_000 }]);
    const sides = servers.map((s) => ({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, workload, options: { keyId: 'k', secret: 's', connections: 4 } }));
    const results = await alternate(sides, { slices: 2, sliceSeconds: 0.5 });
    expect(results).toHaveLength(3);
    expect(order).toEqual([0, 1, 2, 1, 0]); // forward, then backward: the last side runs twice in a row
    results.forEach((r, k) => {
      expect(r.runs).toHaveLength(2);
      const p50 = pooled(sides[k].url, 4, r.runs).p50Ms;
      expect(p50).toBeGreaterThanOrEqual(delays[k]);
      expect(p50).toBeLessThan(delays[k] + 20);
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
});
