import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/*
 * Why `wrangler dev` needs its network capture turned off: wrangler's InspectorProxyWorker (the
 * inspector proxy in wrangler's second workerd, beside its ProxyWorker, which every request passes
 * through) sends `Network.enable` to the Worker's isolate whether or not DevTools is attached.
 * workerd then reports every subrequest's body in `Network.dataReceived` events, one per ~4 KiB
 * read (8,190 for a 32 MiB fetch()), and the proxy re-posts each event to wrangler's Node process
 * as a debug log (twice while a DevTools client is attached) and, with none attached, keeps every
 * event in a buffer that is never emptied. That proxy workerd then stays busy for seconds after
 * the Worker has answered, and every request behind it waits (docs/benchmarks.md, "wrangler dev's
 * network capture"). wrangler enables the capture again when it reconnects to a reloaded Worker
 * (a source file changed); the bench's heap watch disables it again on every new context.
 */

/**
 * Sends `Network.disable` to the Worker's isolate through wrangler's inspector proxy on
 * `inspectorPort` and waits for its answer. The proxy admits one client at a time, so this one
 * disconnects at once; the setting is the proxy's session's and outlasts it. A plain WebSocket
 * client over `node:http`: Node 20 has no global WebSocket without `--experimental-websocket`,
 * which `npm run test:load` does not pass.
 */
export async function disableNetworkCapture(inspectorPort: number, timeoutMs = 30_000): Promise<void> {
  const socket = await openWebSocket(inspectorPort, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      const id = 1;
      const timer = setTimeout(() => reject(new Error(`Network.disable: no answer within ${timeoutMs} ms`)), timeoutMs);
      const done = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      readMessages(
        socket,
        (text) => {
          const message = JSON.parse(text) as { id?: number; error?: { message: string } };
          if (message.id !== id) return; // events the proxy buffered while nobody was attached
          done(message.error ? new Error(`Network.disable failed: ${message.error.message}`) : undefined);
        },
        (error) => done(error),
      );
      socket.write(frame(0x1, Buffer.from(JSON.stringify({ id, method: 'Network.disable' }))));
    });
  } finally {
    socket.end(frame(0x8, Buffer.alloc(0)));
    socket.destroy();
  }
}

/** The WebSocket handshake with the inspector proxy (it wants a loopback Host and Origin). */
function openWebSocket(port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const upgrade = request({
      host: '127.0.0.1',
      port,
      path: '/',
      timeout: timeoutMs,
      headers: {
        Host: `127.0.0.1:${port}`,
        Origin: 'http://localhost',
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    upgrade.once('upgrade', (_response, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    upgrade.once('response', (response) => {
      response.resume();
      reject(new Error(`the inspector on port ${port} answered ${response.statusCode} to a WebSocket upgrade`));
    });
    upgrade.once('timeout', () => upgrade.destroy(new Error(`the inspector on port ${port} did not answer within ${timeoutMs} ms`)));
    upgrade.once('error', reject);
    upgrade.end();
  });
}

/** A client frame (masked, as RFC 6455 requires), final, with `opcode` and `payload`. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : undefined;
  if (header === undefined) throw new Error('frame too large');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index & 3]!));
  return Buffer.concat([header, mask, masked]);
}

/** Calls `onText` with every text message the server sends (unmasked frames, possibly fragmented). */
function readMessages(socket: Socket, onText: (text: string) => void, onError: (error: Error) => void): void {
  let buffered = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  socket.on('error', onError);
  socket.on('close', () => onError(new Error('the inspector closed the connection')));
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const fin = (buffered[0]! & 0x80) !== 0;
      const opcode = buffered[0]! & 0x0f;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffered.length < offset + length) return;
      const payload = buffered.subarray(offset, offset + length);
      buffered = buffered.subarray(offset + length);
      if (opcode === 0x8) return onError(new Error('the inspector closed the connection'));
      if (opcode === 0x9) socket.write(frame(0xa, Buffer.from(payload)));
      if (opcode !== 0x0 && opcode !== 0x1) continue; // pong, binary
      fragments.push(Buffer.from(payload));
      if (fin) {
        const text = Buffer.concat(fragments).toString('utf8');
        fragments = [];
        onText(text);
      }
    }
  });
}
