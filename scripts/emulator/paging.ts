// List paging shared by both API families: query parsing, page slicing and the two envelope styles.
import { invalidParameter } from "./errors.ts";
import { TRUNKING_HOST } from "./urls.ts";

export interface PageQuery {
  size: number;
  page: number;
  token: string | null;
  /** Filter parameters of the request, repeated in every page link. */
  filters: [string, string][];
}

/** Records carry a creation sequence number; lists are ordered by it. */
export interface Sequenced {
  seq: number;
}

export interface PageSlice<T> {
  items: T[];
  page: number;
  size: number;
  nextToken: string | null;
  previousToken: string | null;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

function integerParam(name: string, raw: string, min: number, max: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw invalidParameter(`${name} must be an integer in ${min}..${max}`);
  return value;
}

export function readPageQuery(query: URLSearchParams, filterNames: readonly string[] = []): PageQuery {
  const size = query.has("PageSize")
    ? integerParam("PageSize", query.get("PageSize")!, 1, MAX_PAGE_SIZE)
    : DEFAULT_PAGE_SIZE;
  const page = query.has("Page") ? integerParam("Page", query.get("Page")!, 0, Number.MAX_SAFE_INTEGER) : 0;
  const token = query.get("PageToken") || null;
  if (token !== null && !/^P[AB]\d+$/.test(token)) throw invalidParameter(`Invalid PageToken: ${token}`);
  const filters = filterNames.flatMap((name) =>
    query.has(name) ? [[name, query.get(name)!] as [string, string]] : []
  );
  return { size, page, token, filters };
}

/**
 * Page tokens are `PA<seq>` (items after that record) and `PB<seq>` (items before it), so following a next
 * link works from the token alone and stays correct when records are created or deleted in between.
 * Without a token the page is taken by offset `Page * PageSize`.
 */
export function paginate<T extends Sequenced>(
  records: Iterable<T>,
  query: PageQuery,
  order: "ascending" | "descending",
): PageSlice<T> {
  const sign = order === "ascending" ? 1 : -1;
  const all = [...records].sort((a, b) => sign * (a.seq - b.seq));
  let start = query.page * query.size;
  let end = start + query.size;
  if (query.token) {
    const seq = Number(query.token.slice(2));
    // Number of records up to and including (PA) or strictly before (PB) the token's record, in list order.
    const countWhile = (inRange: (record: T) => boolean) => {
      const index = all.findIndex((record) => !inRange(record));
      return index === -1 ? all.length : index;
    };
    if (query.token.startsWith("PA")) {
      start = countWhile((record) => sign * (record.seq - seq) <= 0);
      end = start + query.size;
    } else {
      end = countWhile((record) => sign * (record.seq - seq) < 0);
      start = Math.max(0, end - query.size);
    }
  }
  const items = all.slice(start, end);
  const last = items.at(-1);
  const first = items[0];
  return {
    items,
    page: query.page,
    size: query.size,
    nextToken: last && start + items.length < all.length ? `PA${last.seq}` : null,
    previousToken: first && start > 0 ? `PB${first.seq}` : null,
  };
}

function linkQuery(query: PageQuery, page: number, token: string | null): string {
  const params = new URLSearchParams(query.filters);
  params.set("PageSize", String(query.size));
  params.set("Page", String(page));
  if (token) params.set("PageToken", token);
  return params.toString();
}

interface PageLinks {
  first: string;
  next: string | null;
  previous: string | null;
  current: string;
}

/** One page of a list, as the request asked for it. */
export interface ListPage<T> {
  key: string;
  path: string;
  query: PageQuery;
  slice: PageSlice<T>;
  render: (record: T) => unknown;
}

function pageLinks({ path, query, slice }: Omit<ListPage<unknown>, "render">): PageLinks {
  const at = (page: number, token: string | null) => `${path}?${linkQuery(query, page, token)}`;
  return {
    first: at(0, null),
    next: slice.nextToken ? at(slice.page + 1, slice.nextToken) : null,
    previous: slice.previousToken ? at(Math.max(0, slice.page - 1), slice.previousToken) : null,
    current: at(query.page, query.token),
  };
}

/** Trunking v1 envelope: `{<key>: [...], meta: {...}}` with absolute https://trunking.twilio.com URLs. */
export function trunkingList<T>(list: ListPage<T>) {
  const links = pageLinks(list);
  const absolute = (uri: string | null) => uri === null ? null : TRUNKING_HOST + uri;
  const { key, slice } = list;
  return {
    [key]: slice.items.map(list.render),
    meta: {
      first_page_url: absolute(links.first),
      key,
      next_page_url: absolute(links.next),
      page: slice.page,
      page_size: slice.size,
      previous_page_url: absolute(links.previous),
      url: absolute(links.current),
    },
  };
}

/** 2010 envelope: `{<key>: [...], start, end, page, page_size, *_uri}` with uris relative to api.twilio.com. */
export function api2010List<T>(list: ListPage<T>) {
  const links = pageLinks(list);
  const { slice } = list;
  const start = slice.page * slice.size;
  return {
    [list.key]: slice.items.map(list.render),
    start,
    end: start + Math.max(0, slice.items.length - 1),
    page: slice.page,
    page_size: slice.size,
    first_page_uri: links.first,
    next_page_uri: links.next,
    previous_page_uri: links.previous,
    uri: links.current,
  };
}
