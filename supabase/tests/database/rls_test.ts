/**
 * Row-level security and column privileges, exercised the way PostgREST runs a request: in a transaction,
 * `set local role <role>` and the verified JWT claims in `request.jwt.claims`. Never trusts the policy text: each
 * check runs a real statement as anon, the owner, another signed-in user and service_role (and, where the
 * append-only rule is concerned, the superuser) and asserts the rows it touched or the exact error.
 *
 * Every check runs in a savepoint that is rolled back, inside a transaction that is rolled back too, so the suite
 * leaves nothing behind and the checks cannot see each other's effects.
 *
 * Denials assert SQLSTATE 42501 *and* the message, because three layers answer with that code: a missing grant
 * ("permission denied for table"), a row-level security policy ("new row violates row-level security policy") and
 * the append-only trigger ("provisioning_events is append-only"). Filtering assertions count rows, so a missing
 * or widened policy changes the count.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { stackTest } from "../../../scripts/testing/stack.ts";
import {
  anon,
  assertDenied,
  assertRows,
  asUser,
  attempt,
  insertCredential,
  insertEvent,
  insertPhoneNumber,
  insertUser,
  rolledBack,
  serviceRole,
  sid,
  superuser,
} from "./helpers.ts";

/** The two secret columns: inlets on the credentials table, whose values live in twilio_credential_secrets. */
const SECRET_COLUMNS = ["auth_token", "sip_password"];

interface Fixture {
  owner: string;
  other: string;
  ownerCredential: postgres.Row;
  otherCredential: postgres.Row;
  ownerNumber: postgres.Row;
  otherNumber: postgres.Row;
  ownerEvent: postgres.Row;
  otherEvent: postgres.Row;
}

/** Two users, each with a provisioned credential row, one attached number and one event; rolled back after. */
function withFixture(fn: (tx: postgres.TransactionSql, f: Fixture) => Promise<void>) {
  return rolledBack(async (tx) => {
    const owner = await insertUser(tx);
    const other = await insertUser(tx);
    const ownerCredential = await insertCredential(tx, owner, { label: "Owner's account" });
    const otherCredential = await insertCredential(tx, other, { label: "Other's account" });
    await fn(tx, {
      owner,
      other,
      ownerCredential,
      otherCredential,
      ownerNumber: await insertPhoneNumber(tx, ownerCredential),
      otherNumber: await insertPhoneNumber(tx, otherCredential),
      ownerEvent: await insertEvent(tx, ownerCredential),
      otherEvent: await insertEvent(tx, otherCredential),
    });
  });
}

async function credentialColumns(tx: postgres.TransactionSql): Promise<string[]> {
  const rows = await tx`select attname from pg_attribute
    where attrelid = 'public.user_twilio_credentials'::regclass and attnum > 0 and not attisdropped
    order by attnum`;
  return rows.map((r) => r.attname);
}

/**
 * Another user's view of a table: without a filter they get exactly their own row, and asking for the owner's row
 * by id returns nothing (filtered by RLS, not denied).
 */
async function assertSeesOnlyOwn(
  tx: postgres.TransactionSql,
  actor: ReturnType<typeof asUser>,
  table: "user_twilio_credentials" | "twilio_phone_numbers",
  ownId: string,
  ownersId: string,
) {
  const visible = assertRows(
    await attempt(tx, actor, (sql) => sql`select id from ${sql("public." + table)}`),
    1,
    `other selects ${table} without a filter`,
  );
  assert.deepEqual(visible[0], { id: ownId }, `the other user sees only their own ${table} row`);
  assertRows(
    await attempt(tx, actor, (sql) => sql`select id from ${sql("public." + table)} where id = ${ownersId}`),
    0,
    `other selects the owner's ${table} row by id`,
  );
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------------------------
// user_twilio_credentials

stackTest(
  "rls user_twilio_credentials: the owner reads own row whole (select *), and no secret is in it",
  async () => {
    await withFixture(async (tx, f) => {
      const owner = asUser(f.owner);

      // What supabase.from('user_twilio_credentials').select() sends: every column.
      const all = assertRows(
        await attempt(tx, owner, (sql) => sql`select * from public.user_twilio_credentials`),
        1,
        "owner select * without a filter",
      );
      assert.equal(all[0].id, f.ownerCredential.id, "only the owner's own row");
      const [expected] =
        await tx`select * from public.user_twilio_credentials where id = ${f.ownerCredential.id}`;
      assert.deepEqual(all[0], expected, "every column of the own row, with its value");
      for (const secret of SECRET_COLUMNS) {
        assert.ok(secret in all[0], `${secret} keeps its name`);
        assert.equal(
          all[0][secret],
          null,
          `${secret} reads null: the value lives in twilio_credential_secrets`,
        );
      }
      const [stored] = await tx`select auth_token, sip_password from public.twilio_credential_secrets
        where credential_id = ${f.ownerCredential.id}`;
      assert.deepEqual(stored, {
        auth_token: f.ownerCredential.auth_token,
        sip_password: f.ownerCredential.sip_password,
      }, "the inlet columns moved the secrets into their table");
    });
  },
);

stackTest("rls twilio_credential_secrets: only service_role reads or writes it", async () => {
  await withFixture(async (tx, f) => {
    for (
      const [actor, who] of [[anon, "anon"], [asUser(f.owner), "owner"], [asUser(f.other), "other"]] as const
    ) {
      assertDenied(
        await attempt(tx, actor, (sql) => sql`select * from public.twilio_credential_secrets`),
        `${who} selects secrets`,
      );
      assertDenied(
        await attempt(
          tx,
          actor,
          (sql) =>
            sql`update public.twilio_credential_secrets set auth_token = 'x' where credential_id = ${f.ownerCredential.id}`,
        ),
        `${who} updates secrets`,
      );
    }
    assertRows(
      await attempt(tx, serviceRole, (sql) =>
        sql`select * from public.twilio_credential_secrets
        where credential_id = ${f.ownerCredential.id}`),
      1,
      "service_role selects secrets",
    );
  });
});

stackTest(
  "rls user_twilio_credentials: the owner may rename and delete own row, and nothing else",
  async () => {
    await withFixture(async (tx, f) => {
      const owner = asUser(f.owner);

      const renamed = assertRows(
        await attempt(
          tx,
          owner,
          (sql) => sql`update public.user_twilio_credentials set label = 'Renamed' returning id, label`,
        ),
        1,
        "owner renames without a filter",
      );
      assert.deepEqual(
        renamed[0],
        { id: f.ownerCredential.id, label: "Renamed" },
        "only the own row is renamed",
      );

      for (const column of await credentialColumns(tx)) {
        if (column === "label") {
          continue;
        }
        assertDenied(
          await attempt(
            tx,
            owner,
            (sql) =>
              sql.unsafe(
                `update public.user_twilio_credentials set ${quote(column)} = default where id = $1`,
                [
                  f.ownerCredential.id,
                ],
              ),
          ),
          `owner updates ${column}`,
        );
      }
      assertDenied(
        await attempt(
          tx,
          owner,
          (sql) =>
            sql`update public.user_twilio_credentials set trunk_sid = ${sid("TK")}, status = 'active',
          is_active = false where id = ${f.ownerCredential.id}`,
        ),
        "owner updates trunk_sid, status and is_active",
      );

      assertRows(
        await attempt(tx, owner, (sql) => sql`update public.user_twilio_credentials set label = 'Renamed'`),
        1,
        "owner renames without a filter or RETURNING (only the rename policy applies)",
      );
      assertRows(
        await attempt(tx, owner, (sql) => sql`delete from public.user_twilio_credentials`),
        1,
        "owner deletes without a filter or RETURNING (only the delete policy applies)",
      );
      const deleted = assertRows(
        await attempt(tx, owner, (sql) => sql`delete from public.user_twilio_credentials returning id`),
        1,
        "owner deletes without a filter",
      );
      assert.deepEqual(deleted[0], { id: f.ownerCredential.id }, "only the own row is deleted");

      // By design users cannot insert credentials: a row inserted from a browser would put a plaintext auth token in
      // the table, its WAL and its backups before anything could encrypt it, and would skip the check that the
      // credentials work. Users go through create-main-trunk (which encrypts, then writes with the functions' role);
      // server-side systems insert as service_role (see the header of the row-level security migration).
      assertDenied(
        await attempt(
          tx,
          owner,
          (sql) =>
            sql`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, is_active)
          values (${f.owner}, ${sid("AC")}, 'plaintext-token', false)`,
        ),
        "owner inserts a credential row",
      );
    });
  },
);

stackTest(
  "rls user_twilio_credentials: another user cannot see, rename or delete the owner's row",
  async () => {
    await withFixture(async (tx, f) => {
      const other = asUser(f.other);

      await assertSeesOnlyOwn(
        tx,
        other,
        "user_twilio_credentials",
        f.otherCredential.id,
        f.ownerCredential.id,
      );
      assertRows(
        await attempt(
          tx,
          other,
          (sql) =>
            sql`update public.user_twilio_credentials set label = 'Hijacked' where id = ${f.ownerCredential.id}`,
        ),
        0,
        "other renames the owner's row",
      );
      assertRows(
        await attempt(
          tx,
          other,
          (sql) => sql`delete from public.user_twilio_credentials where id = ${f.ownerCredential.id}`,
        ),
        0,
        "other deletes the owner's row",
      );
      // Without WHERE or RETURNING the statement reads no column, so PostgreSQL applies only the UPDATE / DELETE
      // policy (not the SELECT one): these counts are what catch a widened rename or delete policy.
      assertRows(
        await attempt(tx, other, (sql) => sql`update public.user_twilio_credentials set label = 'Hijacked'`),
        1,
        "other renames every row it can (its own only)",
      );
      assertRows(
        await attempt(tx, other, (sql) => sql`delete from public.user_twilio_credentials`),
        1,
        "other deletes every row it can (its own only)",
      );
      assertDenied(
        await attempt(
          tx,
          other,
          (sql) =>
            sql`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
          values (${f.owner}, ${sid("AC")}, 'x')`,
        ),
        "other inserts a row for the owner",
      );

      const [unchanged] =
        await tx`select label from public.user_twilio_credentials where id = ${f.ownerCredential.id}`;
      assert.equal(unchanged.label, "Owner's account");
    });
  },
);

stackTest("rls user_twilio_credentials: anon is denied every statement", async () => {
  await withFixture(async (tx, f) => {
    assertDenied(
      await attempt(tx, anon, (sql) => sql`select id from public.user_twilio_credentials`),
      "anon select",
    );
    assertDenied(
      await attempt(
        tx,
        anon,
        (sql) =>
          sql`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
          values (${f.owner}, ${sid("AC")}, 'x')`,
      ),
      "anon insert",
    );
    assertDenied(
      await attempt(
        tx,
        anon,
        (sql) =>
          sql`update public.user_twilio_credentials set label = 'x' where id = ${f.ownerCredential.id}`,
      ),
      "anon update",
    );
    assertDenied(
      await attempt(
        tx,
        anon,
        (sql) => sql`delete from public.user_twilio_credentials where id = ${f.ownerCredential.id}`,
      ),
      "anon delete",
    );
  });
});

stackTest(
  "rls user_twilio_credentials: service_role reads every row and column and writes anything",
  async () => {
    await withFixture(async (tx, f) => {
      const ids = [f.ownerCredential.id, f.otherCredential.id];
      const rows = assertRows(
        await attempt(
          tx,
          serviceRole,
          (sql) =>
            sql`select * from public.user_twilio_credentials where id in ${
              sql(ids)
            } order by user_id = ${f.owner} desc`,
        ),
        2,
        "service_role select * across users",
      );
      assert.equal(rows[0].auth_token, null, "secrets live in their own table");

      const newUser = await insertUser(tx);
      assertRows(
        await attempt(
          tx,
          serviceRole,
          (sql) =>
            sql`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
          values (${newUser}, ${sid("AC")}, 'v1:local1:ciphertext') returning id`,
        ),
        1,
        "service_role insert",
      );
      const trunkSid = sid("TK");
      const updated = assertRows(
        await attempt(
          tx,
          serviceRole,
          (sql) =>
            sql`update public.user_twilio_credentials set trunk_sid = ${trunkSid}, status = 'active', is_active = false,
          auth_token = 'v1:local2:rotated', sip_password = 'v1:local2:rotated' where id = ${f.ownerCredential.id}
          returning trunk_sid, status, is_active`,
        ),
        1,
        "service_role update",
      );
      assert.deepEqual(updated[0], { trunk_sid: trunkSid, status: "active", is_active: false });
      assertRows(
        await attempt(
          tx,
          serviceRole,
          (sql) => sql`delete from public.user_twilio_credentials where id in ${sql(ids)}`,
        ),
        2,
        "service_role delete across users",
      );
    });
  },
);

// ---------------------------------------------------------------------------------------------------------------
// twilio_phone_numbers: written by the functions only

stackTest("rls twilio_phone_numbers: the owner reads own numbers only and writes nothing", async () => {
  await withFixture(async (tx, f) => {
    const owner = asUser(f.owner);
    const rows = assertRows(
      await attempt(tx, owner, (sql) => sql`select * from public.twilio_phone_numbers`),
      1,
      "owner select * without a filter",
    );
    assert.deepEqual(rows[0], f.ownerNumber, "the own number, every column");

    assertDenied(
      await attempt(
        tx,
        owner,
        (sql) =>
          sql`insert into public.twilio_phone_numbers (user_id, credential_id, account_sid, trunk_sid,
          phone_number_sid, phone_number) values (${f.owner}, ${f.ownerCredential.id},
          ${f.ownerCredential.account_sid}, ${f.ownerCredential.trunk_sid}, ${sid("PN")}, '+15550000001')`,
      ),
      "owner inserts a number",
    );
    assertDenied(
      await attempt(
        tx,
        owner,
        (sql) =>
          sql`update public.twilio_phone_numbers set previous_voice_url = 'https://evil.example'
          where id = ${f.ownerNumber.id}`,
      ),
      "owner updates own number",
    );
    assertDenied(
      await attempt(
        tx,
        owner,
        (sql) => sql`delete from public.twilio_phone_numbers where id = ${f.ownerNumber.id}`,
      ),
      "owner deletes own number",
    );
  });
});

stackTest(
  "rls twilio_phone_numbers: another user sees none of the owner's numbers and writes nothing",
  async () => {
    await withFixture(async (tx, f) => {
      const other = asUser(f.other);
      await assertSeesOnlyOwn(tx, other, "twilio_phone_numbers", f.otherNumber.id, f.ownerNumber.id);
      assertDenied(
        await attempt(
          tx,
          other,
          (sql) =>
            sql`update public.twilio_phone_numbers set trunk_sid = ${
              sid("TK")
            } where id = ${f.ownerNumber.id}`,
        ),
        "other updates the owner's number",
      );
      assertDenied(
        await attempt(
          tx,
          other,
          (sql) => sql`delete from public.twilio_phone_numbers where id = ${f.ownerNumber.id}`,
        ),
        "other deletes the owner's number",
      );
    });
  },
);

stackTest("rls twilio_phone_numbers: anon is denied, service_role may do everything", async () => {
  await withFixture(async (tx, f) => {
    assertDenied(
      await attempt(tx, anon, (sql) => sql`select id from public.twilio_phone_numbers`),
      "anon select",
    );
    assertDenied(
      await attempt(
        tx,
        anon,
        (sql) =>
          sql`insert into public.twilio_phone_numbers (user_id, credential_id, account_sid, trunk_sid,
          phone_number_sid, phone_number) values (${f.owner}, ${f.ownerCredential.id},
          ${f.ownerCredential.account_sid}, ${f.ownerCredential.trunk_sid}, ${sid("PN")}, '+15550000002')`,
      ),
      "anon insert",
    );
    assertDenied(
      await attempt(
        tx,
        anon,
        (sql) =>
          sql`update public.twilio_phone_numbers set trunk_sid = ${sid("TK")} where id = ${f.ownerNumber.id}`,
      ),
      "anon update",
    );
    assertDenied(
      await attempt(
        tx,
        anon,
        (sql) => sql`delete from public.twilio_phone_numbers where id = ${f.ownerNumber.id}`,
      ),
      "anon delete",
    );

    const ids = [f.ownerNumber.id, f.otherNumber.id];
    assertRows(
      await attempt(
        tx,
        serviceRole,
        (sql) => sql`select * from public.twilio_phone_numbers where id in ${sql(ids)}`,
      ),
      2,
      "service_role select across users",
    );
    assertRows(
      await attempt(
        tx,
        serviceRole,
        (sql) =>
          sql`insert into public.twilio_phone_numbers (user_id, credential_id, account_sid, trunk_sid,
          phone_number_sid, phone_number) values (${f.owner}, ${f.ownerCredential.id},
          ${f.ownerCredential.account_sid}, ${f.ownerCredential.trunk_sid}, ${sid("PN")}, '+15550000003')
          returning id`,
      ),
      1,
      "service_role insert",
    );
    assertRows(
      await attempt(
        tx,
        serviceRole,
        (sql) =>
          sql`update public.twilio_phone_numbers set previous_trunk_sid = ${sid("TK")} where id in ${
            sql(ids)
          }`,
      ),
      2,
      "service_role update",
    );
    assertRows(
      await attempt(
        tx,
        serviceRole,
        (sql) => sql`delete from public.twilio_phone_numbers where id in ${sql(ids)}`,
      ),
      2,
      "service_role delete",
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// provisioning_events: append-only

const insertEventAs = (f: Fixture) => (sql: postgres.TransactionSql) =>
  sql`insert into public.provisioning_events (credential_id, user_id, step, outcome)
    values (${f.ownerCredential.id}, ${f.owner}, 'forged_step', 'succeeded') returning id`;

stackTest(
  "rls provisioning_events: the owner reads own events only, another user none, neither writes",
  async () => {
    await withFixture(async (tx, f) => {
      for (
        const [who, self, event] of [["owner", f.owner, f.ownerEvent], [
          "other",
          f.other,
          f.otherEvent,
        ]] as const
      ) {
        const actor = asUser(self);
        const rows = assertRows(
          await attempt(tx, actor, (sql) => sql`select * from public.provisioning_events`),
          1,
          `${who} select * without a filter`,
        );
        assert.deepEqual(rows[0], event, `${who} sees only their own event, every column`);
        assertDenied(await attempt(tx, actor, insertEventAs(f)), `${who} inserts an event`);
        assertDenied(
          await attempt(
            tx,
            actor,
            (sql) =>
              sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`,
          ),
          `${who} updates the owner's event`,
        );
        assertDenied(
          await attempt(
            tx,
            actor,
            (sql) => sql`delete from public.provisioning_events where id = ${f.ownerEvent.id}`,
          ),
          `${who} deletes the owner's event`,
        );
      }
      assertRows(
        await attempt(
          tx,
          asUser(f.other),
          (sql) => sql`select id from public.provisioning_events where id = ${f.ownerEvent.id}`,
        ),
        0,
        "other selects the owner's event by id",
      );
    });
  },
);

stackTest(
  "rls provisioning_events: anon is denied; service_role reads and appends but never rewrites",
  async () => {
    await withFixture(async (tx, f) => {
      assertDenied(
        await attempt(tx, anon, (sql) => sql`select id from public.provisioning_events`),
        "anon select",
      );
      assertDenied(await attempt(tx, anon, insertEventAs(f)), "anon insert");
      assertDenied(
        await attempt(
          tx,
          anon,
          (sql) =>
            sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`,
        ),
        "anon update",
      );
      assertDenied(
        await attempt(
          tx,
          anon,
          (sql) => sql`delete from public.provisioning_events where id = ${f.ownerEvent.id}`,
        ),
        "anon delete",
      );

      const ids = [f.ownerEvent.id, f.otherEvent.id];
      assertRows(
        await attempt(
          tx,
          serviceRole,
          (sql) => sql`select * from public.provisioning_events where id in ${sql(ids)}`,
        ),
        2,
        "service_role select across users",
      );
      assertRows(await attempt(tx, serviceRole, insertEventAs(f)), 1, "service_role insert");
      assertDenied(
        await attempt(
          tx,
          serviceRole,
          (sql) =>
            sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`,
        ),
        "service_role update",
      );
      assertDenied(
        await attempt(
          tx,
          serviceRole,
          (sql) => sql`delete from public.provisioning_events where id = ${f.ownerEvent.id}`,
        ),
        "service_role delete",
      );
      assertDenied(
        await attempt(tx, serviceRole, (sql) => sql`truncate public.provisioning_events`),
        "service_role truncate",
      );
    });
  },
);

stackTest(
  "rls provisioning_events: the trigger refuses UPDATE from the superuser and a granted service_role",
  async () => {
    await withFixture(async (tx, f) => {
      const appendOnly = /^provisioning_events is append-only$/;
      assertDenied(
        await attempt(
          tx,
          superuser,
          (sql) =>
            sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`,
        ),
        "superuser update",
        appendOnly,
      );

      // The grant is the first line of defence; the trigger holds even if someone grants UPDATE by mistake.
      await tx`grant update on public.provisioning_events to service_role`;
      assertDenied(
        await attempt(
          tx,
          serviceRole,
          (sql) =>
            sql`update public.provisioning_events set detail = '{"rewritten":true}' where id = ${f.ownerEvent.id}`,
        ),
        "service_role update with an UPDATE grant",
        appendOnly,
      );

      const [event] =
        await tx`select outcome, detail from public.provisioning_events where id = ${f.ownerEvent.id}`;
      assert.deepEqual({ ...event }, { outcome: f.ownerEvent.outcome, detail: f.ownerEvent.detail });
    });
  },
);
