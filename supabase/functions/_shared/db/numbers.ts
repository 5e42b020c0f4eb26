/** twilio_phone_numbers: the numbers on a main trunk, with the voice settings they had before we attached them. */
import type { Sql } from "./client.ts";

export interface AttachedNumberRow {
  id: string;
  userId: string;
  credentialId: string;
  accountSid: string;
  trunkSid: string;
  phoneNumberSid: string;
  phoneNumber: string;
  previousVoiceUrl: string | null;
  previousVoiceMethod: string | null;
  previousVoiceApplicationSid: string | null;
  previousTrunkSid: string | null;
  /** The agent this number's calls go to, when it has one of its own (attach-phone `agentName`). */
  agentName: string | null;
  /** Its own LiveKit inbound trunk and dispatch rule, when it has its own agent. */
  livekitInboundTrunkId: string | null;
  livekitDispatchRuleId: string | null;
  attachedAt: Date;
}

export type NewAttachedNumber = Omit<
  AttachedNumberRow,
  "id" | "attachedAt" | "agentName" | "livekitInboundTrunkId" | "livekitDispatchRuleId"
>;

/** Records a number's LiveKit ids (null: gone). */
export async function updateNumberLiveKitIds(
  sql: Sql,
  numberRowId: string,
  patch: Partial<Pick<AttachedNumberRow, "livekitInboundTrunkId" | "livekitDispatchRuleId">>,
) {
  await sql`update public.twilio_phone_numbers set ${sql(patch)} where id = ${numberRowId}`;
}

/** Sets the agents of numbers just attached (a number named without one keeps what it had). */
export async function setNumberAgents(sql: Sql, credentialId: string, agents: Map<string, string>) {
  for (const [phoneNumberSid, agentName] of agents) {
    await sql`update public.twilio_phone_numbers set agent_name = ${agentName}
      where credential_id = ${credentialId} and phone_number_sid = ${phoneNumberSid}`;
  }
}

export async function listAttachedNumbers(sql: Sql, credentialId: string): Promise<AttachedNumberRow[]> {
  return await sql<AttachedNumberRow[]>`
    select * from public.twilio_phone_numbers where credential_id = ${credentialId}
    order by attached_at, phone_number`;
}

export async function forgetAttachedNumbers(sql: Sql, credentialId: string, phoneNumberSids?: string[]) {
  if (phoneNumberSids) {
    // A joined string, not an array parameter: postgres.js can send an array before it knows the array type.
    await sql`delete from public.twilio_phone_numbers
      where credential_id = ${credentialId}
        and phone_number_sid = any(string_to_array(${phoneNumberSids.join(",")}, ','))`;
  } else {
    await sql`delete from public.twilio_phone_numbers where credential_id = ${credentialId}`;
  }
}

const ROWS_PER_INSERT = 500;

/**
 * Records many attachments in a few statements. `replaceVoiceSettings`: the numbers are not on the main trunk
 * now, so the settings read from Twilio are the ones to restore later and replace whatever an older row held;
 * otherwise (already on the trunk, Twilio has cleared them) a row recorded earlier keeps its settings.
 */
export async function recordAttachedNumbers(
  sql: Sql,
  numbers: NewAttachedNumber[],
  options: { replaceVoiceSettings: boolean },
): Promise<void> {
  for (let start = 0; start < numbers.length; start += ROWS_PER_INSERT) {
    const chunk = numbers.slice(start, start + ROWS_PER_INSERT);
    if (options.replaceVoiceSettings) {
      await sql`insert into public.twilio_phone_numbers ${sql(chunk)}
        on conflict (credential_id, phone_number_sid) do update set
          trunk_sid = excluded.trunk_sid,
          phone_number = excluded.phone_number,
          previous_voice_url = excluded.previous_voice_url,
          previous_voice_method = excluded.previous_voice_method,
          previous_voice_application_sid = excluded.previous_voice_application_sid,
          previous_trunk_sid = excluded.previous_trunk_sid,
          attached_at = now()`;
    } else {
      await sql`insert into public.twilio_phone_numbers ${sql(chunk)}
        on conflict (credential_id, phone_number_sid) do update set trunk_sid = excluded.trunk_sid`;
    }
  }
}
