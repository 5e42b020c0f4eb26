// Starts one emulator instance with its own in-memory state.
import { createApp } from "./app.ts";
import { EmulatorState } from "./emulator_state.ts";
import { listen } from "./transport.ts";

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  hostname?: string;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const hostname = options.hostname ?? "127.0.0.1";
  const state = new EmulatorState();
  const listening = await listen(createApp(state), options.port ?? 0, hostname);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${listening.port}`,
    port: listening.port,
    async close() {
      state.shutdown(); // end latency/delay waits so in-flight requests finish now
      await listening.close();
    },
  };
}
