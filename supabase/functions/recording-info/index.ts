/**
 * /functions/v1/recording-info (user JWT)
 *   GET ?callSid=CA…                     -> that call's recordings
 *   GET [?pageSize=1..100&pageToken=…]   -> the most recent recordings of calls through the main trunk, paged
 *   GET ?recordingSid=RE…[&format=mp3|wav][&channels=1|2]
 *                                        -> the audio, streamed with the customer's credentials (2: both channels)
 *   GET ?settings                        -> the trunk's recording mode and trim, from Twilio
 *   POST { mode, trim? }                 -> set the trunk's recording
 */
import { z } from "zod";
import { authenticateUser } from "../_shared/auth.ts";
import { ApiError } from "../_shared/http/errors.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { recordingMode, recordingTrim, sid } from "../_shared/http/schemas.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { getCallRecordingInfo } from "../_shared/recordings/info.ts";
import { streamRecordingMedia } from "../_shared/recordings/media.ts";
import { getTrunkRecordingSettings, setTrunkRecordingSettings } from "../_shared/recordings/settings.ts";
import {
  DEFAULT_PAGE_SIZE,
  listMainTrunkRecordings,
  MAX_PAGE_SIZE,
} from "../_shared/recordings/trunk-page.ts";

const pageSizeMessage = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

const getQuery = z.strictObject({
  callSid: sid("CA").optional(),
  recordingSid: sid("RE").optional(),
  format: z.enum(["mp3", "wav"], { error: "must be mp3 or wav" }).optional(),
  channels: z.enum(["1", "2"], { error: "must be 1 or 2" }).transform((value) => value === "2" ? 2 : 1)
    .optional(),
  settings: z.enum(["", "1", "true"], { error: "takes no value (or 1)" }).optional(),
  pageSize: z.string().regex(/^\d{1,3}$/, pageSizeMessage).transform(Number)
    .refine((size) => size >= 1 && size <= MAX_PAGE_SIZE, pageSizeMessage).optional(),
  pageToken: z.string().min(1).max(4096).optional(),
});
type GetQuery = z.infer<typeof getQuery>;

/** Which GET this is, decided by its leading parameter, and the other parameters each one accepts. */
const GET_KINDS = {
  settings: [],
  recordingSid: ["format", "channels"],
  callSid: [],
  list: ["pageSize", "pageToken"],
} as const satisfies Record<string, readonly (keyof GetQuery)[]>;

function kindOf(query: GetQuery): keyof typeof GET_KINDS {
  const kind = query.settings !== undefined
    ? "settings"
    : query.recordingSid !== undefined
    ? "recordingSid"
    : query.callSid !== undefined
    ? "callSid"
    : "list";
  const allowed: readonly string[] = GET_KINDS[kind];
  for (const key of Object.keys(query) as (keyof GetQuery)[]) {
    if (key === kind || allowed.includes(key)) continue;
    const message = kind === "list"
      ? `${key}: only applies with recordingSid`
      : `${key}: cannot be combined with ${kind}`;
    throw new ApiError(400, "invalid_input", message, key);
  }
  return kind;
}

const postBody = z.strictObject({ mode: recordingMode, trim: recordingTrim.optional() });

Deno.serve(createHandler("recording-info", {
  GET: async ({ req, url, log }) => {
    const userId = await authenticateUser(req);
    const query = parseInput(getQuery, queryObject(url));
    const ctx = serviceContext(log.child({ user_id: userId }));
    switch (kindOf(query)) {
      case "settings":
        return json(await getTrunkRecordingSettings(ctx, { userId }), 200, { "Cache-Control": "no-store" });
      case "recordingSid":
        return await streamRecordingMedia(ctx, {
          userId,
          recordingSid: query.recordingSid!,
          format: query.format ?? "mp3",
          channels: query.channels ?? 1,
        });
      case "callSid":
        return json(await getCallRecordingInfo(ctx, { userId, callSid: query.callSid! }), 200, {
          "Cache-Control": "no-store",
        });
      case "list":
        return json(
          await listMainTrunkRecordings(ctx, {
            userId,
            pageSize: query.pageSize ?? DEFAULT_PAGE_SIZE,
            pageToken: query.pageToken,
          }),
          200,
          { "Cache-Control": "no-store" },
        );
    }
  },
  POST: async ({ req, url, log }) => {
    const userId = await authenticateUser(req);
    parseInput(z.strictObject({}), queryObject(url));
    const body = parseInput(postBody, await readJsonBody(req));
    return json(
      await setTrunkRecordingSettings(serviceContext(log.child({ user_id: userId })), { userId, ...body }),
    );
  },
}));
