/**
 * The provisioning service wired to the test stack's database and Twilio emulator, for tests that drive it
 * directly (faults, races) rather than through a function. Same settings the functions run with.
 */
import {
  type ProvisioningConfig,
  provisioningConfigFromEnv,
} from "../../supabase/functions/_shared/config.ts";
import { SecretBox } from "../../supabase/functions/_shared/crypto/secrets.ts";
import { createPool } from "../../supabase/functions/_shared/db/client.ts";
import { createLogger } from "../../supabase/functions/_shared/log.ts";
import { createLiveKitClient } from "../../supabase/functions/_shared/livekit/client.ts";
import { createTwilioClient } from "../../supabase/functions/_shared/twilio/client.ts";
import { emulator, newUser, stackInfo } from "./stack.ts";
import { createMainTrunkForUser } from "../../supabase/functions/_shared/provisioning/service.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";

let sql: ReturnType<typeof createPool> | undefined;

/** Log lines the service wrote, so a test can look at them (and prove secrets are not in them). */
export const serviceLogLines: string[] = [];

export function testServiceContext(overrides: Partial<ProvisioningConfig> = {}): ServiceContext {
  const stack = stackInfo();
  sql ??= createPool(stack.db_url, 8);
  // Debug level, so the secrets audit also covers every Twilio request and provisioning step logged.
  const log = createLogger({ fn: "test" }, (_level, line) => serviceLogLines.push(line), "debug");
  const config = { ...provisioningConfigFromEnv(stack.function_secrets), ...overrides };
  return {
    sql,
    secrets: SecretBox.fromEnv(stack.function_secrets.ENCRYPTION_KEYS),
    config,
    ...(config.livekit ? { livekit: createLiveKitClient(config.livekit) } : {}),
    twilio: (credentials, clientLog = log) =>
      createTwilioClient(credentials, {
        apiBaseUrl: stack.twilio_api_base_url,
        trunkingBaseUrl: stack.twilio_trunking_base_url,
        baseDelayMs: 20,
        log: clientLog,
      }),
    log,
  };
}

/** A new user with a Twilio account of their own in the emulator, connected by the service itself. */
export async function customerProvisionedDirectly() {
  const user = await newUser();
  const account = await emulator.createAccount();
  await createMainTrunkForUser(testServiceContext(), {
    userId: user.userId,
    accountSid: account.sid,
    authToken: account.authToken,
  });
  return { user, account };
}
