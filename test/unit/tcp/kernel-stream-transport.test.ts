import { describe, expect, it } from 'vitest';
import { KernelStreamTransport } from '../../../src/transport/socket/kernel-stream-transport.js';
import type { StreamSocket } from '../../../src/transport/socket/stream-transport.js';

describe('KernelStreamTransport (node:net, on loopback only)', () => {
  it('serves and connects on 127.0.0.1', async () => {
    const transport = new KernelStreamTransport();
    expect(transport.name).toBe('kernel');
    const server = transport.createServer((socket: StreamSocket) => socket.pipe(socket));
    await server.listen(0, '127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    const socket = await transport.connect('127.0.0.1', server.port);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.length === 5) resolve(text);
      });
      socket.write('hello');
    });
    expect(reply).toBe('hello');
    socket.destroy();
    await server.close();
  });

  it('rejects a connection nobody accepts (ECONNREFUSED)', async () => {
    const transport = new KernelStreamTransport();
    const server = transport.createServer(() => {});
    await server.listen(0, '127.0.0.1');
    const port = server.port;
    await server.close();
    await expect(transport.connect('127.0.0.1', port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
