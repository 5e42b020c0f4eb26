import assert from "node:assert/strict";
import { ApiError } from "./errors.ts";
import { NoQuery } from "../contract/fields.ts";
import { parseInput, queryObject, readJsonBody } from "./validation.ts";

Deno.test("readJsonBody: a body without Content-Length stops being read at the cap", async () => {
  const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      if (pulled > 64) controller.close(); // 4 MiB, were it all read
      else controller.enqueue(chunk);
    },
  });
  const req = new Request("http://localhost/", { method: "POST", body });
  await assert.rejects(readJsonBody(req), (error) => error instanceof ApiError && error.status === 413);
  assert.ok(pulled <= 6, `read ${pulled} chunks of 64 KiB for a 256 KiB cap`);
});

Deno.test("readJsonBody: empty is {}, JSON objects pass, anything else is invalid_json", async () => {
  const read = (text: string) =>
    readJsonBody(new Request("http://localhost/", { method: "POST", body: text }));
  assert.deepEqual(await read(""), {});
  assert.deepEqual(await read('{"a":1}'), { a: 1 });
  for (const bad of ["[1]", "null", "{", "3"]) {
    await assert.rejects(read(bad), (error) => error instanceof ApiError && error.code === "invalid_json");
  }
});

Deno.test("queryObject: Supabase's region parameter is the platform's, every other key still counts", () => {
  const query = (search: string) => queryObject(new URL(`http://localhost/attach-phone${search}`));
  assert.deepEqual(query("?forceFunctionRegion=us-east-1"), {});
  assert.deepEqual(parseInput(NoQuery, query("?forceFunctionRegion=us-east-1")), {});
  assert.deepEqual(query("?verify=1&forceFunctionRegion=eu-west-1"), { verify: "1" });
  assert.throws(
    () => parseInput(NoQuery, query("?__proto__=x")),
    (error) => error instanceof ApiError && error.field === "__proto__",
  );
  assert.throws(
    () => parseInput(NoQuery, query("?forceFunctionRegion=us-east-1&region=us-east-1")),
    (error) => error instanceof ApiError && error.field === "region",
  );
});
