/**
 * The algorithms pilha knows by name (`--cc`, TcpConfig.congestionControl) and the factory for each.
 */

import type {
  CongestionControllerFactory,
  CongestionControlName,
  SlowStartOptions,
} from './congestion-controller.js';
import { CubicCongestionControllerFactory } from './cubic-congestion-controller.js';
import { NewRenoCongestionControllerFactory } from './newreno-congestion-controller.js';
import { RenoCongestionControllerFactory } from './reno-congestion-controller.js';

/** Every name, the default (Linux's, CUBIC) first. */
export const CONGESTION_CONTROL_NAMES: readonly CongestionControlName[] = Object.freeze([
  'cubic',
  'newreno',
  'reno',
]);

export function isCongestionControlName(name: unknown): name is CongestionControlName {
  return typeof name === 'string' && (CONGESTION_CONTROL_NAMES as readonly string[]).includes(name);
}

/** A new factory for the algorithm called `name` (HyStart++ on unless `options.hystart` is false). */
export function congestionControllerFactoryFor(
  name: CongestionControlName,
  options: SlowStartOptions = {},
): CongestionControllerFactory {
  switch (name) {
    case 'cubic':
      return new CubicCongestionControllerFactory(options);
    case 'newreno':
      return new NewRenoCongestionControllerFactory(options);
    case 'reno':
      return new RenoCongestionControllerFactory(options);
    default: {
      const never: never = name;
      throw new RangeError(`unknown congestion control '${String(never)}'`);
    }
  }
}
