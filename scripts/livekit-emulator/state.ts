// Everything one emulator instance holds: credentials, SIP objects, settings, pending faults, received requests.
import type { Credentials } from "./auth.ts";
import type { EmulatorConfig } from "./behaviour.ts";
import { Shutdown } from "../local/emulators.ts";
import { FaultRegistry } from "./faults.ts";
import { RequestLog } from "./request-log.ts";
import { SipStore } from "./store.ts";

export class EmulatorState extends Shutdown {
  readonly store = new SipStore();
  readonly faults = new FaultRegistry();
  readonly requests = new RequestLog();
  config: EmulatorConfig;
  readonly #initialConfig: EmulatorConfig;

  constructor(readonly credentials: Credentials, config: EmulatorConfig) {
    super();
    this.#initialConfig = { ...config };
    this.config = { ...config };
  }

  /** Back to the state right after start (the settings it was started with, nothing stored or pending). */
  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.requests.clear();
    this.config = { ...this.#initialConfig };
  }
}
