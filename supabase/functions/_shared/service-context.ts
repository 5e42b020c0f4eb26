/**
 * What every service operation runs with: the database, the secret box, the validated settings, a way to reach
 * Twilio with a customer's credentials, and the request's logger. Functions build it from env
 * (provisioning/context.ts); tests and operator tasks build their own.
 */
import type { ProvisioningConfig } from "./config.ts";
import type { SecretBox } from "./crypto/secrets.ts";
import type { Sql } from "./db/client.ts";
import type { Logger } from "./log.ts";
import type { LiveKitSip } from "./livekit/client.ts";
import type { TwilioClient, TwilioCredentials } from "./twilio/types.ts";

export interface ServiceContext {
  sql: Sql;
  secrets: SecretBox;
  config: ProvisioningConfig;
  /** A Twilio client on these credentials; its requests are logged (debug) to `log`, the context's by default. */
  twilio: (credentials: TwilioCredentials, log?: Logger) => TwilioClient;
  log: Logger;
  /** The platform's LiveKit project, when this service manages the LiveKit side (LIVEKIT_URL etc. set). */
  livekit?: LiveKitSip;
}
