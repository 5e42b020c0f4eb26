/**
 * /functions/v1/attach-phone (user JWT)
 *   GET                                                 -> the account's numbers and where each one's calls go
 *   POST   { phoneNumberSid } | { phoneNumber } | { phoneNumbers: [...] }  -> attach them to the main trunk
 *          (each number may come with an `agentName`: its calls go to that LiveKit agent, by a rule of its own)
 *   DELETE (the same body)                              -> detach them, restoring their voice settings
 * `phoneNumbers` holds 1..1000 items, each an E.164 number or a PN SID. Each number gets its own result.
 */
import { z } from "zod";
import { authenticateUser } from "../_shared/auth.ts";
import { createHandler, json } from "../_shared/http/handler.ts";
import { parseInput, queryObject, readJsonBody } from "../_shared/http/validation.ts";
import { attachPhoneToMainTrunk, detachPhoneFromMainTrunk } from "../_shared/numbers/attach.ts";
import {
  E164,
  isNumberReference,
  MAX_NUMBERS_PER_REQUEST,
  PHONE_NUMBER_SID,
} from "../_shared/numbers/identifiers.ts";
import { listCustomerNumbers } from "../_shared/numbers/list.ts";
import { serviceContext } from "../_shared/provisioning/context.ts";

const FIELDS = ["phoneNumberSid", "phoneNumber", "phoneNumbers"] as const;

const reference = z.string().trim().refine(
  isNumberReference,
  "must be an E.164 number (e.g. +15551234567) or a PN SID",
);
/** The LiveKit agent this number's calls go to, instead of the deployment's (a rule of its own). */
const agentName = z.string().trim().min(1).max(128, "must be at most 128 characters");

const numbersBody = z.strictObject({
  phoneNumberSid: z.string().trim().regex(
    PHONE_NUMBER_SID,
    "must be PN followed by 32 lowercase hex characters",
  )
    .optional(),
  phoneNumber: z.string().trim().regex(E164, "must be an E.164 number, e.g. +15551234567").optional(),
  agentName: agentName.optional(),
  phoneNumbers: z.array(
    z.union([reference, z.strictObject({ number: reference, agentName: agentName.optional() })], {
      error: "must be an E.164 number or PN SID, or {number, agentName}",
    }),
    { error: "must be a list of E.164 numbers or PN SIDs" },
  )
    .min(1, "must name at least one number")
    .max(MAX_NUMBERS_PER_REQUEST, `must name at most ${MAX_NUMBERS_PER_REQUEST} numbers`)
    .optional(),
}).superRefine((body, ctx) => {
  const given = FIELDS.filter((field) => body[field] !== undefined);
  if (given.length === 0) {
    ctx.addIssue({ code: "custom", message: `give one of ${FIELDS.join(", ")}` });
  } else if (given.length > 1) {
    ctx.addIssue({ code: "custom", path: [given[1]], message: `cannot be combined with ${given[0]}` });
  }
});

const noQuery = z.strictObject({});

/** The caller's user id and the numbers the body names, or a 400. */
async function numbersRequest(req: Request, url: URL) {
  const userId = await authenticateUser(req);
  parseInput(noQuery, queryObject(url));
  const body = parseInput(numbersBody, await readJsonBody(req));
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
    parseInput(noQuery, queryObject(url));
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
