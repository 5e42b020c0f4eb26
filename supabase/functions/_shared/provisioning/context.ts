/** The service's dependencies as a deployed function has them: built from env once per process. */
import { provisioningConfigFromEnv } from "../config.ts";
import { SecretBox } from "../crypto/secrets.ts";
import { getSql, type Sql } from "../db/client.ts";
import type { Logger } from "../log.ts";
import { createLiveKitClient } from "../livekit/client.ts";
import { createTwilioClient } from "../twilio/client.ts";
import type { ServiceContext } from "../service-context.ts";

let shared: ServiceDependencies | undefined;

export function serviceContext(log: Logger): ServiceContext {
  return withLogger(shared ??= serviceDependenciesFromEnv(getSql()), log);
}

type ServiceDependencies = Omit<ServiceContext, "log" | "twilio">;

/**
 * Secrets and settings from env (as the functions have them) around a given pool: the backfill brings its own,
 * sized for its concurrency.
 */
export function serviceDependenciesFromEnv(sql: Sql): ServiceDependencies {
  const config = provisioningConfigFromEnv();
  return {
    sql,
    secrets: SecretBox.fromEnv(),
    config,
    ...(config.livekit ? { livekit: createLiveKitClient(config.livekit) } : {}),
  };
}

/** The context of one request or job: its logger, and Twilio clients that log their requests to it (debug). */
export function withLogger(dependencies: ServiceDependencies, log: Logger): ServiceContext {
  return {
    ...dependencies,
    log,
    twilio: (credentials, clientLog = log) => createTwilioClient(credentials, { log: clientLog }),
  };
}
