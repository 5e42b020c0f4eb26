/**
 * Ctrl-C (or SIGTERM) for operator tasks that work row by row: the first aborts the signal, so rows in flight
 * finish and the summary is still printed; a second leaves at once (exit 130), each row being safe to resume.
 *
 * ```ts
 * const interrupt = stopOnInterrupt((line) => reporter.log(line));
 * try { await run({ signal: interrupt.signal }); } finally { interrupt.release(); }
 * ```
 */
export function stopOnInterrupt(say: (line: string) => void): { signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) Deno.exit(130);
    say("stopping: rows in flight finish; Ctrl-C again to quit at once");
    stop.abort();
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  return {
    signal: stop.signal,
    release: () => signals.forEach((signal) => Deno.removeSignalListener(signal, onSignal)),
  };
}
