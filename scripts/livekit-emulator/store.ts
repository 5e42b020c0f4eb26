// In-memory SIP resources, held as @livekit/protocol messages. Reads and writes copy, so a handler can never
// change a stored object except by putting it back.
import { SIPDispatchRuleInfo, SIPInboundTrunkInfo, SIPOutboundTrunkInfo } from "@livekit/protocol";

class Collection<T extends { clone(): T }> {
  #items = new Map<string, T>();

  get(id: string): T | undefined {
    return this.#items.get(id)?.clone();
  }

  has(id: string): boolean {
    return this.#items.has(id);
  }

  /** Replacing an existing id keeps its place, so validation sees objects in creation order. */
  put(id: string, item: T): void {
    this.#items.set(id, item.clone());
  }

  delete(id: string): boolean {
    return this.#items.delete(id);
  }

  /** In creation order. */
  all(): T[] {
    return [...this.#items.values()].map((item) => item.clone());
  }

  clear(): void {
    this.#items.clear();
  }
}

export class SipStore {
  readonly inboundTrunks = new Collection<SIPInboundTrunkInfo>();
  readonly outboundTrunks = new Collection<SIPOutboundTrunkInfo>();
  readonly dispatchRules = new Collection<SIPDispatchRuleInfo>();

  hasTrunk(id: string): boolean {
    return this.inboundTrunks.has(id) || this.outboundTrunks.has(id);
  }

  clear(): void {
    this.inboundTrunks.clear();
    this.outboundTrunks.clear();
    this.dispatchRules.clear();
  }
}
