/**
 * The trunk settings LiveKit needs from Twilio (twilio-api-facts.md): call transfer on (LiveKit's cold transfer
 * is a SIP REFER), secure trunking exactly when the LiveKit side uses TLS, and the account's region deciding the
 * hosts. Applied on create, checked by verify, brought back by repair.
 */
import assert from "node:assert/strict";
import { verifyTrunkExists } from "../_shared/health/verify.ts";
import { repairTrunk } from "../_shared/health/repair.ts";
import { createMainTrunkForUser } from "../_shared/provisioning/service.ts";
import { testServiceContext } from "../../../scripts/testing/service.ts";
import {
  customerWithTrunk,
  emulator,
  newUser,
  quietCredentialRow,
  stackTest,
  storedCredential,
} from "../../../scripts/testing/stack.ts";

const trunkOf = (account: { sid: string; authToken: string }, trunkSid: string) =>
  emulator.twilio(account, "GET", `/v1/Trunks/${trunkSid}`);

stackTest(
  "transfer: a new trunk has transfer on; drifted in the console, verify sees it and repair restores it",
  async () => {
    const customer = await customerWithTrunk();
    const created = await trunkOf(customer.account, customer.trunkSid);
    assert.deepEqual([created.transfer_mode, created.transfer_caller_id, created.secure], [
      "enable-all",
      "from-transferee",
      false,
    ]);
    await emulator.twilio(customer.account, "POST", `/v1/Trunks/${customer.trunkSid}`, {
      TransferMode: "disable-all",
    });
    const ctx = testServiceContext();
    const drifted = await verifyTrunkExists(ctx, { userId: customer.user.userId });
    assert.equal(drifted.status, "degraded");
    assert.deepEqual(drifted.checks.filter((c) => !c.ok).map((c) => c.name), ["transfer"]);
    const repaired = await repairTrunk(ctx, { userId: customer.user.userId });
    assert.deepEqual(repaired.repaired, ["transfer"]);
    assert.equal(repaired.after.status, "verified");
    assert.equal((await trunkOf(customer.account, customer.trunkSid)).transfer_mode, "enable-all");
  },
);

stackTest(
  "secure trunking: with TLS on the LiveKit side the trunk is Secure; verify checks it (critical)",
  async () => {
    const tls = testServiceContext({
      livekitSipUri: "sip:tls-project.sip.livekit.cloud;transport=tls",
      livekitSipUriFallback: undefined,
      outboundTransport: "tls",
      secure: true,
    });
    const user = await newUser();
    const account = await emulator.createAccount();
    await quietCredentialRow(user.userId, account);
    const result = await createMainTrunkForUser(tls, {
      userId: user.userId,
      accountSid: account.sid,
      authToken: account.authToken,
    });
    assert.equal((await trunkOf(account, result.trunkSid)).secure, true);
    assert.equal((await verifyTrunkExists(tls, { userId: user.userId })).status, "verified");
    await emulator.twilio(account, "POST", `/v1/Trunks/${result.trunkSid}`, { Secure: "false" });
    const report = await verifyTrunkExists(tls, { userId: user.userId });
    assert.equal(report.status, "broken", "a plain trunk behind LiveKit's SRTP drops calls (32207)");
    assert.deepEqual(report.checks.filter((c) => !c.ok).map((c) => c.name), ["secure_trunking"]);
  },
);

stackTest(
  "regions: an IE1 account works with region ie1; US1 credentials there are refused, with the reason",
  async () => {
    const ie1 = await emulator.createAccount({ region: "ie1" });
    const user = await newUser();
    const ctx = testServiceContext();
    const input = { userId: user.userId, accountSid: ie1.sid, authToken: ie1.authToken };
    const atUs1 = await createMainTrunkForUser(ctx, input).then(() => undefined, (error) => error);
    assert.equal(atUs1?.code, "twilio_auth_failed", "an IE1 account's credentials fail on US1 hosts (20003)");

    const result = await createMainTrunkForUser(ctx, { ...input, region: "ie1" });
    assert.match(result.domainName, /\.pstn\.twilio\.com$/);
    assert.equal((await storedCredential({ userId: user.userId })).twilio_region, "ie1");
    assert.equal((await verifyTrunkExists(ctx, { userId: user.userId })).status, "verified");

    const us1 = await emulator.createAccount();
    const other = await newUser();
    const refused = await createMainTrunkForUser(ctx, {
      userId: other.userId,
      accountSid: us1.sid,
      authToken: us1.authToken,
      region: "ie1",
    }).then(() => undefined, (error) => error);
    assert.equal(refused?.status, 422);
    assert.match(refused?.message, /region IE1/);
  },
);
