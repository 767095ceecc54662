// The gateway reads the result of an authentication it created (SPEC §7); anyone else gets 404.
import { findCard } from '../../store/cards.repository.js';
import { findClientAuthentication } from '../../store/three-ds.repository.js';
import { inTransaction } from '../../store/transaction.js';
import { openPan } from '../banking/issue-card.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import type { ThreeDsResponse } from './authenticate.js';
import { cavvFor } from './cavv.js';
import { settleIfExpired } from './expire.js';

export async function getAuthentication(ctx: ServiceContext, networkClient: string, id: string): Promise<ThreeDsResponse> {
  return inTransaction(ctx.handle, async (trx) => {
    const found = await findClientAuthentication(trx, networkClient, id);
    if (!found) throw notFound('Authentication');
    const row = await settleIfExpired(trx, ctx, found);
    const response: ThreeDsResponse = { id: row.id, transStatus: row.trans_status };
    if (row.trans_status === 'Y' && row.cavv_ref && row.card_id) {
      const card = (await findCard(trx, row.card_id))!;
      response.eci = row.eci!;
      response.cavv = cavvFor(ctx, row, await openPan(ctx, card, trx));
    }
    return response;
  });
}
