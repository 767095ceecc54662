// Drives a server with autocannon (64 connections by default), signing each request as it goes.
import autocannon from 'autocannon';
import { AUTH_PATH, signedHeaders, type Workload } from './workload.js';

export interface LoadResult { perSec: number; p50Ms: number; p99Ms: number; requests: number; non2xx: number; errors: number }

export async function drive(url: string, workload: Workload, o: { keyId: string; secret: string; connections: number; seconds: number }): Promise<LoadResult> {
  const result = await autocannon({
    url, connections: o.connections, duration: o.seconds, timeout: 10,
    requests: [{
      method: 'POST', path: AUTH_PATH,
      setupRequest(req) {
        const raw = JSON.stringify(workload.next());
        return { ...req, body: raw, headers: signedHeaders(o.keyId, o.secret, raw) };
      },
    }],
  });
  const total = Object.values(result.statusCodeStats ?? {}).reduce((s, v) => s + Number(v.count), 0);
  return {
    perSec: total / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99,
    requests: total, non2xx: result.non2xx, errors: result.errors,
  };
}
