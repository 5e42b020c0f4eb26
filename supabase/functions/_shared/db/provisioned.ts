/**
 * The SQL twin of row-state.ts's `isProvisioned(row, config)`, for the operator paths that find rows with work
 * left (the backfill, the sweeper): active, with every core SID and the stored password, nothing degraded, and
 * origination URLs as configured (ours carrying the configured URI; one we adopted only needing to exist).
 * Written against `public.user_twilio_credentials` unaliased.
 */
import type postgres from "postgres";
import type { ProvisioningConfig } from "../config.ts";
import { normalizeSipUri } from "../provisioning/sip-uri.ts";
import type { Sql } from "./client.ts";

export type Fragment = postgres.PendingQuery<postgres.Row[]>;

export function provisionedSql(sql: Sql, config: ProvisioningConfig): Fragment {
  return sql`(status = 'active' and coalesce(trunk_sid, '') <> '' and coalesce(domain_name, '') <> ''
    and coalesce(credential_list_sid, '') <> '' and coalesce(credential_sid, '') <> ''
    and coalesce(sip_username, '') <> '' and degraded = '{}'::jsonb and ${liveKitSideSql(sql, config)}
    and ${
    originationSql(sql, "origination_url_sid", "originationUrl", "origination_sip_uri", config.livekitSipUri)
  }
    and ${
    originationSql(
      sql,
      "fallback_origination_url_sid",
      "fallbackOriginationUrl",
      "fallback_origination_sip_uri",
      config.livekitSipUriFallback,
    )
  }
    and exists (select from public.twilio_credential_secrets s
                where s.credential_id = user_twilio_credentials.id and coalesce(s.sip_password, '') <> ''))`;
}

/** With LiveKit managed, a row with numbers has its outbound trunk (row-state.ts's hasLiveKitSide). */
function liveKitSideSql(sql: Sql, config: ProvisioningConfig) {
  if (!config.livekit) return sql`true`;
  return sql`(livekit_outbound_trunk_id is not null or not exists (
    select from public.twilio_phone_numbers n where n.credential_id = user_twilio_credentials.id))`;
}

function originationSql(sql: Sql, sidColumn: string, owned: string, uriColumn: string, configured?: string) {
  if (!configured) return sql`true`;
  return sql`(coalesce(${sql(sidColumn)}, '') <> ''
    and (not owned_resources ? ${owned} or ${sql(uriColumn)} = ${normalizeSipUri(configured)}))`;
}

/**
 * `user_id` in the given list (all users when none is given). One text parameter: postgres.js may send a JS array
 * before it knows the array type, as "a,b,c".
 */
export function forUsers(sql: Sql, userIds?: readonly string[]): Fragment {
  if (!userIds) return sql`true`;
  return sql`user_id = any(string_to_array(${userIds.join(",")}, ',')::uuid[])`;
}
