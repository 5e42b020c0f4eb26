// 2010 API calls and recordings (read-only; the admin API creates them), including recording media.
import { api2010Page, type ApiContext, findOwned, ok } from "./api-context.ts";
import { dateFilter, dateFilterNames } from "./date-filter.ts";
import { recordingMedia } from "./recording-media.ts";
import { renderCall, renderRecording } from "./render.ts";
import type { Router } from "./router.ts";

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
