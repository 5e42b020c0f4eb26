// Top-level request dispatch: admin API, the two Twilio API families, or 404.
import { createAdminHandler } from "./admin_routes.ts";
import { createApiHandler } from "./api_pipeline.ts";
import type { EmulatorState } from "./emulator_state.ts";
import { notFound, toErrorResponse } from "./errors.ts";
import type { Reply } from "./transport.ts";

export function createApp(state: EmulatorState): (req: Request) => Promise<Reply> {
  const admin = createAdminHandler(state);
  const api = createApiHandler(state);
  return async (req) => {
    const url = new URL(req.url);
    try {
      if (url.pathname.startsWith("/_emulator/")) return await admin(req, url);
      if (/^\/(v1|2010-04-01)\//.test(url.pathname)) return await api(req, url);
      throw notFound(url.pathname);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
