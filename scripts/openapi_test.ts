/**
 * docs/openapi.json: current (what `deno task openapi` would write now), a valid OpenAPI 3.1 document whose
 * schemas are valid JSON Schema 2020-12, and complete: every endpoint, method, caller, answer and error code of
 * the contract is in it.
 */
import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ENDPOINTS, ERROR_CODES, ERRORS } from "../supabase/functions/_shared/contract/index.ts";
import { OPENAPI_FILE } from "./openapi.ts";
import { renderOpenApi, SECURITY_SCHEMES } from "./openapi/document.ts";

const committed = await Deno.readTextFile(OPENAPI_FILE);
// deno-lint-ignore no-explicit-any
const doc: any = JSON.parse(committed);

Deno.test("openapi: docs/openapi.json is what `deno task openapi` writes from the contract now", () => {
  assert.ok(
    committed === renderOpenApi(),
    "docs/openapi.json is stale: run `deno task openapi` and commit it",
  );
});

Deno.test("openapi: the document validates as OpenAPI 3.1", async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.1");
});

Deno.test("openapi: every schema is JSON Schema 2020-12 and every $ref names a component", () => {
  const ajv = new Ajv2020({ strict: false });
  const schemas: unknown[] = [];
  const refs: string[] = [];
  const walk = (node: unknown, inSchema: boolean) => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref") refs.push(value as string);
      if (key === "schema" && !inSchema) schemas.push(value);
      walk(value, inSchema || key === "schema" || key === "schemas");
    }
  };
  walk(doc.paths, false);
  schemas.push(...Object.values(doc.components.schemas));
  for (const schema of schemas) {
    assert.ok(
      ajv.validateSchema(schema as object),
      `${JSON.stringify(ajv.errors)} in ${JSON.stringify(schema)}`,
    );
  }
  const missing = refs.filter((ref) => !(ref.replace("#/components/schemas/", "") in doc.components.schemas));
  assert.deepEqual(missing, []);
});

Deno.test("openapi: every function, method, caller, answer and error code of the contract is described", () => {
  for (const endpoint of ENDPOINTS) {
    const where = `${endpoint.method} ${endpoint.fn} (${endpoint.caller})`;
    const operation = doc.paths[`/functions/v1/${endpoint.fn}`]?.[endpoint.method.toLowerCase()];
    assert.ok(operation, `${where} is missing`);
    assert.ok(
      operation.security.some((scheme: object) => SECURITY_SCHEMES[endpoint.caller] in scheme),
      `${where}: its caller's security scheme`,
    );
    assert.ok(doc.components.securitySchemes[SECURITY_SCHEMES[endpoint.caller]], `${where}: security scheme`);
    assert.equal(!!operation.requestBody, !!endpoint.body, `${where}: request body`);
    const parameters = (operation.parameters ?? []).map((parameter: { name: string }) => parameter.name);
    for (const [name, field] of Object.entries(endpoint.query?.shape ?? {})) {
      if (field.def.type === "optional" && field.def.innerType.def.type === "never") continue;
      assert.ok(parameters.includes(name), `${where}: query parameter ${name}`);
    }
    for (const status of Object.keys(endpoint.answers)) {
      assert.ok(operation.responses[status], `${where}: answer ${status}`);
    }
    for (const code of endpoint.errors) {
      const codes = operation.responses[ERRORS[code].status]?.content["application/json"].schema.allOf[1]
        .properties.error.properties.code.enum;
      assert.ok(codes?.includes(code), `${where}: error ${code} under ${ERRORS[code].status}`);
    }
  }
  assert.deepEqual(doc.components.schemas.ErrorCode.enum, ERROR_CODES);
  const body = doc.components.schemas.ErrorBody.properties.error;
  assert.deepEqual(body.properties.code, { $ref: "#/components/schemas/ErrorCode" });
  assert.deepEqual(["code", "message", "field"].filter((key) => !body.required.includes(key)), []);
});
