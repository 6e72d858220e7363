/**
 * `--dashboard [HOST:]PORT` on the long-running commands (up, http, framed serve): the hub is made before the
 * stack (its tracer taps the connections when the stack is built), then attached to the stack's layers and
 * served once the stack is up. Loaded only when the option is given.
 */
import type { Command } from 'commander';
import type { DashboardHub } from '../app/dashboard/dashboard-hub.js';
import type { DashboardAddress, DashboardServer } from '../app/dashboard/dashboard-server.js';
import { formatIpv4 } from '../core/ipv4-address.js';
import { formatMac } from '../core/mac-address.js';
import { SystemClock } from '../core/system-clock.js';
import type { NetworkStack, ServingApp, StackOverrides } from '../di/compositions.js';
import type { TcpLayer } from '../transport/tcp/tcp-layer.js';
import { currentNamespace } from './run-helpers.js';

export interface DashboardOptionValues {
  readonly dashboard?: string;
}

export function addDashboardOption(command: Command): Command {
  return command.option(
    '--dashboard <[host:]port>',
    'serve a live view of the stack to a browser: layers, connections, cwnd chart (host default 127.0.0.1, read-only)',
  );
}

/** What the dashboard shows of a running command. */
export interface DashboardParts {
  /** The command, for the page's title. */
  readonly title: string;
  /** Absent with `--transport kernel`: then only the app has counters. */
  readonly network?: NetworkStack;
  readonly tcp?: TcpLayer;
  readonly app?: ServingApp;
}

export class CliDashboard {
  private server: DashboardServer | undefined;

  private constructor(
    private readonly address: DashboardAddress,
    private readonly hub: DashboardHub,
    private readonly serverModule: typeof import('../app/dashboard/dashboard-server.js'),
  ) {}

  /** Checks `--dashboard` (a usage mistake is answered before the stack is built); undefined without it. */
  static async fromOptions(values: DashboardOptionValues): Promise<CliDashboard | undefined> {
    if (values.dashboard === undefined) return undefined;
    const [serverModule, { DashboardHub }] = await Promise.all([
      import('../app/dashboard/dashboard-server.js'),
      import('../app/dashboard/dashboard-hub.js'),
    ]);
    const address = serverModule.parseDashboardAddress(values.dashboard);
    return new CliDashboard(address, new DashboardHub(new SystemClock()), serverModule);
  }

  /** The stack overrides that tap the TCP tracer (with `--trace`, both get every record). */
  async overrides(): Promise<StackOverrides> {
    const { DashboardTcpTracer } = await import('../app/dashboard/dashboard-tcp-tracer.js');
    return { wrapTcpTracer: (inner) => new DashboardTcpTracer(this.hub, inner) };
  }

  /** Attaches the stack's layers and listens; prints where, and a warning off loopback. */
  async start(parts: DashboardParts, name: string): Promise<void> {
    const hub = this.hub;
    const network = parts.network;
    const ethernet = network?.ethernet;
    network?.ip.onReassembled((info) => hub.reassembledDatagram(info));
    hub.attach({
      title: parts.title,
      layers: () => layersOf(parts),
      connections: () => parts.tcp?.connectionStats() ?? [],
      ...(ethernet !== undefined
        ? {
            arpCache: () =>
              ethernet.arpCache().map((e) => ({
                ip: formatIpv4(e.ip),
                ...(e.mac !== undefined ? { mac: formatMac(e.mac) } : {}),
                state: e.state,
                ageMs: Math.round(e.ageMs),
                queued: e.queued,
              })),
          }
        : {}),
    });
    this.server = await this.serverModule.DashboardServer.start(hub, this.address);
    const url = this.server.url;
    const namespace = currentNamespace();
    const where =
      namespace === undefined
        ? ''
        : ` (in namespace ${namespace}: open it from a browser there, e.g. ip netns exec ${namespace} chromium ${url})`;
    process.stdout.write(`${name}: dashboard on ${url}${where}\n`);
    if (!this.serverModule.isLoopbackHost(this.address.host)) {
      process.stderr.write(
        `pilha: warning: the dashboard listens on ${this.address.host}, not loopback: whoever reaches it sees every connection of this stack\n`,
      );
    }
  }

  async close(): Promise<void> {
    this.hub.close();
    await this.server?.close();
  }
}

/** The layers' boxes, bottom up. A decorated link's counters are its own, then the device's under `inner.`. */
function layersOf(parts: DashboardParts): { name: string; counters: Record<string, number> }[] {
  const out: { name: string; counters: Record<string, number> }[] = [];
  const network = parts.network;
  if (network !== undefined) {
    if (network.ethernet !== undefined) {
      const own: Record<string, number> = {};
      const link: Record<string, number> = {};
      for (const [k, v] of Object.entries(network.ethernet.stats())) {
        if (k.startsWith('inner.')) link[k.slice(6)] = v;
        else own[k] = v;
      }
      out.push({ name: 'link', counters: link }, { name: 'ethernet', counters: own });
    } else {
      out.push({ name: 'link', counters: network.link.stats() });
    }
    out.push({ name: 'ip', counters: network.ip.stats() }, { name: 'icmp', counters: network.icmp.stats() });
  }
  if (parts.tcp !== undefined) out.push({ name: 'tcp', counters: parts.tcp.stats() });
  if (parts.app !== undefined) out.push({ name: 'app', counters: numbersOf(parts.app.totals()) });
  return out;
}

/** An app's totals as flat numeric counters (`statuses.200`). */
function numbersOf(value: object, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'number') out[`${prefix}${k}`] = v;
    else if (typeof v === 'object' && v !== null) numbersOf(v as object, `${prefix}${k}.`, out);
  }
  return out;
}
