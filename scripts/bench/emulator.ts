/**
 * The emulators' admin APIs (README, "The Twilio emulator"; scripts/livekit-emulator/README.md), as far as the
 * benchmarks use them.
 */
import { clearRequests, configure, requests } from "../livekit-emulator/testing.ts";

export interface Traffic {
  latencyMs?: number | null;
  maxConcurrentPerAccount?: number | null;
}

/** Twilio as the heaviest requests meet it: 150 ms a request (its 100-200 ms) and 10 in flight per account. */
export const TWILIO_UNDER_LOAD = { latencyMs: 150, maxConcurrentPerAccount: 10 } as const satisfies Traffic;

export interface EmulatorAccount {
  sid: string;
  authToken: string;
}

export interface CallSeed {
  direction?: "inbound" | "outbound";
  trunkSid?: string;
  phoneNumberSid?: string;
  to?: string;
  from: string;
  recordings?: number;
}

export interface AccountState {
  trunks: { sid: string; phone_numbers: string[] }[];
  incoming_phone_numbers: { sid: string; phone_number: string; trunk_sid: string | null }[];
  calls: { sid: string; direction: string }[];
  recordings: { sid: string; call_sid: string }[];
}

export class EmulatorAdmin {
  constructor(readonly url: string) {}

  /** Latency added to every Twilio request, and the per-account limit beyond which it answers 429. */
  setTraffic(traffic: Traffic): Promise<unknown> {
    return this.#admin("POST", "/config", traffic);
  }

  /** Back to no latency and no limit; run after every benchmark. */
  resetTraffic(): Promise<unknown> {
    return this.setTraffic({ latencyMs: null, maxConcurrentPerAccount: null });
  }

  createAccount(): Promise<EmulatorAccount> {
    return this.#admin("POST", "/accounts", {});
  }

  /** Gives the account a new auth token (32 hex characters), as rotating it in the Twilio console does. */
  async rotateToken(accountSid: string): Promise<string> {
    const authToken = Array.from(
      crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join("");
    await this.#admin("POST", `/accounts/${accountSid}`, { authToken });
    return authToken;
  }

  addNumber(accountSid: string, phoneNumber: string): Promise<{ sid: string }> {
    return this.#admin("POST", `/accounts/${accountSid}/numbers`, { phoneNumber });
  }

  /**
   * Adds a call (and its recordings) to the account, as Twilio would have recorded it: `trunkSid` for a call
   * terminated through a trunk, `phoneNumberSid` for one that reached a number (through the trunk when the number
   * is on it), neither for a REST API call (scripts/emulator/CHANGES.md, admin API).
   */
  addCall(
    accountSid: string,
    call: CallSeed,
  ): Promise<{ call: { sid: string }; recordings: { sid: string }[] }> {
    return this.#admin("POST", `/accounts/${accountSid}/calls`, call);
  }

  /** Everything the account owns, associations inlined (trunks with their phone_numbers, ...). */
  async state(accountSid: string): Promise<AccountState> {
    const res = await fetch(`${this.url}/_emulator/accounts/${accountSid}/state`);
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator GET state -> ${res.status} ${text}`);
    return JSON.parse(text);
  }

  /** A request to the emulated Twilio API with the account's Basic auth, as someone in the console would make. */
  async twilio(account: EmulatorAccount, method: string, path: string): Promise<Response> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Basic ${btoa(`${account.sid}:${account.authToken}`)}` },
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`emulator ${method} ${path} -> ${res.status}`);
    return res;
  }

  async #admin<T>(method: string, path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_emulator${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} -> ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

export class LiveKitEmulatorAdmin {
  constructor(readonly url: string) {}

  /** Latency added to every Twirp request (0: none); reset after every benchmark. */
  async setLatency(latencyMs: number): Promise<void> {
    await configure(this.url, { latencyMs });
  }

  /** How many Twirp requests arrived since the last call (the log is cleared). */
  async takeRequestCount(): Promise<number> {
    const count = (await requests(this.url)).length;
    await clearRequests(this.url);
    return count;
  }
}
