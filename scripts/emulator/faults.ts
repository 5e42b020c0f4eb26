// Injected failures for Twilio API requests: error responses, dropped connections and delays.
import { STATUS_CODES } from "node:http";
import { invalidParameter, TwilioError } from "./errors.ts";

export interface FaultSpec {
  accountSid: string | null;
  method: string | null;
  /** A regular expression tested against the URL pathname. */
  path: string;
  status: number | null;
  code: number | null;
  message: string | null;
  times: number;
  reset: boolean;
  delayMs: number;
  /** The request is carried out first and only its answer fails (status) or is lost (reset). */
  applied: boolean;
}

export interface Fault extends FaultSpec {
  id: string;
  remaining: number;
}

export class FaultRegistry {
  #faults: { fault: Fault; pattern: RegExp }[] = [];
  #nextId = 1;

  add(spec: FaultSpec): Fault {
    let pattern: RegExp;
    try {
      pattern = new RegExp(spec.path);
    } catch {
      throw invalidParameter(`path is not a valid regular expression: ${spec.path}`);
    }
    const fault: Fault = {
      ...spec,
      method: spec.method?.toUpperCase() ?? null,
      // A fault that neither drops nor only delays fails with a 500 by default; an applied one always fails.
      status: spec.status ?? (spec.reset || (spec.delayMs > 0 && !spec.applied) ? null : 500),
      id: `fault_${this.#nextId++}`,
      remaining: spec.times,
    };
    this.#faults.push({ fault, pattern });
    return fault;
  }

  list(): Fault[] {
    return this.#faults.map(({ fault }) => ({ ...fault }));
  }

  /** Clears every fault, or only those scoped to one account (so parallel tests leave each other's alone). */
  clear(accountSid?: string): void {
    this.#faults = accountSid ? this.#faults.filter(({ fault }) => fault.accountSid !== accountSid) : [];
  }

  /** Consumes one use of the first pending fault matching the request. */
  take(accountSid: string, method: string, pathname: string): Fault | undefined {
    const index = this.#faults.findIndex(({ fault, pattern }) =>
      (fault.accountSid === null || fault.accountSid === accountSid) &&
      (fault.method === null || fault.method === method) && pattern.test(pathname)
    );
    if (index === -1) return undefined;
    const { fault } = this.#faults[index];
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return { ...fault };
  }
}

/** The Twilio error a fault answers with; the default code follows Twilio's `20000 + status` (20500, 20503...). */
export function faultError(status: number, fault: Pick<Fault, "code" | "message">): TwilioError {
  return new TwilioError(
    status,
    fault.code ?? 20000 + status,
    fault.message ?? STATUS_CODES[status] ?? "Error",
  );
}
