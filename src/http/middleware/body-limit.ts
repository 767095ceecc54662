// Body size limits (413). When the request says its length (Content-Length, no chunking), the
// header alone decides: hono's bodyLimit would read `c.req.raw.body`, which makes
// @hono/node-server build a WHATWG Request and a web stream around the socket for every request,
// and lose its direct read of the body — a third of the network hot path's CPU. Chunked bodies,
// whose length is only known once read, still go through hono's bodyLimit.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env.js';

export interface BodyLimitOptions {
  /** The limit for a request path, in bytes. */
  maxSizeFor: (path: string) => number;
  onError: (c: Context<AppEnv>) => Response | Promise<Response>;
}

export function limitBodySize(o: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const streamed = new Map<number, MiddlewareHandler<AppEnv>>();
  return async function limitBody(c, next) {
    const maxSize = o.maxSizeFor(c.req.path);
    const length = c.req.header('content-length');
    if (length !== undefined && /^\d+$/.test(length) && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxSize) return o.onError(c);
      return next();
    }
    let limit = streamed.get(maxSize);
    if (!limit) streamed.set(maxSize, (limit = bodyLimit({ maxSize, onError: o.onError })));
    return limit(c, next);
  };
}
