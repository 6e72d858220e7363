import { ContainerModule } from 'inversify';
/** The clock and the per-layer loggers. Tests rebind Clock to a VirtualClock and Loggers to silent ones. */
export declare const coreModule: ContainerModule;
