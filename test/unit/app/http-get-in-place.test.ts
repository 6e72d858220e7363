import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApp } from '../../../src/app/http-app.js';
import { type HttpGetOptions, type HttpGetResult, httpGet } from '../../../src/app/http-get.js';
import { SyncFileSink } from '../../../src/cli/get/sync-file-sink.js';
import { formatIpv4 } from '../../../src/core/ipv4-address.js';
import type { RawLink, ReceiveHandler } from '../../../src/layers/link/raw-link.js';
import { ADDRESS_B, drive, type TwoTcpStacks, twoTcpStacks } from '../../helpers/tcp-stacks.js';
import { referenceBytes, referenceSha256 } from './reference-bytes.js';

/**
 * Reuses each received datagram's memory once the stack is done with it, as the TUN reader reuses its ring:
 * a byte kept by reference past its segment's processing reads as garbage.
 */
class ReusingLink implements RawLink {
  readonly mtu: number;
  private handler: ReceiveHandler = () => {};

  constructor(private readonly inner: RawLink) {
    this.mtu = inner.mtu;
    inner.onReceive((datagram, flags) => {
      this.handler(datagram, flags);
      datagram.fill(0xa5);
    });
  }

  send(datagram: Uint8Array): void {
    this.inner.send(datagram);
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  stats(): Record<string, number> {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const SIZE = 300_000;
let stacks: TwoTcpStacks | undefined;

afterEach(async () => {
  await stacks?.close();
  stacks = undefined;
});

/** httpGet from stack A (whose link reuses what it received) of /bytes/SIZE served by HttpApp on stack B. */
async function download(options: HttpGetOptions): Promise<HttpGetResult> {
  stacks = await twoTcpStacks({ wrapLinkA: (inner) => new ReusingLink(inner) });
  await new HttpApp().listen(stacks.b.transport, 80);
  let result: HttpGetResult | undefined;
  let error: unknown;
  httpGet(stacks.a.transport, `http://${formatIpv4(ADDRESS_B)}/bytes/${SIZE}`, {
    clock: stacks.clock,
    ...options,
  }).then(
    (r) => {
      result = r;
    },
    (e: unknown) => {
      error = e;
    },
  );
  await drive(stacks.clock, () => result !== undefined || error !== undefined);
  if (error !== undefined) throw error;
  return result!;
}

describe("httpGet reading in place on pilha's TCP, over a link that reuses its receive memory", () => {
  it('hashes and counts the body right with no sink', async () => {
    const result = await download({});
    expect(result.bytes).toBe(SIZE);
    expect(result.sha256).toBe(referenceSha256(SIZE));
  });

  it('gives an immediate sink views (no copy) that it must consume at once', async () => {
    const copies: Buffer[] = [];
    const views: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        views.push(chunk);
        copies.push(Buffer.from(chunk));
        callback();
      },
    });
    Object.defineProperty(sink, 'writesImmediately', { value: true });
    const result = await download({ sink: () => sink });
    expect(result.sha256).toBe(referenceSha256(SIZE));
    expect(Buffer.concat(copies).equals(referenceBytes(0, SIZE))).toBe(true);
    // Views of the link's memory, since reused: what the sink kept by reference no longer reads right.
    expect(Buffer.concat(views).equals(referenceBytes(0, SIZE))).toBe(false);
  });

  it("hands an immediate sink's writeNow each chunk, bypassing its write(), and still ends it", async () => {
    const copies: Buffer[] = [];
    let writes = 0;
    let ended = false;
    const sink = Object.assign(
      new Writable({
        write(_chunk: Buffer, _encoding, callback) {
          writes++;
          callback();
        },
        final(callback) {
          ended = true;
          callback();
        },
      }),
      {
        writesImmediately: true as const,
        writeNow(chunk: Uint8Array) {
          copies.push(Buffer.from(chunk));
        },
      },
    );
    const result = await download({ sink: () => sink });
    expect(result.sha256).toBe(referenceSha256(SIZE));
    expect(Buffer.concat(copies).equals(referenceBytes(0, SIZE))).toBe(true);
    expect(writes).toBe(0);
    expect(ended).toBe(true);
  });

  it('fails the download with the error writeNow throws, as a sink error', async () => {
    const sink = Object.assign(new Writable({ write: (_c, _e, callback) => callback() }), {
      writesImmediately: true as const,
      writeNow() {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    });
    await expect(download({ sink: () => sink })).rejects.toThrow(/ENOSPC/);
  });

  it('gives a sink that keeps chunks past write() copies: byte-exact though it writes later', async () => {
    const kept: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        kept.push(chunk);
        setImmediate(callback);
      },
    });
    const result = await download({ sink: () => sink });
    expect(result.sha256).toBe(referenceSha256(SIZE));
    expect(Buffer.concat(kept).equals(referenceBytes(0, SIZE))).toBe(true);
  });

  it('writes a file through SyncFileSink byte-exact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilha-in-place-'));
    try {
      const path = join(dir, 'body');
      const fd = openSync(path, 'w');
      const result = await download({ sink: () => new SyncFileSink(fd) });
      expect(result.sha256).toBe(referenceSha256(SIZE));
      expect(readFileSync(path).equals(referenceBytes(0, SIZE))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
