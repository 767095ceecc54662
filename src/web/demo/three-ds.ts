// The shop's 3-D Secure step (SPEC §7): ask the issuer before authorizing. Frictionless answers
// come back at once ("Y" with eci and cavv); a challenge ("C") waits for the cardholder in online
// banking. Until the issuer offers the endpoint (404), the shop authorizes without it.
import type { NetworkClient } from './network-client.js';
import { SHOP, type CardEntry } from './messages.js';

export type ThreeDsOutcome =
  | { kind: 'authenticated'; eci: string; cavv: string }
  | { kind: 'challenge'; id: string }
  | { kind: 'refused' }
  | { kind: 'unavailable' };

export const AUTHENTICATIONS_PATH = '/v1/network/3ds/authentications';

function outcome(status: number, body: Record<string, any>): ThreeDsOutcome {
  if (status === 404 && !body.transStatus) return { kind: 'unavailable' };
  if (status >= 300) return { kind: 'refused' };
  if (body.transStatus === 'Y' && body.eci && body.cavv) return { kind: 'authenticated', eci: body.eci, cavv: body.cavv };
  if (body.transStatus === 'C' && body.id) return { kind: 'challenge', id: body.id };
  return { kind: 'refused' };
}

export async function authenticate(client: NetworkClient, card: CardEntry, amountFils: number): Promise<ThreeDsOutcome> {
  const answer = await client.send('POST', AUTHENTICATIONS_PATH, {
    pan: card.pan, expiry: card.expiry, amount: amountFils, currency: '414', merchantId: SHOP.id, merchantName: SHOP.name,
  });
  return outcome(answer.status, answer.body);
}

export async function readAuthentication(client: NetworkClient, id: string): Promise<ThreeDsOutcome> {
  const answer = await client.send('GET', `${AUTHENTICATIONS_PATH}/${encodeURIComponent(id)}`);
  if (answer.status === 404) return { kind: 'refused' };
  return outcome(answer.status, answer.body);
}
