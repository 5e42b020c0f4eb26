/**
 * Provisioning under concurrency and crashes, end to end through the functions: many identical requests, the
 * database webhook racing a request, and a function process killed between Twilio steps.
 */
import assert from "node:assert/strict";
import {
  db,
  emulator,
  newUser,
  quietCredentialRow,
  serviceClient,
  stackInfo,
  stackTest,
  storedCredential,
  waitFor,
} from "../../../scripts/testing/stack.ts";
import { SecretBox, secretContext } from "../_shared/crypto/secrets.ts";
import { ServiceSipConfig, SipConfig } from "../_shared/contract/index.ts";
import { callFunction, invoke, refusal } from "../../../scripts/testing/functions.ts";
import { customerProvisionedDirectly, testServiceContext } from "../../../scripts/testing/service.ts";
import { loadCredential, updateCredential } from "../_shared/db/credentials.ts";
import { sealPlaintextSecrets } from "../_shared/provisioning/stored-secrets.ts";
import { provisionCredential } from "../_shared/provisioning/provision.ts";
import { deprovisionCredential } from "../_shared/provisioning/deprovision.ts";

const SID = "[0-9a-f]{32}";

const stackSecrets = () => SecretBox.fromEnv(stackInfo().function_secrets.ENCRYPTION_KEYS);

/** A user and account whose credential row is inserted directly (token encrypted as the functions do it). */
async function rowWrittenDirectly(columns: Record<string, string | number> = {}) {
  const user = await newUser();
  const account = await emulator.createAccount();
  const authToken = await stackSecrets().encrypt(account.authToken, secretContext("auth_token", user.userId));
  const row = { user_id: user.userId, account_sid: account.sid, auth_token: authToken, ...columns };
  await db()`insert into public.user_twilio_credentials ${db()(row)}`;
  return { user, account };
}

async function assertOneCompleteTrunk(accountSid: string, userId: string) {
  const state = await emulator.state(accountSid);
  assert.equal(state.trunks.length, 1, "one trunk");
  assert.equal(state.credential_lists.length, 1, "one credential list");
  assert.equal(state.credential_lists[0].credentials.length, 1, "one credential");
  assert.equal(state.trunks[0].origination_urls.length, 2, "one primary and one fallback origination URL");
  assert.deepEqual(state.trunks[0].credential_lists, [state.credential_lists[0].sid]);
  const rows = await db()`select id from public.user_twilio_credentials where user_id = ${userId}`;
  assert.equal(rows.length, 1, "one row");
  const row = await storedCredential({ id: rows[0].id });
  assert.equal(row.status, "active");
  assert.equal(row.trunk_sid, state.trunks[0].sid);
  assert.equal(row.credential_sid, state.credential_lists[0].credentials[0].sid);
  return row;
}

stackTest(
  "races: 50 concurrent create-main-trunk calls for one user make one trunk and one list",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    const body = { accountSid: account.sid, authToken: account.authToken };
    const responses = await Promise.all(
      Array.from(
        { length: 50 },
        () => callFunction(user.supabase, "create-main-trunk", { method: "POST", body }),
      ),
    );
    const failures = responses.filter((r) => r.error);
    assert.equal(failures.length, 0, JSON.stringify(failures[0]?.error));
    const trunkSids = new Set(responses.map((r) => r.data?.trunkSid));
    assert.equal(trunkSids.size, 1, "every caller got the same trunk");
    await assertOneCompleteTrunk(account.sid, user.userId);

    const again = await invoke(user.supabase, "create-main-trunk", { method: "POST", body });
    assert.equal(again.trunkSid, [...trunkSids][0], "repeating the request returns the same trunk");
  },
);

/** The leases held for a user: theirs, and those of every credential row they ever had (the event log keeps ids). */
async function leasesHeldFor(userId: string): Promise<string[]> {
  const held = await db()`select key from public.service_locks where key = ${`user:${userId}`}
    or key in (select 'provision:' || credential_id from public.provisioning_events where user_id = ${userId})`;
  return held.map((lease) => lease.key);
}

stackTest(
  "leases: none is left held after create-main-trunk provisions a new row or a known one, or refuses a token",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    const body = { accountSid: account.sid, authToken: account.authToken };
    await invoke(user.supabase, "create-main-trunk", { method: "POST", body });
    assert.deepEqual(
      await leasesHeldFor(user.userId),
      [],
      "a new row: its run's lease went with its last write",
    );

    const known = await newUser();
    const knownAccount = await emulator.createAccount();
    await quietCredentialRow(known.userId, knownAccount); // a row another system wrote, not provisioned yet
    await invoke(known.supabase, "create-main-trunk", {
      method: "POST",
      body: { accountSid: knownAccount.sid, authToken: knownAccount.authToken },
    });
    assert.deepEqual(await leasesHeldFor(known.userId), [], "a known row");

    const refused = await newUser();
    const refusedAccount = await emulator.createAccount();
    const answer = await callFunction(refused.supabase, "create-main-trunk", {
      method: "POST",
      body: { accountSid: refusedAccount.sid, authToken: "0".repeat(32) },
    });
    assert.ok(answer.error, "a wrong token is refused");
    // The refused row is deleted, and its teardown (the DELETE webhook's) takes the row's lease for a moment; a
    // lease nobody released stays in the table, expired or not, so it would never clear.
    await waitFor(
      async () => (await leasesHeldFor(refused.userId)).length === 0,
      "a refused token: no lease",
    );
  },
);

stackTest(
  "secrets: a plaintext token is sealed though a run stored its SIP password meanwhile; a replaced token is kept",
  async () => {
    const ctx = testServiceContext();
    const user = await newUser();
    const account = await emulator.createAccount();
    const rowId = await quietCredentialRow(user.userId, account); // plaintext token, no SIP password yet
    const read = (await loadCredential(ctx.sql, rowId))!;
    // A run's start (the SIP password stored) lands between the read and the seal: other column, no conflict.
    const runsPassword = await ctx.secrets.encrypt(
      "the run's password",
      secretContext("sip_password", user.userId),
    );
    await updateCredential(ctx.sql, read, { sipPassword: runsPassword });
    await sealPlaintextSecrets(ctx.sql, ctx.secrets, read);
    const stored = await storedCredential({ id: rowId });
    assert.equal(stored.sip_password, runsPassword, "the run's password stays");
    assert.equal(
      await ctx.secrets.decrypt(stored.auth_token, secretContext("auth_token", user.userId)),
      account.authToken,
      "the token is sealed",
    );

    const other = await newUser();
    const otherRowId = await quietCredentialRow(other.userId, await emulator.createAccount());
    const stale = (await loadCredential(ctx.sql, otherRowId))!;
    const newToken = await ctx.secrets.encrypt("a new token", secretContext("auth_token", other.userId));
    await updateCredential(ctx.sql, stale, { authToken: newToken }); // replaced by the customer meanwhile
    assert.equal((await sealPlaintextSecrets(ctx.sql, ctx.secrets, stale)).authToken, stale.authToken);
    assert.equal((await storedCredential({ id: otherRowId })).auth_token, newToken, "never undone");
  },
);

stackTest(
  "races: the webhook racing get-sip-config over a row another system inserted: one trunk",
  async () => {
    const user = await newUser();
    const account = await emulator.createAccount();
    // Another system writes the row, with the auth token in plaintext as the old service did.
    const [row] = await db()`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
    values (${user.userId}, ${account.sid}, ${account.authToken}) returning id`;
    const backend = serviceClient();
    const calls = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          callFunction(backend, "get-sip-config", {
            query: { userId: user.userId },
            answer: ServiceSipConfig,
          }),
      ),
    );
    assert.equal(
      calls.filter((c) => c.error).length,
      0,
      JSON.stringify(calls.find((c) => c.error)?.error),
    );
    const config = calls[0].data!;
    assert.ok(calls.every((c) => c.data?.trunkSid === config.trunkSid));
    const stored = await assertOneCompleteTrunk(account.sid, user.userId);
    assert.equal(stored.id, row.id);
    assert.match(stored.auth_token, /^enc:v1:/, "the plaintext token was encrypted");
    const secrets = stackSecrets();
    assert.equal(
      await secrets.decrypt(stored.auth_token, secretContext("auth_token", user.userId)),
      account.authToken,
    );
    assert.equal(
      config.sipPassword,
      await secrets.decrypt(stored.sip_password, secretContext("sip_password", user.userId)),
    );
    await waitFor(async () => {
      const delivered = await db()`select status_code from net._http_response r
      where r.content like ${`%"type":"INSERT"%`} and r.created > now() - interval '1 minute'`;
      return delivered.length > 0;
    }, "the webhook was delivered and answered");
  },
);

stackTest(
  "races: 20 concurrent get-sip-config calls for a never-provisioned row provision it once",
  async () => {
    const { user, account } = await rowWrittenDirectly();
    const calls = await Promise.all(
      Array.from({ length: 20 }, () => callFunction(user.supabase, "get-sip-config", { answer: SipConfig })),
    );
    assert.equal(calls.filter((c) => c.error).length, 0);
    for (const { data } of calls) {
      assert.ok(!("sipPassword" in data!), "a user never receives the SIP password");
      assert.ok(!("authPassword" in data!.livekit));
    }
    await assertOneCompleteTrunk(account.sid, user.userId);
  },
);

for (
  const crash of [
    { during: "the trunk create", path: "^/v1/Trunks$", landed: (s: State) => s.trunks.length === 1 },
    {
      during: "the credential create",
      path: `/SIP/CredentialLists/CL${SID}/Credentials\\.json$`,
      landed: (s: State) => s.credential_lists[0]?.credentials.length === 1,
    },
  ]
) {
  stackTest(
    `crash: killing the functions during ${crash.during}, then a re-run completes with no duplicates`,
    async () => {
      const user = await newUser();
      const account = await emulator.createAccount();
      const body = { accountSid: account.sid, authToken: account.authToken };
      // Twilio takes 1.5 s on this step, time enough to kill the process while the request is in flight.
      await emulator.fault({ accountSid: account.sid, method: "POST", path: crash.path, delayMs: 1500 });
      const pending = callFunction(user.supabase, "create-main-trunk", { method: "POST", body });
      await waitFor(async () => {
        const rows =
          await db()`select status from public.user_twilio_credentials where user_id = ${user.userId}`;
        return rows[0]?.status === "provisioning";
      }, "provisioning started");
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const fn of ["create-main-trunk", "twilio-credentials-webhook"]) {
        const killed = await fetch(`${stackInfo().api_url}/_local/functions/${fn}/kill`, { method: "POST" });
        await killed.body?.cancel();
      }
      const interrupted = await pending;
      assert.ok(interrupted.status >= 500, "the request died with its process");
      // The request Twilio was working on completes anyway, and its SID was never recorded.
      await waitFor(
        async () => crash.landed(await emulator.state(account.sid)),
        "the in-flight create landed",
      );
      const [halfway] =
        await db()`select status from public.user_twilio_credentials where user_id = ${user.userId}`;
      assert.equal(halfway.status, "provisioning", "the row shows the run died mid-way");

      const rerun = await invoke(user.supabase, "create-main-trunk", { method: "POST", body });
      const row = await assertOneCompleteTrunk(account.sid, user.userId);
      assert.equal(rerun.trunkSid, row.trunk_sid);
    },
  );
}

type State = Awaited<ReturnType<typeof emulator.state>>;

stackTest(
  "get-sip-config answers a failed row with its failure and does not retry it on every call",
  async () => {
    const { account, user } = await rowWrittenDirectly({
      status: "failed",
      last_error_code: 21239,
      last_error_message: "Maximum credential lists reached",
    });
    for (let call = 0; call < 3; call++) {
      const { status, error } = await refusal(user.supabase, "get-sip-config");
      assert.equal(status, 502);
      assert.equal(error.code, "provisioning_failed");
      assert.equal(error.twilioCode, 21239);
    }
    const state = await emulator.state(account.sid);
    assert.equal(state.trunks.length + state.credential_lists.length, 0, "no Twilio request was made");
  },
);

stackTest(
  "ownership: claims saved by one run's concurrent steps all land, whatever order PostgreSQL applies them",
  async () => {
    const { user } = await rowWrittenDirectly();
    // The webhook provisions the row; the claims below come after its run.
    await waitFor(
      async () => (await storedCredential({ userId: user.userId })).status === "active",
      "provisioned",
    );
    const before = await storedCredential({ userId: user.userId });
    const target = { id: before.id as string, userId: user.userId };
    // The later step's save applied first, then the earlier one's: a whole-object write would drop the later claim.
    await updateCredential(db(), target, { claimOwnership: { originationUrl: "run-x" } });
    await updateCredential(db(), target, { claimOwnership: { credential: "run-x" } });
    const stored = await storedCredential({ id: target.id });
    assert.deepEqual(stored.owned_resources, {
      ...before.owned_resources,
      originationUrl: "run-x",
      credential: "run-x",
    });
  },
);

stackTest(
  "ownership: every resource a run creates is recorded as the run's, for many runs at once",
  async () => {
    const customers = await Promise.all(
      Array.from({ length: 8 }, async () => (await customerProvisionedDirectly()).user),
    );
    const created = ["trunk", "credentialList", "credential", "originationUrl", "fallbackOriginationUrl"];
    for (const user of customers) {
      const stored = await storedCredential({ userId: user.userId });
      const runs = new Set(Object.values(stored.owned_resources));
      assert.deepEqual(
        Object.keys(stored.owned_resources).sort(),
        [...created].sort(),
        JSON.stringify(stored),
      );
      assert.equal(runs.size, 1, "one run created them all");
    }
  },
);

stackTest(
  "ownership: a list and an origination URL a dead run created, found by name on resume, are ours: teardown removes them",
  async () => {
    const { user, account } = await customerProvisionedDirectly();
    // What a run that died right after Twilio created them leaves: the resources, not their SIDs or claims.
    await db()`update public.user_twilio_credentials
      set credential_list_sid = null, credential_sid = null, origination_url_sid = null, origination_sip_uri = null,
          owned_resources = owned_resources - 'credentialList' - 'credential' - 'originationUrl',
          status = 'provisioning', provisioned_at = null
      where user_id = ${user.userId}`;
    const ctx = testServiceContext();
    const [{ id }] = await db()`select id from public.user_twilio_credentials where user_id = ${user.userId}`;
    const outcome = await provisionCredential(ctx, id, { wait: true, retryFailed: true });
    assert.equal(outcome.kind, "active");
    const stored = await storedCredential({ userId: user.userId });
    assert.ok(stored.owned_resources.credentialList, JSON.stringify(stored.owned_resources));
    assert.ok(stored.owned_resources.originationUrl, JSON.stringify(stored.owned_resources));
    const state = await emulator.state(account.sid);
    assert.equal(state.credential_lists.length, 1, "the dead run's list was found, not made again");
    assert.equal(state.trunks[0].origination_urls.length, 2, "and its origination URL");

    await db()`delete from public.user_twilio_credentials where id = ${id}`;
    await deprovisionCredential(ctx, id); // done here or by the DELETE webhook, whichever takes the row first
    const after = await emulator.state(account.sid);
    assert.deepEqual([after.trunks.length, after.credential_lists.length], [0, 0], "nothing of ours is left");
  },
);
