import type { Command } from 'commander';
import { PilhaError } from '../core/errors.js';
import { formatIpv4, parseIpv4, parseIpv4Prefix, sameSubnet } from '../core/ipv4-address.js';
import { parseLogSpec } from '../core/logger.js';
import type { StackConfig } from '../di/stack-config.js';
import { DEFAULT_REASSEMBLY_MAX_BYTES } from '../di/stack-config.js';
import { parseImpairment } from '../layers/link/impairment.js';
import { integerOption, secondsOption } from './number-options.js';

/** The options every stack-building command shares, as commander hands them over. */
export interface StackOptionValues {
  readonly tun: string;
  readonly address: string;
  readonly hostAddress: string;
  readonly mtu: string;
  readonly reassemblyTimeout: string;
  readonly pcap?: string;
  readonly impair?: string;
  readonly log?: string;
}

export function addStackOptions(command: Command): Command {
  return command
    .option('--tun <name>', 'TUN device to create', 'pilha0')
    .option('--address <ip>', "pilha's own IPv4 address", '10.77.0.2')
    .option('--host-address <ip/prefix>', "the kernel's address on the TUN device", '10.77.0.1/24')
    .option('--mtu <bytes>', 'link MTU', '1500')
    .option('--reassembly-timeout <seconds>', 'drop incomplete fragmented datagrams after this long', '30')
    .option('--pcap <file>', 'write every datagram sent and received to this pcap file')
    .option('--impair <spec>', 'impair the link, e.g. loss=0.05,reorder=0.02,delay=10,seed=1')
    .option('--log <spec>', 'log levels per layer, e.g. ip=debug,icmp=trace (or PILHA_LOG)');
}

/** Turns the shared options into a StackConfig, checking each one; mistakes throw EBADOPTION. */
export function stackConfigFrom(values: StackOptionValues): StackConfig {
  if (!/^[A-Za-z0-9_.%-]{1,15}$/.test(values.tun)) {
    throw new PilhaError(
      'EBADOPTION',
      `--tun must be a device name of 1 to 15 letters, digits, '-', '_' or '.'`,
    );
  }
  const address = parseIpv4(values.address);
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
  const mtu = integerOption(values.mtu, '--mtu', 576, 65_535);
  const reassemblyTimeoutMs = secondsOption(values.reassemblyTimeout, '--reassembly-timeout', 0.001, 3600);
  const logText = values.log ?? process.env.PILHA_LOG;
  return {
    link: { kind: 'tun', name: values.tun, hostAddress: host.address, prefixLength: host.length },
    mtu,
    address,
    reassemblyTimeoutMs,
    reassemblyMaxBytes: DEFAULT_REASSEMBLY_MAX_BYTES,
    ...(values.impair !== undefined ? { impairment: parseImpairment(values.impair) } : {}),
    ...(values.pcap !== undefined ? { pcapFile: values.pcap } : {}),
    log: parseLogSpec(logText, 'warn'),
  };
}
