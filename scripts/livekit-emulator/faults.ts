// Injected failures for Twirp requests: an error answer or a dropped connection, before the request is handled
// or after it took effect (as when an answer is lost on the way back).
import { TWIRP_STATUS, type TwirpCode, TwirpError } from "./errors.ts";

export const FAULT_MODES = ["fail", "reset", "applied-then-fail", "applied-then-drop"] as const;
export type FaultMode = typeof FAULT_MODES[number];

export interface FaultSpec {
  /** Twirp method name (e.g. "CreateSIPInboundTrunk"); null matches every method. */
  method: string | null;
  /** Only requests whose raw body contains this text (e.g. a metadata value), so parallel tests stay apart. */
  match: string | null;
  mode: FaultMode;
  /** HTTP status of the error answer; defaults to the code's status, or 500. */
  status: number | null;
  /** Twirp code of the error answer; defaults to the usual code for the status. */
  code: TwirpCode | null;
  message: string | null;
  times: number;
  /** Waited before failing, or before answering in the applied-then-* modes. */
  delayMs: number;
}

export interface Fault extends Omit<FaultSpec, "status" | "code"> {
  id: string;
  status: number;
  code: TwirpCode;
  remaining: number;
}

/** The code a plain HTTP status usually carries; statuses shared by several codes take the common one. */
const CODE_FOR_STATUS: Record<number, TwirpCode> = {
  400: "invalid_argument",
  401: "unauthenticated",
  403: "permission_denied",
  404: "not_found",
  408: "deadline_exceeded",
  409: "already_exists",
  412: "failed_precondition",
  429: "resource_exhausted",
  500: "internal",
  501: "unimplemented",
  503: "unavailable",
};

export class FaultRegistry {
  #faults: Fault[] = [];
  #nextId = 1;

  add(spec: FaultSpec): Fault {
    const status = spec.status ?? (spec.code ? TWIRP_STATUS[spec.code] : 500);
    const code = spec.code ?? CODE_FOR_STATUS[status] ?? "unknown";
    const fault: Fault = { ...spec, status, code, id: `fault_${this.#nextId++}`, remaining: spec.times };
    this.#faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  /** Clears every fault, or only those with the given `match` (so parallel tests leave each other's alone). */
  clear(match?: string): void {
    this.#faults = match === undefined ? [] : this.#faults.filter((fault) => fault.match !== match);
  }

  /** Consumes one use of the first pending fault matching the request. */
  take(method: string, body: string): Fault | undefined {
    const fault = this.#faults.find((f) =>
      (f.method === null || f.method === method) && (f.match === null || body.includes(f.match))
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
    return { ...fault };
  }
}

export function faultError(fault: Fault): TwirpError {
  return new TwirpError(fault.code, fault.message ?? `injected fault ${fault.id}`, {}, fault.status);
}
