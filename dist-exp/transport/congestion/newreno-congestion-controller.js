/**
 * NewReno, RFC 6582: Reno's window (RFC 5681) with recovery that survives partial ACKs, so several
 * losses in one window cost one reduction and one round trip each, not a timeout. The arithmetic is
 * Reno's (reno-congestion-controller.ts, variant 'newreno'); this file names it for the container.
 */
import { RenoCongestionController } from './reno-congestion-controller.js';
/** Makes a NewReno controller per connection; bind it as the `CongestionControllerFactory`. */
export class NewRenoCongestionControllerFactory {
    options;
    name = 'newreno';
    constructor(options = {}) {
        this.options = options;
    }
    create(mss) {
        return new RenoCongestionController(mss, 'newreno', this.options);
    }
}
//# sourceMappingURL=newreno-congestion-controller.js.map