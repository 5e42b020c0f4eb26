import type { ApiError } from "@twilio-sip/client";
import { type Ref } from "react";

/** An API failure as a person reads it: the message, and Twilio's own code when Twilio gave one. */
export function ErrorAlert({ error, ref }: { error: ApiError | null; ref?: Ref<HTMLParagraphElement> }) {
  if (!error) return null;
  const twilioCode = error.details.twilioCode;
  return (
    <p role="alert" className="alert alert-error" tabIndex={-1} ref={ref}>
      {error.message}
      {typeof twilioCode === "number" && <span className="muted">{` (Twilio error ${twilioCode})`}</span>}
    </p>
  );
}
