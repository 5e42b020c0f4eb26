/**
 * The functions' contract: every request and answer as a zod schema, every error code, and the list of
 * operations. The functions parse with these schemas, `deno task openapi` writes docs/openapi.json from them,
 * the typed client (client/) takes its types from them, and the end-to-end tests check every answer against them.
 */
import { attachPhoneEndpoints } from "./attach-phone.ts";
import { createMainTrunkEndpoints } from "./create-main-trunk.ts";
import type { Endpoint } from "./endpoint.ts";
import { getSipConfigEndpoints } from "./get-sip-config.ts";
import { recordingInfoEndpoints } from "./recording-info.ts";
import { webhookEndpoints } from "./twilio-credentials-webhook.ts";

export * from "./attach-phone.ts";
export * from "./create-main-trunk.ts";
export * from "./endpoint.ts";
export * from "./errors.ts";
export * from "./fields.ts";
export * from "./get-sip-config.ts";
export * from "./recording-info.ts";
export * from "./twilio-credentials-webhook.ts";

export const ENDPOINTS: readonly Endpoint[] = [
  ...createMainTrunkEndpoints,
  ...getSipConfigEndpoints,
  ...attachPhoneEndpoints,
  ...recordingInfoEndpoints,
  ...webhookEndpoints,
];
