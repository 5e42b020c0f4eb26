/**
 * Installations migrating from the old service: rows it provisioned (plaintext secrets, no status, SIDs for the
 * trunk and list but not for the credential or origination URL) are taken over by the first get-sip-config call:
 * what exists is found and recorded, nothing is duplicated, the secrets get encrypted, the password keeps working.
 */
import assert from "node:assert/strict";
import {
  db,
  emulator,
  type EmulatorAccount,
  newUser,
  serviceClient,
  stackInfo,
  stackTest,
  storedCredential,
} from "../../../scripts/testing/stack.ts";
import { invoke } from "../../../scripts/testing/functions.ts";
import { ServiceSipConfig } from "../_shared/contract/index.ts";

/** What the old Express service left behind in Twilio: trunk, list, credential and origination URL. */
async function legacyTwilioSetup(account: EmulatorAccount, userId: string) {
  const twilio = (path: string, form: Record<string, string>) => emulator.twilio(account, "POST", path, form);
  const prefix = `user-${userId}-1700000000000`;
  const trunk = await twilio("/v1/Trunks", {
    FriendlyName: "legacy trunk",
    DomainName: `${prefix}.pstn.twilio.com`,
  });
  const list = await twilio(`/2010-04-01/Accounts/${account.sid}/SIP/CredentialLists.json`, {
    FriendlyName: "legacy",
  });
  const password = "LegacyPassw0rd2024";
  const credential = await twilio(
    `/2010-04-01/Accounts/${account.sid}/SIP/CredentialLists/${list.sid}/Credentials.json`,
    {
      Username: "legacy-user",
      Password: password,
    },
  );
  await twilio(`/v1/Trunks/${trunk.sid}/CredentialLists`, { CredentialListSid: list.sid });
  const livekit = stackInfo().function_secrets.LIVEKIT_SIP_URI;
  const origination = await twilio(`/v1/Trunks/${trunk.sid}/OriginationUrls`, {
    SipUrl: livekit,
    Priority: "1",
    Weight: "1",
    Enabled: "true",
    FriendlyName: "legacy",
  });
  return { prefix, trunk, list, password, credential, origination };
}

stackTest(
  "takeover: a row the old service provisioned is adopted by get-sip-config without duplicates",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    const { prefix, trunk, list, password, credential, origination } = await legacyTwilioSetup(
      account,
      user.userId,
    );
    // The old service's row, written before the webhook existed (so without it).
    await db().begin(async (tx) => {
      await tx`alter table public.user_twilio_credentials disable trigger twilio_credentials_webhook`;
      await tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, trunk_sid, domain_name,
        domain_prefix, credential_list_sid, sip_username, sip_password)
      values (${user.userId}, ${account.sid}, ${account.authToken}, ${trunk.sid}, ${`${prefix}.pstn.twilio.com`},
        ${prefix}, ${list.sid}, 'legacy-user', ${password})`;
      await tx`alter table public.user_twilio_credentials enable trigger twilio_credentials_webhook`;
    });

    const data = await invoke(serviceClient(), "get-sip-config", {
      query: { userId: user.userId },
      answer: ServiceSipConfig,
    });
    assert.equal(data.trunkSid, trunk.sid);
    assert.equal(data.livekit.address, `${prefix}.pstn.twilio.com`);
    assert.equal(data.livekit.authUsername, "legacy-user");
    assert.equal(data.livekit.authPassword, password, "the password LiveKit already uses keeps working");

    const state = await emulator.state(account.sid);
    assert.equal(state.trunks.length, 1, "no second trunk");
    assert.equal(state.credential_lists.length, 1, "no second list");
    assert.deepEqual(state.credential_lists[0].credentials.map((c) => c.sid), [credential.sid]);
    assert.deepEqual(
      state.trunks[0].origination_urls.map((url) => url.priority).sort(),
      [1, 2],
      "the existing URL is kept and only the fallback is added",
    );
    const row = await storedCredential({ userId: user.userId });
    assert.equal(row.status, "active");
    assert.equal(row.credential_sid, credential.sid);
    assert.equal(row.origination_url_sid, origination.sid);
    assert.match(row.auth_token, /^enc:v1:/);
    assert.match(row.sip_password, /^enc:v1:/);
  },
);
