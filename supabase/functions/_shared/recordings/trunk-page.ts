/**
 * The most recent recordings of calls that went through the customer's main trunk, a page at a time.
 *
 * Twilio cannot filter recordings (or calls) by trunk, but every call carries its `trunk_sid`. So a page walks
 * the account's calls, newest first, keeps those on the trunk, and collects their recordings (one filtered
 * listing per call, a few in parallel) until it holds `pageSize` recordings. Order: calls newest first, each
 * call's recordings newest first.
 *
 * The page token is ours and opaque: where the walk stopped, as (Twilio's token for the calls page, the call to
 * resume at, how many of its recordings were already returned). Twilio's tokens after the first page are
 * anchored on a record, so calls made in the meantime never shift later pages; only the first calls page moves
 * (new calls join its top), so a resume there looks for its call by SID, following the pages if new calls pushed
 * it further down. A token whose call no longer exists is a 400 asking to start again.
 *
 * Every page is bounded: at most `maxTwilioRequests(pageSize)` Twilio requests. When the budget runs out first,
 * the page is returned short, with a token to continue: only a null `nextPageToken` means the end.
 *
 * ```ts
 * const page = await listTrunkRecordingsPage(twilio, trunkSid, { pageSize: 20 });
 * const next = await listTrunkRecordingsPage(twilio, trunkSid, { pageSize: 20, pageToken: page.nextPageToken! });
 * ```
 */
import { mapSettled } from "../concurrency.ts";
import { ApiError } from "../http/errors.ts";
import { customerAccount, mainTrunkSid } from "../numbers/account.ts";
import type { ServiceContext } from "../provisioning/provision.ts";
import {
  InvalidPageTokenError,
  type TwilioCall,
  type TwilioClient,
  type TwilioRecording,
} from "../twilio/client.ts";
import { TwilioApiError } from "../twilio/errors.ts";
import { type RecordingInfo, toRecordingInfo } from "./info.ts";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Twilio requests one page may cost: enough for a full page plus calls without recordings and calls pages. */
export const maxTwilioRequests = (pageSize: number) => Math.max(20, 2 * pageSize);

export interface TrunkRecordingsOptions {
  /** Calls per Twilio calls page. Default 100. */
  callsPageSize?: number;
  /** Recordings lookups in flight. Default 8. */
  concurrency?: number;
}

export interface TrunkRecordingsPage<T> {
  recordings: T[];
  /** Pass back as `pageToken` for the next page; null: there are no more. */
  nextPageToken: string | null;
}

/** Where a walk stopped. */
interface Cursor {
  /** Twilio's token of the calls page to read; null: the first page. */
  t: string | null;
  /** The trunk call to resume at (on that page or, for the first page, a later one); absent: the page's start. */
  c?: string;
  /** Recordings of that call already returned. */
  r?: number;
}

/** The service: the user's main trunk, their credentials, recordings shaped for callers. */
export async function listMainTrunkRecordings(
  ctx: ServiceContext,
  request: { userId: string; pageSize?: number; pageToken?: string },
): Promise<{ trunkSid: string } & TrunkRecordingsPage<RecordingInfo>> {
  const { row, twilio } = await customerAccount(ctx, request.userId);
  const trunkSid = mainTrunkSid(row);
  const page = await listTrunkRecordingsPage(twilio, trunkSid, request);
  return { trunkSid, recordings: page.recordings.map(toRecordingInfo), nextPageToken: page.nextPageToken };
}

export async function listTrunkRecordingsPage(
  twilio: TwilioClient,
  trunkSid: string,
  request: { pageSize?: number; pageToken?: string },
  options: TrunkRecordingsOptions = {},
): Promise<TrunkRecordingsPage<TwilioRecording>> {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, request.pageSize ?? DEFAULT_PAGE_SIZE));
  const callsPageSize = options.callsPageSize ?? 100;
  const concurrency = options.concurrency ?? 8;
  const budget = maxTwilioRequests(pageSize);
  let requests = 0;

  const readCalls = async (token: string | null) => {
    requests++;
    let page;
    try {
      page = await twilio.listCalls(token ? { pageToken: token } : { pageSize: callsPageSize });
    } catch (error) {
      // A token we did not give out (Twilio's part decodes to nonsense, or Twilio refuses it).
      const refused = error instanceof TwilioApiError && error.status === 400 && token !== null;
      if (error instanceof InvalidPageTokenError || refused) throw invalidToken();
      throw error;
    }
    return {
      token,
      next: page.nextPageToken,
      calls: page.items.filter((call) => call.trunkSid === trunkSid),
    };
  };
  const readRecordings = async (callSid: string) => {
    const recordings: TwilioRecording[] = [];
    let page = await twilio.listRecordings({ callSid, pageSize: 100 });
    recordings.push(...page.items);
    while (page.nextPageToken) {
      requests++;
      page = await twilio.listRecordings({ pageToken: page.nextPageToken });
      recordings.push(...page.items);
    }
    return recordings;
  };

  const cursor = decodeCursor(request.pageToken);
  let page = await readCalls(cursor.t);
  let index = 0;
  let skip = 0;
  if (cursor.c) {
    // Only the first calls page can have moved; anchored pages hold their call where it was.
    for (;;) {
      index = page.calls.findIndex((call) => call.sid === cursor.c);
      if (index >= 0) break;
      if (cursor.t !== null || !page.next || requests >= budget / 2) throw invalidToken();
      page = await readCalls(page.next);
    }
    skip = cursor.r ?? 0;
  }

  const collected: TwilioRecording[] = [];
  const stopAt = (call: TwilioCall, returned: number): TrunkRecordingsPage<TwilioRecording> => ({
    recordings: collected,
    nextPageToken: encodeCursor({ t: page.token, c: call.sid, ...(returned ? { r: returned } : {}) }),
  });
  for (;;) {
    while (index < page.calls.length) {
      const room = pageSize - collected.length;
      if (room === 0 || requests >= budget) return stopAt(page.calls[index], skip);
      // Each call has at least zero recordings: looking up `room` calls at a time never fetches far ahead.
      const batch = page.calls.slice(index, index + Math.min(room, budget - requests));
      requests += batch.length;
      const lists = await mapSettled(batch, concurrency, (call) => readRecordings(call.sid));
      for (const [offset, list] of lists.entries()) {
        if (list.status === "rejected") throw list.reason;
        const call = batch[offset];
        const available = list.value.slice(skip);
        const space = pageSize - collected.length;
        if (available.length > space) {
          collected.push(...available.slice(0, space));
          return stopAt(call, skip + space);
        }
        collected.push(...available);
        skip = 0;
      }
      index += batch.length;
    }
    if (!page.next) return { recordings: collected, nextPageToken: null };
    if (collected.length >= pageSize || requests >= budget) {
      return { recordings: collected, nextPageToken: encodeCursor({ t: page.next }) };
    }
    page = await readCalls(page.next);
    index = 0;
  }
}

function encodeCursor(cursor: Cursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(cursor));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const CALL_SID = /^CA[0-9a-f]{32}$/;

function decodeCursor(token: string | undefined): Cursor {
  if (token === undefined) return { t: null };
  try {
    const text = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const cursor = JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
    const valid = cursor !== null && typeof cursor === "object" &&
      (cursor.t === null || (typeof cursor.t === "string" && cursor.t.length > 0)) &&
      (cursor.c === undefined || (typeof cursor.c === "string" && CALL_SID.test(cursor.c))) &&
      (cursor.r === undefined || (Number.isSafeInteger(cursor.r) && cursor.r > 0 && cursor.c !== undefined));
    if (valid) return { t: cursor.t, c: cursor.c, r: cursor.r };
  } catch {
    // falls through
  }
  throw invalidToken();
}

const invalidToken = () =>
  new ApiError(
    400,
    "invalid_page_token",
    "pageToken is not one this function gave out, or no longer valid; start again without it",
    "pageToken",
  );
