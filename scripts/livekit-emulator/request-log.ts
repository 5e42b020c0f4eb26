// Every Twirp request body the emulator received, raw, so tests can check what a client really sent (e.g. feed
// each body to the protocol's `fromJson` strictly).

export interface LoggedRequest {
  /** Twirp method name from the path. */
  method: string;
  /** The body exactly as received. */
  body: string;
}

export class RequestLog {
  #requests: LoggedRequest[] = [];

  record(method: string, body: string): void {
    this.#requests.push({ method, body });
  }

  /** Oldest first; optionally only one method and/or bodies containing `match`. */
  list(filter: { method?: string; match?: string } = {}): LoggedRequest[] {
    return this.#requests.filter((r) =>
      (filter.method === undefined || r.method === filter.method) &&
      (filter.match === undefined || r.body.includes(filter.match))
    ).map((r) => ({ ...r }));
  }

  clear(): void {
    this.#requests = [];
  }
}
