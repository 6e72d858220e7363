/**
 * `--dashboard [HOST:]PORT`: node:http on the kernel's TCP (default 127.0.0.1, the loopback of the namespace
 * pilha runs in), serving one page and its assets from the package (uPlot from its npm package, nothing from
 * the network) and the hub's frames as server-sent events at /events. Read-only: GET and HEAD only (405
 * otherwise), 404 for any other path, 403 for a Host header that is a name (DNS rebinding). A page whose connection falls behind (more than MAX_BUFFERED_BYTES
 * unsent) misses frames rather than growing pilha's memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PilhaError } from '../../core/errors.js';
import { parseIpv4 } from '../../core/ipv4-address.js';
import type { DashboardFrame } from './dashboard-frame.js';
import type { DashboardHub } from './dashboard-hub.js';

export interface DashboardAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
/** A page that has this much unsent misses frames until it catches up. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Pages served at once; more get 503 (each costs a socket and its buffer). */
const MAX_CLIENTS = 16;

/** `[HOST:]PORT`: an IPv4 address or `localhost`, and a port (0: any free one). */
export function parseDashboardAddress(text: string): DashboardAddress {
  const colon = text.lastIndexOf(':');
  const hostText = colon < 0 ? DEFAULT_DASHBOARD_HOST : text.slice(0, colon);
  const portText = colon < 0 ? text : text.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new PilhaError(
      'EBADOPTION',
      `--dashboard must be [HOST:]PORT, e.g. 8080 or 127.0.0.1:8080, got '${text}'`,
    );
  }
  if (hostText === 'localhost') return { host: DEFAULT_DASHBOARD_HOST, port };
  try {
    parseIpv4(hostText);
  } catch {
    throw new PilhaError(
      'EBADOPTION',
      `--dashboard host must be an IPv4 address or localhost, got '${hostText}'`,
    );
  }
  return { host: hostText, port };
}

export function isLoopbackHost(host: string): boolean {
  return /^127\./.test(host);
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * The page and its assets, read once: the page beside this module (copied into dist/ by the build), or from
 * the command line's bundle (dist/cli/, scripts/bundle-cli.mjs) in dist/app/dashboard/; uPlot from
 * node_modules.
 */
function loadAssets(): Map<string, Asset> {
  const pageDirectory = [
    new URL('./page/', import.meta.url),
    new URL('../app/dashboard/page/', import.meta.url),
  ]
    .map((url) => fileURLToPath(url))
    .find((directory) => existsSync(directory));
  const page = (name: string) =>
    `${pageDirectory ?? fileURLToPath(new URL('./page/', import.meta.url))}${name}`;
  const require = createRequire(import.meta.url);
  const files: [string, string, string][] = [
    ['/', page('index.html'), 'text/html; charset=utf-8'],
    ['/dashboard.js', page('dashboard.js'), 'text/javascript; charset=utf-8'],
    ['/dashboard.css', page('dashboard.css'), 'text/css; charset=utf-8'],
    ['/uplot.js', require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['/uplot.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  return new Map(files.map(([path, file, type]) => [path, { type, body: readFileSync(file) }]));
}

/** Host headers the dashboard answers to: an IPv4 address or localhost, with a port or not. */
const LITERAL_HOST = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)(:\d{1,5})?$/i;

const SECURITY_HEADERS = {
  // Everything from this origin: the page could not load from the network even if it tried.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export class DashboardServer {
  private readonly clients = new Set<ServerResponse>();
  private unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly server: Server,
    private readonly hub: DashboardHub,
    private readonly assets: Map<string, Asset>,
  ) {}

  /** Listens on `address`; a port in use or an address the host lacks is one readable error. */
  static async start(hub: DashboardHub, address: DashboardAddress): Promise<DashboardServer> {
    const assets = loadAssets();
    const server = createServer();
    const dashboard = new DashboardServer(server, hub, assets);
    server.on('request', (req, res) => dashboard.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why =
          err.code === 'EADDRINUSE'
            ? 'the port is in use'
            : err.code === 'EADDRNOTAVAIL' && isLoopbackHost(address.host)
              ? 'the loopback interface is down (a new namespace has it down: ip link set lo up)'
              : err.code === 'EADDRNOTAVAIL'
                ? 'no interface has this address'
                : err.message;
        reject(
          new PilhaError(
            'EADDRINUSE',
            `--dashboard cannot listen on ${address.host}:${address.port}: ${why}`,
          ),
        );
      });
      server.listen(address.port, address.host, () => resolve());
    });
    return dashboard;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.address}:${a.port}/`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!LITERAL_HOST.test(req.headers.host ?? '')) {
      // A name in Host is what a DNS-rebinding page sends: the dashboard answers only to addresses.
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('403: the dashboard answers to an IPv4 address or localhost only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {
        allow: 'GET, HEAD',
        'content-type': 'text/plain; charset=utf-8',
        ...SECURITY_HEADERS,
      });
      res.end('405 method not allowed: the dashboard is read-only\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/events') {
      this.events(req, res);
      return;
    }
    const asset = this.assets.get(path);
    if (asset === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('404 not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= MAX_CLIENTS) {
      res.writeHead(503, {
        'content-type': 'text/plain; charset=utf-8',
        'retry-after': '5',
        ...SECURITY_HEADERS,
      });
      res.end(`503: at most ${MAX_CLIENTS} pages at once\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write(`retry: 2000\ndata: ${JSON.stringify(this.hub.hello())}\n\n`);
    this.clients.add(res);
    if (this.unsubscribe === undefined)
      this.unsubscribe = this.hub.subscribe((frame) => this.broadcast(frame));
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    });
  }

  /** One serialization per frame, whatever the number of pages. */
  private broadcast(frame: DashboardFrame): void {
    const text = `data: ${JSON.stringify(frame)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength < MAX_BUFFERED_BYTES) res.write(text);
    }
  }
}
