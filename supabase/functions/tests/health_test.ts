/**
 * Verify and repair, through get-sip-config as an app calls it: each kind of drift someone can cause in the Twilio
 * console is seen by the check, and repair brings the setup back to verified, recording each step.
 */
import assert from "node:assert/strict";
import {
  type Customer,
  customerWithTrunk,
  db,
  emulator,
  serviceClient,
  stackTest,
  uniquePhoneNumber,
} from "../../../scripts/testing/stack.ts";
import { invoke, refusal } from "../../../scripts/testing/functions.ts";
import {
  type HealthCheckName,
  HealthReport,
  LIVEKIT_CHECKS,
  ServiceSipConfig,
  TWILIO_CHECKS,
} from "../_shared/contract/index.ts";

interface AttachedCustomer extends Customer {
  numberSid: string;
  phoneNumber: string;
}

async function provisionedCustomer(): Promise<AttachedCustomer> {
  const customer = await customerWithTrunk({ recordingMode: "record-from-answer" });
  const number = await emulator.addNumber(customer.account.sid, uniquePhoneNumber(), {
    voiceUrl: "https://example.test/a",
  });
  await invoke(customer.user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumberSid: number.sid },
  });
  return { ...customer, numberSid: number.sid, phoneNumber: number.phone_number };
}

const verify = (customer: Customer) =>
  invoke(customer.user.supabase, "get-sip-config", { query: { verify: "1" }, answer: HealthReport });

const repair = (customer: Customer) =>
  invoke(customer.user.supabase, "get-sip-config", { method: "POST", body: { repair: true } });

const failing = (report: HealthReport) =>
  report.checks.filter((check) => !check.ok).map((check) => check.name);

const twilio = (c: Customer, method: string, path: string, form?: Record<string, string>) =>
  emulator.twilio(c.account, method, path, form);

const DRIFTS: {
  name: string;
  expect: { status: HealthReport["status"]; failing: HealthCheckName[] };
  drift: (customer: AttachedCustomer) => Promise<unknown>;
}[] = [
  {
    name: "trunk deleted",
    expect: { status: "broken", failing: ["trunk"] },
    drift: (c) => twilio(c, "DELETE", `/v1/Trunks/${c.trunkSid}`),
  },
  {
    name: "credential list detached",
    expect: { status: "broken", failing: ["credential_list"] },
    drift: async (c) => {
      const [row] = await db()`select credential_list_sid from public.user_twilio_credentials
        where user_id = ${c.user.userId}`;
      await twilio(c, "DELETE", `/v1/Trunks/${c.trunkSid}/CredentialLists/${row.credential_list_sid}`);
    },
  },
  {
    name: "credential list deleted",
    expect: { status: "broken", failing: ["credential_list", "credential"] },
    drift: async (c) => {
      const [row] = await db()`select credential_list_sid from public.user_twilio_credentials
        where user_id = ${c.user.userId}`;
      await twilio(c, "DELETE", `/v1/Trunks/${c.trunkSid}/CredentialLists/${row.credential_list_sid}`);
      await twilio(
        c,
        "DELETE",
        `/2010-04-01/Accounts/${c.account.sid}/SIP/CredentialLists/${row.credential_list_sid}.json`,
      );
    },
  },
  {
    name: "origination URL removed",
    expect: { status: "degraded", failing: ["origination_url"] },
    drift: async (c) => {
      const [row] = await db()`select origination_url_sid from public.user_twilio_credentials
        where user_id = ${c.user.userId}`;
      await twilio(c, "DELETE", `/v1/Trunks/${c.trunkSid}/OriginationUrls/${row.origination_url_sid}`);
    },
  },
  {
    name: "number moved to another trunk",
    expect: { status: "degraded", failing: ["numbers"] },
    drift: async (c) => {
      // Off the main trunk first: whether Twilio would move it directly is undocumented (the emulator refuses).
      const other = await twilio(c, "POST", "/v1/Trunks", { FriendlyName: "someone else's" });
      await twilio(c, "DELETE", `/v1/Trunks/${c.trunkSid}/PhoneNumbers/${c.numberSid}`);
      await twilio(c, "POST", `/v1/Trunks/${other.sid}/PhoneNumbers`, { PhoneNumberSid: c.numberSid });
    },
  },
  {
    name: "recording changed in the console",
    expect: { status: "degraded", failing: ["recording"] },
    drift: (c) => twilio(c, "POST", `/v1/Trunks/${c.trunkSid}/Recording`, { Mode: "do-not-record" }),
  },
];

stackTest("health: a freshly provisioned setup is verified on every check", async () => {
  const customer = await provisionedCustomer();
  const report = await verify(customer);
  assert.equal(report.status, "verified", JSON.stringify(report.checks));
  // livekit_number_agents only reports numbers with an agent of their own: there are none here.
  const expected = [...TWILIO_CHECKS, ...LIVEKIT_CHECKS].filter((name) => name !== "livekit_number_agents");
  assert.deepEqual(report.checks.map((check) => check.name), expected);
});

for (const { name, expect, drift } of DRIFTS) {
  stackTest(`health: ${name} is seen, and repair brings the setup back to verified`, async () => {
    const customer = await provisionedCustomer();
    await drift(customer);
    const report = await verify(customer);
    assert.equal(report.status, expect.status, JSON.stringify(report.checks));
    assert.deepEqual(failing(report), expect.failing);

    const result = await repair(customer);
    assert.equal(result.before.status, expect.status);
    assert.equal(result.after.status, "verified", JSON.stringify(result.after.checks));
    assert.deepEqual(result.repaired, expect.failing);
    assert.equal((await verify(customer)).status, "verified", "a fresh check agrees");

    const state = await emulator.state(customer.account.sid);
    const main = state.trunks.filter((trunk) => trunk.friendly_name === `main-trunk-${customer.user.userId}`);
    assert.equal(main.length, 1, "exactly one main trunk");
    assert.ok(main[0].phone_numbers.includes(customer.numberSid), "the number is on the main trunk");
    assert.equal(main[0].origination_urls.length, 2);
    assert.equal(main[0].recording.mode, "record-from-answer");
    const [row] = await db()`select trunk_sid, status from public.user_twilio_credentials
      where user_id = ${customer.user.userId}`;
    assert.equal(row.trunk_sid, main[0].sid, "the row records the trunk that exists");
    assert.equal(row.status, "active");
    const events =
      await db()`select step from public.provisioning_events where user_id = ${customer.user.userId}
      and step in ('repair', 'provision')`;
    assert.ok(events.some((event) => event.step === "repair"), "the repair is in the event log");
  });
}

stackTest(
  "health: a deleted trunk gets a new one, with the stored number and its voice settings intact",
  async () => {
    const customer = await provisionedCustomer();
    await twilio(customer, "DELETE", `/v1/Trunks/${customer.trunkSid}`);
    const result = await repair(customer);
    assert.notEqual(result.after.trunkSid, customer.trunkSid, "a new trunk");
    const config = await invoke(serviceClient(), "get-sip-config", {
      query: { userId: customer.user.userId },
      answer: ServiceSipConfig,
    });
    assert.equal(config.trunkSid, result.after.trunkSid);
    assert.deepEqual(config.livekit.numbers, [customer.phoneNumber]);
    const [number] = await db()`select trunk_sid, previous_voice_url from public.twilio_phone_numbers
    where phone_number_sid = ${customer.numberSid}`;
    assert.equal(number.trunk_sid, result.after.trunkSid);
    assert.equal(
      number.previous_voice_url,
      "https://example.test/a",
      "the settings from before the first attach",
    );
  },
);

stackTest("health: rejected credentials are broken and repair changes nothing", async () => {
  const customer = await provisionedCustomer();
  await emulator.admin("POST", `/accounts/${customer.account.sid}`, { authToken: "f".repeat(32) });
  const report = await verify(customer);
  assert.equal(report.status, "broken");
  assert.deepEqual(failing(report), ["credentials"]);
  const result = await repair(customer);
  assert.deepEqual(result.repaired, []);
  assert.equal(result.after.status, "broken");
});

stackTest(
  "health: repair of a verified setup is a no-op and verify needs the caller's own token",
  async () => {
    const customer = await provisionedCustomer();
    const result = await repair(customer);
    assert.deepEqual(result.repaired, []);
    assert.equal(result.after.status, "verified");
    const sneaky = await refusal(customer.user.supabase, "get-sip-config", {
      query: { verify: "1", userId: crypto.randomUUID() },
    });
    assert.equal(sneaky.status, 400, "a user cannot name another user");
    assert.equal(sneaky.error.field, "userId");
  },
);
