/**
 * Installations migrating from the old service: rows it provisioned (plaintext secrets, no status, SIDs for the
 * trunk and list but not for the credential or origination URL) are taken over by the first get-sip-config call:
 * what exists is found and recorded, nothing is duplicated, the secrets get encrypted, the password keeps working.
 */
import assert from "node:assert/strict";
import { emulator, serviceClient, stackTest, storedCredential } from "../../../scripts/testing/stack.ts";
import { invoke } from "../../../scripts/testing/functions.ts";
import { legacyCustomer } from "../../../scripts/testing/legacy.ts";
import { ServiceSipConfig } from "../_shared/contract/index.ts";

stackTest(
  "takeover: a row the old service provisioned is adopted by get-sip-config without duplicates",
  async () => {
    const { user, account, prefix, trunk, username, password, credential, origination } =
      await legacyCustomer();

    const data = await invoke(serviceClient(), "get-sip-config", {
      query: { userId: user.userId },
      answer: ServiceSipConfig,
    });
    assert.equal(data.trunkSid, trunk.sid);
    assert.equal(data.livekit.address, `${prefix}.pstn.twilio.com`);
    assert.equal(data.livekit.authUsername, username);
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
