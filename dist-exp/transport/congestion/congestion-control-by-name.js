/**
 * The algorithms pilha knows by name (`--cc`, TcpConfig.congestionControl) and the factory for each.
 */
import { CubicCongestionControllerFactory } from './cubic-congestion-controller.js';
import { NewRenoCongestionControllerFactory } from './newreno-congestion-controller.js';
import { RenoCongestionControllerFactory } from './reno-congestion-controller.js';
/** Every name, the default (Linux's, CUBIC) first. */
export const CONGESTION_CONTROL_NAMES = Object.freeze([
    'cubic',
    'newreno',
    'reno',
]);
export function isCongestionControlName(name) {
    return typeof name === 'string' && CONGESTION_CONTROL_NAMES.includes(name);
}
/** A new factory for the algorithm called `name` (HyStart++ on unless `options.hystart` is false). */
export function congestionControllerFactoryFor(name, options = {}) {
    switch (name) {
        case 'cubic':
            return new CubicCongestionControllerFactory(options);
        case 'newreno':
            return new NewRenoCongestionControllerFactory(options);
        case 'reno':
            return new RenoCongestionControllerFactory(options);
        default: {
            const never = name;
            throw new RangeError(`unknown congestion control '${String(never)}'`);
        }
    }
}
//# sourceMappingURL=congestion-control-by-name.js.map