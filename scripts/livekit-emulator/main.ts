// Standalone emulator: `deno task livekit-emulator [--port N] [--api-key K] [--api-secret S] [--exit-with-parent]`;
// prints {"url", "apiKey", "apiSecret"} as one JSON line. The local stack runs it this way (scripts/local/stack.ts).
import { parseArgs } from "node:util";
import { closeOnExit } from "../local/emulators.ts";
import { startLiveKitEmulator } from "./server.ts";

const DEFAULT_PORT = 54330;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: String(DEFAULT_PORT) },
    "api-key": { type: "string" },
    "api-secret": { type: "string" },
    "exit-with-parent": { type: "boolean", default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${values.port}`);

const emulator = await startLiveKitEmulator({
  port,
  apiKey: values["api-key"],
  apiSecret: values["api-secret"],
});
console.log(JSON.stringify({ url: emulator.url, apiKey: emulator.apiKey, apiSecret: emulator.apiSecret }));

closeOnExit(() => emulator.close(), { exitWithParent: values["exit-with-parent"] });
