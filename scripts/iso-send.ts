// Sends one ISO 8583 message to the issuer's listener and prints the answer field by field.
//
//   npm run iso:send -- message.json        (or - to read the description from stdin)
//
// The description: { host?, port?, keyId?, secret?, signOn? (default true), and one of
//   "authorization": the JSON fields of POST /v1/network/authorizations (mapped as SPEC §10 says),
//   "message": { "mti": "0400", "fields": { "11": "000123", "90": "…", … } } (text; binary fields in hex) }.
// Fields 7 and 11 default to now and a fresh STAN when absent from "message". Without keyId and
// secret, the key is NETWORK_KEY_ID / NETWORK_SECRET, or the one in data/dev-keys.json.
import { readFileSync } from 'node:fs';
import { authorizationMessage, IsoClient } from '../src/iso8583/client.js';
import { text, type FieldValue, type IsoMessage } from '../src/iso8583/codec.js';
import { FIELD_BY_DE } from '../src/iso8583/fields.js';
import { readSubelements, writeTransmissionTime } from '../src/iso8583/subfields.js';

interface Description {
  host?: string; port?: number; keyId?: string; secret?: string; signOn?: boolean;
  authorization?: Parameters<typeof authorizationMessage>[0];
  message?: { mti: string; fields: Record<string, string> };
}

function describe(m: IsoMessage): string {
  const lines = [`MTI  ${m.mti}`];
  for (const [de, value] of [...m.fields].sort(([a], [b]) => a - b)) {
    const spec = FIELD_BY_DE.get(de)!;
    const shown = Buffer.isBuffer(value) ? value.toString('hex').toUpperCase() : JSON.stringify(value);
    lines.push(`DE ${String(de).padStart(3)}  ${spec.name.padEnd(38)} ${shown}`);
    if (de === 48 && typeof value === 'string') {
      for (const [tag, v] of readSubelements(value)) lines.push(`         48.${tag}  ${JSON.stringify(v)}`);
    }
  }
  return lines.join('\n');
}

function networkKey(d: Description): { keyId: string; secret: string } {
  if (d.keyId && d.secret) return { keyId: d.keyId, secret: d.secret };
  if (process.env.NETWORK_KEY_ID && process.env.NETWORK_SECRET) return { keyId: process.env.NETWORK_KEY_ID, secret: process.env.NETWORK_SECRET };
  const keys = JSON.parse(readFileSync('data/dev-keys.json', 'utf8')) as { NETWORK_KEY_ID: string; NETWORK_SECRET: string };
  return { keyId: keys.NETWORK_KEY_ID, secret: keys.NETWORK_SECRET };
}

async function main() {
  const source = process.argv[2];
  if (!source) throw new Error('usage: npm run iso:send -- <description.json | ->');
  const d = JSON.parse(readFileSync(source === '-' ? 0 : source, 'utf8')) as Description;
  const { keyId, secret } = networkKey(d);
  const client = await IsoClient.connect(d.port ?? 8583, d.host ?? '127.0.0.1');
  try {
    if (d.signOn !== false) {
      const signOn = await client.signOn(keyId, secret);
      process.stdout.write(`sign-on → ${text(signOn.message, 39)} (MAC ${signOn.macValid ? 'verifies' : 'does not verify'})\n`);
      if (text(signOn.message, 39) !== '00') return;
    } else {
      client.secret = secret;
    }
    let message: IsoMessage;
    if (d.authorization) {
      message = authorizationMessage(d.authorization);
    } else if (d.message) {
      const fields = new Map<number, FieldValue>();
      for (const [de, v] of Object.entries(d.message.fields)) {
        fields.set(Number(de), FIELD_BY_DE.get(Number(de))?.format === 'b' ? Buffer.from(v, 'hex') : v);
      }
      if (!fields.has(7)) fields.set(7, writeTransmissionTime(Date.now()));
      if (!fields.has(11)) fields.set(11, client.nextStan());
      message = { mti: d.message.mti, fields };
    } else {
      throw new Error('the description needs "authorization" or "message"');
    }
    process.stdout.write(`\nsent:\n${describe(message)}\n`);
    const answer = await client.request(message);
    process.stdout.write(`\nanswer (MAC ${answer.macValid ? 'verifies' : 'does not verify'}):\n${describe(answer.message)}\n`);
  } finally {
    await client.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
