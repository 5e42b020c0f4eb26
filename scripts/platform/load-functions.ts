/**
 * Run under the hosted Edge Runtime's Deno by `edge-runtime-deno_test.ts`: loads each function's entry given as a
 * `name=path` argument (with `Deno.serve` captured, so nothing listens) and answers a CORS preflight and a call without
 * credentials. Prints the Deno version, then one JSON line per function: `{ name, preflight, unauthenticated }`
 * or `{ name, error }`.
 */
console.log(JSON.stringify({ deno: Deno.version.deno }));
for (const argument of Deno.args) {
  const [name, entry] = [argument.slice(0, argument.indexOf("=")), argument.slice(argument.indexOf("=") + 1)];
  let handler: ((req: Request) => Promise<Response>) | undefined;
  (Deno as unknown as { serve: unknown }).serve = (serve: typeof handler) => {
    handler = serve;
    return { finished: Promise.resolve(), shutdown: () => Promise.resolve() };
  };
  try {
    await import(new URL(entry, "file:///").href);
    const url = `http://127.0.0.1/${name}`;
    const preflight = await handler!(
      new Request(url, {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "POST" },
      }),
    );
    const call = await handler!(new Request(url, { method: "POST", body: "{}" }));
    const answer = await call.json();
    console.log(JSON.stringify({
      name,
      preflight: preflight.status,
      unauthenticated: [call.status, answer.error?.code],
    }));
  } catch (error) {
    console.log(JSON.stringify({ name, error: String((error as Error)?.stack ?? error) }));
  }
}
