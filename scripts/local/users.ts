/** Users of the local stack: rows in auth.users and the access tokens Supabase Auth would give them. */
import postgres from "postgres";
import { signAccessToken } from "./keys.ts";
import type { StackInfo } from "./stack.ts";

export async function ensureUser(dbUrl: string, userId: string, email = `${userId}@example.test`) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
      values (${userId}, 'authenticated', 'authenticated', ${email}, '{"provider":"email"}', '{}')
      on conflict (id) do nothing`;
  } finally {
    await sql.end();
  }
}

export function mintAccessToken(
  stack: Pick<StackInfo, "api_url" | "signing_key">,
  userId: string,
  options: { expiresIn?: number } = {},
): Promise<string> {
  return signAccessToken(stack.signing_key, { userId, issuer: `${stack.api_url}/auth/v1`, ...options });
}
