// The Twilio API request pipeline: auth → concurrency check → handler, answered at arrival + latency; a faulted
// request: latency → its fault (→ the handler, for an applied fault or a delay).
import { addAccountRoutes } from "./account-routes.ts";
import type { ApiContext } from "./api-context.ts";
import { authenticate } from "./auth.ts";
import { addCallRoutes } from "./call-routes.ts";
import type { EmulatorState } from "./emulator-state.ts";
import { errorResponse, notFound, toErrorResponse, TwilioError } from "./errors.ts";
import { type Fault, faultError } from "./faults.ts";
import { sleep, waitSince } from "./limits.ts";
import { addNumberRoutes } from "./number-routes.ts";
import type { Region } from "./regions.ts";
import { Router } from "./router.ts";
import { addSipRoutes } from "./sip-routes.ts";
import { DROP_CONNECTION, type Reply } from "./transport.ts";
import { addTrunkingRoutes } from "./trunking-routes.ts";
import type { Account } from "./store.ts";

function apiRouter(): Router<ApiContext> {
  const router = new Router<ApiContext>();
  addTrunkingRoutes(router);
  addAccountRoutes(router);
  addSipRoutes(router);
  addNumberRoutes(router);
  addCallRoutes(router);
  return router;
}

async function dispatch(router: Router<ApiContext>, ctx: ApiContext): Promise<Response> {
  const path = ctx.url.pathname;
  const { handler, params } = router.resolve(ctx.req.method, path);
  // Another account's SID in a 2010 path is reported exactly like a resource that does not exist.
  if (params.accountSid !== undefined && params.accountSid !== ctx.account.sid) throw notFound(path);
  return await handler(ctx, params);
}

export function createApiHandler(
  state: EmulatorState,
): (req: Request, url: URL, region: Region) => Promise<Reply> {
  const router = apiRouter();

  const retryAfterHeaders = (): Record<string, string> => {
    const seconds = state.traffic.retryAfterSeconds;
    return seconds ? { "retry-after": String(seconds) } : {};
  };

  /**
   * Runs once the request holds an in-flight slot; the caller frees the slot whatever happens here. A request is
   * carried out as it arrives and answered L after its arrival: the emulator's work is inside L, as Twilio's own
   * is, so requests arriving together (other customers', a run's concurrent steps) do not queue behind each
   * other's work on the emulator's one thread, as they would not on Twilio's servers. A faulted request waits
   * L first, then its fault decides (see faults.ts).
   */
  async function admitted(req: Request, url: URL, account: Account, arrived: number): Promise<Reply> {
    const ctx = { req, url, account, store: state.store, switches: state.switches };
    const fault = state.faults.take(account.sid, req.method, url.pathname);
    const latency = () => waitSince(arrived, state.traffic.latencyMs ?? 0, state.shutdownSignal);
    if (!fault) {
      const answer = dispatch(router, ctx).catch(toErrorResponse);
      await latency();
      return await answer;
    }
    await latency();
    return await faulted(ctx, fault);
  }

  async function faulted(ctx: ApiContext, fault: Fault): Promise<Reply> {
    await sleep(fault.delayMs, state.shutdownSignal);
    // Whatever the handler answers is lost; its errors are still logged like any other.
    if (fault.applied) await dispatch(router, ctx).catch(toErrorResponse);
    if (fault.reset) return DROP_CONNECTION;
    if (fault.status !== null) {
      return errorResponse(faultError(fault.status, fault), fault.status === 429 ? retryAfterHeaders() : {});
    }
    return await dispatch(router, ctx);
  }

  return async (req, url, region) => {
    const arrived = performance.now();
    let account: Account;
    try {
      account = authenticate(req, state.store, region, state.switches.inactiveAccountAnswer);
    } catch (error) {
      return errorResponse(error as TwilioError, { "www-authenticate": 'Basic realm="Twilio API"' });
    }
    if (!state.inFlight.tryEnter(account.sid, state.traffic.maxConcurrentPerAccount)) {
      return errorResponse(new TwilioError(429, 20429, "Too Many Requests"), retryAfterHeaders());
    }
    try {
      return await admitted(req, url, account, arrived);
    } catch (error) {
      return toErrorResponse(error);
    } finally {
      state.inFlight.leave(account.sid);
    }
  };
}
