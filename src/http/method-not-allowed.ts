// Tells a wrong method (405 with Allow) from an unknown path (404): hono answers both with its
// not-found handler, so the registered routes are matched here once more, by path only.
import type { RouterRoute } from 'hono/types';

interface PathMatcher { pattern: RegExp; methods: Set<string> }

function toPattern(path: string): RegExp {
  const source = path.split('/').map((segment) => {
    if (segment.startsWith(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return new RegExp(`^${source}/?$`);
}

export function methodMatcher(routes: () => RouterRoute[]) {
  let matchers: PathMatcher[] | null = null;
  const build = (): PathMatcher[] => {
    const byPath = new Map<string, Set<string>>();
    for (const r of routes()) {
      // Middleware entries (ALL) and wildcards say nothing about which methods a path serves.
      if (r.method === 'ALL' || r.path.includes('*')) continue;
      const set = byPath.get(r.path) ?? new Set<string>();
      set.add(r.method.toUpperCase());
      byPath.set(r.path, set);
    }
    return [...byPath].map(([path, methods]) => ({ pattern: toPattern(path), methods }));
  };
  /** The methods some route serves at this path (empty: the path is unknown). */
  return function allowedMethods(path: string): string[] {
    matchers ??= build();
    const allowed = new Set<string>();
    for (const m of matchers) if (m.pattern.test(path)) for (const method of m.methods) allowed.add(method);
    if (allowed.has('GET')) allowed.add('HEAD');
    return [...allowed].sort();
  };
}
