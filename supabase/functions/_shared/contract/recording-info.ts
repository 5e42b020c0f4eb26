/**
 * recording-info: the main trunk's recordings a page at a time, one call's recordings, a recording's audio
 * (streamed with the customer's credentials, never Twilio's URL), and the trunk's recording settings.
 */
import { z } from "zod";
import { ACCOUNT_ERRORS, BODY_ERRORS, type Endpoint, INPUT_ERRORS, USER_ERRORS } from "./endpoint.ts";
import { NoQuery, RecordingMode, RecordingTrim, sid } from "./fields.ts";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const pageSizeMessage = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

/** Which GET a query asks for, by its leading parameter, and the other parameters each one accepts. */
const GET_KINDS = {
  settings: [],
  recordingSid: ["format", "channels"],
  callSid: [],
  list: ["pageSize", "pageToken"],
} as const satisfies Record<string, readonly string[]>;

export function recordingInfoKind(query: { settings?: unknown; recordingSid?: unknown; callSid?: unknown }) {
  return query.settings !== undefined
    ? "settings"
    : query.recordingSid !== undefined
    ? "recordingSid"
    : query.callSid !== undefined
    ? "callSid"
    : "list";
}

export const RecordingInfoQuery = z.strictObject({
  callSid: sid("CA").optional().describe("That call's recordings"),
  recordingSid: sid("RE").optional().describe("That recording's audio"),
  format: z.enum(["mp3", "wav"], { error: "must be mp3 or wav" }).optional().describe("With recordingSid"),
  channels: z.enum(["1", "2"], { error: "must be 1 or 2" }).transform((value) => value === "2" ? 2 : 1)
    .optional().describe("With recordingSid: 2 for both channels of a dual-channel recording"),
  settings: z.enum(["", "1", "true"], { error: "takes no value (or 1)" }).optional().describe(
    "The trunk's recording mode and trim, from Twilio",
  ),
  pageSize: z.string().regex(/^\d{1,3}$/, pageSizeMessage).transform(Number)
    .refine((size) => size >= 1 && size <= MAX_PAGE_SIZE, pageSizeMessage).optional()
    .describe(`Recordings per page (default ${DEFAULT_PAGE_SIZE})`),
  pageToken: z.string().min(1).max(4096).optional().describe("nextPageToken of the page before"),
}).superRefine((query, ctx) => {
  const kind = recordingInfoKind(query);
  const allowed: readonly string[] = GET_KINDS[kind];
  const extra = Object.keys(query).find((key) => key !== kind && !allowed.includes(key));
  if (extra) {
    const message = kind === "list" ? "only applies with recordingSid" : `cannot be combined with ${kind}`;
    ctx.addIssue({ code: "custom", path: [extra], message });
  }
});

export const RecordingSettingsBody = z.strictObject({ mode: RecordingMode, trim: RecordingTrim.optional() });

export const Recording = z.strictObject({
  sid: z.string(),
  callSid: z.string(),
  status: z.string().describe("Twilio's: only completed recordings have audio"),
  duration: z.number().describe("Seconds"),
  channels: z.number().int(),
  startTime: z.string().nullable().describe("ISO 8601"),
  source: z.string(),
  mediaUrl: z.string().describe("This function's media URL (send the user's token); never Twilio's"),
  encrypted: z.literal(true).optional().describe("Its audio is refused for good: encrypted at Twilio"),
  storedExternally: z.literal(true).optional().describe("Its audio is refused for good: in external storage"),
});
export type Recording = z.infer<typeof Recording>;

export const RecordingsPage = z.strictObject({
  trunkSid: z.string(),
  recordings: z.array(Recording).describe("Calls newest first, each call's recordings newest first"),
  nextPageToken: z.string().nullable().describe(
    "Pass back as pageToken; null: no more. A page may be short while more exist",
  ),
});
export type RecordingsPage = z.infer<typeof RecordingsPage>;

export const CallRecordings = z.strictObject({ callSid: z.string(), recordings: z.array(Recording) });
export type CallRecordings = z.infer<typeof CallRecordings>;

export const RecordingSettings = z.strictObject({
  trunkSid: z.string(),
  mode: RecordingMode,
  trim: RecordingTrim,
});
export type RecordingSettings = z.infer<typeof RecordingSettings>;

const fn = "recording-info";

export const recordingInfoEndpoints: Endpoint[] = [
  {
    fn,
    method: "GET",
    caller: "user",
    summary: "Recordings, a recording's audio, or the recording settings",
    description: "By the leading parameter: ?settings (the trunk's recording mode and trim); " +
      "?recordingSid=RE…[&format=mp3|wav][&channels=1|2] (the audio); ?callSid=CA… (that call's recordings); " +
      "none (the main trunk's recent recordings, paged with pageSize and pageToken).",
    query: RecordingInfoQuery,
    answers: {
      200: {
        description: "The settings, one call's recordings, a page of recordings, or the audio",
        json: z.union([RecordingSettings, CallRecordings, RecordingsPage]),
        media: ["audio/mpeg", "audio/wav", "audio/x-wav"],
      },
    },
    errors: [
      ...USER_ERRORS,
      ...INPUT_ERRORS,
      ...ACCOUNT_ERRORS,
      "trunk_not_ready",
      "invalid_page_token",
      "recording_not_found",
      "recording_not_ready",
      "recording_not_dual_channel",
      "recording_encrypted",
      "recording_stored_externally",
    ],
  },
  {
    fn,
    method: "POST",
    caller: "user",
    summary: "Set the trunk's recording",
    description: "Provisions the trunk first if it never was. Without trim, the current trim stays.",
    query: NoQuery,
    body: RecordingSettingsBody,
    answers: { 200: { description: "The settings as Twilio has them now", json: RecordingSettings } },
    errors: [...USER_ERRORS, ...BODY_ERRORS, ...ACCOUNT_ERRORS, "trunk_not_ready", "provisioning_failed"],
  },
];
