/**
 * Service identifiers. Every binding in the container is keyed by one of these; classes name them in
 * explicit @inject(TOKEN) decorators so nothing depends on emitted type metadata.
 */
export declare const TOKENS: {
    readonly StackConfig: symbol;
    readonly Clock: symbol;
    readonly Loggers: symbol;
    readonly LinkLogger: symbol;
    readonly EthernetLogger: symbol;
    readonly IpLogger: symbol;
    readonly IcmpLogger: symbol;
    readonly TcpLogger: symbol;
    readonly AppLogger: symbol;
    /**
     * The link as the IP layer sees it: the DeviceLink itself when it moves IP datagrams, or an EthernetLayer
     * (with ARP) over it when its medium is Ethernet.
     */
    readonly RawLink: symbol;
    /** The device link with its decorators (impairment, pcap) applied: datagrams or frames, as the device moves. */
    readonly DeviceLink: symbol;
    /** The device link before decorators: a TUN device, or a MemoryLink in tests. */
    readonly BaseLink: symbol;
    readonly Ipv4LayerConfig: symbol;
    readonly IPLayer: symbol;
    readonly IcmpLayer: symbol;
    readonly Pinger: symbol;
    /** The resolved TcpConfig (defaults merged with StackConfig.tcp). */
    readonly TcpConfig: symbol;
    /** Makes one CongestionController per connection (by default the one TcpConfig.congestionControl names, CUBIC). */
    readonly CongestionControllerFactory: symbol;
    /** Records connections' congestion state (`--trace`): the no-op tracer unless a trace file is configured. */
    readonly TcpTracer: symbol;
    /** Makes TcpConnections: bound once with everything connections share. */
    readonly TcpConnectionFactory: symbol;
    /** Initial sequence numbers (RFC 6528), keyed per stack. */
    readonly IsnSource: symbol;
    /** Random words for the TCP layer: SYN cookie keys, the first ephemeral port (node:crypto; seeded in the fuzzer). */
    readonly TcpRandom: symbol;
    readonly TcpLayer: symbol;
    /** pilha's own TCP as a StreamTransport. */
    readonly StreamTransport: symbol;
    /** node:net, for the same applications on the kernel's TCP. */
    readonly KernelStreamTransport: symbol;
    readonly HttpAppOptions: symbol;
    readonly HttpApp: symbol;
    readonly FramedEchoAppOptions: symbol;
    /** Stage 1's server: framed messages confirmed with their length and SHA-256. */
    readonly FramedEchoApp: symbol;
};
