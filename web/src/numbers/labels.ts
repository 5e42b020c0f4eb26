/** Words for where a number's calls go and for each per-number outcome of attach / detach. */
import type { AccountNumber, AttachOutcome, DetachOutcome } from "@twilio-sip/client";

export function attachmentLabel(number: AccountNumber): string {
  switch (number.attachment) {
    case "main-trunk":
      return "This SIP trunk (LiveKit)";
    case "other-trunk":
      return `Another trunk (${number.trunkSid})`;
    case "voice-url":
      return "A voice URL (webhook)";
    case "voice-application":
      return "A TwiML app";
    case "none":
      return "Nowhere";
  }
}

export function resultLabel(result: AttachOutcome | DetachOutcome): string {
  switch (result.status) {
    case "attached":
      return "Attached";
    case "already-attached":
      return "Already on this trunk";
    case "detached":
      return result.restored ? "Detached, earlier voice settings restored" : "Detached";
    case "not-attached":
      return "Was not on this trunk";
    case "not-found":
      return "Not found in this Twilio account";
    case "failed":
      return `Failed: ${result.message ?? "unknown error"}${
        result.twilioCode ? ` (Twilio error ${result.twilioCode})` : ""
      }`;
  }
}
