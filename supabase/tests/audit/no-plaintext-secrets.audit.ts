/**
 * Runs after every other suite (scripts/test.ts runs it last): no Twilio auth token and no SIP password used
 * anywhere in the run appears in plaintext in a pg_dump of the database or in the functions' captured logs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SecretBox, secretContext } from "../../functions/_shared/crypto/secrets.ts";
import { findPostgresBinDir } from "../../../scripts/local/postgres.ts";
import { runOrThrow } from "../../../scripts/local/process.ts";
import { db, emulator, stackInfo, stackTest } from "../../../scripts/testing/stack.ts";

stackTest("audit: no plaintext auth token or SIP password in pg_dump or in the functions' logs", async () => {
  const stack = stackInfo();
  const box = SecretBox.fromEnv(stack.function_secrets.ENCRYPTION_KEYS);
  const { accounts } = await emulator.admin<{ accounts: { authToken: string }[] }>("GET", "/accounts");
  const rows = await db()`select user_id, auth_token, sip_password from public.twilio_credential_secrets`;
  const secrets = new Set(accounts.map((account) => account.authToken));
  for (const row of rows) {
    assert.match(row.auth_token, /^enc:v1:/, "every stored auth token is encrypted");
    if (row.sip_password) {
      secrets.add(await box.decrypt(row.sip_password, secretContext("sip_password", row.user_id)));
    }
  }
  assert.ok(accounts.length > 20 && rows.length > 20, "the audit looks at a real run's worth of secrets");

  const binDir = await findPostgresBinDir();
  const dump = (await runOrThrow(join(binDir ?? "/usr/bin", "pg_dump"), ["--dbname", stack.db_url])).stdout;
  assert.ok(dump.includes("user_twilio_credentials"), "the dump holds the data");
  const logs = await Deno.readTextFile(Deno.env.get("FUNCTIONS_LOG_FILE")!);
  assert.ok(logs.includes('"event":"request"'), "the logs were captured");

  const leaks = [...secrets].flatMap((secret) => [
    ...(dump.includes(secret) ? [`pg_dump holds ${secret.slice(0, 4)}…`] : []),
    ...(logs.includes(secret) ? [`logs hold ${secret.slice(0, 4)}…`] : []),
  ]);
  assert.deepEqual(leaks, [], `checked ${secrets.size} secrets`);
});
