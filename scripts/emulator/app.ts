// Top-level request dispatch: admin API, the two Twilio API families (optionally under a region segment), or 404.
import { createAdminHandler } from "./admin-routes.ts";
import { createApiHandler } from "./api-pipeline.ts";
import type { EmulatorState } from "./emulator-state.ts";
import { notFound, toErrorResponse } from "./errors.ts";
import { splitRegion } from "./regions.ts";
import type { Reply } from "./transport.ts";

export function createApp(state: EmulatorState): (req: Request) => Promise<Reply> {
  const admin = createAdminHandler(state);
  const api = createApiHandler(state);
  return async (req) => {
    const url = new URL(req.url);
    try {
      if (url.pathname.startsWith("/_emulator/")) return await admin(req, url);
      const { region, path } = splitRegion(url.pathname);
      if (/^\/(v1|2010-04-01)\//.test(path)) {
        // Handlers, faults and page links see the API path alone, as on the region's own host.
        const apiUrl = new URL(url);
        apiUrl.pathname = path;
        return await api(req, apiUrl, region);
      }
      throw notFound(url.pathname);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
