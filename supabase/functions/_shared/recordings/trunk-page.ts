/**
 * The most recent recordings of calls that went through the customer's main trunk, a page at a time.
 *
 * Twilio cannot filter recordings (or calls) by trunk. So a page walks the account's calls, newest first, keeps
 * those through the trunk (terminated ones by their `trunk_sid`, origination ones by the number they reached:
 * trunk-calls.ts), and collects their recordings (one filtered listing per call, a few in parallel) until it
 * holds `pageSize` recordings. Order: calls newest first, each call's recordings newest first.
 *
 * The page token is ours, opaque and signed (page-token.ts): where the walk stopped, as a `Cursor` (Twilio's
 * token for the calls page, the call to resume at, how many of its recordings were already returned). Twilio's
 * tokens after the first page are anchored on a record, so calls made in the meantime never shift later pages;
 * only the first calls page moves (new calls join its top), so a resume there looks for its call by SID,
 * following the pages if new calls pushed it further down. A token whose call no longer exists is a 400 asking
 * to start again.
 *
 * Every page is bounded: at most `maxTwilioRequests(pageSize)` Twilio requests. When the budget runs out first,
 * the page is returned short, with a cursor to continue: only a null `next` (`nextPageToken`) means the end.
 *
 * ```ts
 * const scope = await mainTrunkScope(sql, credentialId, trunkSid);
 * const page = await listTrunkRecordingsPage(twilio, scope, { pageSize: 20 });
 * const next = await listTrunkRecordingsPage(twilio, scope, { pageSize: 20, cursor: page.next! });
 * ```
 */
import { mapSettled } from "../concurrency.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type RecordingsPage } from "../contract/recording-info.ts";
import { customerAccount, mainTrunkSid } from "../numbers/account.ts";
import {
  InvalidPageTokenError,
  type TwilioCall,
  type TwilioClient,
  type TwilioRecording,
} from "../twilio/client.ts";
import { TwilioApiError } from "../twilio/errors.ts";
import { toRecordingInfo } from "./info.ts";
import { type Cursor, invalidPageToken, pageTokens } from "./page-token.ts";
import { isMainTrunkCall, mainTrunkScope, type TrunkScope } from "./trunk-calls.ts";
import type { ServiceContext } from "../service-context.ts";

/** Twilio requests one page may cost: enough for a full page plus calls without recordings and calls pages. */
export const maxTwilioRequests = (pageSize: number) => Math.max(20, 2 * pageSize);

export interface TrunkRecordingsOptions {
  /** Calls per Twilio calls page. Default 100. */
  callsPageSize?: number;
  /** Recordings lookups in flight. Default 8. */
  concurrency?: number;
}

export interface TrunkRecordingsPage {
  recordings: TwilioRecording[];
  /** Where the next page starts; null: there are no more. */
  next: Cursor | null;
}

/** The service: the user's main trunk, their credentials, recordings shaped for callers, signed page tokens. */
export async function listMainTrunkRecordings(
  ctx: ServiceContext,
  request: { userId: string; pageSize?: number; pageToken?: string },
): Promise<RecordingsPage> {
  const { row, twilio } = await customerAccount(ctx, request.userId);
  const trunkSid = mainTrunkSid(row);
  const tokens = pageTokens(ctx.secrets, row.id);
  const cursor = request.pageToken === undefined ? undefined : await tokens.open(request.pageToken);
  const scope = await mainTrunkScope(ctx.sql, row.id, trunkSid);
  const page = await listTrunkRecordingsPage(twilio, scope, { pageSize: request.pageSize, cursor });
  return {
    trunkSid,
    recordings: page.recordings.map(toRecordingInfo),
    nextPageToken: page.next && await tokens.seal(page.next),
  };
}

export async function listTrunkRecordingsPage(
  twilio: TwilioClient,
  scope: TrunkScope,
  request: { pageSize?: number; cursor?: Cursor },
  options: TrunkRecordingsOptions = {},
): Promise<TrunkRecordingsPage> {
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
      // A Twilio token that no longer works (it decodes to nonsense, or Twilio refuses it).
      const refused = error instanceof TwilioApiError && error.isBadRequest && token !== null;
      if (error instanceof InvalidPageTokenError || refused) throw invalidPageToken();
      throw error;
    }
    return {
      token,
      next: page.nextPageToken,
      calls: page.items.filter((call) => isMainTrunkCall(scope, call)),
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

  const cursor = request.cursor ?? { t: null };
  let page = await readCalls(cursor.t);
  let index = 0;
  let skip = 0;
  if (cursor.c) {
    // Only the first calls page can have moved; anchored pages hold their call where it was.
    for (;;) {
      index = page.calls.findIndex((call) => call.sid === cursor.c);
      if (index >= 0) break;
      if (cursor.t !== null || !page.next || requests >= budget / 2) throw invalidPageToken();
      page = await readCalls(page.next);
    }
    skip = cursor.r ?? 0;
  }

  const collected: TwilioRecording[] = [];
  const stopAt = (call: TwilioCall, returned: number): TrunkRecordingsPage => ({
    recordings: collected,
    next: { t: page.token, c: call.sid, ...(returned ? { r: returned } : {}) },
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
    if (!page.next) return { recordings: collected, next: null };
    if (collected.length >= pageSize || requests >= budget) {
      return { recordings: collected, next: { t: page.next } };
    }
    page = await readCalls(page.next);
    index = 0;
  }
}
