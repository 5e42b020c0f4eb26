// Elastic SIP Trunking v1: trunks and their credential lists, origination URLs, phone numbers and recording.
import { type ApiContext, created, findOwned, noContent, ok, trunkingPage } from "./api-context.ts";
import { ownedUnder } from "./owned-under.ts";
import { invalidParameter, jsonResponse, notFound, validationError } from "./errors.ts";
import { checkEnum, type Form, parseBoolean, readForm } from "./form.ts";
import { newSid } from "./ids.ts";
import type { Sequenced } from "./paging.ts";
import {
  renderOriginationUrl,
  renderTrunk,
  renderTrunkCredentialList,
  renderTrunkPhoneNumber,
} from "./render.ts";
import type { Params, Router } from "./router.ts";
import {
  associationKey,
  HTTP_METHODS,
  type OriginationUrl,
  RECORDING_MODES,
  RECORDING_TRIMS,
  type Store,
  TRANSFER_CALLER_IDS,
  TRANSFER_MODES,
  type Trunk,
} from "./store.ts";
import { attachToTrunk } from "./number-attachment.ts";
import { checkDomainName, checkFriendlyName, checkSipUrl, integerInRange } from "./validation.ts";

const MAX_TRUNKS_PER_ACCOUNT = 1000;
const MAX_ORIGINATION_URLS_PER_TRUNK = 10;

/** Create and update accept the same optional parameters; `Recording` is deliberately absent. */
const TRUNK_PARAMS = [
  "FriendlyName",
  "DomainName",
  "DisasterRecoveryUrl",
  "DisasterRecoveryMethod",
  "TransferMode",
  "Secure",
  "CnamLookupEnabled",
  "TransferCallerId",
] as const;

const ORIGINATION_URL_PARAMS = ["Weight", "Priority", "Enabled", "FriendlyName", "SipUrl"] as const;

/**
 * Termination domains are global: unique across every account (DNS names compare case-insensitively), and a
 * deleted trunk's domain stays reserved (21248). Another trunk of the same account holding it may be reported
 * as 21245, "a second trunk with the same termination URI in one account" (switch sameAccountDuplicateDomain).
 */
function checkDomainAvailable(ctx: ApiContext, domainName: string, trunkSid: string): void {
  const wanted = domainName.toLowerCase();
  const holder = [...ctx.store.trunks.values()].find((t) =>
    t.sid !== trunkSid && t.domainName?.toLowerCase() === wanted
  );
  if (holder?.accountSid === ctx.account.sid && ctx.switches.sameAccountDuplicateDomain === "21245") {
    throw validationError(
      21245,
      `Trunk ${holder.sid} of this account already uses the termination URI ${domainName}`,
    );
  }
  if (holder || ctx.store.reservedDomains.has(wanted)) {
    throw validationError(21248, `DomainName ${domainName} is already taken`);
  }
}

function boolParam(name: string, value: string): boolean {
  return parseBoolean(value, () => invalidParameter(`${name} must be true or false`));
}

/** Validates every given trunk parameter before anything is changed. */
function trunkChanges(ctx: ApiContext, form: Form, trunkSid: string): Partial<Trunk> {
  const changes: Partial<Trunk> = {};
  if ("FriendlyName" in form) changes.friendlyName = checkFriendlyName(form.FriendlyName, 21245);
  if ("DomainName" in form) {
    const domainName = form.DomainName === "" ? null : checkDomainName(form.DomainName);
    if (domainName) checkDomainAvailable(ctx, domainName, trunkSid);
    changes.domainName = domainName;
  }
  if ("DisasterRecoveryUrl" in form) changes.disasterRecoveryUrl = form.DisasterRecoveryUrl || null;
  if ("DisasterRecoveryMethod" in form) {
    changes.disasterRecoveryMethod = checkEnum(
      "DisasterRecoveryMethod",
      form.DisasterRecoveryMethod,
      HTTP_METHODS,
    );
  }
  if ("TransferMode" in form) {
    changes.transferMode = checkEnum("TransferMode", form.TransferMode, TRANSFER_MODES);
  }
  if ("TransferCallerId" in form) {
    changes.transferCallerId = checkEnum("TransferCallerId", form.TransferCallerId, TRANSFER_CALLER_IDS);
  }
  if ("Secure" in form) changes.secure = boolParam("Secure", form.Secure);
  if ("CnamLookupEnabled" in form) {
    changes.cnamLookupEnabled = boolParam("CnamLookupEnabled", form.CnamLookupEnabled);
  }
  return changes;
}

async function createTrunk(ctx: ApiContext): Promise<Response> {
  const { store, account } = ctx;
  const form = await readForm(ctx.req, { optional: TRUNK_PARAMS });
  const sid = newSid("TK");
  const changes = trunkChanges(ctx, form, sid);
  if (store.ofAccount(store.trunks, account.sid).length >= MAX_TRUNKS_PER_ACCOUNT) {
    throw validationError(21244, `Maximum number of trunks (${MAX_TRUNKS_PER_ACCOUNT}) reached`);
  }
  const trunk: Trunk = {
    sid,
    accountSid: account.sid,
    ...store.stamp(),
    friendlyName: null,
    domainName: null,
    secure: false,
    transferMode: "disable-all",
    transferCallerId: "from-transferee",
    cnamLookupEnabled: false,
    disasterRecoveryUrl: null,
    disasterRecoveryMethod: null,
    recording: { mode: "do-not-record", trim: "do-not-trim" },
    ...changes,
  };
  store.trunks.set(sid, trunk);
  return created(renderTrunk(store, trunk));
}

async function updateTrunk(ctx: ApiContext, { trunkSid }: Params): Promise<Response> {
  const form = await readForm(ctx.req, { optional: TRUNK_PARAMS });
  const trunk = findOwned(ctx, ctx.store.trunks, trunkSid);
  Object.assign(trunk, trunkChanges(ctx, form, trunk.sid), { updated: ctx.store.clock.now() });
  return ok(renderTrunk(ctx.store, trunk));
}

function listTrunks(ctx: ApiContext): Response {
  const { store } = ctx;
  return trunkingPage(
    ctx,
    "trunks",
    store.ofAccount(store.trunks, ctx.account.sid),
    (t) => renderTrunk(store, t),
  );
}

function associationOr404(ctx: ApiContext, trunkSid: string, listSid: string) {
  findOwned(ctx, ctx.store.trunks, trunkSid);
  const association = ctx.store.trunkCredentialLists.get(associationKey(trunkSid, listSid));
  if (!association) throw notFound(ctx.url.pathname);
  return association;
}

async function associateCredentialList(ctx: ApiContext, { trunkSid }: Params): Promise<Response> {
  const { store } = ctx;
  const form = await readForm(ctx.req, { required: ["CredentialListSid"] });
  const trunk = findOwned(ctx, store.trunks, trunkSid);
  const list = findOwned(ctx, store.credentialLists, form.CredentialListSid);
  const key = associationKey(trunk.sid, list.sid);
  if (store.trunkCredentialLists.has(key)) {
    throw validationError(21245, `Credential list ${list.sid} is already associated with trunk ${trunk.sid}`);
  }
  const association = {
    trunkSid: trunk.sid,
    credentialListSid: list.sid,
    ...store.stamp(),
  };
  store.trunkCredentialLists.set(key, association);
  return created(renderTrunkCredentialList(association, list));
}

/** A list route of one of the account's trunks' subresources: `records` of the trunk, a page at a time. */
function trunkSubresources<T extends Sequenced>(
  key: string,
  records: (store: Store, trunkSid: string) => T[],
  render: (record: T, store: Store) => unknown,
) {
  return (ctx: ApiContext, { trunkSid }: Params): Response => {
    findOwned(ctx, ctx.store.trunks, trunkSid);
    return trunkingPage(ctx, key, records(ctx.store, trunkSid), (record) => render(record, ctx.store));
  };
}

const listTrunkCredentialLists = trunkSubresources(
  "credential_lists",
  (store, trunkSid) => store.associationsOfTrunk(trunkSid),
  (a, store) => renderTrunkCredentialList(a, store.credentialLists.get(a.credentialListSid)!),
);

function fetchTrunkCredentialList(ctx: ApiContext, { trunkSid, listSid }: Params): Response {
  const association = associationOr404(ctx, trunkSid, listSid);
  return ok(renderTrunkCredentialList(association, ctx.store.credentialLists.get(listSid)!));
}

function removeTrunkCredentialList(ctx: ApiContext, { trunkSid, listSid }: Params): Response {
  associationOr404(ctx, trunkSid, listSid);
  ctx.store.trunkCredentialLists.delete(associationKey(trunkSid, listSid));
  return noContent();
}

/** Validates every given origination URL parameter (all 21245) before anything is changed. */
function originationUrlChanges(form: Form): Partial<OriginationUrl> {
  const changes: Partial<OriginationUrl> = {};
  if ("Weight" in form) changes.weight = integerInRange("Weight", form.Weight, 1, 65535, 21245);
  if ("Priority" in form) changes.priority = integerInRange("Priority", form.Priority, 0, 65535, 21245);
  if ("Enabled" in form) {
    changes.enabled = parseBoolean(
      form.Enabled,
      () => validationError(21245, "Enabled must be true or false"),
    );
  }
  if ("FriendlyName" in form) changes.friendlyName = checkFriendlyName(form.FriendlyName, 21245);
  if ("SipUrl" in form) changes.sipUrl = checkSipUrl(form.SipUrl);
  return changes;
}

const originationUrlOr404 = ownedUnder("trunks", "originationUrls", "trunkSid");

async function createOriginationUrl(ctx: ApiContext, { trunkSid }: Params): Promise<Response> {
  const { store } = ctx;
  const form = await readForm(ctx.req, { required: ORIGINATION_URL_PARAMS });
  const trunk = findOwned(ctx, store.trunks, trunkSid);
  // All five are required on create, so every field is present.
  const changes = originationUrlChanges(form) as Pick<
    OriginationUrl,
    "weight" | "priority" | "enabled" | "friendlyName" | "sipUrl"
  >;
  if (store.trunkOf(store.originationUrls, trunk.sid).length >= MAX_ORIGINATION_URLS_PER_TRUNK) {
    throw validationError(
      21249,
      `Maximum number of origination URLs (${MAX_ORIGINATION_URLS_PER_TRUNK}) reached`,
    );
  }
  const url: OriginationUrl = {
    ...changes,
    sid: newSid("OU"),
    accountSid: trunk.accountSid,
    trunkSid: trunk.sid,
    ...store.stamp(),
  };
  store.originationUrls.set(url.sid, url);
  return created(renderOriginationUrl(url));
}

async function updateOriginationUrl(ctx: ApiContext, { trunkSid, urlSid }: Params): Promise<Response> {
  const form = await readForm(ctx.req, { optional: ORIGINATION_URL_PARAMS });
  const url = originationUrlOr404(ctx, trunkSid, urlSid);
  Object.assign(url, originationUrlChanges(form), { updated: ctx.store.clock.now() });
  return ok(renderOriginationUrl(url));
}

const listOriginationUrls = trunkSubresources(
  "origination_urls",
  (store, trunkSid) => store.trunkOf(store.originationUrls, trunkSid),
  renderOriginationUrl,
);

function deleteOriginationUrl(ctx: ApiContext, { trunkSid, urlSid }: Params): Response {
  ctx.store.originationUrls.delete(originationUrlOr404(ctx, trunkSid, urlSid).sid);
  return noContent();
}

const attachedNumberOr404 = ownedUnder("trunks", "numbers", "trunkSid");

async function attachPhoneNumber(ctx: ApiContext, { trunkSid }: Params): Promise<Response> {
  const form = await readForm(ctx.req, { required: ["PhoneNumberSid"] });
  const trunk = findOwned(ctx, ctx.store.trunks, trunkSid);
  const number = findOwned(ctx, ctx.store.numbers, form.PhoneNumberSid);
  attachToTrunk(ctx, number, trunk);
  return created(renderTrunkPhoneNumber(number));
}

const listPhoneNumbers = trunkSubresources(
  "phone_numbers",
  (store, trunkSid) => store.trunkOf(store.numbers, trunkSid),
  renderTrunkPhoneNumber,
);

function detachPhoneNumber(ctx: ApiContext, { trunkSid, numberSid }: Params): Response {
  ctx.store.detachNumber(attachedNumberOr404(ctx, trunkSid, numberSid));
  return noContent();
}

async function updateRecording(ctx: ApiContext, { trunkSid }: Params): Promise<Response> {
  const form = await readForm(ctx.req, { optional: ["Mode", "Trim"] });
  const trunk = findOwned(ctx, ctx.store.trunks, trunkSid);
  const mode = "Mode" in form ? checkEnum("Mode", form.Mode, RECORDING_MODES) : trunk.recording.mode;
  const trim = "Trim" in form ? checkEnum("Trim", form.Trim, RECORDING_TRIMS) : trunk.recording.trim;
  trunk.recording = { mode, trim };
  trunk.updated = ctx.store.clock.now();
  // UpdateRecording answers 202 Accepted in twilio_trunking_v1.json, not 200.
  return jsonResponse(202, { ...trunk.recording });
}

export function addTrunkingRoutes(router: Router<ApiContext>): void {
  const trunk = "/v1/Trunks/:trunkSid";
  router
    .on("POST", "/v1/Trunks", createTrunk)
    .on("GET", "/v1/Trunks", listTrunks)
    .on(
      "GET",
      trunk,
      (ctx, { trunkSid }) => ok(renderTrunk(ctx.store, findOwned(ctx, ctx.store.trunks, trunkSid))),
    )
    .on("POST", trunk, updateTrunk)
    .on("DELETE", trunk, (ctx, { trunkSid }) => {
      ctx.store.deleteTrunk(findOwned(ctx, ctx.store.trunks, trunkSid));
      return noContent();
    })
    .on("POST", `${trunk}/CredentialLists`, associateCredentialList)
    .on("GET", `${trunk}/CredentialLists`, listTrunkCredentialLists)
    .on("GET", `${trunk}/CredentialLists/:listSid`, fetchTrunkCredentialList)
    .on("DELETE", `${trunk}/CredentialLists/:listSid`, removeTrunkCredentialList)
    .on("POST", `${trunk}/OriginationUrls`, createOriginationUrl)
    .on("GET", `${trunk}/OriginationUrls`, listOriginationUrls)
    .on(
      "GET",
      `${trunk}/OriginationUrls/:urlSid`,
      (ctx, p) => ok(renderOriginationUrl(originationUrlOr404(ctx, p.trunkSid, p.urlSid))),
    )
    .on("POST", `${trunk}/OriginationUrls/:urlSid`, updateOriginationUrl)
    .on("DELETE", `${trunk}/OriginationUrls/:urlSid`, deleteOriginationUrl)
    .on("POST", `${trunk}/PhoneNumbers`, attachPhoneNumber)
    .on("GET", `${trunk}/PhoneNumbers`, listPhoneNumbers)
    .on(
      "GET",
      `${trunk}/PhoneNumbers/:numberSid`,
      (ctx, p) => ok(renderTrunkPhoneNumber(attachedNumberOr404(ctx, p.trunkSid, p.numberSid))),
    )
    .on("DELETE", `${trunk}/PhoneNumbers/:numberSid`, detachPhoneNumber)
    .on(
      "GET",
      `${trunk}/Recording`,
      (ctx, { trunkSid }) => ok({ ...findOwned(ctx, ctx.store.trunks, trunkSid).recording }),
    )
    .on("POST", `${trunk}/Recording`, updateRecording);
}
