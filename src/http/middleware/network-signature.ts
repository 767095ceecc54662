// Network requests are signed (SPEC §6): X-Signature = hex HMAC-SHA256(secret,
// `${timestamp}.${METHOD}.${path}.${rawBody}`), X-Timestamp within ±300 s. Anything else is 401.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ServiceError } from '../../service/errors.js';
import { findNetworkSecrets } from '../../service/admin/network-clients.js';
import type { AppDeps, AppEnv } from '../env.js';

export const SIGNATURE_WINDOW_SECONDS = 300;

export function signNetworkRequest(secret: string, timestamp: string, method: string, path: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${method.toUpperCase()}.${path}.${rawBody}`).digest('hex');
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function networkSignature(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function verifyNetworkSignature(c, next) {
    const keyId = c.req.header('x-key-id');
    const timestamp = c.req.header('x-timestamp');
    const signature = c.req.header('x-signature');
    const reject = (detail: string) => new ServiceError('invalid_signature', detail);
    if (!keyId || !timestamp || !signature) throw reject('X-Key-Id, X-Timestamp and X-Signature are required.');
    if (!/^\d{1,12}$/.test(timestamp)) throw reject('X-Timestamp must be unix seconds.');
    const skew = Math.abs(Math.floor(deps.clock.now() / 1000) - Number(timestamp));
    if (skew > SIGNATURE_WINDOW_SECONDS) throw reject('X-Timestamp is outside the allowed window.');
    const secrets = await findNetworkSecrets(deps, keyId);
    const rawBody = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
    const valid = secrets.some((secret) =>
      safeEqualHex(signNetworkRequest(secret, timestamp, c.req.method, c.req.path, rawBody), signature.toLowerCase()));
    if (!valid) throw reject('The signature does not verify.');
    c.set('networkClient', keyId);
    await next();
  };
}
