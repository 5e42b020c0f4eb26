// Standalone emulator: `deno task emulator [--port N] [--state-file F] [--exit-with-parent]` (or EMULATOR_PORT);
// prints {"emulator_url": ...}. The local stack runs it this way, as a process of its own like the service it
// stands for (scripts/local/stack.ts).
import { parseArgs } from "node:util";
import { closeOnExit } from "../local/emulators.ts";
import { startEmulator } from "./server.ts";

const DEFAULT_PORT = 54329;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string" },
    "state-file": { type: "string" },
    "exit-with-parent": { type: "boolean", default: false },
  },
});
const rawPort = values.port ?? Deno.env.get("EMULATOR_PORT") ?? "";
const port = rawPort === "" ? DEFAULT_PORT : Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${rawPort}`);

const emulator = await startEmulator({ port, stateFile: values["state-file"] });
console.log(JSON.stringify({ emulator_url: emulator.url }));

closeOnExit(() => emulator.close(), { exitWithParent: values["exit-with-parent"] });
