/**
 * A failure never takes a working setup down: takeovers of rows the old service left never delete the customer's
 * resources and resume after a fault; a working row keeps being served while a part it lacks is refused; a deleted
 * row's teardown finishes without the webhook (the sweeper, `deno task sweep`, the pg_cron job); deleting a user
 * restores their numbers; a changed LIVEKIT_SIP_URI replaces our origination URLs instead of adding beside them;
 * everything works on a pool of one connection.
 */
import assert from "node:assert/strict";
import { createPool } from "../_shared/db/client.ts";
import { verifyTrunkExists } from "../_shared/health/verify.ts";
import { ApiError } from "../_shared/http/errors.ts";
import { createMainTrunkForUser, getSipConfigForLiveKit } from "../_shared/provisioning/service.ts";
import { sweep } from "../_shared/provisioning/sweep.ts";
import { repoRoot, run } from "../../../scripts/local/process.ts";
import { type LegacyCustomer, legacyCustomer } from "../../../scripts/testing/legacy.ts";
import { customerProvisionedDirectly, testServiceContext } from "../../../scripts/testing/service.ts";
import {
  customerWithTrunk,
  db,
  emulator,
  functionUrl,
  newUser,
  quietCredentialRow,
  stackInfo,
  stackTest,
  storedCredential,
  uniquePhoneNumber,
  waitFor,
  withoutWebhook,
} from "../../../scripts/testing/stack.ts";
import { callFunction, invoke } from "../../../scripts/testing/functions.ts";
import { secretContext } from "../_shared/crypto/secrets.ts";

const SID = "[0-9a-f]{32}";

/** The legacy resources are all still there, untouched (recording included). */
async function assertLegacyIntact(legacy: LegacyCustomer, message: string) {
  const state = await emulator.state(legacy.account.sid);
  const trunk = state.trunks.find((t) => t.sid === legacy.trunk.sid);
  assert.ok(trunk, `${message}: the trunk is there`);
  assert.deepEqual(
    trunk.recording,
    { mode: "record-from-answer", trim: "trim-silence" },
    `${message}: recording`,
  );
  assert.ok(trunk.origination_urls.some((url) => url.sid === legacy.origination.sid), `${message}: routing`);
  assert.deepEqual(trunk.credential_lists, [legacy.list.sid], `${message}: association`);
  const list = state.credential_lists.find((l) => l.sid === legacy.list.sid);
  assert.deepEqual(list?.credentials.map((c) => c.sid), [legacy.credential.sid], `${message}: credential`);
  assert.equal(state.trunks.length, 1, `${message}: no second trunk`);
}

async function sipConfig(ctx: ReturnType<typeof testServiceContext>, userId: string) {
  try {
    return { config: await getSipConfigForLiveKit(ctx, { userId, includePassword: true }) };
  } catch (error) {
    if (error instanceof ApiError) return { error };
    throw error;
  }
}

/** Every Twilio request a takeover makes, by path: a fault on each in turn. */
const TAKEOVER_PATHS = [
  `^/v1/Trunks/TK${SID}$`,
  `/SIP/CredentialLists/CL${SID}/Credentials`,
  `^/v1/Trunks/TK${SID}/CredentialLists$`,
  `^/v1/Trunks/TK${SID}/OriginationUrls`,
];

for (const fault of [{ status: 503, code: 20503, times: 10 }, { status: 400, code: 21245, times: 10 }]) {
  stackTest(
    `takeover: a ${fault.status} at every step deletes nothing of the customer's; the row resumes later`,
    async () => {
      for (const path of TAKEOVER_PATHS) {
        const legacy = await legacyCustomer({ recording: true });
        const ctx = testServiceContext();
        await emulator.fault({ accountSid: legacy.account.sid, path, ...fault });
        const first = await sipConfig(ctx, legacy.user.userId);
        await assertLegacyIntact(legacy, `after a ${fault.status} on ${path}`);
        // The working configuration the old service set up keeps being served.
        assert.equal(
          first.config?.trunkSid,
          legacy.trunk.sid,
          `${path}: ${JSON.stringify(first.error?.toBody())}`,
        );
        assert.equal(first.config?.sipPassword, legacy.password);
        const row = await storedCredential({ userId: legacy.user.userId });
        assert.notEqual(row.status, "failed", `${path}: a working row is never marked failed`);

        await emulator.clearFaults();
        await db()`update public.user_twilio_credentials set next_attempt_at = now() where id = ${row.id}`;
        await sweep(ctx, { userIds: [legacy.user.userId] });
        const after = await storedCredential({ userId: legacy.user.userId });
        assert.equal(after.status, "active", path);
        assert.deepEqual(after.degraded, {}, `${path}: the takeover completed`);
        await assertLegacyIntact(legacy, `after the takeover (${path})`);
        assert.deepEqual([after.recording_mode, after.recording_trim], [
          "record-from-answer",
          "trim-silence",
        ]);
        assert.equal(after.owned_resources.trunk, undefined, "the adopted trunk is not ours");
      }
    },
  );
}

stackTest(
  "takeover: a trunk routing elsewhere keeps its routing; the part is recorded degraded, not overwritten",
  async () => {
    const legacy = await legacyCustomer({
      originationUri: "sip:old-host.example.com;transport=tcp",
      recording: true,
    });
    const ctx = testServiceContext();
    const { config } = await sipConfig(ctx, legacy.user.userId);
    assert.equal(config?.trunkSid, legacy.trunk.sid);
    assert.ok(config?.degraded.includes("origination_url"), JSON.stringify(config?.degraded));
    const trunk = (await emulator.state(legacy.account.sid)).trunks[0];
    assert.deepEqual(trunk.origination_urls.map((url) => url.sip_url), [
      "sip:old-host.example.com;transport=tcp",
    ]);
  },
);

stackTest(
  "degraded: LIVEKIT_SIP_URI_FALLBACK added to a running deployment and refused by Twilio: still served, health degraded",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    await quietCredentialRow(user.userId, account);
    const before = testServiceContext({ livekitSipUriFallback: undefined });
    await createMainTrunkForUser(before, {
      userId: user.userId,
      accountSid: account.sid,
      authToken: account.authToken,
    });

    const after = testServiceContext({ livekitSipUriFallback: "sip:new-fallback.example.com;transport=tcp" });
    await emulator.fault({
      accountSid: account.sid,
      method: "POST",
      path: `^/v1/Trunks/TK${SID}/OriginationUrls$`,
      status: 400,
      code: 21245,
      times: 100,
    });
    for (let call = 0; call < 3; call++) {
      const { config, error } = await sipConfig(after, user.userId);
      assert.ok(config, `call ${call}: ${JSON.stringify(error?.toBody())}`);
      assert.match(config.livekit.address, /\.pstn\.twilio\.com$/);
    }
    await waitFor(
      async () => !!(await storedCredential({ userId: user.userId })).degraded.fallback_origination_url,
      "degraded",
    );
    const row = await storedCredential({ userId: user.userId });
    assert.equal(row.status, "active");
    assert.ok(row.next_attempt_at > new Date(), "retried later, not on every call");
    const report = await verifyTrunkExists(after, { userId: user.userId });
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.filter((c) => !c.ok).map((c) => c.name), ["fallback_origination_url"]);
    assert.equal(report.recordedFailures.fallback_origination_url.code, 21245);
    await emulator.clearFaults();
  },
);

stackTest(
  "origination: a changed LIVEKIT_SIP_URI is applied to our URL in place by the sweeper",
  async () => {
    const { user, account } = await customerProvisionedDirectly();
    const before = (await emulator.state(account.sid)).trunks[0].origination_urls;
    const moved = testServiceContext({ livekitSipUri: "sip:moved.sip.livekit.cloud;transport=tcp" });
    await db()`update public.user_twilio_credentials set next_attempt_at = null where user_id = ${user.userId}`;
    // The webhook's delivery for the new row may hold it for a moment: the sweep passes a busy row by, and the
    // next sweep (a minute later in production) takes it.
    const primaryUri = async () =>
      (await emulator.state(account.sid)).trunks[0].origination_urls.find((url) => url.priority === 1)
        ?.sip_url;
    let lastSweep: unknown;
    await waitFor(async () => {
      lastSweep = await sweep(moved, { userIds: [user.userId] });
      return await primaryUri() === "sip:moved.sip.livekit.cloud;transport=tcp";
    }, "a sweep applied the new URI").catch(async (error) => {
      // What the last sweep did and where the row stands: the reason a run that never applies it gives up.
      const { status, degraded, next_attempt_at, last_error_message, origination_sip_uri } =
        await storedCredential({ userId: user.userId });
      const state = { lastSweep, status, degraded, next_attempt_at, last_error_message, origination_sip_uri };
      throw new Error(`${error.message}: ${JSON.stringify(state)}`);
    });
    const after = (await emulator.state(account.sid)).trunks[0].origination_urls;
    assert.equal(after.length, before.length, "replaced, not added beside");
    const primary = after.find((url) => url.priority === 1)!;
    assert.equal(
      primary.sid,
      before.find((url) => url.priority === 1)!.sid,
      "same origination URL, same SID",
    );
    assert.equal(primary.sip_url, "sip:moved.sip.livekit.cloud;transport=tcp");
    const row = await storedCredential({ userId: user.userId });
    assert.equal(row.origination_sip_uri, "sip:moved.sip.livekit.cloud;transport=tcp");
  },
);

/** A customer with a trunk and one attached number whose voice URL must come back. */
async function customerWithNumber() {
  const customer = await customerWithTrunk();
  const number = await emulator.addNumber(
    customer.account.sid,
    uniquePhoneNumber(),
    {
      voiceUrl: "https://example.test/before",
      voiceMethod: "GET",
    },
  );
  await invoke(customer.user.supabase, "attach-phone", {
    method: "POST",
    body: { phoneNumberSid: number.sid },
  });
  const row = await storedCredential({ userId: customer.user.userId });
  return { ...customer, number, row };
}

async function teardownDone(credentialId: string): Promise<boolean> {
  const [teardown] =
    await db()`select done_at from public.twilio_teardowns where credential_id = ${credentialId}`;
  return !!teardown?.done_at;
}

async function assertTornDown(customer: Awaited<ReturnType<typeof customerWithNumber>>) {
  const state = await emulator.state(customer.account.sid);
  assert.equal(state.trunks.length, 0, "no trunk left");
  assert.equal(state.credential_lists.length, 0, "no credential list left");
  const number = state.incoming_phone_numbers.find((n) => n.sid === customer.number.sid)!;
  assert.deepEqual([number.trunk_sid, number.voice_url, number.voice_method], [
    null,
    "https://example.test/before",
    "GET",
  ]);
  const [teardown] = await db()`select done_at, last_error from public.twilio_teardowns
    where credential_id = ${customer.row.id}`;
  assert.ok(teardown.done_at, "the teardown is done");
  assert.equal(teardown.last_error, null);
  const secrets =
    await db()`select 1 from public.twilio_credential_secrets where credential_id = ${customer.row.id}`;
  assert.equal(secrets.length, 0, "no secret is kept past the teardown");
  const [event] = await db()`select detail from public.provisioning_events
    where credential_id = ${customer.row.id} and step = 'deprovision' and outcome = 'succeeded'`;
  assert.deepEqual(
    [...event.detail.deleted].sort(),
    [customer.row.trunk_sid, customer.row.credential_list_sid].sort(),
    "the trail names what was deleted",
  );
}

stackTest(
  "teardown: a row deleted while the webhook is unreachable is finished by `deno task sweep`",
  async () => {
    const customer = await customerWithNumber();
    await withoutWebhook((tx) =>
      tx`delete from public.user_twilio_credentials where id = ${customer.row.id}`
    );
    assert.equal((await emulator.state(customer.account.sid)).trunks.length, 1, "nothing happened yet");

    const stack = stackInfo();
    const args = ["run", "-A", `${repoRoot}/scripts/sweep.ts`, "--json", "--user-id", customer.user.userId];
    const result = await run(Deno.execPath(), args, {
      env: {
        SUPABASE_DB_URL: stack.db_url,
        TWILIO_API_BASE_URL: stack.twilio_api_base_url,
        TWILIO_TRUNKING_BASE_URL: stack.twilio_trunking_base_url,
        ...stack.function_secrets,
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(JSON.parse(result.stdout).teardowns.deprovisioned >= 1, result.stdout);
    await assertTornDown(customer);
  },
);

stackTest(
  "teardown: the pg_cron job the migration schedules sweeps through the webhook function",
  async () => {
    const customer = await customerWithNumber();
    await withoutWebhook((tx) =>
      tx`delete from public.user_twilio_credentials where id = ${customer.row.id}`
    );
    const [job] = await db()`select schedule, command from cron.job where jobname = 'twilio-sip-sweep'`;
    assert.equal(job.schedule, "* * * * *");
    await db().unsafe(job.command);
    await waitFor(() => teardownDone(customer.row.id), "the swept teardown");
    await assertTornDown(customer);
  },
);

stackTest(
  "teardown: deleting an auth user restores their numbers and removes our trunk; no 500",
  async () => {
    const customer = await customerWithNumber();
    await db()`delete from auth.users where id = ${customer.user.userId}`;
    await waitFor(() => teardownDone(customer.row.id), "the user's teardown");
    await assertTornDown(customer);
    const [event] = await db()`select outcome from public.provisioning_events
    where credential_id = ${customer.row.id} and step = 'deprovision' order by id desc limit 1`;
    assert.equal(event.outcome, "succeeded", "the trail outlives the user");
    const errors = await db()`select status_code from net._http_response
    where status_code >= 500 and content like ${`%${customer.row.id}%`}`;
    assert.equal(errors.length, 0, "no delivery answered with a 5xx");
  },
);

stackTest("teardown: what the row adopted is left in place; only what we created goes", async () => {
  const legacy = await legacyCustomer({ recording: true });
  const ctx = testServiceContext();
  assert.ok((await sipConfig(ctx, legacy.user.userId)).config);
  const row = await storedCredential({ userId: legacy.user.userId });
  await withoutWebhook((tx) => tx`delete from public.user_twilio_credentials where id = ${row.id}`);
  await sweep(ctx, { userIds: [legacy.user.userId] });
  const state = await emulator.state(legacy.account.sid);
  assert.deepEqual(state.trunks.map((t) => t.sid), [legacy.trunk.sid], "the adopted trunk stays");
  assert.deepEqual(state.credential_lists.map((l) => l.sid), [legacy.list.sid], "the adopted list stays");
  const [event] = await db()`select detail from public.provisioning_events
    where credential_id = ${row.id} and step = 'deprovision' order by id desc limit 1`;
  assert.deepEqual(event.detail.leftInPlace.sort(), [legacy.trunk.sid, legacy.list.sid].sort());
});

stackTest(
  "repair: 1,000 numbers re-attached to a new trunk under a per-account concurrency limit",
  async () => {
    const customer = await customerWithTrunk();
    const numbers = await Promise.all(
      Array.from(
        { length: 1000 },
        () => emulator.addNumber(customer.account.sid, uniquePhoneNumber()),
      ),
    );
    const attached = await invoke(customer.user.supabase, "attach-phone", {
      method: "POST",
      body: { phoneNumbers: numbers.map((n) => n.sid) },
    });
    assert.equal(attached.counts.attached, 1000);
    await emulator.twilio(customer.account, "DELETE", `/v1/Trunks/${customer.trunkSid}`);
    await emulator.config({ maxConcurrentPerAccount: 4 });
    try {
      const data = await invoke(customer.user.supabase, "get-sip-config", {
        method: "POST",
        body: { repair: true },
      });
      assert.equal(data.after.status, "verified", JSON.stringify(data.after.checks));
      const trunk = (await emulator.state(customer.account.sid)).trunks[0];
      assert.notEqual(trunk.sid, customer.trunkSid);
      assert.equal(trunk.phone_numbers.length, 1000, "every number is back on the new trunk");
    } finally {
      await emulator.config({ maxConcurrentPerAccount: null });
    }
  },
);

stackTest(
  "pool of one connection: concurrent provisioning, attach, repair and teardown all finish",
  async () => {
    const stack = stackInfo();
    const sql = createPool(stack.db_url, 1);
    try {
      const ctx = { ...testServiceContext(), sql };
      const customers = await Promise.all(Array.from({ length: 4 }, async () => {
        const user = await newUser();
        const account = await emulator.createAccount();
        return { user, account };
      }));
      // Four users at once, and the first one four times at once: one connection, no deadlock.
      const results = await Promise.all([
        ...customers.map(({ user, account }) =>
          createMainTrunkForUser(ctx, {
            userId: user.userId,
            accountSid: account.sid,
            authToken: account.authToken,
          })
        ),
        ...Array.from({ length: 3 }, () =>
          createMainTrunkForUser(ctx, {
            userId: customers[0].user.userId,
            accountSid: customers[0].account.sid,
            authToken: customers[0].account.authToken,
          })),
      ]);
      assert.equal(new Set(results.slice(4).map((r) => r.trunkSid).concat(results[0].trunkSid)).size, 1);
      const { attachPhoneToMainTrunk } = await import("../_shared/numbers/attach.ts");
      const number = await emulator.addNumber(customers[1].account.sid, uniquePhoneNumber());
      const attach = await attachPhoneToMainTrunk(ctx, {
        userId: customers[1].user.userId,
        numbers: [number.sid],
      });
      assert.equal(attach.counts.attached, 1);
      const row = await storedCredential({ userId: customers[1].user.userId });
      await withoutWebhook((tx) => tx`delete from public.user_twilio_credentials where id = ${row.id}`);
      const summary = await sweep(ctx, { userIds: [customers[1].user.userId] });
      assert.ok((summary.teardowns.deprovisioned ?? 0) >= 1);
      assert.equal((await emulator.state(customers[1].account.sid)).trunks.length, 0);
    } finally {
      await sql.end();
    }
  },
);

stackTest(
  "activation: two accounts connected at once for one user: one wins, the other is a 409",
  async () => {
    const user = await newUser();
    const accounts = [await emulator.createAccount(), await emulator.createAccount()];
    const results = await Promise.all(
      accounts.map((account) =>
        callFunction(user.supabase, "create-main-trunk", {
          method: "POST",
          body: { accountSid: account.sid, authToken: account.authToken },
        })
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.ok(statuses.includes(200), JSON.stringify(statuses));
    for (const status of statuses) assert.ok(status === 200 || status === 409, `no 500: ${statuses}`);
    const active = await db()`select count(*)::int as n from public.user_twilio_credentials
    where user_id = ${user.userId} and is_active`;
    assert.equal(active[0].n, 1);
  },
);

stackTest(
  "activation: another row made active as create-main-trunk's run finishes: the run stands, the request switches rows",
  async () => {
    const user = await newUser();
    const [mine, other] = [await emulator.createAccount(), await emulator.createAccount()];
    const ctx = testServiceContext();
    const sealed = await ctx.secrets.encrypt(other.authToken, secretContext("auth_token", user.userId));
    const otherRow = await quietCredentialRow(user.userId, { sid: other.sid, authToken: sealed });
    // Another activation of the user's other row: its statement done, its transaction not yet committed.
    const { promise: released, resolve: commit } = Promise.withResolvers<void>();
    const activating = db().begin(async (tx) => {
      await tx`update public.user_twilio_credentials set is_active = true where id = ${otherRow}`;
      await released;
    });
    const created = createMainTrunkForUser(ctx, {
      userId: user.userId,
      accountSid: mine.sid,
      authToken: mine.authToken,
    });
    // The run's finishing write saw no active row, so it activates its own and waits on the other's index entry.
    await waitFor(
      async () =>
        (await db()`select 1 from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%is_active = is_active or not exists%'`).length ===
          1,
      "the finishing write to wait for the other activation",
    );
    commit();
    await activating;
    const result = await created;
    assert.equal(result.status, "active");
    const rows = await db()`select account_sid, is_active, status from public.user_twilio_credentials
      where user_id = ${user.userId} order by is_active desc`;
    assert.deepEqual(rows.map((row) => [row.account_sid, row.is_active]), [[mine.sid, true], [
      other.sid,
      false,
    ]]);
    assert.equal(rows[0].status, "active", "written inactive, then switched to by the request");
    const state = await emulator.state(mine.sid);
    assert.deepEqual(
      state.trunks.map((trunk) => trunk.sid),
      [result.trunkSid],
      "nothing was undone in Twilio",
    );
  },
);

stackTest("bodies: a streamed body over the cap is a 413 from the function", async () => {
  const user = await newUser();
  const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= 64) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const res = await fetch(functionUrl("create-main-trunk"), {
    method: "POST",
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json" },
    body,
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, "body_too_large");
});
