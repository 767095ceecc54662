// Audit log (SPEC §9): read with filters, never a PAN, and the verifier catches an edited, a
// deleted and a truncated entry (the last against a head hash taken before).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHead, checkHead, verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { appendAudit } from '../../src/store/audit.repository.js';
import { openDatabase } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
const h = useHarness(backend);
let holder: Awaited<ReturnType<Harness['cardholder']>>;
let other: Awaited<ReturnType<Harness['cardholder']>>;
let auditorKey: string;

beforeAll(async () => {
  holder = await h.cardholder();
  other = await h.cardholder();
  await h.authorize(other, { amount: 700 });
  for (let i = 0; i < 3; i++) await h.authorize(holder, { amount: 1_000 + i });
  await h.authorize(holder, { cvv2: '000' === holder.cvv2 ? '111' : '000' });
  auditorKey = (await h.admin('POST', '/v1/admin/keys', { name: 'Auditor A', role: 'auditor' })).body.key;
});

const db = () => h.deps.handle.db;

describe('GET /v1/admin/audit', () => {
  it('is readable by an auditor, newest first, and records which key acted', async () => {
    const res = await h.admin('GET', '/v1/admin/audit', undefined, auditorKey);
    expect(res.status).toBe(200);
    const ids = res.body.data.map((e: { id: string }) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const created = res.body.data.find((e: { action: string }) => e.action === 'staff_key.created');
    expect(created).toMatchObject({ actorType: 'staff', actorId: 'bootstrap', after: { role: 'auditor' } });
  });

  it('filters by actor, action (exact or prefix), subject, stream and time; pages with a cursor', async () => {
    const byActor = await h.admin('GET', `/v1/admin/audit?actor=${holder.customer.id}`);
    expect(byActor.body.data.length).toBeGreaterThan(0);
    expect(byActor.body.data.every((e: { actorId: string }) => e.actorId === holder.customer.id)).toBe(true);

    const approved = await h.admin('GET', '/v1/admin/audit?action=authorization.approved');
    expect(approved.body.data).toHaveLength(4); // holder's three, other's one
    const prefix = await h.admin('GET', '/v1/admin/audit?action=authorization.*');
    expect(prefix.body.data).toHaveLength(5);

    const subject = approved.body.data[0].subject;
    const bySubject = await h.admin('GET', `/v1/admin/audit?subject=${subject}`);
    expect(bySubject.body.data.map((e: { subject: string }) => e.subject)).toEqual([subject]);

    // The chain: one per account on PostgreSQL, one for everything on SQLite (one writer).
    const holders = approved.body.data.find((e: { accountId: string }) => e.accountId === holder.card.accountId);
    const stream = holders.stream;
    expect(stream).toBe(backend === 'postgres' ? `account:${holder.card.accountId}` : 'global');
    const byStream = await h.admin('GET', `/v1/admin/audit?stream=${encodeURIComponent(stream)}`);
    expect(byStream.body.data.length).toBeGreaterThanOrEqual(4);
    expect(byStream.body.data.every((e: { stream: string }) => e.stream === stream)).toBe(true);

    const now = new Date(h.clock.now()).toISOString();
    expect((await h.admin('GET', `/v1/admin/audit?from=${encodeURIComponent(now)}&action=authorization.approved`)).body.data).toHaveLength(4);
    expect((await h.admin('GET', `/v1/admin/audit?to=${encodeURIComponent(now)}&action=authorization.approved`)).body.data).toHaveLength(0);

    // The time filters at their edges: from includes its millisecond, to excludes it.
    const edgeAt = h.clock.now() + 7;
    h.clock.set(edgeAt);
    const atEdge = (await h.authorize(other, { amount: 100 })).body.authorizationId;
    h.clock.advance(1);
    const after = (await h.authorize(other, { amount: 100 })).body.authorizationId;
    const subjects = async (query: string) => (await h.admin('GET', `/v1/admin/audit?action=authorization.approved&${query}`)).body.data
      .map((e: { subject: string }) => e.subject).filter((s: string) => s === atEdge || s === after);
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    expect(await subjects(`from=${iso(edgeAt)}`)).toEqual([after, atEdge]);
    expect(await subjects(`from=${iso(edgeAt + 1)}`)).toEqual([after]);
    expect(await subjects(`to=${iso(edgeAt + 1)}`)).toEqual([atEdge]);
    expect(await subjects(`from=${iso(edgeAt)}&to=${iso(edgeAt)}`)).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; nextCursor: string | null } } =
        await h.admin('GET', `/v1/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await db().selectFrom('audit_log').select('id').execute();
    expect(new Set(seen).size).toBe(all.length);
  });

  it('filters by card account on either engine, entries written before migration 4 included', async () => {
    const accountId = holder.card.accountId;
    const byAccount = await h.admin('GET', `/v1/admin/audit?account=${accountId}`);
    const actions = byAccount.body.data.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'authorization.approved')).toHaveLength(3);
    expect(actions).toContain('authorization.declined');
    expect(byAccount.body.data.every((e: { accountId: string }) => e.accountId === accountId)).toBe(true);
    const otherAccount = await h.admin('GET', `/v1/admin/audit?account=${other.card.accountId}`);
    expect(otherAccount.body.data.map((e: { action: string }) => e.action)).toContain('authorization.approved');
    expect(otherAccount.body.data.every((e: { accountId: string }) => e.accountId === other.card.accountId)).toBe(true);

    // Before migration 4 an entry named its account only in its stream (account_id NULL).
    const legacyStream = `account:${accountId}`;
    await inTransaction(h.deps.handle, (trx) => appendAudit(trx, {
      stream: legacyStream, actorType: 'system', actorId: 'test', action: 'test.legacy', nowMs: h.clock.now(),
    }));
    try {
      const legacy = await h.admin('GET', `/v1/admin/audit?account=${accountId}&action=test.legacy`);
      expect(legacy.body.data).toEqual([expect.objectContaining({ stream: legacyStream, accountId })]);
      expect((await verifyAuditLog(db(), h.clock.now())).ok).toBe(true);
    } finally {
      await db().deleteFrom('audit_log').where('action', '=', 'test.legacy').execute();
    }
  });

  it('rejects bad filters and missing keys', async () => {
    expect((await h.admin('GET', '/v1/admin/audit?from=yesterday')).status).toBe(400);
    expect((await h.request('GET', '/v1/admin/audit')).status).toBe(401);
  });

  it('never holds a PAN or CVV2', async () => {
    const rows = await db().selectFrom('audit_log').selectAll().execute();
    const text = JSON.stringify(rows);
    expect(text).not.toContain(holder.pan);
    expect(text).not.toMatch(new RegExp(`${holder.pan.slice(0, 6)}\\d{10}`));
  });
});

describe('audit:verify', () => {
  it('passes an intact log and names each kind of tampering', async () => {
    const intact = await verifyAuditLog(db(), h.clock.now());
    expect(intact.ok).toBe(true);
    expect(intact.streams).toBe(backend === 'postgres' ? 3 : 1); // global and two accounts', or one
    const headBefore = await auditHead(db(), h.clock.now());
    expect(headBefore.headHash).toBe(intact.headHash);

    const stream = (await db().selectFrom('audit_log').select('stream').where('action', '=', 'authorization.approved')
      .where('account_id', '=', holder.card.accountId).executeTakeFirstOrThrow()).stream;
    const rows = await db().selectFrom('audit_log').selectAll().where('stream', '=', stream).orderBy('seq').execute();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const middle = rows[1];

    // 1. Edit: the row's own hash no longer matches.
    await db().updateTable('audit_log').set({ after_state: '{"responseCode":"05"}' }).where('id', '=', middle.id).execute();
    const edited = await verifyAuditLog(db(), h.clock.now());
    expect(edited.ok).toBe(false);
    expect(edited.problems).toContainEqual(expect.objectContaining({ stream, seq: middle.seq, problem: 'hash_mismatch' }));
    await db().updateTable('audit_log').set({ after_state: middle.after_state }).where('id', '=', middle.id).execute();
    // Recomputing the edited row's hash does not help: the next row's prev_hash points at the old one.
    await db().updateTable('audit_log').set({ actor_id: 'someone-else' }).where('id', '=', middle.id).execute();
    const { entryHash } = await import('../../src/store/audit.repository.js');
    const forged = entryHash(middle.prev_hash, { ...middle, actor_id: 'someone-else' });
    await db().updateTable('audit_log').set({ hash: forged }).where('id', '=', middle.id).execute();
    const rehashed = await verifyAuditLog(db(), h.clock.now());
    expect(rehashed.problems).toContainEqual(expect.objectContaining({ stream, seq: middle.seq + 1, problem: 'prev_hash_mismatch' }));
    await db().updateTable('audit_log').set({ actor_id: middle.actor_id, hash: middle.hash }).where('id', '=', middle.id).execute();
    expect((await verifyAuditLog(db(), h.clock.now())).ok).toBe(true);

    // An entry's account is hashed too: moving it to another account breaks it.
    const aboutAccount = rows.find((r) => r.account_id !== null)!;
    await db().updateTable('audit_log').set({ account_id: other.card.accountId }).where('id', '=', aboutAccount.id).execute();
    expect((await verifyAuditLog(db(), h.clock.now())).problems).toContainEqual(expect.objectContaining({ stream, seq: Number(aboutAccount.seq), problem: 'hash_mismatch' }));
    await db().updateTable('audit_log').set({ account_id: aboutAccount.account_id }).where('id', '=', aboutAccount.id).execute();
    expect((await verifyAuditLog(db(), h.clock.now())).ok).toBe(true);

    // 2. Delete a row in the middle: a gap, and a broken link.
    await db().deleteFrom('audit_log').where('id', '=', middle.id).execute();
    const deleted = await verifyAuditLog(db(), h.clock.now());
    expect(deleted.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ stream, seq: middle.seq + 1, problem: 'sequence_gap' }),
      expect.objectContaining({ stream, seq: middle.seq + 1, problem: 'prev_hash_mismatch' }),
    ]));
    await db().insertInto('audit_log').values(middle).execute();
    expect((await verifyAuditLog(db(), h.clock.now())).ok).toBe(true);

    // 3. Truncate the tail: every chain is still consistent, but the head taken before differs.
    h.clock.advance(60_000);
    await h.authorize(holder, { amount: 500 }); // later entries do not disturb an older head
    expect(await checkHead(db(), headBefore)).toBe(true);
    const tail = rows[rows.length - 1];
    await db().deleteFrom('audit_log').where('stream', '=', stream).where('seq', '>=', tail.seq).execute();
    const truncated = await verifyAuditLog(db(), h.clock.now());
    expect(truncated.ok).toBe(true);
    expect(await checkHead(db(), headBefore)).toBe(false);
  });
});
});

describe('npm run audit:verify (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isc-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the head hash, exits 0 on an intact log and 1 on a tampered or truncated one', async () => {
    const url = `sqlite:${join(dir, 'audit.db')}`;
    const handle = openDatabase(url);
    await migrate(handle, 1_000);
    for (let i = 0; i < 5; i++) {
      await inTransaction(handle, (trx) => appendAudit(trx, { stream: 'global', actorType: 'system', actorId: 'test', action: `test.${i}`, nowMs: 1_000 + i }));
    }
    const head = await auditHead(handle.db, 1_004);
    const run = (...args: string[]) => promisify(execFile)('npx', ['tsx', 'scripts/audit-verify.ts', ...args], { env: { ...process.env, DATABASE_URL: url } })
      .then((r) => ({ code: 0, out: r.stdout }), (e) => ({ code: e.code as number, out: e.stdout as string }));

    const ok = await run('--expect-head', head.headHash, '--as-of', '1004');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`head ${head.headHash}`);
    expect(ok.out).toContain('matches');

    await handle.db.deleteFrom('audit_log').where('seq', '=', 5).execute();
    await handle.db.updateTable('audit_log').set({ action: 'test.rewritten' }).where('seq', '=', 2).execute();
    const broken = await run('--expect-head', head.headHash, '--as-of', '1004');
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('MISMATCH');
    expect(broken.out).toContain('BROKEN hash_mismatch stream=global seq=2');
    await handle.close();
  });
});
