// What the command-line tools share: where the server is, which keys to use (arguments, then the
// environment, then data/dev-keys.json written by the first `npm start`), and signed requests.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';

export interface ClientConfig { url: string; keyId: string; secret: string; adminKey: string }

/** Reads `--name value` and `--flag` arguments. */
export function parseArgs(argv: string[]): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = true;
  }
  return { flags, positional };
}

export function resolveClientConfig(flags: Record<string, string | true>, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const file = resolve(typeof flags.keys === 'string' ? flags.keys : 'data/dev-keys.json');
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const pick = (flag: string, name: string) =>
    (typeof flags[flag] === 'string' ? flags[flag] as string : undefined) ?? env[name] ?? stored[name];
  const config = {
    url: (pick('url', 'ISC_URL') ?? `http://localhost:${env.PORT ?? 3000}`).replace(/\/$/, ''),
    keyId: pick('key-id', 'NETWORK_KEY_ID') ?? '',
    secret: pick('secret', 'NETWORK_SECRET') ?? '',
    adminKey: pick('admin-key', 'ADMIN_API_KEY') ?? '',
  };
  if (!config.keyId || !config.secret) {
    throw new Error(`No network key: pass --key-id and --secret, set NETWORK_KEY_ID and NETWORK_SECRET, or start the server once so that ${file} exists.`);
  }
  return config;
}

export function signedHeaders(c: Pick<ClientConfig, 'keyId' | 'secret'>, method: string, path: string, rawBody: string, nowMs = Date.now()) {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'content-type': 'application/json',
    'x-key-id': c.keyId,
    'x-timestamp': timestamp,
    'x-signature': signNetworkRequest(c.secret, timestamp, method, path, rawBody),
  };
}

export interface HttpAnswer { status: number; body: any }

export async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const raw = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(url, { method, body: raw, headers: { ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

export function signedPost(c: ClientConfig, path: string, body: unknown): Promise<HttpAnswer> {
  const raw = JSON.stringify(body);
  return fetch(c.url + path, { method: 'POST', body: raw, headers: signedHeaders(c, 'POST', path, raw) })
    .then(async (res) => ({ status: res.status, body: await res.json().catch(() => undefined) }));
}

/** True when the module was started from the command line rather than imported (tests import it). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;
}
