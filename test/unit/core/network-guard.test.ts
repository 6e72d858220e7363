import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectTarget, isLoopback } from '../../setup/network-guard.js';

describe('the test network guard', () => {
  it('finds the target host in every form of Socket.connect arguments', () => {
    expect(connectTarget([8080, '10.9.0.2'])).toBe('10.9.0.2');
    expect(connectTarget([{ host: '192.0.2.1', port: 80 }])).toBe('192.0.2.1');
    // net.connect() hands Socket.connect its normalized arguments: an array [options, callback].
    expect(connectTarget([[{ host: '10.9.0.2', port: 8080 }, null]])).toBe('10.9.0.2');
    expect(connectTarget([80])).toBe('localhost');
    expect(connectTarget(['/tmp/some.sock'])).toBeUndefined();
    expect(connectTarget([{ path: '/tmp/some.sock' }])).toBeUndefined();
    expect(isLoopback('10.9.0.2')).toBe(false);
    expect(isLoopback('127.0.0.1')).toBe(true);
  });

  it('is installed: a connection to a non-loopback address throws before any packet leaves', () => {
    // Checked first (installed, and refusing net.connect's own argument form) so that this test itself
    // can never reach the network.
    expect(net.Socket.prototype.connect.name).toBe('guardedConnect');
    expect(isLoopback(connectTarget([[{ host: '10.9.0.2', port: 8080 }, null]])!)).toBe(false);
    expect(() => net.connect(8080, '10.9.0.2')).toThrowError(/network guard/);
  });

  it('lets loopback through', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
