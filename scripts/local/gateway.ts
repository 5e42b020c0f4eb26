/**
 * The local API gateway: what `supabase start` + `supabase functions serve` give on 127.0.0.1:54321, without
 * Docker. Serves every function in config.toml at /functions/v1/<name> (one process per function) and the Auth
 * stand-in at /auth/v1 (sign-up, sign-in, JWKS; see auth-api.ts).
 *
 * `verify_jwt = true` is applied exactly as the hosted platform applies it (supabase-platform-facts.md): only a
 * legacy HS256 token signed with the project's legacy JWT secret passes; a token signed with the new signing keys,
 * an expired one or none at all gets the platform's 401, without CORS headers, and the function never runs.
 * With `verify_jwt = false` the request reaches the function untouched.
 *
 * /_local/functions/<name>/kill (POST) kills a function's process as a crash would: tests use it to prove that
 * provisioning survives a crash.
 */
import { jwtVerify } from "jose";
import { type FunctionConfig, readFunctionsConfig } from "./functions-config.ts";
import { FunctionWorker, type LogSink } from "./function-worker.ts";

export interface GatewayOptions {
  port: number;
  /** The project's legacy JWT secret: the only key the `verify_jwt` gate knows. */
  legacyJwtSecret: string;
  /** Answers /auth/v1/<path>. */
  auth: (req: Request, path: string) => Promise<Response>;
  /** Environment every function gets (Supabase's injected variables plus the project's secrets). */
  functionEnv: Record<string, string>;
  log: LogSink;
  /** Replaces settings from config.toml per function (tests switch verify_jwt back on this way). */
  overrides?: Record<string, Partial<Pick<FunctionConfig, "verifyJwt">>>;
}

export interface Gateway {
  url: string;
  functionEnv: Record<string, string>;
  workers: Map<string, FunctionWorker>;
  close(): Promise<void>;
}

const FUNCTION_PATH = /^\/functions\/v1\/([a-z0-9_-]+)(\/.*)?$/;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const functions = await readFunctionsConfig();
  const workers = new Map<string, FunctionWorker>(
    [...functions.values()].map((config) => {
      const effective = { ...config, ...options.overrides?.[config.name] };
      return [config.name, new FunctionWorker(effective, options.functionEnv, options.log)];
    }),
  );
  const legacySecret = new TextEncoder().encode(options.legacyJwtSecret);

  const server = Deno.serve({ hostname: "127.0.0.1", port: options.port, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/auth/v1/")) {
      if (req.method === "OPTIONS") return withAuthCors(new Response(null, { status: 204 }), req);
      return withAuthCors(await options.auth(req, url.pathname.slice("/auth/v1".length)), req);
    }
    if (url.pathname === "/_local/health") return Response.json({ ok: true });
    const kill = url.pathname.match(/^\/_local\/functions\/([a-z0-9_-]+)\/kill$/);
    if (kill && req.method === "POST") {
      const worker = workers.get(kill[1]);
      if (!worker) return gatewayError(404, "Function not found");
      const pid = worker.pid;
      worker.kill();
      return Response.json({ killed: pid ?? null });
    }
    const match = url.pathname.match(FUNCTION_PATH);
    const worker = match && workers.get(match[1]);
    if (!match || !worker) return gatewayError(404, "Function not found");
    if (worker.config.verifyJwt && req.method !== "OPTIONS") {
      const refusal = await legacyJwtGate(req, legacySecret);
      if (refusal) return refusal;
    }
    return await forward(req, worker, `/${match[1]}${match[2] ?? ""}${url.search}`);
  });

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    functionEnv: options.functionEnv,
    workers,
    async close() {
      await Promise.all([...workers.values()].map((worker) => worker.stop()));
      await server.shutdown();
    },
  };
}

/** The platform's `verify_jwt`: an unexpired HS256 token signed with the legacy secret, or the platform's 401. */
async function legacyJwtGate(req: Request, secret: Uint8Array): Promise<Response | undefined> {
  const header = req.headers.get("authorization");
  if (!header) return gatewayError(401, "Missing authorization header");
  const token = header.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
  const valid = await jwtVerify(token, secret, { algorithms: ["HS256"] }).then(() => true, () => false);
  return valid ? undefined : gatewayError(401, "Invalid JWT");
}

async function forward(req: Request, worker: FunctionWorker, path: string): Promise<Response> {
  let base: string;
  try {
    base = await worker.url();
  } catch (error) {
    return gatewayError(503, `Function failed to start: ${(error as Error).message}`);
  }
  try {
    return await fetch(base + path, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
    });
  } catch {
    // The process died under the request (a crash, or a kill through /_local): the next request restarts it.
    worker.kill();
    return gatewayError(502, "Function process ended before it responded");
  }
}

/**
 * Supabase Auth answers browsers on any origin (sign-up and sign-in from a web page), so the stand-in does too:
 * the example page is served from its own port.
 */
function withAuthCors(response: Response, req: Request): Response {
  response.headers.set("Access-Control-Allow-Origin", "*");
  response.headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
  response.headers.set(
    "Access-Control-Allow-Headers",
    req.headers.get("access-control-request-headers") ?? "authorization, apikey, content-type, x-client-info",
  );
  return response;
}

function gatewayError(status: number, message: string) {
  return Response.json({ code: status, message }, { status });
}
