// Starts one LiveKit SIP API emulator with its own credentials and in-memory state.
import { listen } from "../emulator/transport.ts";
import { createAdminHandler } from "./admin.ts";
import { defaultConfig, type EmulatorConfig } from "./behaviour.ts";
import { toErrorResponse, TwirpError } from "./errors.ts";
import { newApiKey, newApiSecret } from "./ids.ts";
import { EmulatorState } from "./state.ts";
import { createTwirpHandler, TWIRP_PREFIX } from "./twirp.ts";

export interface LiveKitEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Random (`API` + 12 base62) when not given. */
  apiKey?: string;
  /** Random (43 base62) when not given. */
  apiSecret?: string;
  /** Start-up settings; `POST /_emulator/reset` returns to these. */
  config?: Partial<EmulatorConfig>;
}

export interface RunningLiveKitEmulator {
  /** `http://127.0.0.1:<port>`: the host to give `SipClient`. */
  url: string;
  apiKey: string;
  apiSecret: string;
  close(): Promise<void>;
}

export async function startLiveKitEmulator(
  options: LiveKitEmulatorOptions = {},
): Promise<RunningLiveKitEmulator> {
  const credentials = {
    apiKey: options.apiKey ?? newApiKey(),
    apiSecret: options.apiSecret ?? newApiSecret(),
  };
  const state = new EmulatorState(credentials, { ...defaultConfig(), ...options.config });
  const admin = createAdminHandler(state);
  const twirp = createTwirpHandler(state);
  const listening = await listen(
    async (req) => {
      const url = new URL(req.url);
      try {
        if (url.pathname.startsWith("/_emulator/")) return await admin(req, url);
        if (url.pathname.startsWith(TWIRP_PREFIX)) return await twirp(req, url);
        throw new TwirpError("bad_route", `no handler for path "${url.pathname}"`);
      } catch (error) {
        return toErrorResponse(error);
      }
    },
    options.port ?? 0,
    "127.0.0.1",
  );
  return {
    url: `http://127.0.0.1:${listening.port}`,
    ...credentials,
    async close() {
      state.shutdown(); // end latency/delay waits so in-flight requests finish now
      await listening.close();
    },
  };
}
