/**
 * How an operator task starts from its command line: a bad flag is one line and the usage on stderr (exit 2),
 * `--help` is the usage on stdout (exit 0); then the task runs, and an error it lets escape (a setting that does
 * not parse, a database that cannot be reached) is one line on stderr, without a stack trace (exit 1).
 */
import { UsageError } from "./args.ts";
import { useRunningStackSettings } from "./env.ts";

export interface CommandLine<A extends { help: boolean }> {
  usage: string;
  parse: (argv: string[]) => A;
  /** With no database named, work on the running `task dev` stack (env.ts). */
  localStack?: boolean;
}

/** Runs the task `name` on the process's arguments and exits with its status. */
export async function runTask<A extends { help: boolean }>(
  name: string,
  commandLine: CommandLine<A>,
  run: (args: A) => Promise<number>,
): Promise<never> {
  Deno.exit(await exitStatus(name, commandLine, run, Deno.args));
}

async function exitStatus<A extends { help: boolean }>(
  name: string,
  { usage, parse, localStack }: CommandLine<A>,
  run: (args: A) => Promise<number>,
  argv: string[],
): Promise<number> {
  if (localStack && await useRunningStackSettings(argv)) {
    console.error(`${name}: using the running local stack (task status)`);
  }
  let args: A;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${name}: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  try {
    return await run(args);
  } catch (error) {
    console.error(`${name}: ${(error as Error)?.message ?? error}`);
    return 1;
  }
}
