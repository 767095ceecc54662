// Prints a curl command that sends a JSON body to the network API with the signature headers.
//   npm run -s sign -- /v1/network/authorizations body.json | sh
// Keys: --key-id/--secret, NETWORK_KEY_ID/NETWORK_SECRET, or data/dev-keys.json; server: --url or
// ISC_URL (default http://localhost:3000). The timestamp is now, so run the command within 5 minutes.
// --fresh gives the body a new transmissionTime, stan and rrn, so that it is a new transmission
// rather than a retransmission of the last one (which would be answered from the first, or 94).
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMain, parseArgs, resolveClientConfig, signedHeaders } from './lib/client.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlCommand(o: { url: string; keyId: string; secret: string; path: string; rawBody: string; nowMs?: number }): string {
  const headers = signedHeaders(o, 'POST', o.path, o.rawBody, o.nowMs);
  return [
    'curl -sS -X POST',
    ...Object.entries(headers).map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`),
    `--data-binary ${shellQuote(o.rawBody)}`,
    shellQuote(o.url + o.path),
  ].join(' \\\n  ') + '\n';
}

/** A new idempotency key (acquirerId + stan + transmissionTime) for the same request. */
export function freshen(body: Record<string, unknown>, nowMs = Date.now()): Record<string, unknown> {
  const stan = String(randomInt(1_000_000)).padStart(6, '0');
  return {
    ...body,
    ...('transmissionTime' in body ? { transmissionTime: new Date(nowMs).toISOString() } : {}),
    ...('stan' in body ? { stan } : {}),
    ...('rrn' in body ? { rrn: `${String(nowMs).slice(-6)}${stan}` } : {}),
  };
}

function main() {
  const { flags, positional } = parseArgs(process.argv.slice(2));
  const [path, file] = positional;
  if (!path?.startsWith('/') || !file) {
    process.stderr.write('usage: npm run -s sign -- <path> <body.json> [--fresh] [--url URL] [--key-id ID --secret SECRET]\n');
    process.exit(2);
  }
  const config = resolveClientConfig(flags);
  // Compact the file's JSON: the signature covers the exact bytes curl sends.
  const body = JSON.parse(readFileSync(file, 'utf8'));
  const rawBody = JSON.stringify(flags.fresh === true ? freshen(body) : body);
  process.stdout.write(curlCommand({ ...config, path, rawBody }));
}

if (isMain(import.meta.url)) {
  try { main(); } catch (error) { process.stderr.write(`${(error as Error).message}\n`); process.exit(1); }
}
