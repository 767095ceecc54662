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

export interface SignedRequest {
  keyId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  method: string;
  path: string;
  rawBody: string;
}

/**
 * Checks a network request's signature: the calling client's key id when it verifies, otherwise
 * the reason (the 401's detail). Shared by the middleware and the authorization fast path.
 */
export async function checkNetworkSignature(deps: AppDeps, r: SignedRequest): Promise<{ keyId: string } | { refused: string }> {
  const { keyId, timestamp, signature } = r;
  if (!keyId || !timestamp || !signature) return { refused: 'X-Key-Id, X-Timestamp and X-Signature are required.' };
  if (!/^\d{1,12}$/.test(timestamp)) return { refused: 'X-Timestamp must be unix seconds.' };
  const skew = Math.abs(Math.floor(deps.clock.now() / 1000) - Number(timestamp));
  if (skew > SIGNATURE_WINDOW_SECONDS) return { refused: 'X-Timestamp is outside the allowed window.' };
  const secrets = await findNetworkSecrets(deps, keyId);
  const given = signature.toLowerCase();
  const valid = secrets.some((secret) => safeEqualHex(signNetworkRequest(secret, timestamp, r.method, r.path, r.rawBody), given));
  return valid ? { keyId } : { refused: 'The signature does not verify.' };
}

export function networkSignature(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function verifyNetworkSignature(c, next) {
    const keyId = c.req.header('x-key-id');
    const timestamp = c.req.header('x-timestamp');
    const signature = c.req.header('x-signature');
    // Headers first: an unsigned request is refused without reading its body.
    const rawBody = !keyId || !timestamp || !signature || c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
    const checked = await checkNetworkSignature(deps, { keyId, timestamp, signature, method: c.req.method, path: c.req.path, rawBody });
    if ('refused' in checked) throw new ServiceError('invalid_signature', checked.refused);
    c.set('networkClient', checked.keyId);
    await next();
  };
}
