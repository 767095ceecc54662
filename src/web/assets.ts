// The stylesheet and the small client script, read once at start and served with a long cache
// (the layout adds ?v= to bust it).
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';
import { ROOT_URL } from '../root.js';

const read = (name: string) => readFileSync(new URL(`src/web/assets/${name}`, ROOT_URL), 'utf8');

const ASSETS: Record<string, { body: string; type: string }> = {
  'app.css': { body: read('app.css'), type: 'text/css; charset=utf-8' },
  'app.js': { body: read('app.js'), type: 'text/javascript; charset=utf-8' },
};

export function registerAssets(app: Hono<AppEnv>) {
  app.get('/assets/:name', (c) => {
    const asset = ASSETS[c.req.param('name')];
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
  });
}
