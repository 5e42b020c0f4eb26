// HTTP transport on node:http rather than Deno.serve: a "reset" fault must drop the TCP connection so the
// client's fetch rejects with a network error. Deno.serve cannot do that (it always sends a status line
// first, so fetch resolves and only the body read fails); node:http exposes the socket to destroy.
//
// Connections: `keepAlive` keeps them open between requests, as Twilio's API does (its SDKs pool them: twilio-node's
// RequestClient takes https.Agent keepAlive options). Then a dropped connection behaves as it does in production:
// Deno's fetch silently re-sends a request (even a POST) once when a *reused* connection dies before the
// response, so only a request sent on a connection of its own (Deno.createHttpClient) is sure to see the drop. The
// product sends every create that way (retry-policy.ts, mayReuseConnection). Without `keepAlive` every response
// says `Connection: close`, so every drop reaches the client whatever it sends.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Returned by a handler to close the connection without any response. */
export const DROP_CONNECTION = Symbol("drop connection");
export type Reply = Response | typeof DROP_CONNECTION;
export type RequestHandler = (req: Request) => Promise<Reply>;

export interface Listening {
  port: number;
  close(): Promise<void>;
}

async function toRequest(incoming: http.IncomingMessage): Promise<Request> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Uint8Array);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, item);
    }
  }
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`http://emulator${incoming.url ?? "/"}`, {
    method,
    headers,
    body: hasBody ? new Blob(chunks as BlobPart[]) : undefined,
  });
}

async function serve(
  incoming: http.IncomingMessage,
  outgoing: http.ServerResponse,
  handler: RequestHandler,
  keepAlive: boolean,
) {
  const reply = await handler(await toRequest(incoming));
  if (reply === DROP_CONNECTION) {
    incoming.socket.destroy();
    return;
  }
  const body = new Uint8Array(await reply.arrayBuffer());
  if (outgoing.destroyed) return; // the client went away while the request was processed
  outgoing.writeHead(reply.status, {
    ...Object.fromEntries(reply.headers),
    "content-length": body.length,
    ...(keepAlive ? {} : { connection: "close" }),
  });
  outgoing.end(body);
}

export function listen(
  handler: RequestHandler,
  port: number,
  hostname: string,
  { keepAlive = false }: { keepAlive?: boolean } = {},
): Promise<Listening> {
  const pending = new Set<Promise<void>>();
  const server = http.createServer((incoming, outgoing) => {
    // A request that cannot even be parsed into a Request gets its connection closed.
    const task = serve(incoming, outgoing, handler, keepAlive).catch(() => {
      incoming.socket.destroy();
    });
    pending.add(task);
    task.finally(() => pending.delete(task));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        async close() {
          const closed = new Promise<void>((done) => server.close(() => done()));
          server.closeAllConnections();
          await Promise.all(pending);
          await closed;
        },
      });
    });
  });
}
