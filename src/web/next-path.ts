// Where a customer returns after signing in again: the page they were on, as a same-site path only.
// Anything that could leave the site (a scheme, "//host", a backslash that browsers read as a slash,
// control characters) or loop back to the sign-in pages is dropped, so `next` is never an open redirect.

export function safeNext(raw: string | undefined | null): string | null {
  if (!raw || raw.length > 512) return null;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw, 'http://same.invalid');
  } catch {
    return null;
  }
  if (parsed.origin !== 'http://same.invalid') return null;
  if (parsed.pathname === '/login' || parsed.pathname.startsWith('/login/') || parsed.pathname === '/logout') return null;
  // Only GET pages: what the customer was reading, never a form action to replay.
  return parsed.pathname + parsed.search;
}

/** The sign-in address that brings the customer back to `path`. */
export function loginWithNext(path: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  const next = safeNext(path);
  if (next && next !== '/') params.set('next', next);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}
