import assert from "node:assert/strict";
import type { TwilioCall, TwilioClient, TwilioPage, TwilioRecording } from "../twilio/types.ts";
import { TwilioApiError } from "../twilio/errors.ts";
import { fillPage, listTrunkRecordingsPage, maxTwilioRequests } from "./trunk-page.ts";
import { ApiError } from "../http/errors.ts";
import type { Cursor } from "./page-token.ts";

const TRUNK = "TK" + "a".repeat(32);
const OTHER = "TK" + "b".repeat(32);
const SCOPE = { trunkSid: TRUNK, numberSids: new Set<string>() };
let serial = 0;
const sid = (prefix: string) => prefix + (serial++).toString(16).padStart(32, "0");

/**
 * Calls (newest first) with Twilio-like anchored page tokens: a token names the last call of the previous
 * page, so calls added at the top never shift later pages.
 */
class FakeTwilio {
  calls: TwilioCall[] = [];
  recordings = new Map<string, TwilioRecording[]>();
  requests = 0;

  addCall(trunkSid: string | null, recordings: number): TwilioCall {
    const call = { sid: sid("CA"), trunkSid } as TwilioCall;
    this.calls.unshift(call);
    this.recordings.set(
      call.sid,
      Array.from({ length: recordings }, () => ({ sid: sid("RE"), callSid: call.sid }) as TwilioRecording),
    );
    return call;
  }

  client(): TwilioClient {
    return {
      listCalls: ({ pageSize, pageToken }: { pageSize?: number; pageToken?: string }) => {
        this.requests++;
        let size = pageSize ?? 50;
        let start = 0;
        if (pageToken) {
          if (!pageToken.startsWith("fake:")) {
            return Promise.reject(new TwilioApiError(400, 20001, "bad token"));
          }
          const [, sizeText, after] = pageToken.split(":");
          size = Number(sizeText);
          start = this.calls.findIndex((call) => call.sid === after) + 1;
        }
        const items = this.calls.slice(start, start + size);
        const more = start + size < this.calls.length;
        return Promise.resolve({ items, nextPageToken: more ? `fake:${size}:${items.at(-1)!.sid}` : null });
      },
      listRecordings: ({ callSid }: { callSid?: string }): Promise<TwilioPage<TwilioRecording>> => {
        this.requests++;
        return Promise.resolve({ items: this.recordings.get(callSid!) ?? [], nextPageToken: null });
      },
    } as unknown as TwilioClient;
  }

  /** Every recording of trunk calls in the order pages must return them. */
  expected(): string[] {
    return this.calls.filter((c) => c.trunkSid === TRUNK).flatMap((c) =>
      this.recordings.get(c.sid)!.map((r) => r.sid)
    );
  }
}

async function walk(fake: FakeTwilio, pageSize: number, callsPageSize: number) {
  const pages: string[][] = [];
  let cursor: Cursor | undefined;
  do {
    const page = await listTrunkRecordingsPage(fake.client(), SCOPE, { pageSize, cursor }, { callsPageSize });
    pages.push(page.recordings.map((r) => r.sid));
    cursor = page.next ?? undefined;
    assert.ok(pages.length < 100, "paging does not end");
  } while (cursor);
  return pages;
}

Deno.test("trunk recordings: every recording of trunk calls exactly once, in order, across calls pages", async () => {
  const fake = new FakeTwilio();
  for (let i = 0; i < 30; i++) {
    fake.addCall(i % 3 === 0 ? OTHER : i % 5 === 0 ? null : TRUNK, i % 4 === 0 ? 0 : (i % 7 === 0 ? 3 : 1));
  }
  for (const [pageSize, callsPageSize] of [[1, 4], [2, 3], [5, 100], [7, 1], [100, 7]]) {
    const pages = await walk(fake, pageSize, callsPageSize);
    assert.deepEqual(pages.flat(), fake.expected(), `pageSize ${pageSize}, calls page ${callsPageSize}`);
    assert.ok(pages.every((page) => page.length <= pageSize));
    // Pages fill up: only the last may be short, unless tiny calls pages use up the request budget.
    if (callsPageSize === 1) continue;
    assert.ok(
      pages.slice(0, -1).every((page) => page.length === pageSize),
      JSON.stringify(pages.map((p) => p.length)),
    );
  }
});

Deno.test("trunk recordings: a call with more recordings than room is split between pages", async () => {
  const fake = new FakeTwilio();
  fake.addCall(TRUNK, 5);
  const pages = await walk(fake, 2, 10);
  assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
  assert.deepEqual(pages.flat(), fake.expected());
});

Deno.test("trunk recordings: calls made between two pages neither shift nor repeat the first calls page", async () => {
  const fake = new FakeTwilio();
  for (let i = 0; i < 6; i++) fake.addCall(TRUNK, 1);
  const before = fake.expected();
  const first = await listTrunkRecordingsPage(fake.client(), SCOPE, { pageSize: 2 }, { callsPageSize: 3 });
  assert.deepEqual(first.recordings.map((r) => r.sid), before.slice(0, 2));
  // Enough new calls to push the resume point onto the second calls page.
  for (let i = 0; i < 4; i++) fake.addCall(TRUNK, 1);
  const rest: string[] = [];
  let cursor = first.next;
  while (cursor) {
    const page = await listTrunkRecordingsPage(fake.client(), SCOPE, { pageSize: 2, cursor }, {
      callsPageSize: 3,
    });
    rest.push(...page.recordings.map((r) => r.sid));
    cursor = page.next;
  }
  assert.deepEqual(rest, before.slice(2));
});

Deno.test("trunk recordings: a page costs a bounded number of Twilio requests, and paging still ends", async () => {
  const fake = new FakeTwilio();
  for (let i = 0; i < 200; i++) fake.addCall(TRUNK, 0); // recording was off: every lookup finds nothing
  fake.calls.at(-1)!.trunkSid = TRUNK;
  fake.recordings.set(fake.calls.at(-1)!.sid, [{ sid: sid("RE") } as TwilioRecording]);
  let cursor: Cursor | undefined;
  const found: string[] = [];
  let pages = 0;
  do {
    fake.requests = 0;
    const page = await listTrunkRecordingsPage(fake.client(), SCOPE, { pageSize: 5, cursor }, {
      callsPageSize: 50,
    });
    assert.ok(fake.requests <= maxTwilioRequests(5) + 1, `${fake.requests} requests`);
    found.push(...page.recordings.map((r) => r.sid));
    cursor = page.next ?? undefined;
    pages++;
  } while (cursor);
  assert.equal(found.length, 1);
  assert.ok(pages > 1);
});

// Garbled and forged tokens are refused before the walk (page-token_test.ts); these are signed but stale.
Deno.test("trunk recordings: a cursor Twilio refuses or whose call is gone is a 400 on pageToken", async () => {
  const fake = new FakeTwilio();
  for (let i = 0; i < 3; i++) fake.addCall(TRUNK, 1);
  for (
    const cursor of [
      { t: "forged" },
      { t: null, c: "CA" + "f".repeat(32) }, // a call that does not exist (any more)
    ]
  ) {
    await assert.rejects(
      listTrunkRecordingsPage(fake.client(), SCOPE, { pageSize: 2, cursor }),
      (error) => error instanceof ApiError && error.status === 400 && error.field === "pageToken",
      JSON.stringify(cursor),
    );
  }
});

Deno.test("fillPage: recordings in call order, the first call's returned ones skipped, up to the room left", () => {
  const calls = ["CA1", "CA2", "CA3"].map((sid) => ({ sid }) as TwilioCall);
  const found = (...sids: string[]) => ({
    status: "fulfilled" as const,
    value: sids.map((sid) => ({ sid }) as TwilioRecording),
  });
  const sids = (page: ReturnType<typeof fillPage>) => page.taken.map((r) => r.sid);

  const all = fillPage(10, calls, [found("a1", "a2", "a3"), found(), found("c1")], 1);
  assert.deepEqual(sids(all), ["a2", "a3", "c1"], "the skip applies to the first call only");
  assert.equal(all.endedIn, null);

  const full = fillPage(3, calls, [found("a1", "a2"), found("b1", "b2", "b3"), found("c1")], 1);
  assert.deepEqual(sids(full), ["a2", "b1", "b2"]);
  assert.deepEqual(full.endedIn, { call: calls[1], returned: 2 });
  const withinFirst = fillPage(1, calls, [found("a1", "a2", "a3")], 1);
  assert.deepEqual([sids(withinFirst), withinFirst.endedIn?.returned], [["a2"], 2], "counts the skipped too");

  const failed = { status: "rejected" as const, reason: new Error("lookup failed") };
  assert.throws(() => fillPage(5, calls, [found("a1"), failed], 0), /lookup failed/);
  const endedBefore = fillPage(1, calls, [found("a1", "a2"), failed], 0);
  assert.deepEqual(
    endedBefore.endedIn,
    { call: calls[0], returned: 1 },
    "a failure past the page's end is moot",
  );
});
