/**
 * The contract's named schemas as OpenAPI components (JSON Schema draft 2020-12, which OpenAPI 3.1 uses), named
 * as the contract exports them, with `$ref`s between them. Request bodies are described as a caller writes them
 * (zod's input side), everything else as the functions answer (its output side).
 *
 * ```ts
 * const { schemas, ref } = contractComponents();
 * ref(MainTrunk); // { $ref: "#/components/schemas/MainTrunk" }
 * ref(SipConfig, HealthReport); // { oneOf: [{ $ref: … }, { $ref: … }] }
 * ```
 */
import { z } from "zod";
import * as contract from "../../supabase/functions/_shared/contract/index.ts";

export type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = "#/components/schemas/";

export function contractComponents() {
  const named = namedSchemas();
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const convert = (io: "input" | "output") =>
    z.toJSONSchema(registry, { target: "draft-2020-12", io, uri: (id) => COMPONENT_PREFIX + id }).schemas;
  const [input, output] = [convert("input"), convert("output")];
  const bodies = new Set(contract.ENDPOINTS.flatMap((endpoint) => endpoint.body ?? []));

  const schemas: Record<string, JsonSchema> = {};
  for (const [schema, id] of [...named].sort(([, a], [, b]) => a.localeCompare(b))) {
    // A component carries no $schema (the document's dialect applies) nor an $id of its own.
    const { $schema: _, $id: __, ...json } = (bodies.has(schema) ? input : output)[id];
    schemas[id] = json;
  }

  /**
   * A reference to each named schema, unions taken apart, each once: one `$ref`, or `oneOf` them (the answers'
   * objects are strict, so at most one matches).
   */
  function ref(...of: z.ZodType[]): JsonSchema {
    const leaves = [...new Set(of.flatMap(namedLeaves))];
    const refs = leaves.map((schema) => ({ $ref: COMPONENT_PREFIX + named.get(schema) }));
    return refs.length === 1 ? refs[0] : { oneOf: refs };
  }

  function namedLeaves(schema: z.ZodType): z.ZodType[] {
    if (named.has(schema)) return [schema];
    if (schema instanceof z.ZodUnion) {
      return schema.options.flatMap((option) => namedLeaves(option as z.ZodType));
    }
    throw new Error("A body or answer schema the contract does not export by name: name it there");
  }

  return { schemas, ref };
}

/**
 * The contract's schemas exported under type-like (capitalised) names, by those names; field helpers such as
 * `accountSid` are inlined where used, and query schemas become parameters instead.
 */
function namedSchemas(): Map<z.ZodType, string> {
  const queries = new Set(contract.ENDPOINTS.flatMap((endpoint) => endpoint.query ?? []));
  const named = new Map<z.ZodType, string>();
  for (const [name, value] of Object.entries(contract)) {
    if (!/^[A-Z]/.test(name) || !(value instanceof z.ZodType) || queries.has(value as z.ZodObject)) continue;
    if (named.has(value)) throw new Error(`${name} and ${named.get(value)} are one schema: export it once`);
    named.set(value, name);
  }
  return named;
}
