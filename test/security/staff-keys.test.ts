// Staff keys under attack (SPEC §6): who may rotate a key, what a rotated-out key may still do,
// revocation that takes effect on the very next request on every instance, and the audit trail
// naming the key that acted.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { openDatabase, type DbHandle } from '../../src/store/db.js';
import { backendUrl, forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

const PRODUCT = '/v1/admin/products/internet-shopping';

forEachBackend((backend) => {
const h = useHarness(backend);


const db = () => h.deps.handle.db;
const newKey = async (role: 'ops' | 'auditor' | 'admin', name = `${role} ${Math.random().toString(36).slice(2, 8)}`) => {
  const res = await h.admin('POST', '/v1/admin/keys', { name, role });
  expect(res.status).toBe(200);
  return res.body as { id: string; key: string; name: string; role: string };
};
const audit = (action: string, subject: string) => db().selectFrom('audit_log').select(['actor_type', 'actor_id', 'after_state'])
  .where('action', '=', action).where('subject', '=', subject).execute();

describe('rotation', () => {
  it('an ops or auditor key cannot rotate another key', async () => {
    const victim = await newKey('ops');
    for (const role of ['ops', 'auditor'] as const) {
      const attacker = await newKey(role);
      const res = await h.admin('POST', `/v1/admin/keys/${victim.id}/rotate`, {}, attacker.key);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await audit('staff_key.rotated', victim.id)).toHaveLength(0);
    expect((await h.admin('GET', PRODUCT, undefined, victim.key)).status).toBe(200);
  });

  it('a key rotating itself: the old key may do nothing else, not even rotate again', async () => {
    const old = await newKey('ops');
    const rotated = await h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, { overlapSeconds: 600 }, old.key);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ role: 'ops', previousKeyId: old.id });
    // Inside what would have been its overlap: every call with the old key is refused.
    h.clock.advance(1_000);
    for (const [method, path, body] of [
      ['GET', PRODUCT, undefined], ['PUT', PRODUCT, { allowMailOrder: false }], ['GET', '/v1/admin/audit', undefined],
      ['POST', `/v1/admin/keys/${old.id}/rotate`, {}], ['POST', `/v1/admin/keys/${rotated.body.id}/rotate`, {}],
    ] as const) {
      const res = await h.admin(method, path, body, old.key);
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await h.admin('GET', PRODUCT, undefined, rotated.body.key)).status).toBe(200);
    const rows = await db().selectFrom('staff_keys').select('id').where('name', '=', old.name).execute();
    expect(rows).toHaveLength(2);
    const [entry] = await audit('staff_key.rotated', old.id);
    expect(entry).toMatchObject({ actor_type: 'staff', actor_id: old.id });
  });

  it('concurrent self-rotations with one key: exactly one succeeds', async () => {
    const old = await newKey('auditor');
    const results = await Promise.all(Array.from({ length: 8 }, () =>
      h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, {}, old.key)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect([401, 403, 409]).toContain(r.status);
    const rows = await db().selectFrom('staff_keys').select('id').where('name', '=', old.name).execute();
    expect(rows).toHaveLength(2);
    expect(await audit('staff_key.rotated', old.id)).toHaveLength(1);
  });

  it('a key rotated by an admin works for its role during the overlap, but cannot rotate or manage keys', async () => {
    const old = await newKey('admin');
    const rotated = await h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, { overlapSeconds: 600 });
    expect(rotated.status).toBe(200);
    expect((await audit('staff_key.rotated', old.id))[0]).toMatchObject({ actor_id: 'bootstrap' });
    expect((await h.admin('GET', PRODUCT, undefined, old.key)).status).toBe(200);
    const someone = await newKey('ops');
    for (const [method, path, body] of [
      ['POST', `/v1/admin/keys/${old.id}/rotate`, {}],
      ['POST', `/v1/admin/keys/${someone.id}/rotate`, {}],
      ['POST', '/v1/admin/keys', { name: 'persistence', role: 'admin' }],
      ['DELETE', `/v1/admin/keys/${rotated.body.id}`, undefined],
    ] as const) {
      const res = await h.admin(method, path, body, old.key);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await db().selectFrom('staff_keys').select('id').where('name', '=', 'persistence').execute()).toHaveLength(0);
    expect((await h.admin('GET', PRODUCT, undefined, rotated.body.key)).status).toBe(200);
    expect((await h.admin('GET', PRODUCT, undefined, someone.key)).status).toBe(200);
    // Rotating it a second time would give a second successor: refused.
    expect((await h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, {})).status).toBe(409);
    h.clock.advance(600_000);
    expect((await h.admin('GET', PRODUCT, undefined, old.key)).status).toBe(401);
  });
});

describe('revocation', () => {
  it('only an admin revokes; ops and auditors get 403 and the key keeps working', async () => {
    const victim = await newKey('ops');
    for (const role of ['ops', 'auditor'] as const) {
      const attacker = await newKey(role);
      expect((await h.admin('DELETE', `/v1/admin/keys/${victim.id}`, undefined, attacker.key)).status).toBe(403);
    }
    expect((await h.admin('GET', PRODUCT, undefined, victim.key)).status).toBe(200);
    expect((await h.admin('DELETE', '/v1/admin/keys/key_nobody')).status).toBe(404);
    expect((await h.admin('DELETE', '/v1/admin/keys/bootstrap')).status).toBe(404);
  });

  it('takes effect on the very next request, on every instance, for the key and its predecessor in overlap', async () => {
    // A second instance on the same database, with a connection pool of its own.
    let second: DbHandle | undefined;
    if (backend === 'postgres') second = openDatabase(backendUrl('postgres')!, { pgSchema: h.deps.handle.pgSchema, poolSize: 4 });
    const otherApp = createApp({ ...h.deps, ...(second ? { handle: second } : {}) });
    const onOther = async (key: string) => (await otherApp.request(PRODUCT, { headers: { authorization: `Bearer ${key}` } })).status;
    try {
      const old = await newKey('ops');
      const rotated = await h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, { overlapSeconds: 3600 });
      const current = rotated.body.key as string;
      // Both instances accept both keys (the predecessor is in its overlap).
      for (const key of [old.key, current]) {
        expect((await h.admin('GET', PRODUCT, undefined, key)).status).toBe(200);
        expect(await onOther(key)).toBe(200);
      }
      const admin = await newKey('admin');
      const revoked = await h.admin('DELETE', `/v1/admin/keys/${rotated.body.id}`, undefined, admin.key);
      expect(revoked.status).toBe(204);
      for (const key of [old.key, current]) {
        expect(await onOther(key)).toBe(401);
        expect((await h.admin('GET', PRODUCT, undefined, key)).status).toBe(401);
        expect((await h.admin('POST', `/v1/admin/keys/${rotated.body.id}/rotate`, {}, key)).status).toBe(401);
      }
      const [entry] = await audit('staff_key.revoked', rotated.body.id);
      expect(entry).toMatchObject({ actor_type: 'staff', actor_id: admin.id });
      expect(JSON.parse(entry.after_state!).revoked).toEqual(expect.arrayContaining([old.id, rotated.body.id]));
      expect(JSON.stringify(await db().selectFrom('audit_log').selectAll().where('action', 'like', 'staff_key.%').execute()))
        .not.toContain(current);
      // Revoking again changes nothing and is not an error.
      expect((await h.admin('DELETE', `/v1/admin/keys/${rotated.body.id}`)).status).toBe(204);
      expect(await audit('staff_key.revoked', rotated.body.id)).toHaveLength(1);
    } finally {
      await second?.close();
    }
  });

  it('a revoked key in the middle of concurrent requests: nothing after the revocation gets through', async () => {
    const victim = await newKey('ops');
    const before = await Promise.all(Array.from({ length: 6 }, () => h.admin('GET', PRODUCT, undefined, victim.key)));
    expect(before.every((r) => r.status === 200)).toBe(true);
    expect((await h.admin('DELETE', `/v1/admin/keys/${victim.id}`)).status).toBe(204);
    const after = await Promise.all(Array.from({ length: 6 }, () => h.admin('GET', PRODUCT, undefined, victim.key)));
    expect(after.map((r) => r.status)).toEqual(Array(6).fill(401));
  });
});
});
