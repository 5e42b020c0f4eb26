// 2010 API incoming phone numbers: list/fetch, and update, which also attaches to or detaches from trunks.
import { api2010Page, type ApiContext, findOwned, ok } from "./api_context.ts";
import { checkEnum, readForm } from "./form.ts";
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
 * `TrunkSid` attaches exactly like the trunking API does (clearing the voice configuration); an empty
 * `TrunkSid` detaches. It is applied last, so voice settings sent alongside it are cleared too.
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
  const trunk = form.TrunkSid ? findOwned(ctx, store.trunks, form.TrunkSid) : null;
  const changes: Partial<PhoneNumber> = {};
  if ("FriendlyName" in form) changes.friendlyName = form.FriendlyName;
  if ("VoiceUrl" in form) changes.voiceUrl = form.VoiceUrl || null;
  if ("VoiceMethod" in form) changes.voiceMethod = checkEnum("VoiceMethod", form.VoiceMethod, HTTP_METHODS);
  if ("VoiceFallbackUrl" in form) changes.voiceFallbackUrl = form.VoiceFallbackUrl || null;
  if ("VoiceApplicationSid" in form) changes.voiceApplicationSid = form.VoiceApplicationSid || null;
  if ("SmsUrl" in form) changes.smsUrl = form.SmsUrl || null;
  if ("StatusCallback" in form) changes.statusCallback = form.StatusCallback || null;
  Object.assign(number, changes, { updated: store.clock.now() });
  if (trunk) store.attachNumber(number, trunk);
  else if (form.TrunkSid === "" && number.trunkSid !== null) store.detachNumber(number);
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
