import assert from "node:assert/strict";
import { databaseSettingsFromEnv, provisioningConfigFromEnv } from "./config.ts";

const TLS_URI = "sip:abc.sip.livekit.cloud;transport=tls";
const TCP_URI = "sip:abc.sip.livekit.cloud;transport=tcp";

Deno.test("config: transfer is on by default (LiveKit's REFER needs it); both settings are validated", () => {
  const config = provisioningConfigFromEnv({});
  assert.deepEqual(config.transfer, { mode: "enable-all", callerId: "from-transferee" });
  assert.equal(provisioningConfigFromEnv({ TWILIO_TRANSFER_MODE: "sip-only" }).transfer.mode, "sip-only");
  assert.throws(() => provisioningConfigFromEnv({ TWILIO_TRANSFER_MODE: "on" }), /TWILIO_TRANSFER_MODE/);
  assert.throws(
    () => provisioningConfigFromEnv({ TWILIO_TRANSFER_CALLER_ID: "x" }),
    /TWILIO_TRANSFER_CALLER_ID/,
  );
});

Deno.test("config: secure trunking when every LiveKit transport is TLS; a mix is refused with a clear error", () => {
  assert.equal(provisioningConfigFromEnv({ LIVEKIT_SIP_URI: TCP_URI }).secure, false);
  const secure = provisioningConfigFromEnv({ LIVEKIT_SIP_URI: TLS_URI, LIVEKIT_OUTBOUND_TRANSPORT: "tls" });
  assert.equal(secure.secure, true);
  assert.throws(
    () => provisioningConfigFromEnv({ LIVEKIT_SIP_URI: TLS_URI, LIVEKIT_OUTBOUND_TRANSPORT: "tcp" }),
    /LIVEKIT_SIP_URI use TLS but LIVEKIT_OUTBOUND_TRANSPORT do not/,
  );
  assert.throws(
    () =>
      provisioningConfigFromEnv({
        LIVEKIT_SIP_URI: TLS_URI,
        LIVEKIT_SIP_URI_FALLBACK: TCP_URI,
        LIVEKIT_OUTBOUND_TRANSPORT: "tls",
      }),
    /LIVEKIT_SIP_URI_FALLBACK/,
  );
});

Deno.test("config: the database is DB_URL when set, else SUPABASE_DB_URL; DB_POOL_SIZE is checked (a typo is an error, not a default)", () => {
  const direct = "postgresql://postgres:pw@db.project.supabase.co:5432/postgres";
  const pooler = "postgresql://postgres.project:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres";
  assert.deepEqual(databaseSettingsFromEnv({ SUPABASE_DB_URL: direct }), { url: direct, poolSize: 6 });
  assert.deepEqual(
    databaseSettingsFromEnv({ SUPABASE_DB_URL: direct, DB_URL: pooler, DB_POOL_SIZE: "1" }),
    { url: pooler, poolSize: 1 },
  );
  for (const bad of ["0", "six", "1.5", "101"]) {
    assert.throws(
      () => databaseSettingsFromEnv({ SUPABASE_DB_URL: direct, DB_POOL_SIZE: bad }),
      /DB_POOL_SIZE/,
    );
  }
  assert.throws(() => databaseSettingsFromEnv({}), /Invalid setting SUPABASE_DB_URL: is not set/);
  assert.throws(
    () => databaseSettingsFromEnv({ SUPABASE_DB_URL: direct, DB_URL: "aws-0-eu-west-1.pooler.supabase.com" }),
    /Invalid setting DB_URL: is not a URL/,
  );
});
