// Everything one emulator instance holds: resources, traffic settings, pending faults, in-flight counts.
import { FaultRegistry } from "./faults.ts";
import { defaultTrafficConfig, InFlightCounter, type TrafficConfig } from "./limits.ts";
import { Store } from "./store.ts";
import { defaultSwitches, type Switches } from "./switches.ts";

export class EmulatorState {
  readonly store = new Store();
  readonly faults = new FaultRegistry();
  /** Not cleared by reset: it tracks requests that are really still running. */
  readonly inFlight = new InFlightCounter();
  traffic: TrafficConfig = defaultTrafficConfig();
  switches: Switches = defaultSwitches();
  readonly #shutdown = new AbortController();

  /** Aborted on close so latency and delay waits end instead of holding the process open. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  shutdown(): void {
    this.#shutdown.abort();
  }

  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.traffic = defaultTrafficConfig();
    this.switches = defaultSwitches();
  }
}
