// Key rotation (SPEC §2, issue 7): a new PAN data key and a new MASTER_KEY while the service runs,
// network-client secrets and staff keys with an overlap window. Old cards keep authorizing with
// their old CVV2s; other instances load the new key when they first meet it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadKeyring } from '../../src/crypto/keyring.js';
import { createApp } from '../../src/http/app.js';
import { addPanDataKey, reencryptAll, rewrapMasterKey } from '../../src/service/keys/rotate-data-keys.js';
import { forEachBackend } from '../support/backends.js';
import { NETWORK_KEY_ID, NETWORK_SECRET } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

const actor = { type: 'system' as const, id: 'test' };

forEachBackend((backend) => {
const h = useHarness(backend);


const db = () => h.deps.handle.db;
const keyIds = async () => new Set((await db().selectFrom('cards').select('pan_key_id').execute()).map((r) => r.pan_key_id));

describe('rotating everything', () => {
  it('keeps old cards authorizing with their old CVV2s, reveals and TOTP working, on every instance', async () => {
    const holders = [await h.cardholder(), await h.cardholder(), await h.cardholder()];
    const oldKey = h.deps.keyring.activePanKeyId;
    // A second instance that loaded its keys before the rotation.
    const other = { ...h.deps, keyring: await loadKeyring(db(), (h.deps.keyring as unknown as { source: { master: Buffer } }).source.master) };
    const otherApp = createApp(other);

    // 1. New PAN data key, re-encryption in batches of 2 while requests keep coming.
    const newKey = await addPanDataKey(h.deps, actor);
    expect(newKey).not.toBe(oldKey);
    let batches = 0;
    const totals = await reencryptAll(h.deps, actor, { batchSize: 2, onBatch: async () => {
      batches += 1;
      expect((await h.authorize(holders[batches % 3], { amount: 100 })).body.responseCode).toBe('00');
    } });
    expect(totals.cards).toBe(3);
    expect(totals.totpSecrets).toBe(3);
    expect(totals.networkClients).toBe(1);
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(await keyIds()).toEqual(new Set([newKey]));
    const totp = await db().selectFrom('customers').select('totp_secret').where('totp_secret', 'is not', null).execute();
    expect(totp.every((r) => r.totp_secret!.startsWith(`${newKey}:`))).toBe(true);

    // The other instance meets ciphertexts under a key it has never seen, and loads it.
    expect(other.keyring.activePanKeyId).toBe(oldKey);
    const holder = holders[0];
    const otp = await h.otp(holder.totpSecret);
    const revealed = await otherApp.request(`/v1/banking/cards/${holder.card.id}/reveal`, {
      method: 'POST', headers: { authorization: `Bearer ${holder.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ otp }),
    });
    expect(revealed.status).toBe(200);
    expect((await revealed.json()).pan).toBe(holder.pan);
    expect(other.keyring.activePanKeyId).toBe(newKey);

    // 2. New MASTER_KEY: data keys re-wrapped; a restarted instance with only the new master works.
    const newMaster = randomBytes(32);
    await rewrapMasterKey(h.deps, newMaster, actor);
    const restarted = await loadKeyring(db(), newMaster);
    await expect(loadKeyring(db(), randomBytes(32))).rejects.toThrow(/MASTER_KEY/);
    for (const x of holders) {
      const row = await db().selectFrom('cards').selectAll().where('id', '=', x.card.id).executeTakeFirstOrThrow();
      expect(await restarted.open(row.pan_ciphertext, row.pan_key_id, `pan:${row.id}`)).toBe(x.pan);
      expect(restarted.cvv2(x.pan, x.expiry)).toBe(x.cvv2);
      expect(restarted.fingerprint(x.pan)).toBe(row.pan_fingerprint);
    }

    // 3. Old cards, old CVV2s, through the restarted instance.
    const restartedApp = createApp({ ...h.deps, keyring: restarted });
    for (const x of holders) {
      const body = h.purchase(x, { amount: 200 });
      const raw = JSON.stringify(body);
      const res = await restartedApp.request('/v1/network/authorizations', {
        method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...h.signedHeaders('POST', '/v1/network/authorizations', raw) },
      });
      expect((await res.json()).responseCode).toBe('00');
    }

    // New cards use the new key.
    const fresh = await h.cardholder();
    const row = await db().selectFrom('cards').select('pan_key_id').where('id', '=', fresh.card.id).executeTakeFirstOrThrow();
    expect(row.pan_key_id).toBe(newKey);
    expect((await h.authorize(fresh, { amount: 100 })).body.responseCode).toBe('00');

    // Audited, without a key in sight.
    const actions = (await db().selectFrom('audit_log').select(['action', 'after_state']).where('action', 'like', 'keys.%').execute());
    expect(actions.map((a) => a.action)).toEqual(['keys.pan_key_added', 'keys.reencrypted', 'keys.master_rewrapped']);
    expect(JSON.stringify(actions)).not.toContain(newMaster.toString('hex'));
  });
});

describe('network-client secret rotation', () => {
  it('accepts the old secret until the overlap ends, the new one at once', async () => {
    const holder = await h.cardholder();
    const res = await h.admin('POST', `/v1/admin/network-clients/${NETWORK_KEY_ID}/rotate`, { overlapSeconds: 600 });
    expect(res.status).toBe(200);
    expect(res.body.keyId).toBe(NETWORK_KEY_ID);
    expect(res.body.secret).not.toBe(NETWORK_SECRET);
    const withNew = await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 100 }), { secret: res.body.secret });
    expect(withNew.body.responseCode).toBe('00');
    h.clock.advance(599_000);
    expect((await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 100 }))).status).toBe(200);
    h.clock.advance(1_000);
    expect((await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 100 }))).status).toBe(401);
    expect((await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 100 }), { secret: res.body.secret })).status).toBe(200);
    expect((await h.admin('POST', '/v1/admin/network-clients/net_nobody/rotate')).status).toBe(404);
    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'network_client.secret_rotated').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(res.body.secret);
  });
});

describe('staff key rotation', () => {
  it('gives a new key of the same role; rotated by an admin, the old one works until the overlap ends', async () => {
    const created = await h.admin('POST', '/v1/admin/keys', { name: 'Ops One', role: 'ops' });
    const old = created.body;
    const rotated = await h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, { overlapSeconds: 60 });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ name: 'Ops One', role: 'ops', previousKeyId: old.id });
    expect(rotated.body.key).not.toBe(old.key);
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, old.key)).status).toBe(200);
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, rotated.body.key)).status).toBe(200);
    h.clock.advance(60_000);
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, old.key)).status).toBe(401);
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, rotated.body.key)).status).toBe(200);
    // An ops key cannot rotate someone else's key; the bootstrap key is rotated in the environment.
    const other = await h.admin('POST', '/v1/admin/keys', { name: 'Auditor', role: 'auditor' });
    expect((await h.admin('POST', `/v1/admin/keys/${other.body.id}/rotate`, {}, rotated.body.key)).status).toBe(403);
    expect((await h.admin('POST', '/v1/admin/keys/bootstrap/rotate', {})).status).toBe(404);
  });

  it('rotated by itself, the old key ends at once (test/security/staff-keys.test.ts has the rest)', async () => {
    const old = (await h.admin('POST', '/v1/admin/keys', { name: 'Ops Two', role: 'ops' })).body;
    const rotated = await h.admin('POST', `/v1/admin/keys/${old.id}/rotate`, { overlapSeconds: 60 }, old.key);
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousKeyValidUntil).toBe(new Date(h.clock.now()).toISOString());
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, old.key)).status).toBe(401);
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, rotated.body.key)).status).toBe(200);
  });
});
});
