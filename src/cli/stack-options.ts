import type { Command, Option } from 'commander';
import { PilhaError } from '../core/errors.js';
import {
  directedBroadcast,
  formatIpv4,
  parseIpv4,
  parseIpv4Prefix,
  prefixMask,
  sameSubnet,
} from '../core/ipv4-address.js';
import { parseLogSpec } from '../core/logger.js';
import { isGroupMac, type MacAddress, parseMac } from '../core/mac-address.js';
import type { StackConfig } from '../di/stack-config.js';
import { DEFAULT_REASSEMBLY_MAX_BYTES } from '../di/stack-config.js';
import { parseImpairment } from '../layers/link/decorators/impairment.js';
import { findLocalInterface, readInterfaceMtu } from '../layers/link/raw-socket/host-address.js';
import {
  CONGESTION_CONTROL_NAMES,
  isCongestionControlName,
} from '../transport/congestion/congestion-control-by-name.js';
import type { CongestionControlName } from '../transport/congestion/congestion-controller.js';
import { DEFAULT_TCP_CONFIG } from '../transport/tcp/tcp-config.js';
import { checkDistinctFiles } from './files/distinct-files.js';
import type { ReadyFileValues } from './files/ready-file.js';
import { integerOption, secondsOption } from './number-options.js';

/** The options every stack-building command shares, as commander hands them over. */
export interface StackOptionValues {
  readonly link?: string;
  readonly tun: string;
  /** --device: the TUN or TAP device to create, or the interface an AF_PACKET socket binds to. */
  readonly device?: string;
  /** --mac: pilha's MAC on an Ethernet link (tap: random by default; packet: the interface's). */
  readonly mac?: string;
  /** Absent: 10.77.0.2 on a TUN device, 127.0.0.1 with --link raw. */
  readonly address?: string;
  readonly hostAddress: string;
  /** Absent: 1500 on a TUN device, the MTU of the address's interface with --link raw. */
  readonly mtu?: string;
  readonly reassemblyTimeout: string;
  /** --pmtu-expires: seconds a path MTU learned from ICMP lasts; absent, ten minutes. */
  readonly pmtuExpires?: string;
  readonly pcap?: string;
  readonly trace?: string;
  readonly impair?: string;
  readonly log?: string;
  /** --cc: the congestion control algorithm; absent, TcpConfig's default (cubic). */
  readonly cc?: string;
  /** --no-sack sets it false: offer no SACK-permitted and send no SACK blocks (Linux's tcp_sack=0). */
  readonly sack?: boolean;
  /** --no-offload sets it false: no TUN, TAP or packet segmentation offload (each segment one write, each read one packet). */
  readonly offload?: boolean;
  /** --no-hystart sets it false: standard slow start, to the first loss (TcpConfig.hystart). */
  readonly hystart?: boolean;
  /** --min-rto: the RTO floor in ms (TcpConfig.minRtoMs); absent, Linux's 200 ms. */
  readonly minRto?: string;
  /** --silence-probes: TcpConfig.silenceProbes (0: none, as RFC 8985); absent, 3. */
  readonly silenceProbes?: string;
}

export function addStackOptions(command: Command): Command {
  const first = command.options.length;
  command
    .hook('preAction', checkTunOption)
    .option(
      '--link <kind>',
      "tun (a TUN device of pilha's own), tap (a TAP device: Ethernet and ARP), packet (an AF_PACKET socket on an existing interface, --device) or raw (a raw socket on an address the host has; pilha http and framed serve only)",
      'tun',
    )
    .option('--tun <name>', 'TUN device to create', 'pilha0')
    .option(
      '--device <name>',
      `the TUN or TAP device to create (default: pilha0, ${DEFAULT_TAP_NAME}), or with --link packet the existing interface to bind to`,
    )
    .option(
      '--mac <mac>',
      "pilha's MAC with --link tap (default: random) or packet (default: the interface's)",
    )
    .option('--address <ip>', "pilha's own IPv4 address (default: 10.77.0.2; with --link raw, 127.0.0.1)")
    .option(
      '--host-address <ip/prefix>',
      "the kernel's address on the TUN or TAP device (with --link packet: on the far end of the veth pair)",
      '10.77.0.1/24',
    )
    .option('--mtu <bytes>', "link MTU (default: 1500; with --link raw, the MTU of --address's interface)")
    .option('--reassembly-timeout <seconds>', 'drop incomplete fragmented datagrams after this long', '30')
    .option(
      '--pmtu-expires <seconds>',
      'forget a path MTU learned from ICMP this long after its last fall (default: 600, as Linux)',
    )
    .option('--pcap <file>', 'write every datagram sent and received to this pcap file')
    .option(
      '--trace <file>',
      "record each TCP connection's cwnd, ssthresh, in-flight bytes, srtt, rto and loss events as JSON lines (pilha plot draws them)",
    )
    .option('--impair <spec>', 'impair the link, e.g. loss=0.05,reorder=0.02,delay=10,seed=1')
    .option('--log <spec>', 'log levels per layer, e.g. ip=debug,icmp=trace (or PILHA_LOG)')
    .option('--cc <name>', `TCP congestion control: ${CONGESTION_CONTROL_NAMES.join(', ')} (default: cubic)`)
    .option(
      '--no-offload',
      'with --link tun, tap or packet: no segmentation offload with the kernel (one write per TCP segment, MTU-sized reads)',
    )
    .option('--no-sack', 'TCP without selective acknowledgments (no SACK-permitted, no SACK blocks)')
    .option('--no-hystart', 'TCP slow start without HyStart++ (RFC 9406): grow until the first loss')
    .option(
      '--min-rto <ms>',
      `TCP's least retransmission timeout, in ms (default: ${DEFAULT_TCP_CONFIG.minRtoMs}, like Linux)`,
    )
    .option(
      '--silence-probes <n>',
      `probes per ACK silence where RFC 8985 allows no tail loss probe, 0-10; 0 leaves it to the RTO, as Linux (default: ${DEFAULT_TCP_CONFIG.silenceProbes})`,
    );
  // All of them but --log configure pilha's stack, which --transport kernel does not build.
  const stackOnly = command.options.slice(first).filter((option) => option.attributeName() !== 'log');
  return command.hook('preAction', (action) => refuseWithKernelTransport(action, stackOnly));
}

/**
 * `--transport kernel` (node:net) builds no stack: a stack option given beside it (--pcap, --tun, --impair...)
 * would do nothing, and the capture or impairment the user asked for would silently not happen.
 */
function refuseWithKernelTransport(command: Command, stackOnly: readonly Option[]): void {
  if (command.opts<{ transport?: string }>().transport !== 'kernel') return;
  for (const option of stackOnly) {
    if (command.getOptionValueSource(option.attributeName()) !== 'cli') continue;
    throw new PilhaError(
      'EBADOPTION',
      `${option.long} configures pilha's stack, which --transport kernel does not use: leave one out`,
    );
  }
}

/** What a command adds to the shared options: the ports it serves on, which a raw-socket link claims. */
export interface StackConfigExtras {
  readonly claimedPorts?: readonly number[];
}

const TUN_DEFAULT_ADDRESS = '10.77.0.2';
const DEFAULT_TAP_NAME = 'pilhatap0';
/**
 * --tun given on the command line (its default does not count) names the device of --link tun and nothing
 * else: with another link, or beside --device, it was ignored without a word.
 */
function checkTunOption(command: Command): void {
  if (command.getOptionValueSource('tun') !== 'cli') return;
  const values = command.opts<StackOptionValues>();
  const link = values.link ?? 'tun';
  if (link !== 'tun') {
    const instead = link === 'raw' ? 'there is no device' : 'use --device';
    throw new PilhaError(
      'EBADOPTION',
      `--tun names the device of --link tun; with --link ${link}, ${instead}`,
    );
  }
  if (values.device !== undefined) {
    throw new PilhaError('EBADOPTION', '--tun and --device both name the TUN device: give one');
  }
}

const LINK_KINDS = ['tun', 'tap', 'packet', 'raw'] as const;
const DEVICE_NAME = /^[A-Za-z0-9_.%-]{1,15}$/;
const RAW_DEFAULT_ADDRESS = '127.0.0.1';
const DEFAULT_TUN_MTU = 1500;
/** The largest datagram IPv4's total-length field allows: loopback's MTU (65536) is one more. */
const MAX_IPV4_DATAGRAM = 65_535;

/** Turns the shared options into a StackConfig, checking each one; mistakes throw EBADOPTION. */
export function stackConfigFrom(values: StackOptionValues, extras: StackConfigExtras = {}): StackConfig {
  const kind = values.link ?? 'tun';
  if (!(LINK_KINDS as readonly string[]).includes(kind)) {
    throw new PilhaError('EBADOPTION', `--link must be one of ${LINK_KINDS.join(', ')}, got '${kind}'`);
  }
  if (values.mac !== undefined && kind !== 'tap' && kind !== 'packet') {
    throw new PilhaError(
      'EBADOPTION',
      `--mac applies to --link tap or packet (an Ethernet link), not ${kind}`,
    );
  }
  if (values.device !== undefined && kind === 'raw') {
    throw new PilhaError('EBADOPTION', '--device applies to --link tun, tap or packet, not raw');
  }
  const common = commonConfig(values);
  if (kind === 'raw') return rawConfig(values, extras, common);
  if (kind === 'packet') return packetConfig(values, common);
  return tunConfig(values, common, kind === 'tap' ? 'tap' : 'tun');
}

/** --mac: a unicast address (a group address as a source MAC is invalid on Ethernet). */
function macOption(text: string): MacAddress {
  let mac: MacAddress;
  try {
    mac = parseMac(text);
  } catch {
    throw new PilhaError(
      'EBADOPTION',
      `--mac must be six hex octets such as 02:00:00:00:00:01, got '${text}'`,
    );
  }
  if (isGroupMac(mac)) {
    throw new PilhaError('EBADOPTION', `--mac must be a unicast address (first octet even), got '${text}'`);
  }
  return mac;
}

function deviceNameOption(name: string, option: string): string {
  if (!DEVICE_NAME.test(name)) {
    throw new PilhaError(
      'EBADOPTION',
      `${option} must be a device name of 1 to 15 letters, digits, '-', '_' or '.'`,
    );
  }
  return name;
}

type CommonConfig = Omit<StackConfig, 'link' | 'mtu' | 'address'>;

/** --link tun or tap: a device pilha creates, the kernel's side configured with --host-address. */
function tunConfig(values: StackOptionValues, common: CommonConfig, kind: 'tun' | 'tap'): StackConfig {
  const name =
    values.device !== undefined
      ? deviceNameOption(values.device, '--device')
      : kind === 'tap'
        ? DEFAULT_TAP_NAME
        : deviceNameOption(values.tun, '--tun');
  const { address, host } = subnetOptions(values);
  const mtu = values.mtu === undefined ? DEFAULT_TUN_MTU : mtuOption(values.mtu);
  const hostSide = { name, hostAddress: host.address, prefixLength: host.length };
  const offload = values.offload === false ? { offload: false } : {};
  const link =
    kind === 'tap'
      ? { kind, ...hostSide, ...offload, ...(values.mac !== undefined ? { mac: macOption(values.mac) } : {}) }
      : { kind, ...hostSide, ...offload };
  return { link, mtu, address, ...common };
}

/**
 * --link packet: an existing interface (--device, required), pilha's address not on it; --host-address is the
 * kernel's address on the other end of the veth pair, whose prefix is the subnet's. The MTU is the
 * interface's unless --mtu says less.
 */
function packetConfig(values: StackOptionValues, common: CommonConfig): StackConfig {
  if (values.device === undefined) {
    throw new PilhaError(
      'EBADOPTION',
      "--link packet needs --device NAME: the existing interface to bind to (pilha's end of a veth pair)",
    );
  }
  const device = deviceNameOption(values.device, '--device');
  const { address, host } = subnetOptions(values);
  const mtu =
    values.mtu === undefined
      ? Math.min(readInterfaceMtu(device) ?? DEFAULT_TUN_MTU, MAX_IPV4_DATAGRAM)
      : mtuOption(values.mtu);
  return {
    link: {
      kind: 'packet',
      device,
      prefixLength: host.length,
      ...(values.mac !== undefined ? { mac: macOption(values.mac) } : {}),
      ...(values.offload === false ? { offload: false } : {}),
    },
    mtu,
    address,
    ...common,
  };
}

/** --address and --host-address: two different addresses of one subnet. */
function subnetOptions(values: StackOptionValues): {
  address: number;
  host: { address: number; length: number };
} {
  const address = parseIpv4(values.address ?? TUN_DEFAULT_ADDRESS);
  const host = parseIpv4Prefix(values.hostAddress, 24);
  if (host.length > 30) throw new PilhaError('EBADOPTION', '--host-address prefix must be /30 or shorter');
  if (address === host.address) {
    throw new PilhaError('EBADOPTION', '--address and --host-address must differ (pilha is the other end)');
  }
  if (!sameSubnet(address, host.address, host.length)) {
    throw new PilhaError(
      'EBADOPTION',
      `--address ${formatIpv4(address)} is not in the host's subnet ${formatIpv4(host.address)}/${host.length}`,
    );
  }
  // The subnet's first and last addresses name the subnet and its broadcast (RFC 919, RFC 922): as pilha's
  // address the kernel would take its datagrams as broadcast; as the host's, `ip addr` refuses nothing but
  // routes oddly. /31 and /32 are refused above.
  const network = (host.address & prefixMask(host.length)) >>> 0;
  const broadcast = directedBroadcast(host.address, host.length);
  for (const [option, value] of [
    ['--address', address],
    ['--host-address', host.address],
  ] as const) {
    if (value === network || value === broadcast) {
      const what = value === network ? 'network' : 'broadcast';
      throw new PilhaError(
        'EBADOPTION',
        `${option} ${formatIpv4(value)} is the ${what} address of ${formatIpv4(network)}/${host.length}: choose a host address`,
      );
    }
  }
  return { address, host };
}

/** --link raw: an address this host has, the ports the command serves on, the interface's MTU by default. */
function rawConfig(values: StackOptionValues, extras: StackConfigExtras, common: CommonConfig): StackConfig {
  const ports = extras.claimedPorts ?? [];
  if (ports.length === 0) {
    throw new PilhaError(
      'EBADOPTION',
      '--link raw serves a port on an address the host has: use it with pilha http or pilha framed serve',
    );
  }
  const address = parseIpv4(values.address ?? RAW_DEFAULT_ADDRESS);
  const local = findLocalInterface(address);
  if (local === undefined) {
    throw new PilhaError(
      'EBADADDR',
      `--address ${formatIpv4(address)} is not an address of this host: with --link raw, pilha serves on an address the host already has, e.g. 127.0.0.1`,
    );
  }
  const mtu =
    values.mtu === undefined
      ? Math.min(readInterfaceMtu(local.name) ?? DEFAULT_TUN_MTU, MAX_IPV4_DATAGRAM)
      : mtuOption(values.mtu);
  return { link: { kind: 'raw', ports }, mtu, address, ...common };
}

function mtuOption(text: string): number {
  return integerOption(text, '--mtu', 576, MAX_IPV4_DATAGRAM);
}

function commonConfig(values: StackOptionValues): CommonConfig {
  checkDistinctFiles([
    ['--pcap', values.pcap],
    ['--trace', values.trace],
    ['--ready-file', (values as ReadyFileValues).readyFile],
  ]);
  const reassemblyTimeoutMs = secondsOption(values.reassemblyTimeout, '--reassembly-timeout', 0.001, 3600);
  const logText = values.log ?? process.env.PILHA_LOG;
  return {
    reassemblyTimeoutMs,
    reassemblyMaxBytes: DEFAULT_REASSEMBLY_MAX_BYTES,
    ...(values.pmtuExpires !== undefined
      ? { pathMtuExpiryMs: secondsOption(values.pmtuExpires, '--pmtu-expires', 1, 86_400) }
      : {}),
    ...(values.impair !== undefined ? { impairment: parseImpairment(values.impair) } : {}),
    ...(values.pcap !== undefined ? { pcapFile: values.pcap } : {}),
    ...(values.trace !== undefined ? { traceFile: values.trace } : {}),
    log: parseLogSpec(logText, 'warn'),
    ...tcpOptions(values),
  };
}

/** The TCP settings the options change; absent when none does (TcpConfig's defaults then hold). */
function tcpOptions(values: StackOptionValues): Pick<CommonConfig, 'tcp'> {
  const tcp = {
    ...(values.cc !== undefined ? { congestionControl: congestionControlOption(values.cc) } : {}),
    ...(values.sack === false ? { sack: false } : {}),
    ...(values.hystart === false ? { hystart: false } : {}),
    ...(values.minRto !== undefined
      ? { minRtoMs: integerOption(values.minRto, '--min-rto', 1, DEFAULT_TCP_CONFIG.maxRtoMs) }
      : {}),
    ...(values.silenceProbes !== undefined
      ? { silenceProbes: integerOption(values.silenceProbes, '--silence-probes', 0, 10) }
      : {}),
  };
  return Object.keys(tcp).length > 0 ? { tcp } : {};
}

function congestionControlOption(name: string): CongestionControlName {
  if (!isCongestionControlName(name)) {
    throw new PilhaError(
      'EBADOPTION',
      `--cc must be one of ${CONGESTION_CONTROL_NAMES.join(', ')}, got '${name}'`,
    );
  }
  return name;
}
