// 2010 API account fetch, which clients use as a credential check.
import { type ApiContext, ok } from "./api-context.ts";
import { renderAccount } from "./render.ts";
import type { Router } from "./router.ts";

export function addAccountRoutes(router: Router<ApiContext>): void {
  // The pipeline has already matched :accountSid against the authenticated account.
  router.on("GET", "/2010-04-01/Accounts/:accountSid.json", (ctx) => ok(renderAccount(ctx.account)));
}
