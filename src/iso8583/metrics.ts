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
  // A child per MTI and code (as many as the counter has label sets), so that a message costs no label lookup.
  const children = new Map<string, { inc(): void }>();
  return {
    message: (mti, responseCode) => {
      const key = `${mti}|${responseCode ?? 'none'}`;
      let child = children.get(key);
      if (!child) children.set(key, (child = messages.labels({ mti, response_code: responseCode ?? 'none' })));
      child.inc();
    },
    connectionOpened: () => { open.inc(); opened.inc(); },
    connectionClosed: () => open.dec(),
  };
}
