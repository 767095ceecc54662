// Envelope encryption (SPEC §2): MASTER_KEY wraps data keys stored in data_keys.
//   pan          — encrypts PANs and other secrets at rest; rotatable, each ciphertext names its key id
//   fingerprint  — keyed HMAC of the PAN for look-up; never changes
//   cvv          — derives CVV2 from PAN + expiry; never changes, so CVV2s survive rotation
import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Executor } from '../store/db.js';
import { newId } from '../ids.js';
import { open, seal } from './aead.js';

export function masterKeyId(master: Buffer): string {
  return createHash('sha256').update(master).digest('hex').slice(0, 16);
}

/** Where a keyring reloads keys it does not know yet: the data_keys table, unwrapped by the master. */
export interface KeySource { db: Executor; master: Buffer }

export class Keyring {
  private reloading: Promise<void> | null = null;
  // HMAC keys imported once (createHmac with a Buffer imports the key on every call; both run on
  // every authorization).
  private readonly fingerprintHmacKey: KeyObject;
  private readonly cvvHmacKey: KeyObject;

  constructor(
    private readonly panKeys: Map<string, Buffer>,
    private activeKeyId: string,
    fingerprintKey: Buffer,
    cvvKey: Buffer,
    private source?: KeySource,
  ) {
    this.fingerprintHmacKey = createSecretKey(fingerprintKey);
    this.cvvHmacKey = createSecretKey(cvvKey);
  }

  /** The PAN data key new ciphertexts are made with. */
  get activePanKeyId(): string { return this.activeKeyId; }

  /**
   * Makes sure a key id is known, reloading data_keys when it is not: another process (keys:rotate,
   * another instance) may have added a key and re-encrypted rows with it.
   */
  async ensureKey(keyId: string, db?: Executor): Promise<void> {
    if (this.panKeys.has(keyId)) return;
    await this.reload(db);
  }

  /**
   * Picks up new PAN keys and the current active key (keys wrapped by another master are skipped).
   * Inside a transaction pass it as `db`: SQLite has one connection, which the transaction holds.
   */
  async reload(db: Executor | undefined = this.source?.db): Promise<void> {
    if (!this.source || !db) return;
    this.reloading ??= (async () => {
      try {
        const { master } = this.source!;
        const mkId = masterKeyId(master);
        const rows = await db.selectFrom('data_keys').selectAll().where('purpose', '=', 'pan')
          .orderBy('created_at').orderBy('id').execute();
        for (const r of rows) {
          if (r.master_key_id !== mkId) continue;
          if (!this.panKeys.has(r.id)) this.panKeys.set(r.id, open(master, r.wrapped_key, `data-key:${r.purpose}`));
          if (r.active) this.activeKeyId = r.id;
        }
      } finally {
        this.reloading = null;
      }
    })();
    await this.reloading;
  }

  /** Decrypts, first loading the key if this process has not seen it yet. */
  async open(ciphertext: string, keyId: string, aad: string, db?: Executor): Promise<string> {
    await this.ensureKey(keyId, db);
    return this.decrypt(ciphertext, keyId, aad);
  }

  /**
   * Adds a new PAN data key, wrapped by the master, and makes it the active one (the others stay to
   * decrypt what they encrypted until it is re-encrypted). In the caller's transaction.
   */
  async addPanKey(db: Executor, nowMs: number): Promise<string> {
    if (!this.source) throw new Error('this keyring has no key source');
    const key = randomBytes(32);
    const id = newId('dkpan', nowMs);
    await db.updateTable('data_keys').set({ active: 0 }).where('purpose', '=', 'pan').execute();
    await db.insertInto('data_keys').values({
      id, purpose: 'pan', wrapped_key: seal(this.source.master, key, 'data-key:pan'),
      master_key_id: masterKeyId(this.source.master), active: 1, created_at: nowMs,
    }).execute();
    this.panKeys.set(id, key);
    this.activeKeyId = id;
    return id;
  }

  /**
   * Re-wraps every data key under a new master key (SPEC §2), in the caller's transaction; the keys
   * themselves do not change, so nothing else needs re-encrypting.
   */
  async rewrapAll(db: Executor, newMaster: Buffer): Promise<number> {
    if (!this.source) throw new Error('this keyring has no key source');
    const old = this.source.master;
    const rows = await db.selectFrom('data_keys').selectAll().execute();
    const newMkId = masterKeyId(newMaster);
    for (const r of rows) {
      if (r.master_key_id === newMkId) continue;
      const key = open(old, r.wrapped_key, `data-key:${r.purpose}`);
      await db.updateTable('data_keys').set({ wrapped_key: seal(newMaster, key, `data-key:${r.purpose}`), master_key_id: newMkId })
        .where('id', '=', r.id).execute();
    }
    this.source = { ...this.source, master: newMaster };
    return rows.length;
  }

  encrypt(plaintext: string, aad: string): { ciphertext: string; keyId: string } {
    const key = this.panKeys.get(this.activeKeyId)!;
    return { ciphertext: seal(key, plaintext, aad), keyId: this.activeKeyId };
  }

  /** Synchronous decrypt with keys already loaded; prefer open(), which loads a key it lacks. */
  decrypt(ciphertext: string, keyId: string, aad: string): string {
    const key = this.panKeys.get(keyId);
    if (!key) throw new Error(`unknown data key ${keyId}`);
    return open(key, ciphertext, aad).toString('utf8');
  }

  hasKey(keyId: string): boolean { return this.panKeys.has(keyId); }

  fingerprint(pan: string): string {
    return createHmac('sha256', this.fingerprintHmacKey).update(pan).digest('hex');
  }

  /** CVV2 = 3 decimal digits of HMAC(cvvKey, PAN | expiry). Checked on authorization, never stored. */
  cvv2(pan: string, expiryYYMM: string): string {
    const mac = createHmac('sha256', this.cvvHmacKey).update(`${pan}|${expiryYYMM}`).digest();
    return String(mac.readUInt32BE(0) % 1000).padStart(3, '0');
  }

  /** A MAC under the CVV key, for binding other values (3-D Secure CAVVs) to a card. */
  mac(message: string): Buffer {
    return createHmac('sha256', this.cvvHmacKey).update(`mac|${message}`).digest();
  }
}

/** Creates the three data keys on a new database. Safe to call on every start. */
export async function ensureDataKeys(db: Executor, master: Buffer, now: number): Promise<void> {
  const existing = await db.selectFrom('data_keys').select(['purpose', 'master_key_id']).execute();
  const mkId = masterKeyId(master);
  const stale = existing.find((k) => k.master_key_id !== mkId);
  if (stale) {
    throw new Error('MASTER_KEY does not match the key that wrapped this database\'s data keys (run keys:rotate to re-wrap)');
  }
  for (const purpose of ['pan', 'fingerprint', 'cvv'] as const) {
    if (existing.some((k) => k.purpose === purpose)) continue;
    await db.insertInto('data_keys').values({
      id: newId(`dk${purpose.slice(0, 3)}`, now), purpose,
      wrapped_key: seal(master, randomBytes(32), `data-key:${purpose}`),
      master_key_id: mkId, active: 1, created_at: now,
    }).execute();
  }
}

export async function loadKeyring(db: Executor, master: Buffer): Promise<Keyring> {
  const rows = await db.selectFrom('data_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  if (rows.some((r) => r.master_key_id !== masterKeyId(master))) {
    throw new Error('MASTER_KEY does not match the key that wrapped this database\'s data keys');
  }
  const unwrap = (r: (typeof rows)[number]) => open(master, r.wrapped_key, `data-key:${r.purpose}`);
  const panKeys = new Map<string, Buffer>();
  let activePanKeyId = '';
  let fingerprintKey: Buffer | undefined;
  let cvvKey: Buffer | undefined;
  for (const r of rows) {
    if (r.purpose === 'pan') {
      panKeys.set(r.id, unwrap(r));
      if (r.active) activePanKeyId = r.id;
    } else if (r.purpose === 'fingerprint') fingerprintKey = unwrap(r);
    else if (r.purpose === 'cvv') cvvKey = unwrap(r);
  }
  if (!activePanKeyId || !fingerprintKey || !cvvKey) throw new Error('data keys missing: run migrations first');
  return new Keyring(panKeys, activePanKeyId, fingerprintKey, cvvKey, { db, master });
}
