// What every Twilio API handler receives, plus the response helpers they share.
import { jsonResponse, notFound } from "./errors.ts";
import {
  api2010List,
  type ListPage,
  paginate,
  readPageQuery,
  type Sequenced,
  trunkingList,
} from "./paging.ts";
import type { Account, Store } from "./store.ts";
import type { Switches } from "./switches.ts";

export interface ApiContext {
  req: Request;
  url: URL;
  /** The authenticated account; every lookup is scoped to it. */
  account: Account;
  store: Store;
  switches: Switches;
}

/** The account's record with that SID, or 404 naming the requested path (also for other accounts' records). */
export function findOwned<T extends { accountSid: string }>(
  ctx: ApiContext,
  map: Map<string, T>,
  sid: string,
): T {
  const record = map.get(sid);
  if (record?.accountSid !== ctx.account.sid) throw notFound(ctx.url.pathname);
  return record;
}

export function ok(body: unknown): Response {
  return jsonResponse(200, body);
}

export function created(body: unknown): Response {
  return jsonResponse(201, body);
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** A trunking list response for the current request: ascending creation order, paged per the query. */
export function trunkingPage<T extends Sequenced>(
  ctx: ApiContext,
  key: string,
  records: Iterable<T>,
  render: (record: T) => unknown,
): Response {
  return listResponse(ctx, trunkingList, { key, records, render });
}

/** A 2010 list response for the current request; `filters` are the query parameters the caller applied. */
export function api2010Page<T extends Sequenced>(
  ctx: ApiContext,
  key: string,
  records: Iterable<T>,
  render: (record: T) => unknown,
  options: { order?: "ascending" | "descending"; filters?: readonly string[] } = {},
): Response {
  return listResponse(ctx, api2010List, { key, records, render, ...options });
}

function listResponse<T extends Sequenced>(
  ctx: ApiContext,
  envelope: (list: ListPage<T>) => unknown,
  list: Pick<ListPage<T>, "key" | "render"> & {
    records: Iterable<T>;
    order?: "ascending" | "descending";
    filters?: readonly string[];
  },
): Response {
  const query = readPageQuery(ctx.url.searchParams, list.filters);
  const slice = paginate(list.records, query, list.order ?? "ascending");
  return ok(envelope({ key: list.key, path: ctx.url.pathname, query, slice, render: list.render }));
}
