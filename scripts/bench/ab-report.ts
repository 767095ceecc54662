// The A/B scripts' common end (ab-http.ts, ab-code.ts): warm both sides up, drive them in
// alternating slices, print each side's pooled result and slices, and B against A pair by pair.
import { alternate, pooled, runRate, warmUp, type Side } from './load.js';

/** Connections per side, as `npm run bench` drives the service. */
export const AB_CONNECTIONS = 64;

/** Slices per side (default 10) and seconds per slice (default 5) from the command line. */
export function sliceArgs(slicesArg: string | undefined, secondsArg: string | undefined): { slices: number; sliceSeconds: number } {
  const slices = Number(slicesArg ?? 10);
  const sliceSeconds = Number(secondsArg ?? 5);
  if (!(Number.isInteger(slices) && slices >= 1 && sliceSeconds > 0)) throw new Error('slices per side must be a whole number ≥ 1, seconds per slice > 0');
  return { slices, sliceSeconds };
}

export async function compareTwo(sides: [Side, Side], labels: [string, string], o: { slices: number; sliceSeconds: number; connections: number }): Promise<void> {
  await warmUp(sides, 3);
  const measured = await alternate(sides, { slices: o.slices, sliceSeconds: o.sliceSeconds });
  const results = measured.map((m, k) => ({ cpu: m.cpuSeconds, rates: m.runs.map(runRate), result: pooled(sides[k].url, o.connections, m.runs) }));
  for (const [k, { cpu, rates, result }] of results.entries()) {
    console.log(`${labels[k]}: ${Math.round(result.perSec)} auth/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${Math.round((cpu * 1e6) / result.requests)} µs CPU per authorization, non-2xx ${result.non2xx}`);
    console.log(`  slices: ${rates.map((r) => Math.round(r)).join(' ')}`);
  }
  const [ra, rb] = results;
  const pairs = ra.rates.map((r, i) => rb.rates[i] / r - 1);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
  console.log(`B against A: ${pct(rb.result.perSec / ra.result.perSec - 1)} auth/s; slice by slice ${pairs.map(pct).join(', ')} (B faster in ${pairs.filter((x) => x > 0).length} of ${pairs.length})`);
}
