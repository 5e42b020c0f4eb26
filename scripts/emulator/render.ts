// Stored records to Twilio's JSON resource shapes (snake_case, wire dates, twilio.com URLs).
import { isoDate, rfc2822Date } from "./ids.ts";
import type {
  Account,
  Call,
  Credential,
  CredentialList,
  OriginationUrl,
  PhoneNumber,
  Recording,
  Store,
  Trunk,
  TrunkCredentialList,
} from "./store.ts";
import { accountPath, API_HOST, TRUNKING_HOST, trunkPath } from "./urls.ts";

const API_VERSION = "2010-04-01";

function trunkingDates(record: { created: Date; updated: Date }) {
  return { date_created: isoDate(record.created), date_updated: isoDate(record.updated) };
}

function api2010Dates(record: { created: Date; updated: Date }) {
  return { date_created: rfc2822Date(record.created), date_updated: rfc2822Date(record.updated) };
}

/** Links to a resource's subresources: each name with its path under `base`. */
function subresources(base: string, suffix: string, paths: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, `${base}/${path}${suffix}`]));
}

/** A trunk's `links`, under its url. */
export const trunkLinks = (url: string) =>
  subresources(url, "", {
    origination_urls: "OriginationUrls",
    credential_lists: "CredentialLists",
    ip_access_control_lists: "IpAccessControlLists",
    phone_numbers: "PhoneNumbers",
    recording: "Recording",
  });

/** auth_type / auth_type_set are derived from the trunk's credential list associations, as Twilio does. */
export function renderTrunk(store: Store, trunk: Trunk) {
  const hasCredentialLists = store.associationsOfTrunk(trunk.sid).length > 0;
  const url = TRUNKING_HOST + trunkPath(trunk.sid);
  return {
    sid: trunk.sid,
    account_sid: trunk.accountSid,
    friendly_name: trunk.friendlyName,
    domain_name: trunk.domainName,
    secure: trunk.secure,
    recording: { ...trunk.recording },
    transfer_mode: trunk.transferMode,
    transfer_caller_id: trunk.transferCallerId,
    cnam_lookup_enabled: trunk.cnamLookupEnabled,
    auth_type: hasCredentialLists ? "CREDENTIAL_LIST" : "",
    auth_type_set: hasCredentialLists ? ["CREDENTIAL_LIST"] : [],
    symmetric_rtp_enabled: false,
    disaster_recovery_url: trunk.disasterRecoveryUrl,
    disaster_recovery_method: trunk.disasterRecoveryMethod,
    ...trunkingDates(trunk),
    url,
    links: trunkLinks(url),
  };
}

export function renderTrunkCredentialList(association: TrunkCredentialList, list: CredentialList) {
  return {
    account_sid: list.accountSid,
    sid: list.sid,
    trunk_sid: association.trunkSid,
    friendly_name: list.friendlyName,
    ...trunkingDates(association),
    url: `${TRUNKING_HOST}${trunkPath(association.trunkSid)}/CredentialLists/${list.sid}`,
  };
}

export function renderOriginationUrl(url: OriginationUrl) {
  return {
    account_sid: url.accountSid,
    sid: url.sid,
    trunk_sid: url.trunkSid,
    weight: url.weight,
    enabled: url.enabled,
    sip_url: url.sipUrl,
    friendly_name: url.friendlyName,
    priority: url.priority,
    ...trunkingDates(url),
    url: `${TRUNKING_HOST}${trunkPath(url.trunkSid)}/OriginationUrls/${url.sid}`,
  };
}

/**
 * Fields both phone number shapes share. Unset values render as Twilio's IncomingPhoneNumber examples show
 * them: `""` for voice_application_sid, sms_*_url, sms_application_sid and status_callback, null for
 * voice_url, voice_fallback_url and trunk_sid.
 */
function phoneNumberFields(number: PhoneNumber) {
  return {
    sid: number.sid,
    account_sid: number.accountSid,
    trunk_sid: number.trunkSid,
    phone_number: number.phoneNumber,
    friendly_name: number.friendlyName,
    voice_url: number.voiceUrl,
    voice_method: number.voiceMethod,
    voice_fallback_url: number.voiceFallbackUrl,
    voice_fallback_method: "POST",
    voice_application_sid: number.voiceApplicationSid,
    voice_caller_id_lookup: false,
    sms_url: number.smsUrl,
    sms_method: "POST",
    sms_fallback_url: "",
    sms_fallback_method: "POST",
    sms_application_sid: "",
    status_callback: number.statusCallback,
    status_callback_method: "POST",
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    address_requirements: "none",
    api_version: API_VERSION,
    beta: false,
  };
}

export function renderTrunkPhoneNumber(number: PhoneNumber) {
  const url = `${TRUNKING_HOST}${trunkPath(number.trunkSid!)}/PhoneNumbers/${number.sid}`;
  return {
    ...phoneNumberFields(number),
    ...trunkingDates(number),
    url,
    links: {
      phone_number: `${API_HOST}${accountPath(number.accountSid)}/IncomingPhoneNumbers/${number.sid}.json`,
    },
  };
}

export function renderIncomingPhoneNumber(number: PhoneNumber) {
  const uri = `${accountPath(number.accountSid)}/IncomingPhoneNumbers/${number.sid}`;
  return {
    ...phoneNumberFields(number),
    address_sid: null,
    bundle_sid: null,
    identity_sid: null,
    emergency_status: "Inactive",
    emergency_address_sid: null,
    emergency_address_status: "unregistered",
    origin: "twilio",
    status: "in-use",
    type: "local",
    voice_receive_mode: "voice",
    ...api2010Dates(number),
    uri: `${uri}.json`,
    subresource_uris: { assigned_add_ons: `${uri}/AssignedAddOns.json` },
  };
}

export function renderAccount(account: Account) {
  const path = accountPath(account.sid);
  return {
    sid: account.sid,
    friendly_name: account.friendlyName,
    status: account.status,
    type: "Full",
    auth_token: account.authToken,
    owner_account_sid: account.sid,
    ...api2010Dates(account),
    uri: `${path}.json`,
    subresource_uris: subresources(path, ".json", {
      addresses: "Addresses",
      calls: "Calls",
      incoming_phone_numbers: "IncomingPhoneNumbers",
      recordings: "Recordings",
      sip: "SIP",
    }),
  };
}

function credentialListUri(list: CredentialList): string {
  return `${accountPath(list.accountSid)}/SIP/CredentialLists/${list.sid}`;
}

export function renderCredentialList(list: CredentialList) {
  const uri = credentialListUri(list);
  return {
    sid: list.sid,
    account_sid: list.accountSid,
    friendly_name: list.friendlyName,
    ...api2010Dates(list),
    uri: `${uri}.json`,
    subresource_uris: { credentials: `${uri}/Credentials.json` },
  };
}

/** Never exposes the password or its digest. */
export function renderCredential(credential: Credential) {
  return {
    sid: credential.sid,
    account_sid: credential.accountSid,
    credential_list_sid: credential.credentialListSid,
    username: credential.username,
    ...api2010Dates(credential),
    uri: `${
      accountPath(credential.accountSid)
    }/SIP/CredentialLists/${credential.credentialListSid}/Credentials/${credential.sid}.json`,
  };
}

function callEnd(call: Call): Date | null {
  return call.status === "completed" ? new Date(call.start.getTime() + call.durationSeconds * 1000) : null;
}

export function renderCall(call: Call) {
  const uri = `${accountPath(call.accountSid)}/Calls/${call.sid}`;
  const end = callEnd(call);
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    parent_call_sid: null,
    to: call.to,
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: call.phoneNumberSid,
    status: call.status,
    direction: call.direction,
    start_time: rfc2822Date(call.start),
    end_time: end && rfc2822Date(end),
    duration: end && String(call.durationSeconds),
    price: null,
    price_unit: "USD",
    answered_by: null,
    api_version: API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: "0",
    trunk_sid: call.trunkSid,
    ...api2010Dates(call),
    uri: `${uri}.json`,
    subresource_uris: subresources(uri, ".json", {
      recordings: "Recordings",
      notifications: "Notifications",
      events: "Events",
    }),
  };
}

export function renderRecording(recording: Recording) {
  const path = `${accountPath(recording.accountSid)}/Recordings/${recording.sid}`;
  return {
    sid: recording.sid,
    account_sid: recording.accountSid,
    api_version: API_VERSION,
    call_sid: recording.callSid,
    conference_sid: null,
    status: recording.status,
    source: recording.source,
    channels: recording.channels,
    duration: String(recording.durationSeconds),
    start_time: rfc2822Date(recording.start),
    ...api2010Dates(recording),
    price: null,
    price_unit: "USD",
    uri: `${path}.json`,
    media_url: recording.externalMediaUrl ?? API_HOST + path,
    encryption_details: recording.encryption,
    error_code: null,
    track: "both",
    subresource_uris: subresources(path, ".json", {
      add_on_results: "AddOnResults",
      transcriptions: "Transcriptions",
    }),
  };
}
