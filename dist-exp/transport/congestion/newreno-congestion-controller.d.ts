/**
 * NewReno, RFC 6582: Reno's window (RFC 5681) with recovery that survives partial ACKs, so several
 * losses in one window cost one reduction and one round trip each, not a timeout. The arithmetic is
 * Reno's (reno-congestion-controller.ts, variant 'newreno'); this file names it for the container.
 */
import type { CongestionControllerFactory, SlowStartOptions } from './congestion-controller.js';
import { RenoCongestionController } from './reno-congestion-controller.js';
/** Makes a NewReno controller per connection; bind it as the `CongestionControllerFactory`. */
export declare class NewRenoCongestionControllerFactory implements CongestionControllerFactory {
    private readonly options;
    readonly name: "newreno";
    constructor(options?: SlowStartOptions);
    create(mss: number): RenoCongestionController;
}
