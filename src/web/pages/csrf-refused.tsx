// A refused form post (stale or cross-site CSRF token) on a web page answers with a page in the
// visitor's language and a link back, not the API's problem+json. API routes (/v1/…), paths no
// page serves with that method (app.onError checks the web routes), and clients that neither post
// a form nor accept HTML keep the JSON answer.
import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { ServiceError } from '../../service/errors.js';
import { Notice } from '../components.js';
import { page } from '../layout.js';
import { plainWeb } from '../web-context.js';

const FORM = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

/** A browser's form post to a page (not the API) that the CSRF check refused. */
export function isRefusedPageForm(error: unknown, c: Context<AppEnv>): boolean {
  if (!(error instanceof ServiceError) || error.code !== 'csrf_rejected') return false;
  if (c.req.path.startsWith('/v1/')) return false;
  return FORM.test(c.req.header('content-type') ?? '') || (c.req.header('accept') ?? '').includes('text/html');
}

/** Back to the page the form was on when the browser says so and it is ours; else the dashboard. */
function backHref(c: Context<AppEnv>): string {
  const referer = c.req.header('referer');
  if (!referer) return '/';
  try {
    const from = new URL(referer);
    return from.origin === new URL(c.req.url).origin ? from.pathname + from.search : '/';
  } catch {
    return '/';
  }
}

export async function csrfRefusedPage(c: Context<AppEnv>, deps: AppDeps): Promise<Response> {
  const w = plainWeb(c, deps);
  const back = backHref(c);
  const response = await page(w, { title: w.t.csrfTitle, status: 403, langHref: back }, (
    <section class="panel narrow">
      <h1>{w.t.csrfTitle}</h1>
      <Notice kind="error">{w.t.csrfBody}</Notice>
      <p><a class="button primary" href={back} id="csrf-back">{w.t.csrfBack}</a></p>
    </section>
  ));
  response.headers.set('cache-control', 'no-store');
  return response;
}
