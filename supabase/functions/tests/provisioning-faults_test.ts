/**
 * Provisioning under failure, driven on the service directly against the emulator: a fault at each Twilio step in
 * turn, then random faults over many runs. Afterwards a new row is in one of four states, each checked against
 * Twilio: active and complete; active with a working configuration and the failed optional part recorded as
 * degraded; resumable (a transient failure: nothing undone, nothing duplicated, the error and a retry time
 * recorded); or failed (a permanent refusal), with what the failed run created gone again and nothing in Twilio
 * that the row does not record (an earlier run's resources stay, recorded, for a retry or the row's teardown).
 * A re-run always completes.
 */
import assert from "node:assert/strict";
import { seededRandom } from "../../../scripts/testing/random.ts";
import { ApiError } from "../_shared/http/errors.ts";
import { provisionCredential } from "../_shared/provisioning/provision.ts";
import { createMainTrunkForUser } from "../_shared/provisioning/service.ts";
import {
  db,
  emulator,
  newUser,
  quietCredentialRow,
  stackTest,
  withoutWebhook,
} from "../../../scripts/testing/stack.ts";
import { serviceLogLines, testServiceContext } from "../../../scripts/testing/service.ts";

const SID = "[0-9a-f]{32}";
/** Each Twilio step: whether a retry of it is safe (an update), and whether the configuration works without it. */
const STEPS = [
  { step: "trunk", path: "^/v1/Trunks$", idempotent: false, optional: false },
  { step: "credential list", path: "/SIP/CredentialLists\\.json$", idempotent: false, optional: false },
  {
    step: "credential",
    path: `/SIP/CredentialLists/CL${SID}/Credentials\\.json$`,
    idempotent: false,
    optional: false,
  },
  { step: "association", path: `^/v1/Trunks/TK${SID}/CredentialLists$`, idempotent: false, optional: false },
  {
    step: "origination URL",
    path: `^/v1/Trunks/TK${SID}/OriginationUrls$`,
    idempotent: false,
    optional: true,
  },
  { step: "recording", path: `^/v1/Trunks/TK${SID}/Recording$`, idempotent: true, optional: true },
] as const;

type State = "active" | "degraded" | "resumable" | "failed";

async function freshCustomer() {
  const user = await newUser();
  const account = await emulator.createAccount();
  const input = { userId: user.userId, accountSid: account.sid, authToken: account.authToken };
  return { user, account, input };
}

/**
 * A customer whose row exists already, written without the database's webhook: only the runs a test starts touch
 * it, so a fault meets the run the test looks at (the webhook's own run would otherwise race it for the fault).
 */
async function customerWithQuietRow() {
  const customer = await freshCustomer();
  // Recording on: a new trunk comes with do-not-record, so only another mode makes every run send the recording step.
  await quietCredentialRow(customer.user.userId, customer.account, "record-from-answer");
  return customer;
}

async function provision(input: { userId: string; accountSid: string; authToken: string }) {
  try {
    return { result: await createMainTrunkForUser(testServiceContext(), input) };
  } catch (error) {
    if (error instanceof ApiError) return { error };
    throw error;
  }
}

/** Which of the four states the user's row is in, with Twilio checked against it. */
async function stateOf(accountSid: string, userId: string): Promise<State> {
  const [row] = await db()`select * from public.user_twilio_credentials where user_id = ${userId}`;
  const state = await emulator.state(accountSid);
  const explain = async () => {
    const events = await db()`select step, outcome, twilio_sid, detail from public.provisioning_events
      where user_id = ${userId} order by id`;
    const logs = serviceLogLines.filter((line) => line.includes(userId));
    return JSON.stringify({ state, row, events, logs }, null, 1);
  };
  if (row?.status === "active") {
    // Core: exactly one trunk, list and credential, associated, all recorded.
    assert.equal(state.trunks.length, 1, "exactly one trunk");
    assert.equal(state.trunks[0].sid, row.trunk_sid);
    assert.deepEqual(state.trunks[0].credential_lists, [row.credential_list_sid]);
    assert.equal(state.credential_lists.length, 1, "exactly one credential list");
    assert.deepEqual(state.credential_lists[0].credentials.map((c) => c.username), [row.sip_username]);
    assert.ok(row.credential_sid);
    if (Object.keys(row.degraded).length) {
      assert.ok(state.trunks[0].origination_urls.length <= 2, "no origination URL twice");
      return "degraded";
    }
    assert.equal(state.trunks[0].origination_urls.length, 2, "primary and fallback origination URLs");
    assert.ok(row.origination_url_sid && row.fallback_origination_url_sid);
    return "active";
  }
  if (row?.status === "provisioning") {
    // Nothing undone, nothing twice, and everything that exists is on the row for the next run to continue from.
    assert.ok(state.trunks.length <= 1 && state.credential_lists.length <= 1, await explain());
    for (const trunk of state.trunks) assert.equal(trunk.sid, row.trunk_sid, await explain());
    for (const list of state.credential_lists) {
      assert.equal(list.sid, row.credential_list_sid, await explain());
    }
    assert.ok(row.last_error_message, "the error is recorded");
    assert.ok(row.next_attempt_at > new Date(), "with a time to try again");
    return "resumable";
  }
  const unrecorded = [
    ...state.trunks.filter((trunk) => trunk.sid !== row?.trunk_sid),
    ...state.credential_lists.filter((list) => list.sid !== row?.credential_list_sid),
  ];
  if (unrecorded.length) assert.fail(`a failed row left unrecorded Twilio resources: ${await explain()}`);
  if (row) {
    assert.equal(row.status, "failed");
    assert.equal(row.is_active, false, "a row that never worked does not become the active one");
  }
  return "failed";
}

for (const { step, path, optional } of STEPS) {
  stackTest(
    `faults: a validation error at the ${step} step ${
      optional ? "degrades the working row" : "fails cleanly"
    }; a re-run completes`,
    async () => {
      const { account, user, input } = await customerWithQuietRow();
      await emulator.fault({ accountSid: account.sid, method: "POST", path, status: 400, code: 21245 });
      const first = await provision(input);
      if (optional) {
        assert.ok(first.result, "the core works: the customer is served");
        assert.equal(first.result.degraded.length, 1, JSON.stringify(first.result));
        assert.equal(await stateOf(account.sid, user.userId), "degraded");
      } else {
        assert.ok(first.error, "the run fails");
        assert.equal(first.error.status, 502);
        assert.equal(first.error.code, "provisioning_failed");
        assert.equal(first.error.details?.twilioCode, 21245, "Twilio's code reaches the caller");
        assert.equal(await stateOf(account.sid, user.userId), "failed");
        const [row] = await db()`select last_error_code, trunk_sid, credential_list_sid
          from public.user_twilio_credentials where user_id = ${user.userId}`;
        assert.equal(row.last_error_code, 21245);
        const state = await emulator.state(account.sid);
        assert.equal(state.trunks.length + state.credential_lists.length, 0, "what the run created is gone");
        assert.deepEqual([row.trunk_sid, row.credential_list_sid], [null, null]);
      }
      const second = await provision(input);
      assert.ok(second.result, JSON.stringify(second.error?.toBody()));
      assert.equal(await stateOf(account.sid, user.userId), "active");
    },
  );
}

for (const { step, path, idempotent, optional } of STEPS) {
  stackTest(
    `faults: a 500 at the ${step} step ${idempotent ? "is retried" : "is not repeated, and undoes nothing"}`,
    async () => {
      const { account, user, input } = await customerWithQuietRow();
      await emulator.fault({ accountSid: account.sid, method: "POST", path, status: 500, code: 20500 });
      const first = await provision(input);
      if (idempotent) {
        assert.ok(first.result, "an idempotent update is retried and the run completes");
        assert.equal(await stateOf(account.sid, user.userId), "active");
        return;
      }
      if (optional) {
        assert.ok(first.result, "the core works: the customer is served");
        assert.equal(await stateOf(account.sid, user.userId), "degraded");
      } else {
        assert.ok(first.error, "a create that may have happened is not sent twice");
        assert.deepEqual(
          [first.error.status, first.error.code],
          [503, "twilio_unavailable"],
          "try again later",
        );
        assert.equal(await stateOf(account.sid, user.userId), "resumable");
      }
      const second = await provision(input);
      assert.ok(second.result, "a re-run after a transient fault completes");
      assert.equal(await stateOf(account.sid, user.userId), "active");
    },
  );
}

stackTest(
  "faults: a dropped connection on a create undoes nothing; the row resumes and a re-run completes",
  async () => {
    const { account, user, input } = await customerWithQuietRow();
    await emulator.fault({ accountSid: account.sid, method: "POST", path: STEPS[2].path, reset: true });
    const first = await provision(input);
    assert.ok(first.error);
    assert.equal(first.error.code, "twilio_unavailable");
    assert.equal(await stateOf(account.sid, user.userId), "resumable");
    assert.ok((await provision(input)).result);
    assert.equal(await stateOf(account.sid, user.userId), "active");
  },
);

stackTest("faults: a create applied by Twilio whose answer is lost leaves no duplicate", async () => {
  for (const { path } of STEPS.filter((step) => !step.idempotent)) {
    const { account, user, input } = await customerWithQuietRow();
    await emulator.fault({ accountSid: account.sid, method: "POST", path, status: 500, applied: true });
    await provision(input);
    assert.ok((await provision(input)).result, path);
    assert.equal(await stateOf(account.sid, user.userId), "active", path);
  }
});

stackTest("faults: 60 runs with random faults keep the invariant, and every re-run completes", async () => {
  const kinds = [
    { status: 500, code: 20500 },
    { status: 503, code: 20503 },
    { status: 400, code: 21245 },
    { status: 429, code: 20429, times: 2 },
    { reset: true },
    { status: 500, applied: true },
  ];
  const outcomes: Record<State, number> = { active: 0, degraded: 0, resumable: 0, failed: 0 };
  const random = seededRandom(20261124);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  await Promise.all(Array.from({ length: 6 }, async () => {
    for (let run = 0; run < 10; run++) {
      const { account, user, input } = await customerWithQuietRow();
      const faults = 1 + Math.floor(random() * 3);
      for (let i = 0; i < faults; i++) {
        await emulator.fault({
          accountSid: account.sid,
          method: "POST",
          path: pick(STEPS).path,
          ...pick(kinds),
        });
      }
      await provision(input);
      outcomes[await stateOf(account.sid, user.userId)]++;
      await emulator.admin("DELETE", `/faults?accountSid=${account.sid}`);
      assert.ok((await provision(input)).result, "re-run without faults completes");
      assert.equal(await stateOf(account.sid, user.userId), "active");
    }
  }));
  assert.equal(Object.values(outcomes).reduce((a, b) => a + b), 60);
  assert.ok(
    outcomes.active < 50,
    `faults should keep many runs from completing: ${JSON.stringify(outcomes)}`,
  );
});

stackTest(
  "faults: a wrong Twilio token is a 422 (not 401: the user's session is fine) with Twilio's code; nothing is stored or created",
  async () => {
    const { account, user, input } = await freshCustomer();
    const wrong = await provision({ ...input, authToken: "0".repeat(32) });
    assert.ok(wrong.error);
    assert.equal(wrong.error.status, 422);
    assert.equal(wrong.error.code, "twilio_auth_failed");
    assert.equal(wrong.error.toBody().error.field, null, "Twilio cannot tell which of the two is wrong");
    assert.equal(wrong.error.details?.twilioCode, 20003);
    const rows = await db()`select id from public.user_twilio_credentials where user_id = ${user.userId}`;
    assert.equal(rows.length, 0, "no row stored");
    const state = await emulator.state(account.sid);
    assert.equal(state.trunks.length + state.credential_lists.length, 0, "nothing created");
  },
);

stackTest("domain taken (21248): provisioning picks a new suffix and succeeds", async () => {
  const { account, user, input } = await freshCustomer();
  await emulator.fault({
    accountSid: account.sid,
    method: "POST",
    path: STEPS[0].path,
    status: 400,
    code: 21248,
  });
  const { result } = await provision(input);
  assert.ok(result);
  assert.match(
    result.domainName,
    new RegExp(`^user-${user.userId}-\\d{13}-[0-9a-f]{6}\\.pstn\\.twilio\\.com$`),
  );
  assert.ok(result.domainPrefix.length <= 63);
  assert.equal(await stateOf(account.sid, user.userId), "active");
});

stackTest("without LIVEKIT_SIP_URI no origination URL is added, and the row is still complete", async () => {
  const { account, user } = await freshCustomer();
  const ctx = testServiceContext({ livekitSipUri: undefined, livekitSipUriFallback: undefined });
  // Without the database webhook, which would provision with the functions' own settings.
  const [row] = await withoutWebhook((tx) =>
    tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
      values (${user.userId}, ${account.sid}, ${account.authToken}) returning id`
  );
  const outcome = await provisionCredential(ctx, row.id, { wait: true, retryFailed: true });
  assert.equal(outcome.kind, "active");
  const state = await emulator.state(account.sid);
  assert.equal(state.trunks.length, 1);
  assert.deepEqual(state.trunks[0].origination_urls, []);
  const [stored] = await db()`select status, origination_url_sid from public.user_twilio_credentials
    where id = ${row.id}`;
  assert.equal(stored.status, "active");
  assert.equal(stored.origination_url_sid, null);
});
