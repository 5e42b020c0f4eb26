// 2010 API calls and recordings (read-only; the admin API creates them), including recording media.
import { api2010Page, type ApiContext, findOwned, ok } from "./api_context.ts";
import { dateFilter, dateFilterNames } from "./date_filter.ts";
import { invalidParameter } from "./errors.ts";
import { mp3Bytes, wavBytes } from "./media.ts";
import { renderCall, renderRecording } from "./render.ts";
import type { Params, Router } from "./router.ts";

const CALL_FILTERS = ["To", "From", "Status", ...dateFilterNames("StartTime")];
const RECORDING_FILTERS = ["CallSid", ...dateFilterNames("DateCreated")];

/** Calls and recordings list newest first, as Twilio does. */
const NEWEST_FIRST = "descending";

function equalsIfGiven(query: URLSearchParams, name: string, value: string | null): boolean {
  return !query.has(name) || query.get(name) === value;
}

function listCalls(ctx: ApiContext): Response {
  const query = ctx.url.searchParams;
  const startedInRange = dateFilter(query, "StartTime");
  const calls = ctx.store.ofAccount(ctx.store.calls, ctx.account.sid).filter((call) =>
    equalsIfGiven(query, "To", call.to) && equalsIfGiven(query, "From", call.from) &&
    equalsIfGiven(query, "Status", call.status) && startedInRange(call.start)
  );
  return api2010Page(ctx, "calls", calls, renderCall, { order: NEWEST_FIRST, filters: CALL_FILTERS });
}

function listRecordings(ctx: ApiContext): Response {
  const query = ctx.url.searchParams;
  const createdInRange = dateFilter(query, "DateCreated");
  const recordings = ctx.store.ofAccount(ctx.store.recordings, ctx.account.sid).filter((recording) =>
    equalsIfGiven(query, "CallSid", recording.callSid) && createdInRange(recording.created)
  );
  return api2010Page(ctx, "recordings", recordings, renderRecording, {
    order: NEWEST_FIRST,
    filters: RECORDING_FILTERS,
  });
}

/** `RequestedChannels=2` asks for one channel per call leg; the default is a mono mix. */
function requestedChannels(query: URLSearchParams): 1 | 2 {
  const value = query.get("RequestedChannels") ?? "1";
  if (value !== "1" && value !== "2") throw invalidParameter("RequestedChannels must be 1 or 2");
  return value === "2" ? 2 : 1;
}

function recordingMedia(format: "mp3" | "wav") {
  return (ctx: ApiContext, { recordingSid }: Params): Response => {
    const recording = findOwned(ctx, ctx.store.recordings, recordingSid);
    const channels = requestedChannels(ctx.url.searchParams);
    const body = format === "mp3" ? mp3Bytes(recording.sid, channels) : wavBytes(recording.sid, channels);
    return new Response(body, {
      headers: { "content-type": format === "mp3" ? "audio/mpeg" : "audio/x-wav" },
    });
  };
}

export function addCallRoutes(router: Router<ApiContext>): void {
  const account = "/2010-04-01/Accounts/:accountSid";
  const recording = `${account}/Recordings/:recordingSid`;
  router
    .on("GET", `${account}/Calls.json`, listCalls)
    .on(
      "GET",
      `${account}/Calls/:callSid.json`,
      (ctx, { callSid }) => ok(renderCall(findOwned(ctx, ctx.store.calls, callSid))),
    )
    .on("GET", `${account}/Recordings.json`, listRecordings)
    .on(
      "GET",
      `${recording}.json`,
      (ctx, { recordingSid }) => ok(renderRecording(findOwned(ctx, ctx.store.recordings, recordingSid))),
    )
    .on("GET", `${recording}.mp3`, recordingMedia("mp3"))
    .on("GET", `${recording}.wav`, recordingMedia("wav"))
    // Without an extension Twilio serves WAV.
    .on("GET", recording, recordingMedia("wav"));
}
