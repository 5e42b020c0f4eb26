// List filters as protocol's livekit/sip.go List*Request.Filter defines them, with paging as the server's
// ListPageIter drains it: `page.afterId` skips ids up to and including it; the server keeps fetching pages
// until none is left, so `page.limit` only sizes its internal pages and does not shorten the answer.
import type {
  ListSIPDispatchRuleRequest,
  ListSIPInboundTrunkRequest,
  ListSIPOutboundTrunkRequest,
  Pagination,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPOutboundTrunkInfo,
} from "@livekit/protocol";
import { normalizeNumber } from "./phone_numbers.ts";

/** Sorted by id (the order paging walks in). */
function paged<T>(items: T[], idOf: (item: T) => string, page: Pagination | undefined): T[] {
  const afterId = page?.afterId ?? "";
  return items
    .filter((item) => idOf(item) > afterId)
    .sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
}

const wanted = (filter: string[], value: string) => filter.length === 0 || filter.includes(value);

/** True when the filter is empty, the object has no list (a wildcard), or the two share an element. */
function overlaps(filter: string[], values: string[], same: (a: string, b: string) => boolean): boolean {
  if (filter.length === 0 || values.length === 0) return true;
  return values.some((value) => filter.some((f) => same(f, value)));
}

const exactly = (a: string, b: string) => a === b;
const sameNumber = (a: string, b: string) => a === b || normalizeNumber(a) === normalizeNumber(b);

export function filterInboundTrunks(
  trunks: SIPInboundTrunkInfo[],
  req: ListSIPInboundTrunkRequest,
): SIPInboundTrunkInfo[] {
  const matching = trunks.filter((t) =>
    wanted(req.trunkIds, t.sipTrunkId) && overlaps(req.numbers, t.numbers, sameNumber)
  );
  return paged(matching, (t) => t.sipTrunkId, req.page);
}

/** Outbound numbers are compared exactly (no normalisation), as in the source. */
export function filterOutboundTrunks(
  trunks: SIPOutboundTrunkInfo[],
  req: ListSIPOutboundTrunkRequest,
): SIPOutboundTrunkInfo[] {
  const matching = trunks.filter((t) =>
    wanted(req.trunkIds, t.sipTrunkId) && overlaps(req.numbers, t.numbers, exactly)
  );
  return paged(matching, (t) => t.sipTrunkId, req.page);
}

/** A rule without trunkIds applies to every trunk, so it is listed for any trunkIds filter. */
export function filterDispatchRules(
  rules: SIPDispatchRuleInfo[],
  req: ListSIPDispatchRuleRequest,
): SIPDispatchRuleInfo[] {
  const matching = rules.filter((r) =>
    wanted(req.dispatchRuleIds, r.sipDispatchRuleId) && overlaps(req.trunkIds, r.trunkIds, exactly)
  );
  return paged(matching, (r) => r.sipDispatchRuleId, req.page);
}
