/**
 * What the old Express service left behind for a customer, as installations migrating from it have it: in Twilio
 * a trunk on its own domain, a credential list with one credential associated with it, and an origination URL;
 * in the database the row it wrote (plaintext secrets, no status), written before the webhook existed.
 */
import { emulator, newUser, stackInfo, withoutWebhook } from "./stack.ts";

const USERNAME = "legacy-user";
const PASSWORD = "LegacyPassw0rd2024";

export type LegacyCustomer = Awaited<ReturnType<typeof legacyCustomer>>;

/** Such a customer; its trunk routes to `originationUri` and, with `recording`, records from answer. */
export async function legacyCustomer(
  { originationUri = stackInfo().function_secrets.LIVEKIT_SIP_URI, recording = false } = {},
) {
  const user = await newUser();
  const account = await emulator.createAccount();
  const twilio = (path: string, form: Record<string, string>) => emulator.twilio(account, "POST", path, form);
  const lists = `/2010-04-01/Accounts/${account.sid}/SIP/CredentialLists`;
  const prefix = `user-${user.userId}-1700000000000`;
  const domainName = `${prefix}.pstn.twilio.com`;
  const trunk = await twilio("/v1/Trunks", { FriendlyName: "legacy", DomainName: domainName });
  if (recording) {
    await twilio(`/v1/Trunks/${trunk.sid}/Recording`, { Mode: "record-from-answer", Trim: "trim-silence" });
  }
  const list = await twilio(`${lists}.json`, { FriendlyName: "legacy" });
  const credential = await twilio(`${lists}/${list.sid}/Credentials.json`, {
    Username: USERNAME,
    Password: PASSWORD,
  });
  await twilio(`/v1/Trunks/${trunk.sid}/CredentialLists`, { CredentialListSid: list.sid });
  const origination = await twilio(`/v1/Trunks/${trunk.sid}/OriginationUrls`, {
    SipUrl: originationUri,
    Priority: "1",
    Weight: "1",
    Enabled: "true",
    FriendlyName: "legacy",
  });
  await withoutWebhook((tx) =>
    tx`insert into public.user_twilio_credentials (user_id, account_sid, auth_token, trunk_sid, domain_name,
        domain_prefix, credential_list_sid, sip_username, sip_password)
      values (${user.userId}, ${account.sid}, ${account.authToken}, ${trunk.sid}, ${domainName}, ${prefix},
        ${list.sid}, ${USERNAME}, ${PASSWORD})`
  );
  return {
    user,
    account,
    prefix,
    trunk,
    list,
    credential,
    origination,
    username: USERNAME,
    password: PASSWORD,
  };
}
