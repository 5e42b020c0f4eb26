/** The tests' answer check catches drift: a field too many or too few, an undeclared code, a code's wrong status. */
import assert from "node:assert/strict";
import { contractProblem } from "./contract-check.ts";

const URL_BASE = "http://127.0.0.1:54321/functions/v1";
const recordingSettings = { trunkSid: `TK${"0".repeat(32)}`, mode: "do-not-record", trim: "do-not-trim" };

const request = (fn: string, method = "GET", headers: Record<string, string> = {}) => ({
  url: `${URL_BASE}/${fn}`,
  method,
  headers: new Headers(headers),
});
const answer = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "x-request-id": "request-1", ...headers } });
const error = (code: string, status: number) =>
  answer({ error: { code, message: "…", field: null } }, status);

Deno.test("contract check: an answer as declared passes; one that drifted does not", async () => {
  assert.equal(await contractProblem(request("recording-info"), answer(recordingSettings)), undefined);
  assert.match(
    (await contractProblem(request("recording-info"), answer({ ...recordingSettings, extra: 1 })))!,
    /GET recording-info -> 200: the answer matches no schema/,
  );
  const { trim: _, ...withoutTrim } = recordingSettings;
  assert.ok(await contractProblem(request("recording-info"), answer(withoutTrim)));
});

Deno.test("contract check: error codes must be declared by the endpoint and come with their status", async () => {
  assert.equal(
    await contractProblem(request("recording-info"), error("recording_not_found", 404)),
    undefined,
  );
  assert.match(
    (await contractProblem(request("recording-info"), error("recording_not_found", 400)))!,
    /comes with 404/,
  );
  assert.match(
    (await contractProblem(request("attach-phone"), error("recording_not_found", 404)))!,
    /not an error the endpoint declares/,
  );
  assert.equal(
    await contractProblem(request("attach-phone", "PUT"), error("method_not_allowed", 405)),
    undefined,
  );
  assert.ok(await contractProblem(request("attach-phone"), answer({ message: "no error body" }, 400)));
});

Deno.test("contract check: the secret key's answer has its own schema; others' answers are not checked", async () => {
  const config = {
    domainName: "d.pstn.twilio.com",
    sipUsername: "u",
    trunkSid: "TK1",
    credentialListSid: "CL1",
    status: "active",
    degraded: [],
    livekit: { address: "d.pstn.twilio.com", transport: "tcp", numbers: [], authUsername: "u" },
  };
  const withPassword = {
    ...config,
    sipPassword: "p",
    livekit: { ...config.livekit, authPassword: "p" },
  };
  const service = request("get-sip-config", "GET", { apikey: "sb_secret_x" });
  assert.equal(await contractProblem(request("get-sip-config"), answer(config)), undefined);
  assert.ok(await contractProblem(request("get-sip-config"), answer(withPassword)), "no password for users");
  assert.equal(await contractProblem(service, answer(withPassword)), undefined);

  const gateway = new Response(JSON.stringify({ code: 502, message: "gone" }), { status: 502 });
  assert.equal(await contractProblem(request("attach-phone"), gateway), undefined);
  assert.equal(await contractProblem(request("not-a-function"), answer({})), undefined);
  const audio = new Response("bytes", { headers: { "x-request-id": "r", "content-type": "audio/mpeg" } });
  assert.equal(await contractProblem(request("recording-info"), audio), undefined);
});
