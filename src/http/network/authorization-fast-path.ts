// POST /v1/network/authorizations answered on node's own request and response, outside hono.
// The hot path's answer does not need hono's per-request machinery — a WHATWG Request, a Context,
// a Headers object, eight middleware functions, a Response — and that machinery cost about as much
// CPU as the authorization itself (docs/decisions/0050-the-authorization-fast-path.md).
//
// The fast path answers only what it can answer exactly as the app would: a well-formed, correctly
// signed, valid authorization request. Anything else — another path or method, a chunked or
// oversized body, another media type, a signature, JSON or field that does not pass — goes to the
// app unchanged (a body already read is handed over as `rawBody`, which @hono/node-server reads
// instead of the socket), so every refusal keeps its one implementation. What the fast path shares
// with the app is code, not copies: the signature check, the request schema, the engine, the
// request log and metrics, the problem documents; the success answer's headers are taken once from
// the app's own secure-headers middleware.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { BODY_LIMIT_BYTES } from '../app.js';
import type { AppDeps, AppEnv } from '../env.js';
import { checkNetworkSignature } from '../middleware/network-signature.js';
import { recordRequest } from '../middleware/request-logger.js';
import { secureResponseHeaders } from '../middleware/secure-headers.js';
import { problemDocument, problemFor } from '../problem.js';
import { answerAuthorization } from './authorizations.js';
import { issuerUnavailableFor } from './unavailable.js';
import { AuthorizationRequestSchema } from './schemas.js';

export const AUTHORIZATIONS_PATH = '/v1/network/authorizations';

// The media types the app's JSON validator accepts (@hono/zod-openapi's jsonRequestRegex).
const JSON_MEDIA_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
// hono's requestId middleware keeps an incoming X-Request-Id only if it is short and plain.
const REQUEST_ID_LIMIT = 255;
const NOT_REQUEST_ID = /[^\w\-=]/;

/** The X-Request-Id to use: the caller's when hono's requestId middleware would keep it, else a new one. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming && incoming.length <= REQUEST_ID_LIMIT && !NOT_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The headers the app puts on a successful authorization besides content type, length and request
 * id: asked once of the secure-headers middleware itself, so both paths answer alike.
 */
export async function successHeaders(): Promise<string[]> {
  const probe = new Hono<AppEnv>().use('*', secureResponseHeaders()).post(AUTHORIZATIONS_PATH, (c) => c.json({}));
  const response = await probe.request(AUTHORIZATIONS_PATH, { method: 'POST' });
  const flat: string[] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'content-type' && name !== 'content-length') flat.push(name, value);
  });
  return flat;
}

export interface FastPath {
  /** The request listener: the fast path in front of the app's. */
  listener: RequestListener;
  /** Authorizations answered by the fast path (the rest went to the app). */
  readonly answered: number;
}

type WithRawBody = IncomingMessage & { rawBody?: Buffer };

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Only a request whose answer cannot differ from the app's is taken (see the file comment). */
function takes(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== AUTHORIZATIONS_PATH) return false;
  const length = header(req, 'content-length');
  if (length === undefined || req.headers['transfer-encoding'] !== undefined || !/^\d{1,9}$/.test(length)) return false;
  const size = Number(length);
  return size > 0 && size <= BODY_LIMIT_BYTES && JSON_MEDIA_TYPE.test(header(req, 'content-type') ?? '');
}

export function authorizationFastPath(deps: AppDeps, headers: readonly string[], app: RequestListener): FastPath {
  let answered = 0;

  const handOver = (req: WithRawBody, res: ServerResponse, body: Buffer) => {
    req.rawBody = body;
    void app(req, res);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, body: Buffer, started: number) => {
    const rawBody = body.toString('utf8');
    const checked = await checkNetworkSignature(deps, {
      keyId: header(req, 'x-key-id'), timestamp: header(req, 'x-timestamp'), signature: header(req, 'x-signature'),
      method: 'POST', path: AUTHORIZATIONS_PATH, rawBody,
    });
    if ('refused' in checked) return handOver(req, res, body);
    let request;
    try {
      const parsed = AuthorizationRequestSchema.safeParse(JSON.parse(rawBody));
      if (!parsed.success) return handOver(req, res, body);
      request = parsed.data;
    } catch {
      return handOver(req, res, body);
    }

    const requestId = requestIdFor(header(req, 'x-request-id'));
    let status = 200;
    let contentType = 'application/json';
    let payload: string;
    let extra: Record<string, string> = {};
    try {
      const response = await answerAuthorization(deps, { request, networkClient: checked.keyId, sourceIp: req.socket.remoteAddress ?? null });
      payload = JSON.stringify(response);
    } catch (error) {
      // As the app's onError: 91 when the database is unreachable, else the same problem document,
      // and a log line for anything of ours.
      const unavailable = issuerUnavailableFor(AUTHORIZATIONS_PATH, error);
      if (unavailable) {
        deps.logger.warn({ err: error, requestId }, 'database unavailable: answered 91');
        payload = JSON.stringify(unavailable);
      } else {
        const p = problemFor(error);
        if (p.status >= 500) deps.logger.error({ err: error, requestId }, 'unhandled error');
        status = p.status;
        contentType = 'application/problem+json';
        payload = JSON.stringify(problemDocument({ requestId, path: AUTHORIZATIONS_PATH }, p.status, p.code, p.detail, p.extra));
        extra = p.headers ?? {};
      }
    }
    answered++;
    const out = [...headers, 'content-type', contentType, 'content-length', String(Buffer.byteLength(payload)), 'x-request-id', requestId];
    for (const [name, value] of Object.entries(extra)) out.push(name, value);
    res.writeHead(status, out);
    res.end(payload);
    recordRequest(deps, { requestId, method: 'POST', route: AUTHORIZATIONS_PATH, status, ms: performance.now() - started });
  };

  const listener: RequestListener = (req, res) => {
    if (!takes(req)) return void app(req, res);
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      answer(req, res, body, started).catch((error) => {
        // Only a fault of the fast path itself gets here (the engine's errors are answered above).
        if (res.headersSent) return void res.destroy();
        // The signature check reads the client's secret: with the database gone, that is a 91 too.
        const unavailable = issuerUnavailableFor(AUTHORIZATIONS_PATH, error);
        if (unavailable) {
          deps.logger.warn({ err: error }, 'database unavailable: answered 91');
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify(unavailable));
        }
        deps.logger.error({ err: error }, 'authorization fast path failed');
        const p = problemFor(error);
        res.writeHead(p.status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify(problemDocument({ path: AUTHORIZATIONS_PATH }, p.status, p.code, p.detail)));
      });
    });
    // A request cut off mid-body has nobody to answer; node closes the socket.
    req.on('error', () => res.destroy());
  };

  return { listener, get answered() { return answered; } };
}

/**
 * node's createServer with the fast path in front of the listener @hono/node-server builds, for
 * `serve({ createServer })`; `fastPath()` reads its counter once the server exists.
 */
export async function withAuthorizationFastPath(deps: AppDeps) {
  const headers = await successHeaders();
  let fastPath: FastPath | undefined;
  const create = (options: ServerOptions, app: RequestListener) =>
    createServer(options, (fastPath = authorizationFastPath(deps, headers, app)).listener);
  return { createServer: create as unknown as typeof createServer, fastPath: () => fastPath };
}
