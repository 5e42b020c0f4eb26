import assert from "node:assert/strict";
import { roundsOf, timelineOf } from "./timeline.ts";

const at = (ms: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, 0, ms)).toISOString();
const twilio = (path: string, endMs: number, durationMs: number) =>
  JSON.stringify({
    level: "debug",
    event: "twilio_request",
    time: at(endMs),
    method: "POST",
    path,
    durationMs,
  });

Deno.test("timeline: a request's phases come from its debug lines, rounds from overlapping Twilio requests", () => {
  // The handler started at 0 and ended at 220; two creates, then three that start once both answered.
  const lines = [
    twilio("/v1/Trunks", 108, 103),
    twilio("/CredentialLists.json", 110, 104),
    JSON.stringify({ event: "provisioning_step" }),
    "not json",
    twilio("/Credentials.json", 216, 105),
    twilio("/v1/Trunks/TK/CredentialLists", 215, 104),
    twilio("/v1/Trunks/TK/OriginationUrls", 216, 104),
    JSON.stringify({ level: "debug", event: "request", time: at(220), duration_ms: 220 }),
  ];
  assert.deepEqual(timelineOf(lines), {
    handlerMs: 220,
    beforeTwilio: 5,
    rounds: [{ start: 5, end: 110, requests: 2 }, { start: 111, end: 216, requests: 3 }],
    afterTwilio: 4,
  });
  assert.equal(timelineOf(lines.slice(0, -1)), undefined, "no request line, no timeline");
});

Deno.test("timeline: a request that starts once one of the round's requests has ended opens the next round", () => {
  const attempt = (start: number, end: number) => ({ method: "POST", path: "/", start, end });
  assert.deepEqual(roundsOf([attempt(0, 100), attempt(1, 102), attempt(101, 200)]), [
    { start: 0, end: 102, requests: 2 },
    { start: 101, end: 200, requests: 1 },
  ]);
});
