// Ad-hoc: the ISO 8583 layer's own CPU per authorization, in process — session.handleFrame on
// prepacked requests of the bench's workload (unpack, MAC check, mapping, the schema check of the
// JSON route, answer, MAC) with a canned verb answer: no database, no socket. What the transport
// adds to the engine, beside the socket's reads and writes.
//   npx tsx scripts/bench/iso-layer.ts [messages] [rounds]   (SKIP_SCHEMA=1: without the schema check)
import pino from 'pino';
import { authorizationMessage } from '../../src/iso8583/client.js';
import { packFrame, FRAME_HEADER_BYTES } from '../../src/iso8583/codec.js';
import { handleFrame, type SessionDeps } from '../../src/iso8583/session.js';
import { AuthorizationRequestSchema } from '../../src/http/network/schemas.js';
import type { AuthorizationResponse } from '../../src/service/network/authorize.js';
import type { SeededCard } from '../seed.js';
import { isoAcquirerId, Workload } from './workload.js';

const [messages, rounds] = [20_000, 5].map((d, i) => Number(process.argv[2 + i] ?? d));
const secret = 'bench-secret-'.padEnd(48, 'x');
const cards: SeededCard[] = Array.from({ length: 1000 }, (_, i) => ({ pan: `4657810000${String(i).padStart(6, '0')}`, expiry: '2911', cvv2: '123', limitFils: 100_000 }));
const workload = new Workload(cards, isoAcquirerId());
const frames = Array.from({ length: messages }, () =>
  packFrame(authorizationMessage(workload.next() as Parameters<typeof authorizationMessage>[0]), secret).subarray(FRAME_HEADER_BYTES));
const checkSchema = process.env.SKIP_SCHEMA !== '1';
const answer = { responseCode: '00', approved: true, authorizationId: 'auth_0123456789abcdef', authCode: '123456', billingAmount: 1000 } as AuthorizationResponse;
const deps: SessionDeps = {
  verbs: {
    async authorize(body) {
      if (checkSchema && !AuthorizationRequestSchema.safeParse(body).success) return { invalid: 'schema' };
      return answer;
    },
    reverse: () => Promise.reject(new Error('not measured')),
    authorizationAdvice: () => Promise.reject(new Error('not measured')),
    reversalAdvice: () => Promise.reject(new Error('not measured')),
  },
  findSecrets: () => [secret],
  now: () => Date.now(),
  logger: pino({ level: 'silent' }),
};
const session = { client: 'bench', secret };
for (let round = 1; round <= rounds; round++) {
  const before = process.cpuUsage();
  for (const bytes of frames) {
    const handled = await handleFrame(bytes, session, deps, '127.0.0.1');
    if (handled.responseCode !== '00') throw new Error(`answered ${handled.responseCode}`);
  }
  const cpu = process.cpuUsage(before);
  console.log(JSON.stringify({ round, cpuUsPerMessage: Math.round(((cpu.user + cpu.system) / messages) * 10) / 10, schema: checkSchema }));
}
