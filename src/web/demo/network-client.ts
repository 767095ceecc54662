// The demo shop and terminals talk to the issuer exactly as a gateway would: signed requests to the
// network API, with the demo pages' own client (src/demo.ts), bound to the demo acquirer id alone.
// The request stays inside the server (app.request), so the secret never reaches the browser and no
// port or URL needs configuring.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { signNetworkRequest } from '../../http/middleware/network-signature.js';

export interface NetworkAnswer { status: number; body: Record<string, any> }

export class NetworkClient {
  constructor(private readonly app: Hono<AppEnv>, private readonly deps: AppDeps) {}

  async send(method: 'GET' | 'POST', path: string, body?: object): Promise<NetworkAnswer> {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const timestamp = String(Math.floor(this.deps.clock.now() / 1000));
    const client = this.deps.demoNetwork;
    if (!client) throw new Error('the demo pages run in demo mode only');
    const headers: Record<string, string> = {
      'x-key-id': client.keyId,
      'x-timestamp': timestamp,
      'x-signature': signNetworkRequest(client.secret, timestamp, method, path, raw),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    };
    const res = await this.app.request(path, { method, headers, ...(method === 'POST' ? { body: raw } : {}) });
    const text = await res.text();
    let parsed: Record<string, any> = {};
    try { parsed = text ? JSON.parse(text) : {}; } catch { /* not JSON: leave empty */ }
    return { status: res.status, body: parsed };
  }
}
