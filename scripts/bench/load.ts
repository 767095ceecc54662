// Drives a server with autocannon (64 connections by default), signing each request as it goes.
// A run keeps autocannon's histograms unaggregated, so that several runs (the slices of an
// interleaved comparison, see scripts/bench.ts) pool into one result with autocannon's own
// aggregateResult: latency percentiles over every response of every slice, not an average of
// per-slice percentiles.
import autocannon, { type RawResult } from 'autocannon';
import { AUTH_PATH, signedHeaders, type Workload } from './workload.js';

export interface LoadResult { perSec: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number; errors: number }

export interface LoadOptions { keyId: string; secret: string; connections: number; seconds: number }

/** One timed run against `url`; pool runs with `pooled`. */
export async function driveRun(url: string, workload: Workload, o: LoadOptions): Promise<RawResult> {
  return autocannon({
    url, connections: o.connections, duration: o.seconds, timeout: 10, skipAggregateResult: true,
    requests: [{
      method: 'POST', path: AUTH_PATH,
      setupRequest(req) {
        const raw = JSON.stringify(workload.next());
        return { ...req, body: raw, headers: signedHeaders(o.keyId, o.secret, raw) };
      },
    }],
  });
}

/** Responses per second of one run. */
export function runRate(run: RawResult): number {
  return run.totalCompletedRequests / run.duration;
}

/** Several runs against the same server as one: requests over their summed durations. */
export function pooled(url: string, connections: number, runs: RawResult[]): LoadResult {
  if (!runs.length) throw new Error('no runs to pool');
  const seconds = runs.reduce((s, r) => s + r.duration, 0);
  const requests = runs.reduce((s, r) => s + r.totalCompletedRequests, 0);
  // aggregateResult adds the status counts of later runs into the first run's own object: it gets
  // copies, so that the runs stay as they were.
  const result = autocannon.aggregateResult(runs.map((r) => ({ ...r, statusCodeStats: structuredClone(r.statusCodeStats) })), { url, connections });
  return { perSec: requests / seconds, p50Ms: result.latency.p50, p99Ms: result.latency.p99, requests, non2xx: result.non2xx, errors: result.errors };
}
