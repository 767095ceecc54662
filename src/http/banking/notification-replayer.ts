// The event stream's catch-up: sends every notification not yet sent, oldest first, reading on
// from what it sent before (see registerBankingNotifications).
import type { SSEStreamingApi } from 'hono/streaming';
import type { Language } from '../../domain/money.js';
import { localizedNotifications } from '../../service/banking/localized-notifications.js';
import { isChained, notificationsSince, type NotificationRow } from '../../service/banking/notifications.js';
import type { ServiceContext } from '../../service/context.js';

/**
 * How far back each catch-up read looks. Ids are ordered by creation, but transactions commit in
 * any order: a notification created just before one already sent may become visible just after.
 */
export const COMMIT_SKEW_MS = 5_000;
const BATCH = 500;

/** Sends every notification not yet sent, oldest first, and remembers what it sent. */
export class Replayer {
  private readonly sent = new Map<string, number>();
  /**
   * Per card account, the newest time of a purchase or blocked attempt sent (or skipped): the next
   * reads walk that account's chain back to there only (notificationsSince), not the whole window.
   */
  private readonly chainedFromMs = new Map<string, number>();
  constructor(
    private readonly ctx: ServiceContext, private readonly customerId: string, private readonly lang: Language,
    private watermarkMs: number, private readonly batch = BATCH,
  ) {}

  skip(row: NotificationRow) {
    this.sent.set(row.id, row.created_at);
    this.passed(row);
  }

  private passed(row: NotificationRow) {
    if (!isChained(row) || !row.account_id) return;
    this.chainedFromMs.set(row.account_id, Math.max(this.chainedFromMs.get(row.account_id) ?? row.created_at, row.created_at));
  }

  async flush(out: Pick<SSEStreamingApi, 'writeSSE'>): Promise<void> {
    // Each read asks for the batch plus what was already sent from the window (it comes back
    // again), so that it always brings up to a batch of unsent ones, the oldest: however many were
    // sent in the window, say within one millisecond, the stream goes on. Reads until one brings
    // fewer than a batch.
    for (;;) {
      const from = this.watermarkMs - COMMIT_SKEW_MS;
      const rows = await notificationsSince(this.ctx, this.customerId, from, this.batch + this.sent.size, this.chainedFromMs);
      const unsent = rows.filter((row) => !this.sent.has(row.id));
      const views = unsent.length ? await localizedNotifications(this.ctx, this.customerId, unsent, this.lang) : [];
      for (const [i, row] of unsent.entries()) {
        await out.writeSSE({ event: 'notification', id: row.id, data: JSON.stringify(views[i]) });
        this.sent.set(row.id, row.created_at);
        this.passed(row);
        this.watermarkMs = Math.max(this.watermarkMs, row.created_at);
      }
      for (const [id, at] of this.sent) if (at < this.watermarkMs - COMMIT_SKEW_MS) this.sent.delete(id);
      if (unsent.length < this.batch) return;
    }
  }
}
