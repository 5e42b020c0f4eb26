import assert from "node:assert/strict";
import * as base64url from "jose/base64url";
import { SecretBox } from "../crypto/secrets.ts";
import { signToken } from "../crypto/signed-tokens.ts";
import { ApiError } from "../http/errors.ts";
import { PAGE_TOKEN_PURPOSE, pageTokens } from "./page-token.ts";

const box = (byte: number) => new SecretBox([{ id: "k", raw: new Uint8Array(32).fill(byte) }]);
const CREDENTIAL = "11111111-1111-4111-8111-111111111111";
const CALL = "CA" + "a".repeat(32);
/** Twilio's token for a calls page: its next page's query, base64url (twilio/client.ts). */
const twilioToken = (query: string) => base64url.encode(query);

const refused = (error: unknown) =>
  error instanceof ApiError && error.status === 400 && error.code === "invalid_page_token" &&
  error.field === "pageToken";

Deno.test("page tokens: a sealed cursor opens to itself, and only for the credential it was sealed for", async () => {
  const tokens = pageTokens(box(1), CREDENTIAL);
  for (const cursor of [{ t: null }, { t: twilioToken("PageSize=100&Page=1"), c: CALL, r: 2 }]) {
    const token = await tokens.seal(cursor);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(await tokens.open(token), { c: undefined, r: undefined, ...cursor });
    await assert.rejects(pageTokens(box(1), crypto.randomUUID()).open(token), refused, "another credential");
    await assert.rejects(pageTokens(box(2), CREDENTIAL).open(token), refused, "after a key rotation");
  }
});

Deno.test("page tokens: a token edited to ask Twilio for 1,000 calls a page is refused", async () => {
  const tokens = pageTokens(box(1), CREDENTIAL);
  const token = await tokens.seal({ t: twilioToken("PageSize=100&Page=1&PageToken=PACA1"), c: CALL });
  const [payload, mac] = token.split(".");
  const cursor = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
  cursor.t = twilioToken("PageSize=1000&Page=1&PageToken=PACA1");
  const edited = `${base64url.encode(JSON.stringify(cursor))}.${mac}`;
  await assert.rejects(tokens.open(edited), refused);
  // Nor does the unsigned form this function used to give out open.
  await assert.rejects(tokens.open(edited.split(".")[0]), refused);
});

Deno.test("page tokens: garbled tokens, and signed ones of another shape, are a 400 on pageToken", async () => {
  const tokens = pageTokens(box(1), CREDENTIAL);
  const key = await box(1).signingKey(PAGE_TOKEN_PURPOSE);
  const signed = (value: unknown) => signToken(key, CREDENTIAL, JSON.stringify(value));
  const cases = [
    "not base64 !",
    "",
    "a.b.c",
    `${base64url.encode('{"t":null}')}.`,
    await signed([1, 2]),
    await signed({ t: 5 }),
    await signed({ t: null, c: "CA123" }),
    await signed({ t: null, r: 2 }),
    await signed({ t: "" }),
  ];
  for (const token of cases) await assert.rejects(tokens.open(token), refused, token);
});
