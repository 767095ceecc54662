// Passwords (SPEC §6): at least 8 characters; scrypt at N = 2^17, r = 8, p = 1; an older hash is
// upgraded at the next successful sign-in, once, and only if it is still the one that verified.
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../src/crypto/password.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

const params = (hash: string) => hash.split('$').slice(0, 4).join('$');
const CURRENT = 'scrypt$131072$8$1';

/** A hash as the previous version stored it (N = 16384). */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

describe('hashing', () => {
  it('hashes at N = 2^17, r = 8, p = 1 with a fresh salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(params(a)).toBe(CURRENT);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split('$')[5], 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterx', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', legacyHash('correct horse battery'))).toBe(true);
  });

  it('the dummy hash for unknown users costs what a real one does', () => {
    expect(params(DUMMY_PASSWORD_HASH)).toBe(CURRENT);
  });
});

describe('the cost in configuration', () => {
  it("is SPEC's unless NODE_ENV=test lowers it; any other environment refuses the setting", () => {
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_API_KEY: 'a'.repeat(32) }).passwordScryptLog2N).toBe(17);
    expect(loadConfig({}).passwordScryptLog2N).toBe(17);
    expect(loadConfig({ NODE_ENV: 'test', TEST_PASSWORD_SCRYPT_LOG2N: '12' }).passwordScryptLog2N).toBe(12);
    for (const NODE_ENV of ['production', 'development', 'staging', undefined]) {
      expect(() => loadConfig({ ...(NODE_ENV ? { NODE_ENV } : {}), TEST_PASSWORD_SCRYPT_LOG2N: '12' })).toThrow(/TEST_PASSWORD_SCRYPT_LOG2N: only allowed with NODE_ENV=test/);
    }
    expect(() => loadConfig({ NODE_ENV: 'test', TEST_PASSWORD_SCRYPT_LOG2N: '18' })).toThrow(ConfigError);
  });
});

forEachBackend((backend) => {
const h = useHarness(backend, { env: { TEST_PASSWORD_SCRYPT_LOG2N: '17' } });

// At SPEC's cost, not the suite's cheaper one (harness.ts).

const db = () => h.deps.handle.db;
const storedHash = async (username: string) =>
  (await db().selectFrom('customers').select('password_hash').where('username', '=', username).executeTakeFirstOrThrow()).password_hash;
const login = (username: string, password: string) => h.request('POST', '/v1/banking/sessions', { body: { username, password } });

describe('password length', () => {
  it('refuses a password shorter than 8 characters at customer creation (400), accepts 8', async () => {
    for (const password of ['', 'a', 'seven77', '1234567']) {
      const username = `short${randomBytes(3).toString('hex')}`;
      const res = await h.admin('POST', '/v1/admin/customers', { username, password, name: 'S', currentAccountBalance: 0 });
      expect(res.status, JSON.stringify(password)).toBe(400);
      expect(res.body.code).toBe('validation_error');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'password' })]));
      expect(await db().selectFrom('customers').select('id').where('username', '=', username).execute()).toHaveLength(0);
    }
    const ok = await h.createCustomer({ password: '12345678' });
    expect(params(await storedHash(ok.username))).toBe(CURRENT);
    expect((await login(ok.username, '12345678')).status).toBe(200);
  });

  it('counts characters, not bytes: 7 Arabic letters are still too short', async () => {
    const res = await h.admin('POST', '/v1/admin/customers', { username: `ar${randomBytes(3).toString('hex')}`, password: 'كلمةسرّ', name: 'S', currentAccountBalance: 0 });
    expect(res.status).toBe(400);
  });
});

describe('upgrading older hashes', () => {
  it('rehashes an N = 16384 hash at the next successful sign-in; a failed one changes nothing', async () => {
    const customer = await h.createCustomer();
    const old = legacyHash(customer.password);
    await db().updateTable('customers').set({ password_hash: old }).where('id', '=', customer.id).execute();

    expect((await login(customer.username, 'not the password')).status).toBe(401);
    expect(await storedHash(customer.username)).toBe(old);

    expect((await login(customer.username, customer.password)).status).toBe(200);
    const upgraded = await storedHash(customer.username);
    expect(params(upgraded)).toBe(CURRENT);
    expect(await verifyPassword(customer.password, upgraded)).toBe(true);
    const audit = await db().selectFrom('audit_log').select(['actor_type', 'actor_id', 'after_state'])
      .where('action', '=', 'customer.password_rehashed').where('subject', '=', customer.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].after_state).not.toContain(upgraded.split('$')[5]);

    // Already current: a sign-in leaves it alone.
    expect((await login(customer.username, customer.password)).status).toBe(200);
    expect(await storedHash(customer.username)).toBe(upgraded);
  });

  it('concurrent sign-ins with an old hash: all succeed, it is upgraded exactly once', async () => {
    const customer = await h.createCustomer();
    await db().updateTable('customers').set({ password_hash: legacyHash(customer.password) }).where('id', '=', customer.id).execute();
    const results = await Promise.all(Array.from({ length: 4 }, () => login(customer.username, customer.password)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const final = await storedHash(customer.username);
    expect(params(final)).toBe(CURRENT);
    expect(await verifyPassword(customer.password, final)).toBe(true);
    const audit = await db().selectFrom('audit_log').select('id')
      .where('action', '=', 'customer.password_rehashed').where('subject', '=', customer.id).execute();
    expect(audit).toHaveLength(1);
  });
});
});
