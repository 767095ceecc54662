// A plain error page in the visitor's language, and the 404 page for addresses nobody serves.
import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { Notice } from '../components.js';
import { page } from '../layout.js';
import { plainWeb, type Web } from '../web-context.js';

export function errorPage(w: Web, status: number, message: string): Promise<Response> {
  const title = status === 404 ? w.t.notFoundTitle : w.t.errorTitle;
  return page(w, { title, status, langHref: '/' }, (
    <section class="panel narrow">
      <h1>{title}</h1>
      <Notice kind="error">{message}</Notice>
      <p><a href="/">{w.t.back}</a></p>
    </section>
  ));
}

/**
 * An unknown address asked for by a browser (it accepts HTML and is not an API path) gets a page in
 * the customer's language, not a problem document; API clients keep their JSON 404.
 */
export function notFoundPage(c: Context<AppEnv>, deps: AppDeps): Promise<Response> | null {
  const path = c.req.path;
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return null;
  if (path.startsWith('/v1/') || path.startsWith('/assets/')) return null;
  if (!(c.req.header('accept') ?? '').includes('text/html')) return null;
  const w = plainWeb(c, deps);
  return errorPage(w, 404, w.t.notFoundBody);
}
