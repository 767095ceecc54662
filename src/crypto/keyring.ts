// Envelope encryption (SPEC §2): MASTER_KEY wraps data keys stored in data_keys.
//   pan          — encrypts PANs and other secrets at rest; rotatable, each ciphertext names its key id
//   fingerprint  — keyed HMAC of the PAN for look-up; never changes
//   cvv          — derives CVV2 from PAN + expiry; never changes, so CVV2s survive rotation
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Executor } from '../store/db.js';
import { newId } from '../ids.js';
import { open, seal } from './aead.js';

export function masterKeyId(master: Buffer): string {
  return createHash('sha256').update(master).digest('hex').slice(0, 16);
}

export class Keyring {
  constructor(
    private readonly panKeys: Map<string, Buffer>,
    readonly activePanKeyId: string,
    private readonly fingerprintKey: Buffer,
    private readonly cvvKey: Buffer,
  ) {}

  encrypt(plaintext: string, aad: string): { ciphertext: string; keyId: string } {
    const key = this.panKeys.get(this.activePanKeyId)!;
    return { ciphertext: seal(key, plaintext, aad), keyId: this.activePanKeyId };
  }

  decrypt(ciphertext: string, keyId: string, aad: string): string {
    const key = this.panKeys.get(keyId);
    if (!key) throw new Error(`unknown data key ${keyId}`);
    return open(key, ciphertext, aad).toString('utf8');
  }

  hasKey(keyId: string): boolean { return this.panKeys.has(keyId); }

  fingerprint(pan: string): string {
    return createHmac('sha256', this.fingerprintKey).update(pan).digest('hex');
  }

  /** CVV2 = 3 decimal digits of HMAC(cvvKey, PAN | expiry). Checked on authorization, never stored. */
  cvv2(pan: string, expiryYYMM: string): string {
    const mac = createHmac('sha256', this.cvvKey).update(`${pan}|${expiryYYMM}`).digest();
    return String(mac.readUInt32BE(0) % 1000).padStart(3, '0');
  }

  /** A MAC under the CVV key, for binding other values (3-D Secure CAVVs) to a card. */
  mac(message: string): Buffer {
    return createHmac('sha256', this.cvvKey).update(`mac|${message}`).digest();
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
  return new Keyring(panKeys, activePanKeyId, fingerprintKey, cvvKey);
}
