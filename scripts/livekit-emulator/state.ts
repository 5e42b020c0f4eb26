// Everything one emulator instance holds: credentials, SIP objects, settings, pending faults, received requests.
import type { Credentials } from "./auth.ts";
import type { EmulatorConfig } from "./behaviour.ts";
import { FaultRegistry } from "./faults.ts";
import { RequestLog } from "./request_log.ts";
import { SipStore } from "./store.ts";

export class EmulatorState {
  readonly store = new SipStore();
  readonly faults = new FaultRegistry();
  readonly requests = new RequestLog();
  config: EmulatorConfig;
  readonly #initialConfig: EmulatorConfig;
  readonly #shutdown = new AbortController();

  constructor(readonly credentials: Credentials, config: EmulatorConfig) {
    this.#initialConfig = { ...config };
    this.config = { ...config };
  }

  /** Aborted on close so latency and delay waits end instead of holding the process open. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  shutdown(): void {
    this.#shutdown.abort();
  }

  /** Back to the state right after start (the settings it was started with, nothing stored or pending). */
  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.requests.clear();
    this.config = { ...this.#initialConfig };
  }
}
