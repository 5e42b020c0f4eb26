/**
 * Row-level security and column privileges, exercised the way PostgREST runs a request: in a transaction,
 * `set local role <role>` and the verified JWT claims in `request.jwt.claims`. Never trusts the policy text: each
 * check runs a real statement as anon, the owner, another signed-in user and service_role (and, where the
 * append-only rule is concerned, the superuser) and asserts the rows it touched or the exact error.
 *
 * Every check runs in a savepoint that is rolled back, inside a transaction that is rolled back too, so the suite
 * leaves nothing behind and the checks cannot see each other's effects.
 *
 * Most checks are rows of a role-by-statement table (who, what, the statement, what must happen), one table per
 * database table; the few that need more than a row count (whole rows, every column, the trigger) follow them.
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
  type Actor,
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
  /** A user without rows yet, for inserts. */
  spare: string;
  ownerCredential: postgres.Row;
  otherCredential: postgres.Row;
  ownerNumber: postgres.Row;
  otherNumber: postgres.Row;
  ownerEvent: postgres.Row;
  otherEvent: postgres.Row;
}

/** Two users, each with a provisioned credential row, one attached number and one event, and a spare user. */
function withFixture(fn: (tx: postgres.TransactionSql, f: Fixture) => Promise<void>) {
  return rolledBack(async (tx) => {
    const owner = await insertUser(tx);
    const other = await insertUser(tx);
    const ownerCredential = await insertCredential(tx, owner, { label: "Owner's account" });
    const otherCredential = await insertCredential(tx, other, { label: "Other's account" });
    await fn(tx, {
      owner,
      other,
      spare: await insertUser(tx),
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

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

type Who = "anon" | "owner" | "other" | "service_role" | "superuser";
type Statement = (sql: postgres.TransactionSql, f: Fixture) => Promise<postgres.RowList<postgres.Row[]>>;
/** Rows touched; `denied` (a missing grant); or a RegExp the 42501 message matches (RLS, the trigger). */
type Expected = number | "denied" | RegExp;
type Check = [who: Who, what: string, statement: Statement, expected: Expected];

function actorFor(who: Who, f: Fixture): Actor {
  if (who === "owner") return asUser(f.owner);
  if (who === "other") return asUser(f.other);
  return { anon, service_role: serviceRole, superuser }[who];
}

/** Runs every row of a table against one fixture (each statement rolled back on its own). */
function checkTable(checks: Check[]) {
  return withFixture(async (tx, f) => {
    for (const [who, what, statement, expected] of checks) {
      const outcome = await attempt(tx, actorFor(who, f), (sql) => statement(sql, f));
      const label = `${who}: ${what}`;
      if (typeof expected === "number") assertRows(outcome, expected, label);
      else assertDenied(outcome, label, expected === "denied" ? undefined : expected);
    }
  });
}

const newCredential = (f: Fixture, userId = f.owner) => (sql: postgres.TransactionSql) =>
  sql`insert into public.user_twilio_credentials (user_id, account_sid, auth_token)
    values (${userId}, ${sid("AC")}, 'v1:local1:ciphertext')`;
const newNumber = (sql: postgres.TransactionSql, f: Fixture) =>
  sql`insert into public.twilio_phone_numbers (user_id, credential_id, account_sid, trunk_sid, phone_number_sid,
    phone_number) values (${f.owner}, ${f.ownerCredential.id}, ${f.ownerCredential.account_sid},
    ${f.ownerCredential.trunk_sid}, ${sid("PN")}, '+15550000001')`;
const newEvent = (sql: postgres.TransactionSql, f: Fixture) =>
  sql`insert into public.provisioning_events (credential_id, user_id, step, outcome)
    values (${f.ownerCredential.id}, ${f.owner}, 'forged_step', 'succeeded')`;
type Kind = "Credential" | "Number" | "Event";
const both = (f: Fixture, kind: Kind) => [f[`owner${kind}`].id, f[`other${kind}`].id] as string[];
const TABLES = {
  Credential: "public.user_twilio_credentials",
  Number: "public.twilio_phone_numbers",
  Event: "public.provisioning_events",
} as const;

/** The reads every user-visible table allows: each user its own row alone, service_role every row. */
function reads(kind: Kind): Check[] {
  const table = TABLES[kind];
  return [
    ["owner", "select without a filter: own row", (sql) => sql`select id from ${sql(table)}`, 1],
    ["other", "select without a filter: own row only", (sql) => sql`select id from ${sql(table)}`, 1],
    [
      "other",
      "select the owner's row by id",
      (sql, f) => sql`select id from ${sql(table)} where id = ${f[`owner${kind}`].id}`,
      0,
    ],
    [
      "service_role",
      "select * across users",
      (sql, f) => sql`select * from ${sql(table)} where id in ${sql(both(f, kind))}`,
      2,
    ],
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// user_twilio_credentials: users read and rename or delete their own rows; only service_role inserts.
// Statements without WHERE or RETURNING read no column, so PostgreSQL applies only the UPDATE / DELETE policy (not
// the SELECT one): their counts are what catch a widened rename or delete policy.

stackTest("rls user_twilio_credentials: role by statement", () =>
  checkTable([
    ["anon", "select", (sql) => sql`select id from public.user_twilio_credentials`, "denied"],
    ["anon", "insert", (sql, f) => newCredential(f)(sql), "denied"],
    [
      "anon",
      "update",
      (sql, f) =>
        sql`update public.user_twilio_credentials set label = 'x' where id = ${f.ownerCredential.id}`,
      "denied",
    ],
    ["anon", "delete", (sql, f) =>
      sql`delete from public.user_twilio_credentials where id = ${f.ownerCredential.id}`, "denied"],

    ...reads("Credential"),
    ["owner", "rename without a filter", (sql) =>
      sql`update public.user_twilio_credentials set label = 'Renamed' returning id`, 1],
    ["owner", "rename without a filter or RETURNING", (sql) =>
      sql`update public.user_twilio_credentials set label = 'Renamed'`, 1],
    ["owner", "update trunk_sid, status and is_active", (sql, f) =>
      sql`update public.user_twilio_credentials set trunk_sid = ${sid("TK")}, status = 'active',
        is_active = false where id = ${f.ownerCredential.id}`, "denied"],
    ["owner", "delete without a filter", (sql) =>
      sql`delete from public.user_twilio_credentials returning id`, 1],
    ["owner", "delete without a filter or RETURNING", (sql) =>
      sql`delete from public.user_twilio_credentials`, 1],
    // By design users cannot insert credentials: a row inserted from a browser would put a plaintext auth token
    // in the table, its WAL and its backups before anything could encrypt it, and skip the check that the
    // credentials work. Users go through create-main-trunk; server-side systems insert as service_role.
    ["owner", "insert a credential row", (sql, f) =>
      newCredential(f)(sql), "denied"],

    [
      "other",
      "rename the owner's row",
      (sql, f) =>
        sql`update public.user_twilio_credentials set label = 'Hijacked' where id = ${f.ownerCredential.id}`,
      0,
    ],
    ["other", "delete the owner's row", (sql, f) =>
      sql`delete from public.user_twilio_credentials where id = ${f.ownerCredential.id}`, 0],
    ["other", "rename every row it can (its own only)", (sql) =>
      sql`update public.user_twilio_credentials set label = 'Hijacked'`, 1],
    ["other", "delete every row it can (its own only)", (sql) =>
      sql`delete from public.user_twilio_credentials`, 1],
    ["other", "insert a row for the owner", (sql, f) =>
      newCredential(f)(sql), "denied"],

    ["service_role", "insert", (sql, f) =>
      newCredential(f, f.spare)(sql), 1],
    ["service_role", "update anything, secrets included", (sql, f) =>
      sql`update public.user_twilio_credentials set trunk_sid = ${sid("TK")}, status = 'active',
        is_active = false, auth_token = 'v1:local2:rotated', sip_password = 'v1:local2:rotated'
        where id = ${f.ownerCredential.id}`, 1],
    ["service_role", "delete across users", (sql, f) =>
      sql`delete from public.user_twilio_credentials where id in ${sql(both(f, "Credential"))}`, 2],
  ]));

// ---------------------------------------------------------------------------------------------------------------
// twilio_credential_secrets: the ciphertexts, for the functions (service_role) alone.

stackTest("rls twilio_credential_secrets: role by statement", () =>
  checkTable([
    ...(["anon", "owner", "other"] as const).flatMap((who): Check[] => [
      [who, "select", (sql) => sql`select * from public.twilio_credential_secrets`, "denied"],
      [who, "update", (sql, f) =>
        sql`update public.twilio_credential_secrets set auth_token = 'x'
          where credential_id = ${f.ownerCredential.id}`, "denied"],
    ]),
    ["service_role", "select", (sql, f) =>
      sql`select * from public.twilio_credential_secrets where credential_id = ${f.ownerCredential.id}`, 1],
  ]));

// ---------------------------------------------------------------------------------------------------------------
// twilio_phone_numbers: users read their own; only the functions write.

stackTest("rls twilio_phone_numbers: role by statement", () =>
  checkTable([
    ["anon", "select", (sql) => sql`select id from public.twilio_phone_numbers`, "denied"],
    ["anon", "insert", newNumber, "denied"],
    ...(["anon", "other"] as const).flatMap((who): Check[] => [
      [
        who,
        "update the owner's number",
        (sql, f) =>
          sql`update public.twilio_phone_numbers set trunk_sid = ${sid("TK")} where id = ${f.ownerNumber.id}`,
        "denied",
      ],
      [who, "delete the owner's number", (sql, f) =>
        sql`delete from public.twilio_phone_numbers where id = ${f.ownerNumber.id}`, "denied"],
    ]),

    ...reads("Number"),
    ["owner", "insert a number", newNumber, "denied"],
    ["owner", "update own number", (sql, f) =>
      sql`update public.twilio_phone_numbers set previous_voice_url = 'https://evil.example'
        where id = ${f.ownerNumber.id}`, "denied"],
    ["owner", "delete own number", (sql, f) =>
      sql`delete from public.twilio_phone_numbers where id = ${f.ownerNumber.id}`, "denied"],

    ["service_role", "insert", newNumber, 1],
    ["service_role", "update across users", (sql, f) =>
      sql`update public.twilio_phone_numbers set previous_trunk_sid = ${sid("TK")}
        where id in ${sql(both(f, "Number"))}`, 2],
    ["service_role", "delete across users", (sql, f) =>
      sql`delete from public.twilio_phone_numbers where id in ${sql(both(f, "Number"))}`, 2],
  ]));

// ---------------------------------------------------------------------------------------------------------------
// provisioning_events: append-only; users read their own.

stackTest("rls provisioning_events: role by statement", () =>
  checkTable([
    ["anon", "select", (sql) => sql`select id from public.provisioning_events`, "denied"],
    ...(["anon", "owner", "other"] as const).flatMap((who): Check[] => [
      [who, "insert an event", newEvent, "denied"],
      [
        who,
        "update the owner's event",
        (sql, f) =>
          sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`,
        "denied",
      ],
      [who, "delete the owner's event", (sql, f) =>
        sql`delete from public.provisioning_events where id = ${f.ownerEvent.id}`, "denied"],
    ]),
    ...reads("Event"),
    ["service_role", "append", newEvent, 1],
    ["service_role", "update", (sql, f) =>
      sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`, "denied"],
    ["service_role", "delete", (sql, f) =>
      sql`delete from public.provisioning_events where id = ${f.ownerEvent.id}`, "denied"],
    ["service_role", "truncate", (sql) =>
      sql`truncate public.provisioning_events`, "denied"],
    [
      "superuser",
      "update (the trigger)",
      (sql, f) =>
        sql`update public.provisioning_events set outcome = 'failed' where id = ${f.ownerEvent.id}`,
      /^provisioning_events is append-only$/,
    ],
  ]));

// ---------------------------------------------------------------------------------------------------------------
// twilio_teardowns and service_locks: the functions' bookkeeping, invisible to every API role but service_role.

stackTest("rls twilio_teardowns and service_locks: role by statement", () =>
  checkTable([
    ...(["anon", "owner", "other"] as const).flatMap((who): Check[] => [
      [who, "select teardowns", (sql) => sql`select * from public.twilio_teardowns`, "denied"],
      [who, "select locks", (sql) => sql`select * from public.service_locks`, "denied"],
      [
        who,
        "take a lock",
        (sql) =>
          sql`insert into public.service_locks (key, holder, expires_at) values ('user:x', gen_random_uuid(), now())`,
        "denied",
      ],
    ]),
    [
      "service_role",
      "take a lock",
      (sql) =>
        sql`insert into public.service_locks (key, holder, expires_at) values ('user:x', gen_random_uuid(), now())`,
      1,
    ],
    ["service_role", "select teardowns", (sql, f) =>
      sql`select * from public.twilio_teardowns where credential_id = ${f.ownerCredential.id}`, 0],
  ]));

// ---------------------------------------------------------------------------------------------------------------
// What a row count cannot show.

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

stackTest("rls user_twilio_credentials: the owner may change no column but the label", async () => {
  await withFixture(async (tx, f) => {
    for (const column of await credentialColumns(tx)) {
      if (column === "label") continue;
      assertDenied(
        await attempt(
          tx,
          asUser(f.owner),
          (sql) =>
            sql.unsafe(`update public.user_twilio_credentials set ${quote(column)} = default where id = $1`, [
              f.ownerCredential.id,
            ]),
        ),
        `owner updates ${column}`,
      );
    }
  });
});

stackTest(
  "rls user_twilio_credentials: another user's statements leave the owner's row as it was",
  async () => {
    await withFixture(async (tx, f) => {
      const other = asUser(f.other);
      await attempt(tx, other, (sql) =>
        sql`update public.user_twilio_credentials set label = 'Hijacked'
      where id = ${f.ownerCredential.id}`);
      const [unchanged] =
        await tx`select label from public.user_twilio_credentials where id = ${f.ownerCredential.id}`;
      assert.equal(unchanged.label, "Owner's account");
    });
  },
);

stackTest("rls: what each user selects is exactly their own rows, every column", async () => {
  await withFixture(async (tx, f) => {
    for (
      const [who, self, number, event] of [
        ["owner", f.owner, f.ownerNumber, f.ownerEvent],
        ["other", f.other, f.otherNumber, f.otherEvent],
      ] as const
    ) {
      const numbers = await attempt(
        tx,
        asUser(self),
        (sql) => sql`select * from public.twilio_phone_numbers`,
      );
      assert.deepEqual(assertRows(numbers, 1, `${who} numbers`)[0], number, `${who} sees own number whole`);
      const events = await attempt(tx, asUser(self), (sql) => sql`select * from public.provisioning_events`);
      assert.deepEqual(assertRows(events, 1, `${who} events`)[0], event, `${who} sees own event whole`);
    }
  });
});

stackTest(
  "rls provisioning_events: the trigger refuses UPDATE even from a service_role granted it",
  async () => {
    await withFixture(async (tx, f) => {
      const appendOnly = /^provisioning_events is append-only$/;
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
