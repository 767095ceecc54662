// Prometheus metrics of the ISO 8583 listener, on the service's registry (/metrics): messages by
// MTI and response code, and connections open.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface IsoMetrics {
  message(mti: string, responseCode: string | undefined): void;
  connectionOpened(): void;
  connectionClosed(): void;
}

const byRegistry = new WeakMap<Registry, { messages: Counter<'mti' | 'response_code'>; open: Gauge; opened: Counter }>();

export function isoMetrics(registry: Registry | undefined): IsoMetrics | undefined {
  if (!registry) return undefined;
  let m = byRegistry.get(registry);
  if (!m) {
    m = {
      messages: new Counter({ name: 'iso8583_messages_total', help: 'ISO 8583 messages received, by MTI and the response code answered ("none": not answered)', labelNames: ['mti', 'response_code'] as const, registers: [registry] }),
      open: new Gauge({ name: 'iso8583_connections_open', help: 'ISO 8583 connections open', registers: [registry] }),
      opened: new Counter({ name: 'iso8583_connections_total', help: 'ISO 8583 connections accepted', registers: [registry] }),
    };
    byRegistry.set(registry, m);
  }
  const { messages, open, opened } = m;
  return {
    message: (mti, responseCode) => messages.inc({ mti, response_code: responseCode ?? 'none' }),
    connectionOpened: () => { open.inc(); opened.inc(); },
    connectionClosed: () => open.dec(),
  };
}
