// The floor for ISO 8583 over TCP: a bare node server that sends every length-prefixed frame back
// as it is, one write per frame as the listener answers (src/iso8583/server.ts), and does nothing
// else. Driven by the same driver as the listener (iso-load.ts), in a process of its own:
// `tsx scripts/bench/iso-echo.ts PORT`.
import { createServer } from 'node:net';

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const end = 2 + pending.readUInt16BE(0);
      socket.write(pending.subarray(0, end));
      pending = pending.subarray(end);
    }
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(process.argv[2] ?? 3998), '127.0.0.1', () => process.stdout.write('ready\n'));
