// The emulators' HTTP/1.1 transport on the wire: raw bytes in, raw bytes out.
import assert from "node:assert/strict";
import { DROP_CONNECTION, listen, type RequestHandler } from "./transport.ts";

/** A server whose handler echoes what it got (method, target, a header, the body), or drops on /drop. */
const echo: RequestHandler = async (req) => {
  if (new URL(req.url).pathname === "/drop") return DROP_CONNECTION;
  const body = await req.text();
  return Response.json({
    method: req.method,
    target: new URL(req.url).pathname + new URL(req.url).search,
    x: req.headers.get("x-test"),
    body,
  });
};

async function withServer(
  options: { keepAlive: boolean },
  test: (port: number) => Promise<void>,
  handler: RequestHandler = echo,
) {
  const server = await listen(handler, 0, "127.0.0.1", options);
  try {
    await test(server.port);
  } finally {
    await server.close();
  }
}

/** Sends `request` on a new connection and reads until the server closes it (or `untilResponses` came). */
async function exchange(port: number, request: string, untilResponses = Infinity): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  let received = "";
  const buffer = new Uint8Array(65536);
  const timer = setTimeout(() => conn.close(), 2000);
  try {
    while (countResponses(received) < untilResponses) {
      const read = await conn.read(buffer).catch(() => null);
      if (read === null) break;
      received += new TextDecoder().decode(buffer.subarray(0, read));
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
  return received;
}

const countResponses = (text: string) => (text.match(/HTTP\/1\.1 2\d\d /g) ?? []).length;

Deno.test("transport: requests on one kept-alive connection are answered in turn, bodies intact", async () => {
  await withServer({ keepAlive: true }, async (port) => {
    const received = await exchange(
      port,
      "POST /v1/Trunks?x=1 HTTP/1.1\r\nHost: e\r\nContent-Length: 14\r\nX-Test: one\r\n\r\nFriendlyName=a" +
        "GET /second HTTP/1.1\r\nHost: e\r\n\r\n",
      2,
    );
    assert.equal(countResponses(received), 2);
    assert.match(received, /"method":"POST","target":"\/v1\/Trunks\?x=1","x":"one","body":"FriendlyName=a"/);
    assert.match(received, /"method":"GET","target":"\/second"/);
    assert.doesNotMatch(received, /connection: close/i);
  });
});

Deno.test("transport: without keepAlive, or when the client asks, the answer says close and the connection ends", async () => {
  await withServer({ keepAlive: false }, async (port) => {
    const received = await exchange(
      port,
      "GET /a HTTP/1.1\r\nHost: e\r\n\r\nGET /b HTTP/1.1\r\nHost: e\r\n\r\n",
    );
    assert.equal(countResponses(received), 1, "the second request is never read");
    assert.match(received, /connection: close/i);
  });
  await withServer({ keepAlive: true }, async (port) => {
    const received = await exchange(
      port,
      "GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
    );
    assert.equal(countResponses(received), 1);
  });
});

Deno.test("transport: chunked bodies are reassembled; Expect: 100-continue gets its interim answer; HEAD has no body", async () => {
  await withServer({ keepAlive: true }, async (port) => {
    const chunked = await exchange(
      port,
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nFrien\r\n9\r\ndlyName=b\r\n0\r\nX-Trailer: t\r\n\r\n",
      1,
    );
    assert.match(chunked, /"body":"FriendlyName=b"/);
    const continued = await exchange(
      port,
      "POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
      1,
    );
    assert.match(continued, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    const head = await exchange(port, "HEAD /h HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.match(head, /content-length: [1-9]\d*\r\n/);
    assert.ok(head.endsWith("\r\n\r\n"), "the head only");
  });
});

Deno.test("transport: a dropped request gets no byte back; a malformed one has its connection closed", async () => {
  await withServer({ keepAlive: true }, async (port) => {
    assert.equal(await exchange(port, "POST /drop HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), "");
    assert.equal(await exchange(port, "NOT HTTP\r\n\r\n"), "");
    assert.equal(await exchange(port, "POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), "");
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      await assert.rejects(
        fetch(`http://127.0.0.1:${port}/drop`, { method: "POST", body: "", client }),
        TypeError,
      );
    } finally {
      client.close();
    }
  });
});

Deno.test("transport: a slow request does not hold up another connection's; close() ends idle kept-alive connections", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const handler: RequestHandler = async (req) => {
    if (new URL(req.url).pathname === "/slow") await released;
    return new Response("done");
  };
  const server = await listen(handler, 0, "127.0.0.1", { keepAlive: true });
  const base = `http://127.0.0.1:${server.port}`;
  const slow = fetch(`${base}/slow`).then((res) => res.text());
  assert.equal(await (await fetch(`${base}/fast`)).text(), "done");
  release();
  assert.equal(await slow, "done");
  const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await idle.write(new TextEncoder().encode("GET /fast HTTP/1.1\r\n\r\n"));
  await idle.read(new Uint8Array(1024));
  await server.close();
  assert.equal(await idle.read(new Uint8Array(1024)), null, "the server closed the idle connection");
  idle.close();
});
