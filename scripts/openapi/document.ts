/**
 * The functions' OpenAPI 3.1 description, built from the contract alone: a path per function, an operation per
 * method (a method's endpoints for different callers, e.g. get-sip-config's for users and for the secret key, are
 * one operation), its query parameters, body, answers by status, and an error response per status naming the
 * codes that status carries.
 *
 * ```ts
 * await Deno.writeTextFile("docs/openapi.json", renderOpenApi());
 * ```
 */
import { z } from "zod";
import {
  type Caller,
  type Endpoint,
  ErrorBody,
  ERRORS,
} from "../../supabase/functions/_shared/contract/index.ts";
import { contractComponents, type JsonSchema } from "./components.ts";
import { declaredErrors, operations } from "./operations.ts";

/** The security scheme of each kind of caller. */
export const SECURITY_SCHEMES: Record<Caller, string> = {
  user: "userAccessToken",
  secretKey: "secretKey",
  webhookSecret: "webhookSecret",
};

const CALLERS: Record<Caller, string> = {
  user: "With a user's access token",
  secretKey: "With the secret key",
  webhookSecret: "With the webhook secret",
};

/** The document as docs/openapi.json holds it. */
export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

export function openApiDocument() {
  const { schemas, ref } = contractComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoints of operations()) {
    const { fn, method } = endpoints[0];
    (paths[`/functions/v1/${fn}`] ??= {})[method.toLowerCase()] = operation(endpoints, ref);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Twilio main-trunk SIP provisioning",
      version: "1.0.0",
      description:
        "Supabase Edge Functions that connect a user's Twilio account, provision its Elastic SIP " +
        "trunk (and the LiveKit side), and manage its numbers, recordings and health. Generated from the zod " +
        "schemas in supabase/functions/_shared/contract by `deno task openapi`. Every error is " +
        '`{"error": {"code", "message", "field", ...}}` with a stable code (ErrorCode); a method a function ' +
        "does not serve answers 405 `method_not_allowed`, and every function answers CORS preflights.",
    },
    servers: [
      {
        url: "https://{projectRef}.supabase.co",
        variables: { projectRef: { default: "your-project-ref", description: "The Supabase project's ref" } },
      },
      { url: "http://127.0.0.1:54321", description: "The local stack (`deno task dev`)" },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        [SECURITY_SCHEMES.user]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The signed-in user's Supabase Auth access token (what supabase-js sends)",
        },
        [SECURITY_SCHEMES.secretKey]: {
          type: "apiKey",
          in: "header",
          name: "apikey",
          description:
            "The project's secret key (sb_secret_…): server-side callers such as the voice backend",
        },
        [SECURITY_SCHEMES.webhookSecret]: {
          type: "apiKey",
          in: "header",
          name: "X-Webhook-Secret",
          description: "The function's WEBHOOK_SECRET: the database webhook and pg_cron's sweep",
        },
      },
    },
  };
}

function operation(endpoints: Endpoint[], ref: (...of: z.ZodType[]) => JsonSchema) {
  const { fn, method } = endpoints[0];
  const bodies = endpoints.flatMap((endpoint) => endpoint.body ?? []);
  const query = parameters(endpoints);
  return {
    operationId: `${fn.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase())}${method[0]}${
      method.slice(1).toLowerCase()
    }`,
    tags: [fn],
    summary: unique(endpoints.map((endpoint) => endpoint.summary)).join("; "),
    description: describe(endpoints),
    security: unique(endpoints.map((endpoint) => SECURITY_SCHEMES[endpoint.caller])).map((name) => ({
      [name]: [],
    })),
    ...(query.length ? { parameters: query } : {}),
    ...(bodies.length
      ? { requestBody: { required: true, content: { "application/json": { schema: ref(...bodies) } } } }
      : {}),
    responses: { ...answers(endpoints, ref), ...errorResponses(endpoints, ref) },
  };
}

function describe(endpoints: Endpoint[]): string {
  const descriptions = unique(endpoints.flatMap((endpoint) => endpoint.description ?? []));
  if (endpoints.length === 1) return descriptions.join("\n\n");
  const callers = endpoints.map((endpoint) => `- ${CALLERS[endpoint.caller]}: ${endpoint.summary}`);
  return [callers.join("\n"), ...descriptions].join("\n\n");
}

/** Every query parameter any caller may send; required when every caller must send it. */
function parameters(endpoints: Endpoint[]) {
  const found = new Map<string, { schema: JsonSchema; requiredBy: number }>();
  for (const endpoint of endpoints) {
    for (const [name, field] of Object.entries(endpoint.query?.shape ?? {})) {
      const { $schema: _, ...schema } = z.toJSONSchema(field, { target: "draft-2020-12", io: "input" });
      if ("not" in schema) continue; // a parameter only other callers may send
      const seen = found.get(name) ?? { schema, requiredBy: 0 };
      found.set(name, {
        ...seen,
        requiredBy: seen.requiredBy + (field.safeParse(undefined).success ? 0 : 1),
      });
    }
  }
  return [...found].map(([name, { schema, requiredBy }]) => ({
    name,
    in: "query",
    required: requiredBy === endpoints.length,
    ...(schema.description ? { description: schema.description } : {}),
    schema,
  }));
}

function answers(endpoints: Endpoint[], ref: (...of: z.ZodType[]) => JsonSchema) {
  const statuses = unique(endpoints.flatMap((endpoint) => Object.keys(endpoint.answers)));
  return Object.fromEntries(statuses.map((status) => {
    const declared = endpoints.flatMap((endpoint) => endpoint.answers[Number(status)] ?? []);
    const json = declared.flatMap((answer) => answer.json ?? []);
    const media = unique(declared.flatMap((answer) => answer.media ?? []));
    return [status, {
      description: unique(declared.map((answer) => answer.description)).join("; "),
      content: {
        ...(json.length ? { "application/json": { schema: ref(...json) } } : {}),
        ...Object.fromEntries(media.map((type) => [type, {}])),
      },
    }];
  }));
}

/** One response per error status, its codes listed and enumerated in its schema. */
function errorResponses(endpoints: Endpoint[], ref: (...of: z.ZodType[]) => JsonSchema) {
  const byStatus = Map.groupBy(declaredErrors(endpoints), (code) => ERRORS[code].status);
  return Object.fromEntries([...byStatus].map(([status, statusCodes]) => [String(status), {
    description: statusCodes.map((code) => `\`${code}\`: ${ERRORS[code].description}`).join("\n\n"),
    content: {
      "application/json": {
        schema: {
          allOf: [ref(ErrorBody), { properties: { error: { properties: { code: { enum: statusCodes } } } } }],
        },
      },
    },
  }]));
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];
