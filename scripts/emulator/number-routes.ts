// 2010 API incoming phone numbers: list/fetch, and update, which also attaches to or detaches from trunks.
import { api2010Page, type ApiContext, findOwned, ok } from "./api-context.ts";
import { invalidParameter, validationError } from "./errors.ts";
import { checkEnum, readForm } from "./form.ts";
import { isSid } from "./ids.ts";
import { attachToTrunk } from "./number-attachment.ts";
import { renderIncomingPhoneNumber } from "./render.ts";
import type { Params, Router } from "./router.ts";
import { HTTP_METHODS, type PhoneNumber } from "./store.ts";

const LIST_FILTERS = ["PhoneNumber", "FriendlyName"] as const;

/** Twilio matches partial numbers, `*` standing for any one digit. */
function phoneNumberPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "\\d");
  return new RegExp(escaped);
}

function listNumbers(ctx: ApiContext): Response {
  const query = ctx.url.searchParams;
  const pattern = query.has("PhoneNumber") ? phoneNumberPattern(query.get("PhoneNumber")!) : null;
  const friendlyName = query.get("FriendlyName");
  const numbers = ctx.store.ofAccount(ctx.store.numbers, ctx.account.sid).filter((number) =>
    (pattern === null || pattern.test(number.phoneNumber)) &&
    (friendlyName === null || number.friendlyName === friendlyName)
  );
  return api2010Page(ctx, "incoming_phone_numbers", numbers, renderIncomingPhoneNumber, {
    filters: LIST_FILTERS,
  });
}

/**
 * `VoiceApplicationSid` must match the spec's `^AP[0-9a-fA-F]{32}$` when sent, so "" is 400 22108 ("Invalid
 * Application SID … not a 34-character string prefixed with AP"); the emulator has no Application resources,
 * so any well-formed AP SID is accepted. Setting it takes the number off its trunk.
 */
function checkVoiceApplicationSid(value: string): string {
  if (!isSid("AP", value)) {
    throw validationError(22108, `VoiceApplicationSid ${value} is not a valid Application SID`);
  }
  return value;
}

/**
 * `TrunkSid` attaches exactly like the trunking API does (keeping the voice URL, deleting the voice
 * application); an empty `TrunkSid` detaches. Sending both TrunkSid and VoiceApplicationSid is a lint (400
 * 20001): each deletes the other, so Twilio's outcome would depend on an order it does not document.
 */
async function updateNumber(ctx: ApiContext, { numberSid }: Params): Promise<Response> {
  const { store } = ctx;
  const form = await readForm(ctx.req, {
    optional: [
      "FriendlyName",
      "VoiceUrl",
      "VoiceMethod",
      "VoiceFallbackUrl",
      "VoiceApplicationSid",
      "TrunkSid",
      "SmsUrl",
      "StatusCallback",
    ],
  });
  const number = findOwned(ctx, store.numbers, numberSid);
  if ("TrunkSid" in form && "VoiceApplicationSid" in form) {
    throw invalidParameter("TrunkSid and VoiceApplicationSid exclude each other; send one of them");
  }
  const trunk = form.TrunkSid ? findOwned(ctx, store.trunks, form.TrunkSid) : null;
  const applicationSid = "VoiceApplicationSid" in form
    ? checkVoiceApplicationSid(form.VoiceApplicationSid)
    : null;
  const changes: Partial<PhoneNumber> = {};
  if ("FriendlyName" in form) changes.friendlyName = form.FriendlyName;
  if ("VoiceUrl" in form) changes.voiceUrl = form.VoiceUrl || null;
  if ("VoiceMethod" in form) changes.voiceMethod = checkEnum("VoiceMethod", form.VoiceMethod, HTTP_METHODS);
  if ("VoiceFallbackUrl" in form) changes.voiceFallbackUrl = form.VoiceFallbackUrl || null;
  if ("SmsUrl" in form) changes.smsUrl = form.SmsUrl;
  if ("StatusCallback" in form) changes.statusCallback = form.StatusCallback;
  if (trunk) attachToTrunk(ctx, number, trunk);
  else if (form.TrunkSid === "" && number.trunkSid !== null) store.detachNumber(number);
  if (applicationSid) store.setVoiceApplication(number, applicationSid);
  Object.assign(number, changes, { updated: store.clock.now() });
  return ok(renderIncomingPhoneNumber(number));
}

export function addNumberRoutes(router: Router<ApiContext>): void {
  const numbers = "/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers";
  router
    .on("GET", `${numbers}.json`, listNumbers)
    .on(
      "GET",
      `${numbers}/:numberSid.json`,
      (ctx, { numberSid }) => ok(renderIncomingPhoneNumber(findOwned(ctx, ctx.store.numbers, numberSid))),
    )
    .on("POST", `${numbers}/:numberSid.json`, updateNumber);
}
