// A plain error page in the visitor's language.
import { Notice } from '../components.js';
import { page } from '../layout.js';
import type { Web } from '../web-context.js';

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
