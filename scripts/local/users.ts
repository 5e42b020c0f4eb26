/** Users of the local stack: rows in auth.users, their sessions, and the access tokens Supabase Auth would give them. */
import postgres from "postgres";
import { type AccessTokenOptions, signAccessToken } from "./keys.ts";
import type { ProjectInfo } from "./stack.ts";

export async function ensureUser(
  sql: postgres.Sql,
  userId: string,
  { email = `${userId}@example.test`, isAnonymous = false } = {},
) {
  await sql`insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, is_anonymous)
    values (${userId}, 'authenticated', 'authenticated', ${isAnonymous ? null : email},
            ${sql.json(isAnonymous ? {} : { provider: "email", providers: ["email"] })}, '{}', ${isAnonymous})
    on conflict (id) do nothing`;
}

/** A session row, as sign-in creates one: Supabase Auth refuses tokens whose session is gone. */
export async function startSession(sql: postgres.Sql, userId: string): Promise<string> {
  const [{ id }] = await sql<{ id: string }[]>`
    insert into auth.sessions (id, user_id) values (${crypto.randomUUID()}, ${userId}) returning id`;
  return id;
}

/** Signs a token for a user of the running stack, the way the stack's project signs them, with a live session. */
export async function mintAccessToken(
  sql: postgres.Sql,
  project: ProjectInfo,
  userId: string,
  options: Omit<AccessTokenOptions, "userId" | "issuer"> & { issuer?: string } = {},
): Promise<string> {
  const sessionId = options.sessionId ?? await startSession(sql, userId);
  return await signAccessToken(project.signing_key, project.jwt_mode, {
    userId,
    issuer: `${project.api_url}/auth/v1`,
    ...options,
    sessionId,
  });
}
