// Starts one emulator instance with its own in-memory state.
import { createApp } from "./app.ts";
import { EmulatorState } from "./emulator-state.ts";
import { restoreSnapshot, snapshotOf } from "./snapshot.ts";
import { listen } from "./transport.ts";

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  hostname?: string;
  /** Keep the resources in this file: loaded at start, saved every few seconds and at close. */
  stateFile?: string;
}

const SAVE_EVERY_MS = 5_000;

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const hostname = options.hostname ?? "127.0.0.1";
  const state = new EmulatorState();
  const persist = options.stateFile ? await persistence(state, options.stateFile) : undefined;
  // Kept alive as Twilio's API keeps them (transport.ts): what the product's connection pooling meets in production.
  const listening = await listen(createApp(state), options.port ?? 0, hostname, { keepAlive: true });
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${listening.port}`,
    port: listening.port,
    async close() {
      state.shutdown(); // end latency/delay waits so in-flight requests finish now
      await listening.close();
      await persist?.stop();
    },
  };
}

/** Loads the saved resources, then saves them periodically (a killed process loses at most a few seconds). */
async function persistence(state: EmulatorState, file: string) {
  const saved = await Deno.readTextFile(file).catch(() => undefined);
  if (saved) restoreSnapshot(state.store, saved);
  let last = saved;
  const save = async () => {
    const now = snapshotOf(state.store);
    if (now === last) return;
    await Deno.writeTextFile(file, now, { mode: 0o600 });
    last = now;
  };
  const timer = setInterval(() => save().catch(() => {}), SAVE_EVERY_MS);
  Deno.unrefTimer(timer);
  return {
    async stop() {
      clearInterval(timer);
      await save();
    },
  };
}
