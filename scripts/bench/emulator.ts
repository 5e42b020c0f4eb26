/** The Twilio emulator's admin API (README, "The Twilio emulator"), as far as the benchmarks use it. */

export interface Traffic {
  latencyMs?: number | null;
  maxConcurrentPerAccount?: number | null;
}

export interface EmulatorAccount {
  sid: string;
  authToken: string;
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
