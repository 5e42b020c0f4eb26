/**
 * The background worker of the local pg_net stand-in (see pg-net-vault-standins.sql): delivers each committed
 * net.http_post request, records the outcome in net._http_response and removes it from the queue, as pg_net does.
 */
import postgres from "postgres";

export interface WebhookDispatcher {
  /** Resolves once every request queued so far has been delivered (tests use it instead of sleeping). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

interface QueuedRequest {
  id: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeout_milliseconds: number;
}

export async function startWebhookDispatcher(dbUrl: string): Promise<WebhookDispatcher> {
  const sql = postgres(dbUrl, { max: 4, onnotice: () => {} });
  let running = Promise.resolve();
  let closed = false;

  const deliverQueued = () => {
    running = running.then(async () => {
      if (closed) return;
      const queued = await sql<QueuedRequest[]>`
        delete from net.http_request_queue
        where id in (select id from net.http_request_queue order by id limit 50 for update skip locked)
        returning id, url, headers, body, timeout_milliseconds`;
      await Promise.all(queued.map((request) => deliver(sql, request)));
      if (queued.length === 50) deliverQueued();
    }).catch((error) => console.error("[webhook-dispatcher]", error.message));
  };

  await sql.listen("net_http_request", deliverQueued);
  deliverQueued();
  return {
    async drain() {
      deliverQueued();
      await running;
    },
    async close() {
      closed = true;
      await running;
      await sql.end({ timeout: 1 });
    },
  };
}

async function deliver(sql: postgres.Sql, request: QueuedRequest) {
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeout_milliseconds),
    });
    await sql`insert into net._http_response (id, status_code, content)
      values (${request.id}, ${response.status}, ${await response.text()})`;
  } catch (error) {
    await sql`insert into net._http_response (id, error_msg) values (${request.id}, ${
      (error as Error).message
    })`;
  }
}
