// Data-key rotation (SPEC §2), safe while the service runs:
//   1. optionally re-wrap every data key under a new MASTER_KEY (keys unchanged: nothing else moves);
//   2. add a new PAN data key and make it active (new PANs and secrets use it at once here, and on
//      other instances as soon as they meet it or reload);
//   3. re-encrypt PANs, TOTP secrets and network-client secrets in small batches, each batch one
//      short transaction with an optimistic check, so live traffic is never blocked for long.
// The fingerprint and CVV keys never change, so look-ups and CVV2s survive every step.
import { appendAudit } from '../../store/audit.repository.js';
import type { Trx } from '../../store/db.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';

export interface BatchOptions { batchSize: number; onBatch?: (table: string, rows: number) => void | Promise<void> }

const audit = (ctx: ServiceContext, actor: Actor) => ({ actorType: actor.type, actorId: actor.id, sourceIp: actor.ip ?? null });

export async function rewrapMasterKey(ctx: ServiceContext, newMaster: Buffer, actor: Actor): Promise<number> {
  return inTransaction(ctx.handle, async (trx) => {
    const count = await ctx.keyring.rewrapAll(trx, newMaster);
    await appendAudit(trx, { ...audit(ctx, actor), action: 'keys.master_rewrapped', after: { dataKeys: count }, nowMs: ctx.clock.now() });
    return count;
  });
}

export async function addPanDataKey(ctx: ServiceContext, actor: Actor): Promise<string> {
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const id = await ctx.keyring.addPanKey(trx, nowMs);
    await appendAudit(trx, { ...audit(ctx, actor), action: 'keys.pan_key_added', subject: id, nowMs });
    return id;
  });
}

const totpAad = (customerId: string) => `totp:${customerId}`;
const clientAad = (keyId: string) => `network-client:${keyId}`;

async function reencryptCards(ctx: ServiceContext, limit: number): Promise<number> {
  return inTransaction(ctx.handle, async (trx) => {
    const active = ctx.keyring.activePanKeyId;
    const rows = await trx.selectFrom('cards').select(['id', 'pan_ciphertext', 'pan_key_id'])
      .where('pan_key_id', '!=', active).orderBy('id').limit(limit).execute();
    for (const r of rows) {
      const pan = await ctx.keyring.open(r.pan_ciphertext, r.pan_key_id, `pan:${r.id}`, trx);
      const sealed = ctx.keyring.encrypt(pan, `pan:${r.id}`);
      await trx.updateTable('cards').set({ pan_ciphertext: sealed.ciphertext, pan_key_id: sealed.keyId })
        .where('id', '=', r.id).where('pan_key_id', '=', r.pan_key_id).execute();
    }
    return rows.length;
  });
}

async function resealTotp(ctx: ServiceContext, trx: Trx, customerId: string, stored: string | null): Promise<string | null> {
  if (!stored) return stored;
  const i = stored.indexOf(':');
  if (stored.slice(0, i) === ctx.keyring.activePanKeyId) return stored;
  const secret = await ctx.keyring.open(stored.slice(i + 1), stored.slice(0, i), totpAad(customerId), trx);
  const sealed = ctx.keyring.encrypt(secret, totpAad(customerId));
  return `${sealed.keyId}:${sealed.ciphertext}`;
}

async function reencryptTotp(ctx: ServiceContext, limit: number): Promise<number> {
  return inTransaction(ctx.handle, async (trx) => {
    const prefix = `${ctx.keyring.activePanKeyId}:%`;
    const rows = await trx.selectFrom('customers').select(['id', 'totp_secret', 'totp_pending'])
      .where((eb) => eb.or([
        eb.and([eb('totp_secret', 'is not', null), eb('totp_secret', 'not like', prefix)]),
        eb.and([eb('totp_pending', 'is not', null), eb('totp_pending', 'not like', prefix)]),
      ])).orderBy('id').limit(limit).execute();
    for (const r of rows) {
      let q = trx.updateTable('customers').set({
        totp_secret: await resealTotp(ctx, trx, r.id, r.totp_secret), totp_pending: await resealTotp(ctx, trx, r.id, r.totp_pending),
      }).where('id', '=', r.id);
      // Unchanged since read: an enrolment in between wins and is picked up by the next batch.
      q = r.totp_secret === null ? q.where('totp_secret', 'is', null) : q.where('totp_secret', '=', r.totp_secret);
      q = r.totp_pending === null ? q.where('totp_pending', 'is', null) : q.where('totp_pending', '=', r.totp_pending);
      await q.execute();
    }
    return rows.length;
  });
}

async function reencryptClients(ctx: ServiceContext, limit: number): Promise<number> {
  return inTransaction(ctx.handle, async (trx) => {
    const rows = await trx.selectFrom('network_clients').selectAll()
      .where('secret_key_id', '!=', ctx.keyring.activePanKeyId).orderBy('key_id').limit(limit).execute();
    for (const r of rows) {
      const secret = await ctx.keyring.open(r.secret, r.secret_key_id, clientAad(r.key_id), trx);
      const previous = r.previous_secret ? await ctx.keyring.open(r.previous_secret, r.secret_key_id, clientAad(r.key_id), trx) : null;
      const sealed = ctx.keyring.encrypt(secret, clientAad(r.key_id));
      await trx.updateTable('network_clients').set({
        secret: sealed.ciphertext, secret_key_id: sealed.keyId,
        previous_secret: previous === null ? null : ctx.keyring.encrypt(previous, clientAad(r.key_id)).ciphertext,
      }).where('key_id', '=', r.key_id).where('secret', '=', r.secret).execute();
    }
    return rows.length;
  });
}

/** Re-encrypts everything not yet under the active PAN key, batch by batch, until nothing is left. */
export async function reencryptAll(ctx: ServiceContext, actor: Actor, o: BatchOptions) {
  const totals = { cards: 0, totpSecrets: 0, networkClients: 0 };
  const steps: [keyof typeof totals, (ctx: ServiceContext, limit: number) => Promise<number>][] = [
    ['cards', reencryptCards], ['totpSecrets', reencryptTotp], ['networkClients', reencryptClients],
  ];
  for (const [name, step] of steps) {
    for (;;) {
      const rows = await step(ctx, o.batchSize);
      if (rows === 0) break;
      totals[name] += rows;
      await o.onBatch?.(name, rows);
    }
  }
  await inTransaction(ctx.handle, (trx) => appendAudit(trx, {
    ...audit(ctx, actor), action: 'keys.reencrypted', subject: ctx.keyring.activePanKeyId, after: totals, nowMs: ctx.clock.now(),
  }));
  return totals;
}
