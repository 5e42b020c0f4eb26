// Parsing one HTTP/1.1 request off a connection (RFC 9112): the request line, the header fields, and a body
// framed by Content-Length or chunked transfer coding. What the emulators' clients send (fetch, the Twilio and
// LiveKit SDKs, curl, a browser); anything malformed throws and its connection is closed.

export interface RequestHead {
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  headers: Headers;
  /** Whether the client lets the connection stay open after the response (HTTP/1.1 unless `close`). */
  keepAlive: boolean;
}

/** A request head beyond this is refused: its connection is closed. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = [13, 10];
const HEAD_END = [13, 10, 13, 10];
const decoder = new TextDecoder();

/**
 * The next request on the connection, or null when the client closed it between requests. `sendContinue` is
 * called before the body is read when the client waits for it (`Expect: 100-continue`).
 */
export async function readRequest(
  reader: ConnectionReader,
  sendContinue: () => Promise<void>,
): Promise<{ head: RequestHead; body: Uint8Array | null } | null> {
  const headEnd = await bytesUntil(reader, HEAD_END, MAX_HEAD_BYTES, { endOk: true });
  if (headEnd === null) return null;
  const head = parseHead(decoder.decode(reader.take(headEnd + HEAD_END.length)));
  const chunked = /(^|,)\s*chunked\s*$/i.test(head.headers.get("transfer-encoding") ?? "");
  const length = head.headers.get("content-length");
  if (!chunked && length === null) return { head, body: null };
  if (head.headers.get("expect")?.toLowerCase() === "100-continue") await sendContinue();
  return {
    head,
    body: chunked ? await chunkedBody(reader) : await fixedBody(reader, contentLength(length!)),
  };
}

function parseHead(text: string): RequestHead {
  const [requestLine, ...fields] = text.slice(0, -HEAD_END.length).split("\r\n");
  const line = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(requestLine);
  if (!line) throw new Error(`malformed request line: ${requestLine.slice(0, 100)}`);
  const headers = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0) throw new Error(`malformed header field: ${field.slice(0, 100)}`);
    headers.append(field.slice(0, colon), field.slice(colon + 1).trim());
  }
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const keepAlive = line[3] === "1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
  return { method: line[1], target: line[2], headers, keepAlive };
}

function contentLength(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`malformed Content-Length: ${value}`);
  return Number(value);
}

async function fixedBody(reader: ConnectionReader, length: number): Promise<Uint8Array> {
  while (reader.buffered.length < length) {
    if (!await reader.fill()) throw new Error("connection closed inside a request body");
  }
  return reader.take(length);
}

async function chunkedBody(reader: ConnectionReader): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const sizeLine = decoder.decode(await line(reader));
    const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(sizeLine);
    if (!size) throw new Error(`malformed chunk size: ${sizeLine.slice(0, 100)}`);
    const length = parseInt(size[1], 16);
    if (length === 0) break;
    chunks.push(await fixedBody(reader, length));
    if ((await line(reader)).length !== 0) throw new Error("a chunk is longer than its size");
  }
  while ((await line(reader)).length !== 0) { /* trailer fields: none of the emulators' business */ }
  const body = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  chunks.reduce((offset, chunk) => (body.set(chunk, offset), offset + chunk.length), 0);
  return body;
}

/** The next line without its CRLF. */
async function line(reader: ConnectionReader): Promise<Uint8Array> {
  const end = await bytesUntil(reader, CRLF, MAX_HEAD_BYTES, { endOk: false });
  const taken = reader.take(end! + CRLF.length);
  return taken.subarray(0, end!);
}

/**
 * Where `pattern` starts in what the connection sends, reading as needed; null if the connection ends before
 * anything was sent and `endOk`.
 */
async function bytesUntil(
  reader: ConnectionReader,
  pattern: number[],
  limit: number,
  { endOk }: { endOk: boolean },
): Promise<number | null> {
  for (let searched = 0;;) {
    const at = indexOf(reader.buffered, pattern, searched);
    if (at >= 0) return at;
    searched = Math.max(0, reader.buffered.length - pattern.length + 1);
    if (reader.buffered.length > limit) throw new Error("request head too large");
    if (!await reader.fill()) {
      if (endOk && reader.buffered.length === 0) return null;
      throw new Error("connection closed inside a request head");
    }
  }
}

function indexOf(bytes: Uint8Array, pattern: number[], from: number): number {
  outer: for (let i = from; i <= bytes.length - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

/** Buffered reads from a connection. */
export class ConnectionReader {
  #buffer = new Uint8Array(0);
  readonly #chunk = new Uint8Array(64 * 1024);

  constructor(private readonly conn: { read(into: Uint8Array): Promise<number | null> }) {}

  /** What has been read and not yet taken. */
  get buffered(): Uint8Array {
    return this.#buffer;
  }

  /** Reads more; false at the end of the stream. */
  async fill(): Promise<boolean> {
    const read = await this.conn.read(this.#chunk);
    if (read === null) return false;
    const grown = new Uint8Array(this.#buffer.length + read);
    grown.set(this.#buffer);
    grown.set(this.#chunk.subarray(0, read), this.#buffer.length);
    this.#buffer = grown;
    return true;
  }

  /** Takes the first `length` buffered bytes. */
  take(length: number): Uint8Array {
    const taken = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return taken;
  }
}
