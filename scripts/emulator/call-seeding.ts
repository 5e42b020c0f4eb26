// Seeds calls and their recordings the way Twilio records trunk calls (admin API). An inbound call reached a
// number; through a trunk it is `trunking-originating`, carries no trunk_sid ("empty … if the call is not
// terminated"), names the number in phone_number_sid and has a SIP URI `to`. An outbound call was terminated
// through a trunk: `trunking-terminating` with trunk_sid (twilio-api-facts.md, "Calls").
import { invalidParameter, notFound } from "./errors.ts";
import { newSid } from "./ids.ts";
import type { JsonFields } from "../local/emulators.ts";
import { readRecordingOptions } from "./recording-options.ts";
import type { Account, Call, PhoneNumber, Recording, Store, Trunk } from "./store.ts";

const CALL_STATUSES = [
  "queued",
  "ringing",
  "in-progress",
  "canceled",
  "completed",
  "failed",
  "busy",
  "no-answer",
] as const;

/** How the call reached Twilio, as the admin request describes it. */
interface CallRoute {
  direction: string;
  /** The trunk the call went through, whose recording settings apply. */
  trunk: Trunk | null;
  /** Only terminated (outbound) calls carry the trunk's SID. */
  trunkSid: string | null;
  phoneNumberSid: string;
  to: string;
}

/** The origination URL Twilio tries first: enabled, lowest priority number, then highest weight. */
function firstOriginationUrl(store: Store, trunk: Trunk) {
  return store.trunkOf(store.originationUrls, trunk.sid)
    .filter((url) => url.enabled)
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
}

/** `sip:<number>@<host>;<params>` with the host and parameters of the trunk's origination URL. */
function originationTo(store: Store, trunk: Trunk, number: PhoneNumber): string {
  const url = firstOriginationUrl(store, trunk);
  if (!url) {
    throw invalidParameter(`Trunk ${trunk.sid} has no enabled origination URL to route an inbound call to`);
  }
  return `sip:${number.phoneNumber}@${url.sipUrl.replace(/^sip:([^@;]*@)?/i, "")}`;
}

function ownedNumber(store: Store, account: Account, fields: JsonFields): PhoneNumber {
  const sid = fields.string("phoneNumberSid");
  const e164 = fields.string("phoneNumber");
  if (sid === undefined && e164 === undefined) {
    throw invalidParameter("inbound calls need phoneNumberSid or phoneNumber");
  }
  const number = store.ofAccount(store.numbers, account.sid).find((n) =>
    sid !== undefined ? n.sid === sid : n.phoneNumber === e164
  );
  if (!number) throw notFound(`/_emulator/accounts/${account.sid}/numbers/${sid ?? e164}`);
  return number;
}

function inboundRoute(store: Store, account: Account, fields: JsonFields): CallRoute {
  if (fields.has("to")) {
    throw invalidParameter("to is derived for inbound calls: give phoneNumberSid or phoneNumber");
  }
  const number = ownedNumber(store, account, fields);
  const trunk = number.trunkSid === null ? null : store.trunks.get(number.trunkSid)!;
  return {
    direction: trunk ? "trunking-originating" : "inbound",
    trunk,
    trunkSid: null,
    phoneNumberSid: number.sid,
    to: trunk ? originationTo(store, trunk, number) : number.phoneNumber,
  };
}

function outboundRoute(store: Store, account: Account, fields: JsonFields): CallRoute {
  const trunkSid = fields.requiredString("trunkSid");
  const trunk = store.trunks.get(trunkSid);
  if (trunk?.accountSid !== account.sid) throw notFound(`/v1/Trunks/${trunkSid}`);
  const to = fields.requiredString("to");
  return { direction: "trunking-terminating", trunk, trunkSid: trunk.sid, phoneNumberSid: "", to };
}

/** No trunk and no number: a call made through the REST API. */
function apiRoute(fields: JsonFields): CallRoute {
  const to = fields.requiredString("to");
  return { direction: "outbound-api", trunk: null, trunkSid: null, phoneNumberSid: "", to };
}

function callRoute(store: Store, account: Account, fields: JsonFields): CallRoute {
  const inferred = fields.has("trunkSid")
    ? "outbound"
    : fields.has("phoneNumberSid") || fields.has("phoneNumber")
    ? "inbound"
    : undefined;
  const direction = fields.oneOf("direction", ["inbound", "outbound"]) ?? inferred;
  if (direction === "inbound") return inboundRoute(store, account, fields);
  if (direction === "outbound") return outboundRoute(store, account, fields);
  return apiRoute(fields);
}

/**
 * A call and its recordings, each created at least one second after the previous one (wire dates have
 * one-second resolution), so ordering and date filters are deterministic.
 */
export function seedCall(
  store: Store,
  account: Account,
  fields: JsonFields,
): { call: Call; recordings: Recording[] } {
  const route = callRoute(store, account, fields);
  const from = fields.requiredString("from");
  const status = fields.oneOf("status", CALL_STATUSES) ?? "completed";
  const recordingCount = fields.integer("recordings", 0, 100) ?? 0;
  const dual = route.trunk?.recording.mode.endsWith("-dual") ?? false;
  const channels = (fields.integer("channels", 1, 2) ?? (dual ? 2 : 1)) as 1 | 2;
  const durationSeconds = fields.integer("durationSeconds", 0, 86_400) ?? 30;
  const recordingFields = fields.object("recording");
  const applyOptions = recordingFields ? readRecordingOptions(recordingFields) : () => {};

  const start = store.clock.strictlyLater();
  const call: Call = {
    sid: newSid("CA"),
    accountSid: account.sid,
    trunkSid: route.trunkSid,
    phoneNumberSid: route.phoneNumberSid,
    to: route.to,
    from,
    status,
    direction: route.direction,
    start,
    durationSeconds,
    ...store.stamp(start),
  };
  store.calls.set(call.sid, call);
  const recordings = Array.from({ length: recordingCount }, (): Recording => {
    const recording: Recording = {
      sid: newSid("RE"),
      accountSid: account.sid,
      callSid: call.sid,
      channels,
      durationSeconds,
      source: route.trunk ? "Trunking" : "OutboundAPI",
      start,
      status: "completed",
      encryption: null,
      externalMediaUrl: null,
      ...store.stamp(store.clock.strictlyLater()),
    };
    applyOptions(recording);
    store.recordings.set(recording.sid, recording);
    return recording;
  });
  return { call, recordings };
}
