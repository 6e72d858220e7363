/**
 * What PacketLink asks of the interface it binds to before it starts: that it exists, its MAC and MTU, that
 * no address of this network namespace is pilha's (the kernel would answer ARP for it too), whether the
 * kernel forwards what it receives there, and, without a virtio_net_hdr to describe them, that offloads which
 * merge frames or leave checksums unfinished are off.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { PilhaError } from '../../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../../core/ipv4-address.js';
import { type MacAddress, parseMac } from '../../../core/mac-address.js';

const NAME_RE = /^[A-Za-z0-9_.@-]{1,15}$/;

export interface PacketInterface {
  readonly name: string;
  /** The interface's own MAC (/sys/class/net/NAME/address). */
  readonly mac: MacAddress;
  /** The interface's MTU (/sys/class/net/NAME/mtu). */
  readonly mtu: number;
  /** Whether the interface is administratively up. */
  readonly up: boolean;
}

/** Reads the interface `name` of this network namespace; a missing one throws ERAWLINK with the way out. */
export function readPacketInterface(name: string): PacketInterface {
  if (!NAME_RE.test(name)) {
    throw new PilhaError(
      'EBADOPTION',
      `--device must be an interface name of 1 to 15 characters, got '${name}'`,
    );
  }
  const dir = `/sys/class/net/${name}`;
  if (!existsSync(dir)) {
    throw new PilhaError(
      'ERAWLINK',
      `no network interface '${name}' in this network namespace (--link packet binds to an existing one: create a veth pair, see the README's stage 4)`,
    );
  }
  const read = (file: string): string => {
    try {
      return readFileSync(`${dir}/${file}`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const type = read('type');
  if (type !== '' && type !== '1') {
    throw new PilhaError(
      'ERAWLINK',
      `interface '${name}' is not an Ethernet interface (ARPHRD ${type}): --link packet needs one (a veth end)`,
    );
  }
  const mtu = Number.parseInt(read('mtu'), 10);
  const flags = Number.parseInt(read('flags'), 16);
  let mac: MacAddress;
  try {
    mac = parseMac(read('address'));
  } catch {
    throw new PilhaError('ERAWLINK', `cannot read the MAC address of interface '${name}'`);
  }
  return {
    name,
    mac,
    mtu: Number.isInteger(mtu) ? mtu : 1500,
    up: Number.isInteger(flags) && (flags & 1) === 1,
  };
}

/** An IPv4 address of an interface of this namespace, as `ip -o -4 addr show` lists them. */
export interface InterfaceAddress {
  readonly name: string;
  readonly address: string;
  /** The subnet's prefix length (`/24`); absent when the listing did not say (os.networkInterfaces). */
  readonly prefixLength?: number;
}

/**
 * Every IPv4 address of this network namespace, down interfaces included (`ip -o -4 addr show`;
 * os.networkInterfaces() lists only interfaces that are up, and the check must not miss one brought up later).
 */
export function readInterfaceAddresses(): InterfaceAddress[] {
  try {
    const out = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8', timeout: 10_000 });
    return parseIpAddrShow(out);
  } catch {
    const out: InterfaceAddress[] = [];
    for (const [name, addresses] of Object.entries(networkInterfaces())) {
      for (const a of addresses ?? []) if (a.family === 'IPv4') out.push({ name, address: a.address });
    }
    return out;
  }
}

/** The lines of `ip -o -4 addr show`: "2: eth0    inet 10.0.0.2/24 brd ... scope global eth0\ ...". */
export function parseIpAddrShow(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^\s@:]+)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/.exec(line);
    if (m === null) continue;
    out.push({ name: m[1]!, address: m[2]!, ...(m[3] !== undefined ? { prefixLength: Number(m[3]) } : {}) });
  }
  return out;
}

/**
 * Throws when an interface of this network namespace has `address`: the kernel would then answer ARP requests
 * for it (Linux answers for any local address on any interface) and take pilha's traffic.
 */
export function checkAddressNotLocal(
  address: Ipv4Address,
  device: string,
  addresses: readonly InterfaceAddress[] = readInterfaceAddresses(),
): void {
  const text = formatIpv4(address);
  for (const { name, address: a } of addresses) {
    if (a !== text) continue;
    const where = name === device ? `the device ${device} itself` : `interface ${name}`;
    throw new PilhaError(
      'ERAWLINK',
      `pilha's address ${text} is configured on ${where}, so the kernel would answer for it too: remove it (ip addr del ${text}/... dev ${name}) and give the kernel's address to the other end of the veth pair`,
    );
  }
}

/** Brings the interface up (`ip link set dev NAME up`), or down again; a failure throws ERAWLINK. */
export function setInterfaceUp(name: string, up = true): void {
  const state = up ? 'up' : 'down';
  try {
    execFileSync('ip', ['link', 'set', 'dev', name, state], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    const detail = e.stderr?.toString().trim().split('\n')[0] || e.message.split('\n')[0];
    throw new PilhaError('ERAWLINK', `cannot bring interface '${name}' ${state}: ${detail}`);
  }
}

/**
 * Whether the interface, up, has a carrier (/sys/class/net/NAME/carrier): a veth end has none while its other
 * end is down, and then nothing arrives. Undefined when it cannot be read (the interface down or gone).
 */
export function hasCarrier(name: string): boolean | undefined {
  try {
    const text = readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim();
    return text === '1' ? true : text === '0' ? false : undefined;
  } catch {
    return undefined;
  }
}

/** Offloads (ethtool's short names) turned off on `device`, to turn on again when pilha is done with it. */
export interface TurnedOffOffloads {
  readonly device: string;
  readonly features: readonly string[];
}

/** ethtool's short names (`ethtool -K`) for the features `ethtool -k` lists by their long names. */
const OFFLOAD_FEATURES: Readonly<Record<string, string>> = {
  gro: 'generic-receive-offload',
  lro: 'large-receive-offload',
  tso: 'tcp-segmentation-offload',
  gso: 'generic-segmentation-offload',
  tx: 'tx-checksumming',
};

/** A feature as `ethtool -k` shows it: on or off, and whether it can change ("[fixed]"). */
export interface EthtoolFeature {
  readonly on: boolean;
  readonly fixed: boolean;
}

/** The top-level features `ethtool -k` lists, by long name; the indented sub-features are not read. */
export function parseEthtoolFeatures(text: string): Map<string, EthtoolFeature> {
  const features = new Map<string, EthtoolFeature>();
  for (const m of text.matchAll(/^([a-z0-9-]+): (on|off)( \[fixed\])?/gm)) {
    features.set(m[1]!, { on: m[2] === 'on', fixed: m[3] !== undefined });
  }
  return features;
}

/** The features of interface `name` (ethtool -k), or undefined when ethtool is missing or cannot say. */
function readFeatures(name: string): Map<string, EthtoolFeature> | undefined {
  try {
    return parseEthtoolFeatures(
      execFileSync('ethtool', ['-k', name], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * Turns `features` (short names) off with ethtool on `name`. Returns those of them that were on before and
 * can change, for restoreOffloads to turn on again, or undefined when ethtool is missing or the driver refused.
 */
function turnOffloadsOff(name: string, features: readonly string[]): string[] | undefined {
  const before = readFeatures(name);
  if (before === undefined) return undefined;
  try {
    execFileSync('ethtool', ['-K', name, ...features.flatMap((f) => [f, 'off'])], {
      stdio: ['ignore', 'ignore', 'ignore'],
      timeout: 10_000,
    });
  } catch {
    return undefined;
  }
  return features.filter((f) => {
    const feature = before.get(OFFLOAD_FEATURES[f]!);
    return feature?.on === true && !feature.fixed;
  });
}

/**
 * Turns back on the offloads turnOffloadsOff turned off on `name` (best effort: the interface may be gone);
 * whether ethtool agreed.
 */
export function restoreOffloads(name: string, features: readonly string[]): boolean {
  if (features.length === 0) return true;
  try {
    execFileSync('ethtool', ['-K', name, ...features.flatMap((f) => [f, 'on'])], {
      stdio: ['ignore', 'ignore', 'ignore'],
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Receive offloads that would hand a packet socket without a virtio_net_hdr frames that are not on the wire:
 * GRO and LRO merge segments into super-frames beyond the MTU. Turned off with ethtool on pilha's interface;
 * returns those that were on (restoreOffloads turns them on again when pilha is done), or undefined when
 * ethtool is missing or the driver refuses, since PacketLink still copes: it drops oversized frames under a
 * counter.
 */
export function disableReceiveOffloads(name: string): string[] | undefined {
  return turnOffloadsOff(name, ['gro', 'lro']);
}

/**
 * The name of the other end of a veth pair when it is in this network namespace (`ip -o link show` prints
 * "veth-pilha@veth-host"; a peer elsewhere shows as "@if5"), else undefined.
 */
export function localVethPeer(name: string): string | undefined {
  const line = ipLinkLine(name);
  return line === undefined ? undefined : parseVethPeer(line, name);
}

/** Whether the interface is one end of a pair whose other end is in another namespace ("NAME@ifN"). */
export function hasRemotePeer(name: string): boolean {
  const line = ipLinkLine(name);
  return line !== undefined && parseRemotePeer(line, name);
}

export function parseVethPeer(ipLinkLine: string, name: string): string | undefined {
  const m = /^\d+:\s+([^@:\s]+)@([^:\s]+):/.exec(ipLinkLine);
  if (m === null || m[1] !== name || /^if\d+$/.test(m[2]!) || m[2] === 'NONE') return undefined;
  return m[2];
}

export function parseRemotePeer(ipLinkLine: string, name: string): boolean {
  const m = /^\d+:\s+([^@:\s]+)@(if\d+):/.exec(ipLinkLine);
  return m !== null && m[1] === name;
}

function ipLinkLine(name: string): string | undefined {
  try {
    return execFileSync('ip', ['-o', 'link', 'show', 'dev', name], { encoding: 'utf8', timeout: 10_000 });
  } catch {
    return undefined;
  }
}

/**
 * Transmit offloads of the kernel's end that a packet socket without a virtio_net_hdr would see undone:
 * segmentation offload hands the veth 64 KB TCP super-frames (measured: frames of 65,226 bytes at pilha's
 * end) and checksum offload leaves TCP checksums unfinished. Turned off with ethtool (`tso off gso off tx
 * off`); returns those that were on, or undefined when that failed.
 */
export function disableTransmitOffloads(name: string): string[] | undefined {
  return turnOffloadsOff(name, ['tso', 'gso', 'tx']);
}

/**
 * Whether the kernel forwards datagrams it receives on interface `name` (net.ipv4.conf.NAME.forwarding): it
 * still receives what is sent to pilha there, and would send a copy of each back out. False when unreadable.
 */
export function kernelForwardsOn(name: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv4/conf/${name}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/**
 * What an interface needs on for the kernel to send super-frames through it: with transmit checksumming or
 * scatter-gather off, it cuts every one in software even while ethtool still says TSO is on.
 */
const SEGMENTATION_FEATURES = ['tcp-segmentation-offload', 'tx-checksumming', 'scatter-gather'] as const;

/** Whether `features` (readFeatures) let the kernel send super-frames: none of SEGMENTATION_FEATURES off. */
export function segmentsWith(features: ReadonlyMap<string, EthtoolFeature>): boolean {
  return SEGMENTATION_FEATURES.every((name) => features.get(name)?.on !== false);
}

/** Whether `name` sends super-frames (segmentsWith, from ethtool -k); undefined when ethtool cannot say. */
export function segmentationOffloadOn(name: string): boolean | undefined {
  const features = readFeatures(name);
  return features === undefined ? undefined : segmentsWith(features);
}

/**
 * Whether Linux `release` (os.release(): "6.1.0-18-amd64") takes TCP super-frames on a packet socket: 5.10 or
 * later. Older kernels may leave such a frame's protocol at the socket's ETH_P_ALL, and the GSO code then
 * drops it with no error to the writer.
 */
export function packetSocketSegments(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (m === null) return false;
  const major = Number(m[1]);
  return major > 5 || (major === 5 && Number(m[2]) >= 10);
}
