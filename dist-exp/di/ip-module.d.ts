import { ContainerModule } from 'inversify';
/** The network layer: IPv4 with its reassembler, over whatever RawLink is bound. */
export declare const ipModule: ContainerModule;
