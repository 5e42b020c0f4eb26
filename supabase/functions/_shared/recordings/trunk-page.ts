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
import { InvalidPageTokenError } from "../twilio/client.ts";
import type { TwilioCall, TwilioClient, TwilioRecording } from "../twilio/types.ts";
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
  const reader = new TrunkCallsReader(
    twilio,
    scope,
    options.callsPageSize ?? 100,
    maxTwilioRequests(pageSize),
  );
  const start = await reader.resume(request.cursor ?? { t: null });
  return await collectRecordings(reader, start, pageSize, options.concurrency ?? 8);
}

/** A calls page with only the trunk's calls; `token` is the one it was read with (null: the first page). */
interface CallsPage {
  token: string | null;
  next: string | null;
  calls: TwilioCall[];
}

/** Where a page starts: a calls page, a call in it, and how many of that call's recordings were returned already. */
interface Position {
  page: CallsPage;
  index: number;
  skip: number;
}

/** Reads calls pages (keeping the trunk's calls) and calls' recordings, counting the Twilio requests made. */
class TrunkCallsReader {
  requests = 0;

  constructor(
    private readonly twilio: TwilioClient,
    private readonly scope: TrunkScope,
    private readonly callsPageSize: number,
    readonly budget: number,
  ) {}

  get spent(): boolean {
    return this.requests >= this.budget;
  }

  async readCalls(token: string | null): Promise<CallsPage> {
    this.requests++;
    let page;
    try {
      page = await this.twilio.listCalls(token ? { pageToken: token } : { pageSize: this.callsPageSize });
    } catch (error) {
      // A Twilio token that no longer works (it decodes to nonsense, or Twilio refuses it).
      const refused = error instanceof TwilioApiError && error.isBadRequest && token !== null;
      if (error instanceof InvalidPageTokenError || refused) throw invalidPageToken();
      throw error;
    }
    return {
      token,
      next: page.nextPageToken,
      calls: page.items.filter((call) => isMainTrunkCall(this.scope, call)),
    };
  }

  /** Each call's recordings, `concurrency` calls at a time, in the calls' order. */
  readRecordings(calls: TwilioCall[], concurrency: number) {
    this.requests += calls.length;
    return mapSettled(calls, concurrency, (call) => this.#recordingsOf(call.sid));
  }

  async #recordingsOf(callSid: string): Promise<TwilioRecording[]> {
    const recordings: TwilioRecording[] = [];
    let page = await this.twilio.listRecordings({ callSid, pageSize: 100 });
    recordings.push(...page.items);
    while (page.nextPageToken) {
      this.requests++;
      page = await this.twilio.listRecordings({ pageToken: page.nextPageToken });
      recordings.push(...page.items);
    }
    return recordings;
  }

  /** Finds the cursor's call. Only the first calls page can have moved; anchored pages hold their call where it was. */
  async resume(cursor: Cursor): Promise<Position> {
    let page = await this.readCalls(cursor.t);
    if (!cursor.c) return { page, index: 0, skip: 0 };
    for (;;) {
      const index = page.calls.findIndex((call) => call.sid === cursor.c);
      if (index >= 0) return { page, index, skip: cursor.r ?? 0 };
      if (cursor.t !== null || !page.next || this.requests >= this.budget / 2) throw invalidPageToken();
      page = await this.readCalls(page.next);
    }
  }
}

/** Walks calls from `start`, collecting their recordings until the page is full, the calls end or the budget does. */
async function collectRecordings(
  reader: TrunkCallsReader,
  start: Position,
  pageSize: number,
  concurrency: number,
): Promise<TrunkRecordingsPage> {
  let { page, index, skip } = start;
  const collected: TwilioRecording[] = [];
  const stopAt = (call: TwilioCall, returned: number): TrunkRecordingsPage => ({
    recordings: collected,
    next: { t: page.token, c: call.sid, ...(returned ? { r: returned } : {}) },
  });
  for (;;) {
    while (index < page.calls.length) {
      const room = pageSize - collected.length;
      if (room === 0 || reader.spent) return stopAt(page.calls[index], skip);
      // Each call has at least zero recordings: looking up `room` calls at a time never fetches far ahead.
      const batch = page.calls.slice(index, index + Math.min(room, reader.budget - reader.requests));
      const filled = fillPage(room, batch, await reader.readRecordings(batch, concurrency), skip);
      collected.push(...filled.taken);
      if (filled.endedIn) return stopAt(filled.endedIn.call, filled.endedIn.returned);
      skip = 0;
      index += batch.length;
    }
    if (!page.next) return { recordings: collected, next: null };
    if (collected.length >= pageSize || reader.spent) {
      return { recordings: collected, next: { t: page.next } };
    }
    page = await reader.readCalls(page.next);
    index = 0;
  }
}

/**
 * Takes the recordings of `calls` (their lookups, in the same order) in order, the first `skip` of the first
 * call's excepted, until `room` are taken. `endedIn`: the call whose recordings did not all fit, and how many of
 * them are returned once these are. A failed lookup is thrown when reached.
 */
export function fillPage(
  room: number,
  calls: readonly TwilioCall[],
  lookups: readonly PromiseSettledResult<TwilioRecording[]>[],
  skip: number,
): { taken: TwilioRecording[]; endedIn: { call: TwilioCall; returned: number } | null } {
  const taken: TwilioRecording[] = [];
  for (const [offset, lookup] of lookups.entries()) {
    if (lookup.status === "rejected") throw lookup.reason;
    const available = lookup.value.slice(skip);
    const space = room - taken.length;
    if (available.length > space) {
      taken.push(...available.slice(0, space));
      return { taken, endedIn: { call: calls[offset], returned: skip + space } };
    }
    taken.push(...available);
    skip = 0;
  }
  return { taken, endedIn: null };
}
