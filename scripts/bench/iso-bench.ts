// `npm run bench -- --iso`: the same service driven over ISO 8583 and over HTTP in one run, beside
// a bare TCP echo server driven by the same ISO driver (the floor of TCP and framing), in
// alternating slices (ABBA: echo, ISO, HTTP, HTTP, ISO, echo, …) so that the host's drift weighs on
// all three alike. Each runs in a process of its own: the service (the bundle), the echo server,
// and the load generators here.
import type { RawResult } from 'autocannon';
import type { Secrets } from '../../src/config.js';
import type { SeededCard } from '../seed.js';
import { IsoLoad, pooledIso, type IsoResult, type IsoRun } from './iso-load.js';
import { driveRun, pooled, runRate, type LoadResult } from './load.js';
import { cpuSeconds, histogramDelta, startChild, stopChild, type Child } from './service.js';
import { isoAcquirerId, Workload } from './workload.js';

export interface IsoComparison {
  iso: IsoResult;
  http: LoadResult;
  echo: IsoResult;
  /** The service's CPU (all threads) per authorization during its ISO and its HTTP slices. */
  isoCpuUsPerAuth: number;
  httpCpuUsPerAuth: number;
  /** Mean authorizations per group commit during the ISO and the HTTP slices. */
  isoBatch: number;
  httpBatch: number;
  slices: { iso: number[]; http: number[]; echo: number[] };
}

export async function compareIsoHttp(o: {
  service: Child; isoPort: number; echoPort: number; cards: SeededCard[]; secrets: Secrets;
  httpConnections: number; isoConnections: number; isoDepth: number; slices: number; sliceSeconds: number; warmSeconds: number;
}): Promise<IsoComparison> {
  const echoChild = await startChild('scripts/bench/iso-echo.ts', [String(o.echoPort)], {}, o.echoPort, (l) => l === 'ready');
  const key = { keyId: o.secrets.networkKeyId, secret: o.secrets.networkSecret };
  const common = { connections: o.isoConnections, depth: o.isoDepth, macSecret: key.secret };
  const iso = await IsoLoad.open({ ...common, port: o.isoPort, signOn: key }, new Workload(o.cards, isoAcquirerId()));
  const echo = await IsoLoad.open({ ...common, port: o.echoPort }, new Workload(o.cards, isoAcquirerId()));
  const httpWorkload = new Workload(o.cards);
  const httpLoad = { keyId: key.keyId, secret: key.secret, connections: o.httpConnections };
  const pid = o.service.proc.pid!;
  try {
    const isoRuns: IsoRun[] = [];
    const echoRuns: IsoRun[] = [];
    const httpRuns: RawResult[] = [];
    let isoCpu = 0;
    let httpCpu = 0;
    const batches = { iso: { count: 0, sum: 0 }, http: { count: 0, sum: 0 } };
    const metrics = async () => (await fetch(`${o.service.url}/metrics`)).text();
    const addBatches = (to: { count: number; sum: number }, before: string, after: string) => {
      const d = histogramDelta(before, after, 'db_group_commit_batch_size');
      to.count += d.count;
      to.sum += d.sum;
    };
    const sides: Array<(seconds: number, measured: boolean) => Promise<void>> = [
      async (s, measured) => { const r = await echo.run(s); if (measured) echoRuns.push(r); },
      async (s, measured) => {
        const scraped = measured ? await metrics() : '';
        const before = cpuSeconds(pid);
        const r = await iso.run(s);
        if (!measured) return;
        isoCpu += cpuSeconds(pid) - before;
        isoRuns.push(r);
        addBatches(batches.iso, scraped, await metrics());
      },
      async (s, measured) => {
        const scraped = measured ? await metrics() : '';
        const before = cpuSeconds(pid);
        const r = await driveRun(o.service.url, httpWorkload, { ...httpLoad, seconds: s });
        if (!measured) return;
        httpCpu += cpuSeconds(pid) - before;
        httpRuns.push(r);
        addBatches(batches.http, scraped, await metrics());
      },
    ];
    for (const side of sides) await side(o.warmSeconds, false);
    const forward = [...sides.keys()];
    const backward = [...forward].reverse();
    for (let i = 0; i < o.slices; i++) {
      for (const k of i % 2 === 0 ? forward : backward) await sides[k](o.sliceSeconds, true);
    }
    const isoResult = pooledIso(isoRuns);
    const httpResult = pooled(o.service.url, o.httpConnections, httpRuns);
    return {
      iso: isoResult, http: httpResult, echo: pooledIso(echoRuns),
      isoCpuUsPerAuth: (isoCpu * 1e6) / isoResult.answers, httpCpuUsPerAuth: (httpCpu * 1e6) / httpResult.requests,
      isoBatch: batches.iso.sum / batches.iso.count, httpBatch: batches.http.sum / batches.http.count,
      slices: { iso: isoRuns.map((r) => r.answers / r.seconds), http: httpRuns.map(runRate), echo: echoRuns.map((r) => r.answers / r.seconds) },
    };
  } finally {
    iso.close();
    echo.close();
    await stopChild(echoChild);
  }
}
