// Drives a server with autocannon (64 connections by default), signing each request as it goes.
// A run keeps autocannon's histograms unaggregated, so that several runs (the slices of an
// interleaved comparison, see scripts/bench.ts) pool into one result with autocannon's own
// aggregateResult: latency percentiles over every response of every slice, not an average of
// per-slice percentiles.
import autocannon, { type RawResult } from 'autocannon';
import { cpuSeconds } from './service.js';
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

/** A server driven by `alternate`: where, with what requests and load, and its process (for CPU). */
export interface Side { url: string; workload: Workload; options: Omit<LoadOptions, 'seconds'>; pid?: number }

export async function warmUp(sides: Side[], seconds: number): Promise<void> {
  for (const s of sides) await driveRun(s.url, s.workload, { ...s.options, seconds });
}

/**
 * Drives the sides in turn, `slices` slices of `sliceSeconds` each, in ABBA order (first to last,
 * then last to first, …), so that a host whose speed drifts weighs on every side alike. Per side:
 * its runs (pool them with `pooled`) and the CPU seconds its process used during its own slices.
 */
export async function alternate(sides: Side[], o: { slices: number; sliceSeconds: number }): Promise<Array<{ runs: RawResult[]; cpuSeconds: number }>> {
  const results = sides.map(() => ({ runs: [] as RawResult[], cpuSeconds: 0 }));
  const forward = [...sides.keys()];
  const backward = [...forward].reverse();
  for (let i = 0; i < o.slices; i++) {
    for (const k of i % 2 === 0 ? forward : backward) {
      const { url, workload, options, pid } = sides[k];
      const before = pid ? cpuSeconds(pid) : 0;
      results[k].runs.push(await driveRun(url, workload, { ...options, seconds: o.sliceSeconds }));
      if (pid) results[k].cpuSeconds += cpuSeconds(pid) - before;
    }
  }
  return results;
}
