/**
 * The migrations as schema: they apply from zero with the real Supabase CLI and re-apply as a no-op; the SIP
 * columns migration also applies on its own with psql to an installation that only has the base table; and the
 * table's constraints and triggers do what the product relies on.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { bootstrapDatabase } from "../../../scripts/local/stack.ts";
import { pushMigrations } from "../../../scripts/local/supabase-cli.ts";
import { stackTest } from "../../../scripts/testing/stack.ts";
import {
  attempt,
  insertCredential,
  insertEvent,
  insertPhoneNumber,
  insertUser,
  migrationFiles,
  psqlFile,
  rolledBack,
  superuser,
  withDatabase,
} from "./helpers.ts";

const EXPECTED_VERSIONS = [
  "20261124000100",
  "20261124000200",
  "20261124000300",
  "20261124000400",
  "20261124000500",
  "20261129000600",
  "20261129000700",
  "20261129000800",
  "20261129000900",
  "20261129001000",
  "20261207000100",
];

/** Every column the functions use, with its type. */
const EXPECTED_COLUMNS: Record<string, Record<string, string>> = {
  user_twilio_credentials: {
    id: "uuid",
    user_id: "uuid",
    account_sid: "text",
    auth_token: "text",
    trunk_sid: "text",
    label: "text",
    is_active: "boolean",
    created_at: "timestamp with time zone",
    updated_at: "timestamp with time zone",
    domain_name: "text",
    domain_prefix: "text",
    credential_list_sid: "text",
    sip_username: "text",
    sip_password: "text",
    status: "text",
    last_error_code: "integer",
    last_error_message: "text",
    credential_sid: "text",
    origination_url_sid: "text",
    fallback_origination_url_sid: "text",
    recording_mode: "text",
    recording_trim: "text",
    provisioned_at: "timestamp with time zone",
    owned_resources: "jsonb",
    degraded: "jsonb",
    attempts: "integer",
    next_attempt_at: "timestamp with time zone",
    origination_sip_uri: "text",
    fallback_origination_sip_uri: "text",
    twilio_region: "text",
  },
  twilio_phone_numbers: {
    id: "uuid",
    user_id: "uuid",
    credential_id: "uuid",
    account_sid: "text",
    trunk_sid: "text",
    phone_number_sid: "text",
    phone_number: "text",
    previous_voice_url: "text",
    previous_voice_method: "text",
    previous_voice_application_sid: "text",
    previous_trunk_sid: "text",
    attached_at: "timestamp with time zone",
  },
  twilio_teardowns: {
    credential_id: "uuid",
    user_id: "uuid",
    account_sid: "text",
    trunk_sid: "text",
    credential_list_sid: "text",
    owned_resources: "jsonb",
    attempts: "integer",
    next_attempt_at: "timestamp with time zone",
    last_error: "text",
    created_at: "timestamp with time zone",
    done_at: "timestamp with time zone",
    twilio_region: "text",
    livekit_object_ids: "ARRAY",
  },
  service_locks: {
    key: "text",
    holder: "uuid",
    expires_at: "timestamp with time zone",
  },
  twilio_credential_secrets: {
    credential_id: "uuid",
    user_id: "uuid",
    auth_token: "text",
    sip_password: "text",
    updated_at: "timestamp with time zone",
  },
  provisioning_events: {
    id: "bigint",
    credential_id: "uuid",
    user_id: "uuid",
    step: "text",
    outcome: "text",
    twilio_sid: "text",
    detail: "jsonb",
    created_at: "timestamp with time zone",
  },
};

/** Index name -> a fragment its definition must contain. */
const EXPECTED_INDEXES: Record<string, string> = {
  user_twilio_credentials_pkey:
    "UNIQUE INDEX user_twilio_credentials_pkey ON public.user_twilio_credentials USING btree (id)",
  user_twilio_credentials_one_active_per_user:
    "UNIQUE INDEX user_twilio_credentials_one_active_per_user ON public.user_twilio_credentials USING btree (user_id) WHERE is_active",
  user_twilio_credentials_user_id: "ON public.user_twilio_credentials USING btree (user_id)",
  user_twilio_credentials_status:
    "ON public.user_twilio_credentials USING btree (status) WHERE (status <> 'active'::text)",
  twilio_phone_numbers_user_id: "ON public.twilio_phone_numbers USING btree (user_id)",
  twilio_phone_numbers_credential_id_phone_number_sid_key:
    "UNIQUE INDEX twilio_phone_numbers_credential_id_phone_number_sid_key ON public.twilio_phone_numbers USING btree (credential_id, phone_number_sid)",
  provisioning_events_credential: "ON public.provisioning_events USING btree (credential_id, id)",
  twilio_credential_secrets_pkey:
    "UNIQUE INDEX twilio_credential_secrets_pkey ON public.twilio_credential_secrets USING btree (credential_id)",
};

const EXPECTED_TRIGGERS = [
  "provisioning_events.provisioning_events_append_only",
  "user_twilio_credentials.twilio_credentials_webhook",
  "user_twilio_credentials.user_twilio_credentials_move_secrets",
  "user_twilio_credentials.user_twilio_credentials_record_teardown",
  "user_twilio_credentials.user_twilio_credentials_set_updated_at",
];

/** What a second `db push` must leave untouched: the history and the identity of every schema object. */
async function schemaSnapshot(sql: postgres.Sql) {
  const history = await sql`select version, name, statements from supabase_migrations.schema_migrations
    order by version`;
  const objects = await sql`
    select 'class' as kind, c.relname as name, c.oid::int as oid from pg_class c
      where c.relnamespace = 'public'::regnamespace
    union all
    select 'trigger', t.tgname, t.oid::int from pg_trigger t where not t.tgisinternal
      and t.tgrelid in (select oid from pg_class where relnamespace = 'public'::regnamespace)
    union all
    select 'policy', p.polname, p.oid::int from pg_policy p
    union all
    select 'function', p.proname, p.oid::int from pg_proc p where p.pronamespace = 'public'::regnamespace
    order by 1, 2`;
  return { history: [...history], objects: [...objects] };
}

stackTest("migrations: apply from zero with `supabase db push`, a second push changes nothing", async () => {
  const files = await migrationFiles();
  assert.deepEqual(
    files.map((f) => f.version),
    EXPECTED_VERSIONS,
    "supabase/migrations holds every migration, in order",
  );

  await withDatabase("migrations_cli", async (database) => {
    await bootstrapDatabase(database.url);
    await pushMigrations(database.url);
    const sql = database.sql();

    const history =
      await sql`select version, name from supabase_migrations.schema_migrations order by version`;
    assert.deepEqual(
      history.map((r) => ({ version: r.version, name: r.name })),
      files.map((f) => ({ version: f.version, name: f.name })),
      "every migration is recorded once, under its file's version and name",
    );

    const columns = await sql`select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' and table_name in ${sql(Object.keys(EXPECTED_COLUMNS))}`;
    for (const [table, expected] of Object.entries(EXPECTED_COLUMNS)) {
      const actual = Object.fromEntries(
        columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c.data_type]),
      );
      for (const [column, type] of Object.entries(expected)) {
        assert.equal(actual[column], type, `${table}.${column}`);
      }
    }

    const indexes = await sql`select indexname, indexdef from pg_indexes where schemaname = 'public'`;
    for (const [name, fragment] of Object.entries(EXPECTED_INDEXES)) {
      const found = indexes.find((i) => i.indexname === name);
      assert.ok(found, `index ${name} exists`);
      assert.ok(found.indexdef.includes(fragment), `index ${name}: ${found.indexdef} contains ${fragment}`);
    }

    const triggers = await sql`select c.relname || '.' || t.tgname as name from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      where not t.tgisinternal and c.relnamespace = 'public'::regnamespace and t.tgenabled = 'O'
      order by 1`;
    assert.deepEqual(triggers.map((t) => t.name), EXPECTED_TRIGGERS);

    const rls = await sql`select relname from pg_class where relnamespace = 'public'::regnamespace
      and relkind = 'r' and relrowsecurity order by relname`;
    assert.deepEqual(rls.map((r) => r.relname), [
      "provisioning_events",
      "service_locks",
      "twilio_credential_secrets",
      "twilio_phone_numbers",
      "twilio_teardowns",
      "user_twilio_credentials",
    ]);

    const [status] = await sql`select pg_get_constraintdef(oid) as definition from pg_constraint
      where conname = 'user_twilio_credentials_status_check'`;
    assert.match(status.definition, /'pending'.*'provisioning'.*'active'.*'failed'/);
    assert.doesNotMatch(status.definition, /deprovisioning/, "no status that no code sets");

    const before = await schemaSnapshot(sql);
    const output = await pushMigrations(database.url);
    assert.match(output, /up to date/i, "the CLI reports nothing to push");
    assert.deepEqual(await schemaSnapshot(sql), before, "the second push recorded and recreated nothing");
  });
});

stackTest(
  "migrations: the SIP columns migration applies alone with psql, twice, keeping existing rows",
  async () => {
    const files = await migrationFiles();
    const base = files.find((f) => f.name === "user_twilio_credentials")!;
    const sipColumns = files.find((f) => f.name === "user_twilio_credentials_sip_columns")!;
    assert.ok(base && sipColumns, "both migration files exist");

    await withDatabase("migrations_psql", async (database) => {
      await bootstrapDatabase(database.url, { withStandins: false });
      const applied = await psqlFile(database.url, base.path);
      assert.equal(applied.code, 0, `psql -f ${base.path}: ${applied.stderr}`);

      const sql = database.sql();
      const userId = await insertUser(sql);
      const [existing] = await sql`insert into public.user_twilio_credentials
        (user_id, account_sid, auth_token, trunk_sid, label, is_active)
      values (${userId}, ${"AC" + "0123456789abcdef".repeat(2)}, 'v1:local1:existing-ciphertext',
        ${"TK" + "fedcba9876543210".repeat(2)}, 'Existing installation', true)
      returning to_jsonb(user_twilio_credentials.*) as row`;

      const first = await psqlFile(database.url, sipColumns.path);
      assert.equal(first.code, 0, `first psql -f: ${first.stderr}`);

      const sipNames = [
        "domain_name",
        "domain_prefix",
        "credential_list_sid",
        "sip_username",
        "sip_password",
      ];
      const columns = await sql`select column_name from information_schema.columns
      where table_schema = 'public' and table_name = 'user_twilio_credentials'`;
      const names = columns.map((c) => c.column_name);
      for (const name of sipNames) assert.ok(names.includes(name), `column ${name} added`);
      assert.ok(!names.includes("status"), "only this migration ran (no provisioning-state columns)");
      const [{ migrations }] = await sql`select to_regnamespace('supabase_migrations') as migrations`;
      assert.equal(migrations, null, "psql, not the CLI, applied it");

      const [afterFirst] = await sql`select to_jsonb(c.*) as row from public.user_twilio_credentials c`;
      assert.deepEqual(
        afterFirst.row,
        { ...existing.row, ...Object.fromEntries(sipNames.map((n) => [n, null])) },
        "the existing row keeps its data; the new columns are null",
      );

      await sql`update public.user_twilio_credentials set domain_name = 'user-x-1.pstn.twilio.com',
      domain_prefix = 'user-x-1', credential_list_sid = ${"CL" + "0".repeat(32)}, sip_username = 'sip-x',
      sip_password = 'v1:local1:sip-ciphertext'`;
      const [beforeSecond] = await sql`select to_jsonb(c.*) as row from public.user_twilio_credentials c`;

      const second = await psqlFile(database.url, sipColumns.path);
      assert.equal(second.code, 0, `second psql -f: ${second.stderr}`);
      assert.match(
        second.stderr,
        /column "sip_password" of relation "user_twilio_credentials" already exists, skipping/,
      );

      const rows = await sql`select to_jsonb(c.*) as row from public.user_twilio_credentials c`;
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0].row, beforeSecond.row, "re-running keeps every value, SIP columns included");
      const [{ comment }] = await sql`select col_description('public.user_twilio_credentials'::regclass,
      (select attnum from pg_attribute where attrelid = 'public.user_twilio_credentials'::regclass
        and attname = 'sip_password')) as comment`;
      assert.match(comment, /Ciphertext/);
    });
  },
);

stackTest(
  "user_twilio_credentials: at most one active row per user, any number of inactive ones",
  async () => {
    await rolledBack(async (tx) => {
      const userId = await insertUser(tx);
      const otherUserId = await insertUser(tx);
      const active = await insertCredential(tx, userId, { is_active: true });

      const secondActive = await attempt(
        tx,
        superuser,
        (sql) =>
          sql`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, is_active)
        values (${userId}, ${active.account_sid}, 'v1:local1:x', true) returning id`,
      );
      assert.equal(secondActive.ok, false, "a second active row for the same user is refused");
      if (!secondActive.ok) {
        assert.equal(secondActive.code, "23505");
        assert.equal(secondActive.constraint, "user_twilio_credentials_one_active_per_user");
      }

      for (let i = 0; i < 3; i++) {
        await insertCredential(tx, userId, { is_active: false });
      }
      await insertCredential(tx, otherUserId, { is_active: true }); // the limit is per user
      const [{ total, actives }] =
        await tx`select count(*)::int as total, count(*) filter (where is_active)::int
      as actives from public.user_twilio_credentials where user_id = ${userId}`;
      assert.deepEqual({ total, actives }, { total: 4, actives: 1 });

      const reactivate = await attempt(
        tx,
        superuser,
        (sql) =>
          sql`update public.user_twilio_credentials set is_active = true
        where user_id = ${userId} and not is_active returning id`,
      );
      assert.equal(reactivate.ok, false, "activating an inactive row while another is active is refused");

      await tx`update public.user_twilio_credentials set is_active = false where id = ${active.id}`;
      const [switched] = await tx`update public.user_twilio_credentials set is_active = true
      where id = (select id from public.user_twilio_credentials where user_id = ${userId} and id <> ${active.id}
        limit 1) returning id`;
      assert.ok(switched, "once the active row is deactivated, another may become active");
    });
  },
);

stackTest("user_twilio_credentials: updated_at is set by the trigger on every update", async () => {
  await rolledBack(async (tx) => {
    const userId = await insertUser(tx);
    const row = await insertCredential(tx, userId, {
      created_at: "2001-01-01T00:00:00Z",
      updated_at: "2001-01-01T00:00:00Z",
    });
    const [renamed] =
      await tx`update public.user_twilio_credentials set label = 'Renamed' where id = ${row.id}
      returning updated_at, created_at, updated_at = now() as is_now`;
    assert.equal(renamed.is_now, true, "updated_at is the updating transaction's time");
    assert.ok(renamed.updated_at > row.updated_at);
    assert.deepEqual(renamed.created_at, row.created_at, "created_at does not move");

    const [forced] = await tx`update public.user_twilio_credentials set updated_at = '1999-01-01T00:00:00Z'
      where id = ${row.id} returning updated_at = now() as is_now`;
    assert.equal(forced.is_now, true, "an explicit updated_at is overridden by the trigger");
  });
});

stackTest(
  "user_twilio_credentials: deleting the user deletes their credentials and records each one's teardown; numbers and events stay for it",
  async () => {
    await rolledBack(async (tx) => {
      const userId = await insertUser(tx);
      const keptUserId = await insertUser(tx);
      for (const id of [userId, keptUserId]) {
        const credential = await insertCredential(tx, id);
        await insertCredential(tx, id, { is_active: false });
        await insertPhoneNumber(tx, credential);
        await insertEvent(tx, credential);
      }
      const counts = async (id: string) => {
        const [row] = await tx`select
        (select count(*)::int from public.user_twilio_credentials where user_id = ${id}) as credentials,
        (select count(*)::int from public.twilio_phone_numbers where user_id = ${id}) as numbers,
        (select count(*)::int from public.provisioning_events where user_id = ${id}) as events,
        (select count(*)::int from public.twilio_teardowns where user_id = ${id} and done_at is null) as teardowns,
        (select count(*)::int from public.twilio_credential_secrets where user_id = ${id}) as secrets`;
        return { ...row };
      };
      const before = { credentials: 2, numbers: 1, events: 1, teardowns: 0, secrets: 2 };
      assert.deepEqual(await counts(userId), before);

      await tx`delete from auth.users where id = ${userId}`;
      // The numbers' saved voice settings, the secrets and the events outlive the cascade: the teardown needs the
      // first two to restore the numbers and reach Twilio, and leaves its trail in the third.
      assert.deepEqual(await counts(userId), {
        credentials: 0,
        numbers: 1,
        events: 1,
        teardowns: 2,
        secrets: 2,
      });
      assert.deepEqual(await counts(keptUserId), before, "others are untouched");
    });
  },
);
