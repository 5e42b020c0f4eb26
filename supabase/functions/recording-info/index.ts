/**
 * /functions/v1/recording-info (user JWT)
 *   GET ?callSid=CA…                     -> that call's recordings
 *   GET [?pageSize=1..100&pageToken=…]   -> the most recent recordings of calls through the main trunk, paged
 *   GET ?recordingSid=RE…[&format=mp3|wav][&channels=1|2]
 *                                        -> the audio, streamed with the customer's credentials (2: both channels)
 *   GET ?settings                        -> the trunk's recording mode and trim, from Twilio
 *   POST { mode, trim? }                 -> set the trunk's recording
 * Requests and answers: _shared/contract/recording-info.ts
 */
import { authenticateUser } from "../_shared/auth.ts";
import { NoQuery } from "../_shared/contract/fields.ts";
import {
  DEFAULT_PAGE_SIZE,
  recordingInfoKind,
  RecordingInfoQuery,
  RecordingSettingsBody,
} from "../_shared/contract/recording-info.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";
import { getCallRecordingInfo } from "../_shared/recordings/info.ts";
import { streamRecordingMedia } from "../_shared/recordings/media.ts";
import { getTrunkRecordingSettings, setTrunkRecordingSettings } from "../_shared/recordings/settings.ts";
import { listMainTrunkRecordings } from "../_shared/recordings/trunk-page.ts";

Deno.serve(createHandler("recording-info", {
  GET: async ({ req, url, log }) => {
    const userId = await authenticateUser(req);
    const query = parseInput(RecordingInfoQuery, queryObject(url));
    const ctx = serviceContext(log.child({ user_id: userId }));
    switch (recordingInfoKind(query)) {
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
    parseInput(NoQuery, queryObject(url));
    const body = parseInput(RecordingSettingsBody, await readJsonBody(req));
    return json(
      await setTrunkRecordingSettings(serviceContext(log.child({ user_id: userId })), { userId, ...body }),
    );
  },
}));
