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
import { normalizeNumber } from "./phone-numbers.ts";

/**
 * The objects whose id is among `ids` (all when empty) and which `match`, after `page.afterId`, sorted by id (the
 * order paging walks in).
 */
function listed<T>(
  items: T[],
  idOf: (item: T) => string,
  query: { ids: string[]; page?: Pagination; match: (item: T) => boolean },
): T[] {
  const afterId = query.page?.afterId ?? "";
  return items
    .filter((item) => (query.ids.length === 0 || query.ids.includes(idOf(item))) && idOf(item) > afterId)
    .filter(query.match)
    .sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
}

/** True when the filter is empty, the object has no list (a wildcard), or the two share an element. */
function overlaps(filter: string[], values: string[], same: (a: string, b: string) => boolean): boolean {
  if (filter.length === 0 || values.length === 0) return true;
  return values.some((value) => filter.some((f) => same(f, value)));
}

const exactly = (a: string, b: string) => a === b;
const sameNumber = (a: string, b: string) => a === b || normalizeNumber(a) === normalizeNumber(b);
const trunkId = (trunk: { sipTrunkId: string }) => trunk.sipTrunkId;

export const filterInboundTrunks = (trunks: SIPInboundTrunkInfo[], req: ListSIPInboundTrunkRequest) =>
  listed(trunks, trunkId, {
    ids: req.trunkIds,
    page: req.page,
    match: (trunk) => overlaps(req.numbers, trunk.numbers, sameNumber),
  });

/** Outbound numbers are compared exactly (no normalisation), as in the source. */
export const filterOutboundTrunks = (trunks: SIPOutboundTrunkInfo[], req: ListSIPOutboundTrunkRequest) =>
  listed(trunks, trunkId, {
    ids: req.trunkIds,
    page: req.page,
    match: (trunk) => overlaps(req.numbers, trunk.numbers, exactly),
  });

/** A rule without trunkIds applies to every trunk, so it is listed for any trunkIds filter. */
export const filterDispatchRules = (rules: SIPDispatchRuleInfo[], req: ListSIPDispatchRuleRequest) =>
  listed(rules, (rule) => rule.sipDispatchRuleId, {
    ids: req.dispatchRuleIds,
    page: req.page,
    match: (rule) => overlaps(req.trunkIds, rule.trunkIds, exactly),
  });
