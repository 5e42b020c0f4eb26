/**
 * The local API gateway: what `supabase start` + `supabase functions serve` give on 127.0.0.1:54321, without
 * Docker. Serves every function in config.toml at /functions/v1/<name> (one process per function, verify_jwt
 * honoured), and the project's JWKS at /auth/v1/.well-known/jwks.json.
 *
 * /_local/functions/<name>/kill (POST) kills a function's process as a crash would: tests use it to prove that
 * provisioning survives a crash.
 */
import type { JWK } from "jose";
import { jwksFromJson, verifyAccessToken } from "../../supabase/functions/_shared/auth.ts";
import { readFunctionsConfig } from "./functions-config.ts";
import { FunctionWorker, type LogSink } from "./function-worker.ts";

export interface GatewayOptions {
  port: number;
  jwks: { keys: JWK[] };
  /** Environment every function gets (Supabase's injected variables plus the project's secrets). */
  functionEnv: Record<string, string>;
  log: LogSink;
}

export interface Gateway {
  url: string;
  workers: Map<string, FunctionWorker>;
  close(): Promise<void>;
}

const FUNCTION_PATH = /^\/functions\/v1\/([a-z0-9_-]+)(\/.*)?$/;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const functions = await readFunctionsConfig();
  const jwks = await jwksFromJson(JSON.stringify(options.jwks));
  const workers = new Map<string, FunctionWorker>(
    [...functions.values()].map((
      config,
    ) => [config.name, new FunctionWorker(config, options.functionEnv, options.log)]),
  );

  const server = Deno.serve({ hostname: "127.0.0.1", port: options.port, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/auth/v1/.well-known/jwks.json" || url.pathname === "/auth/v1/jwks") {
      return Response.json(options.jwks);
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
    if (worker.config.verifyJwt && req.method !== "OPTIONS" && !(await hasValidJwt(req, jwks))) {
      return gatewayError(401, "Invalid JWT");
    }
    return await forward(req, worker, `/${match[1]}${match[2] ?? ""}${url.search}`);
  });

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    workers,
    async close() {
      await Promise.all([...workers.values()].map((worker) => worker.stop()));
      await server.shutdown();
    },
  };
}

/** What the edge gateway checks when verify_jwt is on: a bearer token signed by one of the project's keys. */
async function hasValidJwt(req: Request, jwks: Awaited<ReturnType<typeof jwksFromJson>>): Promise<boolean> {
  const token = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) return false;
  return await verifyAccessToken(token, jwks).then(() => true, () => false);
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

function gatewayError(status: number, message: string) {
  return Response.json({ code: status, message }, { status });
}
