/**
 * Service identifiers. Every binding in the container is keyed by one of these; classes name them in
 * explicit @inject(TOKEN) decorators so nothing depends on emitted type metadata.
 */
export const TOKENS = {
    StackConfig: Symbol.for('pilha.StackConfig'),
    Clock: Symbol.for('pilha.Clock'),
    Loggers: Symbol.for('pilha.Loggers'),
    LinkLogger: Symbol.for('pilha.LinkLogger'),
    EthernetLogger: Symbol.for('pilha.EthernetLogger'),
    IpLogger: Symbol.for('pilha.IpLogger'),
    IcmpLogger: Symbol.for('pilha.IcmpLogger'),
    TcpLogger: Symbol.for('pilha.TcpLogger'),
    AppLogger: Symbol.for('pilha.AppLogger'),
    /**
     * The link as the IP layer sees it: the DeviceLink itself when it moves IP datagrams, or an EthernetLayer
     * (with ARP) over it when its medium is Ethernet.
     */
    RawLink: Symbol.for('pilha.RawLink'),
    /** The device link with its decorators (impairment, pcap) applied: datagrams or frames, as the device moves. */
    DeviceLink: Symbol.for('pilha.DeviceLink'),
    /** The device link before decorators: a TUN device, or a MemoryLink in tests. */
    BaseLink: Symbol.for('pilha.BaseLink'),
    Ipv4LayerConfig: Symbol.for('pilha.Ipv4LayerConfig'),
    IPLayer: Symbol.for('pilha.IPLayer'),
    IcmpLayer: Symbol.for('pilha.IcmpLayer'),
    Pinger: Symbol.for('pilha.Pinger'),
    /** The resolved TcpConfig (defaults merged with StackConfig.tcp). */
    TcpConfig: Symbol.for('pilha.TcpConfig'),
    /** Makes one CongestionController per connection (by default the one TcpConfig.congestionControl names, CUBIC). */
    CongestionControllerFactory: Symbol.for('pilha.CongestionControllerFactory'),
    /** Records connections' congestion state (`--trace`): the no-op tracer unless a trace file is configured. */
    TcpTracer: Symbol.for('pilha.TcpTracer'),
    /** Makes TcpConnections: bound once with everything connections share. */
    TcpConnectionFactory: Symbol.for('pilha.TcpConnectionFactory'),
    /** Initial sequence numbers (RFC 6528), keyed per stack. */
    IsnSource: Symbol.for('pilha.IsnSource'),
    /** Random words for the TCP layer: SYN cookie keys, the first ephemeral port (node:crypto; seeded in the fuzzer). */
    TcpRandom: Symbol.for('pilha.TcpRandom'),
    TcpLayer: Symbol.for('pilha.TcpLayer'),
    /** pilha's own TCP as a StreamTransport. */
    StreamTransport: Symbol.for('pilha.StreamTransport'),
    /** node:net, for the same applications on the kernel's TCP. */
    KernelStreamTransport: Symbol.for('pilha.KernelStreamTransport'),
    HttpAppOptions: Symbol.for('pilha.HttpAppOptions'),
    HttpApp: Symbol.for('pilha.HttpApp'),
    FramedEchoAppOptions: Symbol.for('pilha.FramedEchoAppOptions'),
    /** Stage 1's server: framed messages confirmed with their length and SHA-256. */
    FramedEchoApp: Symbol.for('pilha.FramedEchoApp'),
};
//# sourceMappingURL=tokens.js.map