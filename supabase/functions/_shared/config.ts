/**
 * The project's own settings, read from function secrets once per process and validated, so a typo fails the
 * first request loudly instead of provisioning something half-right.
 */
import { z } from "zod";

export const RECORDING_MODES = [
  "do-not-record",
  "record-from-ringing",
  "record-from-answer",
  "record-from-ringing-dual",
  "record-from-answer-dual",
] as const;
export const RECORDING_TRIMS = ["trim-silence", "do-not-trim"] as const;

export type RecordingMode = typeof RECORDING_MODES[number];
export type RecordingTrim = typeof RECORDING_TRIMS[number];

const sipUri = z.string().regex(
  /^sip:[^\s;]+(;[^\s;]+)*$/,
  "must be a sip: URI, e.g. sip:abc.sip.livekit.cloud;transport=tcp",
);

const settingsSchema = z.object({
  LIVEKIT_SIP_URI: sipUri.optional(),
  LIVEKIT_SIP_URI_FALLBACK: sipUri.optional(),
  TRUNK_RECORDING_MODE: z.enum(RECORDING_MODES).default("do-not-record"),
  TRUNK_RECORDING_TRIM: z.enum(RECORDING_TRIMS).default("do-not-trim"),
  LIVEKIT_OUTBOUND_TRANSPORT: z.enum(["udp", "tcp", "tls", "auto"]).default("tcp"),
});

export interface ProvisioningConfig {
  /** Inbound: Twilio sends calls to this URI (origination URL, priority 1). Unset: no origination URL. */
  livekitSipUri?: string;
  /** Optional second origination URL at priority 2. */
  livekitSipUriFallback?: string;
  recording: { mode: RecordingMode; trim: RecordingTrim };
  /** Transport the voice backend's LiveKit outbound trunk uses to reach the termination host. */
  outboundTransport: "udp" | "tcp" | "tls" | "auto";
}

export function provisioningConfigFromEnv(env: Record<string, string | undefined> = Deno.env.toObject()) {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = settingsSchema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`Invalid function secret ${issue.path.join(".")}: ${issue.message}`);
  }
  const settings = result.data;
  return {
    livekitSipUri: settings.LIVEKIT_SIP_URI,
    livekitSipUriFallback: settings.LIVEKIT_SIP_URI_FALLBACK,
    recording: { mode: settings.TRUNK_RECORDING_MODE, trim: settings.TRUNK_RECORDING_TRIM },
    outboundTransport: settings.LIVEKIT_OUTBOUND_TRANSPORT,
  } satisfies ProvisioningConfig;
}
