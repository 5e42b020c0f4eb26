// 2010 API SIP credential lists and their credentials (usernames and password digests).
import { createHash } from "node:crypto";
import { api2010Page, type ApiContext, created, findOwned, noContent, ok } from "./api-context.ts";
import { ownedUnder } from "./owned-under.ts";
import { validationError } from "./errors.ts";
import { readForm } from "./form.ts";
import { newSid } from "./ids.ts";
import { renderCredential, renderCredentialList } from "./render.ts";
import type { Params, Router } from "./router.ts";
import type { Credential, CredentialList } from "./store.ts";
import { checkFriendlyName, checkPassword, checkUsername } from "./validation.ts";

const MAX_CREDENTIAL_LISTS_PER_ACCOUNT = 100;
const MAX_CREDENTIALS_PER_LIST = 1000;

/** Synchronous on purpose: no await between a handler's checks and its write, so concurrent requests cannot race. */
function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** FriendlyName rules for credential lists: at most 64 characters and unique within the account (21240). */
function checkListName(ctx: ApiContext, name: string, listSid: string | null): string {
  checkFriendlyName(name, 21240);
  const lists = ctx.store.ofAccount(ctx.store.credentialLists, ctx.account.sid);
  if (lists.some((list) => list.sid !== listSid && list.friendlyName === name)) {
    throw validationError(21240, `A credential list named ${name} already exists`);
  }
  return name;
}

async function createCredentialList(ctx: ApiContext): Promise<Response> {
  const { store, account } = ctx;
  const form = await readForm(ctx.req, { required: ["FriendlyName"] });
  const friendlyName = checkListName(ctx, form.FriendlyName, null);
  if (store.ofAccount(store.credentialLists, account.sid).length >= MAX_CREDENTIAL_LISTS_PER_ACCOUNT) {
    throw validationError(
      21239,
      `Maximum number of credential lists (${MAX_CREDENTIAL_LISTS_PER_ACCOUNT}) reached`,
    );
  }
  const list: CredentialList = {
    sid: newSid("CL"),
    accountSid: account.sid,
    friendlyName,
    ...store.stamp(),
  };
  store.credentialLists.set(list.sid, list);
  return created(renderCredentialList(list));
}

async function updateCredentialList(ctx: ApiContext, { listSid }: Params): Promise<Response> {
  const form = await readForm(ctx.req, { required: ["FriendlyName"] });
  const list = findOwned(ctx, ctx.store.credentialLists, listSid);
  list.friendlyName = checkListName(ctx, form.FriendlyName, list.sid);
  list.updated = ctx.store.clock.now();
  return ok(renderCredentialList(list));
}

/** A list still associated with any trunk cannot be deleted (21241). */
function deleteCredentialList(ctx: ApiContext, { listSid }: Params): Response {
  const list = findOwned(ctx, ctx.store.credentialLists, listSid);
  const trunks = ctx.store.associationsOfList(list.sid).map((a) => a.trunkSid);
  if (trunks.length > 0) {
    throw validationError(
      21241,
      `Credential list ${list.sid} is still associated with trunk(s) ${trunks.join(", ")}`,
    );
  }
  ctx.store.deleteCredentialList(list);
  return noContent();
}

function credentialsOf(ctx: ApiContext, listSid: string): Credential[] {
  return [...ctx.store.credentials.values()].filter((c) => c.credentialListSid === listSid);
}

const credentialOr404 = ownedUnder("credentialLists", "credentials", "credentialListSid");

async function createCredential(ctx: ApiContext, { listSid }: Params): Promise<Response> {
  const { store } = ctx;
  const form = await readForm(ctx.req, { required: ["Username", "Password"] });
  const list = findOwned(ctx, store.credentialLists, listSid);
  const username = checkUsername(form.Username);
  const existing = credentialsOf(ctx, list.sid);
  // A duplicate username is not among 21240's causes, so it gets the generic credential error 21243.
  if (existing.some((c) => c.username === username)) {
    throw validationError(21243, `Username ${username} already exists in credential list ${list.sid}`);
  }
  const passwordDigest = sha256Hex(checkPassword(form.Password));
  // 21242: "list full: more than 1,000 credentials" (twilio-api-facts.md).
  if (existing.length >= MAX_CREDENTIALS_PER_LIST) {
    throw validationError(
      21242,
      `Maximum number of credentials per list (${MAX_CREDENTIALS_PER_LIST}) reached`,
    );
  }
  const credential: Credential = {
    sid: newSid("CR"),
    accountSid: list.accountSid,
    credentialListSid: list.sid,
    username,
    passwordDigest,
    ...store.stamp(),
  };
  store.credentials.set(credential.sid, credential);
  return created(renderCredential(credential));
}

async function updateCredential(ctx: ApiContext, params: Params): Promise<Response> {
  const form = await readForm(ctx.req, { optional: ["Password"] });
  const credential = credentialOr404(ctx, params.listSid, params.credentialSid);
  if ("Password" in form) credential.passwordDigest = sha256Hex(checkPassword(form.Password));
  credential.updated = ctx.store.clock.now();
  return ok(renderCredential(credential));
}

export function addSipRoutes(router: Router<ApiContext>): void {
  const lists = "/2010-04-01/Accounts/:accountSid/SIP/CredentialLists";
  const list = `${lists}/:listSid`;
  const credential = `${list}/Credentials/:credentialSid.json`;
  router
    .on("POST", `${lists}.json`, createCredentialList)
    .on("GET", `${lists}.json`, (ctx) =>
      api2010Page(
        ctx,
        "credential_lists",
        ctx.store.ofAccount(ctx.store.credentialLists, ctx.account.sid),
        renderCredentialList,
      ))
    .on(
      "GET",
      `${list}.json`,
      (ctx, { listSid }) => ok(renderCredentialList(findOwned(ctx, ctx.store.credentialLists, listSid))),
    )
    .on("POST", `${list}.json`, updateCredentialList)
    .on("DELETE", `${list}.json`, deleteCredentialList)
    .on("POST", `${list}/Credentials.json`, createCredential)
    .on("GET", `${list}/Credentials.json`, (ctx, { listSid }) => {
      findOwned(ctx, ctx.store.credentialLists, listSid);
      return api2010Page(ctx, "credentials", credentialsOf(ctx, listSid), renderCredential);
    })
    .on(
      "GET",
      credential,
      (ctx, params) => ok(renderCredential(credentialOr404(ctx, params.listSid, params.credentialSid))),
    )
    .on("POST", credential, updateCredential)
    .on("DELETE", credential, (ctx, params) => {
      ctx.store.credentials.delete(credentialOr404(ctx, params.listSid, params.credentialSid).sid);
      return noContent();
    });
}
