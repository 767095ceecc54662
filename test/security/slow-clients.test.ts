// Slow and oversized requests against the real listening server (issue 7 §5): a client that
// dribbles its headers or its body is disconnected by the server's timeouts; bodies over the limit
// are refused with 413, announced or streamed; the server keeps serving everyone else.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childSecrets, startChildServer, type ChildServer } from '../support/child-server.js';

let dir: string;
let server: ChildServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isc-slow-'));
  server = await startChildServer(`sqlite:${join(dir, 'cards.db')}`, childSecrets(), {
    HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000',
  });
});
afterAll(async () => {
  server.proc.kill('SIGTERM');
  await server.exit;
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `chunks` one at a time, `gapMs` apart, until done or the server closes the socket. */
async function dribble(head: string, chunks: string[], gapMs: number) {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let closed = false;
  let response = '';
  socket.on('data', (d) => { response += String(d); });
  socket.on('error', () => { closed = true; });
  socket.on('close', () => { closed = true; });
  socket.write(head);
  let written = 0;
  for (const chunk of chunks) {
    if (closed) break;
    await sleep(gapMs);
    if (closed) break;
    socket.write(chunk);
    written += 1;
  }
  while (!closed) await sleep(50); // the server must be the one to end it
  return { written, total: chunks.length, response };
}

describe('slow clients', () => {
  it('are cut off when the headers never finish (slowloris)', async () => {
    const headerBytes = Array.from({ length: 200 }, (_, i) => `x-slow-${i}: ${'a'.repeat(5)}\r\n`);
    const r = await dribble('GET /healthz HTTP/1.1\r\nhost: localhost\r\n', headerBytes, 100);
    expect(r.written).toBeLessThan(r.total);
    expect(r.response).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('are cut off when the body never finishes', async () => {
    const body = 'x'.repeat(400);
    const head = 'POST /v1/banking/sessions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
      `content-length: ${body.length}\r\n\r\n`;
    const r = await dribble(head, body.split(''), 50);
    expect(r.written).toBeLessThan(r.total);
    expect(r.response).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('do not stop the server from answering others', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('oversized bodies', () => {
  it('are refused with 413, whether announced or streamed', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(70 * 1024), password: 'y' });
    const announced = await fetch(`${server.url}/v1/banking/sessions`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
    expect(announced.status).toBe(413);
    expect((await announced.json()).code).toBe('payload_too_large');
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/v1/banking/sessions`, {
      method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});
