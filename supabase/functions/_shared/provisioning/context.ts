/** The service's dependencies as a deployed function has them: built from env once per process. */
import { provisioningConfigFromEnv } from "../config.ts";
import { SecretBox } from "../crypto/secrets.ts";
import { getSql } from "../db/client.ts";
import type { Logger } from "../log.ts";
import { createTwilioClient } from "../twilio/client.ts";
import type { ServiceContext } from "./provision.ts";

let shared: Omit<ServiceContext, "log"> | undefined;

export function serviceContext(log: Logger): ServiceContext {
  shared ??= {
    sql: getSql(),
    secrets: SecretBox.fromEnv(),
    config: provisioningConfigFromEnv(),
    twilio: (credentials) => createTwilioClient(credentials),
  };
  return { ...shared, log };
}
