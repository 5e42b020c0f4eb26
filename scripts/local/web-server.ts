/**
 * Serves the example page's build as a static site on 127.0.0.1, as any static host would, plus the
 * `/config.json` that points the page at a stack (its API URL and publishable key; nothing secret).
 *
 * ```ts
 * const page = await startWebPage({ port: 54323, supabaseUrl: info.api_url, publishableKey: info.publishable_key });
 * console.log(page.url); // http://127.0.0.1:54323/
 * ```
 */
import { extname, join, normalize } from "node:path";
import { buildWebPage } from "./web-build.ts";

export interface WebPageConfig {
  supabaseUrl: string;
  publishableKey: string;
}

export interface WebServerOptions extends WebPageConfig {
  /** 0 picks a free port. */
  port: number;
  distDir: string;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Builds the page if needed, then serves it. */
export async function startWebPage(options: Omit<WebServerOptions, "distDir">): Promise<WebServer> {
  return serveWebPage({ ...options, distDir: await buildWebPage() });
}

export function serveWebPage(options: WebServerOptions): WebServer {
  const config: WebPageConfig = { supabaseUrl: options.supabaseUrl, publishableKey: options.publishableKey };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port, onListen() {} },
    (req) => respond(req, options.distDir, config),
  );
  return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

async function respond(req: Request, distDir: string, config: WebPageConfig): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("Method Not Allowed", { status: 405, headers: { Allow: "GET, HEAD" } });
  }
  const path = safePath(new URL(req.url).pathname);
  if (path === undefined) return new Response("Bad Request", { status: 400 });
  if (path === "/config.json") {
    return Response.json(config, { headers: { "Cache-Control": "no-store" } });
  }

  // A path without an extension is a page of the app: index.html answers it (single-page app).
  const file = path === "/" || !extname(path) ? "/index.html" : path;
  let opened: Deno.FsFile;
  try {
    opened = await Deno.open(join(distDir, file));
    if (!(await opened.stat()).isFile) {
      opened.close();
      throw new Deno.errors.NotFound(file);
    }
  } catch {
    return new Response("Not Found", { status: 404 });
  }
  const headers = {
    "Content-Type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    // Vite puts a content hash in every asset's name; index.html must be asked for again to see a new build.
    "Cache-Control": file.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    "X-Content-Type-Options": "nosniff",
  };
  if (req.method === "HEAD") {
    opened.close();
    return new Response(null, { headers });
  }
  return new Response(opened.readable, { headers });
}

/** The decoded path, or undefined when it is malformed or climbs out of the site. */
function safePath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.split("/").includes("..")) {
    return undefined;
  }
  return normalize(decoded);
}
