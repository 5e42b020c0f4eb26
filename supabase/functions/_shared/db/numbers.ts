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
  attachedAt: Date;
}

export type NewAttachedNumber = Omit<AttachedNumberRow, "id" | "attachedAt">;

export async function listAttachedNumbers(sql: Sql, credentialId: string): Promise<AttachedNumberRow[]> {
  return await sql<AttachedNumberRow[]>`
    select * from public.twilio_phone_numbers where credential_id = ${credentialId}
    order by attached_at, phone_number`;
}

/** Records an attachment; a number attached again keeps the voice settings recorded the first time. */
export async function recordAttachedNumber(sql: Sql, number: NewAttachedNumber): Promise<void> {
  await sql`insert into public.twilio_phone_numbers ${sql(number)}
    on conflict (credential_id, phone_number_sid) do update set trunk_sid = excluded.trunk_sid`;
}

export async function forgetAttachedNumbers(sql: Sql, credentialId: string, phoneNumberSids?: string[]) {
  if (phoneNumberSids) {
    await sql`delete from public.twilio_phone_numbers
      where credential_id = ${credentialId} and phone_number_sid = any(${phoneNumberSids})`;
  } else {
    await sql`delete from public.twilio_phone_numbers where credential_id = ${credentialId}`;
  }
}
