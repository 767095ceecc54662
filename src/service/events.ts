// Tells listeners (server-sent event streams) that a customer has something new.
// In one process this is an EventEmitter; on PostgreSQL, pg-events.ts relays through LISTEN/NOTIFY
// so a cardholder connected to another instance hears it too.
import { EventEmitter } from 'node:events';

export interface EventBus {
  publish(customerId: string): void;
  subscribe(customerId: string, listener: () => void): () => void;
}

export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  /** Hook for a relay to other instances. */
  onPublish: ((customerId: string) => void) | null = null;

  publish(customerId: string): void {
    this.emitter.emit(customerId);
    this.onPublish?.(customerId);
  }

  /** Delivers to local listeners only (used by the relay for events from other instances). */
  deliver(customerId: string): void { this.emitter.emit(customerId); }

  /**
   * Wakes every local listener: after the relay lost its connection it cannot know what it missed,
   * so every stream re-reads (listeners treat an event as "look again", never as the data itself).
   */
  deliverAll(): void {
    for (const name of this.emitter.eventNames()) this.emitter.emit(name);
  }

  subscribe(customerId: string, listener: () => void): () => void {
    this.emitter.on(customerId, listener);
    return () => this.emitter.off(customerId, listener);
  }
}
