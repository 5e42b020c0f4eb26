/**
 * `deno task token <user-uuid> [--legacy] [--anonymous] [--expires-in seconds]`: creates that user in auth.users if
 * needed, starts a session for it and prints an access token, as Supabase Auth would issue after sign-in. The
 * token is signed as the running project signs them (ES256 with its signing key; HS256 with `task dev
 * --legacy-jwt`); `--legacy` asks for an HS256 token signed with the legacy JWT secret either way.
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { ensureUser, mintAccessToken } from "./local/users.ts";
import { readRunningStack } from "./local/state.ts";

const USAGE = "Usage: deno task token <user-uuid> [--legacy] [--anonymous] [--expires-in seconds]";

function fail(message: string, code = 2): never {
  console.error(message);
  Deno.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      "expires-in": { type: "string", default: "3600" },
      legacy: { type: "boolean", default: false },
      anonymous: { type: "boolean", default: false },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const { positionals, values } = parsed;
const userId = positionals[0];
if (
  positionals.length !== 1 || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)
) {
  fail(`Give exactly one user id, a UUID such as ${crypto.randomUUID()}\n${USAGE}`);
}
const expiresIn = values["expires-in"];
if (!/^-?\d{1,9}$/.test(expiresIn)) {
  fail(`--expires-in must be a whole number of seconds, got "${expiresIn}"`);
}

const stack = await readRunningStack();
if (!stack) fail("The local stack is not running. Start it with: deno task dev", 1);
const sql = postgres(stack.db_url, { max: 1, onnotice: () => {} });
try {
  await ensureUser(sql, userId, { isAnonymous: values.anonymous });
  const project = values.legacy ? { ...stack, jwt_mode: "legacy" as const } : stack;
  console.log(
    await mintAccessToken(sql, project, userId, {
      expiresIn: Number(expiresIn),
      isAnonymous: values.anonymous,
    }),
  );
} finally {
  await sql.end();
}
