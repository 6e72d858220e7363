/**
 * The dashboard's HTTP side on the test process's loopback: the page and uPlot served from the package with a
 * same-origin-only policy, 404 and 405 for anything else, the hub's hello and frames as server-sent events
 * (ticks driven by a VirtualClock), and `--dashboard`'s [HOST:]PORT.
 */
import { get, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardHub } from '../../../../src/app/dashboard/dashboard-hub.js';
import {
  DashboardServer,
  isLoopbackHost,
  parseDashboardAddress,
} from '../../../../src/app/dashboard/dashboard-server.js';
import { PilhaError } from '../../../../src/core/errors.js';
import { VirtualClock } from '../../../../src/core/virtual-clock.js';

function fetchText(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DashboardServer', () => {
  let server: DashboardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(clock = new VirtualClock()) {
    const hub = new DashboardHub(clock);
    hub.attach({
      title: 'pilha test',
      layers: () => [{ name: 'ip', counters: { rxPackets: clock.now() } }],
      connections: () => [],
    });
    server = await DashboardServer.start(hub, { host: '127.0.0.1', port: 0 });
    return { hub, clock, base: `http://127.0.0.1:${server.port}` };
  }

  it('serves the page, its script and uPlot, all from this origin', async () => {
    const { base } = await start();
    const page = await fetchText(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect(src[1]!, 'no asset from elsewhere').toMatch(/^(\/[a-z.]+|data:,)$/);
    }
    const uplot = await fetchText(`${base}/uplot.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.body).toContain('uPlot');
    expect((await fetchText(`${base}/uplot.css`)).status).toBe(200);
    expect((await fetchText(`${base}/dashboard.js`)).body).toContain('EventSource');
    const head = await fetchText(`${base}/dashboard.css`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 404 for an unknown path and 405 (Allow: GET, HEAD) for any other method', async () => {
    const { base } = await start();
    expect((await fetchText(`${base}/../package.json`)).status).toBe(404);
    expect((await fetchText(`${base}/index.html`)).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await fetchText(`${base}/events`, method);
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
  });

  it('answers 403 to a Host header that is a name (DNS rebinding), not to an address or localhost', async () => {
    const { base } = await start();
    const port = new URL(base).port;
    expect((await fetchText(`${base}/`, 'GET', { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await fetchText(`${base}/events`, 'GET', { host: 'rebind.test' })).status).toBe(403);
    expect((await fetchText(`${base}/`, 'GET', { host: `localhost:${port}` })).status).toBe(200);
    expect((await fetchText(`${base}/`, 'GET', { host: '10.77.0.1:8080' })).status).toBe(200);
  });

  it('streams the hello, then a frame per tick; the hub stops when the page leaves', async () => {
    const { base, clock, hub } = await start();
    const messages: { type: string; t?: number }[] = [];
    let close = () => {};
    const gotTwo = new Promise<void>((resolve, reject) => {
      const req = get(`${base}/events`, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buffer += d;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const data = buffer
              .slice(0, end)
              .split('\n')
              .find((l) => l.startsWith('data: '));
            if (data !== undefined) messages.push(JSON.parse(data.slice(6)));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
          if (messages.length === 1) clock.advance(100);
          if (messages.length >= 2) resolve();
        });
      });
      req.on('error', reject);
      close = () => req.destroy();
    });
    await gotTwo;
    expect(messages[0]).toMatchObject({ type: 'hello', title: 'pilha test', tickMs: 100 });
    expect(messages[1]).toMatchObject({ type: 'frame', t: 100 });
    expect(hub.live).toBe(true);
    close();
    for (let i = 0; i < 50 && hub.live; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hub.live).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('says which address it cannot listen on', async () => {
    const { base } = await start();
    const port = Number(new URL(base).port);
    await expect(
      DashboardServer.start(new DashboardHub(new VirtualClock()), { host: '127.0.0.1', port }),
    ).rejects.toThrow(`--dashboard cannot listen on 127.0.0.1:${port}: the port is in use`);
  });
});

describe('parseDashboardAddress', () => {
  it('takes PORT (on 127.0.0.1), HOST:PORT and localhost:PORT', () => {
    expect(parseDashboardAddress('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseDashboardAddress('10.0.0.5:80')).toEqual({ host: '10.0.0.5', port: 80 });
    expect(parseDashboardAddress('localhost:9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseDashboardAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
  });

  it('refuses anything else as a usage mistake', () => {
    for (const bad of ['', 'http', '70000', 'example.org:80', '1.2.3:80', ':x', '8080:']) {
      expect(() => parseDashboardAddress(bad), bad).toThrow(PilhaError);
    }
  });

  it('knows loopback from the rest (the CLI warns off loopback)', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.77.0.2')).toBe(false);
  });
});
