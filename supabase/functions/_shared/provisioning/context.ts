/** The service's dependencies as a deployed function has them: built from env once per process. */
import { provisioningConfigFromEnv } from "../config.ts";
import { SecretBox } from "../crypto/secrets.ts";
import { getSql, type Sql } from "../db/client.ts";
import type { Logger } from "../log.ts";
import { createTwilioClient } from "../twilio/client.ts";
import type { ServiceContext } from "./provision.ts";

let shared: Omit<ServiceContext, "log"> | undefined;

export function serviceContext(log: Logger): ServiceContext {
  shared ??= serviceDependenciesFromEnv(getSql());
  return { ...shared, log };
}

/**
 * Secrets, settings and Twilio clients from env (as the functions have them) around a given pool: the backfill
 * brings its own, sized for its concurrency.
 */
export function serviceDependenciesFromEnv(sql: Sql): Omit<ServiceContext, "log"> {
  return {
    sql,
    secrets: SecretBox.fromEnv(),
    config: provisioningConfigFromEnv(),
    twilio: (credentials) => createTwilioClient(credentials),
  };
}
