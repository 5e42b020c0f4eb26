/**
 * The caller's Twilio account as the numbers and recordings services use it: their active credential row and a
 * Twilio client on its (decrypted) auth token. No active row is a 404 (`credentials_not_found`).
 *
 * ```ts
 * const { row, twilio } = await customerAccount(ctx, userId, { provision: true });
 * const trunkSid = mainTrunkSid(row);
 * ```
 */
import { type CredentialRow, findActiveCredential } from "../db/credentials.ts";
import { ApiError } from "../http/errors.ts";
import { provisionCredential } from "../provisioning/provision.ts";
import { isProvisioned } from "../provisioning/row-state.ts";
import { noCredentials, provisioningError } from "../provisioning/service.ts";
import { readAuthToken, sealPlaintextSecrets } from "../provisioning/stored-secrets.ts";
import type { TwilioClient } from "../twilio/types.ts";
import type { ServiceContext } from "../service-context.ts";

export interface CustomerAccount {
  row: CredentialRow;
  twilio: TwilioClient;
}

export interface CustomerAccountOptions {
  /**
   * Provision the active row first when it is not (an installation migrating from the old system), exactly as
   * get-sip-config does. Used by the operations that change the trunk; reads never provision.
   */
  provision?: boolean;
}

export async function customerAccount(
  ctx: ServiceContext,
  userId: string,
  options: CustomerAccountOptions = {},
): Promise<CustomerAccount> {
  let row = await findActiveCredential(ctx.sql, userId);
  if (!row) throw noCredentials();
  if (options.provision && !isProvisioned(row, ctx.config)) {
    const outcome = await provisionCredential(ctx, row.id, { wait: true, retryFailed: true });
    if (outcome.kind === "failed") throw provisioningError(outcome.row);
    if (outcome.kind !== "active") throw noCredentials();
    row = outcome.row;
  }
  // A token another system wrote in plaintext is sealed the first time we touch the row, reads included.
  row = await sealPlaintextSecrets(ctx.sql, ctx.secrets, row);
  const authToken = await readAuthToken(ctx.secrets, row);
  return { row, twilio: ctx.twilio({ accountSid: row.accountSid, authToken, region: row.twilioRegion }) };
}

/** The row's main trunk, or 409 `trunk_not_ready` when it has none yet. */
export function mainTrunkSid(row: Pick<CredentialRow, "trunkSid">): string {
  if (!row.trunkSid) {
    throw new ApiError(
      "trunk_not_ready",
      "The main trunk is not provisioned yet; call create-main-trunk first",
    );
  }
  return row.trunkSid;
}
