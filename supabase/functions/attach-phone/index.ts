/**
 * /functions/v1/attach-phone (user JWT)
 *   GET                                                 -> the account's numbers and where each one's calls go
 *   POST   { phoneNumberSid } | { phoneNumber } | { phoneNumbers: [...] }  -> attach them to the main trunk
 *          (each number may come with an `agentName`: its calls go to that LiveKit agent, by a rule of its own)
 *   DELETE (the same body)                              -> detach them, restoring their voice settings
 * `phoneNumbers` holds 1..1000 items, each an E.164 number or a PN SID. Each number gets its own result.
 * Requests and answers: _shared/contract/attach-phone.ts
 */
import { authenticateUser } from "../_shared/auth.ts";
import { NumbersBody } from "../_shared/contract/attach-phone.ts";
import { NoQuery } from "../_shared/contract/fields.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { attachPhoneToMainTrunk, detachPhoneFromMainTrunk } from "../_shared/numbers/attach.ts";
import { listCustomerNumbers } from "../_shared/numbers/list.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";

/** The caller's user id and the numbers the body names, or a 400. */
async function numbersRequest(req: Request, url: URL) {
  const userId = await authenticateUser(req);
  parseInput(NoQuery, queryObject(url));
  const body = parseInput(NumbersBody, await readJsonBody(req));
  const items = body.phoneNumbers ??
    [{ number: body.phoneNumberSid ?? body.phoneNumber!, agentName: body.agentName }];
  const entries = items.map((item) => typeof item === "string" ? { number: item } : item);
  const agentNames = Object.fromEntries(
    entries.filter((entry) => entry.agentName).map((entry) => [entry.number, entry.agentName!]),
  );
  return { userId, numbers: entries.map((entry) => entry.number), agentNames };
}

Deno.serve(createHandler("attach-phone", {
  GET: async ({ req, url, log }) => {
    const userId = await authenticateUser(req);
    parseInput(NoQuery, queryObject(url));
    return json(await listCustomerNumbers(serviceContext(log.child({ user_id: userId })), { userId }));
  },
  POST: async ({ req, url, log }) => {
    const request = await numbersRequest(req, url);
    return json(
      await attachPhoneToMainTrunk(serviceContext(log.child({ user_id: request.userId })), request),
    );
  },
  DELETE: async ({ req, url, log }) => {
    const request = await numbersRequest(req, url);
    return json(
      await detachPhoneFromMainTrunk(serviceContext(log.child({ user_id: request.userId })), request),
    );
  },
}));
