/**
 * What the functions answer, as a browser sees them (user tokens: no secret ever appears here). Kept by hand in
 * step with supabase/functions until the product owns the contract (zod schemas) and this module with it.
 */

export const RECORDING_MODES = [
  "do-not-record",
  "record-from-ringing",
  "record-from-answer",
  "record-from-ringing-dual",
  "record-from-answer-dual",
] as const;
export const RECORDING_TRIMS = ["do-not-trim", "trim-silence"] as const;

export type RecordingMode = typeof RECORDING_MODES[number];
export type RecordingTrim = typeof RECORDING_TRIMS[number];

/** Provisioning state of a credential row. */
export type CredentialStatus = "pending" | "provisioning" | "active" | "failed";

/** A connected Twilio account as its owner may read it (the row's columns; never the auth token or SIP password). */
export interface TwilioCredentials {
  id: string;
  user_id: string;
  account_sid: string;
  trunk_sid: string | null;
  label: string | null;
  domain_name: string | null;
  domain_prefix: string | null;
  credential_list_sid: string | null;
  sip_username: string | null;
  is_active: boolean;
  created_at: string;
  updated_at: string;
  status: CredentialStatus;
}

export interface ConnectTwilioInput {
  accountSid: string;
  authToken: string;
  label?: string;
  recordingMode?: RecordingMode;
}

/** create-main-trunk's answer. */
export interface MainTrunk {
  success: true;
  message: string;
  trunkSid: string;
  trunkName: string;
  domainName: string;
  domainPrefix: string;
  credentialListSid: string;
  sipUsername: string;
  status: "active";
}

/** get-sip-config's answer to a user (the password is only given to server-side callers). */
export interface SipConfig {
  domainName: string;
  sipUsername: string;
  trunkSid: string;
  credentialListSid: string;
  status: CredentialStatus;
  livekit: {
    address: string;
    transport: string;
    numbers: string[];
    authUsername: string;
    /** LiveKit's ids, once the product creates the LiveKit side; absent until then. */
    outboundTrunkId?: string;
    inboundTrunkId?: string;
    dispatchRuleIds?: string[];
  };
}

export type HealthCheckName =
  | "credentials"
  | "trunk"
  | "credential_list"
  | "credential"
  | "origination_url"
  | "fallback_origination_url"
  | "recording"
  | "numbers";

export interface HealthCheck {
  name: HealthCheckName;
  ok: boolean;
  /** A failure of this check stops calls altogether. */
  critical: boolean;
  detail: string;
}

/** get-sip-config?verify=1 */
export interface HealthReport {
  status: "verified" | "degraded" | "broken";
  trunkSid: string | null;
  domainName: string | null;
  checks: HealthCheck[];
}

/** POST get-sip-config {repair: true} */
export interface RepairResult {
  before: HealthReport;
  after: HealthReport;
  /** The checks that failed before and pass now. */
  repaired: HealthCheckName[];
}

/** Where a number's calls go. */
export type NumberAttachment = "main-trunk" | "other-trunk" | "voice-url" | "voice-application" | "none";

export interface AccountNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  attachment: NumberAttachment;
  /** The trunk the number is on, main or other; null when on none. */
  trunkSid: string | null;
}

/** attach-phone GET */
export interface AccountNumbers {
  /** Null while the main trunk is not provisioned. */
  mainTrunkSid: string | null;
  numbers: AccountNumber[];
}

export type AttachStatus = "attached" | "already-attached" | "not-found" | "failed";
export type DetachStatus = "detached" | "not-attached" | "not-found" | "failed";

export interface NumberResult<S extends string> {
  /** The reference as it was given (E.164 number or PN SID). */
  input: string;
  phoneNumberSid: string | null;
  phoneNumber: string | null;
  status: S;
  /** Detach only: whether the voice settings recorded at attach were put back. */
  restored?: boolean;
  /** When it failed: Twilio's code (null when Twilio did not answer) and message. */
  twilioCode?: number | null;
  message?: string;
}

/** attach-phone POST / DELETE: one result per number; 200 even when some failed. */
export interface NumbersResult<S extends string> {
  trunkSid: string;
  results: NumberResult<S>[];
  counts: Record<S, number>;
}

export interface Recording {
  sid: string;
  callSid: string;
  status: string;
  /** Seconds. */
  duration: number;
  channels: number;
  /** ISO 8601. */
  startTime: string | null;
  source: string;
  /** The recording-info function's media URL (needs the user's token); never Twilio's. */
  mediaUrl: string;
}

export interface RecordingsPage {
  trunkSid: string;
  recordings: Recording[];
  /** Pass back as pageToken; null: no more recordings. A page may be short while more exist. */
  nextPageToken: string | null;
}

export interface RecordingSettings {
  trunkSid: string;
  mode: RecordingMode;
  trim: RecordingTrim;
}
