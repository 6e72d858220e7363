/**
 * The algorithms pilha knows by name (`--cc`, TcpConfig.congestionControl) and the factory for each.
 */
import type { CongestionControllerFactory, CongestionControlName, SlowStartOptions } from './congestion-controller.js';
/** Every name, the default (Linux's, CUBIC) first. */
export declare const CONGESTION_CONTROL_NAMES: readonly CongestionControlName[];
export declare function isCongestionControlName(name: unknown): name is CongestionControlName;
/** A new factory for the algorithm called `name` (HyStart++ on unless `options.hystart` is false). */
export declare function congestionControllerFactoryFor(name: CongestionControlName, options?: SlowStartOptions): CongestionControllerFactory;
