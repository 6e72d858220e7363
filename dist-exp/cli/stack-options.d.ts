import type { Command } from 'commander';
import type { StackConfig } from '../di/stack-config.js';
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
    readonly pcap?: string;
    readonly trace?: string;
    readonly impair?: string;
    readonly log?: string;
    /** --cc: the congestion control algorithm; absent, TcpConfig's default (cubic). */
    readonly cc?: string;
    /** --no-sack sets it false: offer no SACK-permitted and send no SACK blocks (Linux's tcp_sack=0). */
    readonly sack?: boolean;
    /** --no-offload sets it false: no TUN segmentation offload (each segment one write, each read one packet). */
    readonly offload?: boolean;
    /** --no-hystart sets it false: standard slow start, to the first loss (TcpConfig.hystart). */
    readonly hystart?: boolean;
    /** --min-rto: the RTO floor in ms (TcpConfig.minRtoMs); absent, Linux's 200 ms. */
    readonly minRto?: string;
    /** --silence-probes: TcpConfig.silenceProbes (0: none, as RFC 8985); absent, 3. */
    readonly silenceProbes?: string;
}
export declare function addStackOptions(command: Command): Command;
/** What a command adds to the shared options: the ports it serves on, which a raw-socket link claims. */
export interface StackConfigExtras {
    readonly claimedPorts?: readonly number[];
}
/** Turns the shared options into a StackConfig, checking each one; mistakes throw EBADOPTION. */
export declare function stackConfigFrom(values: StackOptionValues, extras?: StackConfigExtras): StackConfig;
