// Standalone emulator: `deno task emulator [--port N]` (or EMULATOR_PORT); prints {"emulator_url": ...}.
import { startEmulator } from "./server.ts";

const DEFAULT_PORT = 54329;

function portFromArgs(args: string[]): number {
  const flag = args.indexOf("--port");
  const raw = flag === -1 ? Deno.env.get("EMULATOR_PORT") : args[flag + 1];
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${raw}`);
  return port;
}

const emulator = await startEmulator({ port: portFromArgs(Deno.args) });
console.log(JSON.stringify({ emulator_url: emulator.url }));

const stop = async () => {
  await emulator.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
