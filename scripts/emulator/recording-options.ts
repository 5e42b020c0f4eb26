// Recording state the admin API may set, so clients can meet recordings they must detect and refuse:
// not yet completed (no media), encrypted (encryption_details, undecodable media), externally stored
// (media_url off api.twilio.com, no media at Twilio).
import { invalidParameter } from "./errors.ts";
import type { JsonFields } from "../local/emulators.ts";
import { encryptionDetailsFor } from "./recording-encryption.ts";
import { type Recording, RECORDING_STATUSES } from "./store.ts";

/** Validates `{status?, encrypted?, externalMediaUrl?}` now; the returned function applies it to a recording. */
export function readRecordingOptions(fields: JsonFields): (recording: Recording) => void {
  const status = fields.oneOf("status", RECORDING_STATUSES);
  const encrypted = fields.boolean("encrypted");
  const externalMediaUrl = fields.string("externalMediaUrl");
  if (externalMediaUrl !== undefined && !URL.canParse(externalMediaUrl)) {
    throw invalidParameter("externalMediaUrl must be an absolute URL");
  }
  return (recording) => {
    if (status) recording.status = status;
    if (encrypted !== undefined) {
      recording.encryption = encrypted ? encryptionDetailsFor(recording.sid) : null;
    }
    if (externalMediaUrl !== undefined) recording.externalMediaUrl = externalMediaUrl;
  };
}
