// HTTP/1.1 transport of both emulators, on plain TCP (Deno.listen). Two things decide its shape:
//
// - A "reset" fault must drop the TCP connection with no response at all, so that the client's fetch rejects
//   with a network error. Deno.serve cannot (it always sends a status line first, so fetch resolves and only
//   the body read fails); here the handler's DROP_CONNECTION closes the socket.
// - The emulator claims Twilio's latency (L) and nothing beyond it. Its own per-request work must stay small
//   and must not make concurrent requests queue, as they would not on Twilio's servers. node:http, which this
//   replaced, cost 0.6-0.9 ms of the emulator's one thread per request (Deno.serve 0.1-0.4; this about the
//   same as Deno.serve).
//
// Connections: `keepAlive` keeps them open between requests, as Twilio's API does (its SDKs pool them:
// twilio-node's RequestClient takes https.Agent keepAlive options). Then a dropped connection behaves as it does
// in production: Deno's fetch silently re-sends a request (even a POST) once when a *reused* connection dies
// before the response, so only a request sent on a connection of its own (Deno.createHttpClient) is sure to see
// the drop. The product sends every create that way (retry-policy.ts, mayReuseConnection). Without `keepAlive`
// every response says `Connection: close`, so every drop reaches the client whatever it sends.
import { STATUS_CODES } from "node:http";
import { ConnectionReader, readRequest, type RequestHead } from "./http1.ts";

/** Returned by a handler to close the connection without any response. */
export const DROP_CONNECTION = Symbol("drop connection");
export type Reply = Response | typeof DROP_CONNECTION;
export type RequestHandler = (req: Request) => Promise<Reply>;

export interface Listening {
  port: number;
  close(): Promise<void>;
}

export function listen(
  handler: RequestHandler,
  port: number,
  hostname: string,
  { keepAlive = false }: { keepAlive?: boolean } = {},
): Promise<Listening> {
  const listener = Deno.listen({ hostname, port, transport: "tcp" });
  const connections = new Set<Deno.TcpConn>();
  const serving = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      connections.add(conn);
      const task = serveConnection(conn, handler, keepAlive).finally(() => {
        connections.delete(conn);
        serving.delete(task);
      });
      serving.add(task);
    }
  })().catch(() => {/* the listener was closed */});
  return Promise.resolve({
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const conn of connections) closeQuietly(conn);
      await accepting;
      await Promise.all(serving);
    },
  });
}

/** Requests of one connection, one at a time, until either side closes it or a reply drops it. */
async function serveConnection(conn: Deno.TcpConn, handler: RequestHandler, keepAlive: boolean) {
  conn.setNoDelay(true);
  const reader = new ConnectionReader(conn);
  try {
    for (;;) {
      const incoming = await readRequest(reader, () => write(conn, CONTINUE));
      if (!incoming) return;
      const reply = await handler(toRequest(incoming.head, incoming.body));
      if (reply === DROP_CONNECTION) return;
      const open = keepAlive && incoming.head.keepAlive;
      await write(conn, await serialise(reply, incoming.head.method, open));
      if (!open) return;
    }
  } catch {
    // A request that cannot be parsed, or a client gone mid-way: its connection is closed, as node:http did.
  } finally {
    closeQuietly(conn);
  }
}

const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

function toRequest(head: RequestHead, body: Uint8Array | null): Request {
  return new Request(`http://emulator${head.target}`, {
    method: head.method,
    headers: head.headers,
    body: body && head.method !== "GET" && head.method !== "HEAD"
      ? body as Uint8Array<ArrayBuffer>
      : undefined,
  });
}

async function serialise(reply: Response, method: string, keepOpen: boolean): Promise<Uint8Array> {
  const body = new Uint8Array(await reply.arrayBuffer());
  let head = `HTTP/1.1 ${reply.status} ${reply.statusText || STATUS_CODES[reply.status] || "Unknown"}\r\n`;
  for (const [name, value] of reply.headers) {
    if (name !== "content-length" && name !== "connection") head += `${name}: ${value}\r\n`;
  }
  head += `content-length: ${body.length}\r\n${keepOpen ? "" : "connection: close\r\n"}\r\n`;
  const headBytes = new TextEncoder().encode(head);
  if (method === "HEAD") return headBytes;
  const message = new Uint8Array(headBytes.length + body.length);
  message.set(headBytes);
  message.set(body, headBytes.length);
  return message;
}

async function write(conn: Deno.Conn, bytes: Uint8Array) {
  for (let written = 0; written < bytes.length;) written += await conn.write(bytes.subarray(written));
}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close();
  } catch { /* already closed */ }
}
