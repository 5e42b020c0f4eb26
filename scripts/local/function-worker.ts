/**
 * One Edge Function running in its own Deno process, as the edge runtime gives each function its own isolate.
 * Started on first use with the environment Supabase would inject, on a port the process picks itself
 * (DENO_SERVE_ADDRESS=tcp:127.0.0.1:0), and started again after it exits or is killed.
 */
import type { FunctionConfig } from "./functions-config.ts";
import { repoRoot } from "./process.ts";

export type LogSink = (functionName: string, line: string) => void;

export interface WorkerOptions {
  /**
   * Drop what the function writes to stdout (its request logs) instead of passing it to the log sink; stderr,
   * where errors and "Listening on" go, is still read. The throughput benchmark uses this so that reading logs
   * does not take CPU from the process it measures.
   */
  discardStdout?: boolean;
}

const LISTENING = /Listening on (https?:\/\/[^\s/]+)/;

export class FunctionWorker {
  #process?: Deno.ChildProcess;
  #url?: Promise<string>;

  constructor(
    readonly config: FunctionConfig,
    private readonly env: Record<string, string>,
    private readonly log: LogSink,
    private readonly options: WorkerOptions = {},
  ) {}

  /** The worker's base URL, starting the process if it is not running. */
  url(): Promise<string> {
    return this.#url ??= this.#start();
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Kills the process at once, as a crash would; the next request starts a fresh one. */
  kill() {
    try {
      this.#process?.kill("SIGKILL");
    } catch { /* already gone */ }
    this.#forget();
  }

  async stop() {
    const child = this.#process;
    this.#forget();
    if (!child) return;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
  }

  #forget() {
    this.#process = undefined;
    this.#url = undefined;
  }

  #start(): Promise<string> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-sys",
        "--no-prompt",
        "--config",
        `${repoRoot}/deno.json`,
        this.config.entrypoint,
      ],
      env: { ...this.env, DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0", NO_COLOR: "1" },
      stdin: "null",
      stdout: this.options.discardStdout ? "null" : "piped",
      stderr: "piped",
    }).spawn();
    this.#process = child;
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const onLine = (line: string) => {
      const listening = line.match(LISTENING);
      if (listening) resolve(listening[1]);
      else this.log(this.config.name, line);
    };
    if (!this.options.discardStdout) this.#pipeLines(child.stdout, onLine);
    this.#pipeLines(child.stderr, onLine);
    child.status.then((status) => {
      if (this.#process === child) this.#forget();
      reject(new Error(`function ${this.config.name} exited (code ${status.code}) before it was ready`));
    });
    return promise;
  }

  async #pipeLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
    let pending = "";
    try {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        const lines = (pending + text).split("\n");
        pending = lines.pop() ?? "";
        lines.forEach(onLine);
      }
    } catch { /* the process died; its status handler reports it */ }
    if (pending) onLine(pending);
  }
}
