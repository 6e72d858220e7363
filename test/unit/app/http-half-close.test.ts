/**
 * Issue 6, finding 1, on the kernel's TCP: node:http's default ends the socket at the client's FIN, which cuts
 * off any response not yet written by then (a file read asynchronously, say). HttpApp must serve a client
 * that half-closes (shutdown(SHUT_WR)) in full on either transport; pilha's is in test/sim/http-half-close.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApp } from '../../../src/app/http-app.js';
import { referenceSha256 } from './reference-bytes.js';
import { LoopbackNetTransport } from './transports.js';

const FILE = Buffer.alloc(1_048_576);
for (let i = 0; i < FILE.length; i++) FILE[i] = (i * 31 + (i >>> 9)) & 0xff;
const FILE_SHA256 = createHash('sha256').update(FILE).digest('hex');

/** A client like `nc -N`: request, shutdown(SHUT_WR), read to EOF. */
function halfClosedGet(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function body(response: Buffer): Buffer {
  return response.subarray(response.indexOf('\r\n\r\n') + 4);
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('HttpApp on the kernel TCP serves half-closed clients in full', () => {
  let dir = '';
  const apps: HttpApp[] = [];
  let filePort = 0;
  let bytesPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-half-close-'));
    writeFileSync(join(dir, 'big.bin'), FILE);
    const files = new HttpApp({ root: dir });
    const bytes = new HttpApp();
    apps.push(files, bytes);
    filePort = (await files.listen(new LoopbackNetTransport(), 0, '127.0.0.1')).port;
    bytesPort = (await bytes.listen(new LoopbackNetTransport(), 0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const version of ['1.0', '1.1']) {
    it(`a file (read asynchronously), HTTP/${version}, 20 of 20`, async () => {
      let whole = 0;
      for (let i = 0; i < 20; i++) {
        const r = await halfClosedGet(filePort, `GET /big.bin HTTP/${version}\r\nHost: x\r\n\r\n`);
        if (sha256(body(r)) === FILE_SHA256) whole++;
      }
      expect(whole).toBe(20);
    });

    it(`/bytes/1048576, HTTP/${version}, 20 of 20`, async () => {
      let whole = 0;
      for (let i = 0; i < 20; i++) {
        const r = await halfClosedGet(bytesPort, `GET /bytes/1048576 HTTP/${version}\r\nHost: x\r\n\r\n`);
        if (sha256(body(r)) === referenceSha256(1_048_576)) whole++;
      }
      expect(whole).toBe(20);
    });
  }
});
