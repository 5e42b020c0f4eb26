// Everything one emulator instance holds: resources, traffic settings, pending faults, in-flight counts.
import { Shutdown } from "../local/emulators.ts";
import { FaultRegistry } from "./faults.ts";
import { defaultTrafficConfig, InFlightCounter, type TrafficConfig } from "./limits.ts";
import { Store } from "./store.ts";
import { defaultSwitches, type Switches } from "./switches.ts";

export class EmulatorState extends Shutdown {
  readonly store = new Store();
  readonly faults = new FaultRegistry();
  /** Not cleared by reset: it tracks requests that are really still running. */
  readonly inFlight = new InFlightCounter();
  traffic: TrafficConfig = defaultTrafficConfig();
  switches: Switches = defaultSwitches();
  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.traffic = defaultTrafficConfig();
    this.switches = defaultSwitches();
  }
}
