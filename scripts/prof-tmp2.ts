import SqliteDatabase from 'better-sqlite3';
const times = new Map<string, [number, number]>();
const orig = SqliteDatabase.prototype.prepare;
(SqliteDatabase.prototype as any).prepare = function (sql: string) {
  const st = orig.call(this, sql);
  const wrap = (fn: any) => function (this: any, ...a: any[]) { const t = performance.now(); try { return fn.apply(st, a); } finally { const e = times.get(sql) ?? [0, 0]; e[0] += performance.now() - t; e[1]++; times.set(sql, e); } };
  return new Proxy(st, { get(t, k) { const v = (t as any)[k]; return (k === 'run' || k === 'all') ? wrap(v) : (typeof v === 'function' ? v.bind(t) : v); } });
};
process.on('exit', () => { for (const [k, [t, n]] of [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15)) console.log(t.toFixed(0).padStart(6), n, (t / n * 1000).toFixed(1) + 'us', k.slice(0, 90)); });
await import('./prof-tmp.js');
